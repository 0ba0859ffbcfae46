"""Answers coordinators' requests (conversations.coordinating) inside the event's transaction.

Every request is checked against the coordinator's scope — their own agency and everything
beneath it — and written to the audit log (who, what, when, which agency), refusals included.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.invites import INVITE_TERMS, BotAddresses, forwardable
from bot.reminders import DRAFT_KEPT, audience_of, in_daytime, next_morning, reminder_text
from bot.reports import summary_for
from conversations import COORDINATOR, Choice, Reply
from conversations import coordinator_texts as ct
from conversations import texts as t
from conversations.coordinating import (
    CoordinatorRequest,
    DashboardRequest,
    ExportRequest,
    InviteList,
    InviteRequest,
    InviteRevoke,
    RemindConfirm,
    RemindPreview,
    RoundClose,
    RoundExtend,
    RoundList,
    RoundOpen,
    StatusRequest,
    SummaryRequest,
)
from conversations.model import numbered
from conversations.parsing import command_data, remind_data
from criteria import shown
from criteria.model import Bank
from storage import invite_codes
from storage import reminders as reminder_store
from storage import repository as repo
from storage.repository import UserRow
from storage.scope import Person, Scope, load_scope, within

STATUS_AGENCIES_SHOWN = 15
STATUS_NAMES_SHOWN = 20
ROUNDS_SHOWN = 10
INVITES_SHOWN = 10


@dataclass(frozen=True, slots=True)
class ExportJob:
    """A workbook to build off the event loop and send when ready."""

    agency_id: int
    agency_code: str
    round_id: int | None


@dataclass(frozen=True, slots=True)
class Answered:
    replies: tuple[Reply, ...]
    wake_reminders: bool = False
    export: ExportJob | None = None
    audit: tuple[str, str | None, dict[str, Any]] = ("coord", None, {})  # action, scope, details: the caller writes it


READS = (StatusRequest, SummaryRequest, RoundList, InviteList)


def reads_only(request: CoordinatorRequest) -> bool:
    """Requests that change nothing: answered after the event's commit, from a read snapshot, so a
    province's status or summary never holds the database's write lock."""
    return isinstance(request, READS)


class Refused(Exception):
    """A request outside the coordinator's scope or rights; the message is the polite Thai answer."""


class Coordination:
    def __init__(self, bank: Bank, timezone: str, addresses: BotAddresses | None = None) -> None:
        self.bank = bank
        self.tz = ZoneInfo(timezone)
        self.addresses = addresses or BotAddresses()

    async def answer(self, conn: AsyncConnection, user: UserRow, request: CoordinatorRequest,
                     now: datetime) -> Answered:
        """The reply, with the audit entry for the caller to write (in the event's transaction, or after a read)."""
        action = "coord." + type(request).__name__
        try:
            if user.role != COORDINATOR:
                raise Refused(ct.COORDINATOR_ONLY)
            if user.agency_id is None:
                raise Refused(ct.NO_SCOPE)
            answered, scope = await self._answer(conn, user, request, now)
        except Refused as refusal:
            details = {"request": _describe(request), "reason": str(refusal)[:120]}
            return Answered((Reply(str(refusal)),), audit=(action + ".refused", None, details))
        return replace(answered, audit=(action, scope, {"request": _describe(request)}))

    async def _answer(self, conn: AsyncConnection, user: UserRow, request: CoordinatorRequest,
                      now: datetime) -> tuple[Answered, str]:
        local = now.astimezone(self.tz)
        match request:
            case InviteRequest():
                return await self._invite(conn, user, request, now)
            case InviteList():
                return await self._invites(conn, user, now)
            case InviteRevoke(code):
                return await self._revoke(conn, user, code, now)
            case RoundList():
                return await self._rounds(conn, user, local.date())
            case RoundOpen():
                return await self._open_round(conn, user, request, now)
            case RoundClose():
                return await self._close_round(conn, user, request, now)
            case RoundExtend():
                return await self._extend_round(conn, user, request, local.date())
            case StatusRequest(code):
                agency = await self._target(conn, user, code)
                scope = await load_scope(conn, self.bank, agency.id, local.date())
                return Answered((Reply(self._status_text(scope, local.date()), _menu_choices()),)), agency.code
            case RemindPreview(message):
                return await self._remind_preview(conn, user, message, now)
            case RemindConfirm(reminder_id):
                return await self._remind_confirm(conn, user, reminder_id, now)
            case SummaryRequest(code):
                agency = await self._target(conn, user, code)
                return Answered(await summary_for(conn, self.bank, agency.id, now, tz=self.tz)), agency.code
            case ExportRequest(code):
                agency = await self._target(conn, user, code)
                reply = Reply(ct.EXPORT_STARTED.format(agency=agency.name))
                return Answered((reply,), export=ExportJob(agency.id, agency.code, None)), agency.code
            case DashboardRequest():
                from bot.dashboard.signin import LOCAL_SERVER, link_reply

                own = await repo.agency_by_id(conn, user.agency_id)
                text = await link_reply(conn, user.id, now, self.addresses.dashboard or LOCAL_SERVER)
                return Answered((Reply(text),)), own.code
        raise AssertionError(f"unhandled request {request!r}")

    # Scope -------------------------------------------------------------------------------------

    async def _target(self, conn: AsyncConnection, user: UserRow, code: str | None) -> Any:
        assert user.agency_id is not None
        if code is None:
            return await repo.agency_by_id(conn, user.agency_id)
        agency = await repo.agency_by_code(conn, code)
        if agency is None:
            raise Refused(ct.NO_AGENCY.format(code=code))
        if not await within(conn, user.agency_id, agency.id):
            raise Refused(ct.OUT_OF_SCOPE.format(code=code))
        return agency

    async def _round_in_scope(self, conn: AsyncConnection, user: UserRow, round_id: int | None,
                              today: date) -> Any:
        assert user.agency_id is not None
        if round_id is None:
            current = await repo.current_round(conn, user.agency_id, today)
            if current is None:
                raise Refused(ct.NO_OPEN_ROUND)
            round_id = current.id
        row = await repo.round_by_id(conn, round_id)
        # A round of an agency above the coordinator (the province's, seen by an agency lead) is not theirs to change.
        if row is None or not await within(conn, user.agency_id, row.agency_id):
            raise Refused(ct.ROUND_NOT_FOUND.format(id=round_id))
        return row

    # Invites and rounds ---------------------------------------------------------------------------

    async def _invite(self, conn: AsyncConnection, user: UserRow, request: InviteRequest,
                      now: datetime) -> tuple[Answered, str]:
        agency = await self._target(conn, user, request.agency_code)
        uses, days = INVITE_TERMS[request.role]
        code = await invite_codes.create_invite(conn, agency.id, request.role, now, uses=uses, days=days,
                                        categories=request.categories, created_by=user.id)
        expires = (now + timedelta(days=days)).astimezone(self.tz).date()
        categories = (ct.INVITE_CATEGORIES.format(numbers=", ".join(map(str, request.categories)))
                      if request.categories else "")
        shown = invite_codes.format_invite_code(code)
        text = ct.INVITE_CREATED.format(role=ct.ROLE_NAME[request.role], agency=agency.name, categories=categories,
                                        code=shown, uses=uses, expires=t.thai_date(expires))
        forward = forwardable(role=request.role, agency=agency.name, code=shown, expires=expires,
                              categories=request.categories, addresses=self.addresses)
        return Answered((Reply(text), Reply(forward, standalone=True))), agency.code

    async def _invites(self, conn: AsyncConnection, user: UserRow, now: datetime) -> tuple[Answered, str]:
        assert user.agency_id is not None
        own = await repo.agency_by_id(conn, user.agency_id)
        scope = [a.id for a in await repo.subtree(conn, user.agency_id)]
        usable = await invite_codes.usable_invites(conn, scope, now)
        if not usable:
            return Answered((Reply(ct.INVITES_NONE),)), own.code
        lines = [ct.INVITES_HEADER]
        for row in usable[:INVITES_SHOWN]:
            categories = (ct.INVITE_CATEGORIES.format(numbers=", ".join(map(str, repo.categories_of(row.categories))))
                          if row.categories else "")
            lines.append(ct.INVITE_LINE.format(
                code=invite_codes.format_invite_code(row.code), role=ct.ROLE_NAME.get(row.role, row.role),
                agency=row.agency_name, categories=categories, uses=row.uses, max_uses=row.max_uses,
                expires=t.thai_date(row.expires_at.astimezone(self.tz).date())))
        if len(usable) > INVITES_SHOWN:
            lines.append(ct.INVITES_MORE.format(count=len(usable) - INVITES_SHOWN))
        return Answered((Reply("\n".join(lines)),)), own.code

    async def _revoke(self, conn: AsyncConnection, user: UserRow, code: str, now: datetime) -> tuple[Answered, str]:
        assert user.agency_id is not None
        row = await invite_codes.invite_by_code(conn, code)
        shown = invite_codes.format_invite_code(code.replace("-", "").upper())
        # Someone else's code is "not found": a coordinator learns nothing about invites outside their scope.
        if row is None or not await within(conn, user.agency_id, row.agency_id):
            raise Refused(ct.INVITE_NOT_FOUND.format(code=shown))
        agency = await repo.agency_by_id(conn, row.agency_id)
        if not await invite_codes.revoke_invite(conn, row.id, now):
            return Answered((Reply(ct.INVITE_ALREADY_REVOKED.format(code=shown)),)), agency.code
        return Answered((Reply(ct.INVITE_REVOKED.format(code=shown, uses=row.uses)),)), agency.code

    async def _rounds(self, conn: AsyncConnection, user: UserRow, today: date) -> tuple[Answered, str]:
        assert user.agency_id is not None
        own = await repo.agency_by_id(conn, user.agency_id)
        related = {a.id: a for a in await repo.subtree(conn, user.agency_id)}
        for agency_id in await repo.ancestors(conn, user.agency_id):
            if agency_id not in related:
                related[agency_id] = await repo.agency_by_id(conn, agency_id)
        rows = await repo.rounds_of(conn, list(related), ROUNDS_SHOWN)
        if not rows:
            return Answered((Reply(ct.NO_ROUNDS),)), own.code
        lines = [ct.ROUNDS_HEADER]
        for row in rows:
            state = (ct.ROUND_STATE_CLOSED if row.closed_at is not None
                     else ct.ROUND_STATE_WAITING if row.opens_on > today else ct.ROUND_STATE_OPEN)
            lines.append(ct.ROUND_LINE.format(id=row.id, name=row.name, agency=related[row.agency_id].name,
                                              opens=t.thai_date(row.opens_on), closes=t.thai_date(row.closes_on),
                                              state=state))
        return Answered((Reply("\n".join(lines)),)), own.code

    async def _open_round(self, conn: AsyncConnection, user: UserRow, request: RoundOpen,
                          now: datetime) -> tuple[Answered, str]:
        today = now.astimezone(self.tz).date()
        agency = await self._target(conn, user, request.agency_code)
        if request.closes_on < today:
            raise Refused(ct.ROUND_DATE_PAST)
        held = await repo.round_overlapping(conn, agency.id, today)
        if held is not None and held.agency_id == agency.id:
            raise Refused(ct.ROUND_ALREADY_OPEN.format(agency=agency.name, id=held.id,
                                                       closes=t.thai_date(held.closes_on)))
        if held is not None:
            holder = await repo.agency_by_id(conn, held.agency_id)
            raise Refused(ct.ROUND_OVERLAPS.format(agency=agency.name, id=held.id, name=held.name,
                                                   holder=holder.name, closes=t.thai_date(held.closes_on)))
        name = request.name or ct.ROUND_NAME.format(closes=t.thai_date(request.closes_on))
        round_id = await repo.open_round(conn, name, agency.id, today, request.closes_on, now)
        text = ct.ROUND_OPENED.format(name=name, agency=agency.name, id=round_id,
                                      closes=t.thai_date(request.closes_on))
        return Answered((Reply(text),)), agency.code

    async def _close_round(self, conn: AsyncConnection, user: UserRow, request: RoundClose,
                           now: datetime) -> tuple[Answered, str]:
        row = await self._round_in_scope(conn, user, request.round_id, now.astimezone(self.tz).date())
        await repo.update_round(conn, row.id, closed_at=now)
        agency = await repo.agency_by_id(conn, row.agency_id)
        return Answered((Reply(ct.ROUND_CLOSED.format(id=row.id, name=row.name)),)), agency.code

    async def _extend_round(self, conn: AsyncConnection, user: UserRow, request: RoundExtend,
                            today: date) -> tuple[Answered, str]:
        row = await self._round_in_scope(conn, user, request.round_id, today)
        if request.closes_on < today:
            raise Refused(ct.ROUND_DATE_PAST)
        await repo.update_round(conn, row.id, closes_on=request.closes_on)
        agency = await repo.agency_by_id(conn, row.agency_id)
        return Answered((Reply(ct.ROUND_EXTENDED.format(id=row.id, closes=t.thai_date(request.closes_on))),)), \
            agency.code

    # Status -------------------------------------------------------------------------------------------

    def _status_text(self, scope: Scope, today: date) -> str:
        root = scope.root
        current = scope.rounds.get(root.id)
        if current is None:
            return ct.STATUS_HEADER.format(agency=root.name, round=ct.NO_OPEN_ROUND)
        days = (current.closes_on - today).days
        template = ct.STATUS_ROUND if days > 0 else ct.STATUS_ROUND_TODAY if days == 0 else ct.STATUS_ROUND_PAST
        lines = [ct.STATUS_HEADER.format(agency=root.name, round=template.format(
            name=current.name, closes=t.thai_date(current.closes_on), days=days))]
        people = scope.people
        if not people:
            lines.append(ct.STATUS_NOBODY)
            return "\n".join(lines)
        lines.append(_counts_line(people))
        if len(scope.agencies) > 1:
            lines += self._agency_lines(scope)
        else:
            reopened = [p for p in people if p.reopened]
            waiting = [p for p in people if not p.finished and not p.reopened]
            if reopened:  # sent, now being changed: their sent answers still count, they must send again
                lines.append(ct.STATUS_REOPENED.format(count=len(reopened), names=_names(reopened)))
            if waiting:
                lines.append(ct.STATUS_NOT_FINISHED.format(count=len(waiting), names=_names(waiting)))
            elif not reopened:
                lines.append(ct.STATUS_ALL_FINISHED)
        return "\n".join(lines)

    def _agency_lines(self, scope: Scope) -> list[str]:
        by_agency: dict[int, list[Person]] = {}
        for person in scope.people:
            by_agency.setdefault(person.agency_id, []).append(person)
        rows = []
        for agency in scope.agencies[1:]:
            mine = [p for a in scope.beneath(agency.id) for p in by_agency.get(a, [])]
            rows.append((_percent(mine), agency, mine))
        rows.sort(key=lambda row: (row[0], row[1].code))
        lines = [ct.STATUS_AGENCIES_HEADER.format(count=len(rows))]
        for percent, agency, mine in rows[:STATUS_AGENCIES_SHOWN]:
            lines.append(ct.STATUS_AGENCY_LINE.format(percent=percent, name=agency.name, code=agency.code,
                                                      finished=sum(p.finished for p in mine), invited=len(mine)))
        if len(rows) > STATUS_AGENCIES_SHOWN:
            lines.append(ct.STATUS_MORE.format(count=len(rows) - STATUS_AGENCIES_SHOWN))
        return lines

    # Reminders ------------------------------------------------------------------------------------------

    async def _remind_preview(self, conn: AsyncConnection, user: UserRow, message: str | None,
                              now: datetime) -> tuple[Answered, str]:
        assert user.agency_id is not None
        local = now.astimezone(self.tz)
        agency = await repo.agency_by_id(conn, user.agency_id)
        audience = await audience_of(conn, self.bank, user.agency_id, None, local)
        if not audience.send:
            if audience.capped or audience.unreachable:
                reasons = [template.format(count=len(people)) for template, people in (
                    (ct.REMIND_REASON_CAPPED, audience.capped), (ct.REMIND_REASON_UNREACHABLE, audience.unreachable))
                    if people]
                text = ct.REMIND_NONE_REACHABLE.format(reasons=" และ ".join(reasons))
                return Answered((Reply(text),)), agency.code
            return Answered((Reply(ct.REMIND_NOBODY),)), agency.code
        current = await repo.current_round(conn, user.agency_id, local.date())
        round_id = None if current is None else current.id
        draft = await reminder_store.create_manual(conn, user.agency_id, round_id, message, user.id, now)
        sample_round = current or await repo.round_by_id(conn, audience.send[0].round_id)
        sample = reminder_text(sample_round.name, sample_round.closes_on, local.date(), message)
        channels = audience.by_channel()
        other = len(audience.unreachable)
        text = ct.REMIND_PREVIEW.format(
            count=len(audience.send), line=channels["line"], telegram=channels["telegram"],
            other=ct.REMIND_PREVIEW_OTHER.format(count=other) if other else "",
            pushes=channels["line"], when=ct.REMIND_NOW if in_daytime(local) else ct.REMIND_LATER, text=sample)
        if audience.capped:
            text += "\n" + ct.REMIND_CAPPED.format(count=len(audience.capped))
        choices = numbered(Choice(ct.BTN_SEND_REMINDER, remind_data(draft)),
                           Choice(t.BTN_CANCEL, command_data("cancel")))
        return Answered((Reply(text, choices),)), agency.code

    async def _remind_confirm(self, conn: AsyncConnection, user: UserRow, reminder_id: int | None,
                              now: datetime) -> tuple[Answered, str]:
        local = now.astimezone(self.tz)
        draft = (await reminder_store.latest_draft(conn, user.id, now - DRAFT_KEPT) if reminder_id is None
                 else await reminder_store.get(conn, reminder_id))
        if draft is None and reminder_id is None:
            raise Refused(ct.REMIND_NOTHING_PENDING)
        if draft is None or draft.created_by != user.id:
            raise Refused(ct.REMIND_ALREADY)  # someone else's id, or a forged one: say nothing more
        if draft.status != "draft" or draft.due_at < now - DRAFT_KEPT:
            raise Refused(ct.REMIND_ALREADY)
        daytime = in_daytime(local)
        due = now if daytime else next_morning(local)
        await reminder_store.confirm(conn, draft.id, due)
        count = len((await audience_of(conn, self.bank, draft.agency_id, None, local)).send)
        text = (ct.REMIND_QUEUED if daytime else ct.REMIND_QUEUED_LATER).format(count=count)
        agency = await repo.agency_by_id(conn, draft.agency_id)
        return Answered((Reply(text, _menu_choices()),), wake_reminders=daytime), agency.code


def _names(people: list[Person]) -> str:
    names = ", ".join(p.name or f"ผู้ตอบ {p.user_id}" for p in people[:STATUS_NAMES_SHOWN])
    if len(people) > STATUS_NAMES_SHOWN:
        names += ct.STATUS_MORE_NAMES.format(count=len(people) - STATUS_NAMES_SHOWN)
    return names


def _counts_line(people: list[Person] | tuple[Person, ...]) -> str:
    started = sum(1 for p in people if p.answered or p.finished or p.reopened)
    return ct.STATUS_COUNTS.format(invited=len(people), started=started,
                                   finished=sum(p.finished for p in people), percent=_percent(people))


def _percent(people: list[Person] | tuple[Person, ...]) -> int:
    expected = sum(p.expected for p in people)
    if not expected:
        return 100 if people and all(p.finished for p in people) else 0
    return shown.percent(sum(p.answered for p in people) / expected)


def _menu_choices() -> tuple[Choice, ...]:
    return numbered(Choice(ct.BTN_STATUS, command_data("status")), Choice(ct.BTN_REMIND, command_data("remind")),
                    Choice(ct.BTN_SUMMARY, command_data("summary")))


def _describe(request: CoordinatorRequest) -> dict[str, Any]:
    """The request for the audit log, in plain JSON."""
    fields = {name: value.isoformat() if isinstance(value, date) else value for name, value in asdict(request).items()}
    return {"type": type(request).__name__, **fields}
