"""Bank version 2: every PMQA 4.0 practice as a yes/no statement, scored by the instrument's own rules.

Version 1 (`criteria.model`, `criteria.scoring`) stays the default everywhere the app uses it.
"""

from criteria.v2.loader import DEFAULT_V2_DIR, BankV2Error, default_bank_v2, load_bank_v2
from criteria.v2.model import BankV2, Practice, ProcessItem, ResultItem

__all__ = [
    "DEFAULT_V2_DIR",
    "BankV2",
    "BankV2Error",
    "Practice",
    "ProcessItem",
    "ResultItem",
    "default_bank_v2",
    "load_bank_v2",
]
