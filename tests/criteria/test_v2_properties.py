"""Properties of version-2 scoring over random answers (hypothesis): range, monotonicity, labels."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.v2 import BankV2
from criteria.v2.model import MAX_SCORE, AnswerCode
from criteria.v2.scoring import (
    IndicatorValue,
    ProcessItemResult,
    Result,
    agency_answers,
    band_for,
    indicator_score,
    score,
)
from tests.criteria.v2_bank import INSTRUMENT, practice_ids

TOLERANCE = 1e-9
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ALL_IDS = [pid for item in INSTRUMENT for pid in practice_ids(item)]
ANSWER: st.SearchStrategy[AnswerCode] = st.sampled_from(["done", "not_done", "unsure"])

answer_sets = st.dictionaries(st.sampled_from(ALL_IDS), ANSWER, max_size=len(ALL_IDS))
indicators = st.builds(
    IndicatorValue,
    st.sampled_from(["higher", "lower"]),
    st.floats(min_value=0.01, max_value=1e6, allow_nan=False),
    st.tuples(st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False))),
)
results = st.dictionaries(st.sampled_from([f"7.{n}" for n in range(1, 7)]), st.lists(indicators, max_size=3).map(tuple))


def all_scores(result: Result) -> list[float]:
    return [i.score for i in result.items] + [c.score for c in result.categories] + [result.overall]


@SETTINGS
@given(answer_sets, results)
def test_scores_stay_within_0_and_500(bank_v2: BankV2, answers: dict[str, AnswerCode], given_results: dict) -> None:  # type: ignore[type-arg]
    result = score(bank_v2, answers, given_results)
    for value in all_scores(result):
        assert -TOLERANCE <= value <= MAX_SCORE + TOLERANCE
    assert 0 <= result.index <= 4 + TOLERANCE


@SETTINGS
@given(indicators)
def test_indicator_scores_are_in_range(indicator: IndicatorValue) -> None:
    value = indicator_score(indicator)
    assert value is None or 0 <= value <= MAX_SCORE


@SETTINGS
@given(answer_sets, st.sampled_from(ALL_IDS))
def test_one_more_practice_done_never_lowers_a_score(bank_v2: BankV2, answers: dict[str, AnswerCode], extra: str) -> None:
    before = score(bank_v2, answers)
    after = score(bank_v2, {**answers, extra: "done"})
    for a, b in zip(all_scores(before), all_scores(after), strict=True):
        assert b + TOLERANCE >= a


@SETTINGS
@given(answer_sets)
def test_levels_match_scores(bank_v2: BankV2, answers: dict[str, AnswerCode]) -> None:
    """An item's label from its practices (§2.2) is the band its score falls in, and so on up."""
    result = score(bank_v2, answers)
    for item in result.items:
        assert item.band == band_for(bank_v2, item.score)
        if isinstance(item, ProcessItemResult):
            complete = [lv.level for lv in item.levels if lv.complete]
            expected = "below"
            for level in ("basic", "advance", "significance"):
                if level not in complete:
                    break
                expected = level
            assert item.band.key == expected
    for category in result.categories:
        assert category.band == band_for(bank_v2, category.score)
    assert result.band == band_for(bank_v2, result.overall)


@SETTINGS
@given(st.lists(answer_sets, min_size=1, max_size=6))
def test_the_agency_never_does_what_no_respondent_did(bank_v2: BankV2, respondents: list[dict[str, AnswerCode]]) -> None:
    agency = agency_answers(bank_v2, respondents)
    for practice_id, answer in agency.answers.items():
        if answer == "done":
            assert sum(r.get(practice_id) == "done" for r in respondents) * 2 > agency.respondents[
                practice_id.split("-")[0]]


@SETTINGS
@given(answer_sets)
def test_one_respondent_is_the_agency(bank_v2: BankV2, answers: dict[str, AnswerCode]) -> None:
    """With one respondent the rule gives their own score: gated-out ticks score 0 either way."""
    agency = agency_answers(bank_v2, [answers])
    assert score(bank_v2, agency.answers).overall == score(bank_v2, answers).overall
