"""Turning what people type or tap into intents: commands, choice numbers, button data.

Text is NFKC-normalised and case-folded first, so full-width digits, odd spacing and
English/Thai command words all land on the same intent; Thai digits (๑๒๓) are digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "start": ("เริ่ม", "เริ่มต้น", "/start", "start"),
    "resume": ("ทำต่อ", "/resume", "resume", "continue"),
    "back": ("ย้อนกลับ", "ย้อน", "/back", "back"),
    "skip": ("ข้าม", "/skip", "skip"),
    "edit": ("แก้ไข", "แก้ไขคำตอบ", "/edit", "edit"),
    "progress": ("ความคืบหน้า", "/progress", "progress"),
    "summary": ("สรุป", "สรุปผล", "ดูสรุปผล", "/summary", "summary"),
    "help": ("ช่วยเหลือ", "วิธีใช้", "/help", "help"),
    "forget": ("ลบข้อมูลของฉัน", "/forget", "forget"),
    "explain": ("คำอธิบาย", "/explain", "explain", "?"),
}
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^(?:ข้อ\s*)?(\d{1,4})\s*[.)]?$")
_CHOICE_NUMBER = re.compile(r"^(\d{1,4})\s*[.)]?$")  # "3", "๓", "３", "3.", "3)"; not "ข้อ 3" (a question)
_BOT_SUFFIX = re.compile(r"^(/\w+)@\w+")  # Telegram: /start@pmqa_bot


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip().casefold()


_COMMAND_OF = {normalize(word): name for name, words in COMMAND_WORDS.items() for word in words}


def command_of(text: str) -> str | None:
    cleaned = _BOT_SUFFIX.sub(r"\1", normalize(text))
    return _COMMAND_OF.get(cleaned) or _COMMAND_OF.get(cleaned.replace(" ", ""))


def number_of(text: str) -> int | None:
    """ "3", "๓", "３", "3.", "ข้อ 3" → 3 (Thai and full-width digits included)."""
    match = _NUMBER.match(normalize(text))
    return int(match.group(1)) if match else None


def choice_number_of(text: str) -> int | None:
    """The number of a choice on screen as typed: digits alone (Arabic, Thai, full-width), maybe "3." or "3)"."""
    match = _CHOICE_NUMBER.match(normalize(text))
    return int(match.group(1)) if match else None


def same_label(typed: str, label: str) -> bool:
    """A label typed back: any case, spacing or NFKC form ("มีระบบยังไม่ทั่วถึง" is "มีระบบ ยังไม่ทั่วถึง")."""
    return normalize(typed).replace(" ", "") == normalize(label).replace(" ", "")


def invite_code_of(text: str) -> str:
    """Invite codes are shown grouped (ABCD-EFGH); people retype them with any spacing or case."""
    return re.sub(r"[\s\-_.]", "", unicodedata.normalize("NFKC", text)).upper()


# Button data: short ASCII, ≤ 64 bytes (Telegram callback_data) ------------------------


@dataclass(frozen=True, slots=True)
class AnswerTap:
    question_id: str
    code: str
    version: int


@dataclass(frozen=True, slots=True)
class CommandTap:
    name: str


@dataclass(frozen=True, slots=True)
class EditCategoryTap:
    number: int


@dataclass(frozen=True, slots=True)
class EditQuestionTap:
    question_id: str


@dataclass(frozen=True, slots=True)
class RemindTap:
    """"Send" under a coordinator's reminder preview."""

    reminder_id: int


TapIntent = AnswerTap | CommandTap | EditCategoryTap | EditQuestionTap | RemindTap

# ASCII only and anchored with \Z: `\d` would accept Thai digits and `$` a trailing newline,
# and we never render either — such data is forged or corrupted.
_ANSWER = re.compile(r"\Aa:(Q[1-7]\.[1-9][BASR]):([A-Za-z0-9]{1,3}):([0-9]{1,9})\Z")
_COMMAND = re.compile(r"\Ac:([a-z_]{1,20})\Z")
_EDIT_CATEGORY = re.compile(r"\Ae:([1-7])\Z")
_EDIT_QUESTION = re.compile(r"\Aq:(Q[1-7]\.[1-9][BASR])\Z")
_REMIND = re.compile(r"\Ar:([0-9]{1,12})\Z")


def answer_data(question_id: str, code: str, version: int) -> str:
    return f"a:{question_id}:{code}:{version}"


def command_data(name: str) -> str:
    return f"c:{name}"


def edit_category_data(number: int) -> str:
    return f"e:{number}"


def edit_question_data(question_id: str) -> str:
    return f"q:{question_id}"


def remind_data(reminder_id: int) -> str:
    return f"r:{reminder_id}"


def parse_tap(data: str) -> TapIntent | None:
    """None for anything we did not render: forged or corrupted data is never guessed at."""
    if len(data) > 64:
        return None
    if match := _ANSWER.match(data):
        return AnswerTap(match.group(1), match.group(2), int(match.group(3)))
    if match := _COMMAND.match(data):
        return CommandTap(match.group(1))
    if match := _EDIT_CATEGORY.match(data):
        return EditCategoryTap(int(match.group(1)))
    if match := _EDIT_QUESTION.match(data):
        return EditQuestionTap(match.group(1))
    if match := _REMIND.match(data):
        return RemindTap(int(match.group(1)))
    return None
