"""The dashboard's routes, mounted at /dashboard in the server's Starlette app.

Every page loads the signed-in coordinator again (a role or agency changed in the meantime counts at
once) and checks the agency it shows with `storage.scope.within`, as the chat does; every action goes
through `bot.coordination.Coordination`, so it has the chat's confirmations, refusals and audit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import segno
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.coordination import Answered
from bot.dashboard import data
from bot.dashboard.security import (
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    csrf_ok,
    form_of,
    same_token,
    secure,
    set_cookie,
)
from bot.reminders import DRAFT_KEPT
from conversations import COORDINATOR, OFFICER
from conversations import coordinator_texts as ct
from conversations import texts as t
from conversations.coordinating import CoordinatorRequest, InviteRequest, InviteRevoke, RemindConfirm, RemindPreview
from storage import dashboard as store
from storage import reminders as reminder_store
from storage import repository as repo
from storage.scope import within

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
FONTS = Path(__file__).parent.parent / "assets" / "fonts"
LIVE_EVERY_SECONDS = 3

_env = Environment(loader=PackageLoader("bot.dashboard", "templates"), autoescape=select_autoescape(),
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["points"] = lambda value: "–" if value is None else f"{value:,.0f}"
_env.filters["invite_code"] = repo.format_invite_code


@dataclass(frozen=True, slots=True)
class Visitor:
    user: repo.UserRow
    session: store.DashboardSession
    agency: Any  # the coordinator's own agency: the root of their scope


def routes() -> list[Mount]:
    return [Mount("/dashboard", routes=[
        Route("/", _overview),
        Route("/rows", _overview_rows),
        Route("/signin/{token}", _signin_page),
        Route("/signin", _signin, methods=["POST"]),
        Route("/signout", _signout, methods=["POST"]),
        Route("/agency/{code}", _agency),
        Route("/agency/{code}/export", _export),
        Route("/agency/{code}/invites", _invite_create, methods=["POST"]),
        Route("/invites/{code}/revoke", _invite_revoke, methods=["POST"]),
        Route("/invites/{code}/print", _invite_print),
        Route("/remind/preview", _remind_preview, methods=["POST"]),
        Route("/remind/confirm", _remind_confirm, methods=["POST"]),
        Route("/live", _live),
        Route("/live/panel", _live_panel),
        Mount("/static", StaticFiles(directory=STATIC), name="dashboard-static"),
        Mount("/fonts", StaticFiles(directory=FONTS), name="dashboard-fonts"),
    ])]


# Plumbing ---------------------------------------------------------------------------------------------


def _services(request: Request) -> Any:
    return request.app.state.services


def _now(request: Request) -> datetime:
    now: datetime = _services(request).clock()
    return now


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(_services(request).settings.timezone)


def _page(name: str, status: int = 200, **context: Any) -> Response:
    return secure(HTMLResponse(_env.get_template(name).render(**context), status_code=status))


def _refused(message: str, status: int, visitor: Visitor | None = None) -> Response:
    return _page("message.html", status, message=message, visitor=visitor)


async def _visitor(request: Request, conn: AsyncConnection) -> Visitor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = await store.load_session(conn, token, _now(request))
    if session is None:
        return None
    user = await repo.user_by_id(conn, session.user_id)
    if user is None or user.role != COORDINATOR or user.agency_id is None:
        return None
    return Visitor(user, session, await repo.agency_by_id(conn, user.agency_id))


SIGN_IN_AGAIN = "กรุณาเข้าสู่ระบบใหม่ค่ะ พิมพ์ แดชบอร์ด ในแชทกับบอท แล้วแตะลิงก์ที่ได้รับ"
FORBIDDEN = "หน่วยงานนี้ไม่อยู่ในความรับผิดชอบของท่านค่ะ"
NOT_FOUND = "ไม่พบหน้านี้ค่ะ"
BAD_FORM = "แบบฟอร์มนี้หมดอายุแล้วค่ะ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"


async def _target(request: Request, conn: AsyncConnection, visitor: Visitor, code: str) -> Any | Response:
    """The agency named in the URL when it is within the visitor's scope; else the refusal (audited)."""
    agency = await repo.agency_by_code(conn, code)
    if agency is None or not await within(conn, visitor.agency.id, agency.id):
        await repo.audit(conn, _now(request), visitor.user.id, "dashboard.refused", None,
                         {"path": request.url.path[:200]})
        return _refused(FORBIDDEN, 403, visitor)
    return agency


async def _posted(request: Request, conn: AsyncConnection) -> tuple[Visitor, dict[str, str]] | Response:
    visitor = await _visitor(request, conn)
    if visitor is None:
        return _refused(SIGN_IN_AGAIN, 401)
    form = await form_of(request)
    if not csrf_ok(request, form, visitor.session.csrf):
        await repo.audit(conn, _now(request), visitor.user.id, "dashboard.csrf.refused", None,
                         {"path": request.url.path[:200]})
        return _refused(BAD_FORM, 403, visitor)
    return visitor, form


async def _ask(request: Request, conn: AsyncConnection, visitor: Visitor, ask: CoordinatorRequest) -> Answered:
    """A coordinator's request answered exactly as in the chat (scope, refusals, audit)."""
    services = _services(request)
    now = _now(request)
    answered: Answered = await services.engine.coordination.answer(conn, visitor.user, ask, now)
    action, scope, details = answered.audit
    await repo.audit(conn, now, visitor.user.id, action, scope, {**details, "via": "dashboard"})
    return answered


# Sign-in ----------------------------------------------------------------------------------------------

SIGNIN_REFUSED = {
    "unknown": "ลิงก์นี้ใช้ไม่ได้ค่ะ กรุณาพิมพ์ แดชบอร์ด ในแชทเพื่อขอลิงก์ใหม่",
    "used": "ลิงก์นี้ถูกใช้ไปแล้วค่ะ ลิงก์ใช้ได้ครั้งเดียว กรุณาพิมพ์ แดชบอร์ด ในแชทเพื่อขอลิงก์ใหม่",
    "expired": "ลิงก์นี้หมดอายุแล้วค่ะ (ใช้ได้ 10 นาที) กรุณาพิมพ์ แดชบอร์ด ในแชทเพื่อขอลิงก์ใหม่",
    "role": "แดชบอร์ดนี้สำหรับผู้ประสานงานเท่านั้นค่ะ",
}


async def _signin_page(request: Request) -> Response:
    """A page with one button: link previews (LINE fetches links it shows) must not use up the link."""
    token = request.path_params["token"]
    nonce = store.new_token()
    response = _page("signin.html", token=token, nonce=nonce)
    set_cookie(response, request, SIGNIN_COOKIE, nonce, max_age=600)
    return response


async def _signin(request: Request) -> Response:
    form = await form_of(request)
    if not same_token(form.get("nonce"), request.cookies.get(SIGNIN_COOKIE, "")):
        return _refused(BAD_FORM, 403)
    now = _now(request)
    async with _services(request).db.transaction() as conn:
        used = await store.use_link(conn, form.get("token", ""), now)
        user = None if isinstance(used, str) else await repo.user_by_id(conn, used)
        if user is not None and (user.role != COORDINATOR or user.agency_id is None):
            used = "role"
        if isinstance(used, str):
            await repo.audit(conn, now, None if user is None else user.id, "dashboard.signin.refused", None,
                             {"reason": used})
            return _refused(SIGNIN_REFUSED[used], 403)
        assert user is not None and user.agency_id is not None
        token, _csrf = await store.start_session(conn, user.id, now)
        agency = await repo.agency_by_id(conn, user.agency_id)
        await repo.audit(conn, now, user.id, "dashboard.signin", agency.code, {})
    response = secure(RedirectResponse("/dashboard/", status_code=303))
    set_cookie(response, request, SESSION_COOKIE, token, max_age=int(store.SESSION_IDLE.total_seconds()))
    response.delete_cookie(SIGNIN_COOKIE, path="/dashboard")
    return response


async def _signout(request: Request) -> Response:
    async with _services(request).db.transaction() as conn:
        posted = await _posted(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, _form = posted
        await store.end_session(conn, visitor.session.token_hash, _now(request))
        await repo.audit(conn, _now(request), visitor.user.id, "dashboard.signout", visitor.agency.code, {})
    response = _page("message.html", message="ออกจากระบบแล้วค่ะ", visitor=None)
    response.delete_cookie(SESSION_COOKIE, path="/dashboard")
    return response


# Pages ------------------------------------------------------------------------------------------------


async def _overview(request: Request) -> Response:
    return await _overview_view(request, "overview.html")


async def _overview_rows(request: Request) -> Response:
    return await _overview_view(request, "overview_rows.html")


async def _overview_view(request: Request, template: str) -> Response:
    services = _services(request)
    query = request.query_params.get("q", "")[:100]
    state = request.query_params.get("state", "all")
    async with services.db.transaction() as conn:
        visitor = await _visitor(request, conn)
        if visitor is None:
            return _refused(SIGN_IN_AGAIN, 401)
        seen = await data.overview(conn, services.bank, visitor.agency.id, _now(request), _tz(request),
                                   query=query, state=state)
    return _page(template, visitor=visitor, overview=seen, query=query, state=state)


async def _agency(request: Request) -> Response:
    services = _services(request)
    async with services.db.transaction() as conn:
        visitor = await _visitor(request, conn)
        if visitor is None:
            return _refused(SIGN_IN_AGAIN, 401)
        agency = await _target(request, conn, visitor, request.path_params["code"])
        if isinstance(agency, Response):
            return agency
        page = await data.agency_page(conn, services.bank, agency.id, _now(request), _tz(request))
    return _page("agency.html", visitor=visitor, page=page, notice=None)


async def _export(request: Request) -> Response:
    services = _services(request)
    now = _now(request)
    async with services.db.transaction() as conn:
        visitor = await _visitor(request, conn)
        if visitor is None:
            return _refused(SIGN_IN_AGAIN, 401)
        agency = await _target(request, conn, visitor, request.path_params["code"])
        if isinstance(agency, Response):
            return agency
        await repo.audit(conn, now, visitor.user.id, "dashboard.export", agency.code, {})
    from bot.export import export_round  # openpyxl loads on the first export, not at server start

    export = await export_round(services.db, services.bank, agency.id, None, now,
                                timezone=services.settings.timezone)
    if export is None:
        return _refused(ct.EXPORT_EMPTY, 404, visitor)
    ascii_name = f"pmqa-{agency.code}.xlsx"
    return secure(Response(export.data, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(export.filename)}"}))


# Invites ----------------------------------------------------------------------------------------------


async def _invites_fragment(request: Request, conn: AsyncConnection, visitor: Visitor, agency: Any,
                            notice: str | None) -> Response:
    page = await data.agency_page(conn, _services(request).bank, agency.id, _now(request), _tz(request))
    return _page("invites.html", visitor=visitor, page=page, notice=notice)


async def _invite_create(request: Request) -> Response:
    async with _services(request).db.transaction() as conn:
        posted = await _posted(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, form = posted
        agency = await _target(request, conn, visitor, request.path_params["code"])
        if isinstance(agency, Response):
            return agency
        role = COORDINATOR if form.get("role") == COORDINATOR else OFFICER
        answered = await _ask(request, conn, visitor, InviteRequest(role, agency.code, None))
        # the code, then the message to forward with it (the chat's two replies)
        notice = "\n\n".join(reply.text for reply in answered.replies)
        return await _invites_fragment(request, conn, visitor, agency, notice)


async def _invite_revoke(request: Request) -> Response:
    async with _services(request).db.transaction() as conn:
        posted = await _posted(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, _form = posted
        invite = await repo.invite_by_code(conn, request.path_params["code"])
        if invite is None or not await within(conn, visitor.agency.id, invite.agency_id):
            return _refused(FORBIDDEN, 403, visitor)
        answered = await _ask(request, conn, visitor, InviteRevoke(invite.code))
        agency = await repo.agency_by_id(conn, invite.agency_id)
        return await _invites_fragment(request, conn, visitor, agency, answered.replies[0].text)


def line_link(line_id: str, code: str) -> str:
    """LINE's official-account message link: opens the chat with the bot, the code already typed."""
    return f"https://line.me/R/oaMessage/{quote(line_id)}/?{quote(code)}"


def telegram_link(bot: str, code: str) -> str:
    """Telegram's deep link: opens the bot and sends /start <code> at the tap of Start."""
    return f"https://t.me/{bot.lstrip('@')}?start={code}"


def _qr(link: str) -> str:
    return str(segno.make(link, error="m").svg_inline(scale=5, dark="#111", omitsize=False))


async def _invite_print(request: Request) -> Response:
    services = _services(request)
    async with services.db.transaction() as conn:
        visitor = await _visitor(request, conn)
        if visitor is None:
            return _refused(SIGN_IN_AGAIN, 401)
        invite = await repo.invite_by_code(conn, request.path_params["code"])
        if invite is None or not await within(conn, visitor.agency.id, invite.agency_id):
            return _refused(FORBIDDEN, 403, visitor)
        agency = await repo.agency_by_id(conn, invite.agency_id)
    settings = services.settings
    shown = repo.format_invite_code(invite.code)
    codes = []
    if settings.line_id:
        link = line_link(settings.line_id, shown)
        codes.append(("LINE", f"สแกนด้วยกล้องหรือ LINE แล้วแตะส่งข้อความ ({settings.line_id})", link, _qr(link)))
    if settings.telegram_bot:
        link = telegram_link(settings.telegram_bot, invite.code)
        codes.append(("Telegram", "สแกนแล้วแตะ เริ่ม (Start) ในแอป Telegram", link, _qr(link)))
    expires = invite.expires_at.astimezone(_tz(request)).date()
    return _page("invite_print.html", visitor=visitor, agency=agency, code=shown, codes=codes,
                 role=ct.ROLE_NAME.get(invite.role, invite.role), expires=t.thai_date(expires),
                 state=repo.invite_state(invite, _now(request)))


# Reminders --------------------------------------------------------------------------------------------


async def _remind_preview(request: Request) -> Response:
    now = _now(request)
    async with _services(request).db.transaction() as conn:
        posted = await _posted(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, form = posted
        message = " ".join(form.get("message", "").split())[:300] or None
        answered = await _ask(request, conn, visitor, RemindPreview(message))
        draft = await reminder_store.latest_draft(conn, visitor.user.id, now - DRAFT_KEPT)
        sendable = bool(answered.replies[0].choices) and draft is not None
    return _page("remind.html", visitor=visitor, text=answered.replies[0].text,
                 draft=draft.id if sendable and draft is not None else None)


async def _remind_confirm(request: Request) -> Response:
    async with _services(request).db.transaction() as conn:
        posted = await _posted(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, form = posted
        reminder_id = int(form["reminder"]) if form.get("reminder", "").isdigit() else None
        answered = await _ask(request, conn, visitor, RemindConfirm(reminder_id))
    reminders = getattr(request.app.state, "reminders", None)
    if answered.wake_reminders and reminders is not None:
        reminders.wake()
    return _page("remind.html", visitor=visitor, text=answered.replies[0].text, draft=None)


# Live -------------------------------------------------------------------------------------------------


async def _live(request: Request) -> Response:
    return await _live_view(request, "live.html")


async def _live_panel(request: Request) -> Response:
    return await _live_view(request, "live_panel.html")


async def _live_view(request: Request, template: str) -> Response:
    services = _services(request)
    async with services.db.transaction() as conn:
        visitor = await _visitor(request, conn)
        if visitor is None:
            return _refused(SIGN_IN_AGAIN, 401)
        root = visitor.agency
        code = request.query_params.get("agency")
        if code:
            root = await _target(request, conn, visitor, code)
            if isinstance(root, Response):
                return root
        groups = await data.live(conn, services.bank, root.id, _now(request), _tz(request))
    local = _now(request).astimezone(_tz(request))
    return _page(template, visitor=visitor, root=root, groups=groups, every=LIVE_EVERY_SECONDS,
                 updated=f"{local:%H:%M:%S}", query=f"?agency={root.code}" if code else "")
