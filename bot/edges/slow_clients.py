"""Slow and surplus connections: a cap on open connections and a header read timeout, at the socket.

uvicorn has neither: a client that opens a connection and sends its headers a byte at a time holds
it (and a file descriptor) for ever, and `limit_concurrency` answers 503 only once a request has
been read, logging a line for each.  A thousand such clients used up the process's 1,024 file
descriptors, so `/healthz` and signed webhooks could no longer connect.  This wraps uvicorn's h11
protocol:

- a connection over `max_connections` is answered 503 and closed at once, before it is read;
- a connection that has not sent a whole request head within `header_timeout` seconds of opening
  (or of its previous response) is closed; idle keep-alive connections close sooner, after
  uvicorn's `timeout_keep_alive`.

The body read timeout is in the body limit (an ASGI middleware, bot/edges/body_limit.py).  Each kind
of refusal is logged at most once every LOG_EVERY seconds, with how many there were since the last
line, so a flood costs a few log lines, not one per connection.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

LOG_EVERY = 10.0  # seconds
BUSY = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 12\r\n" \
       b"connection: close\r\n\r\nserver busy\n"

log = logging.getLogger(__name__)


@dataclass
class RateLimitedLog:
    """One warning per `every` seconds per kind, carrying the count since the previous line."""

    every: float = LOG_EVERY
    clock: Any = time.monotonic
    _counts: dict[str, int] = field(default_factory=dict)
    _logged_at: dict[str, float] = field(default_factory=dict)

    def note(self, kind: str, message: str, *args: object) -> None:
        self._counts[kind] = self._counts.get(kind, 0) + 1
        now = self.clock()
        if now - self._logged_at.get(kind, -self.every) >= self.every:
            log.warning(message + " (%d since the last such line)", *args, self._counts[kind])
            self._counts[kind], self._logged_at[kind] = 0, now


@dataclass
class Guard:
    max_connections: int
    header_timeout: float
    log: RateLimitedLog = field(default_factory=RateLimitedLog)


def guarded_protocol(guard: Guard) -> type[H11Protocol]:
    """An h11 protocol class for `uvicorn.run(http=…)` that enforces `guard`."""

    class GuardedH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > guard.max_connections:
                guard.log.note("cap", "refused connections over the cap of %d open connections "
                                      "(PMQA_MAX_CONNECTIONS)", guard.max_connections)
                transport.write(BUSY)
                transport.close()
                return
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request's head gets the same time

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(guard.header_timeout, self._head_too_slow)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_too_slow(self) -> None:
            self._head_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                guard.log.note("head", "closed connections that sent no complete request head within %g s "
                                       "(PMQA_HEADER_TIMEOUT)", guard.header_timeout)
                self.transport.close()

    return GuardedH11Protocol
