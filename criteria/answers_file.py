"""Read answer sets written by people (JSON files, CLI): ids and values checked against the bank."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from criteria.model import Bank

UNSURE_WORDS = {"unsure", "not sure", "u", "?", "ไม่แน่ใจ"}


class AnswerError(ValueError):
    pass


def parse_answer_sets(bank: Bank, data: Any) -> list[dict[str, str]]:
    """One object → one respondent; a list of objects → several."""
    sets = data if isinstance(data, list) else [data]
    if not sets:
        raise AnswerError("the file holds an empty list: no respondents")
    parsed = []
    for number, answers in enumerate(sets, 1):
        where = f"respondent {number}: " if isinstance(data, list) else ""
        if not isinstance(answers, Mapping):
            raise AnswerError(f"{where}expected an object of question id → answer")
        parsed.append(_parse_one(bank, answers, where))
    return parsed


def _parse_one(bank: Bank, answers: Mapping[Any, Any], where: str) -> dict[str, str]:
    result = {}
    for question_id, value in answers.items():
        question = bank.question(str(question_id))
        if question is None:
            raise AnswerError(f"{where}unknown question id '{question_id}'")
        scale = bank.scale_for(question)
        code = to_code(scale.options, value)
        if code is None:
            allowed = ", ".join(o.code if not o.unsure else '"unsure"' for o in scale.options)
            raise AnswerError(f"{where}{question_id}: {value!r} is not on the scale ({allowed})")
        result[question.id] = code
    return result


def _normal(text: str) -> str:
    # Both sides: NFKC splits SARA AM (ำ) into two code points, so a raw label would never match.
    return unicodedata.normalize("NFKC", text).strip().casefold()


def to_code(options: Any, value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = _normal(str(value))
    if text.isdecimal():
        text = str(int(text))  # Thai digits and leading zeros
    for option in options:
        if option.code.casefold() == text or _normal(option.label) == text:
            return str(option.code)
        if option.unsure and text in UNSURE_WORDS:
            return str(option.code)
    return None
