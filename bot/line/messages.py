"""Replies → LINE message objects.  Pure: no I/O.

LINE shows quick reply buttons only under the last message of a reply, and a reply holds
at most five messages, so plain texts are merged into as few messages as possible and the
buttons of the last prompt go under the last message.  Summaries become a Flex card; the
chart image follows when a public https link for it exists.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from linebot.v3.messaging import (
    FlexContainer,
    FlexMessage,
    ImageMessage,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from conversations import Choice, Reply, SummaryCard
from conversations.render import choice_caption
from conversations.reporting import index_lines
from criteria import shown

MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_QUICK_REPLY = 13
MAX_LABEL = 20
ALT_TEXT_MAX = 400
BLUE = "#1F4E79"
LEVEL_COLOURS = {"ระดับโดดเด่น": "#1B7F3B", "ระดับก้าวหน้า": "#2E75B6", "ระดับพื้นฐาน": "#BF8F00", "ยังไม่ได้ตอบ": "#595959"}
BELOW_COLOUR = "#C00000"


def to_messages(replies: Sequence[Reply], chart_urls: dict[int, str] | None = None) -> list[Message]:
    """`chart_urls` maps the index of a summary reply to its chart's https URL."""
    chart_urls = chart_urls or {}
    messages: list[Message] = []
    pending: list[str] = []
    choices: tuple[Choice, ...] = ()

    def flush() -> None:
        text = "\n\n".join(pending)
        while text:
            messages.append(TextMessage(text=text[:MAX_TEXT]))
            text = text[MAX_TEXT:]
        pending.clear()

    for index, reply in enumerate(replies):
        if reply.card is not None:
            flush()
            messages.append(summary_flex(reply.card))
            if url := chart_urls.get(index):
                messages.append(ImageMessage(original_content_url=url, preview_image_url=url))
        else:
            if reply.standalone:
                flush()
            pending.append(reply.text)
            if reply.standalone:
                flush()
            if url := chart_urls.get(index):  # a reply's own chart (coordinators' summaries) follows its text
                flush()
                messages.append(ImageMessage(original_content_url=url, preview_image_url=url))
        if reply.choices:
            choices = reply.choices
    flush()
    messages = _fit(messages)
    if choices and messages:
        last = messages[-1]
        quick = quick_reply(choices)
        if isinstance(last, TextMessage | FlexMessage | ImageMessage):
            last.quick_reply = quick
    return messages


def _fit(messages: list[Message]) -> list[Message]:
    """At most five per reply: merge surplus texts into the last text (rare: long detours)."""
    while len(messages) > MAX_MESSAGES:
        texts = [n for n, m in enumerate(messages) if isinstance(m, TextMessage)]
        if len(texts) >= 2:
            a, b = texts[-2], texts[-1]
            first, second = messages[a], messages[b]
            assert isinstance(first, TextMessage) and isinstance(second, TextMessage)
            merged = f"{first.text}\n\n{second.text}"[:MAX_TEXT]
            messages[a] = TextMessage(text=merged)
            del messages[b]
        else:
            messages = messages[-MAX_MESSAGES:]
    return messages


def quick_reply(choices: Sequence[Choice]) -> QuickReply:
    items = [
        QuickReplyItem(action=PostbackAction(label=_caption(c), data=c.data, display_text=c.label))
        for c in choices[:MAX_QUICK_REPLY]
    ]
    return QuickReply(items=items)


def _caption(choice: Choice) -> str:
    """The number and the label, as in Telegram and the console; a label too long for both keeps its number
    and loses its end (never a lone Thai vowel or tone mark)."""
    caption = choice_caption(choice)
    if len(caption) <= MAX_LABEL:
        return caption
    cut = caption[:MAX_LABEL - 1]
    while cut and unicodedata.category(caption[len(cut)]) == "Mn":  # the next mark belongs to cut's last letter
        cut = cut[:-1]
    return cut.rstrip() + "…"


def summary_flex(card: SummaryCard) -> FlexMessage:
    return FlexMessage(alt_text=card.title[:ALT_TEXT_MAX], contents=FlexContainer.from_dict(summary_bubble(card)))


def _colour(level: str | None) -> str:
    return LEVEL_COLOURS.get(level or "", BELOW_COLOUR)


def summary_bubble(card: SummaryCard) -> dict[str, Any]:
    header: list[dict[str, Any]] = [
        {"type": "text", "text": card.title, "weight": "bold", "size": "md", "color": "#FFFFFF", "wrap": True},
    ]
    if card.subtitle:
        header.append({"type": "text", "text": card.subtitle, "size": "xs", "color": "#DDEBF7", "wrap": True})
    body: list[dict[str, Any]] = []
    if card.overall is not None and card.level is not None and card.index is not None:
        body += [
            {"type": "box", "layout": "baseline", "contents": [
                {"type": "text", "text": shown.points(card.overall), "size": "3xl", "weight": "bold", "flex": 0,
                 "color": _colour(card.level)},
                {"type": "text", "text": f"จาก 500 คะแนน · {card.level}", "size": "sm", "margin": "md", "wrap": True},
            ]},
            {"type": "text", "text": index_lines(card.index), "size": "sm", "color": "#595959", "wrap": True},
            {"type": "separator", "margin": "md"},
        ]
    for line in card.categories:
        body.append({"type": "box", "layout": "horizontal", "margin": "sm", "contents": [
            {"type": "text", "text": f"{line.number} {line.name}", "size": "sm", "flex": 6, "wrap": True},
            {"type": "text", "text": shown.points(line.score) if line.answered else "–", "size": "sm", "flex": 2,
             "align": "end", "weight": "bold"},
            {"type": "text", "text": line.level, "size": "xs", "flex": 4, "align": "end",
             "color": _colour(line.level), "wrap": True},
        ]})
    if card.actions:
        body.append({"type": "separator", "margin": "md"})
        body.append({"type": "text", "text": "สิ่งที่ควรพัฒนาก่อน", "weight": "bold", "size": "sm", "margin": "md"})
        body += [{"type": "text", "text": f"{n}. {a}", "size": "xs", "wrap": True, "margin": "sm"}
                 for n, a in enumerate(card.actions, 1)]
    footer_text = "\n".join(x for x in (card.note, card.disclaimer) if x)
    return {
        "type": "bubble",
        "size": "mega",
        "header": {"type": "box", "layout": "vertical", "backgroundColor": BLUE, "contents": header},
        "body": {"type": "box", "layout": "vertical", "contents": body},
        "footer": {"type": "box", "layout": "vertical", "contents": [
            {"type": "text", "text": footer_text, "size": "xxs", "color": "#7F7F7F", "wrap": True}]},
    }
