"""Bank version 2 scoring against an oracle written from the brief (shared/pmqa4-practices.md §0, §2),
not from the code: the worked examples, the gate, the labels, Formula B and its band edges."""

from __future__ import annotations

import pytest

from criteria.v2 import BankV2
from criteria.v2.model import AnswerCode
from criteria.v2.scoring import (
    IndicatorValue,
    ProcessItemResult,
    ResultItemResult,
    indicator_score,
    rate_score,
    score,
    success_rate,
)
from tests.criteria.v2_bank import INSTRUMENT, practice_ids


def oracle_item(b: int, a: int, s: int, nb: int, na: int, ns: int) -> float:
    """§2.1 exactly as printed in the brief."""
    value = 300 * b / nb
    value += 100 * a / na if b == nb else 0
    value += 100 * s / ns if b == nb and a == na else 0
    return value


def ticks(item: str, b: int, a: int, s: int) -> dict[str, AnswerCode]:
    """The first b Basic, a Advance and s Significance practices of `item` done."""
    answers: dict[str, AnswerCode] = {}
    for code, count in (("B", b), ("A", a), ("S", s)):
        for n in range(1, count + 1):
            answers[f"{item}-{code}{n}"] = "done"
    return answers


def process_item(bank: BankV2, answers: dict[str, AnswerCode], item: str) -> ProcessItemResult:
    result = score(bank, answers).item(item)
    assert isinstance(result, ProcessItemResult)
    return result


# §2.1 worked examples (nB=3, nA=2, nS=3: item 2.3 has exactly these counts) ----------------

def test_item_23_has_the_worked_examples_counts() -> None:
    assert INSTRUMENT["2.3"] == (3, 2, 3)


@pytest.mark.parametrize(
    ("b", "a", "s", "expected"),
    [(2, 2, 3, 200), (3, 1, 3, 350), (3, 2, 1, 433.3333333333333), (3, 2, 3, 500), (0, 0, 0, 0), (3, 0, 0, 300)],
)
def test_worked_examples(bank_v2: BankV2, b: int, a: int, s: int, expected: float) -> None:
    assert oracle_item(b, a, s, 3, 2, 3) == pytest.approx(expected)
    assert process_item(bank_v2, ticks("2.3", b, a, s), "2.3").score == pytest.approx(expected)


def test_the_gate_ignores_ticks_above_an_incomplete_level(bank_v2: BankV2) -> None:
    """Ticks above an incomplete level are kept but score 0 (§2.1)."""
    answers = ticks("1.2", 2, 3, 3)
    assert process_item(bank_v2, answers, "1.2").score == pytest.approx(200)
    answers["1.2-B3"] = "done"
    assert process_item(bank_v2, answers, "1.2").score == pytest.approx(500)
    answers["1.2-A2"] = "not_done"
    assert process_item(bank_v2, answers, "1.2").score == pytest.approx(300 + 200 / 3)


@pytest.mark.parametrize(
    ("b", "a", "s", "key", "name"),
    [
        (2, 2, 3, "below", "ยังไม่ผ่านระดับพื้นฐาน"),  # 200 with everything above ticked is still "not passed"
        (3, 1, 3, "basic", "ระดับพื้นฐาน"),
        (3, 2, 1, "advance", "ระดับก้าวหน้า"),
        (3, 2, 3, "significance", "ระดับพัฒนาจนเกิดผล"),
    ],
)
def test_item_labels_follow_the_practices(bank_v2: BankV2, b: int, a: int, s: int, key: str, name: str) -> None:
    """§2.2: an item is at a level only when every practice of that level and below is done."""
    item = process_item(bank_v2, ticks("2.3", b, a, s), "2.3")
    assert (item.band.key, item.band.name) == (key, name)
    assert [(lv.done, lv.total) for lv in item.levels] == [(b, 3), (a, 2), (s, 3)]


def test_unsure_counts_as_not_done_and_lowers_confidence(bank_v2: BankV2) -> None:
    answers: dict[str, AnswerCode] = {"1.1-B1": "done", "1.1-B2": "done", "1.1-B3": "unsure", "1.1-A1": "done"}
    result = score(bank_v2, answers)
    assert result.item("1.1").score == pytest.approx(200)
    assert (result.answered, result.unsure) == (4, 1)
    assert result.confidence == pytest.approx(0.75)
    assert score(bank_v2, {}).confidence is None


def test_category_overall_and_index(bank_v2: BankV2) -> None:
    """§2.3: category = mean of its items (unanswered = 0), overall = mean of the 7 categories."""
    answers = {**ticks("1.1", 3, 1, 1), **ticks("1.2", 3, 0, 0), **ticks("2.3", 3, 2, 1)}
    result = score(bank_v2, answers)
    cat1 = (500 + 300 + 0 + 0) / 4
    cat2 = (0 + 0 + 1300 / 3 + 0) / 4
    assert result.category(1).score == pytest.approx(cat1)
    assert result.category(2).score == pytest.approx(cat2)
    assert result.overall == pytest.approx((cat1 + cat2) / 7)
    assert result.index == pytest.approx((cat1 + cat2) / 7 / 500 * 4)
    assert result.category(1).band.key == "below"  # 200 < 300 (the product's bands)


def test_everything_done_and_every_indicator_far_above_target_is_500(bank_v2: BankV2) -> None:
    answers: dict[str, AnswerCode] = {p.id: "done" for p in bank_v2.practices}
    results = {i.id: (IndicatorValue("higher", 85, (90.0,)),) for i in bank_v2.results.items}
    result = score(bank_v2, answers, results)
    assert result.overall == pytest.approx(500)
    assert result.band.key == "significance"
    assert result.index == pytest.approx(4)


@pytest.mark.parametrize("item", sorted(INSTRUMENT))
def test_every_item_follows_the_oracle_level_by_level(bank_v2: BankV2, item: str) -> None:
    nb, na, ns = INSTRUMENT[item]
    for b in range(nb + 1):
        for a in (0, na):
            for s in (0, ns):
                got = process_item(bank_v2, ticks(item, b, a, s), item).score
                assert got == pytest.approx(oracle_item(b, a, s, nb, na, ns)), (item, b, a, s)
    assert len(practice_ids(item)) == nb + na + ns


# Formula B (§2.4) ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("direction", "target", "actual", "expected"),
    [
        ("higher", 85, 70, 247),  # r 82.4
        ("higher", 85, 80, 282),  # r 94.1
        ("higher", 85, 86, 400),  # r 101.2
        ("higher", 85, 90, 500),  # r 105.9
        ("lower", 10, 8, 500),  # r 120
        ("lower", 10, 12, 240),  # r 80
        ("higher", 85, 85, 300),  # at target
        ("lower", 10, 10, 300),
    ],
)
def test_formula_b_examples(direction: str, target: float, actual: float, expected: int) -> None:
    indicator = IndicatorValue(direction, target, (actual,))  # type: ignore[arg-type]
    assert indicator_score(indicator) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (99.99, 299),  # just below 100 %: 3 × 99.99 truncated
        (100, 300),
        (100.5, 300),
        (101, 300),  # 101 is still the 300 band
        (101.01, 400),  # just above 101
        (103, 400),
        (105, 400),  # 105 is still the 400 band
        (105.01, 500),
        (150, 500),
    ],
)
def test_formula_b_band_edges_higher_is_better(actual: float, expected: int) -> None:
    assert indicator_score(IndicatorValue("higher", 100, (actual,))) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (100.01, 299),  # r 99.99
        (100, 300),
        (99, 300),  # r 101
        (98.99, 400),  # r 101.01
        (95, 400),  # r 105
        (94.99, 500),  # r 105.01
        (0, 500),  # nothing at all of a lower-is-better quantity
        (250, 0),  # r −50: never below 0
    ],
)
def test_formula_b_band_edges_lower_is_better(actual: float, expected: int) -> None:
    assert indicator_score(IndicatorValue("lower", 100, (actual,))) == expected


def test_success_rate_is_rounded_to_two_decimals() -> None:
    assert success_rate("higher", 85, 70) == 82.35
    assert success_rate("lower", 10, 8) == 120
    assert success_rate("higher", 85, None) is None
    assert success_rate("higher", 0, 5) is None
    assert rate_score(100.0) == 300


def test_only_the_latest_year_is_scored() -> None:
    assert indicator_score(IndicatorValue("higher", 85, (10.0, 20.0, 90.0))) == 500
    assert indicator_score(IndicatorValue("higher", 85, (90.0, 90.0, None))) is None


def test_result_item_is_the_mean_of_its_scored_indicators(bank_v2: BankV2) -> None:
    results = {
        "7.1": (IndicatorValue("higher", 85, (70.0,)), IndicatorValue("higher", 85, (90.0,))),
        "7.3": (IndicatorValue("higher", 90, (None,)), IndicatorValue("lower", 10, (12.0,))),
    }
    result = score(bank_v2, {}, results)
    item71 = result.item("7.1")
    assert isinstance(item71, ResultItemResult)
    assert item71.score == pytest.approx((247 + 500) / 2)
    assert item71.status == "scored"
    assert item71.band.key == "basic"
    assert result.item("7.3").score == pytest.approx(240)  # the unscored indicator is left out
    item72 = result.item("7.2")
    assert isinstance(item72, ResultItemResult)
    assert (item72.status, item72.score) == ("not_entered", 0)
    assert result.category(7).score == pytest.approx(((247 + 500) / 2 + 240) / 6)


def test_an_estimate_fills_an_item_until_indicators_are_given(bank_v2: BankV2) -> None:
    result = score(bank_v2, {}, {}, {"7.2": "400", "7.1": "300"})
    item72 = result.item("7.2")
    assert isinstance(item72, ResultItemResult)
    assert (item72.status, item72.score) == ("estimate", 400)
    measured = score(bank_v2, {}, {"7.1": (IndicatorValue("higher", 85, (80.0,)),)}, {"7.1": "500"})
    item71 = measured.item("7.1")
    assert isinstance(item71, ResultItemResult)
    assert (item71.status, item71.score) == ("scored", 282)
