"""The PMQA bank's shape: pydantic models validated once, at load time.

The models are frozen so a loaded bank can be shared and cached safely; lookups that
scoring needs on every call (question by id, items in order) are built once, in
`Bank.lookup`, as plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LABEL_MAX = 20  # LINE quick reply / button label limit, in characters
QUESTION_MAX = 200
HELP_MAX = 300
ACTION_MAX = 120
MAX_SCORE = 500

Level = Literal["basic", "advance", "significance", "result"]
PROCESS_LEVELS: tuple[Level, ...] = ("basic", "advance", "significance")
LEVEL_SUFFIX: dict[str, str] = {"basic": "B", "advance": "A", "significance": "S", "result": "R"}


def _thai_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Option(_Frozen):
    code: str = Field(pattern=r"^[A-Za-z0-9]{1,3}$")
    label: str = Field(max_length=LABEL_MAX)
    text: str
    fraction: float = Field(ge=0.0, le=1.0)
    full: bool = False
    unsure: bool = False

    _check_label = field_validator("label", "text")(_thai_text)


class Scale(_Frozen):
    name: str = ""
    for_level: tuple[Level, ...]
    options: tuple[Option, ...] = Field(min_length=2, max_length=13)

    @cached_property
    def _by_code(self) -> dict[str, Option]:
        return {o.code: o for o in self.options}

    @cached_property
    def _ranks(self) -> dict[str, int]:
        return {o.code: n for n, o in enumerate(o for o in self.options if not o.unsure)}

    def option(self, code: str) -> Option | None:
        return self._by_code.get(code)

    def rank(self, code: str) -> int:
        """Position on the scale, lowest first; "not sure" ranks with the lowest answer."""
        return self._ranks.get(code, 0)

    @property
    def full_option(self) -> Option:
        return next(o for o in self.options if o.full)


class MaturityLevel(_Frozen):
    key: str
    name: str
    min_score: float = Field(ge=0, le=MAX_SCORE)

    _check_name = field_validator("name")(_thai_text)


class Question(_Frozen):
    id: str = Field(pattern=r"^Q[1-7]\.[1-9][BASR]$")
    level: Level
    text: str = Field(max_length=QUESTION_MAX)
    help: str = Field(max_length=HELP_MAX)
    action: str = Field(max_length=ACTION_MAX)

    _check_text = field_validator("text", "help", "action")(_thai_text)


class Item(_Frozen):
    id: str = Field(pattern=r"^[1-7]\.[1-9]$")
    title: str
    gov40: Literal["open", "citizen", "smart"]
    questions: tuple[Question, ...]

    _check_title = field_validator("title")(_thai_text)

    @property
    def category_number(self) -> int:
        return int(self.id.split(".")[0])

    def question(self, level: Level) -> Question | None:
        return next((q for q in self.questions if q.level == level), None)


class Category(_Frozen):
    number: int = Field(ge=1, le=7)
    name: str
    short_name: str = Field(max_length=LABEL_MAX)
    name_en: str
    kind: Literal["process", "results"]
    items: tuple[Item, ...] = Field(min_length=1)

    _check_names = field_validator("name", "short_name")(_thai_text)


class ProfileQuestion(_Frozen):
    id: str = Field(pattern=r"^P[0-9]{1,2}$")
    text: str = Field(max_length=QUESTION_MAX)

    _check_text = field_validator("text")(_thai_text)


class Bank(_Frozen):
    id: str
    version: str
    title: str
    short_title: str
    disclaimer: str
    weight_total: float = Field(gt=0)
    weights: dict[str, float]
    levels: tuple[MaturityLevel, ...] = Field(min_length=1)
    scales: dict[str, Scale]
    profile: tuple[ProfileQuestion, ...] = ()
    categories: tuple[Category, ...]

    @cached_property
    def lookup(self) -> BankIndex:
        """Dict lookups built once; plain dicts, because scoring calls them thousands of times."""
        return BankIndex.build(self)

    # Lookups -------------------------------------------------------------------
    @property
    def questions(self) -> tuple[Question, ...]:
        """Every scored question in asking order: category, item, then basic → significance."""
        return self.lookup.questions

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(self.lookup.items.values())

    def question(self, question_id: str) -> Question | None:
        return self.lookup.questions_by_id.get(question_id)

    def item(self, item_id: str) -> Item | None:
        return self.lookup.items.get(item_id)

    def item_of(self, question_id: str) -> Item:
        return self.lookup.item_of[question_id]

    def category(self, number: int) -> Category:
        return self.categories[number - 1]

    def category_of(self, question_id: str) -> Category:
        return self.category(self.lookup.item_of[question_id].category_number)

    def scale_for(self, question: Question) -> Scale:
        return self.lookup.scale_of_level[question.level]

    def has_scale_for(self, level: str) -> bool:
        return level in self.lookup.scale_of_level

    def order_of(self, question_id: str) -> int:
        return self.lookup.order[question_id]


@dataclass(frozen=True, slots=True)
class BankIndex:
    questions: tuple[Question, ...]
    questions_by_id: dict[str, Question]
    items: dict[str, Item]
    item_of: dict[str, Item]
    category_of: dict[str, int]
    scale_of_level: dict[str, Scale]
    order: dict[str, int]

    @classmethod
    def build(cls, bank: Bank) -> BankIndex:
        questions = [q for c in bank.categories for i in c.items for q in i.questions]
        item_of = {q.id: i for c in bank.categories for i in c.items for q in i.questions}
        return cls(
            questions=tuple(questions),
            questions_by_id={q.id: q for q in questions},
            items={i.id: i for c in bank.categories for i in c.items},
            item_of=item_of,
            category_of={qid: item.category_number for qid, item in item_of.items()},
            scale_of_level={level: scale for scale in bank.scales.values() for level in scale.for_level},
            order={q.id: n for n, q in enumerate(questions)},
        )
