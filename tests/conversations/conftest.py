"""Helpers for driving the pure conversation core the way a channel shell would.

`Chat` threads ``step.session`` from one ``handle()`` call into the next and checks, on every
step, the invariants the issue asks of every reply: the version grows by one, something is
always said (except the two documented silent steps), and buttons fit LINE and Telegram.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from conversations import (
    Ask,
    Choice,
    Context,
    Event,
    Fact,
    Joined,
    Phase,
    RecordAnswer,
    RedeemInvite,
    Reply,
    RoundInfo,
    Session,
    Start,
    Step,
    Tap,
    Text,
    Unsupported,
    handle,
)
from conversations import texts as t
from conversations.parsing import parse_tap
from criteria import Bank, default_bank
from criteria.model import Question
from criteria.scoring import applicable_questions

BANK: Bank = default_bank()
BANGKOK = ZoneInfo("Asia/Bangkok")
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=BANGKOK)
CLOSES = date(2026, 9, 30)  # 213 days after NOW; shown as "30 ก.ย. 2569"
ROUND = RoundInfo("รอบที่ 1/2569", CLOSES)
AGENCY = "กรมตัวอย่าง"
INVITE = "ABCD-EFGH"

MAX_CHOICES = 13
MAX_LABEL = 20
MAX_DATA_BYTES = 64

_UNSET = object()
Picker = Callable[[Question], str]


def make_ctx(
    *,
    joined: bool = True,
    round_info: RoundInfo | object | None = _UNSET,
    categories: tuple[int, ...] | None = None,
    now: datetime = NOW,
    display_name: str | None = None,
) -> Context:
    """A context as the shell builds it: before joining there is no agency and no round."""
    if round_info is _UNSET:
        round_info = ROUND if joined else None
    return Context(
        bank=BANK,
        now=now,
        agency_name=AGENCY if joined else None,
        round=round_info,  # type: ignore[arg-type]
        categories=categories,
        display_name=display_name,
    )


def check_reply_limits(replies: Iterable[Reply]) -> None:
    """≤ 13 choices per reply, labels ≤ 20 characters, data ASCII and ≤ 64 bytes, text never empty."""
    for reply in replies:
        assert reply.text.strip(), "a reply with no text"
        assert len(reply.choices) <= MAX_CHOICES, (len(reply.choices), reply.text[:60])
        for choice in reply.choices:
            assert choice.label.strip(), choice
            assert len(choice.label) <= MAX_LABEL, choice
            assert choice.data.isascii(), choice
            assert len(choice.data.encode()) <= MAX_DATA_BYTES, choice
            assert parse_tap(choice.data) is not None, f"we rendered data we cannot parse: {choice}"


def is_duplicate_tap(before: Session, event: Event, step: Step) -> bool:
    """The documented no-op: a second identical tap on an already-applied old answer button."""
    if not isinstance(event, Tap) or step.replies or step.facts:
        return False
    intent = parse_tap(event.data)
    question_id = getattr(intent, "question_id", None)
    code = getattr(intent, "code", None)
    return (
        question_id is not None
        and before.answers.get(question_id) == code
        and step.session == replace(before, version=before.version + 1)
    )


class Chat:
    """One person's conversation.  `send` calls the core and checks the per-step invariants."""

    def __init__(self, ctx: Context | None = None, session: Session | None = None) -> None:
        self.ctx = ctx if ctx is not None else make_ctx()
        self.session = session if session is not None else Session()
        self.steps: list[Step] = []

    # Sending ----------------------------------------------------------------------
    def send(self, event: Event, ctx: Context | None = None, *, silent_ok: bool = False) -> Step:
        before = self.session
        step = handle(before, event, ctx if ctx is not None else self.ctx)
        assert step.session.version == before.version + 1, "every handled event bumps the version by 1"
        check_reply_limits(step.replies)
        if not step.replies:
            allowed = silent_ok or is_duplicate_tap(before, event, step) or any(
                isinstance(f, RedeemInvite | Ask) for f in step.facts)  # the shell answers these
            assert allowed, f"a dead end: no reply to {event!r} in {before.phase}"
        self.session = step.session
        self.steps.append(step)
        return step

    def text(self, text: str, ctx: Context | None = None) -> Step:
        return self.send(Text(text), ctx)

    def tap(self, data: str, ctx: Context | None = None, *, silent_ok: bool = False) -> Step:
        return self.send(Tap(data), ctx, silent_ok=silent_ok)

    def start(self, ctx: Context | None = None) -> Step:
        return self.send(Start(), ctx)

    def unsupported(self, kind: str = "sticker") -> Step:
        return self.send(Unsupported(kind))

    def press(self, label: str) -> Step:
        """Tap the button with this label in the last step's replies."""
        return self.tap(self.choice(label).data)

    # Looking at the last step ---------------------------------------------------------
    @property
    def last(self) -> Step:
        return self.steps[-1]

    @property
    def replies(self) -> tuple[Reply, ...]:
        return self.last.replies

    @property
    def said(self) -> str:
        """Every reply text of the last step, one per line."""
        return "\n".join(r.text for r in self.last.replies)

    @property
    def facts(self) -> tuple[Fact, ...]:
        return self.last.facts

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(c for r in self.last.replies for c in r.choices)

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.choices]

    def choice(self, label: str) -> Choice:
        matches = [c for c in self.choices if c.label == label]
        assert matches, f"no button {label!r} among {self.labels}"
        return matches[-1]

    @property
    def asked(self) -> str | None:
        """The scored question the last step asks (its last question reply), if any."""
        ids = [r.question_id for r in self.last.replies if r.question_id]
        return ids[-1] if ids else None

    @property
    def phase(self) -> Phase:
        return self.session.phase

    @property
    def position(self) -> str | None:
        return self.session.position

    @property
    def recorded(self) -> list[RecordAnswer]:
        return [f for f in self.last.facts if isinstance(f, RecordAnswer)]

    # Answering ------------------------------------------------------------------------
    def answer_data(self, code: str) -> str:
        """The data of the answer button for `code` on the question the last step asks."""
        question_id = self.asked
        assert question_id is not None, f"no question on screen: {self.said[:120]}"
        prefix = f"a:{question_id}:{code}:"
        matches = [c.data for c in self.choices if c.data.startswith(prefix)]
        assert matches, f"no button for code {code!r} on {question_id}"
        return matches[-1]

    def answer(self, code: str) -> Step:
        return self.tap(self.answer_data(code))

    def answer_until(self, pick: Picker, *, stop: str | None = None, limit: int = 200) -> None:
        """Answer questions with `pick(question) -> code` while ANSWERING (until question `stop`)."""
        for _ in range(limit):
            if self.phase is not Phase.ANSWERING or self.asked is None or self.asked == stop:
                return
            question = BANK.question(self.asked)
            assert question is not None
            self.answer(pick(question))
        raise AssertionError("the questions never ended")


# Answer pickers ---------------------------------------------------------------------------


def full(question: Question) -> str:
    """The fully-met answer ("ครบทั่วทั้งองค์การ" / "ดีกว่าหน่วยงานอื่น")."""
    return BANK.scale_for(question).full_option.code


def lowest(question: Question) -> str:
    """The first option ("ยังไม่มี" / "ยังไม่มีตัวชี้วัด")."""
    return BANK.scale_for(question).options[0].code


def assigned(ctx: Context) -> tuple[int, ...]:
    return ctx.categories or tuple(c.number for c in BANK.categories)


def assert_answers_consistent(session: Session, ctx: Context) -> None:
    """Answers hold only applicable questions of assigned categories, each with a valid code."""
    wanted = {q.id for q in applicable_questions(BANK, session.answers, assigned(ctx))}
    assert set(session.answers) <= wanted, set(session.answers) - wanted
    for question_id, code in session.answers.items():
        question = BANK.question(question_id)
        assert question is not None
        assert BANK.scale_for(question).option(code) is not None, (question_id, code)
    assert not set(session.answers) & set(session.set_aside), "an answer both counted and set aside"


# Getting a person to a phase ------------------------------------------------------------------


def consented(ctx: Context | None = None) -> Chat:
    """Greeted and accepted the PDPA notice: waiting for an invite code (phase JOIN)."""
    chat = Chat(make_ctx(joined=False) if ctx is None else ctx)
    chat.start()
    chat.press(t.BTN_ACCEPT)
    assert chat.phase is Phase.JOIN
    return chat


def joined(ctx: Context | None = None) -> Chat:
    """Through consent and the invite code: ANSWERING, with the first question on screen."""
    ctx = make_ctx() if ctx is None else ctx
    chat = consented(make_ctx(joined=False))
    chat.text(INVITE)
    chat.ctx = ctx
    chat.send(Joined(AGENCY))
    return chat


def reviewing(ctx: Context | None = None, pick: Picker = lowest) -> Chat:
    chat = joined(ctx)
    chat.answer_until(pick)
    assert chat.phase is Phase.REVIEW, chat.said
    return chat


def submitted(ctx: Context | None = None, pick: Picker = lowest) -> Chat:
    chat = reviewing(ctx, pick)
    chat.press(t.BTN_SUBMIT)
    assert chat.phase is Phase.DONE
    return chat


@pytest.fixture
def chat() -> Chat:
    """A person who has joined and sees the first question."""
    return joined()
