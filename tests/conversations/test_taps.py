"""Buttons: a tap on an old question's button is an edit of that question if the gate still
admits it, or answered as outdated if not; never applied to the wrong question.  A second
identical tap is a silent no-op.  Forged data gets FORGED and the current prompt."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversations import Phase, RecordAnswer, Reopen, Reply, SetAside, Submission
from conversations import texts as t
from tests.conversations.conftest import (
    Chat,
    full,
    joined,
    lowest,
    make_ctx,
    reviewing,
    submitted,
)


def button(reply: Reply, label: str) -> str:
    return next(c.data for c in reply.choices if c.label == label)


def question_message(chat: Chat, question_id: str) -> Reply:
    """The latest message that asked `question_id`."""
    for step in reversed(chat.steps):
        for reply in step.replies:
            if reply.question_id == question_id:
                return reply
    raise AssertionError(f"{question_id} was never asked")


# Old buttons --------------------------------------------------------------------------------


def test_an_old_button_still_applicable_is_applied_as_an_edit_of_its_question(chat: Chat) -> None:
    chat.answer_until(lowest, stop="Q1.3B")
    old = question_message(chat, "Q1.1B")
    chat.tap(button(old, "เริ่มทำบางส่วน"))
    assert chat.recorded == [RecordAnswer("Q1.1B", "1")]
    assert chat.replies[0].text == t.EDITED_OLD.format(item_id="1.1", level="พื้นฐาน", answer="เริ่มทำบางส่วน")
    assert chat.asked == "Q1.3B", "the current question is shown again"
    assert chat.position == "Q1.3B"
    assert "Q1.3B" not in chat.session.answers, "never applied to the question on screen"


def test_an_old_button_while_reviewing_an_answered_question_shows_that_question_again(chat: Chat) -> None:
    chat.answer_until(lowest, stop="Q1.4B")
    chat.text("ย้อนกลับ")
    assert chat.asked == "Q1.3B"
    chat.tap(button(question_message(chat, "Q1.1B"), "เริ่มทำบางส่วน"))
    assert chat.recorded == [RecordAnswer("Q1.1B", "1")]
    assert chat.asked == "Q1.3B"


def test_an_old_button_whose_question_no_longer_applies_is_outdated(chat: Chat) -> None:
    chat.answer("3")  # Q1.1B fully met → Q1.1A asked
    advance = question_message(chat, "Q1.1A")
    basic = question_message(chat, "Q1.1B")
    chat.tap(button(basic, "ยังไม่มี"))  # Q1.1A no longer applies
    assert chat.recorded == [RecordAnswer("Q1.1B", "0")]
    assert chat.asked == "Q1.2B"
    chat.tap(button(advance, "ครบทั่วทั้งองค์การ"))
    assert chat.replies[0].text == t.OUTDATED
    assert chat.facts == ()
    assert chat.asked == "Q1.2B"
    assert "Q1.1A" not in chat.session.answers
    assert "Q1.2B" not in chat.session.answers


def test_an_old_button_that_opens_advance_shows_the_current_question_and_asks_advance_later(chat: Chat) -> None:
    chat.answer_until(lowest, stop="Q1.3B")
    chat.tap(button(question_message(chat, "Q1.1B"), "ครบทั่วทั้งองค์การ"))
    assert chat.asked == "Q1.3B"
    chat.answer_until(lowest, stop="Q1.1A")
    assert chat.asked == "Q1.1A"
    assert chat.session.answers.keys() >= {f"Q{n}" for n in ("1.1B", "1.2B", "1.3B", "7.6R")}


def test_lowering_basic_by_an_old_button_sets_aside_and_keeps_the_current_question(chat: Chat) -> None:
    chat.answer("3")
    chat.answer("3")
    chat.answer("3")
    chat.answer("0")
    assert chat.asked == "Q1.3B"
    chat.tap(button(question_message(chat, "Q1.1B"), "มีระบบ ยังไม่ทั่วถึง"))
    assert chat.facts == (RecordAnswer("Q1.1B", "2"), SetAside("Q1.1A"), SetAside("Q1.1S"))
    assert t.SET_ASIDE.format(items="1.1") in chat.said
    assert chat.asked == "Q1.3B"


def test_an_old_button_of_the_question_on_screen_answers_it_normally(chat: Chat) -> None:
    first = chat.replies[-1]
    chat.text("ช่วยเหลือ")  # the same question is drawn again with a newer version
    chat.tap(button(first, "ยังไม่มี"))
    assert chat.recorded == [RecordAnswer("Q1.1B", "0")]
    assert not chat.said.startswith("บันทึกการแก้ไข")
    assert chat.asked == "Q1.2B"


def test_an_old_button_in_review_is_applied_and_review_shown_again() -> None:
    chat = reviewing()
    chat.tap(button(question_message(chat, "Q7.6R"), "บรรลุเป้าหมาย"))
    assert chat.recorded == [RecordAnswer("Q7.6R", "300")]
    assert chat.replies[0].text.startswith("บันทึกการแก้ไขข้อ 7.6 (ผลลัพธ์)")
    assert chat.phase is Phase.REVIEW


def test_an_old_button_after_done_asks_before_reopening_then_asks_for_a_new_submit() -> None:
    chat = submitted()
    chat.tap(button(question_message(chat, "Q3.2B"), "เริ่มทำบางส่วน"))
    assert chat.phase is Phase.CONFIRM_REOPEN
    assert chat.facts == ()
    assert chat.session.submission is Submission.SUBMITTED
    chat.press(t.BTN_REOPEN)
    assert chat.facts == (Reopen(), RecordAnswer("Q3.2B", "1"))
    assert chat.phase is Phase.REVIEW
    assert t.RESUBMIT_HINT in chat.replies[-1].text
    assert t.BTN_SUBMIT in chat.labels


def test_an_old_button_after_done_that_opens_advance_asks_it() -> None:
    chat = submitted()
    chat.tap(button(question_message(chat, "Q3.2B"), "ครบทั่วทั้งองค์การ"))
    chat.press(t.BTN_REOPEN)
    assert chat.phase is Phase.ANSWERING
    assert chat.asked == "Q3.2A"
    chat.answer("0")
    assert chat.phase is Phase.REVIEW


def test_declining_to_reopen_keeps_the_submission_and_changes_nothing() -> None:
    chat = submitted()
    before = dict(chat.session.answers)
    chat.tap(button(question_message(chat, "Q3.2B"), "เริ่มทำบางส่วน"))
    chat.press(t.BTN_CANCEL)
    assert chat.facts == ()
    assert chat.said.startswith(t.REOPEN_CANCELLED)
    assert chat.session.submission is Submission.SUBMITTED
    assert chat.session.answers == before
    assert chat.phase is Phase.DONE


# Duplicate taps -----------------------------------------------------------------------------------


def test_a_second_identical_tap_on_the_answered_question_is_a_silent_no_op(chat: Chat) -> None:
    data = chat.answer_data("0")
    chat.tap(data)
    before = chat.session
    step = chat.tap(data)
    assert step.replies == ()
    assert step.facts == ()
    assert step.session == replace(before, version=before.version + 1)


def test_a_second_identical_tap_on_an_old_edit_is_a_silent_no_op(chat: Chat) -> None:
    chat.answer_until(lowest, stop="Q1.3B")
    data = button(question_message(chat, "Q1.1B"), "ไม่แน่ใจ")
    chat.tap(data)
    assert chat.recorded == [RecordAnswer("Q1.1B", "u")]
    step = chat.tap(data)
    assert step.replies == ()
    assert step.facts == ()
    chat.text("ทำต่อ")
    assert chat.asked == "Q1.3B"


def test_a_different_second_tap_on_the_same_old_message_is_an_edit(chat: Chat) -> None:
    first = chat.replies[-1]
    chat.tap(button(first, "ยังไม่มี"))
    chat.tap(button(first, "ไม่แน่ใจ"))
    assert chat.recorded == [RecordAnswer("Q1.1B", "u")]
    assert chat.replies[0].text.startswith("บันทึกการแก้ไขข้อ 1.1")
    assert chat.asked == "Q1.2B"


# Forged data ----------------------------------------------------------------------------------------


FORGED = [
    "", "garbage", "a:", "a:Q1.1B", "a:Q1.1B:3", "a:Q1.1B:3:x", "A:Q1.1B:3:1", "a:Q1.1B:3:-1",
    "a:Q1.9B:0:1",  # unknown question
    "a:Q9.1B:0:1", "a:Q1.1X:0:1",
    "a:Q1.1B:7:1", "a:Q1.1B:300:1", "a:Q7.1R:3:1", "a:Q1.1B:abcd:1",  # codes not on the question's scale
    "a:Q1.1B:๓:1", "a:Qๅ.1B:3:1",  # non-ASCII
    "a:Q1.1B:3:1" + "0" * 60,  # too long
    "a:Q1.1B:3:1 ", " a:Q1.1B:3:1",
    "c:", "c:nope", "c:Accept", "c:" + "x" * 30,
    "q:Q1.3B", "q:Q9.1B", "e:0", "e:8", "e:", "x" * 200, "🙂", "{\"a\":1}",
]


@pytest.mark.parametrize("data", FORGED)
def test_forged_data_gets_forged_and_the_current_question(data: str, chat: Chat) -> None:
    chat.answer("0")
    before = chat.session
    chat.tap(data)
    assert chat.replies[0].text == t.FORGED
    assert chat.asked == "Q1.2B"
    assert chat.facts == ()
    assert chat.session == replace(before, version=before.version + 1, shown=chat.session.shown)
    assert [c.label for c in chat.session.shown or ()] == [c.label for c in before.shown or ()]


@pytest.mark.parametrize("data", ["a:Q1.1B:3:๑", "a:Q1.1B:3:١", "a:Q1.1B:3:𝟏", "a:Q1.1B:3:1\n"])
def test_answer_data_with_non_ascii_digits_or_a_newline_is_forged(data: str, chat: Chat) -> None:
    """We only render ASCII digits and no newline: Unicode digits or a trailing newline are forged."""
    chat.answer("0")
    chat.tap(data)
    assert chat.replies[0].text == t.FORGED
    assert chat.recorded == []


@pytest.mark.parametrize("ahead", [0, 1, 1000])
def test_a_button_from_the_future_is_forged(ahead: int, chat: Chat) -> None:
    version = chat.session.version + 1 + ahead  # the version this tap will be handled at, or later
    chat.tap(f"a:Q1.1B:0:{version}")
    assert chat.replies[0].text == t.FORGED
    assert chat.recorded == []
    assert chat.asked == "Q1.1B"


@pytest.mark.parametrize("data", ["a:Q3.1B:0:1", "a:Q2.1B:3:1", "a:Q6.4B:u:1"])
def test_a_question_of_a_category_not_assigned_is_forged(data: str) -> None:
    chat = joined(make_ctx(categories=(1, 7)))
    chat.tap(data)
    assert chat.replies[0].text == t.FORGED
    assert chat.recorded == []
    assert chat.asked == "Q1.1B"


@pytest.mark.parametrize("where", ["review", "done"])
@pytest.mark.parametrize("data", ["a:Q1.9B:0:1", "c:nope", "junk"])
def test_forged_data_after_answering_gets_forged_and_the_current_prompt(where: str, data: str) -> None:
    chat = reviewing() if where == "review" else submitted()
    phase = chat.phase
    chat.tap(data)
    assert chat.replies[0].text == t.FORGED
    assert len(chat.replies) >= 2
    assert chat.phase is phase
    assert chat.facts == ()


@pytest.mark.parametrize("data", ["a:Q1.1B:3:1", "e:1", "q:Q1.1B"])
def test_assessment_buttons_before_joining_are_forged(data: str) -> None:
    chat = Chat(make_ctx(joined=False))
    chat.start()
    chat.tap(data)
    assert chat.replies[0].text == t.FORGED
    assert chat.phase is Phase.CONSENT
    assert chat.facts == ()


def test_every_button_we_draw_is_short_ascii_and_parseable() -> None:
    """Checked on every step by Chat.send; here over a whole run through every kind of message."""
    chat = joined()
    chat.text("ช่วยเหลือ")
    chat.text("คำอธิบาย")
    chat.answer_until(full)
    chat.text("แก้ไข")
    chat.press("หมวด 7")
    chat.text("ความคืบหน้า")
    chat.text("/forget")
    chat.press(t.BTN_CANCEL)
    drawn = {c.data for step in chat.steps for r in step.replies for c in r.choices}
    assert {d.split(":")[0] for d in drawn} == {"a", "c", "e", "q"}
