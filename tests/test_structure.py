"""The code a newcomer walks (issue 29): the LA resolved once per paper, and no function
too long to read at once."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.reference import ReferenceData

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "lacompare"
#: Rules written as data tables may run longer (the issue's exception).
RULE_TABLES = {("local.py", "_rules")}
LONGEST = 80
LARGEST_MODULE = 600


def test_one_paper_looks_its_authority_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    ref = lacompare.load_reference()
    searches: list[object] = []
    look_up = ReferenceData._look_up

    def counted(self: ReferenceData, query: str | int, *, current: bool) -> dict:
        searches.append(query)
        return look_up(self, query, current=current)

    monkeypatch.setattr(ReferenceData, "_look_up", counted)
    lacompare.board_paper(
        ref,
        "Derby",
        "corporate-parenting",
        targets={"CareLeaverEET": 55},
        local=[{"indicator": "LAC", "area": "Derby", "period": "2025-26", "value": "99"}],
        written=dt.date(2026, 11, 25),
    )
    # Before: 40 searches for one paper (every section, every trend year, every chart).
    assert searches == ["Derby"]


def test_a_kept_lookup_is_never_stale() -> None:
    """A kept area serves only the areas table it was found in, and a predecessor asked for
    as a current LA still raises."""
    ref = lacompare.load_reference()
    assert ref.area_code("Derby") == "E06000015"
    renamed = ReferenceData(
        indicators=ref.indicators,
        observations=ref.observations,
        areas=ref.areas.with_columns(
            name=pl.when(pl.col("name") == "Derby").then(pl.lit("Derby City")).otherwise("name")
        ),
        neighbours=ref.neighbours,
    )
    assert renamed.find_area("E06000015")["name"] == "Derby City"
    with pytest.raises(lacompare.PredecessorAreaError):
        ref.find_area("Cumbria", current=True)
    assert ref.find_area("Cumbria")["current"] is False
    with pytest.raises(lacompare.PredecessorAreaError):
        ref.find_area("Cumbria", current=True)


def _long_functions() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > LONGEST and (path.name, node.name) not in RULE_TABLES:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.name} ({length} lines)")
    return found


def test_no_function_is_too_long_to_read_at_once() -> None:
    assert _long_functions() == []


@pytest.mark.parametrize("package", ["paper", "compare"])
def test_the_paper_and_the_engine_are_packages_of_small_modules(package: str) -> None:
    modules = sorted((PACKAGE / package).glob("*.py"))
    assert len(modules) >= 8
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in modules}
    assert max(sizes.values()) <= LARGEST_MODULE, sizes
    assert not (PACKAGE / f"{package}.py").exists()
