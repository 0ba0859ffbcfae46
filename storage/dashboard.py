"""The dashboard's sign-in: one-time links and browser sessions, each stored only as a SHA-256 of its token.

A link is minted in the chat (or the CLI) for one coordinator, valid 10 minutes and used once; using
it starts a session whose cookie carries another random token.  A session ends after 8 hours without
a request, or when the coordinator signs out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import dashboard_links, dashboard_sessions

LINK_VALID = timedelta(minutes=10)
SESSION_IDLE = timedelta(hours=8)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most once a minute per session


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


@dataclass(frozen=True, slots=True)
class DashboardSession:
    token_hash: str
    user_id: int
    csrf: str
    last_seen_at: datetime


async def mint_link(conn: AsyncConnection, user_id: int, now: datetime) -> str:
    """A fresh one-time token for `user_id`; only its hash is stored."""
    token = new_token()
    await conn.execute(dashboard_links.insert().values(token_hash=token_hash(token), user_id=user_id, created_at=now,
                                                       expires_at=now + LINK_VALID, used_at=None))
    return token


async def use_link(conn: AsyncConnection, token: str, now: datetime) -> int | str:
    """The user id when the link is good (and marks it used, conditionally: two clicks cannot both win);
    else why not: "unknown", "used" or "expired"."""
    row = (await conn.execute(select(dashboard_links).where(
        dashboard_links.c.token_hash == token_hash(token)))).one_or_none()
    if row is None:
        return "unknown"
    if row.used_at is not None:
        return "used"
    if row.expires_at <= now:
        return "expired"
    claimed = await conn.execute(update(dashboard_links).where(
        dashboard_links.c.token_hash == row.token_hash, dashboard_links.c.used_at.is_(None)).values(used_at=now))
    return int(row.user_id) if claimed.rowcount == 1 else "used"


async def start_session(conn: AsyncConnection, user_id: int, now: datetime) -> tuple[str, str]:
    """(cookie token, CSRF token) of a new session."""
    token, csrf = new_token(), new_token()
    await conn.execute(dashboard_sessions.insert().values(token_hash=token_hash(token), user_id=user_id, csrf=csrf,
                                                          created_at=now, last_seen_at=now, ended_at=None))
    return token, csrf


async def load_session(conn: AsyncConnection, token: str, now: datetime) -> DashboardSession | None:
    """The live session of a cookie token, touched; None when unknown, ended, or idle for 8 hours."""
    row = (await conn.execute(select(dashboard_sessions).where(
        dashboard_sessions.c.token_hash == token_hash(token)))).one_or_none()
    if row is None or row.ended_at is not None or row.last_seen_at + SESSION_IDLE <= now:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        await conn.execute(update(dashboard_sessions).where(dashboard_sessions.c.token_hash == row.token_hash)
                           .values(last_seen_at=now))
    return DashboardSession(row.token_hash, int(row.user_id), row.csrf, now)


async def end_session(conn: AsyncConnection, hashed: str, now: datetime) -> None:
    await conn.execute(update(dashboard_sessions).where(dashboard_sessions.c.token_hash == hashed)
                       .values(ended_at=now))


async def prune(conn: AsyncConnection, now: datetime) -> None:
    """Forget expired links and sessions idle past their timeout (housekeeping)."""
    await conn.execute(delete(dashboard_links).where(dashboard_links.c.expires_at < now - LINK_VALID))
    await conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.last_seen_at < now - SESSION_IDLE))
