"""Invite codes: created by coordinators and admins, redeemed by the people who join with them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repository import agency_by_id, categories_of, categories_text
from storage.schema import agencies, invites

INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read aloud and retype
INVITE_LENGTH = 10  # 30^10 ≈ 2^49


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def format_invite_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}" if len(code) == INVITE_LENGTH else code


async def create_invite(conn: AsyncConnection, agency_id: int, role: str, now: datetime, *, uses: int, days: int,
                        categories: tuple[int, ...] | None = None, created_by: int | None = None,
                        code: str | None = None) -> str:
    code = code or new_invite_code()
    await conn.execute(insert(invites).values(
        code=code, agency_id=agency_id, role=role, categories=categories_text(categories), max_uses=uses, uses=0,
        expires_at=now + timedelta(days=days), created_by=created_by, created_at=now))
    return code


async def invites_of(conn: AsyncConnection, agency_ids: list[int] | None) -> list[Any]:
    """Invites (newest first) of these agencies, or of every agency; each row carries the agency's code and name."""
    query = (select(invites, agencies.c.code.label("agency_code"), agencies.c.name.label("agency_name"))
             .join(agencies, agencies.c.id == invites.c.agency_id)
             .order_by(invites.c.created_at.desc(), invites.c.id.desc()))
    if agency_ids is not None:
        query = query.where(invites.c.agency_id.in_(agency_ids))
    return list(await conn.execute(query))


async def usable_invites(conn: AsyncConnection, agency_ids: list[int] | None, now: datetime) -> list[Any]:
    """The invites of these agencies (newest first) that still let someone join."""
    return [row for row in await invites_of(conn, agency_ids) if invite_state(row, now) == "usable"]


async def invite_by_code(conn: AsyncConnection, code: str) -> Any:
    """An invite by its code as people type it (any case, with or without the dash)."""
    cleaned = code.replace("-", "").replace(" ", "").upper()
    return (await conn.execute(select(invites).where(invites.c.code == cleaned))).first()


async def revoke_invite(conn: AsyncConnection, invite_id: int, now: datetime) -> bool:
    """False when it was already revoked."""
    result = await conn.execute(update(invites).where(invites.c.id == invite_id, invites.c.revoked_at.is_(None))
                                .values(revoked_at=now))
    return bool(result.rowcount == 1)


def invite_state(row: Any, now: datetime) -> str:
    """usable | revoked | expired | used_up"""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at <= now:
        return "expired"
    return "used_up" if row.uses >= row.max_uses else "usable"


@dataclass(frozen=True, slots=True)
class Redeemed:
    agency_id: int
    agency_name: str
    role: str
    categories: tuple[int, ...] | None


async def redeem_invite(conn: AsyncConnection, code: str, now: datetime) -> Redeemed | str:
    """Use one invite; returns what it grants, or the reason it cannot: unknown, revoked, expired, used_up."""
    row = (await conn.execute(select(invites).where(invites.c.code == code).with_for_update())).first()
    if row is None:
        return "unknown"
    if (state := invite_state(row, now)) in ("revoked", "expired"):
        return state
    taken = await conn.execute(update(invites).where(invites.c.id == row.id, invites.c.uses < invites.c.max_uses)
                               .values(uses=invites.c.uses + 1))
    if taken.rowcount != 1:
        return "used_up"
    agency = await agency_by_id(conn, row.agency_id)
    return Redeemed(row.agency_id, agency.name, row.role, categories_of(row.categories))
