"""A round's results for coordinators: an agency's aggregate and a province's table, as data and as replies.

Pure: the shell loads a `RoundReport` (storage/reporting.py) and these functions compute from it —
the agency's answers are the lower median of its respondents' (criteria.scoring.aggregate), its
result is scored from them, and a province compares its agencies.  The same dataclasses feed the
Excel export, so their names and fields are a contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

# The report as loaded from the database ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Respondent:
    user_id: int  # internal row id, never a platform id
    name: str  # display name; "ผู้ตอบ N" when none
    categories: tuple[int, ...] | None  # assigned categories; None = all
    answers: Mapping[str, str]  # current answers: question id -> code
    submitted: bool


@dataclass(frozen=True, slots=True)
class AgencyRound:
    agency_id: int
    code: str
    name: str
    parent_id: int | None
    depth: int  # 0 = the agency the report is about
    invited: int  # officers who joined this agency
    respondents: tuple[Respondent, ...]  # officers of this agency with at least one answer in the round


@dataclass(frozen=True, slots=True)
class RoundReport:
    round_id: int
    round_name: str
    opens_on: date
    closes_on: date
    scope_code: str
    scope_name: str
    agencies: tuple[AgencyRound, ...]  # the scope agency and every agency beneath it, parents before children
    previous: Mapping[int, Mapping[str, str]]  # agency_id -> aggregated answers in the previous round (absent = none)
    previous_round_name: str | None
