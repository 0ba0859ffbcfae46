"""Pacing for Telegram: about 30 messages a second overall and about one a second per chat,
waiting out `RetryAfter` (HTTP 429) instead of failing.  Also a per-chat update processor so
one person's updates are handled in order while different people run concurrently."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

from bot.locks import KeyedLocks

log = logging.getLogger(__name__)

OVERALL_PER_SECOND = 30.0
PER_CHAT_PER_SECOND = 1.0
PER_CHAT_BURST = 3  # a reply may be 2–3 messages at once; on average still the per-chat rate
MAX_RETRIES = 5
CHAT_LIMITERS_KEPT = 10_000
UNPACED = {"getUpdates", "getMe", "setWebhook", "deleteWebhook", "setMyCommands", "getWebhookInfo",
           "answerCallbackQuery"}
NOT_PER_CHAT = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption", "sendChatAction"}


class ChatRateLimiter(BaseRateLimiter[None]):
    def __init__(self, *, overall_per_second: float = OVERALL_PER_SECOND,
                 per_chat_per_second: float = PER_CHAT_PER_SECOND, per_chat_burst: int = PER_CHAT_BURST,
                 max_retries: int = MAX_RETRIES) -> None:
        # Evenly spaced, no burst: Telegram counts any one-second window, and a bucket that lets 30 through
        # at once and then drips 30 a second puts 45 in some windows (a fan-out of reminders would see 429s).
        # Also 2% slack (as per chat below): exactly 30/s meets a timer firing early now and then.
        self._overall = AsyncLimiter(1, 1.02 / overall_per_second)
        self._burst = per_chat_burst
        # 2% slack: a limiter timer may fire a hair early, and Telegram counts whole windows.
        self._period = per_chat_burst / per_chat_per_second * 1.02
        self._chats: OrderedDict[object, AsyncLimiter] = OrderedDict()
        self.max_retries = max_retries
        self.waited_for_retry_after = 0  # how often Telegram told us to slow down

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _chat(self, chat_id: object) -> AsyncLimiter:
        limiter = self._chats.pop(chat_id, None) or AsyncLimiter(self._burst, self._period)
        self._chats[chat_id] = limiter
        while len(self._chats) > CHAT_LIMITERS_KEPT:
            self._chats.popitem(last=False)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for attempt in range(self.max_retries + 1):
            async with AsyncExitStack() as stack:
                if endpoint not in UNPACED:
                    await stack.enter_async_context(self._overall)
                    if endpoint not in NOT_PER_CHAT and (chat_id := data.get("chat_id")) is not None:
                        await stack.enter_async_context(self._chat(chat_id))
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as error:
                    if attempt == self.max_retries:
                        raise
                    # The property warns about int/timedelta in PTB 22; the stored value is a timedelta.
                    wait: timedelta = error._retry_after
                    self.waited_for_retry_after += 1
                    log.info("Telegram asked to wait %.1f s (%s)", wait.total_seconds(), endpoint)
                    await asyncio.sleep(wait.total_seconds())
        raise AssertionError("unreachable")


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in arrival order within a chat (PTB's own concurrent mode reorders)."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks = KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        async with self._locks.hold(str(chat.id if chat else "")):
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
