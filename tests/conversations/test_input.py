"""Typed input: a choice by number (Arabic, Thai, full-width), by its label, with any spacing
or NFKC form; anything else gets a short polite hint and the same question again."""

from __future__ import annotations

import pytest

from conversations import Phase, RecordAnswer
from conversations import texts as t
from tests.conversations.conftest import BANK, Chat, joined, lowest, make_ctx


def at_result_question() -> Chat:
    chat = joined(make_ctx(categories=(7,)))
    assert chat.asked == "Q7.1R"
    return chat


@pytest.mark.parametrize("typed", [
    "3", "๓", "３", " 3 ", "3.", "3)", "ข้อ 3", "ข้อ3", "ข้อ ๓", "\u00a03\u3000",
    "มีระบบ ยังไม่ทั่วถึง", "  มีระบบ   ยังไม่ทั่วถึง ", "มีระบบ\u3000ยังไม่ทั่วถึง", "มีระบบ\tยังไม่ทั่วถึง",
    "ทำเป็นระบบแล้ว แต่ยังไม่ครอบคลุมทุกหน่วยงาน",  # the option's full text
])
def test_the_third_choice_typed_in_any_form(typed: str, chat: Chat) -> None:
    chat.text(typed)
    assert chat.recorded == [RecordAnswer("Q1.1B", "2")]
    assert chat.asked == "Q1.2B"


@pytest.mark.parametrize(("typed", "code"), [
    ("1", "0"), ("๑", "0"), ("ยังไม่มี", "0"), ("2", "1"), ("เริ่มทำบางส่วน", "1"),
    ("4", "3"), ("๔", "3"), ("４", "3"), ("ครบทั่วทั้งองค์การ", "3"), ("5", "u"), ("ไม่แน่ใจ", "u"),
])
def test_every_option_of_the_deploy_scale_by_number_and_label(typed: str, code: str, chat: Chat) -> None:
    chat.text(typed)
    assert chat.recorded == [RecordAnswer("Q1.1B", code)]


@pytest.mark.parametrize(("typed", "code"), [
    ("1", "0"), ("3", "300"), ("๕", "500"), ("６", "u"),
    ("300", "300"), ("150", "150"), ("５００", "500"),
    ("ดีกว่าหน่วยงานอื่น", "500"), ("ดีขึ้นต่อเนื่อง 3 ปี", "400"), ("  ดีขึ้นต่อเนื่อง  3  ปี", "400"),
])
def test_result_answers_by_number_label_or_points(typed: str, code: str) -> None:
    chat = at_result_question()
    chat.text(typed)
    assert chat.recorded == [RecordAnswer("Q7.1R", code)]
    assert chat.asked == "Q7.2R"


def test_result_points_typed_in_thai_digits() -> None:
    """parsing.py: "Thai digits (๑๒๓) are digits" - points too."""
    chat = at_result_question()
    chat.text("๓๐๐")
    assert chat.recorded == [RecordAnswer("Q7.1R", "300")]


@pytest.mark.parametrize("typed", [
    "อะไรนะคะ", "99", "๙๙", "3 4", "1,2", "0.5", "-1", "😀", "👍🏻", "", "   ", "ครบ", "yes", "ข้อ", "Q1.1B",
    "a:Q1.1B:3:1", "ยังไม่มีเลย", "1️⃣",
])
def test_anything_else_gets_a_polite_hint_and_the_same_question(typed: str, chat: Chat) -> None:
    chat.answer("0")
    before = chat.session
    chat.text(typed)
    assert chat.replies[0].text == t.NOT_UNDERSTOOD.format(count=5)
    assert chat.asked == "Q1.2B"
    assert chat.facts == ()
    assert chat.session.answers == before.answers
    assert chat.session.position == before.position
    assert chat.phase is Phase.ANSWERING


def test_the_hint_counts_the_options_of_the_scale_on_screen() -> None:
    chat = at_result_question()
    chat.text("เยี่ยมมาก")
    assert chat.replies[0].text == t.NOT_UNDERSTOOD.format(count=6)
    assert chat.asked == "Q7.1R"


def test_the_hint_is_short_and_polite(chat: Chat) -> None:
    chat.text("???!")
    hint = chat.replies[0].text
    assert len(hint) <= 80
    assert "ขออภัย" in hint
    assert "ค่ะ" in hint


@pytest.mark.parametrize("typed", ["3", "ครบทั่วทั้งองค์การ"])
def test_typed_answers_use_the_buttons_of_the_question_on_screen(typed: str, chat: Chat) -> None:
    """A typed choice goes to the question shown now, never to an earlier one."""
    chat.answer("3")
    assert chat.asked == "Q1.1A"
    chat.text(typed)
    assert [f.question_id for f in chat.recorded] == ["Q1.1A"]
    assert chat.session.answers["Q1.1B"] == "3"


def test_typed_codes_match_case_insensitively(chat: Chat) -> None:
    chat.text("U")
    assert chat.recorded == [RecordAnswer("Q1.1B", "u")]


def test_typing_in_review_picks_its_buttons_by_number() -> None:
    chat = joined()
    chat.answer_until(lowest)
    chat.text("๓")  # ส่งคำตอบ, แก้ไขคำตอบ, ดูสรุปผล
    assert chat.replies[0].summary
    assert chat.phase is Phase.REVIEW
    chat.text("ส่งคำตอบ")
    assert chat.phase is Phase.DONE


def test_a_confused_person_in_review_gets_the_hint_and_the_review_again() -> None:
    chat = joined()
    chat.answer_until(lowest)
    chat.text("เสร็จหรือยัง")
    assert chat.replies[0].text == t.NOT_UNDERSTOOD.format(count=3)
    assert chat.labels == ["ส่งคำตอบ", "แก้ไขคำตอบ", "ดูสรุปผล"]


def test_every_label_of_the_bank_is_typeable() -> None:
    """Labels are unique within a scale and not a command word, so typing one is unambiguous."""
    from conversations.parsing import command_of, normalize, number_of

    for scale in BANK.scales.values():
        labels = [normalize(o.label) for o in scale.options]
        assert len(set(labels)) == len(labels)
        for option in scale.options:
            assert command_of(option.label) is None, option.label
            assert number_of(option.label) is None, option.label
