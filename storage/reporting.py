"""Loading one round's report for an agency and everything beneath it (read-only).

A fixed number of queries whatever the size of the subtree — the round, the agencies (one recursive
query), the officers, the current answers, the submitted sessions, then the same answers for the
previous round — so a report of the whole country (2,500 agencies × 10 officers × 78 answers) is a
handful of round trips; see bench/bench_reports.py for the times.  The answers come one row per
respondent and assessment, concatenated by the database (`string_agg` / `group_concat`): two
million single-answer rows cost far more to move through the driver than 25,000 strings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from conversations.reporting import AgencyRound, Respondent, RoundReport
from criteria.model import Bank
from criteria.scoring import aggregate
from storage import repository as repo
from storage.schema import answers, assessments, rounds, submissions, users

BANGKOK = ZoneInfo("Asia/Bangkok")
_PAIR = "="  # question id and code inside one concatenated row: "Q1.1B=3,Q1.2B=2"
_SEPARATOR = ","


async def load_round_report(conn: AsyncConnection, bank: Bank, agency_id: int, round_id: int | None, now: datetime,
                            *, tz: tzinfo = BANGKOK) -> RoundReport | None:
    """The report of `agency_id` and its subtree in `round_id`, or in the round current for the agency.

    The current round is the newest open round of the agency or an ancestor; when none is open, the
    newest round of them at all.  None when the agency does not exist or has no round.
    """
    scope = await repo.agency_by_id(conn, agency_id)
    if scope is None:
        return None
    round_row = await _round(conn, agency_id, round_id, now.astimezone(tz).date())
    if round_row is None:
        return None
    tree = await repo.subtree(conn, agency_id)
    officers = await _officers(conn, agency_id)
    current = await _answers(conn, agency_id, round_row.id, officers_only=True)
    submitted = await _submitted(conn, agency_id, round_row.id)
    previous_round = await _previous_round(conn, agency_id, round_row)
    previous: dict[int, Mapping[str, str]] = {}
    if previous_round is not None:
        for agency, by_user in (await _answers(conn, agency_id, previous_round.id, officers_only=False)).items():
            previous[agency] = aggregate(bank, list(by_user.values())).answers
    agency_rounds = []
    for row in tree:
        people = officers.get(row.id, [])
        given = current.get(row.id, {})
        respondents = tuple(
            Respondent(user.id, user.display_name or f"ผู้ตอบ {number}", repo.categories_of(user.categories),
                       given[user.id], user.id in submitted.get(row.id, set()))
            for number, user in enumerate(people, 1) if given.get(user.id)
        )
        agency_rounds.append(AgencyRound(row.id, row.code, row.name, row.parent_id, row.depth, len(people),
                                         respondents))
    return RoundReport(
        round_id=round_row.id, round_name=round_row.name, opens_on=round_row.opens_on, closes_on=round_row.closes_on,
        scope_code=scope.code, scope_name=scope.name, agencies=tuple(agency_rounds), previous=previous,
        previous_round_name=None if previous_round is None else previous_round.name,
    )


# Queries ----------------------------------------------------------------------------------------------


async def _round(conn: AsyncConnection, agency_id: int, round_id: int | None, today: Any) -> Any:
    if round_id is not None:
        return (await conn.execute(select(rounds).where(rounds.c.id == round_id))).first()
    current = await repo.current_round(conn, agency_id, today)
    if current is not None:
        return (await conn.execute(select(rounds).where(rounds.c.id == current.id))).first()
    chain = await repo.ancestors(conn, agency_id)
    return (await conn.execute(select(rounds).where(rounds.c.agency_id.in_(chain))
                               .order_by(rounds.c.created_at.desc(), rounds.c.id.desc()).limit(1))).first()


async def _previous_round(conn: AsyncConnection, agency_id: int, current: Any) -> Any:
    """The newest round before `current` of the agency or an ancestor (created earlier)."""
    chain = await repo.ancestors(conn, agency_id)
    earlier = or_(rounds.c.created_at < current.created_at,
                  and_(rounds.c.created_at == current.created_at, rounds.c.id < current.id))
    query = (select(rounds).where(rounds.c.agency_id.in_(chain), rounds.c.id != current.id, earlier)
             .order_by(rounds.c.created_at.desc(), rounds.c.id.desc()).limit(1))
    return (await conn.execute(query)).first()


async def _officers(conn: AsyncConnection, agency_id: int) -> dict[int, list[Any]]:
    tree = repo.tree_cte(agency_id)
    rows = await conn.execute(
        select(users.c.id, users.c.display_name, users.c.categories, users.c.agency_id)
        .where(users.c.agency_id.in_(select(tree.c.id)), users.c.role == "officer")
        .order_by(users.c.agency_id, users.c.id))
    by_agency: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_agency[row.agency_id].append(row)
    return by_agency


def _concatenated(conn: AsyncConnection, column: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return func.string_agg(column, literal(_SEPARATOR))
    return func.group_concat(column, _SEPARATOR)


async def _answers(conn: AsyncConnection, agency_id: int, round_id: int, *,
                   officers_only: bool) -> dict[int, dict[int, dict[str, str]]]:
    """agency id → user id → the answers that count in the agency's assessment of the round.

    Those are the current answers, except for a person changing a submission (แก้ไขหลังส่ง): theirs
    are the answers as they stood when they sent them, until they send again.
    With `officers_only`, only officers who still belong to that agency count (the current round);
    a previous round keeps everyone's answers, since people move on.
    """
    tree = repo.tree_cte(agency_id)
    pair = answers.c.question_id + _PAIR + answers.c.value
    sent = and_(submissions.c.assessment_id == answers.c.assessment_id, submissions.c.user_id == answers.c.user_id,
                submissions.c.reopened_at.is_not(None))
    as_sent = and_(answers.c.answered_at <= submissions.c.submitted_at,
                   or_(answers.c.replaced_at.is_(None), answers.c.replaced_at > submissions.c.submitted_at))
    counting = or_(and_(submissions.c.user_id.is_(None), answers.c.replaced_at.is_(None)),
                   and_(submissions.c.user_id.is_not(None), as_sent))
    query = (
        select(assessments.c.agency_id, answers.c.user_id, _concatenated(conn, pair).label("pairs"))
        .select_from(answers.join(assessments, answers.c.assessment_id == assessments.c.id)
                     .outerjoin(submissions, sent))
        .where(assessments.c.round_id == round_id, assessments.c.agency_id.in_(select(tree.c.id)), counting)
        .group_by(assessments.c.agency_id, answers.c.user_id)
    )
    if officers_only:
        query = query.join(users, and_(users.c.id == answers.c.user_id, users.c.agency_id == assessments.c.agency_id,
                                       users.c.role == "officer"))
    result: dict[int, dict[int, dict[str, str]]] = defaultdict(dict)
    for agency, user, pairs in await conn.execute(query):
        result[agency][user] = dict(entry.split(_PAIR, 1) for entry in pairs.split(_SEPARATOR))
    return result


async def _submitted(conn: AsyncConnection, agency_id: int, round_id: int) -> dict[int, set[int]]:
    """agency id → officers who submitted in the agency's assessment of the round (and are not changing it)."""
    tree = repo.tree_cte(agency_id)
    query = (
        select(assessments.c.agency_id, submissions.c.user_id)
        .select_from(submissions.join(assessments, submissions.c.assessment_id == assessments.c.id))
        .where(assessments.c.round_id == round_id, assessments.c.agency_id.in_(select(tree.c.id)),
               submissions.c.reopened_at.is_(None))
    )
    result: dict[int, set[int]] = defaultdict(set)
    for agency, user in await conn.execute(query):
        result[agency].add(user)
    return result
