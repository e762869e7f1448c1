"""Shared fixtures: the embedded reference data (loaded once) and the raw published sources."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import polars as pl
import pytest

import lacompare

# The tests read the embedded data, never an update in the developer's own data folder: each
# test process (and every command it runs) gets an empty data folder of its own.
os.environ["LACOMPARE_DATA"] = tempfile.mkdtemp(prefix="lacompare-test-data-")
# Charts are kept for the test process only (never read from the developer's own cache), in a
# folder removed when it ends.
os.environ["LACOMPARE_CHART_CACHE"] = tempfile.mkdtemp(prefix="lacompare-test-charts-")
atexit.register(shutil.rmtree, os.environ["LACOMPARE_CHART_CACHE"], ignore_errors=True)

#: The published sources the reference data is built from (shared/ beside the repository).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def ref() -> lacompare.ReferenceData:
    return lacompare.load_reference()


@pytest.fixture(scope="session")
def everything(ref: lacompare.ReferenceData) -> pl.DataFrame:
    """Every LA's comparison (compare_all), computed once."""
    return lacompare.compare_all(ref)


@pytest.fixture(scope="session")
def derby(ref: lacompare.ReferenceData) -> pl.DataFrame:
    """Derby's comparison, computed once."""
    return lacompare.compare(ref, "Derby")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "lait" / "bds_long_0.parquet").is_file():
        pytest.skip(f"published source files not found at {SHARED_DATA}")
    return SHARED_DATA


# Property tests: a fixed, bounded profile (no deadline; shared machines are noisy). Each test
# sets its own example count; CI adds derandomisation so a run is repeatable.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if __import__("os").environ.get("CI") else "dev")
