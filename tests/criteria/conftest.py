"""Version-2 banks for the criteria tests: the shipped one, and a synthetic one with the instrument's
structure for fixtures that break a file on purpose (scoring depends only on structure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from criteria.v2 import DEFAULT_V2_DIR, BankV2, load_bank_v2
from tests.criteria.v2_bank import synthetic_bank


@pytest.fixture(scope="session")
def synthetic_v2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_bank(tmp_path_factory.mktemp("v2") / "bank")


@pytest.fixture(scope="session")
def bank_v2_dir() -> Path:
    return DEFAULT_V2_DIR


@pytest.fixture(scope="session")
def bank_v2(bank_v2_dir: Path) -> BankV2:
    return load_bank_v2(bank_v2_dir)
