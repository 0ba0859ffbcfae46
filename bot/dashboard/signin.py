"""One-time sign-in links: minted in the chat or the CLI, opened in a browser, used once within 10 minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.settings import Settings
from conversations import coordinator_texts as ct
from storage import dashboard as store
from storage import repository as repo

LOCAL_SERVER = "http://127.0.0.1:8000"  # `pmqa-bot serve`'s default address, for the console


def dashboard_base(settings: Settings) -> str:
    """Where the dashboard's links point: PMQA_PUBLIC_URL, else the local server (console, a laptop)."""
    return (settings.public_url or LOCAL_SERVER).rstrip("/")


def signin_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/dashboard/signin/{token}"


async def mint(conn: AsyncConnection, user_id: int, now: datetime, base: str, *, via: str) -> str:
    """A fresh link for `user_id`, audited (`dashboard.link`, from `via`: chat or cli)."""
    token = await store.mint_link(conn, user_id, now)
    await repo.audit(conn, now, user_id, "dashboard.link", None, {"via": via})
    return signin_url(base, token)


async def link_reply(conn: AsyncConnection, user_id: int, now: datetime, base: str) -> str:
    """The chat's answer to แดชบอร์ด: the link and how long it lasts."""
    return ct.DASHBOARD_LINK.format(url=await mint(conn, user_id, now, base, via="chat"))
