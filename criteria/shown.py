"""How a score, a share or the index is rounded for people: one set of functions for every view.

The chat, the charts, the dashboard and the Excel export all round through here, so the same figure is
never 77 % in one place and 78 % in another, or 142 in one and 141.7 in the next.  Pure: no I/O.
"""

from __future__ import annotations

import math

from criteria.model import MAX_SCORE
from criteria.scoring import INDEX_MAX

_EPSILON = 1e-9  # 3 × 100/3 is 99.99999999999999 in floats: it must show as 100


def whole(value: float) -> int:
    """Rounded half up, as people round (Python's round() shows 87.5 as 88 but 112.5 as 112)."""
    return math.floor(value + 0.5 + _EPSILON)


def points(value: float) -> str:
    """A score as shown: "342", "1,250"."""
    return f"{whole(value):,}"


def out_of(value: float) -> str:
    """A score with what it is out of: "342 จาก 500"."""
    return f"{points(value)} จาก {MAX_SCORE}"


def percent(share: float) -> int:
    """A share 0…1 as a whole percentage; 100 only when complete and 0 only when nothing is done.

    99.6 % of the questions answered is not "100 %" to a coordinator waiting for the last answers.
    """
    value = whole(share * 100)
    if share < 1 and value >= 100:
        return 99
    if share > 0 and value <= 0:
        return 1
    return value


def tenth(value: float) -> float:
    """One decimal, rounded half up (the Government-4.0 index: 1.75 → 1.8)."""
    return math.floor(value * 10 + 0.5 + _EPSILON) / 10


def index_text(index: float) -> str:
    """The index as shown: "1.8" (out of `INDEX_MAX`)."""
    return f"{tenth(index):.1f}"


__all__ = ["INDEX_MAX", "index_text", "out_of", "percent", "points", "tenth", "whole"]
