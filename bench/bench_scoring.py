"""Time the pure scoring functions on the shipped banks (version 1, and version 2's 160 practices).

Run:  python bench/bench_scoring.py [--repeat 15] [--number 200]

Prints the median time per call (µs) over `repeat` rounds of `number` calls each,
measured with time.perf_counter.  Not a test: the figures depend on the machine.  Version 2's
cases also print their ratio to a floor measured in the same run (reading 160 answers into a
set, the least any scoring of a respondent must do) and to the 1 ms budget per respondent.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from criteria import Bank, default_bank
from criteria.scoring import aggregate, ranked_actions, score
from criteria.v2 import BankV2, BankV2Error, default_bank_v2, load_bank_v2
from criteria.v2.model import AnswerCode
from criteria.v2.scoring import IndicatorValue, score_agency
from criteria.v2.scoring import ranked_actions as ranked_actions_v2
from criteria.v2.scoring import score as score_v2

BUDGET_US = 1000.0  # one respondent's scoring must stay well under a millisecond


def full_answers(bank: Bank) -> dict[str, str]:
    """All 78 questions answered (every gate open): the longest path."""
    return {q.id: ("500" if q.level == "result" else "3") for q in bank.questions}


def minimum_answers(bank: Bank) -> dict[str, str]:
    """The 30 Basic + result questions only, none fully met: the shortest path."""
    return {q.id: ("150" if q.level == "result" else "2") for q in bank.questions if q.level in ("basic", "result")}


def respondents(bank: Bank, count: int, seed: int = 2569) -> list[dict[str, str]]:
    """`count` random respondents, each answering every question with any code of its scale."""
    rng = random.Random(seed)
    return [{q.id: rng.choice(bank.scale_for(q).options).code for q in bank.questions} for _ in range(count)]


def median_us(call: Callable[[], object], repeat: int, number: int) -> float:
    call()  # warm up (the bank is already loaded and cached)
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            call()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds (the median is reported)")
    parser.add_argument("--number", type=int, default=200, help="calls per round")
    args = parser.parse_args()

    bank = default_bank()
    full = full_answers(bank)
    minimum = minimum_answers(bank)
    ten = respondents(bank, 10)
    full_result = score(bank, full)
    minimum_result = score(bank, minimum)
    assert len(full) == 78
    assert len(minimum) == 30
    assert full_result.overall == 500

    cases: list[tuple[str, Callable[[], object]]] = [
        ("score, 78 answers (full path)", lambda: score(bank, full)),
        ("score, 30 answers (minimum path)", lambda: score(bank, minimum)),
        ("aggregate, 10 respondents × 78", lambda: aggregate(bank, ten)),
        ("aggregate + score, 10 respondents", lambda: score(bank, aggregate(bank, ten).answers)),
        ("ranked_actions, after 30-answer score", lambda: ranked_actions(bank, minimum_result)),
    ]
    print(f"median of {args.repeat} rounds × {args.number} calls (time.perf_counter)")
    width = max(len(name) for name, _ in cases)
    for name, call in cases:
        print(f"  {name:<{width}}  {median_us(call, args.repeat, args.number):9.1f} µs/call")
    bench_v2(args.repeat, args.number)


def bank_v2() -> tuple[BankV2, str]:
    try:
        return default_bank_v2(), "shipped"
    except BankV2Error:  # the Thai category files are still being written: same structure, placeholder text
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.criteria.v2_bank import synthetic_bank

        return load_bank_v2(synthetic_bank(Path(tempfile.mkdtemp()) / "bank")), "synthetic (shipped incomplete)"


def bench_v2(repeat: int, number: int) -> None:
    bank, which = bank_v2()
    rng = random.Random(2570)
    all_done: dict[str, AnswerCode] = {p.id: "done" for p in bank.practices}
    mixed: list[dict[str, AnswerCode]] = [
        {p.id: rng.choice(["done", "done", "not_done", "unsure"]) for p in bank.practices} for _ in range(10)
    ]
    results = {i.id: (IndicatorValue("higher", 85, (70.0, 80.0, 90.0)),) * 2 for i in bank.results.items}
    mixed_result = score_v2(bank, mixed[0], results)
    assert score_v2(bank, all_done, results).overall == 500
    floor = median_us(lambda: {pid for pid, a in all_done.items() if a == "done"}, repeat, number)
    cases: list[tuple[str, Callable[[], object], int]] = [
        ("v2 score, 160 practices done + 12 indicators", lambda: score_v2(bank, all_done, results), 1),
        ("v2 score, 160 mixed answers", lambda: score_v2(bank, mixed[0], results), 1),
        ("v2 score_agency, 10 respondents × 160", lambda: score_agency(bank, mixed, results), 10),
        ("v2 ranked_actions, mixed answers", lambda: ranked_actions_v2(bank, mixed_result), 1),
    ]
    print(f"bank version 2 ({which}); floor (160 answers into a set) {floor:.1f} µs")
    width = max(len(name) for name, _, _ in cases)
    for name, call, people in cases:
        took = median_us(call, repeat, number)
        print(f"  {name:<{width}}  {took:9.1f} µs/call  {took / floor:6.1f}× floor  "
              f"{took / people / BUDGET_US:6.1%} of 1 ms per respondent")


if __name__ == "__main__":
    main()
