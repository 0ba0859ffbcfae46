"""Scoring rules of the domain brief ("Decisions already taken"): item formula with the strict
gate, levels, weighted overall, Government-4.0 index, confidence, several respondents and the
ranking of improvement actions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from criteria import Bank, default_bank, load_bank
from criteria.loader import DEFAULT_BANK_DIR
from criteria.scoring import (
    aggregate,
    applicable_questions,
    government_index,
    inapplicable_answers,
    is_applicable,
    item_score,
    level_for,
    next_question,
    ranked_actions,
    score,
    strengths,
)


@pytest.fixture(scope="module")
def bank() -> Bank:
    return default_bank()


def process_item(item_id: str, b: str | None = None, a: str | None = None, s: str | None = None) -> dict[str, str]:
    """Answers to one process item's Basic / Advance / Significance questions (None = not answered)."""
    pairs = {"B": b, "A": a, "S": s}
    return {f"Q{item_id}{suffix}": code for suffix, code in pairs.items() if code is not None}


def every(bank: Bank, process: tuple[str | None, str | None, str | None], result: str | None) -> dict[str, str]:
    """The same answers for every process item and every result item."""
    answers: dict[str, str] = {}
    for item in bank.items:
        if item.category_number == 7:
            if result is not None:
                answers[f"Q{item.id}R"] = result
        else:
            answers.update(process_item(item.id, *process))
    return answers


def bank_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "bank"
    shutil.copytree(DEFAULT_BANK_DIR, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture is stale: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


# Worked example ----------------------------------------------------------------------

def test_worked_example_category_1(bank: Bank) -> None:
    """Category 1 of the worked example:

    ===== ===== ===== ===== =================================================
    item  B     A     S     item score
    ===== ===== ===== ===== =================================================
    1.1   3     3     3     300 + 100 + 100 = 500
    1.2   3     3     0     300 + 100 + 0   = 400
    1.3   2     –     –     300 × 2/3       = 200 (below Basic)
    1.4   3     3     u     300 + 100 + 0   = 400 ("not sure" scores 0)
    ===== ===== ===== ===== =================================================

    category 1 = (500 + 400 + 200 + 400) / 4 = 375 → "พื้นฐาน" (300–399).
    The weakest item is 1.3, and the first action for category 1 is the Basic action of 1.3.
    """
    answers = {
        **process_item("1.1", "3", "3", "3"),
        **process_item("1.2", "3", "3", "0"),
        **process_item("1.3", "2"),
        **process_item("1.4", "3", "3", "u"),
    }
    result = score(bank, answers)
    category = result.category(1)
    assert [round(i.score, 6) for i in category.items] == [500, 400, 200, 400]
    assert category.score == pytest.approx(375)
    assert category.level.name == "ระดับพื้นฐาน"
    assert category.level.key == "basic"

    weakest = min(category.items, key=lambda i: i.score)
    assert weakest.item.id == "1.3"
    assert weakest.next_question is not None
    assert weakest.next_question.id == "Q1.3B"

    actions = [a for a in ranked_actions(bank, result) if a.category.number == 1]
    assert actions[0].item.id == "1.3"
    assert actions[0].question.id == "Q1.3B"
    assert actions[0].text == bank.question("Q1.3B").action  # type: ignore[union-attr]
    # 1.1 is at 500: no action; 1.2 and 1.4 need their Significance action.
    assert [(a.item.id, a.question.id) for a in actions] == [("1.3", "Q1.3B"), ("1.2", "Q1.2S"), ("1.4", "Q1.4S")]

    assert result.answered == 10
    assert result.unsure == 1
    assert result.confidence == pytest.approx(0.9)
    # only category 1 answered: overall is its share of the equal-weight mean
    assert result.overall == pytest.approx(375 / 7)


# Item formula ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("b", "a", "s", "expected"),
    [
        (None, None, None, 0),
        ("0", None, None, 0),
        ("1", None, None, 100),
        ("2", None, None, 200),
        ("3", None, None, 300),
        ("2", "3", None, 200),  # gate: Advance counts only when Basic is fully met
        ("2", "3", "3", 200),
        ("1", "3", "3", 100),
        ("u", "3", "3", 0),
        ("3", "1", None, 300 + 100 / 3),
        ("3", "2", None, 300 + 200 / 3),
        ("3", "2", "3", 300 + 200 / 3),  # gate: Significance counts only when Advance is fully met
        ("3", "u", "3", 300),
        ("3", "3", None, 400),
        ("3", "3", "0", 400),
        ("3", "3", "1", 400 + 100 / 3),
        ("3", "3", "2", 400 + 200 / 3),
        ("3", "3", "u", 400),
        ("3", "3", "3", 500),
        ("3", None, "3", 300),
    ],
)
def test_process_item_formula(bank: Bank, b: str | None, a: str | None, s: str | None, expected: float) -> None:
    item = bank.item("2.3")
    assert item is not None
    answers = process_item("2.3", b, a, s)
    assert item_score(bank, item, answers) == pytest.approx(expected)
    assert score(bank, answers).category(2).items[2].score == pytest.approx(expected)


@pytest.mark.parametrize(("code", "expected"), [("0", 0), ("150", 150), ("300", 300), ("400", 400), ("500", 500), ("u", 0)])
def test_result_item_scores_its_points(bank: Bank, code: str, expected: float) -> None:
    item = bank.item("7.1")
    assert item is not None
    assert item_score(bank, item, {"Q7.1R": code}) == pytest.approx(expected)
    assert score(bank, {"Q7.1R": code}).category(7).items[0].score == pytest.approx(expected)


def test_unknown_codes_score_zero(bank: Bank) -> None:
    item = bank.item("1.1")
    assert item is not None
    assert item_score(bank, item, {"Q1.1B": "9"}) == 0
    result = score(bank, {"Q1.1B": "9", "Q7.1R": "3"})
    assert result.overall == 0
    assert result.answered == 0


# Levels, overall, index ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "key", "name"),
    [
        (0, "below", "ยังไม่ถึงระดับพื้นฐาน"),
        (299.99, "below", "ยังไม่ถึงระดับพื้นฐาน"),
        (300, "basic", "ระดับพื้นฐาน"),
        (399.99, "basic", "ระดับพื้นฐาน"),
        (400, "advance", "ระดับก้าวหน้า"),
        (499.99, "advance", "ระดับก้าวหน้า"),
        (500, "significance", "ระดับโดดเด่น"),
    ],
)
def test_level_thresholds(bank: Bank, value: float, key: str, name: str) -> None:
    level = level_for(bank, value)
    assert level.key == key
    assert level.name == name


def test_level_thresholds_tolerate_float_sums(bank: Bank) -> None:
    # 3 × 100/3 and similar sums must still reach a threshold
    assert level_for(bank, 300 - 1e-12).key == "basic"
    assert level_for(bank, (100 / 3) * 12).key == "advance"


def test_item_category_and_overall_levels_follow_scores(bank: Bank) -> None:
    answers = every(bank, ("3", "3", None), "400")
    result = score(bank, answers)
    assert all(i.level.key == "advance" for i in result.items)
    assert all(c.level.key == "advance" for c in result.categories)
    assert result.overall == pytest.approx(400)
    assert result.level.key == "advance"


def test_overall_is_mean_of_categories_with_equal_weights(bank: Bank) -> None:
    answers = {**every(bank, ("3", None, None), None), **{f"Q7.{n}R": "500" for n in range(1, 7)}}
    for item_id in ("1.1", "1.2", "1.3", "1.4"):
        answers.update(process_item(item_id, "3", "3", "3"))  # category 1 at 500
    result = score(bank, answers)
    categories = [c.score for c in result.categories]
    assert categories == pytest.approx([500, 300, 300, 300, 300, 300, 500])
    assert result.overall == pytest.approx(2500 / 7)
    assert result.index == pytest.approx(2500 / 7 / 500 * 4)


def test_government_index(bank: Bank) -> None:
    assert government_index(500) == pytest.approx(4.0)
    assert government_index(0) == 0
    assert government_index(400) == pytest.approx(3.2)

    top = score(bank, every(bank, ("3", "3", "3"), "500"))
    assert top.overall == pytest.approx(500)
    assert top.index == pytest.approx(4.0)
    assert top.level.key == "significance"

    # every item at Basic fully met only (process: B = 3; results: target met = 300)
    basic = score(bank, every(bank, ("3", None, None), "300"))
    assert basic.overall == pytest.approx(300)
    assert basic.index == pytest.approx(2.4)
    assert basic.level.name == "ระดับพื้นฐาน"

    assert score(bank, {}).index == 0


def test_weights_come_from_the_bank_data(tmp_path: Path) -> None:
    old = '''weight_total = 7
[weights]
"1" = 1
"2" = 1
"3" = 1
"4" = 1
"5" = 1
"6" = 1
"7" = 1
'''
    new = '''weight_total = 100
[weights]
"1" = 10
"2" = 10
"3" = 10
"4" = 10
"5" = 10
"6" = 10
"7" = 40
'''
    heavy = load_bank(bank_copy(tmp_path, "bank.toml", old, new))
    assert heavy.weight_total == 100
    answers = {**every(heavy, ("3", None, None), "500")}  # process categories at 300, results at 500
    equal = score(default_bank(), answers)
    weighted = score(heavy, answers)
    assert equal.overall == pytest.approx((6 * 300 + 500) / 7)
    assert weighted.overall == pytest.approx((60 * 300 + 40 * 500) / 100)
    assert weighted.overall == pytest.approx(380)
    assert weighted.index == pytest.approx(380 / 500 * 4)
    # category scores do not depend on weights
    assert [c.score for c in weighted.categories] == pytest.approx([c.score for c in equal.categories])


# The adaptive gate -----------------------------------------------------------------------

def ids(questions: list) -> list[str]:  # type: ignore[type-arg]
    return [q.id for q in questions]


def test_no_answers_path_is_basic_and_result_questions(bank: Bank) -> None:
    path = applicable_questions(bank, {})
    assert len(path) == 30
    assert {q.level for q in path} == {"basic", "result"}
    assert ids(path)[:3] == ["Q1.1B", "Q1.2B", "Q1.3B"]
    assert ids(path)[-1] == "Q7.6R"


def test_minimum_and_maximum_path(bank: Bank) -> None:
    assert len(applicable_questions(bank, every(bank, ("0", None, None), "0"))) == 30
    assert len(applicable_questions(bank, every(bank, ("2", None, None), "0"))) == 30
    assert len(applicable_questions(bank, every(bank, ("3", None, None), "0"))) == 54
    assert len(applicable_questions(bank, every(bank, ("3", "2", None), "0"))) == 54
    assert len(applicable_questions(bank, every(bank, ("3", "3", None), "0"))) == 78
    assert len(applicable_questions(bank, every(bank, ("3", "3", "3"), "500"))) == 78


def test_basic_fully_met_opens_advance_and_advance_opens_significance(bank: Bank) -> None:
    advance = bank.question("Q1.1A")
    significance = bank.question("Q1.1S")
    assert advance is not None
    assert significance is not None
    for code in ("0", "1", "2", "u"):
        assert not is_applicable(bank, advance, {"Q1.1B": code})
    assert is_applicable(bank, advance, {"Q1.1B": "3"})
    assert not is_applicable(bank, significance, {"Q1.1B": "3"})
    assert not is_applicable(bank, significance, {"Q1.1B": "3", "Q1.1A": "2"})
    assert is_applicable(bank, significance, {"Q1.1B": "3", "Q1.1A": "3"})
    assert not is_applicable(bank, significance, {"Q1.1B": "2", "Q1.1A": "3"})

    path = ids(applicable_questions(bank, {"Q1.1B": "3"}))
    assert path[:3] == ["Q1.1B", "Q1.1A", "Q1.2B"]
    path = ids(applicable_questions(bank, {"Q1.1B": "3", "Q1.1A": "3"}))
    assert path[:4] == ["Q1.1B", "Q1.1A", "Q1.1S", "Q1.2B"]
    assert len(path) == 32


def test_lowering_basic_sets_advance_and_significance_aside(bank: Bank) -> None:
    answers = {"Q1.1B": "3", "Q1.1A": "3", "Q1.1S": "2", "Q1.2B": "1"}
    assert inapplicable_answers(bank, answers) == []
    lowered = {**answers, "Q1.1B": "2"}
    assert sorted(inapplicable_answers(bank, lowered)) == ["Q1.1A", "Q1.1S"]
    assert "Q1.1A" not in ids(applicable_questions(bank, lowered))
    lowered_advance = {**answers, "Q1.1A": "1"}
    assert inapplicable_answers(bank, lowered_advance) == ["Q1.1S"]
    # the set-aside answers do not count towards the score or the answer count
    assert score(bank, lowered).category(1).items[0].score == pytest.approx(200)
    assert score(bank, lowered).answered == 2


def test_next_question(bank: Bank) -> None:
    def nxt(answers: dict[str, str], **kwargs: object) -> str | None:
        question = next_question(bank, answers, **kwargs)  # type: ignore[arg-type]
        return None if question is None else question.id

    assert nxt({}) == "Q1.1B"
    assert nxt({"Q1.1B": "2"}) == "Q1.2B"
    assert nxt({"Q1.1B": "3"}) == "Q1.1A"
    assert nxt({"Q1.1B": "3", "Q1.1A": "3"}) == "Q1.1S"
    # after: continue after the given question, wrapping to the first pending one
    assert nxt({}, after="Q1.1B") == "Q1.2B"
    assert nxt({}, after="Q3.4B") == "Q4.1B"
    assert nxt({"Q1.1B": "3"}, after="Q1.1B") == "Q1.1A"
    assert nxt({"Q1.1B": "3"}, after="Q2.1B") == "Q2.2B"
    assert nxt({"Q1.1B": "3"}, after="Q7.6R") == "Q1.1A"
    # skipped questions are not offered again
    assert nxt({}, skipped={"Q1.1B"}) == "Q1.2B"
    assert nxt({}, skipped={"Q1.2B", "Q1.3B"}, after="Q1.1B") == "Q1.4B"
    # categories limit the respondent's questions
    assert nxt({}, categories=[3]) == "Q3.1B"
    assert nxt({}, categories=[7, 5]) == "Q5.1B"
    assert nxt({}, categories=[3], after="Q3.4B") == "Q3.1B"
    assert nxt({"Q3.4B": "0"}, categories=[3], after="Q3.4B") == "Q3.1B"
    # everything answered or skipped → None
    done = {q.id: "0" for q in applicable_questions(bank, {}, categories=[2])}
    assert nxt(done, categories=[2]) is None
    assert nxt({}, categories=[2], skipped=done) is None
    full = every(bank, ("0", None, None), "0")
    assert nxt(full) is None


def test_applicable_questions_by_category(bank: Bank) -> None:
    assert ids(applicable_questions(bank, {}, categories=[7])) == [f"Q7.{n}R" for n in range(1, 7)]
    assert len(applicable_questions(bank, {}, categories=[1, 2])) == 8
    assert applicable_questions(bank, {}, categories=[]) == []


# Not sure and confidence ----------------------------------------------------------------

def test_unsure_scores_zero_and_lowers_confidence(bank: Bank) -> None:
    result = score(bank, {"Q1.1B": "u", "Q1.2B": "3", "Q1.3B": "2", "Q7.1R": "u"})
    assert result.category(1).items[0].score == 0
    assert result.category(7).items[0].score == 0
    assert result.answered == 4
    assert result.unsure == 2
    assert result.confidence == pytest.approx(0.5)


def test_confidence_none_without_answers(bank: Bank) -> None:
    assert score(bank, {}).confidence is None
    assert score(bank, {}).answered == 0
    assert score(bank, {"Q1.1B": "3"}).confidence == 1.0
    assert score(bank, {"Q1.1B": "u"}).confidence == 0.0


def test_answers_to_inapplicable_questions_are_not_counted(bank: Bank) -> None:
    answers = {"Q1.1B": "2", "Q1.1A": "u", "Q1.1S": "3"}
    result = score(bank, answers)
    assert result.answered == 1
    assert result.unsure == 0
    assert result.confidence == 1.0
    assert result.category(1).items[0].score == pytest.approx(200)


# Several respondents --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("codes", "median"),
    [
        (["1", "2"], "1"),  # lower median on a tie
        (["2", "1"], "1"),
        (["0", "2", "3"], "2"),
        (["3", "0", "2"], "2"),
        (["3", "1", "2", "0"], "1"),
        (["3", "3"], "3"),
        (["u", "3"], "3"),  # unsure is left out
        (["u", "u", "1", "3"], "1"),
        (["u", "u"], "u"),  # unless everyone is unsure
    ],
)
def test_aggregate_lower_median(bank: Bank, codes: list[str], median: str) -> None:
    combined = aggregate(bank, [{"Q2.2B": c} for c in codes])
    assert combined.answers == {"Q2.2B": median}
    assert combined.respondents == {"Q2.2B": len(codes)}


def test_aggregate_result_scale_uses_scale_order_not_text_order(bank: Bank) -> None:
    # "150" < "300" < "400" < "500" on the scale; "0" and "150" text-sort differently from numbers
    assert aggregate(bank, [{"Q7.2R": "500"}, {"Q7.2R": "150"}]).answers == {"Q7.2R": "150"}
    assert aggregate(bank, [{"Q7.2R": "400"}, {"Q7.2R": "0"}, {"Q7.2R": "150"}]).answers == {"Q7.2R": "150"}


@pytest.mark.parametrize(
    ("question_id", "codes", "spread"),
    [
        ("Q1.1B", ["1", "3"], 2),
        ("Q1.1B", ["0", "3"], 3),
        ("Q1.1B", ["0", "1", "2"], 2),
        ("Q1.1B", ["u", "1", "3"], 2),
        ("Q7.1R", ["150", "400"], 2),
        ("Q7.1R", ["0", "500"], 4),
    ],
)
def test_disagreement_flagged_at_two_steps(bank: Bank, question_id: str, codes: list[str], spread: int) -> None:
    combined = aggregate(bank, [{question_id: c} for c in codes])
    assert len(combined.disagreements) == 1
    disagreement = combined.disagreements[0]
    assert disagreement.question.id == question_id
    assert disagreement.spread == spread
    assert list(disagreement.codes) == codes


@pytest.mark.parametrize(
    ("question_id", "codes"),
    [
        ("Q1.1B", ["1", "2"]),
        ("Q1.1B", ["2", "3", "3"]),
        ("Q1.1B", ["u", "3"]),
        ("Q1.1B", ["u", "0"]),
        ("Q1.1B", ["3"]),
        ("Q7.1R", ["300", "400"]),
        ("Q7.1R", ["400", "500"]),
    ],
)
def test_no_disagreement_within_one_step(bank: Bank, question_id: str, codes: list[str]) -> None:
    assert aggregate(bank, [{question_id: c} for c in codes]).disagreements == ()


def test_aggregate_counts_respondents_per_question(bank: Bank) -> None:
    respondents = [
        {"Q1.1B": "3", "Q1.1A": "3", "Q7.1R": "300"},
        {"Q1.1B": "3", "Q2.1B": "1"},
        {"Q1.1B": "2", "Q1.1A": "2"},
    ]
    combined = aggregate(bank, respondents)
    assert combined.respondents == {"Q1.1B": 3, "Q1.1A": 2, "Q2.1B": 1, "Q7.1R": 1}
    assert combined.answers == {"Q1.1B": "3", "Q1.1A": "2", "Q2.1B": "1", "Q7.1R": "300"}
    assert combined.disagreements == ()
    assert list(combined.answers) == ["Q1.1B", "Q1.1A", "Q2.1B", "Q7.1R"]  # bank order
    assert score(bank, combined.answers).category(1).items[0].score == pytest.approx(300 + 200 / 3)


def test_aggregate_of_nobody(bank: Bank) -> None:
    combined = aggregate(bank, [])
    assert combined.answers == {}
    assert combined.respondents == {}


# Improvement actions ----------------------------------------------------------------------

def ranking_answers() -> dict[str, str]:
    """A full answer set built to exercise every rule of the action ranking.

    cat 1: 1.1 = 500, 1.2 = 433.3, 1.3 = 366.7, 1.4 = 200      → 375
    cat 2: 2.1–2.4 = 300 (Advance "not sure")                     → 300
    cat 3: 3.1 = 100, 3.2 = 400, 3.3 = 466.7, 3.4 = 400          → 341.7
    cat 4–6: every item 500                                       → 500
    cat 7: 7.1 = 400, 7.2–7.6 = 500                               → 483.3
    """
    answers: dict[str, str] = {}
    answers.update(process_item("1.1", "3", "3", "3"))
    answers.update(process_item("1.2", "3", "3", "1"))
    answers.update(process_item("1.3", "3", "2"))
    answers.update(process_item("1.4", "2"))
    for n in range(1, 5):
        answers.update(process_item(f"2.{n}", "3", "u"))
    answers.update(process_item("3.1", "1"))
    answers.update(process_item("3.2", "3", "3", "0"))
    answers.update(process_item("3.3", "3", "3", "2"))
    answers.update(process_item("3.4", "3", "3"))
    for c in (4, 5, 6):
        for n in range(1, 5):
            answers.update(process_item(f"{c}.{n}", "3", "3", "3"))
    answers["Q7.1R"] = "400"
    answers.update({f"Q7.{n}R": "500" for n in range(2, 7)})
    return answers


def test_ranked_actions_order(bank: Bank) -> None:
    result = score(bank, ranking_answers())
    assert [round(c.score, 2) for c in result.categories] == [375, 300, 341.67, 500, 500, 500, 483.33]
    actions = ranked_actions(bank, result)
    assert [(a.item.id, a.question.id) for a in actions] == [
        # below Basic, lowest score first
        ("3.1", "Q3.1B"),
        ("1.4", "Q1.4B"),
        # at Basic, weakest category first (cat 2 = 300, then cat 1 = 375)
        ("2.1", "Q2.1A"),
        ("2.2", "Q2.2A"),
        ("2.3", "Q2.3A"),
        ("2.4", "Q2.4A"),
        ("1.3", "Q1.3A"),
        # at Advance, weakest category first (cat 3 = 341.7, cat 1 = 375, cat 7 = 483.3),
        # lowest item first within a category, then bank order
        # (3.4's Significance question was not answered: no action for it)
        ("3.2", "Q3.2S"),
        ("3.3", "Q3.3S"),
        ("1.2", "Q1.2S"),
        ("7.1", "Q7.1R"),
    ]
    assert [a.priority for a in actions] == list(range(1, 12))
    for action in actions:
        assert action.text == action.question.action
        assert action.category.number == action.item.category_number
    assert actions[0].item_score == pytest.approx(100)


def test_items_at_500_have_no_action(bank: Bank) -> None:
    result = score(bank, every(bank, ("3", "3", "3"), "500"))
    assert all(i.next_question is None for i in result.items)
    assert ranked_actions(bank, result) == []


def test_action_is_for_the_next_level_not_reached(bank: Bank) -> None:
    cases = {
        "Q2.1B": {"Q2.1B": "2"},
        "Q2.1A": {"Q2.1B": "3", "Q2.1A": "1"},
        "Q2.1S": {"Q2.1B": "3", "Q2.1A": "3", "Q2.1S": "2"},
    }
    for expected, answers in cases.items():
        actions = ranked_actions(bank, score(bank, answers))
        by_item = {a.item.id: a for a in actions}
        assert by_item["2.1"].question.id == expected
        assert by_item["2.1"].text == bank.question(expected).action  # type: ignore[union-attr]
    # a lowered Basic brings the Basic action back even with a fully met Advance left over
    actions = ranked_actions(bank, score(bank, {"Q2.1B": "2", "Q2.1A": "3", "Q2.1S": "3"}))
    assert {a.item.id: a.question.id for a in actions}["2.1"] == "Q2.1B"


def test_no_action_for_a_question_not_answered_or_skipped(bank: Bank) -> None:
    # issue 11: an unanswered (or skipped) question says nothing about what the agency lacks
    assert ranked_actions(bank, score(bank, {})) == []
    # Basic fully met, Advance not answered yet: no action for 2.1; item 2.2's answered Basic has one
    actions = ranked_actions(bank, score(bank, {"Q2.1B": "3", "Q2.2B": "1"}))
    assert [(a.item.id, a.question.id) for a in actions] == [("2.2", "Q2.2B")]
    # "ไม่แน่ใจ" is an answer: the action stays (the team should find out)
    assert [a.item.id for a in ranked_actions(bank, score(bank, {"Q2.1B": "u"}))] == ["2.1"]


def test_strengths_are_the_highest_items(bank: Bank) -> None:
    result = score(bank, ranking_answers())
    assert [i.item.id for i in strengths(result)] == ["1.1", "4.1", "4.2"]  # ties keep bank order
    assert [i.item.id for i in strengths(result, 5)] == ["1.1", "4.1", "4.2", "4.3", "4.4"]

    result = score(bank, {"Q3.2B": "2", "Q5.1B": "3", "Q5.1A": "1", "Q7.3R": "150"})
    # issue 11: only items at or above Basic (300 of 500) are strengths; 200 and 150 are not
    assert [(i.item.id, round(i.score, 2)) for i in strengths(result)] == [("5.1", 333.33)]
    assert strengths(score(bank, {})) == []
    assert strengths(score(bank, {"Q1.1B": "1"})) == []
    assert [i.item.id for i in strengths(score(bank, {"Q1.1B": "3"}))] == ["1.1"]  # exactly 300
