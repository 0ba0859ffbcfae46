"""Version-2 banks for the criteria tests: the shipped one once the writers' files are all there,
a synthetic one with the instrument's structure until then (scoring depends only on structure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from criteria.v2 import DEFAULT_V2_DIR, BankV2, load_bank_v2
from tests.criteria.v2_bank import shipped_complete, synthetic_bank


@pytest.fixture(scope="session")
def synthetic_v2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_bank(tmp_path_factory.mktemp("v2") / "bank")


@pytest.fixture(scope="session")
def bank_v2_dir(synthetic_v2_dir: Path) -> Path:
    return DEFAULT_V2_DIR if shipped_complete() else synthetic_v2_dir


@pytest.fixture(scope="session")
def bank_v2(bank_v2_dir: Path) -> BankV2:
    return load_bank_v2(bank_v2_dir)
