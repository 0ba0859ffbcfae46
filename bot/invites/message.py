"""The short Thai message that travels with an invite code: what the bot is, how to add it, the code.

A coordinator forwards it as it is (LINE: press and hold → ส่งต่อ), so it must stand on its own for
someone who has never heard of the bot.  Where to find the bot comes from settings (PMQA_LINE_ID,
PMQA_TELEGRAM_BOT); without them the message says to ask whoever sent it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from conversations import coordinator_texts as ct
from conversations import texts as t


@dataclass(frozen=True, slots=True)
class BotAddresses:
    line_id: str | None = None  # the official account's LINE ID, e.g. "@pmqa-nan"
    telegram_bot: str | None = None  # the bot's Telegram username, without "@"
    dashboard: str | None = None  # the dashboard's base address (sign-in links sent in the chat)

    def where(self) -> str:
        places = []
        if self.line_id:
            places.append(ct.INVITE_WHERE_LINE.format(line_id=self.line_id))
        if self.telegram_bot:
            places.append(ct.INVITE_WHERE_TELEGRAM.format(username=self.telegram_bot.lstrip("@")))
        return ct.INVITE_WHERE_OR.join(places) if places else ct.INVITE_WHERE_UNKNOWN


def forwardable(*, role: str, agency: str, code: str, expires: date, categories: tuple[int, ...] | None,
                addresses: BotAddresses) -> str:
    shown = ct.INVITE_CATEGORIES.format(numbers=", ".join(map(str, categories))) if categories else ""
    return ct.INVITE_FORWARD[role].format(agency=agency, categories=shown, where=addresses.where(), code=code,
                                          expires=t.thai_date(expires))
