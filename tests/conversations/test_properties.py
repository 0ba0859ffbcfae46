"""Random conversations (hypothesis): whatever people type or tap, in whatever order, the core
never raises, always answers (but for the documented silent steps), bumps the version by one,
draws buttons that fit the channels and keeps only answers the gate admits."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations import (
    Choice,
    Context,
    Event,
    Forget,
    Joined,
    JoinRefused,
    Phase,
    RecordAnswer,
    RedeemInvite,
    Session,
    Start,
    Tap,
    Text,
    Unsupported,
    current_prompt,
    handle,
)
from conversations import texts as t
from conversations.parsing import COMMAND_WORDS
from tests.conversations.conftest import (
    AGENCY,
    BANK,
    INVITE,
    Chat,
    assert_answers_consistent,
    assigned,
    check_reply_limits,
    consented,
    full,
    is_duplicate_tap,
    joined,
    lowest,
    make_ctx,
)

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = sorted(
    {w for words in COMMAND_WORDS.values() for w in words}
    | {"/start@pmqa_bot", "/help@pmqa_bot", "ลบ ข้อมูล ของฉัน"}
    | {o.label for scale in BANK.scales.values() for o in scale.options}
    | {t.BTN_ACCEPT, t.BTN_DECLINE, t.BTN_SUBMIT, t.BTN_CANCEL, t.BTN_FORGET_YES, t.BTN_ANSWER_SKIPPED, "ยกเลิก"}
    | {"หมวด 1", "หมวด 7", "1.1 พื้นฐาน", "7.1 ผลลัพธ์"}
    | {"0", "1", "2", "3", "4", "5", "6", "8", "9", "13", "99", "300", "500", "u", "ข้อ 2", "3.", "๑", "๓", "๕", "３"}
    | {INVITE, "", " ", "สวัสดีค่ะ", "ไม่เข้าใจ", "😀", "👍🏻", "🇹🇭", "ใช่", "ok", "?", "\n", "ครบ ทั่วทั้งองค์การ"}
)
FORGED = [
    "", "garbage", "a:", "a:Q1.9B:0:1", "a:Q1.1B:7:1", "a:Q7.1R:3:1", "a:Q1.1B:300:1", "a:Q1.1X:0:1",
    "a:Q1.1B:3:1" + "0" * 60, "c:nope", "c:", "e:0", "e:8", "q:Q9.1B", "x" * 100, "🙂", "A:Q1.1B:0:1",
]
CATEGORY_CHOICES = [None, (1, 7), (2,), (7,)]


@dataclass(frozen=True)
class Origin:
    """A prepared starting point: a session, the context it lives in, and the buttons on screen."""

    session: Session
    ctx: Context
    choices: tuple[Choice, ...]


def _from_chat(chat: Chat) -> Origin:
    return Origin(chat.session, chat.ctx, tuple(c for s in chat.steps[-3:] for r in s.replies for c in r.choices))


@functools.cache
def starting_point(name: str, categories: tuple[int, ...] | None) -> Origin:
    ctx = make_ctx(categories=categories)
    match name:
        case "new":
            return Origin(Session(), make_ctx(joined=False), ())
        case "consent":
            chat = Chat(make_ctx(joined=False))
            chat.start()
            return _from_chat(chat)
        case "join":
            return _from_chat(consented())
        case "answering":
            return _from_chat(joined(ctx))
        case "midway":
            chat = joined(ctx)
            for _ in range(12):
                question = BANK.question(chat.asked or "")
                if question is None:  # a short assignment is already in review
                    break
                chat.answer(full(question) if len(chat.steps) % 3 else lowest(question))
            return _from_chat(chat)
        case "review":
            chat = joined(ctx)
            chat.text("ข้าม")
            chat.answer_until(full)
            return _from_chat(chat)
        case "done":
            chat = joined(ctx)
            chat.answer_until(lowest)
            chat.text("ส่งคำตอบ")
            return _from_chat(chat)
        case _:  # "no round": joined while no round is open
            return _from_chat(joined(make_ctx(categories=categories, round_info=None)))


STARTS = ["new", "consent", "join", "answering", "midway", "review", "done", "noround"]


def event_strategy(seen: list[Choice], version: int) -> st.SearchStrategy[tuple[str, Event]]:
    """(kind, event): typed text, a tap on a button drawn earlier, forged data, an unsupported message."""
    options: list[st.SearchStrategy[tuple[str, Event]]] = [
        st.sampled_from(WORDS).map(lambda w: ("text", Text(w))),
        st.text(max_size=12).map(lambda w: ("text", Text(w))),
        st.sampled_from(FORGED).map(lambda d: ("forged", Tap(d))),
        st.builds(lambda q, n: ("forged", Tap(f"a:{q.id}:{BANK.scale_for(q).options[0].code}:{version + 1 + n}")),
                  st.sampled_from(BANK.questions), st.integers(0, 5)),
        st.text(max_size=70).map(lambda d: ("tap", Tap(d))),
        st.sampled_from(["sticker", "photo", "location"]).map(lambda k: ("unsupported", Unsupported(k))),
        st.just(("start", Start())),
    ]
    if seen:
        recent = seen[-16:]
        options.append(st.sampled_from(recent).map(lambda c: ("tap", Tap(c.data))))
        options.append(st.sampled_from(recent).map(lambda c: ("tap", Tap(c.data))))
        options.append(st.sampled_from(seen).map(lambda c: ("tap", Tap(c.data))))
        options.append(st.sampled_from(recent).map(lambda c: ("text", Text(c.label))))
    return st.one_of(options)


@PROPERTY_SETTINGS
@given(st.data())
def test_random_conversations_never_break(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(STARTS), label="start")
    categories = data.draw(st.sampled_from(CATEGORY_CHOICES), label="categories")
    origin = starting_point(name, categories)
    session, ctx = origin.session, origin.ctx
    member_ctx = make_ctx(categories=categories, round_info=origin.ctx.round) if name == "noround" else \
        make_ctx(categories=categories)
    seen = list(origin.choices)
    pending_invite = False

    for _ in range(data.draw(st.integers(1, 30), label="length")):
        if pending_invite:  # the shell answers a RedeemInvite before anything else
            refused = data.draw(st.sampled_from([None, "unknown", "expired", "used_up"]), label="shell")
            if refused is None:
                ctx = member_ctx
                kind, event = "shell", Joined(AGENCY)
            else:
                kind, event = "shell", JoinRefused(refused)
        else:
            kind, event = data.draw(event_strategy(seen, session.version), label="event")

        before = session
        step = handle(before, event, ctx)
        session = step.session

        assert session.version == before.version + 1
        check_reply_limits(step.replies)
        pending_invite = any(isinstance(f, RedeemInvite) for f in step.facts)
        if not step.replies:
            assert pending_invite or is_duplicate_tap(before, event, step), (before.phase, event)
        if pending_invite:
            assert before.phase is Phase.JOIN and step.replies == ()
        assert_answers_consistent(session, ctx)
        for fact in step.facts:
            if isinstance(fact, RecordAnswer):
                assert BANK.item_of(fact.question_id).category_number in assigned(ctx)
                assert session.answers.get(fact.question_id) == fact.code
                assert ctx.round is not None, "nothing is recorded without an open round"
        if kind in ("forged", "unsupported"):
            assert not [f for f in step.facts if isinstance(f, RecordAnswer)], event
            if before.phase is not Phase.NEW:
                assert step.replies[0].text in (t.FORGED, t.UNSUPPORTED, t.UNSUPPORTED_IDLE)
                assert len(step.replies) >= 2, "the hint comes with the current prompt"
        if any(isinstance(f, Forget) for f in step.facts):
            assert session == Session(version=before.version + 1)
            ctx = data.draw(st.sampled_from([ctx, make_ctx(joined=False)]), label="membership after forget")
        if session.phase is Phase.ANSWERING and session.position is not None:
            assert BANK.item_of(session.position).category_number in assigned(ctx)
        if not pending_invite:
            prompt = current_prompt(session, ctx)  # whatever happened, there is something to look at
            assert prompt
            check_reply_limits(prompt)
        seen += [c for r in step.replies for c in r.choices]
