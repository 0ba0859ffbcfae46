"""`pmqa-bot criteria check` for a version-2 bank: refuse it naming file and field, or print its counts."""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from pathlib import Path

from criteria.v2 import BankV2Error, load_bank_v2


def is_v2_folder(folder: Path) -> bool:
    """A version-2 bank says `format = 2` in its bank.toml; version 1's has no such key."""
    try:
        with (folder / "bank.toml").open("rb") as handle:
            return tomllib.load(handle).get("format") == 2
    except (OSError, tomllib.TOMLDecodeError):
        return False  # version 1's check reports the missing or broken file


def check_v2(folder: Path) -> int:
    try:
        bank = load_bank_v2(folder)
    except BankV2Error as error:
        print(f"ชุดคำถามรุ่น 2 ใช้ไม่ได้ / bank version 2 is broken ({folder}):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    levels = Counter(bank.lookup.level_of.values())
    process_items = len(bank.lookup.process_items)
    results = bank.results.items
    examples = sum(len(i.examples) for i in results)
    print(f"{bank.root.title} — bank format 2, version {bank.version}: OK")
    print(f"categories: {len(bank.categories)}")
    print(f"items: {process_items + len(results)} ({process_items} process, {len(results)} results)")
    print(f"practices: {len(bank.practices)} "
          f"(basic {levels['basic']}, advance {levels['advance']}, significance {levels['significance']})")
    print(f"actions: {sum(1 for p in bank.practices if p.action)}")
    print(f"levels: {', '.join(f'{b.name} {b.min_score:g}' for b in bank.levels)}")
    per_item = ", ".join(f"{i.id}: {' '.join(e.id for e in i.examples)}" for i in results)
    print(f"category 7 example indicators: {examples} ({per_item})")
    return 0
