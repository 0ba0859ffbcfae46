"""Properties of scoring over random answer sets of the shipped bank (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from criteria import default_bank
from criteria.model import MAX_SCORE, Question
from criteria.scoring import (
    INDEX_MAX,
    Result,
    aggregate,
    inapplicable_answers,
    is_applicable,
    score,
)

BANK = default_bank()
TOLERANCE = 1e-9  # the same slack the scoring module gives float sums at a threshold
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

answer_sets = st.fixed_dictionaries(
    {},
    optional={
        q.id: st.sampled_from([o.code for o in BANK.scale_for(q).options]) for q in BANK.questions
    },
)


def all_scores(result: Result) -> list[float]:
    return [i.score for i in result.items] + [c.score for c in result.categories] + [result.overall]


def assert_level_matches(value: float, level_key: str) -> None:
    levels = list(BANK.levels)
    position = [lv.key for lv in levels].index(level_key)
    assert levels[position].min_score <= value + TOLERANCE, (value, level_key)
    if position + 1 < len(levels):
        assert value + TOLERANCE < levels[position + 1].min_score, (value, level_key)


@PROPERTY_SETTINGS
@given(answer_sets)
def test_scores_stay_within_0_and_500(answers: dict[str, str]) -> None:
    result = score(BANK, answers)
    for value in all_scores(result):
        assert -TOLERANCE <= value <= MAX_SCORE + TOLERANCE


@PROPERTY_SETTINGS
@given(answer_sets)
def test_level_matches_thresholds(answers: dict[str, str]) -> None:
    result = score(BANK, answers)
    for item in result.items:
        assert_level_matches(item.score, item.level.key)
    for category in result.categories:
        assert_level_matches(category.score, category.level.key)
    assert_level_matches(result.overall, result.level.key)


@PROPERTY_SETTINGS
@given(answer_sets)
def test_index_within_0_and_4(answers: dict[str, str]) -> None:
    result = score(BANK, answers)
    assert -TOLERANCE <= result.index <= INDEX_MAX + TOLERANCE
    assert abs(result.index - result.overall / MAX_SCORE * INDEX_MAX) < TOLERANCE


@PROPERTY_SETTINGS
@given(answer_sets, st.data())
def test_raising_one_answer_never_lowers_a_score(answers: dict[str, str], data: st.DataObject) -> None:
    """Raise one answer to a higher option in scale order (no answer ranks below all, "not sure" as 0)."""
    question = data.draw(st.sampled_from(BANK.questions), label="question")
    scale = BANK.scale_for(question)
    current = answers.get(question.id)
    rank = -1 if current is None else scale.rank(current)  # Scale.rank puts "not sure" at 0
    higher = [o.code for o in scale.options if not o.unsure and scale.rank(o.code) > rank]
    if not higher:  # already the top answer
        return
    raised = {**answers, question.id: data.draw(st.sampled_from(higher), label="raised to")}

    before, after = score(BANK, answers), score(BANK, raised)
    for old, new in zip(all_scores(before), all_scores(after), strict=True):
        assert new >= old - TOLERANCE, (question.id, current, raised[question.id])


@PROPERTY_SETTINGS
@given(answer_sets)
def test_aggregate_of_one_respondent_is_that_respondent(answers: dict[str, str]) -> None:
    combined = aggregate(BANK, [answers])
    assert combined.answers == answers
    assert combined.disagreements == ()
    assert combined.respondents == dict.fromkeys(answers, 1)
    assert score(BANK, combined.answers) == score(BANK, answers)


@PROPERTY_SETTINGS
@given(answer_sets)
def test_answers_set_aside_by_the_gate_change_nothing(answers: dict[str, str]) -> None:
    kept = {qid: code for qid, code in answers.items() if qid not in inapplicable_answers(BANK, answers)}
    assert inapplicable_answers(BANK, kept) == []
    assert score(BANK, kept) == score(BANK, answers)


@PROPERTY_SETTINGS
@given(answer_sets)
def test_confidence_is_a_share(answers: dict[str, str]) -> None:
    result = score(BANK, answers)
    assert 0 <= result.unsure <= result.answered <= len(answers)
    if result.answered == 0:
        assert result.confidence is None
    else:
        assert result.confidence is not None
        assert 0 <= result.confidence <= 1



@PROPERTY_SETTINGS
@given(answer_sets, st.sampled_from(BANK.questions))
def test_not_sure_scores_like_the_lowest_answer_but_is_counted(answers: dict[str, str], question: Question) -> None:
    unsure = score(BANK, {**answers, question.id: "u"})
    lowest = score(BANK, {**answers, question.id: "0"})
    assert all_scores(unsure) == all_scores(lowest)
    assert unsure.answered == lowest.answered
    counted = is_applicable(BANK, question, answers)
    assert unsure.unsure - lowest.unsure == (1 if counted else 0)
