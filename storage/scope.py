"""A coordinator's world: the agencies beneath one agency, their current rounds, and their officers.

Shared by สถานะ /status, the reminder audience and the previews: a handful of queries for a
whole province (or country), not one per person.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from criteria.model import Bank
from criteria.scoring import applicable_questions
from storage.repository import AgencyRow, RoundRow, ancestors, categories_of, subtree, tree_cte
from storage.schema import answers, assessments, rounds, submissions, users

T = TypeVar("T")
CHUNK = 900  # ids per IN (…): well under SQLite's and asyncpg's parameter limits
THREAD_FROM = 300  # people: counting more of them goes to a thread


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    name: str
    agency_id: int
    channel: str
    channel_user_id: str
    active: bool
    round_id: int | None  # the round now open for the person's agency
    finished: bool  # submitted in that round, and not being changed since
    answered: int  # applicable questions answered (0 unless progress was asked for)
    expected: int  # applicable questions in the person's categories
    reopened: bool = False  # แก้ไขหลังส่ง: submitted, then reopened to change; the sent answers count


@dataclass(frozen=True, slots=True)
class Scope:
    root: AgencyRow
    agencies: tuple[AgencyRow, ...]  # root first, then level by level
    rounds: dict[int, RoundRow]  # agency id -> its current round (an agency's own or an ancestor's)
    people: tuple[Person, ...]  # officers of every agency in the scope

    def beneath(self, agency_id: int) -> set[int]:
        found = {agency_id}
        for agency in self.agencies:  # parents come before children
            if agency.parent_id in found:
                found.add(agency.id)
        return found


async def within(conn: AsyncConnection, scope_agency_id: int, agency_id: int) -> bool:
    """Is `agency_id` the scope agency or beneath it?"""
    return scope_agency_id in await ancestors(conn, agency_id)


async def current_rounds(conn: AsyncConnection, root_id: int, tree: Sequence[AgencyRow],
                         today: date) -> dict[int, RoundRow]:
    """Each agency's current round: the newest open round of the agency or of any agency above it."""
    above = await ancestors(conn, root_id)
    ids = list({*above, *(a.id for a in tree)})
    open_rounds: list[Any] = []
    for chunk in _chunks(ids):
        open_rounds += list(await conn.execute(select(rounds).where(
            rounds.c.agency_id.in_(chunk), rounds.c.closed_at.is_(None), rounds.c.opens_on <= today)))
    newest: dict[int, Any] = {}
    for row in open_rounds:
        newest[row.agency_id] = _newer(newest.get(row.agency_id), row)
    inherited = None  # the newest open round of the root or any agency above it
    for agency_id in above:
        inherited = _newer(inherited, newest.get(agency_id))
    best: dict[int, Any] = {}
    for agency in tree:  # parents come before children: each takes its parent's unless it has a newer one
        from_above = best.get(agency.parent_id) if agency.depth else inherited
        best[agency.id] = _newer(from_above, newest.get(agency.id))
    return {agency_id: RoundRow(r.id, r.name, r.agency_id, r.opens_on, r.closes_on)
            for agency_id, r in best.items() if r is not None}


def _newer(a: Any, b: Any) -> Any:
    """The newer of two round rows (the later created wins, as in repository.current_round); either may be None."""
    if a is None or b is None:
        return a if b is None else b
    return max(a, b, key=lambda r: (r.created_at, r.id))


async def load_scope(conn: AsyncConnection, bank: Bank, root_id: int, today: date, *,
                     progress: bool = True) -> Scope:
    """The agencies, rounds and officers beneath `root_id`; `progress` also counts answers (heavier)."""
    tree = await subtree(conn, root_id)
    round_of = await current_rounds(conn, root_id, tree, today)
    officers = list(await conn.execute(
        select(users.c.id, users.c.display_name, users.c.agency_id, users.c.channel, users.c.channel_user_id,
               users.c.active, users.c.categories)
        .where(users.c.agency_id.in_(select(tree_cte(root_id).c.id)), users.c.role == "officer")
        .order_by(users.c.id)))
    pairs = [(agency_id, r.id) for agency_id, r in round_of.items()]
    assessment_of: dict[int, int] = {}
    for chunk in _chunks(pairs):
        rows = await conn.execute(select(assessments.c.id, assessments.c.agency_id).where(
            tuple_(assessments.c.agency_id, assessments.c.round_id).in_(chunk)))
        assessment_of.update({row.agency_id: row.id for row in rows})
    sent: dict[int, Any] = {}  # person -> their submission in their agency's round
    answered: dict[int, dict[str, str]] = {}  # person -> their current answers in their agency's round
    expected_assessment = {o.id: assessment_of.get(o.agency_id) for o in officers}
    for chunk in _chunks([o.id for o in officers]):
        wanted = {expected_assessment[u] for u in chunk} - {None}
        if wanted:
            rows = await conn.execute(select(submissions.c.user_id, submissions.c.assessment_id,
                                             submissions.c.reopened_at)
                                      .where(submissions.c.user_id.in_(chunk), submissions.c.assessment_id.in_(wanted)))
            sent.update({row.user_id: row for row in rows if row.assessment_id == expected_assessment[row.user_id]})
        if progress and wanted:
            rows = await conn.execute(select(answers.c.user_id, answers.c.assessment_id, answers.c.question_id,
                                             answers.c.value)
                                      .where(answers.c.user_id.in_(chunk), answers.c.replaced_at.is_(None),
                                             answers.c.assessment_id.in_(wanted)))
            for user_id, assessment_id, question_id, value in rows:
                if assessment_id == expected_assessment[user_id]:
                    answered.setdefault(user_id, {})[question_id] = value

    def count() -> list[Person]:
        return [_person(bank, officer, round_of.get(officer.agency_id), assessment_of.get(officer.agency_id),
                        sent.get(officer.id), answered.get(officer.id, {}), progress) for officer in officers]

    # Working out each person's applicable questions is CPU: thousands of people go to a thread.
    people = await asyncio.to_thread(count) if progress and len(officers) > THREAD_FROM else count()
    return Scope(tree[0], tuple(tree), round_of, tuple(people))


def _person(bank: Bank, officer: Any, current: RoundRow | None, assessment_id: int | None, submission: Any,
            answered: dict[str, str], progress: bool) -> Person:
    sent = submission is not None and assessment_id is not None and submission.assessment_id == assessment_id
    finished = sent and submission.reopened_at is None
    reopened = sent and submission.reopened_at is not None
    done = expected = 0
    if progress and current is not None:
        applicable = applicable_questions(bank, answered, categories_of(officer.categories))
        expected = len(applicable)
        done = sum(1 for q in applicable if q.id in answered)
    return Person(officer.id, officer.display_name or "", officer.agency_id, officer.channel, officer.channel_user_id,
                  officer.active, None if current is None else current.id, finished, done, expected, reopened)


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]
