"""Bank version 2: the PMQA 4.0 instrument's own shape, validated once at load time.

Version 1 asks one blended question per level; version 2 asks every practice (แนวทางดำเนินการ)
of the instrument as a yes/no statement, and holds category 7 as result items with example
indicators (brief shared/pmqa4-practices.md §0, §3, §4).  Frozen models, as in version 1, so a
loaded bank can be cached and shared; the lookups scoring needs on every call are plain dicts
built once in `BankV2.lookup`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LABEL_MAX = 20  # LINE quick reply / button label limit, in characters
SHORT_NAME_MAX = 20
PRACTICE_TEXT_MAX = 120
PRACTICE_HELP_MAX = 250
EVIDENCE_MAX = 80
ACTION_MAX = 120
INTENT_MAX = 160
MAX_SCORE = 500

PracticeLevel = Literal["basic", "advance", "significance"]
PRACTICE_LEVELS: tuple[PracticeLevel, ...] = ("basic", "advance", "significance")
LEVEL_CODE: dict[str, str] = {"basic": "B", "advance": "A", "significance": "S"}
Direction = Literal["higher", "lower"]
AnswerCode = Literal["done", "not_done", "unsure"]

PRACTICE_ID = re.compile(r"^([1-6]\.[1-9])-([BAS])([1-9][0-9]?)$")
RESULT_ITEM_ID = re.compile(r"^7\.[1-9]$")


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _texts(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_text(v) for v in values)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# Root file (bank.toml) -------------------------------------------------------------

class Band(_Frozen):
    """A maturity level: the instrument's level names, and the product's 300/400/500 bands.

    `points` is what a level's practices are worth in a process item (§2.1: 300 Basic, 100
    Advance, 100 Significance); `min_score` is the band used for item, category and overall
    labels.  The loader insists that the bands are the running sum of the points, so an item's
    label from its practices (§2.2) and its label from its score always agree.
    """

    key: Literal["below", "basic", "advance", "significance"]
    name: str
    name_en: str = ""
    min_score: float = Field(ge=0, le=MAX_SCORE)
    points: float = Field(default=0, ge=0, le=MAX_SCORE)

    _check = field_validator("name")(_text)


class AnswerOption(_Frozen):
    code: AnswerCode
    label: str = Field(max_length=LABEL_MAX)
    text: str

    _check = field_validator("label", "text")(_text)


class EstimateOption(_Frozen):
    """Category 7 self-rating, kept only as an estimate until indicators are entered."""

    code: str = Field(pattern=r"^[A-Za-z0-9]{1,3}$")
    label: str = Field(max_length=LABEL_MAX)
    text: str
    score: float = Field(ge=0, le=MAX_SCORE)
    unsure: bool = False

    _check = field_validator("label", "text")(_text)


class EstimateScale(_Frozen):
    note: str
    options: tuple[EstimateOption, ...] = Field(min_length=2)

    _check = field_validator("note")(_text)


class ExpectedCounts(_Frozen):
    """The instrument's counts (§3), so a missing or extra practice is refused at load."""

    categories: int = Field(ge=1)
    items: int = Field(ge=1)
    basic: int = Field(ge=0)
    advance: int = Field(ge=0)
    significance: int = Field(ge=0)


class BankRoot(_Frozen):
    """bank.toml on its own, validated before the category files are read."""

    format: Literal[2] = 2  # the bank format; version 1's folder has no such key
    id: str
    version: str
    title: str
    short_title: str
    disclaimer: str
    index_label: str
    index_max: float = Field(default=4, gt=0)
    not_entered: str = "ยังไม่ได้กรอก"
    categories: tuple[str, ...] = Field(min_length=1)
    levels: tuple[Band, ...] = Field(min_length=2)
    answers: tuple[AnswerOption, ...] = Field(min_length=3, max_length=3)
    estimate: EstimateScale | None = None
    expected: ExpectedCounts

    _check = field_validator("title", "short_title", "disclaimer", "index_label", "not_entered")(_text)


# Category files -----------------------------------------------------------------------

class Practice(_Frozen):
    id: str = Field(pattern=PRACTICE_ID.pattern)
    text: str = Field(max_length=PRACTICE_TEXT_MAX)
    help: str = Field(max_length=PRACTICE_HELP_MAX)
    evidence: tuple[str, ...] = ()
    action: str = Field(max_length=ACTION_MAX)
    scope: Literal["department", "province"] = "department"  # §6: province rows, none verified yet

    _check = field_validator("text", "help", "action")(_text)
    _check_evidence = field_validator("evidence")(_texts)

    @field_validator("evidence")
    @classmethod
    def _short_evidence(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            if len(entry) > EVIDENCE_MAX:
                raise ValueError(f"each entry at most {EVIDENCE_MAX} characters ({entry[:20]}… has {len(entry)})")
        return value


class Level(_Frozen):
    level: PracticeLevel
    intent: str = Field(max_length=INTENT_MAX)
    tag: str = ""
    practices: tuple[Practice, ...]  # at least one: checked by the loader, naming the level

    _check = field_validator("intent")(_text)


class ProcessItem(_Frozen):
    id: str = Field(pattern=r"^[1-6]\.[1-9]$")
    title: str
    gov40: Literal["open", "citizen", "smart"]
    levels: tuple[Level, ...]

    _check = field_validator("title")(_text)

    @property
    def category_number(self) -> int:
        return int(self.id.split(".")[0])

    def level(self, key: str) -> Level:
        return next(lv for lv in self.levels if lv.level == key)

    @property
    def practices(self) -> tuple[Practice, ...]:
        return tuple(p for lv in self.levels for p in lv.practices)


class ProcessCategory(_Frozen):
    number: int = Field(ge=1, le=6)
    name: str
    short_name: str = Field(max_length=SHORT_NAME_MAX)
    name_en: str
    kind: Literal["process"]
    items: tuple[ProcessItem, ...]

    _check = field_validator("name", "short_name")(_text)


class ExampleIndicator(_Frozen):
    """An example indicator for a result item (§4: one department's KPIs, offered as examples)."""

    id: str = Field(pattern=r"^RM[0-9]{1,2}$")
    name: str = Field(max_length=PRACTICE_TEXT_MAX)
    unit: str
    direction: Direction
    target: float = Field(gt=0)
    note: str = ""

    _check = field_validator("name", "unit")(_text)


class ResultItem(_Frozen):
    id: str = Field(pattern=RESULT_ITEM_ID.pattern)
    title: str
    gov40: Literal["open", "citizen", "smart"]
    help: str = Field(max_length=PRACTICE_HELP_MAX)
    action: str = Field(max_length=ACTION_MAX)  # shown while the item has no indicator values
    examples: tuple[ExampleIndicator, ...] = ()

    _check = field_validator("title", "help", "action")(_text)

    @property
    def category_number(self) -> int:
        return 7


class ResultCategory(_Frozen):
    number: Literal[7]
    name: str
    short_name: str = Field(max_length=SHORT_NAME_MAX)
    name_en: str
    kind: Literal["results"]
    years: int = Field(default=3, ge=1, le=5)  # fiscal years stored and shown; only the latest is scored
    items: tuple[ResultItem, ...]

    _check = field_validator("name", "short_name")(_text)


Category = ProcessCategory | ResultCategory


class BankV2(_Frozen):
    root: BankRoot
    process: tuple[ProcessCategory, ...]
    results: ResultCategory

    @property
    def id(self) -> str:
        return self.root.id

    @property
    def version(self) -> str:
        return self.root.version

    @property
    def categories(self) -> tuple[Category, ...]:
        return (*self.process, self.results)

    @property
    def levels(self) -> tuple[Band, ...]:
        return self.root.levels

    @cached_property
    def lookup(self) -> BankIndexV2:
        return BankIndexV2.build(self)

    @property
    def practices(self) -> tuple[Practice, ...]:
        return self.lookup.practices

    def practice(self, practice_id: str) -> Practice | None:
        return self.lookup.practice_by_id.get(practice_id)

    def band(self, key: str) -> Band:
        return self.lookup.band_by_key[key]


@dataclass(frozen=True, slots=True)
class BankIndexV2:
    practices: tuple[Practice, ...]
    practice_by_id: dict[str, Practice]
    item_of: dict[str, ProcessItem]  # practice id → item
    level_of: dict[str, PracticeLevel]  # practice id → level
    process_items: dict[str, ProcessItem]
    result_items: dict[str, ResultItem]
    band_by_key: dict[str, Band]
    order: dict[str, int]  # practice id → asking order
    # item id → per level (level, points, its practice ids): what scoring reads on every call
    item_levels: dict[str, tuple[tuple[PracticeLevel, float, frozenset[str]], ...]]

    @classmethod
    def build(cls, bank: BankV2) -> BankIndexV2:
        items = [i for c in bank.process for i in c.items]
        practices = [p for i in items for p in i.practices]
        return cls(
            practices=tuple(practices),
            practice_by_id={p.id: p for p in practices},
            item_of={p.id: i for i in items for p in i.practices},
            level_of={p.id: lv.level for i in items for lv in i.levels for p in lv.practices},
            process_items={i.id: i for i in items},
            result_items={i.id: i for i in bank.results.items},
            band_by_key={b.key: b for b in bank.root.levels},
            order={p.id: n for n, p in enumerate(practices)},
            item_levels={
                i.id: tuple(
                    (lv.level, _points(bank, lv.level), frozenset(p.id for p in lv.practices)) for lv in i.levels
                )
                for i in items
            },
        )


def _points(bank: BankV2, level: str) -> float:
    return next((b.points for b in bank.root.levels if b.key == level), 0.0)
