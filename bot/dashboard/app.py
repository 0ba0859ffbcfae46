"""The dashboard's routes, mounted at /dashboard in the server's Starlette app: sign-in, the overview,
an agency, its export, reminders and the live view (invites: invite_pages.py; rounds: round_pages.py;
charts: chart_pages.py; what every request checks first: pages.py).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.dashboard import data
from bot.dashboard.chart_pages import agency_chart
from bot.dashboard.invite_pages import invite_create, invite_print, invite_revoke
from bot.dashboard.pages import (
    BAD_FORM,
    SIGN_IN_AGAIN,
    agency_in_scope,
    ask_as_in_chat,
    now_of,
    posted_form,
    refusal,
    render_page,
    services_of,
    signed_in_with_agency,
    tz_of,
    visitor_of,
)
from bot.dashboard.round_pages import round_close, round_extend, round_open, rounds_page
from bot.dashboard.security import SESSION_COOKIE, SIGNIN_COOKIE, form_of, same_token, secure, set_cookie
from bot.reminders import DRAFT_KEPT
from conversations import COORDINATOR
from conversations import coordinator_texts as ct
from conversations.coordinating import RemindConfirm, RemindPreview
from storage import dashboard as store
from storage import reminders as reminder_store
from storage import repository as repo

STATIC = Path(__file__).parent / "static"
FONTS = Path(__file__).parent.parent / "assets" / "fonts"
LIVE_EVERY_SECONDS = 3


def routes() -> list[Mount]:
    return [Mount("/dashboard", routes=[
        Route("/", _overview),
        Route("/rows", _overview_rows),
        Route("/signin/{token}", _signin_page),
        Route("/signin", _signin, methods=["POST"]),
        Route("/signout", _signout, methods=["POST"]),
        Route("/agency/{code}", _agency),
        Route("/agency/{code}/export", _export),
        Route("/agency/{code}/chart/{kind}.png", agency_chart),
        Route("/agency/{code}/invites", invite_create, methods=["POST"]),
        Route("/invites/{code}/revoke", invite_revoke, methods=["POST"]),
        Route("/invites/{code}/print", invite_print),
        Route("/rounds", rounds_page),
        Route("/rounds/open", round_open, methods=["POST"]),
        Route("/rounds/{id}/extend", round_extend, methods=["POST"]),
        Route("/rounds/{id}/close", round_close, methods=["POST"]),
        Route("/remind/preview", _remind_preview, methods=["POST"]),
        Route("/remind/confirm", _remind_confirm, methods=["POST"]),
        Route("/live", _live),
        Route("/live/panel", _live_panel),
        Mount("/static", StaticFiles(directory=STATIC), name="dashboard-static"),
        Mount("/fonts", StaticFiles(directory=FONTS), name="dashboard-fonts"),
    ])]


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
    response = render_page("signin.html", token=token, nonce=nonce)
    set_cookie(response, request, SIGNIN_COOKIE, nonce, max_age=600)
    return response


async def _signin(request: Request) -> Response:
    form = await form_of(request)
    if not same_token(form.get("nonce"), request.cookies.get(SIGNIN_COOKIE, "")):
        return refusal(BAD_FORM, 403)
    now = now_of(request)
    async with services_of(request).db.transaction() as conn:
        used = await store.use_link(conn, form.get("token", ""), now)
        user = None if isinstance(used, str) else await repo.user_by_id(conn, used)
        if user is not None and (user.role != COORDINATOR or user.agency_id is None):
            used = "role"
        if isinstance(used, str):
            await repo.audit(conn, now, None if user is None else user.id, "dashboard.signin.refused", None,
                             {"reason": used})
            return refusal(SIGNIN_REFUSED[used], 403)
        assert user is not None and user.agency_id is not None
        token, _csrf = await store.start_session(conn, user.id, now)
        agency = await repo.agency_by_id(conn, user.agency_id)
        await repo.audit(conn, now, user.id, "dashboard.signin", agency.code, {})
    response = secure(RedirectResponse("/dashboard/", status_code=303))
    set_cookie(response, request, SESSION_COOKIE, token, max_age=int(store.SESSION_IDLE.total_seconds()))
    response.delete_cookie(SIGNIN_COOKIE, path="/dashboard")
    return response


async def _signout(request: Request) -> Response:
    async with services_of(request).db.transaction() as conn:
        posted = await posted_form(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, _form = posted
        await store.end_session(conn, visitor.session.token_hash, now_of(request))
        await repo.audit(conn, now_of(request), visitor.user.id, "dashboard.signout", visitor.agency.code, {})
    response = render_page("message.html", message="ออกจากระบบแล้วค่ะ", visitor=None)
    response.delete_cookie(SESSION_COOKIE, path="/dashboard")
    return response


# Pages ------------------------------------------------------------------------------------------------


async def _overview(request: Request) -> Response:
    return await _overview_view(request, "overview.html")


async def _overview_rows(request: Request) -> Response:
    return await _overview_view(request, "overview_rows.html")


async def _overview_view(request: Request, template: str) -> Response:
    services = services_of(request)
    query = request.query_params.get("q", "")[:100]
    state = request.query_params.get("state", "all")
    async with services.db.transaction() as conn:
        visitor = await visitor_of(request, conn)
        if visitor is None:
            return refusal(SIGN_IN_AGAIN, 401)
        seen = await data.overview(conn, services.bank, visitor.agency.id, now_of(request), tz_of(request),
                                   query=query, state=state)
    return render_page(template, visitor=visitor, overview=seen, query=query, state=state)


async def _agency(request: Request) -> Response:
    services = services_of(request)
    async with services.db.transaction() as conn:
        found = await signed_in_with_agency(request, conn)
        if isinstance(found, Response):
            return found
        visitor, agency = found
        page = await data.agency_page(conn, services.bank, agency.id, now_of(request), tz_of(request))
    return render_page("agency.html", visitor=visitor, page=page, notice=None)


async def _export(request: Request) -> Response:
    services = services_of(request)
    now = now_of(request)
    async with services.db.transaction() as conn:
        found = await signed_in_with_agency(request, conn)
        if isinstance(found, Response):
            return found
        visitor, agency = found
        await repo.audit(conn, now, visitor.user.id, "dashboard.export", agency.code, {})
    from bot.export import export_round  # openpyxl loads on the first export, not at server start

    export = await export_round(services.db, services.bank, agency.id, None, now,
                                timezone=services.settings.timezone)
    if export is None:
        return refusal(ct.EXPORT_EMPTY, 404, visitor)
    ascii_name = f"pmqa-{agency.code}.xlsx"
    return secure(Response(export.data, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(export.filename)}"}))


# Reminders --------------------------------------------------------------------------------------------


async def _remind_preview(request: Request) -> Response:
    now = now_of(request)
    async with services_of(request).db.transaction() as conn:
        posted = await posted_form(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, form = posted
        message = " ".join(form.get("message", "").split())[:300] or None
        answered = await ask_as_in_chat(request, conn, visitor, RemindPreview(message))
        draft = await reminder_store.latest_draft(conn, visitor.user.id, now - DRAFT_KEPT)
        sendable = bool(answered.replies[0].choices) and draft is not None
    return render_page("remind.html", visitor=visitor, text=answered.replies[0].text,
                       draft=draft.id if sendable and draft is not None else None)


async def _remind_confirm(request: Request) -> Response:
    async with services_of(request).db.transaction() as conn:
        posted = await posted_form(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, form = posted
        reminder_id = int(form["reminder"]) if form.get("reminder", "").isdigit() else None
        answered = await ask_as_in_chat(request, conn, visitor, RemindConfirm(reminder_id))
    reminders = getattr(request.app.state, "reminders", None)
    if answered.wake_reminders and reminders is not None:
        reminders.wake()
    return render_page("remind.html", visitor=visitor, text=answered.replies[0].text, draft=None)


# Live -------------------------------------------------------------------------------------------------


async def _live(request: Request) -> Response:
    return await _live_view(request, "live.html")


async def _live_panel(request: Request) -> Response:
    return await _live_view(request, "live_panel.html")


async def _live_view(request: Request, template: str) -> Response:
    services = services_of(request)
    async with services.db.transaction() as conn:
        visitor = await visitor_of(request, conn)
        if visitor is None:
            return refusal(SIGN_IN_AGAIN, 401)
        root = visitor.agency
        code = request.query_params.get("agency")
        if code:
            root = await agency_in_scope(request, conn, visitor, code)
            if isinstance(root, Response):
                return root
        groups = await data.live(conn, services.bank, root.id, now_of(request), tz_of(request))
    local = now_of(request).astimezone(tz_of(request))
    return render_page(template, visitor=visitor, root=root, groups=groups, every=LIVE_EVERY_SECONDS,
                       updated=f"{local:%H:%M:%S}", query=f"?agency={root.code}" if code else "")
