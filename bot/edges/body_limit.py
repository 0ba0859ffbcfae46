"""A request-size limit for every route, enforced while the body streams in.

A declared Content-Length over the limit is refused before a byte of the body is read; a chunked
body is counted as it arrives and refused the moment it passes the limit.  At most `max_bytes`
are ever held, so a 200 MB POST costs the server no more memory than a 1 MB one.  The body is
then handed on to the app from memory (routes read it whole anyway), and a client that goes
away mid-body ends the request quietly: there is no one left to answer.  A body that has not
arrived whole within `body_timeout` seconds (a slow-body client) is answered 408 and its connection
closed; the header timeout and the connection cap are at the socket (bot/edges/slow_clients.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_BYTES = 1_000_000  # LINE's and Telegram's real payloads are a few kB
DEFAULT_BODY_TIMEOUT = 20.0  # seconds for a whole body; LINE and Telegram send theirs at once
LOG_EVERY = 60.0  # seconds: a flood of refusals makes one log line a minute, not one each
SLOW_LOG_EVERY = 10.0  # seconds, for bodies too slow to arrive

log = logging.getLogger(__name__)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 body_timeout: float = DEFAULT_BODY_TIMEOUT) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout = body_timeout
        self._refused = 0
        self._logged_at = -LOG_EVERY
        self._slow = 0
        self._slow_logged_at = -SLOW_LOG_EVERY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared == "invalid":
            await PlainTextResponse("invalid Content-Length", status_code=400)(scope, receive, send)
            return
        if isinstance(declared, int) and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        break
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await self._too_slow(scope, receive, send)
            return
        if size > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _too_slow(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._slow += 1
        now = time.monotonic()
        if now - self._slow_logged_at >= SLOW_LOG_EVERY:
            log.warning("closed %d request(s) whose body did not arrive within %g s (PMQA_BODY_TIMEOUT)",
                        self._slow, self.body_timeout)
            self._slow, self._slow_logged_at = 0, now
        response = PlainTextResponse("request body too slow", status_code=408, headers={"Connection": "close"})
        await response(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._refused += 1
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY:
            log.warning("refused %d request(s) over the %d-byte body limit (PMQA_MAX_BODY_BYTES)",
                        self._refused, self.max_bytes)
            self._refused, self._logged_at = 0, now
        # Connection: close, so the server stops reading the rest of an oversized body.
        response = PlainTextResponse("request body too large", status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | str | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) <= 18 else "invalid"
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
            return message
        return await receive()  # after the body: e.g. http.disconnect while a response streams

    return replayed
