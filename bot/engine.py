"""Runs one inbound event end to end, in one database transaction:

    dedupe → per-user lock → load → conversations.handle → apply facts → save → replies

Replies are returned only after the transaction commits, so whatever the person was told
has been recorded; a crash before the commit leaves no trace and a redelivery runs again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.coordination import Coordination, ExportJob, reads_only
from bot.invites import BotAddresses
from bot.locks import KeyedLocks
from bot.notices.submissions import submission_news
from bot.reports import officer_comparison
from conversations import (
    COORDINATOR,
    Ask,
    Context,
    Denied,
    Event,
    Fact,
    Forget,
    GiveConsent,
    Joined,
    JoinRefused,
    Phase,
    PreviousRound,
    RecordAnswer,
    RedeemInvite,
    Reopen,
    Reply,
    RoundInfo,
    Session,
    SetAside,
    Step,
    Submission,
    Submit,
    handle,
)
from conversations.coordinating import CoordinatorRequest
from conversations.coordinator_texts import READ_FAILED
from conversations.model import Choice
from conversations.typed import remember_shown
from criteria.model import Bank
from storage import invite_codes
from storage import repository as repo
from storage.database import Database

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 4
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Inbound:
    channel: str  # "line" | "telegram" | "console"
    user_id: str  # the platform's user id
    event: Event
    event_id: str | None = None  # the platform's id for dedupe (webhookEventId, update_id)
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    replies: tuple[Reply, ...]
    duplicate: bool = False
    facts: tuple[Fact, ...] = ()  # what was made durable (e.g. to mark a tapped keyboard as answered)
    exports: tuple[ExportJob, ...] = ()  # workbooks the channel builds off the loop and sends when ready


@dataclass
class _Loaded:
    session: Session
    ctx: Context
    assessment_id: int | None  # None: this person answers in no round now (none open, or a coordinator)
    round_id: int | None
    stored_version: int | None  # None: no session row yet
    answered: list[Reply] = field(default_factory=list)  # the shell's answers to coordinators' requests
    exports: list[ExportJob] = field(default_factory=list)
    wake_reminders: bool = False
    reads: list[CoordinatorRequest] = field(default_factory=list)  # answered after the commit


class Engine:
    def __init__(self, db: Database, bank: Bank, *, clock: Clock = utc_now, timezone: str = "Asia/Bangkok",
                 bot_addresses: BotAddresses | None = None) -> None:
        self.db = db
        self.bank = bank
        self.clock = clock
        self.tz = ZoneInfo(timezone)
        self.locks = KeyedLocks()
        self.coordination = Coordination(bank, timezone, bot_addresses or BotAddresses())
        self.on_reminder_due: Callable[[], None] | None = None  # set by the server: wakes the reminder loop

    async def handle(self, inbound: Inbound) -> Outcome:
        async with self.locks.hold(f"{inbound.channel}:{inbound.user_id}"):
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    return await self._handle_once(inbound)
                except (IntegrityError, repo.StaleSession, OperationalError) as error:
                    # Another worker won a race (same event, a new user's first two events, a
                    # busy SQLite file).  The transaction rolled back whole; look again.
                    if inbound.event_id and await self._seen(inbound):
                        return Outcome((), duplicate=True)
                    if attempt == MAX_ATTEMPTS:
                        raise
                    log.warning("retrying event for %s after %s", inbound.channel, type(error).__name__)
        raise AssertionError("unreachable")

    async def deactivate(self, channel: str, user_id: str, event_id: str | None = None) -> bool:
        """The person blocked or unfollowed the bot: stop messaging them, keep their answers."""
        async with self.locks.hold(f"{channel}:{user_id}"), self.db.transaction() as conn:
            now = self.clock()
            if event_id and not await repo.claim_event(conn, channel, event_id, now):
                return False
            user = await repo.lock_user(conn, channel, user_id, for_update=not self.db.is_sqlite)
            if user is None:
                return False
            await repo.update_user(conn, user.id, active=False)
            await repo.audit(conn, now, user.id, "user.inactive", channel, {})
        return True

    async def record_spend(self, channel: str, kind: str, purpose: str, recipients: int, messages: int) -> None:
        async with self.db.transaction() as conn:
            await repo.record_spend(conn, self.clock(), channel, kind, purpose, recipients, messages)

    async def _seen(self, inbound: Inbound) -> bool:
        assert inbound.event_id is not None
        async with self.db.engine.connect() as conn:
            return await repo.event_seen(conn, inbound.channel, inbound.event_id)

    async def _handle_once(self, inbound: Inbound) -> Outcome:
        now = self.clock()
        async with self.db.transaction() as conn:
            if inbound.event_id and not await repo.claim_event(conn, inbound.channel, inbound.event_id, now):
                return Outcome((), duplicate=True)
            user = await self._user(conn, inbound, now)
            loaded = await self._load(conn, user, now)
            replies: list[Reply] = []
            facts: list[Fact] = []
            event: Event | None = inbound.event
            while event is not None:
                before = loaded.session
                step = handle(before, event, loaded.ctx)
                if any(reply.summary for reply in step.replies) and (
                        previous := await self._previous(conn, user, loaded)) is not None:
                    # The same step again (handle is pure), drawn with the person's previous round for ▲/▼.
                    step = handle(before, event, replace(loaded.ctx, previous=previous))
                replies += step.replies
                facts += step.facts
                loaded.session = step.session
                event, user = await self._apply(conn, user, loaded, step, now)
                replies += loaded.answered
                loaded.answered.clear()
                if user is None:  # forgotten: nothing of this person is kept
                    return Outcome(tuple(replies), facts=tuple(facts))
            loaded.session = remember_shown(loaded.session, replies)  # the shell's answers are on screen too
            await self._save(conn, user, loaded, now)
            if any(reply.summary for reply in replies):
                replies = await self._compare_with_agency(conn, user, loaded, replies, now)
            news = await submission_news(conn, user, now)  # coordinators only: who submitted since last time
        if loaded.reads:
            read = await self._answer_reads(user, loaded.reads, now)
            replies += read
            if any(reply.choices for reply in read):
                await self._remember_after_reads(user, loaded, read, now)
        if news is not None:
            replies.insert(0, Reply(news))  # on top of a reply already being sent: no push, no quota
        if loaded.wake_reminders and self.on_reminder_due is not None:
            self.on_reminder_due()
        return Outcome(tuple(replies), facts=tuple(facts), exports=tuple(loaded.exports))

    async def _answer_reads(self, user: repo.UserRow, requests: list[CoordinatorRequest],
                            now: datetime) -> list[Reply]:
        """Coordinators' status and summaries, from a read snapshot after the event committed."""
        replies: list[Reply] = []
        audits = []
        try:
            async with self.db.read() as conn:
                for request in requests:
                    answered = await self.coordination.answer(conn, user, request, now)
                    replies += answered.replies
                    audits.append(answered.audit)
            async with self.db.transaction() as conn:
                for entry in audits:
                    await repo.audit(conn, now, user.id, *entry)
        except (OperationalError, OSError):  # the event is recorded; say so rather than go quiet
            log.exception("a coordinator's read failed")
            replies.append(Reply(READ_FAILED))
        return replies

    async def _remember_after_reads(self, user: repo.UserRow, loaded: _Loaded, read: list[Reply],
                                    now: datetime) -> None:
        """A status answered after the commit shows buttons too: remember them, unless the session moved on."""
        loaded.session = remember_shown(loaded.session, read)
        try:
            async with self.db.transaction() as conn:
                await repo.save_session_state(conn, user.id, _state_of(loaded.session),
                                              version=loaded.session.version, now=now)
        except (OperationalError, OSError):
            log.exception("could not remember the buttons of a coordinator's read")

    async def _previous(self, conn: AsyncConnection, user: repo.UserRow, loaded: _Loaded) -> PreviousRound | None:
        if loaded.assessment_id is None:
            return None
        found = await repo.previous_answers(conn, user.id, loaded.assessment_id)
        return None if found is None else PreviousRound(*found)

    async def _compare_with_agency(self, conn: AsyncConnection, user: repo.UserRow, loaded: _Loaded,
                                   replies: list[Reply], now: datetime) -> list[Reply]:
        """The officer's summary radar shows their agency's aggregate beside their own answers."""
        if user.agency_id is None or loaded.round_id is None or not loaded.session.answers:
            return replies
        chart = await officer_comparison(conn, self.bank, user.agency_id, loaded.round_id, loaded.session.answers,
                                         user.categories, now=now)
        if chart is None:
            return replies
        return [replace(reply, chart=chart) if reply.summary else reply for reply in replies]

    async def _user(self, conn: AsyncConnection, inbound: Inbound, now: datetime) -> repo.UserRow:
        user = await repo.lock_user(conn, inbound.channel, inbound.user_id, for_update=not self.db.is_sqlite)
        if user is None:
            return await repo.create_user(conn, inbound.channel, inbound.user_id, inbound.display_name, now)
        changes: dict[str, object] = {}
        if inbound.display_name and inbound.display_name != user.display_name:
            changes["display_name"] = inbound.display_name
        if not user.active:
            changes["active"] = True  # they came back (LINE re-follow)
        if changes:
            await repo.update_user(conn, user.id, **changes)
            user = replace(user, **changes)  # type: ignore[arg-type]
        return user

    async def _load(self, conn: AsyncConnection, user: repo.UserRow, now: datetime) -> _Loaded:
        stored = await repo.load_session(conn, user.id)
        ctx, assessment_id, round_id = await self._context(conn, user, now)
        session = Session() if stored is None else _session_from_row(stored)
        if stored is not None and assessment_id is not None and stored.assessment_id not in (None, assessment_id):
            # A new round has opened since this person last answered: start its assessment afresh.
            # The last round's submission stays where it is, with that round's assessment.
            session = replace(session, phase=Phase.ANSWERING, position=None, skipped=frozenset(), set_aside={},
                              edit_category=None, resume_phase=None, pending_answer=None)
        elif stored is not None and stored.assessment_id is not None and assessment_id is None:
            closed = await self._closed_round(conn, user, stored.assessment_id)
            if closed is not None:  # read-only: the summary still shows what was answered
                ctx, round_id = replace(ctx, round=RoundInfo(closed.name, closed.closes_on, accepting=False)), closed.id
                assessment_id = stored.assessment_id
        answers: dict[str, str] = {}
        submission = Submission.NONE
        if assessment_id is not None:
            answers = await repo.current_answers(conn, assessment_id, user.id)
            submission = _submission_state(await repo.submission_of(conn, assessment_id, user.id))
        session = replace(session, answers=answers, submission=submission)
        return _Loaded(session, ctx, assessment_id, round_id, None if stored is None else stored.version)

    async def _closed_round(self, conn: AsyncConnection, user: repo.UserRow, assessment_id: int) -> Any:
        """The closed round of the person's last assessment, if it was their own agency's."""
        if user.role == COORDINATOR:
            return None
        found = await repo.round_of_assessment(conn, assessment_id)
        if found is None or found.closed_at is None or found.assessed_agency_id != user.agency_id:
            return None
        return found

    async def _context(self, conn: AsyncConnection, user: repo.UserRow,
                       now: datetime) -> tuple[Context, int | None, int | None]:
        """(context, the person's assessment if they answer in a round now, that round's id)."""
        local_now = now.astimezone(self.tz)
        agency_name = round_info = assessment_id = round_id = None
        if user.agency_id is not None:
            agency = await repo.agency_by_id(conn, user.agency_id)
            agency_name = agency.name if agency else None
            current = await repo.current_round(conn, user.agency_id, local_now.date())
            if current is not None:
                round_info = RoundInfo(current.name, current.closes_on)
            if current is not None and user.role != COORDINATOR:  # coordinators do not answer
                round_id = current.id
                assessment_id = await repo.assessment_for(
                    conn, user.agency_id, current.id, self.bank.id, self.bank.version, now)
        ctx = Context(bank=self.bank, now=local_now, agency_name=agency_name, round=round_info,
                      categories=user.categories, display_name=user.display_name, role=user.role)
        return ctx, assessment_id, round_id

    async def _apply(self, conn: AsyncConnection, user: repo.UserRow, loaded: _Loaded, step: Step,
                     now: datetime) -> tuple[Event | None, repo.UserRow | None]:
        """Make the step's facts durable; returns a follow-up event for the core, if any."""
        follow_up: Event | None = None
        for fact in step.facts:
            match fact:
                case RecordAnswer(question_id, code):
                    assert loaded.assessment_id is not None, "the core records answers only inside a round"
                    await repo.record_answer(conn, loaded.assessment_id, user.id, question_id, code, now)
                case SetAside(question_id):
                    assert loaded.assessment_id is not None
                    await repo.set_aside(conn, loaded.assessment_id, user.id, question_id, now)
                case GiveConsent():
                    await repo.update_user(conn, user.id, consent_at=now)
                    user = replace(user, consent_at=now)
                case Submit():
                    assert loaded.assessment_id is not None
                    await repo.submit(conn, loaded.assessment_id, user.id, now)
                case Reopen():
                    assert loaded.assessment_id is not None
                    await repo.reopen(conn, loaded.assessment_id, user.id, now)
                case RedeemInvite(code):
                    follow_up, user = await self._redeem(conn, user, loaded, code, now)
                case Forget():
                    await repo.forget_user(conn, user.id, now)
                    return None, None
                case Denied(command, reason):
                    await repo.audit(conn, now, user.id, f"coord.{command}.refused", None,
                                     {"request": {"type": command}, "role": user.role, "reason": reason[:120]})
                case Ask(request) if reads_only(request):
                    loaded.reads.append(request)
                case Ask(request):
                    answered = await self.coordination.answer(conn, user, request, now)
                    await repo.audit(conn, now, user.id, *answered.audit)
                    loaded.answered += answered.replies
                    loaded.wake_reminders |= answered.wake_reminders
                    if answered.export is not None:
                        loaded.exports.append(answered.export)
        return follow_up, user

    async def _redeem(self, conn: AsyncConnection, user: repo.UserRow, loaded: _Loaded, code: str,
                      now: datetime) -> tuple[Event, repo.UserRow]:
        granted = await invite_codes.redeem_invite(conn, code, now)
        if isinstance(granted, str):
            await repo.audit(conn, now, user.id, "invite.refused", None, {"reason": granted})
            return JoinRefused(granted), user
        changes = {"agency_id": granted.agency_id, "role": granted.role,
                   "categories": repo.categories_text(granted.categories)}
        await repo.update_user(conn, user.id, **changes)
        user = replace(user, agency_id=granted.agency_id, role=granted.role, categories=granted.categories)
        await repo.audit(conn, now, user.id, "invite.redeemed", str(granted.agency_id), {"role": granted.role})
        loaded.ctx, loaded.assessment_id, loaded.round_id = await self._context(conn, user, now)
        answers: dict[str, str] = {}
        submission = Submission.NONE
        if loaded.assessment_id is not None:
            answers = await repo.current_answers(conn, loaded.assessment_id, user.id)
            submission = _submission_state(await repo.submission_of(conn, loaded.assessment_id, user.id))
        loaded.session = replace(loaded.session, answers=answers, submission=submission)
        return Joined(granted.agency_name, granted.role), user

    async def _save(self, conn: AsyncConnection, user: repo.UserRow, loaded: _Loaded, now: datetime) -> None:
        session = loaded.session
        state = _state_of(session)
        row = repo.SessionRow(loaded.assessment_id, session.phase.value, session.position, state, session.version)
        await repo.save_session(conn, user.id, row, expected_version=loaded.stored_version, now=now)


def _state_of(session: Session) -> dict[str, object]:
    state: dict[str, object] = {"skipped": sorted(session.skipped), "set_aside": dict(session.set_aside)}
    if session.edit_category is not None:
        state["edit_category"] = session.edit_category
    if session.resume_phase is not None:
        state["resume_phase"] = session.resume_phase.value
    if session.shown is not None:  # what a typed number or label means next time, across restarts
        state["shown"] = [[c.number, c.label, c.data] for c in session.shown]
    if session.pending_answer is not None:
        state["pending_answer"] = list(session.pending_answer)
    return state


def _submission_state(row: repo.SubmissionRow | None) -> Submission:
    if row is None:
        return Submission.NONE
    return Submission.SUBMITTED if row.reopened_at is None else Submission.REOPENED


def _pending_of(stored: object) -> tuple[str, str] | None:
    if isinstance(stored, list) and len(stored) == 2 and all(isinstance(part, str) for part in stored):
        return stored[0], stored[1]
    return None


def _shown_of(stored: object) -> tuple[Choice, ...] | None:
    if not isinstance(stored, list):
        return None
    try:
        return tuple(Choice(str(label), str(data), None if number is None else int(number))
                     for number, label, data in stored)
    except (TypeError, ValueError):  # not what we wrote: forget it rather than guess
        return None


def _session_from_row(row: repo.SessionRow) -> Session:
    state = row.state
    resume = state.get("resume_phase")
    return Session(
        phase=Phase(row.phase),
        position=row.position,
        set_aside=dict(state.get("set_aside", {})),
        skipped=frozenset(state.get("skipped", ())),
        version=row.version,
        edit_category=state.get("edit_category"),
        resume_phase=Phase(resume) if resume else None,
        shown=_shown_of(state.get("shown")),
        pending_answer=_pending_of(state.get("pending_answer")),
    )
