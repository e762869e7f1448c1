"""Shared fixtures: the embedded reference data (loaded once) and the raw published sources."""

from __future__ import annotations

from pathlib import Path

import pytest

import lacompare

#: The published sources the reference data is built from (shared/ beside the repository).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def ref() -> lacompare.ReferenceData:
    return lacompare.load_reference()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "lait" / "bds_long_0.parquet").is_file():
        pytest.skip(f"published source files not found at {SHARED_DATA}")
    return SHARED_DATA
