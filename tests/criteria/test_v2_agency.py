"""Several respondents (issue 13's rule) and gap-aware ranked actions, bank version 2."""

from __future__ import annotations

import pytest

from criteria.v2 import BankV2
from criteria.v2.model import AnswerCode
from criteria.v2.scoring import agency_answers, ranked_actions, score, score_agency
from tests.criteria.v2_bank import practice_ids

Answers = dict[str, AnswerCode]

# Item 1.2 has 3 Basic, 3 Advance and 3 Significance practices (brief §3).
BASIC = ["1.2-B1", "1.2-B2", "1.2-B3"]
ADVANCE = ["1.2-A1", "1.2-A2", "1.2-A3"]


def done(*ids: str) -> Answers:
    return dict.fromkeys(ids, "done")


def answered(ids: list[str], done_ids: list[str]) -> Answers:
    return {pid: ("done" if pid in done_ids else "not_done") for pid in ids}


# The rule ------------------------------------------------------------------------------

def test_the_inflation_example_no_longer_makes_advance_full(bank_v2: BankV2) -> None:
    """Issue 13: 5 officers, Basic complete for 3 and not for 2; of those 3, two did all of
    Advance and one did only A1.  Version 1's median among the three said Advance "full"."""
    full_basic = answered(BASIC, BASIC)
    partial_basic = answered(BASIC, ["1.2-B1"])
    respondents = [
        {**full_basic, **answered(ADVANCE, ADVANCE)},
        {**full_basic, **answered(ADVANCE, ADVANCE)},
        {**full_basic, **answered(ADVANCE, ["1.2-A1"])},
        {**partial_basic, **answered(ADVANCE, ADVANCE)},  # gated out of Advance: counts as not done
        partial_basic,
    ]
    agency = agency_answers(bank_v2, respondents)
    assert [agency.answers[p] for p in BASIC] == ["done", "done", "done"]  # 5, 3, 3 of 5
    assert agency.answers["1.2-A1"] == "done"  # 3 of 5 reached and did it
    assert agency.answers["1.2-A2"] == agency.answers["1.2-A3"] == "not_done"  # 2 of 5
    result = score(bank_v2, agency.answers)
    assert result.item("1.2").band.key == "basic"  # not "advance"
    assert result.item("1.2").score == pytest.approx(300 + 100 / 3)
    split = next(s for s in agency.splits if s.practice.id == "1.2-A2")
    assert (split.done, split.not_done, split.unsure, split.gated_out, split.respondents) == (2, 1, 0, 2, 5)
    assert not split.agency_done


def test_gated_out_respondents_count_as_not_done(bank_v2: BankV2) -> None:
    """Three say A1 is done, but two of them never completed Basic: 1 of 3 → not done."""
    respondents = [
        {**done(*BASIC), **done("1.2-A1")},
        {**done("1.2-B1", "1.2-B2"), **done("1.2-A1")},
        {**done("1.2-B1"), **done("1.2-A1")},
    ]
    agency = agency_answers(bank_v2, respondents)
    assert agency.answers["1.2-A1"] == "not_done"
    split = next(s for s in agency.splits if s.practice.id == "1.2-A1")
    assert (split.done, split.gated_out) == (1, 2)


def test_a_tie_is_not_done(bank_v2: BankV2) -> None:
    respondents = [done("1.1-B1"), answered(["1.1-B1"], [])]
    agency = agency_answers(bank_v2, respondents)
    assert agency.answers["1.1-B1"] == "not_done"
    four = [done("1.1-B1"), done("1.1-B1"), done("1.1-B2"), done("1.1-B2", "1.1-B1")]
    assert agency_answers(bank_v2, four).answers["1.1-B1"] == "done"  # 3 of 4
    assert agency_answers(bank_v2, four).answers["1.1-B2"] == "not_done"  # 2 of 4


def test_a_clear_majority_is_done_and_unsure_is_not(bank_v2: BankV2) -> None:
    respondents: list[Answers] = [done("1.1-B1"), done("1.1-B1"), {"1.1-B1": "unsure"}]
    agency = agency_answers(bank_v2, respondents)
    assert agency.answers["1.1-B1"] == "done"
    split = next(s for s in agency.splits if s.practice.id == "1.1-B1")
    assert (split.done, split.unsure) == (2, 1)
    assert agency_answers(bank_v2, [done("1.1-B1"), {"1.1-B1": "unsure"}, {"1.1-B1": "unsure"}]).answers[
        "1.1-B1"] == "not_done"


def test_only_respondents_to_the_item_count(bank_v2: BankV2) -> None:
    """Someone who answered nothing of item 1.1 (another category's owner) is no "not done" for it."""
    respondents = [done(*practice_ids("1.1")), done("6.1-B1")]
    agency = agency_answers(bank_v2, respondents)
    assert agency.respondents == {"1.1": 1, "6.1": 1}
    assert all(agency.answers[p] == "done" for p in practice_ids("1.1"))
    assert agency.answers["6.1-B1"] == "done"
    assert "2.1-B1" not in agency.answers


def test_unanimous_practices_are_no_split(bank_v2: BankV2) -> None:
    respondents = [done(*BASIC), done(*BASIC)]
    agency = agency_answers(bank_v2, respondents)
    assert not any(s.practice.id in BASIC for s in agency.splits)


def test_agency_confidence_counts_every_respondents_answers(bank_v2: BankV2) -> None:
    respondents: list[Answers] = [{"1.1-B1": "done", "1.1-B2": "unsure"}, {"1.1-B1": "done"}]
    result, _ = score_agency(bank_v2, respondents)
    assert (result.answered, result.unsure) == (3, 1)
    assert result.confidence == pytest.approx(2 / 3)


# Gap-aware actions ----------------------------------------------------------------------

def test_actions_rank_by_what_they_add_now(bank_v2: BankV2) -> None:
    """A Basic practice of a 3-practice item outranks a Significance practice of a locked level."""
    answers = done("1.1-B1", "1.1-B2", "1.1-A1")  # 1.1: Basic 2/3, so Significance is locked
    result = score(bank_v2, answers)
    actions = {a.practice.id: a for a in ranked_actions(bank_v2, result)}
    basic, locked = actions["1.1-B3"], actions["1.1-S1"]
    assert basic.rank < locked.rank
    # completing B3 adds 100 (its third of 300) + 100 (A1, already ticked, now counts)
    assert basic.item_gain == pytest.approx(200)
    assert basic.overall_gain == pytest.approx(200 / 4 / 7)
    assert locked.item_gain == 0
    assert "1.1-A1" not in actions and "1.1-B1" not in actions


def test_actions_cover_every_practice_not_done_best_first(bank_v2: BankV2) -> None:
    result = score(bank_v2, done("2.3-B1"))
    actions = ranked_actions(bank_v2, result)
    assert len(actions) == len(bank_v2.practices) - 1
    assert [a.rank for a in actions] == list(range(1, len(actions) + 1))
    gains = [a.overall_gain for a in actions]
    assert gains == sorted(gains, reverse=True)
    # single-practice Basic levels (2.4, 3.1, 3.2) are worth a whole 300 to their item: they lead
    assert {a.practice.id for a in actions[:3]} == {"2.4-B1", "3.1-B1", "3.2-B1"}
    assert actions[0].overall_gain == pytest.approx(300 / 4 / 7)
    assert all(a.text == a.practice.action for a in actions)


def test_no_actions_when_everything_is_done(bank_v2: BankV2) -> None:
    answers: Answers = {p.id: "done" for p in bank_v2.practices}
    assert ranked_actions(bank_v2, score(bank_v2, answers)) == []
