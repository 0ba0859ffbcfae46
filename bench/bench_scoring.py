"""Time the pure scoring functions on the shipped bank.

Run:  python bench/bench_scoring.py [--repeat 15] [--number 200]

Prints the median time per call (µs) over `repeat` rounds of `number` calls each,
measured with time.perf_counter.  Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from criteria import Bank, default_bank
from criteria.scoring import aggregate, ranked_actions, score


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


if __name__ == "__main__":
    main()
