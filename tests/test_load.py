"""load_reference: where the data comes from, and clear errors when it is not there."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import lacompare
from lacompare.reference import FRAMES, OPTIONAL_FRAMES, default_reference_path

REPO = Path(__file__).resolve().parents[1]


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(lacompare.SourceFileError, match="directory not found"):
        lacompare.load_reference(tmp_path / "nowhere")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(lacompare.SourceFileError, match=r"indicators.parquet: reference data file"):
        lacompare.load_reference(tmp_path)


def test_file_that_is_not_parquet(tmp_path: Path) -> None:
    for name in FRAMES:
        shutil.copy(default_reference_path() / f"{name}.parquet", tmp_path)
    (tmp_path / "observations.parquet").write_text("indicator_id,area_code\ncin,E06000015\n")
    with pytest.raises(
        lacompare.SourceFileError, match=r"observations.parquet: not a readable parquet"
    ):
        lacompare.load_reference(tmp_path)


def test_tampered_data_fails_validation(tmp_path: Path) -> None:
    import polars as pl

    for name in FRAMES:
        shutil.copy(default_reference_path() / f"{name}.parquet", tmp_path)
    obs = pl.read_parquet(tmp_path / "observations.parquet")
    obs.with_columns(
        value=pl.when(pl.int_range(pl.len()) == 5).then(-1.0).otherwise("value")
    ).write_parquet(tmp_path / "observations.parquet")
    with pytest.raises(lacompare.DataValidationError, match=r"column 'value'"):
        lacompare.load_reference(tmp_path)
    # Without validation the same files load (for data just validated elsewhere).
    assert lacompare.load_reference(tmp_path, validate=False).observations.height == obs.height


def test_wheel_ships_reference_data(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="hatchling (a dev dependency) builds the wheel")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("lacompare-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in (*FRAMES, *OPTIONAL_FRAMES, "manifest"):
        suffix = "json" if name == "manifest" else "parquet"
        assert f"lacompare/reference_data/{name}.{suffix}" in names
    # Loaded from the unpacked wheel alone, the data comes from inside the package.
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = (
        "import lacompare, sys; r = lacompare.load_reference(); "
        "assert 'site' in str(r.path), r.path; print(r.path, r.observations.height)"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(unpacked)!r}); {code}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("641070")
