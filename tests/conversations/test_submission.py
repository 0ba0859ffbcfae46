"""After ส่งคำตอบ, looking and moving around never withdraws the submission (issue 11, defect 1).

Changing a sent answer is an explicit act (แก้ไขหลังส่ง) that the person confirms; a closed round
takes no changes at all, and its answers can still be read."""

from __future__ import annotations

from dataclasses import replace

from conversations import Phase, RecordAnswer, Reopen, Submission, Submit
from conversations import texts as t
from tests.conversations.conftest import ROUND, make_ctx, submitted


def test_going_back_after_submitting_keeps_the_submission() -> None:
    chat = submitted()
    chat.text("ย้อนกลับ")
    assert chat.phase is Phase.ANSWERING
    assert chat.facts == ()
    assert chat.session.submission is Submission.SUBMITTED


def test_stepping_through_sent_answers_unchanged_ends_done_not_in_review() -> None:
    chat = submitted()
    chat.text("ย้อนกลับ")
    question = chat.asked
    assert question is not None
    chat.answer(chat.session.answers[question])  # the same answer as sent
    assert chat.facts == ()
    assert chat.phase is Phase.DONE
    assert chat.session.submission is Submission.SUBMITTED
    assert t.DONE_HINT in chat.said


def test_opening_edit_and_picking_a_question_withdraws_nothing() -> None:
    chat = submitted()
    chat.text("แก้ไข")
    chat.press("หมวด 7")
    chat.press("7.1 ผลลัพธ์")
    assert chat.asked == "Q7.1R"
    assert chat.facts == ()
    assert chat.session.submission is Submission.SUBMITTED
    chat.text("สรุป")
    assert "สรุปผลการประเมิน" in chat.replies[0].text, "still the submitted, final summary"


def test_a_changed_answer_is_reopened_only_after_confirming_and_sent_again_by_submitting() -> None:
    chat = submitted()
    chat.text("แก้ไข")
    chat.press("หมวด 7")
    chat.press("7.1 ผลลัพธ์")
    chat.text("3")
    assert chat.said == t.REOPEN_CONFIRM
    assert [c.label for c in chat.choices] == [t.BTN_REOPEN, t.BTN_CANCEL]
    assert all(len(c.label) <= 20 for c in chat.choices)
    chat.text("1")  # the number shown beside แก้ไขหลังส่ง
    assert chat.facts == (Reopen(), RecordAnswer("Q7.1R", "300"))
    assert chat.session.submission is Submission.REOPENED
    chat.press(t.BTN_SUBMIT)
    assert chat.facts == (Submit(),)
    assert chat.session.submission is Submission.SUBMITTED
    assert chat.replies[0].text == t.RESUBMITTED


def test_the_pending_answer_survives_as_state_until_confirmed() -> None:
    chat = submitted()
    chat.text("ย้อนกลับ")
    question = chat.asked
    other = next(o.code for o in chat.ctx.bank.scale_for(chat.ctx.bank.question(question)).options
                 if o.code != chat.session.answers[question])
    chat.answer(other)
    assert chat.session.pending_answer == (question, other)
    chat.text("ยกเลิก")
    assert chat.session.pending_answer is None
    assert chat.session.submission is Submission.SUBMITTED


def test_a_closed_round_refuses_every_change_but_shows_the_summary() -> None:
    chat = submitted()
    chat.ctx = make_ctx(round_info=replace(ROUND, accepting=False))
    closed = t.ROUND_CLOSED.format(round=ROUND.name)
    for word in ("ย้อนกลับ", "แก้ไข", "ข้าม"):
        chat.text(word)
        assert chat.said.startswith(closed), word
        assert chat.facts == ()
    chat.text("สรุป")
    assert "สรุปผลการประเมิน" in chat.replies[0].text
    assert chat.session.submission is Submission.SUBMITTED


def test_a_closed_round_refuses_an_old_answer_button() -> None:
    chat = submitted()
    chat.text("ย้อนกลับ")
    data = chat.answer_data("0")
    chat.ctx = make_ctx(round_info=replace(ROUND, accepting=False))
    chat.tap(data)
    assert chat.facts == ()
    assert chat.said.startswith(t.ROUND_CLOSED.format(round=ROUND.name))
