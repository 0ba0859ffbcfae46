"""A request-size limit for every route, enforced while the body streams in.

A declared Content-Length over the limit is refused before a byte of the body is read; a chunked
body is counted as it arrives and refused the moment it passes the limit.  At most `max_bytes`
are ever held, so a 200 MB POST costs the server no more memory than a 1 MB one.  The body is
then handed on to the app from memory (routes read it whole anyway), and a client that goes
away mid-body ends the request quietly: there is no one left to answer.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_BYTES = 1_000_000  # LINE's and Telegram's real payloads are a few kB
LOG_EVERY = 60.0  # seconds: a flood of refusals makes one log line a minute, not one each

log = logging.getLogger(__name__)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._refused = 0
        self._logged_at = -LOG_EVERY

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
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

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
