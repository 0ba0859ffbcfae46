"""The conversation's vocabulary: what comes in, what goes out, and the state in between.

Everything here is a frozen dataclass with no behaviour that touches the outside world;
channels translate their payloads into these events and render these replies.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from conversations.coordinating import CoordinatorRequest
from criteria.model import Bank

OFFICER, COORDINATOR = "officer", "coordinator"  # roles (admins work from the command line)

# Inbound events ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Start:
    """First contact (LINE follow, Telegram /start, console start)."""


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Tap:
    """A button press; `data` is the Choice.data we rendered (or something forged)."""

    data: str


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A sticker, photo, file, location… (`kind` names it for the reply)."""

    kind: str


@dataclass(frozen=True, slots=True)
class Joined:
    """The shell accepted an invite code: the user now belongs to an agency."""

    agency_name: str
    role: str = OFFICER  # officer | coordinator


@dataclass(frozen=True, slots=True)
class JoinRefused:
    reason: str  # "unknown" | "revoked" | "expired" | "used_up"


Event = Start | Text | Tap | Unsupported | Joined | JoinRefused

# Outbound replies ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    label: str  # ≤ 20 characters (LINE)
    data: str  # short ASCII (≤ 64 bytes for Telegram)
    number: int | None = None  # what to type for it; None: typed by its label only (navigation words)


def numbered(*choices: Choice, start: int = 1) -> tuple[Choice, ...]:
    """Number choices 1..N in order (what a person may type for each)."""
    return tuple(replace(c, number=n) for n, c in enumerate(choices, start))


@dataclass(frozen=True, slots=True)
class CategoryLine:
    number: int
    name: str  # short name, fits a chart label
    score: float
    level: str  # the level's name, or "ยังไม่ได้ตอบ" when nothing in the category was answered
    answered: bool = True


@dataclass(frozen=True, slots=True)
class SummaryCard:
    """The summary as data, for channels that draw it (a LINE Flex card, a chart)."""

    title: str
    subtitle: str | None
    overall: float | None  # None when only some categories were assigned
    level: str | None
    index: float | None
    categories: tuple[CategoryLine, ...]
    actions: tuple[str, ...]
    note: str  # how much is answered, or the confidence
    disclaimer: str
    final: bool


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart for the channel to draw and send after the reply's text (a PNG in chat apps)."""

    kind: str  # "radar" (categories) | "bar" (one bar per agency)
    title: str
    labels: tuple[str, ...]
    # radar: 1–4 (name, values), None where a category has no answer ("ยังไม่ได้ตอบ"); bar: exactly one
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    average: float | None = None  # bar: the dashed average line


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    question_id: str | None = None  # set when the reply asks a scored question
    summary: bool = False  # the final or partial summary
    card: SummaryCard | None = None  # the summary as data for channels that draw it; `text` says the same
    chart: Chart | None = None  # drawn by the channel; when None, a card with categories gets its radar
    standalone: bool = False  # a message of its own, never merged with its neighbours (e.g. one to forward)


# Facts for the shell to make durable -----------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordAnswer:
    question_id: str
    code: str


@dataclass(frozen=True, slots=True)
class SetAside:
    """An answer the adaptive gate no longer admits; kept in history, no longer counted."""

    question_id: str


@dataclass(frozen=True, slots=True)
class GiveConsent:
    pass


@dataclass(frozen=True, slots=True)
class RedeemInvite:
    code: str


@dataclass(frozen=True, slots=True)
class Submit:
    """Send (or send again) the answers as they stand."""


@dataclass(frozen=True, slots=True)
class Reopen:
    """แก้ไขหลังส่ง, confirmed: the submission stays as it was sent until the person sends again."""


@dataclass(frozen=True, slots=True)
class Forget:
    pass


@dataclass(frozen=True, slots=True)
class Ask:
    """A coordinator's request (conversations.coordinating); the shell answers it from the database."""

    request: CoordinatorRequest


@dataclass(frozen=True, slots=True)
class Denied:
    """A command this person may not use (an officer typing a coordinator's command): the shell audits it."""

    command: str  # the command's name, e.g. "status"
    reason: str  # the polite Thai answer they were given


Fact = RecordAnswer | SetAside | GiveConsent | RedeemInvite | Submit | Reopen | Forget | Ask | Denied

# State -----------------------------------------------------------------------------


class Phase(enum.StrEnum):
    NEW = "new"
    CONSENT = "consent"
    JOIN = "join"
    ANSWERING = "answering"
    EDIT_CATEGORY = "edit_category"
    EDIT_QUESTION = "edit_question"
    REVIEW = "review"
    DONE = "done"
    CONFIRM_FORGET = "confirm_forget"
    CONFIRM_REOPEN = "confirm_reopen"  # a changed answer after submitting: reopen the submission?
    COORDINATING = "coordinating"  # a coordinator's home: the menu of coordinator commands


class Submission(enum.StrEnum):
    """Where the person's answers in the current assessment stand with the agency."""

    NONE = "none"  # not sent
    SUBMITTED = "submitted"  # sent: looking and navigating never withdraw it
    REOPENED = "reopened"  # แก้ไขหลังส่ง: being changed; the sent answers count until sent again


@dataclass(frozen=True, slots=True)
class Session:
    phase: Phase = Phase.NEW
    position: str | None = None  # the question on screen while ANSWERING
    answers: Mapping[str, str] = field(default_factory=dict)
    set_aside: Mapping[str, str] = field(default_factory=dict)
    skipped: frozenset[str] = frozenset()
    version: int = 0
    edit_category: int | None = None  # EDIT_QUESTION: the category being edited
    resume_phase: Phase | None = None  # where a detour (edit, forget) returns to
    # The choices shown last (of the last reply that had any), which typed numbers and labels mean;
    # None: not recorded yet (a session saved before this existed): the current prompt's are used.
    shown: tuple[Choice, ...] | None = None
    submission: Submission = Submission.NONE  # loaded by the shell from its own record, not from the state
    pending_answer: tuple[str, str] | None = None  # CONFIRM_REOPEN: (question id, code) waiting for yes


@dataclass(frozen=True, slots=True)
class RoundInfo:
    name: str
    closes_on: date
    accepting: bool = True  # False: the round has closed; its answers can be read, not changed


@dataclass(frozen=True, slots=True)
class PreviousRound:
    """The person's own answers in their last earlier round, for ▲/▼ in the summary."""

    name: str
    answers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Context:
    """What the core may know about the world, gathered by the shell before each event."""

    bank: Bank
    now: datetime
    agency_name: str | None = None
    round: RoundInfo | None = None
    categories: tuple[int, ...] | None = None  # assigned categories; None = all
    display_name: str | None = None
    role: str = OFFICER  # officer | coordinator
    previous: PreviousRound | None = None  # given by the shell when a summary is drawn


@dataclass(frozen=True, slots=True)
class Step:
    session: Session
    replies: tuple[Reply, ...]
    facts: tuple[Fact, ...] = ()
