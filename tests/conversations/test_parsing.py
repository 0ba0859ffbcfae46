"""Turning what people type or tap into intents: command words, choice numbers, invite codes
and the button data we render (short ASCII, parsed back exactly, anything else refused)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.parsing import (
    COMMAND_WORDS,
    AnswerTap,
    CommandTap,
    EditCategoryTap,
    EditQuestionTap,
    answer_data,
    command_data,
    command_of,
    edit_category_data,
    edit_question_data,
    invite_code_of,
    normalize,
    number_of,
    parse_tap,
)
from tests.conversations.conftest import BANK


@pytest.mark.parametrize(("text", "name"), [
    ("เริ่ม", "start"), ("/start", "start"), ("/start@pmqa_bot", "start"), ("/START@PMQA_BOT", "start"),
    ("ทำต่อ", "resume"), ("/resume", "resume"), (" ทำ ต่อ ", "resume"),
    ("ย้อนกลับ", "back"), ("/back@bot", "back"), ("ข้าม", "skip"), ("/skip", "skip"),
    ("แก้ไข", "edit"), ("/edit", "edit"), ("ความคืบหน้า", "progress"), ("/progress", "progress"),
    ("สรุป", "summary"), ("/summary", "summary"), ("ช่วยเหลือ", "help"), ("/help", "help"),
    ("ลบข้อมูลของฉัน", "forget"), ("/forget", "forget"), ("ลบ ข้อมูล ของ ฉัน", "forget"),
    ("／ｈｅｌｐ", "help"), ("\u3000สรุป\u00a0", "summary"), ("Help", "help"),
])
def test_command_words(text: str, name: str) -> None:
    assert command_of(text) == name


@pytest.mark.parametrize("text", ["เริ่มทำบางส่วน", "ครบทั่วทั้งองค์การ", "3", "/unknown", "help me", "", "ข้อ 1"])
def test_not_command_words(text: str) -> None:
    assert command_of(text) is None


def test_every_command_word_is_recognised() -> None:
    for name, words in COMMAND_WORDS.items():
        for word in words:
            assert command_of(word) == name, word


@pytest.mark.parametrize(("text", "number"), [
    ("3", 3), ("๓", 3), ("３", 3), (" 3 ", 3), ("3.", 3), ("3)", 3), ("ข้อ 3", 3), ("ข้อ๓", 3),
    ("๑๒", 12), ("１３", 13), ("0", 0), ("300", 300),
])
def test_numbers(text: str, number: int) -> None:
    assert number_of(text) == number


@pytest.mark.parametrize("text", ["", "สาม", "3 4", "3.5", "-1", "12345", "1,2", "a3", "๓ข้อ"])
def test_not_numbers(text: str) -> None:
    assert number_of(text) is None


@pytest.mark.parametrize(("text", "code"), [
    ("abcd-efgh", "ABCDEFGH"), (" AB CD ", "ABCD"), ("ａｂ＿ｃｄ", "ABCD"), ("ab.cd", "ABCD"), ("", ""),
])
def test_invite_codes(text: str, code: str) -> None:
    assert invite_code_of(text) == code


def test_normalize_folds_width_case_and_spaces() -> None:
    assert normalize("  ＡＢ\u3000\tc ") == "ab c"


def test_every_rendered_datum_parses_back_exactly() -> None:
    for question in BANK.questions:
        for option in BANK.scale_for(question).options:
            for version in (0, 1, 999_999_999):
                data = answer_data(question.id, option.code, version)
                assert data.isascii()
                assert len(data.encode()) <= 64
                assert parse_tap(data) == AnswerTap(question.id, option.code, version)
        assert parse_tap(edit_question_data(question.id)) == EditQuestionTap(question.id)
    for number in range(1, 8):
        assert parse_tap(edit_category_data(number)) == EditCategoryTap(number)
    for name in ("accept", "decline", "submit", "answer_skipped", "cancel", "forget_yes", "resume"):
        assert parse_tap(command_data(name)) == CommandTap(name)


@pytest.mark.parametrize("data", [
    "", "a", "a:Q1.1B:3", "a:Q8.1B:3:1", "e:9", "q:Q1.0B", "c:Help", "x" * 65,
    "a:Q1.1B:3:๑", "a:Q1.1B:3:1\n", "c:help\n", "e:1\n", "q:Q1.1B\n", "e:๑",
])
def test_unrendered_data_is_refused(data: str) -> None:
    assert parse_tap(data) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_parsing_never_raises(text: str) -> None:
    normalize(text)
    command_of(text)
    number_of(text)
    invite_code_of(text)
    intent = parse_tap(text)
    if intent is not None:
        assert len(text) <= 64
