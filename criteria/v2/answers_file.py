"""Read version-2 score files written by people: practice answers and category-7 indicator values.

One JSON object is one respondent; a list of objects is several.  Keys are practice ids exactly as
in the instrument (``"1.1-B1"``), each ``true`` (done), ``false`` (not done) or ``"unsure"``; and
result items (``"7.1"``), each a list of indicators
``{"direction": "higher" | "lower", "target": 85, "actual": 80}`` (or ``"values"``: up to three
fiscal years, oldest first, or an object of year → value), or an estimate code of bank.toml's
``[estimate]`` scale.  Every problem is refused with the respondent and the id it concerns.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from criteria.v2.model import AnswerCode, BankV2, Direction
from criteria.v2.scoring import IndicatorValue

V2_KEY = re.compile(r"^[1-6]\.[1-9]-[BAS][0-9]{1,2}$|^7\.[1-9]$")
UNSURE_WORDS = {"unsure", "not sure", "?", "ไม่แน่ใจ"}
DIRECTIONS: dict[str, Direction] = {
    "higher": "higher", "ยิ่งมากยิ่งดี": "higher", "lower": "lower", "ยิ่งน้อยยิ่งดี": "lower",
}
INDICATOR_KEYS = {"direction", "target", "actual", "values", "name", "unit"}


class AnswerErrorV2(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class RespondentV2:
    answers: dict[str, AnswerCode] = field(default_factory=dict)
    results: dict[str, tuple[IndicatorValue, ...]] = field(default_factory=dict)
    estimates: dict[str, str] = field(default_factory=dict)


def is_v2(data: Any) -> bool:
    """A file is version 2 when any key looks like a practice or result-item id ("1.1-B1", "7.1").

    Version 1 keys look like "Q1.1B"; an empty object stays version 1, as it always was.
    """
    sets = data if isinstance(data, list) else [data]
    return any(isinstance(s, Mapping) and any(V2_KEY.match(str(k)) for k in s) for s in sets)


def parse_v2(bank: BankV2, data: Any) -> list[RespondentV2]:
    sets = data if isinstance(data, list) else [data]
    if not sets:
        raise AnswerErrorV2("the file holds an empty list: no respondents")
    parsed = []
    for number, entry in enumerate(sets, 1):
        where = f"respondent {number}: " if isinstance(data, list) else ""
        if not isinstance(entry, Mapping):
            raise AnswerErrorV2(f"{where}expected an object of practice id → answer")
        parsed.append(_parse_one(bank, entry, where))
    return parsed


def _parse_one(bank: BankV2, entry: Mapping[Any, Any], where: str) -> RespondentV2:
    respondent = RespondentV2()
    for raw_key, value in entry.items():
        key = str(raw_key).strip()
        if bank.practice(key) is not None:
            respondent.answers[key] = _answer(value, f"{where}{key}")
        elif key in bank.lookup.result_items:
            if isinstance(value, list):
                respondent.results[key] = _indicators(bank, value, f"{where}{key}")
            else:
                respondent.estimates[key] = _estimate(bank, value, f"{where}{key}")
        else:
            hint = " (version-1 ids like \"Q1.1B\" cannot be mixed with practice ids)" if key.startswith("Q") else ""
            raise AnswerErrorV2(f"{where}unknown practice or result item id '{key}'{hint}")
    return respondent


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


_ANSWER_WORDS: dict[str, AnswerCode] = {
    _normal("ทำแล้ว"): "done", "done": "done",
    _normal("ยังไม่ได้ทำ"): "not_done", "not_done": "not_done", "not done": "not_done",
}


def _answer(value: Any, where: str) -> AnswerCode:
    if value is True:
        return "done"
    if value is False:
        return "not_done"
    if isinstance(value, str):
        text = _normal(value)
        if text in UNSURE_WORDS:
            return "unsure"
        if text in _ANSWER_WORDS:
            return _ANSWER_WORDS[text]
    raise AnswerErrorV2(f"{where}: {value!r} is not an answer (true, false or \"unsure\")")


def _number(value: Any, where: str, *, allow_none: bool) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AnswerErrorV2(f"{where}: {value!r} is not a number")
    return float(value)


def _indicators(bank: BankV2, value: list[Any], where: str) -> tuple[IndicatorValue, ...]:
    years_max = bank.results.years
    indicators = []
    for number, raw in enumerate(value, 1):
        here = f"{where}[{number}]"
        if not isinstance(raw, Mapping):
            raise AnswerErrorV2(f"{here}: expected an object with direction, target and actual")
        unknown = sorted(set(map(str, raw)) - INDICATOR_KEYS)
        if unknown:
            raise AnswerErrorV2(f"{here}: unknown field {', '.join(unknown)} (use {', '.join(sorted(INDICATOR_KEYS))})")
        direction = DIRECTIONS.get(_normal(str(raw.get("direction", ""))))
        if direction is None:
            raise AnswerErrorV2(f"{here}.direction: {raw.get('direction')!r} is not \"higher\" or \"lower\"")
        target = _number(raw.get("target"), f"{here}.target", allow_none=False)
        if target is None or target <= 0:
            raise AnswerErrorV2(f"{here}.target: {raw.get('target')!r} must be above 0")
        if ("actual" in raw) == ("values" in raw):
            raise AnswerErrorV2(f"{here}: give either actual (the latest year) or values (up to {years_max} years)")
        years: tuple[int, ...] = ()
        if "actual" in raw:
            values: tuple[float | None, ...] = (_number(raw["actual"], f"{here}.actual", allow_none=True),)
        elif isinstance(raw["values"], list):
            values = tuple(_number(v, f"{here}.values", allow_none=True) for v in raw["values"])
        elif isinstance(raw["values"], Mapping):
            pairs = sorted((_year(k, f"{here}.values"), v) for k, v in raw["values"].items())
            years = tuple(y for y, _ in pairs)
            values = tuple(_number(v, f"{here}.values.{y}", allow_none=True) for y, v in pairs)
        else:
            raise AnswerErrorV2(f"{here}.values: expected a list (oldest year first) or an object of year → value")
        if not values or len(values) > years_max:
            raise AnswerErrorV2(f"{here}.values: give 1 to {years_max} fiscal years, found {len(values)}")
        if any(v is not None and v < 0 for v in values):
            raise AnswerErrorV2(f"{here}: a value cannot be negative")
        name, unit = str(raw.get("name", "")), str(raw.get("unit", ""))
        indicators.append(IndicatorValue(direction, target, values, name, unit, years))
    return tuple(indicators)


def _year(key: Any, where: str) -> int:
    text = unicodedata.normalize("NFKC", str(key)).strip()
    if not text.isdecimal() or not 2400 <= int(text) <= 2700:
        raise AnswerErrorV2(f"{where}: {key!r} is not a fiscal year in พ.ศ. (e.g. 2568)")
    return int(text)


def _estimate(bank: BankV2, value: Any, where: str) -> str:
    scale = bank.root.estimate
    if scale is not None and not isinstance(value, bool) and isinstance(value, str | int):
        text = _normal(str(value))
        for option in scale.options:
            if text in (option.code.casefold(), _normal(option.label)) or (option.unsure and text in UNSURE_WORDS):
                return option.code
    raise AnswerErrorV2(f"{where}: {value!r} is neither a list of indicators nor an estimate code")


@dataclass(frozen=True, slots=True)
class CombinedResults:
    """Category 7 of several respondents: measured values are facts, not votes.

    Each result item takes the first respondent's entry; an item that a later respondent gives
    differently is listed in `conflicts` for the team to settle (the agreed answer is the next
    issue's work).
    """

    results: dict[str, tuple[IndicatorValue, ...]]
    estimates: dict[str, str]
    conflicts: tuple[str, ...]


def combine_results(respondents: list[RespondentV2]) -> CombinedResults:
    results: dict[str, tuple[IndicatorValue, ...]] = {}
    estimates: dict[str, str] = {}
    conflicts: list[str] = []
    for respondent in respondents:
        for item_id, indicators in respondent.results.items():
            if item_id not in results:
                results[item_id] = indicators
            elif results[item_id] != indicators and item_id not in conflicts:
                conflicts.append(item_id)
        for item_id, code in respondent.estimates.items():
            if item_id not in estimates:
                estimates[item_id] = code
            elif estimates[item_id] != code and item_id not in conflicts:
                conflicts.append(item_id)
    return CombinedResults(results, estimates, tuple(sorted(conflicts)))
