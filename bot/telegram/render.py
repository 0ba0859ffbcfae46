"""Replies → Telegram messages.  Pure: no I/O.

Telegram has no per-reply message cap, but it asks for about one message a second per
chat, so plain texts are merged and the keyboard goes under the last message.  Answer
options get a row each (long Thai labels), the other buttons share rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations import Choice, Reply
from conversations.model import Chart
from conversations.render import choice_caption

MAX_TEXT = 4096
PER_ROW = 2


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    keyboard: InlineKeyboardMarkup | None = None
    chart: Chart | None = None  # sent as a photo after the text


def to_outgoing(replies: Sequence[Reply]) -> list[Outgoing]:
    messages: list[Outgoing] = []
    pending: list[str] = []
    choices: tuple[Choice, ...] = ()
    for reply in replies:
        if reply.chart is not None or reply.standalone:
            if pending:
                messages.append(Outgoing("\n\n".join(pending)))
                pending.clear()
            messages.append(Outgoing(reply.text, chart=reply.chart))
        else:
            pending.append(reply.text)
        if reply.choices:
            choices = reply.choices
    if pending:
        messages.append(Outgoing("\n\n".join(pending)))
    messages = [piece for message in messages for piece in _split(message)]
    if choices and messages:
        last = messages[-1]
        messages[-1] = Outgoing(last.text, keyboard(choices), last.chart)
    return messages


def _split(message: Outgoing) -> list[Outgoing]:
    if len(message.text) <= MAX_TEXT:
        return [message]
    parts = [message.text[i:i + MAX_TEXT] for i in range(0, len(message.text), MAX_TEXT)]
    return [Outgoing(part) for part in parts[:-1]] + [Outgoing(parts[-1], message.keyboard, message.chart)]


def keyboard(choices: Sequence[Choice]) -> InlineKeyboardMarkup:
    answers = [c for c in choices if c.data.startswith("a:")]
    others = [c for c in choices if not c.data.startswith("a:")]
    rows = [[_button(c)] for c in answers]
    rows += [[_button(c) for c in others[i:i + PER_ROW]] for i in range(0, len(others), PER_ROW)]
    return InlineKeyboardMarkup(rows)


def _button(choice: Choice) -> InlineKeyboardButton:
    return InlineKeyboardButton(choice_caption(choice), callback_data=choice.data)
