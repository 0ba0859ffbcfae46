"""Read a version-2 bank folder (bank.toml + category-1.toml … category-7.toml).

Every file is validated on its own and every problem is collected before the bank is refused,
each named ``file: field: message`` with list entries named by their id, e.g.
``category-3.toml: items[3.2].levels[advance].practices[3.2-A1].action: Field required``:
the people who edit these files are content writers, not programmers.
"""

from __future__ import annotations

import functools
import itertools
import tomllib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from criteria.v2.model import (
    LEVEL_CODE,
    PRACTICE_ID,
    PRACTICE_LEVELS,
    BankRoot,
    BankV2,
    ProcessCategory,
    ResultCategory,
)

DEFAULT_V2_DIR = Path(__file__).parent.parent / "data" / "pmqa4" / "v2"
BAND_ORDER = ("below", "basic", "advance", "significance")
_EPSILON = 1e-9
M = TypeVar("M", bound=BaseModel)
_LABEL_KEYS = ("id", "level", "key", "code")  # what names a list entry in a message


class BankV2Error(ValueError):
    """The bank cannot be used; `problems` lists every `file: field: message` found."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@functools.cache
def default_bank_v2() -> BankV2:
    """The shipped version-2 bank, read once per process."""
    return load_bank_v2(DEFAULT_V2_DIR)


@functools.cache
def load_bank_v2(folder: Path) -> BankV2:
    problems: list[str] = []
    raw_root = _read_toml(folder / "bank.toml", "bank.toml")
    root = _validate(BankRoot, raw_root, "bank.toml", problems)
    files = [str(n) for n in raw_root.get("categories") or []] if isinstance(raw_root.get("categories"), list) else []
    if not files:
        raise BankV2Error(problems or ["bank.toml: categories: list the category files"])
    process: list[ProcessCategory] = []
    results: list[tuple[str, ResultCategory]] = []
    named: list[tuple[str, ProcessCategory | ResultCategory]] = []
    for name in files:
        try:
            raw = _read_toml(folder / name, name)
        except BankV2Error as error:
            problems += error.problems
            continue
        kind = raw.get("kind")
        if kind == "process":
            category = _validate(ProcessCategory, raw, name, problems)
            if category is not None:
                process.append(category)
                named.append((name, category))
        elif kind == "results":
            result = _validate(ResultCategory, raw, name, problems)
            if result is not None:
                results.append((name, result))
                named.append((name, result))
        else:
            problems.append(f"{name}: kind: must be \"process\" or \"results\", found {kind!r}")
    if root is not None and len(results) != 1 and len(named) == len(files):
        problems.append(f"bank.toml: categories: exactly one results category is needed, found {len(results)}")
    if problems or root is None:
        raise BankV2Error(problems)
    bank = BankV2(root=root, process=tuple(process), results=results[0][1])
    problems = _root_problems(root) + _structure_problems(bank, named)
    if problems:
        raise BankV2Error(problems)
    return bank


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise BankV2Error([f"{label}: file not found ({path})"]) from None
    except tomllib.TOMLDecodeError as error:
        raise BankV2Error([f"{label}: not valid TOML: {error}"]) from None


def _validate(model: type[M], raw: dict[str, Any], file: str, problems: list[str]) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        for issue in error.errors():
            path = _field_path(raw, list(issue["loc"])) or "(top)"
            problems.append(f"{file}: {path}: {issue['msg']}")
        return None


def _field_path(node: Any, loc: list[Any]) -> str:
    """Render a pydantic location, naming list entries by their `id` (or `level`) where they have one."""
    parts: list[str] = []
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            label = next((node[k] for k in _LABEL_KEYS if node.get(k)), key) if isinstance(node, dict) else key
            parts[-1:] = [f"{parts[-1]}[{label}]"] if parts else [f"[{label}]"]
        else:
            node = node.get(key) if isinstance(node, dict) else None
            parts.append(str(key))
    return ".".join(parts)


# Checks across fields and files ------------------------------------------------------

def _root_problems(root: BankRoot) -> list[str]:
    problems = []
    keys = tuple(band.key for band in root.levels)
    if keys != BAND_ORDER:
        wanted = ", ".join(BAND_ORDER)
        problems.append(f"bank.toml: levels: need the keys {wanted} in that order, found {', '.join(keys)}")
    scores = [band.min_score for band in root.levels]
    if scores[0] != 0:
        problems.append("bank.toml: levels[below].min_score: the lowest level must start at 0")
    if any(b <= a for a, b in itertools.pairwise(scores)):
        problems.append("bank.toml: levels: min_score must rise from one level to the next")
    if root.levels[0].points != 0:
        problems.append("bank.toml: levels[below].points: must be 0 (it has no practices)")
    running = 0.0
    for band in root.levels[1:]:
        running += band.points
        if abs(running - band.min_score) > _EPSILON:
            problems.append(
                f"bank.toml: levels[{band.key}].points: the points up to this level add up to {running:g}, "
                f"not its min_score {band.min_score:g} (item labels and scores would disagree)"
            )
    codes = Counter(option.code for option in root.answers)
    if set(codes) != {"done", "not_done", "unsure"}:
        problems.append("bank.toml: answers: need exactly one each of done, not_done and unsure")
    if root.estimate is not None:
        estimate_codes = [o.code for o in root.estimate.options]
        for code in sorted({c for c in estimate_codes if estimate_codes.count(c) > 1}):
            problems.append(f"bank.toml: estimate.options[{code}].code: duplicate code")
        if sum(o.unsure for o in root.estimate.options) > 1:
            problems.append("bank.toml: estimate.options: at most one option may be unsure = true")
    return problems


def _structure_problems(bank: BankV2, named: list[tuple[str, ProcessCategory | ResultCategory]]) -> list[str]:
    problems: list[str] = []
    seen_items: dict[str, str] = {}
    seen_practices: dict[str, str] = {}
    seen_examples: dict[str, str] = {}
    for position, (file, category) in enumerate(named, 1):
        if category.number != position:
            problems.append(f"{file}: number: expected {position} (files are listed in order in bank.toml)")
        if not category.items:
            problems.append(f"{file}: items: a category needs at least one item")
        for item in category.items:
            where = f"{file}: items[{item.id}]"
            if item.category_number != category.number:
                problems.append(f"{where}.id: item {item.id} does not belong to category {category.number}")
            if item.id in seen_items:
                problems.append(f"{where}.id: duplicate item id (also in {seen_items[item.id]})")
            seen_items[item.id] = file
        if isinstance(category, ProcessCategory):
            for item in category.items:
                problems += _item_problems(item, f"{file}: items[{item.id}]", file, seen_practices)
        else:
            for result in category.items:
                for example in result.examples:
                    if example.id in seen_examples:
                        problems.append(
                            f"{file}: items[{result.id}].examples[{example.id}].id: duplicate indicator id "
                            f"(also in {seen_examples[example.id]})"
                        )
                    seen_examples[example.id] = f"item {result.id}"
    problems += _count_problems(bank, named)
    return problems


def _item_problems(item: Any, where: str, file: str, seen: dict[str, str]) -> list[str]:
    problems = []
    levels = tuple(level.level for level in item.levels)
    if levels != PRACTICE_LEVELS:
        problems.append(f"{where}.levels: need basic, advance and significance once each, in that order "
                        f"(found {', '.join(levels)})")
    for level in item.levels:
        if not level.practices:
            problems.append(f"{where}.levels[{level.level}].practices: a level needs at least one practice")
        code = LEVEL_CODE[level.level]
        for number, practice in enumerate(level.practices, 1):
            pwhere = f"{where}.levels[{level.level}].practices[{practice.id}].id"
            if practice.id in seen:
                problems.append(f"{pwhere}: duplicate practice id (also in {seen[practice.id]})")
            seen[practice.id] = file
            match = PRACTICE_ID.match(practice.id)
            if match is None or match.group(1) != item.id or match.group(2) != code:
                problems.append(f"{pwhere}: expected '{item.id}-{code}#' for a {level.level} practice "
                                f"of item {item.id}")
            elif int(match.group(3)) != number:
                problems.append(f"{pwhere}: expected '{item.id}-{code}{number}' "
                                "(practices are numbered 1, 2, … in order)")
    return problems


def _count_problems(bank: BankV2, named: list[tuple[str, ProcessCategory | ResultCategory]]) -> list[str]:
    expected = bank.root.expected
    problems = []
    if len(named) != expected.categories:
        problems.append(f"bank.toml: categories: expected {expected.categories} category files, found {len(named)}")
    items = sum(len(c.items) for _, c in named)
    if items != expected.items:
        problems.append(f"bank.toml: expected.items: the files hold {items} items, not {expected.items}")
    found = Counter(bank.lookup.level_of.values())
    for level in PRACTICE_LEVELS:
        wanted = getattr(expected, level)
        if found[level] != wanted:
            problems.append(f"bank.toml: expected.{level}: the files hold {found[level]} {level} practices, "
                            f"not {wanted}")
    return problems
