"""What every dashboard page and action does first: who is visiting, within which scope, with which form.

A visitor is loaded again on every request (a role or agency changed in the meantime counts at once);
agencies and invites named in a URL are checked with `storage.scope.within`, as the chat does; actions
go through `bot.coordination.Coordination`, so they have the chat's refusals and audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.coordination import Answered
from bot.dashboard.security import SESSION_COOKIE, csrf_ok, form_of, secure
from conversations import COORDINATOR
from conversations.coordinating import CoordinatorRequest
from criteria import shown
from storage import dashboard as store
from storage import invite_codes
from storage import repository as repo
from storage.scope import within

_templates = Environment(loader=PackageLoader("bot.dashboard", "templates"), autoescape=select_autoescape(),
                         trim_blocks=True, lstrip_blocks=True)
_templates.filters["points"] = lambda value: "–" if value is None else shown.points(value)
_templates.filters["invite_code"] = invite_codes.format_invite_code


@dataclass(frozen=True, slots=True)
class Visitor:
    user: repo.UserRow
    session: store.DashboardSession
    agency: Any  # the coordinator's own agency: the root of their scope


def services_of(request: Request) -> Any:
    return request.app.state.services


def now_of(request: Request) -> datetime:
    now: datetime = services_of(request).clock()
    return now


def tz_of(request: Request) -> ZoneInfo:
    return ZoneInfo(services_of(request).settings.timezone)


def render_page(name: str, status: int = 200, **context: Any) -> Response:
    return secure(HTMLResponse(_templates.get_template(name).render(**context), status_code=status))


def refusal(message: str, status: int, visitor: Visitor | None = None) -> Response:
    return render_page("message.html", status, message=message, visitor=visitor)


async def visitor_of(request: Request, conn: AsyncConnection) -> Visitor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = await store.load_session(conn, token, now_of(request))
    if session is None:
        return None
    user = await repo.user_by_id(conn, session.user_id)
    if user is None or user.role != COORDINATOR or user.agency_id is None:
        return None
    return Visitor(user, session, await repo.agency_by_id(conn, user.agency_id))


SIGN_IN_AGAIN = "กรุณาเข้าสู่ระบบใหม่ค่ะ พิมพ์ แดชบอร์ด ในแชทกับบอท แล้วแตะลิงก์ที่ได้รับ"
FORBIDDEN = "หน่วยงานนี้ไม่อยู่ในความรับผิดชอบของท่านค่ะ"
BAD_FORM = "แบบฟอร์มนี้หมดอายุแล้วค่ะ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"


async def agency_in_scope(request: Request, conn: AsyncConnection, visitor: Visitor, code: str) -> Any | Response:
    """The agency named in the URL when it is within the visitor's scope; else the refusal (audited)."""
    agency = await repo.agency_by_code(conn, code)
    if agency is None or not await within(conn, visitor.agency.id, agency.id):
        await repo.audit(conn, now_of(request), visitor.user.id, "dashboard.refused", None,
                         {"path": request.url.path[:200]})
        return refusal(FORBIDDEN, 403, visitor)
    return agency


async def posted_form(request: Request, conn: AsyncConnection) -> tuple[Visitor, dict[str, str]] | Response:
    visitor = await visitor_of(request, conn)
    if visitor is None:
        return refusal(SIGN_IN_AGAIN, 401)
    form = await form_of(request)
    if not csrf_ok(request, form, visitor.session.csrf):
        await repo.audit(conn, now_of(request), visitor.user.id, "dashboard.csrf.refused", None,
                         {"path": request.url.path[:200]})
        return refusal(BAD_FORM, 403, visitor)
    return visitor, form


async def ask_as_in_chat(request: Request, conn: AsyncConnection, visitor: Visitor,
                         ask: CoordinatorRequest) -> Answered:
    """A coordinator's request answered exactly as in the chat (scope, refusals, audit)."""
    services = services_of(request)
    now = now_of(request)
    answered: Answered = await services.engine.coordination.answer(conn, visitor.user, ask, now)
    action, scope, details = answered.audit
    await repo.audit(conn, now, visitor.user.id, action, scope, {**details, "via": "dashboard"})
    return answered


async def signed_in_with_agency(request: Request, conn: AsyncConnection) -> tuple[Visitor, Any] | Response:
    """The visitor and the agency the URL names (`{code}`), or the page that refuses either."""
    visitor = await visitor_of(request, conn)
    if visitor is None:
        return refusal(SIGN_IN_AGAIN, 401)
    agency = await agency_in_scope(request, conn, visitor, request.path_params["code"])
    if isinstance(agency, Response):
        return agency
    return visitor, agency


async def invite_in_scope(conn: AsyncConnection, visitor: Visitor, code: str) -> Any | Response:
    """The invite when its agency is within the visitor's scope; else the refusal."""
    invite = await invite_codes.invite_by_code(conn, code)
    if invite is None or not await within(conn, visitor.agency.id, invite.agency_id):
        return refusal(FORBIDDEN, 403, visitor)
    return invite
