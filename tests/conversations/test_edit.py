"""Editing: category menu → question list → change.  Later gated questions are re-derived:
answers that no longer apply are set aside (SetAside facts), and asked again with the
previous answer as a hint once they apply again.  Editing after submitting needs a re-submit."""

from __future__ import annotations

import pytest

from conversations import Phase, RecordAnswer, Reopen, SetAside, Submission, Submit
from conversations import texts as t
from criteria.scoring import item_score, score
from tests.conversations.conftest import (
    BANK,
    Chat,
    full,
    joined,
    lowest,
    make_ctx,
    submitted,
)


def fully_met_first_item() -> Chat:
    """Item 1.1 answered fully (B, A, S = ครบทั่วทั้งองค์การ → 500), Q1.2B on screen."""
    chat = joined()
    chat.answer("3")
    chat.answer("3")
    chat.answer("3")
    assert chat.asked == "Q1.2B"
    assert item_score(BANK, BANK.item("1.1"), chat.session.answers) == 500  # type: ignore[arg-type]
    return chat


def open_edit(chat: Chat, category: int, label: str) -> None:
    chat.text("แก้ไข")
    chat.press(f"หมวด {category}")
    chat.press(label)


# The flow ------------------------------------------------------------------------------------


def test_edit_menu_then_question_list_then_change() -> None:
    chat = joined()
    chat.answer_until(lowest, stop="Q1.4B")
    chat.text("/edit")
    assert chat.phase is Phase.EDIT_CATEGORY
    assert chat.said == "\n".join([t.EDIT_PICK_CATEGORY, "หมวด 1 การนำองค์การ"])
    chat.press("หมวด 1")
    assert chat.phase is Phase.EDIT_QUESTION
    assert chat.session.edit_category == 1
    assert chat.said.splitlines() == [
        t.EDIT_PICK_QUESTION.format(number=1, category="การนำองค์การ"),
        "1. ข้อ 1.1 พื้นฐาน: ยังไม่มี",
        "2. ข้อ 1.2 พื้นฐาน: ยังไม่มี",
        "3. ข้อ 1.3 พื้นฐาน: ยังไม่มี",
    ]
    assert chat.labels == ["1.1 พื้นฐาน", "1.2 พื้นฐาน", "1.3 พื้นฐาน", t.BTN_CANCEL]
    chat.press("1.2 พื้นฐาน")
    assert chat.phase is Phase.ANSWERING
    assert chat.asked == "Q1.2B"
    assert t.EDITING_NOTE.format(answer="ยังไม่มี") in chat.said
    chat.answer("2")
    assert chat.recorded == [RecordAnswer("Q1.2B", "2")]
    assert chat.session.answers["Q1.2B"] == "2"
    assert chat.asked == "Q1.4B", "back to where the person was"


def test_edit_by_typing_numbers_and_labels() -> None:
    chat = joined()
    chat.answer_until(lowest, stop="Q2.1B")
    chat.text("แก้ไข")
    chat.text("1")
    assert chat.session.edit_category == 1
    chat.text("๒")
    assert chat.asked == "Q1.2B"
    chat.text("เริ่มทำบางส่วน")
    assert chat.recorded == [RecordAnswer("Q1.2B", "1")]
    chat.text("แก้ไข")
    chat.text(" หมวด  1 ")
    chat.text("1.4 พื้นฐาน")
    assert chat.asked == "Q1.4B"


@pytest.mark.parametrize("how", ["button", "back word", "typed label"])
def test_cancel_from_the_menu_or_the_list_returns_to_the_question(how: str) -> None:
    chat = joined()
    chat.answer_until(lowest, stop="Q1.3B")
    for steps in (["แก้ไข"], ["แก้ไข", "หมวด 1"]):
        for typed in steps:
            chat.text(typed)
        match how:
            case "button":
                chat.press(t.BTN_CANCEL)
            case "back word":
                chat.text("ย้อนกลับ")
            case _:
                chat.text("ยกเลิก")
        assert chat.replies[0].text == t.EDIT_CANCELLED
        assert chat.phase is Phase.ANSWERING
        assert chat.asked == "Q1.3B"
        assert chat.facts == ()


def test_a_full_category_fits_in_thirteen_buttons() -> None:
    chat = submitted(pick=full)
    chat.text("แก้ไข")
    assert chat.labels == [f"หมวด {n}" for n in range(1, 8)] + [t.BTN_CANCEL]
    chat.press("หมวด 1")
    assert len(chat.choices) == 13
    assert chat.labels[:3] == ["1.1 พื้นฐาน", "1.1 ก้าวหน้า", "1.1 โดดเด่น"]
    chat.text("แก้ไข")
    chat.press("หมวด 7")
    assert chat.labels == [f"7.{n} ผลลัพธ์" for n in range(1, 7)] + [t.BTN_CANCEL]


def test_edit_menu_only_offers_categories_with_answers() -> None:
    chat = joined()
    chat.answer_until(lowest, stop="Q3.1B")
    chat.text("แก้ไข")
    assert chat.labels == ["หมวด 1", "หมวด 2", t.BTN_CANCEL]


def test_an_edit_category_tap_for_a_category_without_answers_says_so() -> None:
    chat = joined()
    chat.answer("0")
    chat.text("แก้ไข")
    chat.tap("e:5")
    assert chat.replies[0].text == t.EDIT_NOTHING
    assert chat.phase is Phase.EDIT_CATEGORY
    assert chat.recorded == []


# Lowering and raising a Basic answer -------------------------------------------------------------


def test_lowering_a_fully_met_basic_sets_aside_its_advance_and_significance() -> None:
    chat = fully_met_first_item()
    open_edit(chat, 1, "1.1 พื้นฐาน")
    assert t.EDITING_NOTE.format(answer="ครบทั่วทั้งองค์การ") in chat.said
    chat.answer("2")
    assert chat.facts == (RecordAnswer("Q1.1B", "2"), SetAside("Q1.1A"), SetAside("Q1.1S"))
    assert t.SET_ASIDE.format(items="1.1") in chat.said
    assert dict(chat.session.answers) == {"Q1.1B": "2"}
    assert dict(chat.session.set_aside) == {"Q1.1A": "3", "Q1.1S": "3"}
    assert chat.asked == "Q1.2B", "back to where the person was; nothing new to ask for 1.1"


def test_set_aside_answers_no_longer_count_anywhere() -> None:
    chat = fully_met_first_item()
    open_edit(chat, 1, "1.1 พื้นฐาน")
    chat.answer("2")
    answers = chat.session.answers
    assert item_score(BANK, BANK.item("1.1"), answers) == pytest.approx(200)  # type: ignore[arg-type]
    assert score(BANK, answers).answered == 1
    chat.text("ความคืบหน้า")
    assert chat.replies[0].text.splitlines()[:2] == [
        t.PROGRESS_TITLE.format(answered=1, total=30),
        "🟡 หมวด 1 การนำองค์การ: 1/4",
    ]
    chat.text("สรุป")
    assert "หมวด 1 การนำองค์การ: 50 (ยังไม่ถึงระดับพื้นฐาน)" in chat.replies[0].text
    chat.text("แก้ไข")
    chat.press("หมวด 1")
    assert chat.labels == ["1.1 พื้นฐาน", t.BTN_CANCEL], "set-aside answers are not offered for editing"


def test_raising_basic_again_asks_advance_again_with_the_previous_answer_as_a_hint() -> None:
    chat = fully_met_first_item()
    open_edit(chat, 1, "1.1 พื้นฐาน")
    chat.answer("1")
    open_edit(chat, 1, "1.1 พื้นฐาน")
    chat.answer("3")
    assert chat.facts == (RecordAnswer("Q1.1B", "3"),)
    assert chat.asked == "Q1.1A"
    assert t.PREVIOUS_NOTE.format(answer="ครบทั่วทั้งองค์การ") in chat.said
    assert t.EDITING_NOTE.split("—")[0] not in chat.said
    chat.answer("2")
    assert chat.facts == (RecordAnswer("Q1.1A", "2"),)
    assert dict(chat.session.set_aside) == {"Q1.1S": "3"}, "S still waits for a fully-met A"
    assert chat.asked == "Q1.2B"


def test_raising_basic_by_an_old_button_also_reasks_advance_later() -> None:
    chat = fully_met_first_item()
    full_basic = chat.steps[-4].replies[-1]  # the Q1.1B message the person answered first
    assert full_basic.question_id == "Q1.1B"
    open_edit(chat, 1, "1.1 พื้นฐาน")
    chat.answer("0")
    assert chat.asked == "Q1.2B"
    chat.tap(next(c.data for c in full_basic.choices if c.label == "ครบทั่วทั้งองค์การ"))
    assert chat.recorded == [RecordAnswer("Q1.1B", "3")]
    assert chat.asked == "Q1.2B", "the current question is shown again"
    chat.answer("0")
    chat.answer_until(lowest, stop="Q1.1A")
    assert chat.asked == "Q1.1A", "the re-opened Advance question is asked before review"
    assert t.PREVIOUS_NOTE.format(answer="ครบทั่วทั้งองค์การ") in chat.said


def test_lowering_advance_sets_aside_only_significance() -> None:
    chat = fully_met_first_item()
    open_edit(chat, 1, "1.1 ก้าวหน้า")
    chat.answer("1")
    assert chat.facts == (RecordAnswer("Q1.1A", "1"), SetAside("Q1.1S"))
    assert set(chat.session.answers) == {"Q1.1B", "Q1.1A"}
    assert item_score(BANK, BANK.item("1.1"), chat.session.answers) == pytest.approx(300 + 100 / 3)  # type: ignore[arg-type]


def test_changing_basic_between_lower_answers_sets_nothing_aside() -> None:
    chat = joined()
    chat.answer("1")
    chat.answer_until(lowest, stop="Q1.3B")
    open_edit(chat, 1, "1.1 พื้นฐาน")
    chat.answer("2")
    assert chat.facts == (RecordAnswer("Q1.1B", "2"),)


def test_a_skipped_question_that_no_longer_applies_is_not_counted_as_skipped() -> None:
    chat = joined()
    chat.answer("3")  # Q1.1B fully met → Q1.1A
    old_basic = chat.steps[-2].replies[-1]
    chat.text("ข้าม")  # skip Q1.1A
    assert chat.session.skipped == {"Q1.1A"}
    chat.tap(next(c.data for c in old_basic.choices if c.label == "เริ่มทำบางส่วน"))  # Q1.1A no longer applies
    chat.answer_until(lowest)
    assert chat.phase is Phase.REVIEW
    assert chat.replies[-1].text.startswith(t.REVIEW_ALL)
    assert t.BTN_ANSWER_SKIPPED not in chat.labels


# Editing after submitting -------------------------------------------------------------------------


def test_editing_after_done_returns_to_review_and_needs_a_new_submit() -> None:
    chat = submitted()
    chat.text("แก้ไข")
    assert chat.session.resume_phase is Phase.DONE
    chat.press("หมวด 7")
    chat.press("7.1 ผลลัพธ์")
    assert chat.asked == "Q7.1R"
    chat.text("3")  # the third answer: บรรลุเป้าหมาย (300 points)
    assert chat.phase is Phase.CONFIRM_REOPEN, "a sent answer is changed only after saying so"
    assert chat.facts == ()
    chat.press(t.BTN_REOPEN)
    assert chat.facts == (Reopen(), RecordAnswer("Q7.1R", "300"))
    assert chat.session.submission is Submission.REOPENED
    assert chat.phase is Phase.REVIEW
    assert "ส่งคำตอบ" in chat.said
    assert chat.labels[0] == t.BTN_SUBMIT
    chat.text("/summary")
    assert "สรุปผลการประเมิน" not in chat.replies[0].text, "not final until submitted again"
    chat.press(t.BTN_SUBMIT)
    assert chat.facts == (Submit(),)
    assert chat.phase is Phase.DONE
    assert "หมวด 7 ผลลัพธ์: 50 (ยังไม่ถึงระดับพื้นฐาน)" in chat.said


def test_lowering_basic_after_done_sets_aside_and_reopens_review() -> None:
    chat = submitted(pick=full)
    open_edit(chat, 2, "2.3 พื้นฐาน")
    chat.text("มีระบบ ยังไม่ทั่วถึง")
    chat.press(t.BTN_REOPEN)
    assert chat.facts == (Reopen(), RecordAnswer("Q2.3B", "2"), SetAside("Q2.3A"), SetAside("Q2.3S"))
    assert chat.phase is Phase.REVIEW
    assert len(chat.session.answers) == 76
    chat.press(t.BTN_SUBMIT)
    assert chat.facts == (Submit(),)
    assert "ภาพรวม 500" not in chat.said


def test_cancelling_an_edit_after_done_stays_done() -> None:
    chat = submitted()
    chat.text("/edit")
    chat.press("หมวด 3")
    chat.press(t.BTN_CANCEL)
    assert chat.replies[0].text == t.EDIT_CANCELLED
    assert chat.phase is Phase.DONE
    assert chat.replies[-1].text == t.DONE_HINT


def test_edit_with_assigned_categories_lists_only_those() -> None:
    chat = joined(make_ctx(categories=(1, 7)))
    chat.answer_until(lowest)
    chat.text("แก้ไข")
    assert chat.labels == ["หมวด 1", "หมวด 7", t.BTN_CANCEL]


def test_an_edit_tap_for_an_unassigned_category_is_answered_as_forged() -> None:
    chat = submitted(make_ctx(categories=(1, 7)))
    chat.tap("e:3")
    assert chat.replies[0].text == t.FORGED
    assert chat.phase is Phase.DONE


def test_a_forged_edit_tap_then_cancel_keeps_a_submitted_person_done() -> None:
    chat = submitted(make_ctx(categories=(1, 7)))
    chat.tap("e:3")
    chat.text("ยกเลิก")
    assert chat.phase is Phase.DONE


def test_an_edit_tap_for_a_category_without_answers_after_done_then_cancel_stays_done() -> None:
    chat = joined()
    chat.answer_until(lowest, stop="Q3.1B")
    for _ in range(4):
        chat.text("ข้าม")
    chat.answer_until(lowest)
    chat.press(t.BTN_SUBMIT)
    chat.text("แก้ไข")
    assert "หมวด 3" not in chat.labels
    chat.tap("e:3")
    assert chat.replies[0].text == t.EDIT_NOTHING
    chat.press(t.BTN_CANCEL)
    assert chat.phase is Phase.DONE
