"""Pure scoring for bank version 2: the PMQA 4.0 instrument's own rules.  No I/O, no clock.

A respondent's answers map a practice id to ``"done"``, ``"not_done"`` or ``"unsure"``
(``{"1.1-B1": "done", …}``); a missing practice is unanswered.  "Unsure" scores as not done and
is counted apart for the confidence figure (brief §0.1).

Process item (§2.1), with b, a, s the practices done and nB, nA, nS the item's counts::

    item = 300 × b/nB + (b == nB ? 100 × a/nA : 0) + (b == nB and a == nA ? 100 × s/nS : 0)

The 300 / 100 / 100 are the levels' `points` in bank.toml.  Category = mean of its items,
overall = mean of the categories (§2.3), all unrounded.  Category 7 (§2.4, Formula B) scores each
indicator's latest value against its target; an item is the mean of its scored indicators, and an
item with none is "not entered" and counts 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from criteria.v2.model import (
    MAX_SCORE,
    AnswerCode,
    Band,
    BankV2,
    Category,
    Direction,
    Practice,
    PracticeLevel,
    ProcessItem,
    ResultItem,
)

Answers = Mapping[str, AnswerCode]
_EPSILON = 1e-9  # float sums such as 3 × 100/3 must still reach a band


# Category 7: Formula B -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """One indicator of a result item, as the agency measures it.

    `values` are the fiscal years' actuals, oldest first (at most the bank's `years`); only the
    last one is scored.  `None` is a year without a value.
    """

    direction: Direction
    target: float | None
    values: tuple[float | None, ...]
    name: str = ""
    unit: str = ""
    years: tuple[int, ...] = ()  # พ.ศ. of each value, when known

    @property
    def latest(self) -> float | None:
        return self.values[-1] if self.values else None


def success_rate(direction: Direction, target: float | None, actual: float | None) -> float | None:
    """r of Formula B, rounded to 2 decimals as on the instrument's agency pages; None when it cannot be computed.

    Deliberate difference from the source: an actual of 0 is a value (0 complaints is a fine
    lower-is-better result), only a missing actual or a target of 0 leaves the indicator unscored.
    """
    if actual is None or target is None or target <= 0:
        return None
    ratio = 100 * actual / target
    rate = ratio if direction == "higher" else 200 - ratio
    return round(rate, 2)


def rate_score(rate: float) -> int:
    """Formula B's bands: below 100 % → 3 × r (truncated, at least 0); 100–101 → 300; to 105 → 400; above → 500."""
    if rate < 100:
        return max(0, math.floor(3 * rate + _EPSILON))
    if rate <= 101:
        return 300
    if rate <= 105:
        return 400
    return 500


def indicator_score(indicator: IndicatorValue) -> int | None:
    rate = success_rate(indicator.direction, indicator.target, indicator.latest)
    return None if rate is None else rate_score(rate)


# Results -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LevelProgress:
    level: PracticeLevel
    done: int
    total: int
    open: bool  # every practice below is done, so this level's practices count now

    @property
    def complete(self) -> bool:
        return self.done == self.total


@dataclass(frozen=True, slots=True)
class ProcessItemResult:
    item: ProcessItem
    score: float
    band: Band  # §2.2: the highest level whose practices, and all below, are done
    levels: tuple[LevelProgress, ...]

    @property
    def id(self) -> str:
        return self.item.id


ResultStatus = Literal["scored", "estimate", "not_entered"]


@dataclass(frozen=True, slots=True)
class ResultItemResult:
    item: ResultItem
    score: float
    band: Band
    status: ResultStatus
    indicators: tuple[int | None, ...] = ()  # each indicator's score; None = not scored

    @property
    def id(self) -> str:
        return self.item.id


ItemResult = ProcessItemResult | ResultItemResult


@dataclass(frozen=True, slots=True)
class CategoryResult:
    category: Category
    score: float
    band: Band
    items: tuple[ItemResult, ...]


@dataclass(frozen=True, slots=True)
class Result:
    overall: float
    band: Band
    index: float  # overall ÷ 500 × index_max: an estimate from the self-assessment (§0.5)
    categories: tuple[CategoryResult, ...]
    answered: int
    unsure: int
    done: frozenset[str] = field(default_factory=frozenset)  # practices that count as done

    @property
    def confidence(self) -> float | None:
        """Share of the answered practices answered with certainty; None before any answer."""
        return None if self.answered == 0 else (self.answered - self.unsure) / self.answered

    def category(self, number: int) -> CategoryResult:
        return self.categories[number - 1]

    @property
    def items(self) -> tuple[ItemResult, ...]:
        return tuple(i for c in self.categories for i in c.items)

    def item(self, item_id: str) -> ItemResult:
        return next(i for i in self.items if i.id == item_id)


def band_for(bank: BankV2, value: float) -> Band:
    reached = bank.levels[0]
    for band in bank.levels:
        if value + _EPSILON >= band.min_score:
            reached = band
    return reached


def done_set(answers: Answers) -> frozenset[str]:
    return frozenset(pid for pid, answer in answers.items() if answer == "done")


def process_item_score(bank: BankV2, item: ProcessItem, done: frozenset[str] | set[str]) -> float:
    """§2.1: each level pro-rata on its practices, counted only while every level below is complete."""
    total = 0.0
    for _, points, ids in bank.lookup.item_levels[item.id]:
        count = len(ids & done)
        total += points * count / len(ids)
        if count != len(ids):
            break
    return total


def _process_item(bank: BankV2, item: ProcessItem, done: frozenset[str]) -> ProcessItemResult:
    """Score, progress and §2.2 label of one item from one pass over its levels."""
    total = 0.0
    band = bank.levels[0]
    open_ = True
    progress = []
    band_by_key = bank.lookup.band_by_key
    for level, points, ids in bank.lookup.item_levels[item.id]:
        count = len(ids & done)
        progress.append(LevelProgress(level, count, len(ids), open_))
        if open_:
            total += points * count / len(ids)
            if count == len(ids):
                band = band_by_key[level]
            else:
                open_ = False
    return ProcessItemResult(item, total, band, tuple(progress))


def result_item(
    bank: BankV2, item: ResultItem, indicators: Sequence[IndicatorValue], estimate: str | None = None
) -> ResultItemResult:
    scores = tuple(indicator_score(i) for i in indicators)
    scored = [s for s in scores if s is not None]
    if scored:
        value = sum(scored) / len(scored)
        return ResultItemResult(item, value, band_for(bank, value), "scored", scores)
    option = None
    if estimate is not None and bank.root.estimate is not None:
        option = next((o for o in bank.root.estimate.options if o.code == estimate), None)
    if option is not None:
        return ResultItemResult(item, option.score, band_for(bank, option.score), "estimate", scores)
    return ResultItemResult(item, 0.0, bank.levels[0], "not_entered", scores)


def score(
    bank: BankV2,
    answers: Answers,
    results: Mapping[str, Sequence[IndicatorValue]] | None = None,
    estimates: Mapping[str, str] | None = None,
    *,
    answered: int | None = None,
    unsure: int | None = None,
) -> Result:
    """Score one answer set (or an agency's combined one: pass its own `answered`/`unsure` counts)."""
    done = done_set(answers)
    categories: list[CategoryResult] = []
    for category in bank.process:
        items: list[ItemResult] = [_process_item(bank, item, done) for item in category.items]
        categories.append(_category(bank, category, items))
    given = results or {}
    guesses = estimates or {}
    result_items: list[ItemResult] = [
        result_item(bank, item, given.get(item.id, ()), guesses.get(item.id)) for item in bank.results.items
    ]
    categories.append(_category(bank, bank.results, result_items))
    overall = sum(c.score for c in categories) / len(categories)
    if answered is None or unsure is None:
        answered, unsure = count_answers(bank, answers)
    index = overall / MAX_SCORE * bank.root.index_max
    return Result(overall, band_for(bank, overall), index, tuple(categories), answered, unsure, done)


def _category(bank: BankV2, category: Category, items: list[ItemResult]) -> CategoryResult:
    mean = sum(i.score for i in items) / len(items)
    return CategoryResult(category, mean, band_for(bank, mean), tuple(items))


def count_answers(bank: BankV2, answers: Answers) -> tuple[int, int]:
    """(practices answered, of which "unsure"), over the bank's practices only."""
    known = bank.lookup.practice_by_id
    answered = unsure = 0
    for practice_id, answer in answers.items():
        if practice_id in known:
            answered += 1
            unsure += answer == "unsure"
    return answered, unsure


# Gap-aware actions --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RankedAction:
    rank: int  # 1 = do first
    practice: Practice
    item: ProcessItem
    level: PracticeLevel
    item_gain: float  # points the item would gain now
    overall_gain: float  # points the overall score would gain now

    @property
    def text(self) -> str:
        return self.practice.action


def ranked_actions(bank: BankV2, result: Result) -> list[RankedAction]:
    """Every practice not done, ranked by what completing it alone would add to the overall score now.

    A practice of a level still locked by an incomplete level below adds 0 now, so it ranks after
    every practice that counts; ties keep the bank's order (category, item, Basic first).
    """
    categories = len(result.categories)
    done = set(result.done)
    candidates = []
    for category in bank.process:
        share = 1 / (len(category.items) * categories)
        for item in category.items:
            now = process_item_score(bank, item, done)
            for level in item.levels:
                for practice in level.practices:
                    if practice.id in done:
                        continue
                    done.add(practice.id)
                    gain = process_item_score(bank, item, done) - now
                    done.discard(practice.id)
                    candidates.append((practice, item, level.level, gain, gain * share))
    order = bank.lookup.order
    candidates.sort(key=lambda c: (-round(c[4], 9), order[c[0].id]))
    return [RankedAction(rank, p, i, lv, g, o) for rank, (p, i, lv, g, o) in enumerate(candidates, 1)]


# Several respondents -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Split:
    """A practice the respondents to its item do not agree on: for the team to discuss."""

    practice: Practice
    done: int  # said done, and the gate had brought them to this level
    not_done: int
    unsure: int
    gated_out: int  # never reached this level: a level below was incomplete for them
    respondents: int  # who answered anything of the item

    @property
    def agency_done(self) -> bool:
        return 2 * self.done > self.respondents


@dataclass(frozen=True, slots=True)
class AgencyAnswers:
    answers: dict[str, AnswerCode]  # the agency's answer per practice ("done" / "not_done")
    respondents: dict[str, int]  # item id → how many respondents answered anything of it
    splits: tuple[Split, ...]
    answered: int  # every respondent's answers, for the confidence figure
    unsure: int


def agency_answers(bank: BankV2, respondents: Sequence[Answers]) -> AgencyAnswers:
    """A practice is done for the agency when more than half of its item's respondents say so (§ issue 13).

    A respondent whom the gate never brought to a level (a practice below it not done for them)
    counts as "not done" there, whatever they ticked: otherwise the optimists alone decide
    Advance and Significance.  A tie is not done.
    """
    combined: dict[str, AnswerCode] = {}
    counts: dict[str, int] = {}
    splits: list[Split] = []
    for item in bank.lookup.process_items.values():
        ids = [p.id for p in item.practices]
        answering = [r for r in respondents if any(pid in r for pid in ids)]
        if not answering:
            continue
        counts[item.id] = len(answering)
        reached = [_reached_levels(item, r) for r in answering]
        for level in item.levels:
            for practice in level.practices:
                done = not_done = unsure = gated = 0
                for answers, levels in zip(answering, reached, strict=True):
                    if level.level not in levels:
                        gated += 1
                    elif answers.get(practice.id) == "done":
                        done += 1
                    elif answers.get(practice.id) == "unsure":
                        unsure += 1
                    else:
                        not_done += 1
                split = Split(practice, done, not_done, unsure, gated, len(answering))
                combined[practice.id] = "done" if split.agency_done else "not_done"
                if 0 < done < len(answering):
                    splits.append(split)
    answered = unsure_total = 0
    for answers in respondents:
        a, u = count_answers(bank, answers)
        answered += a
        unsure_total += u
    return AgencyAnswers(combined, counts, tuple(splits), answered, unsure_total)


def _reached_levels(item: ProcessItem, answers: Answers) -> set[str]:
    reached: set[str] = set()
    for level in item.levels:
        reached.add(level.level)
        if any(answers.get(p.id) != "done" for p in level.practices):
            break
    return reached


def score_agency(
    bank: BankV2,
    respondents: Sequence[Answers],
    results: Mapping[str, Sequence[IndicatorValue]] | None = None,
    estimates: Mapping[str, str] | None = None,
) -> tuple[Result, AgencyAnswers]:
    combined = agency_answers(bank, respondents)
    result = score(bank, combined.answers, results, estimates, answered=combined.answered, unsure=combined.unsure)
    return result, combined


__all__ = [
    "AgencyAnswers",
    "CategoryResult",
    "IndicatorValue",
    "ProcessItemResult",
    "RankedAction",
    "Result",
    "ResultItemResult",
    "Split",
    "agency_answers",
    "band_for",
    "indicator_score",
    "process_item_score",
    "ranked_actions",
    "rate_score",
    "score",
    "score_agency",
    "success_rate",
]
