"""Who submitted in a coordinator's scope since a given time (the news line on a coordinator's reply)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repository import tree_cte
from storage.schema import agencies, submissions, users


@dataclass(frozen=True, slots=True)
class Submitted:
    name: str
    agency_id: int
    agency_code: str


async def submitted_between(conn: AsyncConnection, agency_id: int, since: datetime, until: datetime,
                            limit: int) -> tuple[int, list[Submitted]]:
    """(how many officers of the agency and everything beneath it submitted in (since, until], the first
    `limit` of them in the order they submitted).  Two indexed queries whatever the scope's size."""
    tree = tree_cte(agency_id)
    where = (users.c.agency_id.in_(select(tree.c.id)), users.c.role == "officer",
             submissions.c.reopened_at.is_(None),
             submissions.c.submitted_at > since, submissions.c.submitted_at <= until)
    joined = submissions.join(users, users.c.id == submissions.c.user_id)
    count = int(await conn.scalar(select(func.count()).select_from(joined).where(*where)) or 0)
    if not count:
        return 0, []
    rows = await conn.execute(
        select(users.c.display_name, users.c.agency_id, agencies.c.code)
        .select_from(joined.join(agencies, agencies.c.id == users.c.agency_id)).where(*where)
        .order_by(submissions.c.submitted_at, users.c.id).limit(limit))
    return count, [Submitted(row.display_name or "", row.agency_id, row.code) for row in rows]
