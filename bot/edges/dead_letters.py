"""Isolating one inbound event: what can never succeed is kept as a dead letter and skipped; what may
succeed later (the database is unavailable) is raised, so the webhook answers 5xx and the platform
redelivers — the events before it were committed and are deduplicated on the redelivery."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.engine import Clock
from storage import dead_letters as store
from storage.database import Database

T = TypeVar("T")
log = logging.getLogger(__name__)


def is_transient(error: BaseException) -> bool:
    """The database (or the way to it) is down or busy: the same event may succeed on a redelivery."""
    if isinstance(error, OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def as_text(raw: object) -> str:
    """An event as JSON text for its dead letter (whatever it holds; the store escapes the rest)."""
    try:
        return json.dumps(raw, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):
        return f"<{type(raw).__name__} that cannot be written as JSON>"


class DeadLetters:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def keep(self, channel: str, event_id: str | None, reason: str, payload: str | bytes) -> None:
        async with self.db.transaction() as conn:
            kept = await store.record(conn, channel, event_id, reason, payload, self.clock())
        if kept:
            log.warning("kept a %s event as a dead letter (id %s): %s", channel, event_id, reason[:200])

    async def isolate(self, channel: str, event_id: str | None, raw: object, work: Awaitable[T]) -> T | None:
        """Run one event's work; a permanent failure becomes a dead letter (None), a transient one is raised."""
        try:
            return await work
        except Exception as error:
            if is_transient(error):
                raise
            if isinstance(error, DBAPIError):  # a value the database refuses: that event never will succeed
                log.warning("the database refused a %s event: %s", channel, type(error.orig).__name__)
            else:  # a bug of ours: the traceback is for the developer, the rest of the body goes on
                log.exception("a %s event failed", channel)
            await self.keep(channel, event_id, f"{type(error).__name__}: {error}", as_text(raw))
            return None
