"""Reminders: the automatic schedule, a coordinator's reminders, and the fan-out to LINE and Telegram.

    schedule (rounds → due rows) → claim one row (atomic, leased) → write every recipient with a
    batch number → per batch: mark "sending", send, mark the outcome → done

Rules for people: only officers who have not finished the round now open for their agency;
only between 08:00 and 20:00 Asia/Bangkok (otherwise deferred to the morning); at most one
reminder a day and three a round per person.  Run by a loop inside `pmqa-bot serve` and by
`pmqa-bot remind` (cron); two workers never send the same reminder twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from conversations import coordinator_texts as ct
from conversations import texts as t
from criteria.model import Bank
from storage import reminders as store
from storage import repository as repo
from storage.database import Database
from storage.scope import Person, load_scope

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

OFFSETS_DAYS = (7, 3, 1)  # automatic reminders, days before the closing date
SEND_AT = time(9, 0)
DAY_STARTS, DAY_ENDS = time(8, 0), time(20, 0)
MAX_PER_ROUND = 3
LEASE = timedelta(minutes=5)
DRAFT_KEPT = timedelta(hours=1)  # a preview may be confirmed within the hour
SWEEP_EVERY = 60.0  # seconds between sweeps when nothing wakes the loop
RETRY_KEY_NAMESPACE = uuid.UUID("5b0f3f4e-6a55-4f8e-9a43-7c1d3f6a2b10")


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: frozenset[str] = frozenset()
    blocked: frozenset[str] = frozenset()  # blocked the bot / unfollowed: marked inactive, never retried
    failed: frozenset[str] = frozenset()  # gave up after retries


class ChannelSender(Protocol):
    """Sends one batch of one reminder to one platform."""

    batch_size: int
    idempotent: bool  # a batch sent twice is delivered once (LINE's X-Line-Retry-Key)

    async def send(self, recipients: Sequence[str], text: str, retry_key: str) -> SendResult: ...


@dataclass
class Audience:
    send: list[Person] = field(default_factory=list)
    capped: list[Person] = field(default_factory=list)  # reminded today already, or three times this round
    unreachable: list[Person] = field(default_factory=list)  # a channel we cannot push to (console)

    def by_channel(self) -> Counter[str]:
        return Counter(p.channel for p in self.send)


@dataclass
class SweepReport:
    deferred: bool = False  # outside the daytime window: nothing was sent
    reminders: int = 0
    sent: int = 0
    skipped: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0


def in_daytime(local: datetime) -> bool:
    return DAY_STARTS <= local.time() < DAY_ENDS


def next_morning(local: datetime) -> datetime:
    """The next 08:00 (today's if it is still early)."""
    day = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
    return datetime.combine(day, DAY_STARTS, tzinfo=local.tzinfo)


def due_slot(opens_on: date, closes_on: date, local_now: datetime) -> date | None:
    """The latest automatic slot that is due now for a round, if any (a missed slot is sent late)."""
    due = None
    for offset in OFFSETS_DAYS:
        slot = closes_on - timedelta(days=offset)
        if slot < opens_on or local_now.date() > closes_on:
            continue
        if datetime.combine(slot, SEND_AT, tzinfo=local_now.tzinfo) <= local_now:
            due = slot if due is None else max(due, slot)
    return due


def reminder_text(round_name: str, closes_on: date, today: date, message: str | None) -> str:
    days = (closes_on - today).days
    left = ct.REMINDER_LAST_DAY if days <= 0 else ct.REMINDER_DAYS_LEFT.format(days=days)
    text = ct.REMINDER.format(round=round_name, closes=t.thai_date(closes_on), left=left)
    if message:
        text += ct.REMINDER_FROM.format(message=message)
    return text


async def audience_of(conn: AsyncConnection, bank: Bank, agency_id: int, round_id: int | None,
                      local_now: datetime) -> Audience:
    """Who a reminder for `agency_id`'s scope would reach now (only `round_id`'s people if given)."""
    scope = await load_scope(conn, bank, agency_id, local_now.date(), progress=False)
    waiting = [p for p in scope.people if p.active and not p.finished and p.round_id is not None
               and (round_id is None or p.round_id == round_id)]
    midnight = datetime.combine(local_now.date(), time(0), tzinfo=local_now.tzinfo)
    today, counts = await store.reminded(conn, [p.user_id for p in waiting], midnight)
    audience = Audience()
    for person in waiting:
        assert person.round_id is not None
        if person.user_id in today or counts.get((person.user_id, person.round_id), 0) >= MAX_PER_ROUND:
            audience.capped.append(person)
        elif person.channel not in ("line", "telegram"):
            audience.unreachable.append(person)
        else:
            audience.send.append(person)
    return audience


class Reminders:
    def __init__(self, db: Database, bank: Bank, clock: Clock, timezone: str,
                 senders: dict[str, ChannelSender] | None = None) -> None:
        self.db = db
        self.bank = bank
        self.clock = clock
        self.tz = ZoneInfo(timezone)
        self.senders = senders or {}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A coordinator confirmed a reminder: sweep now rather than at the next minute."""
        self._wake.set()

    # The audience ---------------------------------------------------------------------------

    async def audience(self, agency_id: int, round_id: int | None) -> Audience:
        async with self.db.read() as conn:
            return await audience_of(conn, self.bank, agency_id, round_id, self.clock().astimezone(self.tz))

    # The schedule ---------------------------------------------------------------------------------

    async def schedule(self) -> int:
        """Create the automatic reminders that are due now; returns how many were new."""
        now = self.clock()
        local = now.astimezone(self.tz)
        created = 0
        async with self.db.transaction() as conn:
            for row, slot in _due_slots(await store.open_rounds_on(conn, local.date()), local):
                due_at = datetime.combine(slot, SEND_AT, tzinfo=self.tz)
                created += await store.ensure_auto(conn, row.id, row.agency_id, slot, due_at, now)
        return created

    # Sweeping ---------------------------------------------------------------------------------------

    async def sweep(self) -> SweepReport:
        """Send everything due now (run by the loop and by `pmqa-bot remind`)."""
        report = SweepReport()
        if not self.senders:  # no chat app configured here: leave the reminders to a worker that has one
            return report
        if not in_daytime(self.clock().astimezone(self.tz)):
            report.deferred = True
            return report
        await self.schedule()
        while True:
            now = self.clock()
            async with self.db.transaction() as conn:
                reminder = await store.claim_next(conn, now, now + LEASE)
            if reminder is None:
                return report
            report.reminders += 1
            await self._fan_out(reminder, report)

    async def preview_due(self) -> list[tuple[str, int, Audience]]:
        """What a sweep would send now, writing nothing: (kind, scope agency id, audience) per reminder."""
        now = self.clock()
        local = now.astimezone(self.tz)
        async with self.db.read() as conn:
            due = await store.due_reminders(conn, now)
            open_rounds = await store.open_rounds_on(conn, local.date())
            made = await store.automatic_slots(conn)
        pending = [(r.kind, r.agency_id, _auto_round(r)) for r in due]
        pending += [("auto", row.agency_id, row.id) for row, slot in _due_slots(open_rounds, local)
                    if (row.id, slot) not in made]
        return [(kind, agency_id, await self.audience(agency_id, round_id)) for kind, agency_id, round_id in pending]

    async def run_forever(self) -> None:
        """The loop inside `pmqa-bot serve`: sweep every minute, or at once when woken."""
        while True:
            try:
                await self.sweep()
            except Exception:  # a busy database or a platform outage must not end the loop
                log.exception("reminder sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), SWEEP_EVERY)
            self._wake.clear()

    async def _fan_out(self, reminder: store.ReminderRow, report: SweepReport) -> None:
        if reminder.recipients is None:
            await self._write_recipients(reminder)
        rounds = await self._rounds()
        while True:
            now = self.clock()
            async with self.db.transaction() as conn:
                batch = await store.next_batch(conn, reminder.id)
                if batch is None:
                    await store.finish(conn, reminder.id, now)
                    counts = await store.send_counts(conn, reminder.id)
                    await repo.audit(conn, now, reminder.created_by, "reminder.sent", str(reminder.agency_id),
                                     {"reminder": reminder.id, "kind": reminder.kind, **counts})
                    report.skipped += counts.get("skipped", 0)
                    return
                sender = self.senders.get(batch.channel)
                ids = [r.send_id for r in batch.recipients]
                if sender is None:  # the channel is not configured on this worker: leave it, say so
                    await store.mark(conn, ids, "failed", now)
                    report.failed += len(ids)
                    continue
                if batch.status == "sending" and not sender.idempotent:
                    # A worker died while sending this batch and the platform cannot tell us what
                    # arrived: better a missed reminder than a repeated one.
                    await store.mark(conn, ids, "unknown", now)
                    report.unknown += len(ids)
                    continue
                await store.mark(conn, ids, "sending", now)
                await store.renew(conn, reminder.id, now + LEASE)
            round_name, closes_on = rounds[batch.round_id]
            text = reminder_text(round_name, closes_on, now.astimezone(self.tz).date(), reminder.message)
            key = str(uuid.uuid5(RETRY_KEY_NAMESPACE, f"{reminder.id}:{batch.number}"))
            result = await sender.send([r.channel_user_id for r in batch.recipients], text, key)
            await self._record(batch, result, report)

    async def _record(self, batch: store.Batch, result: SendResult, report: SweepReport) -> None:
        now = self.clock()
        by_id = {r.channel_user_id: r for r in batch.recipients}
        async with self.db.transaction() as conn:
            for status, who in (("sent", result.sent), ("blocked", result.blocked), ("failed", result.failed)):
                await store.mark(conn, [by_id[u].send_id for u in who if u in by_id], status, now)
            for channel_user_id in result.blocked:
                if channel_user_id in by_id:
                    await repo.update_user(conn, by_id[channel_user_id].user_id, active=False)
            missing = [r.send_id for r in batch.recipients
                       if r.channel_user_id not in result.sent | result.blocked | result.failed]
            await store.mark(conn, missing, "failed", now)
        report.sent += len(result.sent)
        report.blocked += len(result.blocked)
        report.failed += len(result.failed) + len(missing)

    async def _write_recipients(self, reminder: store.ReminderRow) -> None:
        audience = await self.audience(reminder.agency_id, _auto_round(reminder))
        sends: list[store.NewSend] = []
        batch = 0
        groups: dict[tuple[str, int], list[Person]] = {}
        for person in audience.send:
            assert person.round_id is not None
            groups.setdefault((person.channel, person.round_id), []).append(person)
        for (channel, round_id), people in sorted(groups.items()):
            size = self.senders[channel].batch_size if channel in self.senders else 500
            for start in range(0, len(people), size):
                sends += [store.NewSend(p.user_id, round_id, channel, batch, "pending")
                          for p in people[start:start + size]]
                batch += 1
        for person in audience.capped + audience.unreachable:
            assert person.round_id is not None
            sends.append(store.NewSend(person.user_id, person.round_id, person.channel, -1, "skipped"))
        async with self.db.transaction() as conn:
            await store.add_recipients(conn, reminder.id, sends, self.clock())

    async def _rounds(self) -> dict[int, tuple[str, date]]:
        async with self.db.read() as conn:
            return await store.round_names(conn)


def _due_slots(open_rounds: Sequence[Any], local_now: datetime) -> Iterator[tuple[Any, date]]:
    for row in open_rounds:
        slot = due_slot(row.opens_on, row.closes_on, local_now)
        if slot is not None:
            yield row, slot


def _auto_round(reminder: store.ReminderRow) -> int | None:
    """An automatic reminder is for its round's people only; a coordinator's for everyone in scope."""
    return reminder.round_id if reminder.kind == "auto" else None
