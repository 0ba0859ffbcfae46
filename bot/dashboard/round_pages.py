"""Rounds from the dashboard: open one (its closing date picked in พ.ศ.), move its closing date, close it
after a confirmation step.  Each action is the chat's `รอบ` command (`bot.coordination`), so the refusals
(a round already open on the same line of agencies, a date in the past) and the audit are the chat's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response

from bot.dashboard.pages import (
    FORBIDDEN,
    SIGN_IN_AGAIN,
    Visitor,
    agency_in_scope,
    ask_as_in_chat,
    now_of,
    posted_form,
    refusal,
    render_page,
    services_of,
    tz_of,
    visitor_of,
)
from conversations import coordinator_texts as ct
from conversations import texts as t
from conversations.coordinating import RoundClose, RoundExtend, RoundOpen
from storage import repository as repo
from storage.scope import within

ROUNDS_SHOWN = 20
AGENCIES_LISTED = 300  # in the "for which agency" list; a larger scope opens rounds for its root or by chat
DEFAULT_DAYS = 14  # a new round's suggested closing date
BAD_DATE = "วันที่นี้ไม่มีในปฏิทินค่ะ กรุณาเลือกวันที่ใหม่"
MONTH_NAMES = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
               "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")


@dataclass(frozen=True, slots=True)
class RoundLine:
    id: int
    name: str
    agency: str
    opens: str  # พ.ศ.
    closes: str  # พ.ศ.
    closes_on: date
    state: str
    changeable: bool  # open, and held by the coordinator's agency or one beneath it


@dataclass(frozen=True, slots=True)
class DatePicker:
    """Day, month and year (พ.ศ.) lists with a date chosen: a browser's own date picker shows ค.ศ."""

    chosen: date
    years: tuple[int, ...]  # พ.ศ.
    months: tuple[str, ...] = MONTH_NAMES

    @property
    def year(self) -> int:
        return self.chosen.year + t.BUDDHIST_ERA_OFFSET


def picker(chosen: date, today: date) -> DatePicker:
    first = min(chosen.year, today.year)
    return DatePicker(chosen, tuple(y + t.BUDDHIST_ERA_OFFSET for y in range(first, max(chosen.year, today.year) + 2)))


def picked_date(form: dict[str, str]) -> date | None:
    """The date chosen in a `DatePicker` (year in พ.ศ.); None when it is not a day of the calendar."""
    try:
        return date(int(form.get("year", "")) - t.BUDDHIST_ERA_OFFSET, int(form.get("month", "")),
                    int(form.get("day", "")))
    except ValueError:
        return None


async def _panel(request: Request, conn: AsyncConnection, visitor: Visitor, *, notice: str | None = None,
                 refused: bool = False, confirm: RoundLine | None = None, template: str = "rounds_panel.html"
                 ) -> Response:
    today = now_of(request).astimezone(tz_of(request)).date()
    own = await repo.subtree(conn, visitor.agency.id)
    mine = {a.id: a for a in own}
    related = dict(mine)
    for agency_id in await repo.ancestors(conn, visitor.agency.id):
        if agency_id not in related:
            related[agency_id] = await repo.agency_by_id(conn, agency_id)
    lines = []
    for row in await repo.rounds_of(conn, list(related), ROUNDS_SHOWN):
        is_open = row.closed_at is None and row.closes_on >= today
        state = (ct.ROUND_STATE_CLOSED if row.closed_at is not None
                 else ct.ROUND_STATE_WAITING if row.opens_on > today else ct.ROUND_STATE_OPEN)
        lines.append(RoundLine(row.id, row.name, related[row.agency_id].name, t.thai_date(row.opens_on),
                               t.thai_date(row.closes_on), row.closes_on, state,
                               is_open and row.agency_id in mine))
    return render_page(template, visitor=visitor, rounds=lines, agencies=own[:AGENCIES_LISTED],
                       new_date=picker(today + timedelta(days=DEFAULT_DAYS), today),
                       pickers={line.id: picker(line.closes_on, today) for line in lines if line.changeable},
                       notice=notice, refused=refused, confirm=confirm)


async def rounds_page(request: Request) -> Response:
    async with services_of(request).db.transaction() as conn:
        visitor = await visitor_of(request, conn)
        if visitor is None:
            return refusal(SIGN_IN_AGAIN, 401)
        return await _panel(request, conn, visitor, template="rounds.html")


def _said(answered: Any) -> tuple[str, bool]:
    """The chat's reply and whether it was a refusal (its audit action ends in .refused)."""
    return answered.replies[0].text, answered.audit[0].endswith(".refused")


async def round_open(request: Request) -> Response:
    async with services_of(request).db.transaction() as conn:
        posted = await posted_form(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, form = posted
        agency = await agency_in_scope(request, conn, visitor, form.get("agency", ""))
        if isinstance(agency, Response):
            return agency
        closes = picked_date(form)
        if closes is None:
            return await _panel(request, conn, visitor, notice=BAD_DATE, refused=True)
        name = " ".join(form.get("name", "").split())[:200] or None
        answered = await ask_as_in_chat(request, conn, visitor, RoundOpen(closes, agency.code, name))
        text, refused = _said(answered)
        return await _panel(request, conn, visitor, notice=text, refused=refused)


async def _round_of(request: Request, conn: AsyncConnection, visitor: Visitor) -> Any | Response:
    """The round named in the URL when its agency is the visitor's or beneath it; else the refusal (audited)."""
    raw = request.path_params["id"]
    row = await repo.round_by_id(conn, int(raw)) if raw.isdigit() and len(raw) < 12 else None
    if row is None or not await within(conn, visitor.agency.id, row.agency_id):
        await repo.audit(conn, now_of(request), visitor.user.id, "dashboard.refused", None,
                         {"path": request.url.path[:200]})
        return refusal(FORBIDDEN, 403, visitor)
    return row


async def round_extend(request: Request) -> Response:
    async with services_of(request).db.transaction() as conn:
        posted = await posted_form(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, form = posted
        row = await _round_of(request, conn, visitor)
        if isinstance(row, Response):
            return row
        closes = picked_date(form)
        if closes is None:
            return await _panel(request, conn, visitor, notice=BAD_DATE, refused=True)
        answered = await ask_as_in_chat(request, conn, visitor, RoundExtend(closes, row.id))
        text, refused = _said(answered)
        return await _panel(request, conn, visitor, notice=text, refused=refused)


async def round_close(request: Request) -> Response:
    """First the question (nothing changes), then, with `confirm=yes`, the chat's close."""
    async with services_of(request).db.transaction() as conn:
        posted = await posted_form(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, form = posted
        row = await _round_of(request, conn, visitor)
        if isinstance(row, Response):
            return row
        if form.get("confirm") != "yes":
            today = now_of(request).astimezone(tz_of(request)).date()
            agency = await repo.agency_by_id(conn, row.agency_id)
            asked = RoundLine(row.id, row.name, agency.name, t.thai_date(row.opens_on), t.thai_date(row.closes_on),
                              row.closes_on, "", row.closed_at is None and row.closes_on >= today)
            return await _panel(request, conn, visitor, confirm=asked)
        answered = await ask_as_in_chat(request, conn, visitor, RoundClose(row.id))
        text, refused = _said(answered)
        return await _panel(request, conn, visitor, notice=text, refused=refused)
