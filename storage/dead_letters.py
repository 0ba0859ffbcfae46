"""Dead letters: inbound events kept aside, with the reason, instead of failing their whole body.

The payload is stored as printable text: cut to PAYLOAD_KEPT characters, with NUL and lone
surrogates escaped (PostgreSQL refuses both in text), so recording a poison event cannot
itself fail the way the event did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repository import insert_ignoring_duplicates
from storage.schema import dead_letters

PAYLOAD_KEPT = 2_000  # characters: enough to see what was wrong, not a copy of a 1 MB body
REASON_KEPT = 200
EVENT_ID_KEPT = 128


@dataclass(frozen=True, slots=True)
class DeadLetterRow:
    id: int
    channel: str
    event_id: str | None
    reason: str
    payload: str
    payload_bytes: int
    received_at: datetime


def printable(value: str | bytes, limit: int) -> str:
    """Text any database stores and any terminal prints: invalid UTF-8, lone surrogates and NUL escaped."""
    text = value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else value
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text if len(text) <= limit else text[:limit - 1] + "…"


async def record(conn: AsyncConnection, channel: str, event_id: str | None, reason: str, payload: str | bytes,
                 now: datetime) -> bool:
    """Keep one dead letter; False if this (channel, event id) was kept already (a redelivered body)."""
    size = len(payload.encode("utf-8", "surrogatepass")) if isinstance(payload, str) else len(payload)
    values = {"channel": channel, "event_id": None if event_id is None else printable(event_id, EVENT_ID_KEPT),
              "reason": printable(reason, REASON_KEPT), "payload": printable(payload, PAYLOAD_KEPT),
              "payload_bytes": size, "received_at": now}
    if event_id is None:
        await conn.execute(insert(dead_letters).values(**values))
        return True
    statement = insert_ignoring_duplicates(conn, dead_letters, ["channel", "event_id"])
    return (await conn.execute(statement.values(**values))).rowcount == 1


async def recent(conn: AsyncConnection, limit: int, channel: str | None = None) -> list[DeadLetterRow]:
    query = select(dead_letters).order_by(dead_letters.c.received_at.desc(), dead_letters.c.id.desc()).limit(limit)
    if channel is not None:
        query = query.where(dead_letters.c.channel == channel)
    return [DeadLetterRow(r.id, r.channel, r.event_id, r.reason, r.payload, r.payload_bytes, r.received_at)
            for r in (await conn.execute(query)).all()]


async def prune(conn: AsyncConnection, before: datetime) -> int:
    return (await conn.execute(delete(dead_letters).where(dead_letters.c.received_at < before))).rowcount
