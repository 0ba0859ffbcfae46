"""Issue 11, items 3 and 4: a typed number means the choice shown last with that number, a label typed
back does what its button does, and the numbers of answers never move nor collide with navigation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversations import Ask, Choice, Joined, Phase, RecordAnswer, Reply
from conversations import coordinator_texts as ct
from conversations import texts as t
from conversations.coordinating import RemindConfirm, RemindPreview, StatusRequest, SummaryRequest
from conversations.model import numbered
from conversations.parsing import command_data, remind_data
from conversations.typed import remember_shown
from tests.conversations.conftest import AGENCY, BANK, Chat, consented, joined, lowest, make_ctx

PREVIEW = Reply("ตัวอย่างคำเตือนค่ะ", numbered(Choice(ct.BTN_SEND_REMINDER, remind_data(42)),
                                              Choice(t.BTN_CANCEL, command_data("cancel"))))
STATUS = Reply("สถานะ จังหวัดตัวอย่าง", numbered(Choice(ct.BTN_STATUS, command_data("status")),
                                                  Choice(ct.BTN_REMIND, command_data("remind")),
                                                  Choice(ct.BTN_SUMMARY, command_data("summary"))))


def coordinator() -> Chat:
    chat = consented(make_ctx(joined=False))
    chat.ctx = replace(make_ctx(), role="coordinator")
    chat.send(Joined(AGENCY, "coordinator"))
    return chat


def shell_answers(chat: Chat, reply: Reply) -> None:
    """The shell answered the last `Ask` with `reply` (the engine remembers what it showed the same way)."""
    assert any(isinstance(f, Ask) for f in chat.facts)
    chat.session = remember_shown(chat.session, (reply,))


def asks(chat: Chat) -> list[object]:
    return [f.request for f in chat.facts if isinstance(f, Ask)]


@pytest.mark.parametrize("typed", ["1", "๑", " 1 ", "ส่งคำเตือน", "ส่ง คำเตือน", "ใช่"])
def test_in_the_reminder_preview_1_or_its_label_sends_this_reminder(typed: str) -> None:
    chat = coordinator()
    chat.text("เตือน")
    assert asks(chat) == [RemindPreview(None)]
    shell_answers(chat, PREVIEW)
    chat.text(typed)
    assert asks(chat) == [RemindConfirm(42)]  # not สถานะ, the menu's 1


def test_in_the_reminder_preview_typed_cancel_cancels() -> None:
    chat = coordinator()
    chat.text("เตือน")
    shell_answers(chat, PREVIEW)
    for typed in ("ยกเลิก", "2"):
        chat.text(typed)
        assert asks(chat) == [] and chat.facts == ()
        assert t.NOT_UNDERSTOOD.split(" ")[0] not in chat.said, chat.said
        assert chat.labels == [ct.BTN_STATUS, ct.BTN_SUMMARY, ct.BTN_REMIND, ct.BTN_EXPORT, ct.BTN_ROUNDS,
                               ct.BTN_INVITE, t.BTN_HELP]  # back at the menu
        chat.text("เตือน")
        shell_answers(chat, PREVIEW)


def test_after_a_cancelled_preview_yes_sends_nothing() -> None:
    chat = coordinator()
    chat.text("เตือน")
    shell_answers(chat, PREVIEW)
    chat.text("ยกเลิก")
    chat.text("ใช่")
    assert asks(chat) == []


def test_after_status_2_is_its_second_button_not_the_menus() -> None:
    chat = coordinator()
    chat.text("สถานะ")
    assert asks(chat) == [StatusRequest(None)]
    shell_answers(chat, STATUS)
    chat.text("2")
    assert asks(chat) == [RemindPreview(None)]  # shown as เตือนผู้ยังไม่เสร็จ; the menu's 2 is สรุปผล
    shell_answers(chat, STATUS)
    chat.text("๓")
    assert asks(chat) == [SummaryRequest(None)]


def test_a_coordinator_typing_a_number_not_on_screen_gets_the_same_buttons_and_a_hint() -> None:
    chat = coordinator()
    chat.text("เตือน")
    shell_answers(chat, PREVIEW)
    chat.text("5")
    assert asks(chat) == []
    assert t.NOT_UNDERSTOOD.format(numbers="1–2") in chat.said
    assert chat.labels == [ct.BTN_SEND_REMINDER, t.BTN_CANCEL]  # the preview's buttons are not lost
    chat.text("1")
    assert asks(chat) == [RemindConfirm(42)]


def test_every_menu_label_typed_does_what_its_button_does() -> None:
    chat = coordinator()
    for choice in chat.choices:
        by_tap, by_text = coordinator(), coordinator()
        by_tap.press(choice.label)
        by_text.text(choice.label)
        assert by_text.facts == by_tap.facts, choice.label
        assert by_text.said == by_tap.said, choice.label


def test_the_label_of_every_button_an_officer_sees_does_what_the_button_does() -> None:
    chat = joined()
    chat.answer("3")
    for choice in chat.choices:
        by_tap, by_text = joined(), joined()
        by_tap.answer("3")
        by_text.answer("3")
        by_tap.press(choice.label)
        by_text.text(choice.label)
        assert by_text.facts == by_tap.facts, choice.label
        assert by_text.said == by_tap.said, choice.label


def test_process_and_result_answers_are_numbered_1_to_n_and_navigation_has_no_number() -> None:
    process = joined()
    result = joined(make_ctx(categories=(7,)))
    for chat, count in ((process, 5), (result, 6)):
        numbers = [c.number for c in chat.choices]
        assert numbers == [*range(1, count + 1), None, None, None]
        assert [c.label for c in chat.choices if c.number is None] == [t.BTN_BACK, t.BTN_SKIP, t.BTN_EXPLAIN]


def test_the_same_number_never_means_back_on_one_question_and_an_answer_on_another() -> None:
    result = joined(make_ctx(categories=(7,)))
    result.text("6")  # ไม่แน่ใจ on a result question
    assert result.recorded == [RecordAnswer("Q7.1R", "u")]
    process = joined()
    process.answer("0")
    process.text("6")  # once ย้อนกลับ here: now nothing
    assert process.facts == () and process.asked == "Q1.2B"
    for word, then in (("ย้อนกลับ", "Q1.1B"), ("ข้าม", "Q1.2B")):
        process.text(word)
        assert process.asked == then


def test_the_review_menu_keeps_its_numbers_with_or_without_skipped_questions() -> None:
    plain = joined()
    plain.answer_until(lowest)
    skipping = joined()
    skipping.text("ข้าม")
    skipping.answer_until(lowest)
    assert plain.phase is skipping.phase is Phase.REVIEW
    first = {c.number: c.label for c in plain.choices}
    second = {c.number: c.label for c in skipping.choices}
    assert first == {1: t.BTN_SUBMIT, 2: t.BTN_EDIT, 3: t.BTN_SUMMARY}
    assert second == {**first, 4: t.BTN_ANSWER_SKIPPED}
    skipping.text("1")
    assert skipping.phase is Phase.DONE


def test_edit_categories_are_typed_as_their_own_number() -> None:
    chat = joined(make_ctx(categories=(2, 5)))
    chat.answer_until(lowest)
    chat.text("แก้ไข")
    assert {c.number: c.label for c in chat.choices if c.number} == {2: "หมวด 2", 5: "หมวด 5"}
    chat.text("5")
    assert chat.phase is Phase.EDIT_QUESTION and chat.session.edit_category == 5
    chat.text("ยกเลิก")
    assert chat.phase is Phase.REVIEW


def test_what_was_shown_is_kept_in_the_session() -> None:
    chat = joined()
    assert chat.session.shown == chat.choices
    question = BANK.question("Q1.1B")
    assert question is not None
    chat.text("4")
    assert chat.recorded == [RecordAnswer("Q1.1B", "3")]


def test_a_reply_without_buttons_keeps_the_numbers_shown_before() -> None:
    chat = coordinator()
    chat.text("สถานะ")
    shell_answers(chat, STATUS)
    chat.text("รอบ")
    shell_answers(chat, Reply("รอบการประเมิน (ล่าสุดก่อน)"))  # no buttons: the status's are still the last shown
    chat.text("2")
    assert asks(chat) == [RemindPreview(None)]
