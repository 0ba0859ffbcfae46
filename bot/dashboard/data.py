"""What the dashboard's pages show, read with the same functions as the chat (reports, scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from conversations import texts as t
from conversations.reporting import (
    AgencyRow,
    agency_aggregate,
    agency_result,
    agency_row,
    previous_result,
    province_rows,
)
from criteria import shown
from criteria.model import Bank
from criteria.scoring import ranked_actions
from storage import invite_codes
from storage import repository as repo
from storage.reporting import load_round_report
from storage.schema import conversation_sessions
from storage.scope import Person, load_scope

ACTIONS_SHOWN = 10
SPLITS_SHOWN = 10
FILTERS = ("all", "not_started", "in_progress", "done")


@dataclass(frozen=True, slots=True)
class Deadline:
    round_name: str
    closes: str  # พ.ศ.
    days: int  # days left; 0 = today, negative = past

    @property
    def text(self) -> str:
        if self.days > 0:
            return f"เหลืออีก {self.days} วัน"
        return "วันนี้วันสุดท้าย" if self.days == 0 else f"เลยกำหนดมา {-self.days} วัน"


@dataclass(frozen=True, slots=True)
class Line:
    """One agency on the overview."""

    row: AgencyRow
    change: float | None  # points since the previous round

    @property
    def percent(self) -> int:
        return shown.percent(self.row.completion)

    @property
    def state(self) -> str:
        if self.row.invited and self.row.submitted >= self.row.invited:
            return "done"
        return "in_progress" if self.row.respondents else "not_started"


@dataclass(frozen=True, slots=True)
class Overview:
    agency: Any
    deadline: Deadline | None
    lines: tuple[Line, ...]  # least complete first
    total: int  # before the search and filter
    chart: bool = False  # the province's bar chart: two agencies or more, one of them with a score


def deadline_of(round_name: str, closes_on: date, today: date) -> Deadline:
    return Deadline(round_name, t.thai_date(closes_on), (closes_on - today).days)


async def overview(conn: AsyncConnection, bank: Bank, agency_id: int, now: datetime, tz: ZoneInfo, *,
                   query: str = "", state: str = "all") -> Overview:
    agency = await repo.agency_by_id(conn, agency_id)
    report = await load_round_report(conn, bank, agency_id, None, now, tz=tz)
    if report is None:
        return Overview(agency, None, (), 0)
    lines = []
    for row in province_rows(bank, report):
        before = previous_result(bank, report, row.agency_id)
        change = None if before is None or row.overall is None else row.overall - before.overall
        lines.append(Line(row, change))
    total = len(lines)
    chart = total > 1 and any(line.row.overall is not None for line in lines)
    needle = query.strip().casefold()
    if needle:
        lines = [line for line in lines if needle in line.row.name.casefold() or needle in line.row.code.casefold()]
    if state in FILTERS[1:]:
        lines = [line for line in lines if line.state == state]
    today = now.astimezone(tz).date()
    return Overview(agency, deadline_of(report.round_name, report.closes_on, today), tuple(lines), total, chart)


@dataclass(frozen=True, slots=True)
class Officer:
    person: Person
    agency_name: str
    last_seen: str | None  # local date and time of the person's last step

    @property
    def percent(self) -> int:
        if self.person.finished:
            return 100
        return shown.percent(self.person.answered / self.person.expected) if self.person.expected else 0


@dataclass(frozen=True, slots=True)
class AgencyPage:
    agency: Any
    deadline: Deadline | None
    row: AgencyRow | None
    categories: tuple[tuple[str, float], ...]  # (category title, score) of the agency's aggregate
    officers: tuple[Officer, ...]
    actions: tuple[tuple[int, str, str], ...]  # (priority, item, what to do)
    splits: tuple[tuple[str, str], ...]  # (question, the answers given)
    invites: tuple[Any, ...]  # usable invites of this agency


async def officers_of(conn: AsyncConnection, bank: Bank, agency_id: int, today: date, tz: ZoneInfo,
                      names: dict[int, str]) -> tuple[Officer, ...]:
    scope = await load_scope(conn, bank, agency_id, today)
    ids = [p.user_id for p in scope.people]
    seen: dict[int, datetime] = {}
    if ids:
        rows = await conn.execute(select(conversation_sessions.c.user_id, conversation_sessions.c.updated_at)
                                  .where(conversation_sessions.c.user_id.in_(ids[:900])))
        seen = {row.user_id: row.updated_at for row in rows}
    agency_names = {a.id: a.name for a in scope.agencies} | names
    officers = [Officer(p, agency_names.get(p.agency_id, ""),
                        None if p.user_id not in seen else _local(seen[p.user_id], tz))
                for p in scope.people]
    officers.sort(key=lambda o: (o.person.finished, o.percent, o.person.name))
    return tuple(officers)


def _local(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{t.thai_date(local.date())} {local:%H:%M} น."


async def agency_page(conn: AsyncConnection, bank: Bank, agency_id: int, now: datetime, tz: ZoneInfo) -> AgencyPage:
    agency = await repo.agency_by_id(conn, agency_id)
    today = now.astimezone(tz).date()
    report = await load_round_report(conn, bank, agency_id, None, now, tz=tz)
    officers = await officers_of(conn, bank, agency_id, today, tz, {})
    invites = tuple(row for row in await invite_codes.invites_of(conn, [agency_id])
                    if invite_codes.invite_state(row, now) == "usable")
    if report is None:
        return AgencyPage(agency, None, None, (), officers, (), (), invites)
    own = report.agencies[0]
    result = agency_result(bank, own)
    row = agency_row(bank, own, result)
    categories: tuple[tuple[str, float], ...] = ()
    actions: tuple[tuple[int, str, str], ...] = ()
    if result is not None:
        categories = tuple((f"หมวด {c.category.number} {c.category.short_name}", c.score) for c in result.categories)
        actions = tuple((a.priority, f"{a.item.id} {a.item.title}", a.text)
                        for a in ranked_actions(bank, result)[:ACTIONS_SHOWN])
    splits = tuple((f"{d.question.id} {d.question.text}", " · ".join(d.codes))
                   for d in agency_aggregate(bank, own).disagreements[:SPLITS_SHOWN])
    return AgencyPage(agency, deadline_of(report.round_name, report.closes_on, today), row, categories, officers,
                      actions, splits, invites)


@dataclass(frozen=True, slots=True)
class LiveGroup:
    name: str
    code: str
    officers: tuple[Officer, ...]

    @property
    def finished(self) -> int:
        return sum(o.person.finished for o in self.officers)


async def live(conn: AsyncConnection, bank: Bank, agency_id: int, now: datetime, tz: ZoneInfo) -> tuple[LiveGroup, ...]:
    """The room: each agency with officers, and every officer's progress."""
    today = now.astimezone(tz).date()
    scope = await load_scope(conn, bank, agency_id, today)
    officers = await officers_of(conn, bank, agency_id, today, tz, {})
    groups = []
    for agency in scope.agencies:
        mine = tuple(o for o in officers if o.person.agency_id == agency.id)
        if mine:
            groups.append(LiveGroup(agency.name, agency.code, mine))
    return tuple(groups)
