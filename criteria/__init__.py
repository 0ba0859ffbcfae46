"""The PMQA 4.0 question bank as data, and pure scoring to maturity levels."""

from criteria.loader import BankError, default_bank, load_bank
from criteria.model import Bank, Category, Item, MaturityLevel, Option, Question, Scale

__all__ = [
    "Bank",
    "BankError",
    "Category",
    "Item",
    "MaturityLevel",
    "Option",
    "Question",
    "Scale",
    "default_bank",
    "load_bank",
]
