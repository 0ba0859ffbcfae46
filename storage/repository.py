"""Queries the engine and the admin commands run, each inside a caller's transaction.

Functions here never commit: the caller owns the transaction (one per inbound event),
so an event's dedupe record, answers and session either all land or none do.
The hot path (one answer) is: lock user, read session, read answers, close old answer,
insert answer, update session — Core statements, no ORM unit of work.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import (
    agencies,
    answers,
    assessments,
    audit_log,
    conversation_sessions,
    dashboard_links,
    dashboard_sessions,
    invites,
    media,
    outbound_spend,
    processed_events,
    rounds,
    submissions,
    users,
)

MAX_AGENCY_DEPTH = 8  # country → ministry → department → province → agency… with room to spare


class StaleSession(Exception):
    """The session changed under us (another worker won); the event is retried."""


# Rows as plain frozen records -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    channel: str
    channel_user_id: str
    display_name: str | None
    role: str
    agency_id: int | None
    categories: tuple[int, ...] | None
    consent_at: datetime | None
    active: bool


@dataclass(frozen=True, slots=True)
class SessionRow:
    assessment_id: int | None
    phase: str
    position: str | None
    state: dict[str, Any]
    version: int


@dataclass(frozen=True, slots=True)
class SubmissionRow:
    submitted_at: datetime
    reopened_at: datetime | None  # set: แก้ไขหลังส่ง, the person is changing answers they had sent


@dataclass(frozen=True, slots=True)
class RoundRow:
    id: int
    name: str
    agency_id: int
    opens_on: date
    closes_on: date


def categories_of(text: str | None) -> tuple[int, ...] | None:
    """The stored "1,3" form back to (1, 3); None (all categories) when empty."""
    return tuple(int(n) for n in text.split(",") if n.strip()) if text else None


def categories_text(numbers: tuple[int, ...] | list[int] | None) -> str | None:
    return ",".join(str(n) for n in sorted(set(numbers))) if numbers else None


def _user(row: Any) -> UserRow:
    return UserRow(row.id, row.channel, row.channel_user_id, row.display_name, row.role, row.agency_id,
                   categories_of(row.categories), row.consent_at, row.active)


def insert_ignoring_duplicates(conn: AsyncConnection, table: Any, index_elements: list[str]) -> Any:
    """INSERT … ON CONFLICT (index_elements) DO NOTHING, in the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=index_elements)


# Events -------------------------------------------------------------------------------------


async def claim_event(conn: AsyncConnection, channel: str, event_id: str, now: datetime) -> bool:
    """Record an inbound event id; False when it was already processed (a redelivery).

    Inside the event's transaction: if processing fails, the claim rolls back with it and a
    redelivery is processed again.  One statement (INSERT … ON CONFLICT DO NOTHING): on
    PostgreSQL a second worker claiming the same id waits for the first to commit, then
    finds it taken.
    """
    statement = insert_ignoring_duplicates(conn, processed_events, ["channel", "event_id"])
    result = await conn.execute(statement.values(channel=channel, event_id=event_id, processed_at=now))
    return result.rowcount == 1


async def event_seen(conn: AsyncConnection, channel: str, event_id: str) -> bool:
    found = await conn.scalar(select(processed_events.c.id).where(
        processed_events.c.channel == channel, processed_events.c.event_id == event_id))
    return found is not None


async def prune_events(conn: AsyncConnection, before: datetime) -> int:
    result = await conn.execute(delete(processed_events).where(processed_events.c.processed_at < before))
    return result.rowcount


# Users --------------------------------------------------------------------------------------


async def lock_user(conn: AsyncConnection, channel: str, channel_user_id: str, *, for_update: bool) -> UserRow | None:
    query = select(users).where(users.c.channel == channel, users.c.channel_user_id == channel_user_id)
    if for_update:
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    return None if row is None else _user(row)


async def create_user(conn: AsyncConnection, channel: str, channel_user_id: str, display_name: str | None,
                      now: datetime, *, role: str = "officer", agency_id: int | None = None) -> UserRow:
    result = await conn.execute(insert(users).values(
        channel=channel, channel_user_id=channel_user_id, display_name=display_name, role=role,
        agency_id=agency_id, active=True, created_at=now).returning(users))
    return _user(result.one())


async def user_by_id(conn: AsyncConnection, user_id: int) -> UserRow | None:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).one_or_none()
    return None if row is None else _user(row)


async def update_user(conn: AsyncConnection, user_id: int, **values: Any) -> None:
    await conn.execute(update(users).where(users.c.id == user_id).values(**values))


async def forget_user(conn: AsyncConnection, user_id: int, now: datetime) -> int:
    """PDPA erasure: answers, session, the user row itself, and every stored export that may name the
    person (an export names each respondent with their answers); the audit keeps no personal data.
    Returns how many stored export files were deleted (their links answer 404 from now on)."""
    answered_for = select(assessments.c.agency_id).where(assessments.c.id.in_(
        select(answers.c.assessment_id).where(answers.c.user_id == user_id))).distinct()
    covering: set[int] = set()
    for (agency_id,) in list(await conn.execute(answered_for)):
        covering.update(await ancestors(conn, agency_id))  # a province's export names its agencies' people
    exports = 0
    if covering:
        exports = (await conn.execute(delete(media).where(media.c.agency_id.in_(covering)))).rowcount
    await conn.execute(delete(answers).where(answers.c.user_id == user_id))
    await conn.execute(delete(submissions).where(submissions.c.user_id == user_id))
    await conn.execute(delete(conversation_sessions).where(conversation_sessions.c.user_id == user_id))
    await conn.execute(delete(dashboard_links).where(dashboard_links.c.user_id == user_id))
    await conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.user_id == user_id))
    await conn.execute(update(audit_log).where(audit_log.c.actor_user_id == user_id).values(actor_user_id=None))
    await conn.execute(update(invites).where(invites.c.created_by == user_id).values(created_by=None))
    await conn.execute(delete(users).where(users.c.id == user_id))
    await audit(conn, now, None, "user.forgotten", None, {"exports_deleted": exports})
    return exports


# Agencies, rounds, assessments ----------------------------------------------------------------


async def agency_by_code(conn: AsyncConnection, code: str) -> Any:
    """Codes are matched without regard to case: people type them on phones."""
    return (await conn.execute(select(agencies).where(func.upper(agencies.c.code) == code.upper()))).first()


async def agency_by_id(conn: AsyncConnection, agency_id: int) -> Any:
    return (await conn.execute(select(agencies).where(agencies.c.id == agency_id))).first()


async def add_agency(conn: AsyncConnection, code: str, name: str, parent_id: int | None, now: datetime) -> int:
    result = await conn.execute(insert(agencies).values(code=code, name=name, parent_id=parent_id, created_at=now)
                                .returning(agencies.c.id))
    return int(result.scalar_one())


async def all_agencies(conn: AsyncConnection) -> list[Any]:
    return list(await conn.execute(select(agencies).order_by(agencies.c.code)))


async def count_agencies(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.count()).select_from(agencies)) or 0)


@dataclass(frozen=True, slots=True)
class AgencyRow:
    id: int
    code: str
    name: str
    parent_id: int | None
    depth: int  # 0 = the root asked for


def tree_cte(agency_id: int) -> Any:
    """The agency and everything beneath it (recursive), with each one's depth below it."""
    tree = (select(agencies.c.id, agencies.c.code, agencies.c.name, agencies.c.parent_id, literal(0).label("depth"))
            .where(agencies.c.id == agency_id).cte("tree", recursive=True))
    child = agencies.alias("child")
    return tree.union_all(
        select(child.c.id, child.c.code, child.c.name, child.c.parent_id, (tree.c.depth + 1).label("depth"))
        .join(tree, child.c.parent_id == tree.c.id)
        .where(tree.c.depth < MAX_AGENCY_DEPTH))


async def subtree(conn: AsyncConnection, agency_id: int) -> list[AgencyRow]:
    """The agency and everything beneath it, parents before children (by depth, then code): one query."""
    tree = tree_cte(agency_id)
    rows = await conn.execute(select(tree).order_by(tree.c.depth, tree.c.code, tree.c.id))
    return [AgencyRow(r.id, r.code, r.name, r.parent_id, r.depth) for r in rows]


async def ancestors(conn: AsyncConnection, agency_id: int) -> list[int]:
    """The agency and every parent above it, nearest first (a province holds its agencies)."""
    chain: list[int] = []
    current: int | None = agency_id
    while current is not None and current not in chain:
        chain.append(current)
        current = await conn.scalar(select(agencies.c.parent_id).where(agencies.c.id == current))
    return chain


async def open_round(conn: AsyncConnection, name: str, agency_id: int, opens_on: date, closes_on: date,
                     now: datetime) -> int:
    result = await conn.execute(insert(rounds).values(
        name=name, agency_id=agency_id, opens_on=opens_on, closes_on=closes_on, created_at=now)
        .returning(rounds.c.id))
    return int(result.scalar_one())


async def round_by_id(conn: AsyncConnection, round_id: int | None) -> Any:
    return (await conn.execute(select(rounds).where(rounds.c.id == round_id))).first()


async def rounds_of(conn: AsyncConnection, agency_ids: list[int], limit: int) -> list[Any]:
    """The newest rounds held by these agencies."""
    return list(await conn.execute(select(rounds).where(rounds.c.agency_id.in_(agency_ids))
                                   .order_by(rounds.c.created_at.desc(), rounds.c.id.desc()).limit(limit)))


async def all_rounds(conn: AsyncConnection, agency_ids: list[int] | None) -> list[Any]:
    """Rounds held by these agencies (None: all), newest first, each with its holder's code."""
    query = (select(rounds, agencies.c.code.label("agency_code")).join(agencies, agencies.c.id == rounds.c.agency_id)
             .order_by(rounds.c.created_at.desc(), rounds.c.id.desc()))
    if agency_ids is not None:
        query = query.where(rounds.c.agency_id.in_(agency_ids))
    return list(await conn.execute(query))


async def round_overlapping(conn: AsyncConnection, agency_id: int, today: date) -> Any:
    """A round still taking answers that applies to this agency or to any agency above or beneath it.

    A round applies to its agency and everything beneath it, and the newest open round wins
    (`current_round`), so a second round anywhere on that line would hide the first one's answers:
    at most one may be open on it at a time."""
    related = [*await ancestors(conn, agency_id), *(row.id for row in await subtree(conn, agency_id))]
    return (await conn.execute(select(rounds).where(rounds.c.agency_id.in_(related), rounds.c.closed_at.is_(None),
                                                    rounds.c.closes_on >= today)
                               .order_by(rounds.c.id).limit(1))).first()


async def update_round(conn: AsyncConnection, round_id: int, **values: Any) -> None:
    await conn.execute(update(rounds).where(rounds.c.id == round_id).values(**values))


def _current_round_query() -> Any:
    """Built once: constructing a recursive CTE costs more than running it."""
    chain = select(agencies.c.id, agencies.c.parent_id, literal(0).label("depth")) \
        .where(agencies.c.id == bindparam("agency_id")).cte("chain", recursive=True)
    parent = agencies.alias("parent")
    chain = chain.union_all(
        select(parent.c.id, parent.c.parent_id, (chain.c.depth + 1).label("depth"))
        .join(chain, parent.c.id == chain.c.parent_id)
        .where(chain.c.depth < MAX_AGENCY_DEPTH))
    return (
        select(rounds)
        .join(chain, rounds.c.agency_id == chain.c.id)
        .where(rounds.c.closed_at.is_(None), rounds.c.opens_on <= bindparam("today", type_=Date()))
        .order_by(rounds.c.created_at.desc(), rounds.c.id.desc())
        .limit(1)
    )


_CURRENT_ROUND = _current_round_query()


async def current_round(conn: AsyncConnection, agency_id: int, today: date) -> RoundRow | None:
    """The newest round still open for this agency or any agency above it (one query)."""
    row = (await conn.execute(_CURRENT_ROUND, {"agency_id": agency_id, "today": today})).first()
    return None if row is None else RoundRow(row.id, row.name, row.agency_id, row.opens_on, row.closes_on)


async def assessment_for(conn: AsyncConnection, agency_id: int, round_id: int, bank_id: str, bank_version: str,
                         now: datetime) -> int:
    """The agency's assessment in this round, created on first use and pinned to the bank version."""
    query = select(assessments.c.id).where(assessments.c.agency_id == agency_id, assessments.c.round_id == round_id)
    found = await conn.scalar(query)
    if found is not None:
        return int(found)
    result = await conn.execute(insert(assessments).values(
        agency_id=agency_id, round_id=round_id, bank_id=bank_id, bank_version=bank_version, created_at=now)
        .returning(assessments.c.id))
    return int(result.scalar_one())


# Answers -------------------------------------------------------------------------------------


def _current(assessment_id: int, user_id: int) -> Any:
    return and_(answers.c.assessment_id == assessment_id, answers.c.user_id == user_id,
                answers.c.replaced_at.is_(None))


async def current_answers(conn: AsyncConnection, assessment_id: int, user_id: int) -> dict[str, str]:
    rows = await conn.execute(select(answers.c.question_id, answers.c.value).where(_current(assessment_id, user_id)))
    return {row.question_id: row.value for row in rows}


async def record_answer(conn: AsyncConnection, assessment_id: int, user_id: int, question_id: str, value: str,
                        now: datetime) -> None:
    """Close the current answer (kept as history) and add the new one."""
    await conn.execute(update(answers).where(_current(assessment_id, user_id), answers.c.question_id == question_id)
                       .values(replaced_at=now))
    await conn.execute(insert(answers).values(assessment_id=assessment_id, user_id=user_id, question_id=question_id,
                                              value=value, answered_at=now, set_aside=False))


async def set_aside(conn: AsyncConnection, assessment_id: int, user_id: int, question_id: str, now: datetime) -> None:
    await conn.execute(update(answers).where(_current(assessment_id, user_id), answers.c.question_id == question_id)
                       .values(replaced_at=now, set_aside=True))


async def previous_answers(conn: AsyncConnection, user_id: int,
                           current_assessment_id: int) -> tuple[str, dict[str, str]] | None:
    """The person's own current answers in the latest earlier round they answered: (round name, answers)."""
    row = (await conn.execute(
        select(assessments.c.id, rounds.c.name)
        .join(rounds, rounds.c.id == assessments.c.round_id)
        .where(assessments.c.id.in_(select(answers.c.assessment_id).where(
            answers.c.user_id == user_id, answers.c.replaced_at.is_(None),
            answers.c.assessment_id != current_assessment_id)))
        .order_by(rounds.c.opens_on.desc(), rounds.c.id.desc()).limit(1))).first()
    if row is None:
        return None
    return row.name, await current_answers(conn, row.id, user_id)


async def answer_history(conn: AsyncConnection, assessment_id: int, user_id: int, question_id: str) -> list[Any]:
    rows = await conn.execute(select(answers).where(
        answers.c.assessment_id == assessment_id, answers.c.user_id == user_id, answers.c.question_id == question_id)
        .order_by(answers.c.id))
    return list(rows)


# Conversation sessions ---------------------------------------------------------------------------


async def load_session(conn: AsyncConnection, user_id: int) -> SessionRow | None:
    row = (await conn.execute(select(conversation_sessions).where(conversation_sessions.c.user_id == user_id))).first()
    if row is None:
        return None
    return SessionRow(row.assessment_id, row.phase, row.position, dict(row.state or {}), row.version)


async def save_session(conn: AsyncConnection, user_id: int, row: SessionRow, *, expected_version: int | None,
                       now: datetime) -> None:
    """Write the session if nobody else did since we read it (`expected_version`; None = new)."""
    values = {"assessment_id": row.assessment_id, "phase": row.phase, "position": row.position, "state": row.state,
              "version": row.version, "updated_at": now}
    if expected_version is None:
        await conn.execute(insert(conversation_sessions).values(user_id=user_id, **values))
        return
    result = await conn.execute(update(conversation_sessions)
                                .where(conversation_sessions.c.user_id == user_id,
                                       conversation_sessions.c.version == expected_version)
                                .values(**values))
    if result.rowcount != 1:
        raise StaleSession(f"session of user {user_id} is no longer at version {expected_version}")


# Submissions --------------------------------------------------------------------------------------


async def submission_of(conn: AsyncConnection, assessment_id: int, user_id: int) -> SubmissionRow | None:
    row = (await conn.execute(select(submissions.c.submitted_at, submissions.c.reopened_at).where(
        submissions.c.assessment_id == assessment_id, submissions.c.user_id == user_id))).first()
    return None if row is None else SubmissionRow(row.submitted_at, row.reopened_at)


async def submit(conn: AsyncConnection, assessment_id: int, user_id: int, now: datetime) -> None:
    """Send (or send again): the answers as they stand now are the person's submission."""
    changed = await conn.execute(update(submissions).where(
        submissions.c.assessment_id == assessment_id, submissions.c.user_id == user_id)
        .values(submitted_at=now, reopened_at=None))
    if changed.rowcount == 0:
        await conn.execute(insert(submissions).values(assessment_id=assessment_id, user_id=user_id,
                                                      submitted_at=now, reopened_at=None))


async def reopen(conn: AsyncConnection, assessment_id: int, user_id: int, now: datetime) -> None:
    """แก้ไขหลังส่ง: the submission stays (as of its time) and is marked as being changed."""
    await conn.execute(update(submissions).where(
        submissions.c.assessment_id == assessment_id, submissions.c.user_id == user_id,
        submissions.c.reopened_at.is_(None)).values(reopened_at=now))


async def round_of_assessment(conn: AsyncConnection, assessment_id: int) -> Any:
    """The round an assessment belongs to (with `closed_at`, and the assessment's `assessed_agency_id`), or None."""
    return (await conn.execute(select(rounds, assessments.c.agency_id.label("assessed_agency_id"))
                               .join(assessments, assessments.c.round_id == rounds.c.id)
                               .where(assessments.c.id == assessment_id))).first()


async def save_session_state(conn: AsyncConnection, user_id: int, state: dict[str, Any], *, version: int,
                             now: datetime) -> bool:
    """Replace the session's state if it is still at `version` (False when another event moved it on)."""
    result = await conn.execute(update(conversation_sessions)
                                .where(conversation_sessions.c.user_id == user_id,
                                       conversation_sessions.c.version == version)
                                .values(state=state, updated_at=now))
    return bool(result.rowcount == 1)


# Audit -------------------------------------------------------------------------------------------


async def audit(conn: AsyncConnection, now: datetime, actor: int | None, action: str, scope: str | None,
                details: dict[str, Any]) -> None:
    await conn.execute(insert(audit_log).values(at=now, actor_user_id=actor, action=action, scope=scope,
                                                details=details))


# Media links and spend ------------------------------------------------------------------------------


async def store_media(conn: AsyncConnection, data: bytes, content_type: str, filename: str, now: datetime,
                      ttl: timedelta, *, agency_id: int | None = None) -> str:
    """Keep bytes behind an unguessable token (256 bits) until `now + ttl`; returns the token.
    `agency_id`: the scope of an export (it may name people of that agency and every agency beneath it)."""
    token = secrets.token_urlsafe(32)
    await conn.execute(insert(media).values(token=token, content_type=content_type, filename=filename, data=data,
                                            created_at=now, expires_at=now + ttl, agency_id=agency_id))
    return token


async def load_media(conn: AsyncConnection, token: str, now: datetime) -> Any:
    return (await conn.execute(select(media).where(media.c.token == token, media.c.expires_at > now))).first()


async def prune_media(conn: AsyncConnection, now: datetime) -> int:
    return (await conn.execute(delete(media).where(media.c.expires_at <= now))).rowcount


async def record_spend(conn: AsyncConnection, now: datetime, channel: str, kind: str, purpose: str, recipients: int,
                       messages: int) -> None:
    await conn.execute(insert(outbound_spend).values(at=now, channel=channel, kind=kind, purpose=purpose,
                                                     recipients=recipients, messages=messages))
