"""Reminder rows and their per-recipient send records.

A reminder is claimed by one worker at a time with a single conditional UPDATE (due, or
sending with an expired lease); whoever's UPDATE changed the row owns it until the lease
ends.  Recipients are written before anything is sent, each with a batch number, so a
worker that dies mid-fan-out leaves a precise record for the next one to resume from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repository import insert_ignoring_duplicates
from storage.schema import reminder_sends, reminders, rounds, users

DONE_STATES = ("sent",)  # what counts towards a person's caps


@dataclass(frozen=True, slots=True)
class ReminderRow:
    id: int
    kind: str
    round_id: int | None
    agency_id: int
    message: str | None
    created_by: int | None
    status: str
    due_at: datetime
    recipients: int | None


@dataclass(frozen=True, slots=True)
class Recipient:
    send_id: int
    user_id: int
    channel_user_id: str


@dataclass(frozen=True, slots=True)
class Batch:
    channel: str
    round_id: int
    number: int
    status: str  # pending | sending (a worker died while sending it)
    recipients: tuple[Recipient, ...]


def _row(row: Any) -> ReminderRow:
    return ReminderRow(row.id, row.kind, row.round_id, row.agency_id, row.message, row.created_by, row.status,
                       row.due_at, row.recipients)


async def ensure_auto(conn: AsyncConnection, round_id: int, agency_id: int, slot: date, due_at: datetime,
                      now: datetime) -> bool:
    """The automatic reminder of `slot` for a round; True if this call created it."""
    statement = insert_ignoring_duplicates(conn, reminders, ["round_id", "kind", "slot"]).values(
        kind="auto", round_id=round_id, agency_id=agency_id, slot=slot, status="due", due_at=due_at, created_at=now)
    return (await conn.execute(statement)).rowcount == 1


async def create_manual(conn: AsyncConnection, agency_id: int, round_id: int | None, message: str | None,
                        created_by: int, now: datetime) -> int:
    result = await conn.execute(insert(reminders).values(
        kind="manual", round_id=round_id, agency_id=agency_id, message=message, created_by=created_by,
        status="draft", due_at=now, created_at=now).returning(reminders.c.id))
    return int(result.scalar_one())


async def latest_draft(conn: AsyncConnection, created_by: int, since: datetime) -> ReminderRow | None:
    row = (await conn.execute(select(reminders).where(
        reminders.c.created_by == created_by, reminders.c.status == "draft", reminders.c.created_at >= since)
        .order_by(reminders.c.id.desc()).limit(1))).first()
    return None if row is None else _row(row)


async def get(conn: AsyncConnection, reminder_id: int) -> ReminderRow | None:
    row = (await conn.execute(select(reminders).where(reminders.c.id == reminder_id))).first()
    return None if row is None else _row(row)


async def confirm(conn: AsyncConnection, reminder_id: int, due_at: datetime) -> bool:
    result = await conn.execute(update(reminders).where(reminders.c.id == reminder_id, reminders.c.status == "draft")
                                .values(status="due", due_at=due_at))
    return result.rowcount == 1


def _claimable(now: datetime) -> Any:
    return or_(and_(reminders.c.status == "due", reminders.c.due_at <= now),
               and_(reminders.c.status == "sending", reminders.c.lease_until < now))


async def claim_next(conn: AsyncConnection, now: datetime, lease_until: datetime) -> ReminderRow | None:
    """Take one due reminder (or one whose worker's lease ran out) for this worker, atomically."""
    candidates = await conn.scalars(select(reminders.c.id).where(_claimable(now))
                                    .order_by(reminders.c.due_at, reminders.c.id).limit(5))
    for reminder_id in list(candidates):
        # The WHERE is evaluated again on the locked row: on PostgreSQL a second worker's UPDATE waits
        # for the first to commit and then finds the row no longer claimable; SQLite has one writer.
        result = await conn.execute(update(reminders).where(reminders.c.id == reminder_id, _claimable(now))
                                    .values(status="sending", lease_until=lease_until).returning(reminders))
        row = result.first()
        if row is not None:
            return _row(row)
    return None


async def renew(conn: AsyncConnection, reminder_id: int, lease_until: datetime) -> None:
    await conn.execute(update(reminders).where(reminders.c.id == reminder_id).values(lease_until=lease_until))


async def finish(conn: AsyncConnection, reminder_id: int, now: datetime, status: str = "done") -> None:
    await conn.execute(update(reminders).where(reminders.c.id == reminder_id)
                       .values(status=status, finished_at=now, lease_until=None))


async def open_rounds_on(conn: AsyncConnection, day: date) -> list[Any]:
    """Rounds open on `day` (by their dates, not closed by hand): the ones the schedule looks at."""
    return list(await conn.execute(select(rounds).where(
        rounds.c.closed_at.is_(None), rounds.c.opens_on <= day, rounds.c.closes_on >= day)))


async def automatic_slots(conn: AsyncConnection) -> set[tuple[int, date]]:
    """(round id, slot day) of every automatic reminder already made."""
    rows = await conn.execute(select(reminders.c.round_id, reminders.c.slot).where(reminders.c.kind == "auto"))
    return {(row.round_id, row.slot) for row in rows}


async def round_names(conn: AsyncConnection) -> dict[int, tuple[str, date]]:
    """Round id → (name, closing date), for the reminders' text."""
    rows = await conn.execute(select(rounds.c.id, rounds.c.name, rounds.c.closes_on))
    return {row.id: (row.name, row.closes_on) for row in rows}


async def due_reminders(conn: AsyncConnection, now: datetime) -> list[ReminderRow]:
    return [_row(r) for r in await conn.execute(select(reminders).where(_claimable(now)).order_by(reminders.c.id))]


@dataclass(frozen=True, slots=True)
class NewSend:
    user_id: int
    round_id: int
    channel: str
    batch: int
    status: str  # pending | skipped


async def add_recipients(conn: AsyncConnection, reminder_id: int, sends: Sequence[NewSend], now: datetime) -> None:
    """Write every recipient (and the count) once; a second call for the same reminder adds nothing."""
    claimed = await conn.execute(update(reminders).where(reminders.c.id == reminder_id,
                                                         reminders.c.recipients.is_(None))
                                 .values(recipients=sum(1 for s in sends if s.status == "pending")))
    if claimed.rowcount != 1 or not sends:
        return
    rows = [{"reminder_id": reminder_id, "user_id": s.user_id, "round_id": s.round_id, "channel": s.channel,
             "batch": s.batch, "status": s.status, "at": now} for s in sends]
    for start in range(0, len(rows), 500):
        await conn.execute(insert(reminder_sends), rows[start:start + 500])


async def next_batch(conn: AsyncConnection, reminder_id: int) -> Batch | None:
    first = (await conn.execute(select(reminder_sends.c.channel, reminder_sends.c.round_id, reminder_sends.c.batch,
                                       reminder_sends.c.status)
                                .where(reminder_sends.c.reminder_id == reminder_id,
                                       reminder_sends.c.status.in_(("pending", "sending")))
                                .order_by(reminder_sends.c.batch).limit(1))).first()
    if first is None:
        return None
    rows = await conn.execute(
        select(reminder_sends.c.id, reminder_sends.c.user_id, users.c.channel_user_id)
        .join(users, users.c.id == reminder_sends.c.user_id)
        .where(reminder_sends.c.reminder_id == reminder_id, reminder_sends.c.batch == first.batch,
               reminder_sends.c.status.in_(("pending", "sending")))
        .order_by(reminder_sends.c.id))
    recipients = tuple(Recipient(r.id, r.user_id, r.channel_user_id) for r in rows)
    return Batch(first.channel, first.round_id, first.batch, first.status, recipients)


async def mark(conn: AsyncConnection, send_ids: Iterable[int], status: str, now: datetime) -> None:
    ids = list(send_ids)
    for start in range(0, len(ids), 500):
        await conn.execute(update(reminder_sends).where(reminder_sends.c.id.in_(ids[start:start + 500]))
                           .values(status=status, at=now))


async def reminded(conn: AsyncConnection, user_ids: Sequence[int],
                   since: datetime) -> tuple[set[int], dict[tuple[int, int], int]]:
    """Who got a reminder at or after `since`, and how many each got per round: (today, {(user, round): n})."""
    today: set[int] = set()
    counts: dict[tuple[int, int], int] = {}
    for start in range(0, len(user_ids), 900):
        chunk = user_ids[start:start + 900]
        rows = await conn.execute(
            select(reminder_sends.c.user_id, reminder_sends.c.round_id, func.count(), func.max(reminder_sends.c.at))
            .where(reminder_sends.c.user_id.in_(chunk), reminder_sends.c.status.in_(DONE_STATES))
            .group_by(reminder_sends.c.user_id, reminder_sends.c.round_id))
        for user_id, round_id, count, last in rows:
            counts[(user_id, round_id)] = int(count)
            if last is not None and last >= since:
                today.add(user_id)
    return today, counts


async def send_counts(conn: AsyncConnection, reminder_id: int) -> dict[str, int]:
    rows = await conn.execute(select(reminder_sends.c.status, func.count()).where(
        reminder_sends.c.reminder_id == reminder_id).group_by(reminder_sends.c.status))
    return {status: int(count) for status, count in rows}
