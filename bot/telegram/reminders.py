"""Reminders to Telegram: one message per person, sent through the bot's rate limiter (≈ 30/s overall,
1/s per chat, RetryAfter obeyed), a batch at a time so the limiter, not latency, sets the pace."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.error import Forbidden, NetworkError, TelegramError, TimedOut

from bot.reminders import SendResult
from bot.telegram.render import keyboard
from conversations import Choice
from conversations import coordinator_texts as ct
from conversations.parsing import command_data

log = logging.getLogger(__name__)
BATCH = 30  # about one second's worth at Telegram's overall limit
RETRIES = 4


class TelegramReminderSender:
    batch_size = BATCH
    idempotent = False  # Telegram has no idempotency key: a batch cut short is not resent

    def __init__(self, bot: Bot, *, backoff: float = 0.5) -> None:
        self.bot = bot
        self.backoff = backoff

    async def send(self, recipients: Sequence[str], text: str, retry_key: str) -> SendResult:
        markup = keyboard([Choice(ct.BTN_RESUME, command_data("resume"))])

        async def one(chat_id: str) -> str:
            delay = self.backoff
            for attempt in range(1, RETRIES + 1):
                try:
                    await self.bot.send_message(int(chat_id), text, reply_markup=markup)
                except Forbidden:
                    return "blocked"
                except TimedOut as error:  # it may have arrived: a reminder is not worth a duplicate
                    log.warning("reminder to a Telegram chat timed out: %r", error)
                    return "failed"
                except NetworkError as error:  # 5xx, connection refused: nothing was delivered, try again
                    if attempt == RETRIES:
                        log.warning("reminder not delivered to a Telegram chat: %r", error)
                        return "failed"
                    await asyncio.sleep(delay)
                    delay *= 2
                except TelegramError as error:  # 400s: retrying cannot help (429 is waited out by the limiter)
                    log.warning("reminder not delivered to a Telegram chat: %r", error)
                    return "failed"
                else:
                    return "sent"
            return "failed"

        outcomes = await asyncio.gather(*(one(chat_id) for chat_id in recipients))
        grouped: dict[str, set[str]] = {"sent": set(), "blocked": set(), "failed": set()}
        for chat_id, outcome in zip(recipients, outcomes, strict=True):
            grouped[outcome].add(chat_id)
        return SendResult(frozenset(grouped["sent"]), frozenset(grouped["blocked"]), frozenset(grouped["failed"]))
