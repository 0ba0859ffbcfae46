"""The news line at the top of a coordinator's next reply: who submitted since the last one.

It rides on a reply the coordinator asked for (LINE's free reply, merged into the reply's first text
message), so it costs no push from the monthly quota; a coordinator who never writes is told nothing
(a paid daily digest would be the opt-in alternative, see the README).  Each submission is announced
once: the coordinator's `submissions_seen_at` moves forward in the same transaction as the reply's event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from conversations import COORDINATOR
from conversations import coordinator_texts as ct
from storage import notices
from storage import repository as repo
from storage.schema import users

NAMES_SHOWN = 5


async def submission_news(conn: AsyncConnection, user: repo.UserRow, now: datetime) -> str | None:
    """The line to show this coordinator now, or None; marks what it announces as seen."""
    if user.role != COORDINATOR or user.agency_id is None:
        return None
    row = (await conn.execute(select(users.c.submissions_seen_at, users.c.created_at)
                              .where(users.c.id == user.id))).one()
    since = row.submissions_seen_at or row.created_at  # a new coordinator hears of what came after joining
    count, first = await notices.submitted_between(conn, user.agency_id, since, now, NAMES_SHOWN)
    await repo.update_user(conn, user.id, submissions_seen_at=now)
    if not count:
        return None
    names = ", ".join(
        (person.name or ct.NEWS_NO_NAME) + ("" if person.agency_id == user.agency_id else f" ({person.agency_code})")
        for person in first)
    if count > len(first):
        names += ct.STATUS_MORE_NAMES.format(count=count - len(first))
    return ct.NEWS_SUBMITTED.format(count=count, names=names)
