"""Sending to LINE: the free reply first, push (which costs quota) only when the reply token
is spent or expired.  Short timeouts; 429 and 5xx retried with backoff; pushes carry an
`X-Line-Retry-Key` so a retry after a lost answer is never delivered twice."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from linebot.v3.messaging import (
    ApiException,
    AsyncMessagingApi,
    Message,
    PushMessageRequest,
    ReplyMessageRequest,
)

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0  # seconds; the SDK's default is 300
RETRIES = 4
BACKOFF = 0.5  # seconds, doubled each try, or the server's Retry-After
SpendHook = Callable[[str, int, int], Awaitable[None]]  # (kind, recipients, messages)


@dataclass(frozen=True, slots=True)
class Delivery:
    via: str  # "reply" | "push" | "failed"
    attempts: int


class LineSender:
    def __init__(self, api: AsyncMessagingApi, *, on_spend: SpendHook | None = None,
                 timeout: float = REQUEST_TIMEOUT, retries: int = RETRIES, backoff: float = BACKOFF) -> None:
        self.api = api
        self.on_spend = on_spend
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    async def send(self, user_id: str, reply_token: str | None, messages: Sequence[Message]) -> Delivery:
        if not messages:
            return Delivery("reply", 0)
        if reply_token:
            request = ReplyMessageRequest(reply_token=reply_token, messages=list(messages))
            ok, attempts = await self._with_retries(
                lambda: self.api.reply_message(request, _request_timeout=self.timeout))
            if ok:
                return Delivery("reply", attempts)
            log.info("reply token unusable for %s; falling back to push", user_id)
        return await self.push(user_id, messages, purpose="reply_fallback")

    async def send_reply_only(self, reply_token: str | None, messages: Sequence[Message]) -> Delivery:
        """Groups and rooms: a courtesy note by reply; never spend quota on a push there."""
        if not reply_token or not messages:
            return Delivery("failed", 0)
        request = ReplyMessageRequest(reply_token=reply_token, messages=list(messages))
        ok, attempts = await self._with_retries(lambda: self.api.reply_message(request, _request_timeout=self.timeout))
        return Delivery("reply" if ok else "failed", attempts)

    async def push(self, user_id: str, messages: Sequence[Message], *, purpose: str) -> Delivery:
        key = str(uuid.uuid4())  # the same key on every retry of this push
        request = PushMessageRequest(to=user_id, messages=list(messages))
        ok, attempts = await self._with_retries(
            lambda: self.api.push_message(request, x_line_retry_key=key, _request_timeout=self.timeout),
            accepted_statuses=(409,))
        if ok and self.on_spend is not None:
            await self.on_spend(purpose, 1, len(messages))
        return Delivery("push" if ok else "failed", attempts)

    async def _with_retries(self, call: Callable[[], Awaitable[Any]],
                            accepted_statuses: tuple[int, ...] = ()) -> tuple[bool, int]:
        """(delivered, attempts).  4xx other than 429 are final: retrying cannot help."""
        delay = self.backoff
        for attempt in range(1, self.retries + 1):
            try:
                await call()
            except ApiException as error:
                status = error.status or 0
                if status in accepted_statuses:  # 409: this retry key was already accepted
                    return True, attempt
                if status != 429 and status < 500:
                    log.warning("LINE refused a request: %s %s", status, (error.body or "")[:200])
                    return False, attempt
                await asyncio.sleep(_retry_after(error) or delay)
                delay *= 2
            except (TimeoutError, OSError, aiohttp.ClientError) as error:  # network trouble: retry like a 5xx
                log.warning("LINE request failed: %r", error)
                await asyncio.sleep(delay)
                delay *= 2
            else:
                return True, attempt
        return False, self.retries


def _retry_after(error: ApiException) -> float | None:
    headers = error.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return min(float(value), 30.0) if value is not None else None
    except ValueError:
        return None
