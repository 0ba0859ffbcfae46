"""Tables.  Declared once here; Alembic migrations in storage/migrations create them.

Answers are append-only: a changed answer closes the old row (`replaced_at`) and adds a
new one, so the history of every answer, with times, is kept.  A partial unique index
guarantees at most one current answer per respondent and question.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite wants INTEGER PRIMARY KEY for rowid aliases; PostgreSQL gets BIGINT identities.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite has no time zones and returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (the clock gives UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _tz() -> UtcDateTime:
    return UtcDateTime()


class Agency(Base):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(_tz())


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="officer")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"), index=True)
    categories: Mapped[str | None] = mapped_column(String(32))  # "1,2,3"; NULL = all
    consent_at: Mapped[datetime | None] = mapped_column(_tz())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(_tz())
    # A coordinator: submissions up to this time were already announced at the top of a reply.
    submissions_seen_at: Mapped[datetime | None] = mapped_column(_tz())


class Invite(Base):
    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    categories: Mapped[str | None] = mapped_column(String(32))
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(_tz())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(_tz())
    revoked_at: Mapped[datetime | None] = mapped_column(_tz())  # revoked: refuses joining from then on


class Round(Base):
    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(_tz())
    created_at: Mapped[datetime] = mapped_column(_tz())


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("agency_id", "round_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[str] = mapped_column(String(32))
    bank_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(_tz())


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        Index(
            "uq_answers_current",
            "assessment_id", "user_id", "question_id",
            unique=True,
            sqlite_where=text("replaced_at IS NULL"),
            postgresql_where=text("replaced_at IS NULL"),
        ),
        Index("ix_answers_respondent", "assessment_id", "user_id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(4))
    answered_at: Mapped[datetime] = mapped_column(_tz())
    replaced_at: Mapped[datetime | None] = mapped_column(_tz())
    set_aside: Mapped[bool] = mapped_column(Boolean, default=False)  # closed by the gate, not by the user


class ConversationSession(Base):
    __tablename__ = "conversation_sessions"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    phase: Mapped[str] = mapped_column(String(20))
    position: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(_tz())


class Submission(Base):
    """An officer sent their answers in one assessment (their agency's, in one round).

    Kept per assessment, so a new round never hides the last one's.  `reopened_at` marks an explicit
    แก้ไขหลังส่ง: until the person sends again, the agency's results use their answers as they stood
    at `submitted_at` (answers are append-only, so those are still there)."""

    __tablename__ = "submissions"
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    submitted_at: Mapped[datetime] = mapped_column(_tz(), index=True)
    reopened_at: Mapped[datetime | None] = mapped_column(_tz())


class ProcessedEvent(Base):
    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("channel", "event_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    processed_at: Mapped[datetime] = mapped_column(_tz(), index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(_tz(), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class Media(Base):
    """Images and files served to chat apps by an unguessable, expiring link (LINE cannot upload)."""

    __tablename__ = "media"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(_tz())
    expires_at: Mapped[datetime] = mapped_column(_tz(), index=True)
    # An export's scope (the agency it covers, with everything beneath): an erasure deletes the files
    # that may name the person.  NULL for charts, which name nobody.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)


class OutboundSpend(Base):
    """Every paid send (LINE push/multicast): what the agency's monthly quota went to."""

    __tablename__ = "outbound_spend"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(_tz(), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # push | multicast
    purpose: Mapped[str] = mapped_column(String(32))  # reply_fallback | reminder | …
    recipients: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)


class Reminder(Base):
    """One reminder: automatic (a round's slot, e.g. 3 days before closing) or sent by a coordinator.

    Status: draft (a coordinator's preview) → due → sending (claimed by one worker until
    `lease_until`) → done.  A unique slot per round makes the automatic schedule idempotent.
    """

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("round_id", "kind", "slot"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # auto | manual
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))  # the scope
    slot: Mapped[date | None] = mapped_column(Date)  # auto: the day it belongs to
    message: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    due_at: Mapped[datetime] = mapped_column(_tz())
    lease_until: Mapped[datetime | None] = mapped_column(_tz())
    recipients: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(_tz())
    finished_at: Mapped[datetime | None] = mapped_column(_tz())


class ReminderSend(Base):
    """One recipient of one reminder: written before sending, so a crash resumes without repeats."""

    __tablename__ = "reminder_sends"
    __table_args__ = (
        UniqueConstraint("reminder_id", "user_id"),
        Index("ix_reminder_sends_person", "user_id", "round_id", "status"),
        Index("ix_reminder_sends_batch", "reminder_id", "status", "channel", "batch"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    batch: Mapped[int] = mapped_column(Integer)
    # pending → sending → sent | blocked | failed | unknown (a crash mid-send where a repeat cannot be
    # ruled out); skipped when a cap or quiet rule said no
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(_tz())


class DeadLetter(Base):
    """An inbound event that can never be processed (a wrong shape, text no database can store): kept
    with the reason, so the rest of its body goes on and an IT officer can look at it later.

    One row per (channel, event id) when the platform gave a usable id, so a redelivered body does not
    record the same event twice; rows without an id (a body that is not JSON at all) are all kept.
    """

    __tablename__ = "dead_letters"
    __table_args__ = (UniqueConstraint("channel", "event_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)  # a truncated, sanitised copy: safe to store and to print
    payload_bytes: Mapped[int] = mapped_column(Integer)  # the size of what arrived
    received_at: Mapped[datetime] = mapped_column(_tz(), index=True)


class DashboardLink(Base):
    """A one-time sign-in link to the dashboard: only the token's SHA-256 is kept; used once, 10 minutes."""

    __tablename__ = "dashboard_links"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(_tz())
    expires_at: Mapped[datetime] = mapped_column(_tz(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(_tz())


class DashboardSession(Base):
    """A signed-in browser: the cookie's token hashed, its CSRF token, and when it was last seen (idle timeout)."""

    __tablename__ = "dashboard_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(_tz())
    last_seen_at: Mapped[datetime] = mapped_column(_tz(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(_tz())


agencies = Agency.__table__
users = User.__table__
invites = Invite.__table__
rounds = Round.__table__
assessments = Assessment.__table__
answers = Answer.__table__
conversation_sessions = ConversationSession.__table__
submissions = Submission.__table__
processed_events = ProcessedEvent.__table__
audit_log = AuditEntry.__table__
media = Media.__table__
outbound_spend = OutboundSpend.__table__
reminders = Reminder.__table__
reminder_sends = ReminderSend.__table__
dead_letters = DeadLetter.__table__
dashboard_links = DashboardLink.__table__
dashboard_sessions = DashboardSession.__table__
