"""Invites from the dashboard: create and revoke (as in the chat), and a printable page per invite whose
QR codes open the bot in LINE or Telegram with the code already filled in (a workshop joins by scanning).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import segno
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response

from bot.dashboard import data
from bot.dashboard.pages import (
    SIGN_IN_AGAIN,
    Visitor,
    agency_in_scope,
    ask_as_in_chat,
    invite_in_scope,
    now_of,
    posted_form,
    refusal,
    render_page,
    services_of,
    tz_of,
    visitor_of,
)
from conversations import COORDINATOR, OFFICER
from conversations import coordinator_texts as ct
from conversations import texts as t
from conversations.coordinating import InviteRequest, InviteRevoke
from storage import invite_codes
from storage import repository as repo


async def _invites_fragment(request: Request, conn: AsyncConnection, visitor: Visitor, agency: Any,
                            notice: str | None) -> Response:
    page = await data.agency_page(conn, services_of(request).bank, agency.id, now_of(request), tz_of(request))
    return render_page("invites.html", visitor=visitor, page=page, notice=notice)


async def invite_create(request: Request) -> Response:
    async with services_of(request).db.transaction() as conn:
        posted = await posted_form(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, form = posted
        agency = await agency_in_scope(request, conn, visitor, request.path_params["code"])
        if isinstance(agency, Response):
            return agency
        role = COORDINATOR if form.get("role") == COORDINATOR else OFFICER
        answered = await ask_as_in_chat(request, conn, visitor, InviteRequest(role, agency.code, None))
        # the code, then the message to forward with it (the chat's two replies)
        notice = "\n\n".join(reply.text for reply in answered.replies)
        return await _invites_fragment(request, conn, visitor, agency, notice)


async def invite_revoke(request: Request) -> Response:
    async with services_of(request).db.transaction() as conn:
        posted = await posted_form(request, conn)
        if isinstance(posted, Response):
            return posted
        visitor, _form = posted
        invite = await invite_in_scope(conn, visitor, request.path_params["code"])
        if isinstance(invite, Response):
            return invite
        answered = await ask_as_in_chat(request, conn, visitor, InviteRevoke(invite.code))
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


async def invite_print(request: Request) -> Response:
    services = services_of(request)
    async with services.db.transaction() as conn:
        visitor = await visitor_of(request, conn)
        if visitor is None:
            return refusal(SIGN_IN_AGAIN, 401)
        invite = await invite_in_scope(conn, visitor, request.path_params["code"])
        if isinstance(invite, Response):
            return invite
        agency = await repo.agency_by_id(conn, invite.agency_id)
    settings = services.settings
    shown = invite_codes.format_invite_code(invite.code)
    codes = []
    if settings.line_id:
        link = line_link(settings.line_id, shown)
        codes.append(("LINE", f"สแกนด้วยกล้องหรือ LINE แล้วแตะส่งข้อความ ({settings.line_id})", link, _qr(link)))
    if settings.telegram_bot:
        link = telegram_link(settings.telegram_bot, invite.code)
        codes.append(("Telegram", "สแกนแล้วแตะ เริ่ม (Start) ในแอป Telegram", link, _qr(link)))
    expires = invite.expires_at.astimezone(tz_of(request)).date()
    return render_page("invite_print.html", visitor=visitor, agency=agency, code=shown, codes=codes,
                       role=ct.ROLE_NAME.get(invite.role, invite.role), expires=t.thai_date(expires),
                       state=invite_codes.invite_state(invite, now_of(request)))
