"""Read a bank folder (bank.toml + one file per category) and refuse it loudly when broken.

Every refusal names the file and the field, e.g.
``category-3.toml: items[3.2].questions[Q3.2A].action: must not be empty``,
because the people who edit these files are content editors, not programmers.
"""

from __future__ import annotations

import functools
import itertools
import math
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from criteria.model import LEVEL_SUFFIX, PROCESS_LEVELS, Bank

DEFAULT_BANK_DIR = Path(__file__).parent / "data" / "pmqa4"


class BankError(ValueError):
    """The bank cannot be used; `problems` lists every `file: field: message` found."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@functools.cache
def default_bank() -> Bank:
    """The shipped PMQA 4.0 bank, read once per process."""
    return load_bank(DEFAULT_BANK_DIR)


@functools.cache
def load_bank(folder: Path) -> Bank:
    root_file = folder / "bank.toml"
    root = _read_toml(root_file, root_file.name)
    category_files = root.get("categories")
    if not isinstance(category_files, list) or not category_files:
        raise BankError(["bank.toml: categories: list the category files"])
    raw_categories = [_read_toml(folder / str(name), str(name)) for name in category_files]
    data = {**root, "categories": raw_categories}
    for name, scale in (root.get("scales") or {}).items():
        if isinstance(scale, dict):
            scale.setdefault("name", name)
    try:
        bank = Bank.model_validate(data)
    except ValidationError as error:
        raise BankError(_describe(error, data, [str(n) for n in category_files])) from None
    problems = _structural_problems(bank, [str(n) for n in category_files])
    if problems:
        raise BankError(problems)
    return bank


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise BankError([f"{label}: file not found ({path})"]) from None
    except tomllib.TOMLDecodeError as error:
        raise BankError([f"{label}: not valid TOML: {error}"]) from None


def _describe(error: ValidationError, data: dict[str, Any], files: list[str]) -> list[str]:
    problems = []
    for issue in error.errors():
        loc = list(issue["loc"])
        file = "bank.toml"
        node: Any = data
        if len(loc) >= 2 and loc[0] == "categories" and isinstance(loc[1], int):
            file = files[loc[1]] if loc[1] < len(files) else file
            node = data["categories"][loc[1]]
            loc = loc[2:]
        problems.append(f"{file}: {_field_path(node, loc) or '(top)'}: {issue['msg']}")
    return problems


def _field_path(node: Any, loc: list[Any]) -> str:
    """Render a pydantic location, naming list entries by their `id` where they have one."""
    parts: list[str] = []
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            label = node.get("id", key) if isinstance(node, dict) else key
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
        else:
            node = node.get(key) if isinstance(node, dict) else None
            parts.append(str(key))
    return ".".join(parts)


def _structural_problems(bank: Bank, files: list[str]) -> list[str]:
    problems: list[str] = []
    problems += _scale_problems(bank)
    problems += _level_problems(bank)
    problems += _weight_problems(bank)
    seen_items: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    for position, (category, file) in enumerate(zip(bank.categories, files, strict=True), 1):
        if category.number != position:
            problems.append(f"{file}: number: expected {position} (files are listed in order)")
        for item in category.items:
            where = f"{file}: items[{item.id}]"
            if item.category_number != category.number:
                problems.append(f"{where}.id: item {item.id} does not belong to category {category.number}")
            if item.id in seen_items:
                problems.append(f"{where}.id: duplicate item id (also in {seen_items[item.id]})")
            seen_items[item.id] = file
            problems += _item_problems(bank, item, category.kind, where, seen_questions, file)
    return problems


def _item_problems(bank: Bank, item: Any, kind: str, where: str, seen: dict[str, str], file: str) -> list[str]:
    problems = []
    wanted = PROCESS_LEVELS if kind == "process" else ("result",)
    levels = [q.level for q in item.questions]
    for level in wanted:
        if levels.count(level) != 1:
            problems.append(f"{where}.questions: needs exactly one '{level}' question, found {levels.count(level)}")
    if all(levels.count(level) == 1 for level in wanted) and tuple(levels) != wanted:
        problems.append(f"{where}.questions: list them in the order {', '.join(wanted)}")
    for level in levels:
        if level not in wanted:
            problems.append(f"{where}.questions: level '{level}' does not belong in a {kind} category")
    for question in item.questions:
        qwhere = f"{where}.questions[{question.id}]"
        if question.id in seen:
            problems.append(f"{qwhere}.id: duplicate question id (also in {seen[question.id]})")
        seen[question.id] = file
        expected = f"Q{item.id}{LEVEL_SUFFIX[question.level]}"
        if question.id != expected:
            problems.append(f"{qwhere}.id: expected '{expected}' for a {question.level} question of item {item.id}")
        if not bank.has_scale_for(question.level):
            problems.append(f"{qwhere}.level: unknown scale: no scale in bank.toml is for level '{question.level}'")
    return problems


def _scale_problems(bank: Bank) -> list[str]:
    problems = []
    claimed: dict[str, str] = {}
    for name, scale in bank.scales.items():
        where = f"bank.toml: scales.{name}"
        codes = [o.code for o in scale.options]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            problems.append(f"{where}.options: duplicate code '{code}'")
        if sum(o.full for o in scale.options) != 1:
            problems.append(f"{where}.options: exactly one option must be full = true")
        if sum(o.unsure for o in scale.options) > 1:
            problems.append(f"{where}.options: at most one option may be unsure = true")
        for level in scale.for_level:
            if level in claimed:
                problems.append(f"{where}.for_level: level '{level}' already uses scale '{claimed[level]}'")
            claimed[level] = name
    return problems


def _level_problems(bank: Bank) -> list[str]:
    problems = []
    scores = [level.min_score for level in bank.levels]
    if scores[0] != 0:
        problems.append("bank.toml: levels[0].min_score: the lowest level must start at 0")
    if any(b <= a for a, b in itertools.pairwise(scores)):
        problems.append("bank.toml: levels: min_score must rise from one level to the next")
    keys = [level.key for level in bank.levels]
    if len(set(keys)) != len(keys):
        problems.append("bank.toml: levels: duplicate level key")
    return problems


def _weight_problems(bank: Bank) -> list[str]:
    problems = []
    numbers = {str(c.number) for c in bank.categories}
    if set(bank.weights) != numbers:
        missing = sorted(numbers - set(bank.weights))
        extra = sorted(set(bank.weights) - numbers)
        problems.append(f"bank.toml: weights: need one weight per category (missing {missing}, unknown {extra})")
    if any(w < 0 for w in bank.weights.values()):
        problems.append("bank.toml: weights: a weight cannot be negative")
    total = sum(bank.weights.values())
    if not math.isclose(total, bank.weight_total, rel_tol=1e-9, abs_tol=1e-9):
        problems.append(f"bank.toml: weights: add up to {total:g}, not weight_total = {bank.weight_total:g}")
    return problems
