"""The PMQA bank's shape: pydantic models validated once, at load time.

The models are frozen so a loaded bank can be shared and cached safely; lookups that
scoring needs on every call (question by id, items in order) are built once in
`Bank.model_post_init`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

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

    def option(self, code: str) -> Option | None:
        for option in self.options:
            if option.code == code:
                return option
        return None

    def rank(self, code: str) -> int:
        """Position on the scale, lowest first; "not sure" ranks with the lowest answer."""
        option = self.option(code)
        if option is None or option.unsure:
            return 0
        return [o for o in self.options if not o.unsure].index(option)

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

    _questions: dict[str, Question] = PrivateAttr(default_factory=dict)
    _items: dict[str, Item] = PrivateAttr(default_factory=dict)
    _item_of: dict[str, Item] = PrivateAttr(default_factory=dict)
    _scale_of_level: dict[str, Scale] = PrivateAttr(default_factory=dict)
    _order: dict[str, int] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: object) -> None:
        for scale in self.scales.values():
            for level in scale.for_level:
                self._scale_of_level[level] = scale
        for category in self.categories:
            for item in category.items:
                self._items[item.id] = item
                for question in item.questions:
                    self._order[question.id] = len(self._questions)
                    self._questions[question.id] = question
                    self._item_of[question.id] = item

    # Lookups -------------------------------------------------------------------
    @property
    def questions(self) -> tuple[Question, ...]:
        """Every scored question in asking order: category, item, then basic → significance."""
        return tuple(self._questions.values())

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(self._items.values())

    def question(self, question_id: str) -> Question | None:
        return self._questions.get(question_id)

    def item(self, item_id: str) -> Item | None:
        return self._items.get(item_id)

    def item_of(self, question_id: str) -> Item:
        return self._item_of[question_id]

    def category(self, number: int) -> Category:
        return self.categories[number - 1]

    def category_of(self, question_id: str) -> Category:
        return self.category(self._item_of[question_id].category_number)

    def scale_for(self, question: Question) -> Scale:
        return self._scale_of_level[question.level]

    def has_scale_for(self, level: str) -> bool:
        return level in self._scale_of_level

    def order_of(self, question_id: str) -> int:
        return self._order[question_id]

    def item_index(self, item_id: str) -> int:
        """1-based position of an item among all items (for "ข้อ 5/30")."""
        return list(self._items).index(item_id) + 1
