"""An LA's own figures beside published comparators, and the 2017 Derby inspection as data."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.tables import model_of

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "derby-ofsted-ilacs-2017.txt"


@pytest.fixture(scope="module")
def with_2017(ref: lacompare.ReferenceData) -> lacompare.ReferenceData:
    # The report's local figures at 6 March 2017 (children in need with its population).
    return ref.with_local(
        [
            {
                "indicator": "CIN",
                "as_at": "2017-03-06",
                "value": 420.7,
                "numerator": 2476,
                "denominator": 58852,
            },
            {"indicator": "CPP_rate", "as_at": "2017-03-06", "value": 53},
            {"indicator": "LAC", "as_at": "2017-03-06", "value": 73},
            {"indicator": "CPP_Num", "as_at": "2017-03-06", "value": 309},
        ],
        la="Derby",
        source="Ofsted inspection report 2017",
    )


def test_local_figures_flow_into_the_board_table(with_2017) -> None:
    # The published 31 March 2017 figures are later than the report's 6 March: asked for by
    # year, DfE's win; the report's own date label shows the local figures.
    published = lacompare.compare(with_2017, "Derby", indicators=["LAC"], period=2017)
    assert (published["period"][0], published["la_local"][0]) == ("2017", False)
    rows = lacompare.compare(
        with_2017, "Derby", indicators=["CIN", "CPP_rate", "LAC"], period="at 6 Mar 2017"
    )
    assert set(rows["la_status"]) == {"local"}
    assert rows["la_local"].all()
    assert set(rows["period"]) == {"at 6 Mar 2017"}
    # Comparators come from the latest published period before the local figure.
    assert set(rows["comparator_period"]) == {"2016"}
    lac = rows.filter(pl.col("indicator_id") == "lac").row(0, named=True)
    assert (lac["la_value"], lac["england_value"]) == (73.0, 60.0)
    assert lac["change_from_previous"] == pytest.approx(-3.0)  # "a reduction from ... 76"
    assert lac["national_rank"] is None  # not ranked against a field it is not part of
    cin = rows.filter(pl.col("indicator_id") == "cin").row(0, named=True)
    assert cin["ci_method"] == "Byars"  # counts give an interval: tested against England
    assert cin["vs_england"] == "higher"  # 420.7 (2,476 of 58,852) vs England 339.8
    model = model_of(lacompare.board_table(rows))
    shown = dict(model.frame.select("indicator_id", "la").iter_rows())
    assert shown["lac"] == "73 [L]"
    periods = dict(model.frame.select("indicator_id", "period").iter_rows())
    assert periods["lac"] == "6 March 2017 (local)"
    assert any(
        "local figures for 6 March 2017" in note and "(31 March 2016)" in note
        for note in model.notes
    )


def test_published_figures_are_unchanged_by_local_ones(ref, with_2017) -> None:
    before = lacompare.compare(ref, "Leicester", indicators=["LAC", "CIN"])
    after = lacompare.compare(with_2017, "Leicester", indicators=["LAC", "CIN"])
    assert before.drop("comparator_period").equals(after.drop("comparator_period"))
    latest = lacompare.compare(with_2017, "Derby", indicators=["LAC"]).row(0, named=True)
    assert latest["period"] == "2025"  # newer published data still wins "latest"


def test_local_figures_are_checked(ref) -> None:
    with pytest.raises(lacompare.DataValidationError, match=r"row 1, column 'value'"):
        ref.with_local({"ReReferral": 140, "period": "2026"}, la="Derby")
    with pytest.raises(
        lacompare.DataValidationError,
        match="is not a period DfE has already published for this authority \\(2025: 88\\)",
    ):
        ref.with_local({"LAC": 88, "period": "2025"}, la="Derby")
    problems = lacompare.check_local_figures(ref, {"Nope": 1, "period": "2026"}, la="Derbyy")
    assert set(problems["column"]) == {"area", "indicator"}


def test_inspection_dataset() -> None:
    figures = lacompare.load_inspection_figures()
    assert figures.height >= 90
    wanted = {
        (2476.0, "count"),
        (2342.0, "count"),
        (309.0, "count"),
        (314.0, "count"),
        (53.0, "rate_per_10000"),
        (427.0, "count"),
        (73.0, "rate_per_10000"),
        (448.0, "count"),
        (76.0, "rate_per_10000"),
        (8.0, "percent"),
        (10.0, "percent"),
        (64.6, "percent"),
        (49.0, "comparator"),
        (58852.0, "count"),
        (8.0, "count"),
    }
    have = set(figures.select("value", "unit").iter_rows())
    have |= {(v, "comparator") for v in figures["comparator_value"].drop_nulls()}
    assert wanted <= have


@pytest.mark.skipif(not SEED.is_file(), reason=f"the report is not at {SEED}")
def test_every_quote_is_in_the_report() -> None:
    text = SEED.read_text(encoding="utf-8")
    for figure_id, quote in (
        lacompare.load_inspection_figures().select("figure_id", "quote").iter_rows()
    ):
        assert quote in text, figure_id


def test_agreements_hold(ref) -> None:
    checked = lacompare.cross_check_inspection(ref)
    assert checked["consistent"].all(), checked.filter(~pl.col("consistent"))
    agree = {
        (row["indicator_id"], row["published_period"], row["value"])
        for row in checked.filter(pl.col("relation") == "agrees").iter_rows(named=True)
    }
    # Seed report: 2,342 children in need and 314 CP plans (53 per 10,000) at 31 March 2016.
    assert {
        ("cin", "2016", 2342.0),
        ("cpp_num", "2016", 314.0),
        ("cpp_rate", "2016", 53.0),
        ("lacnum", "2016", 448.0),
    } <= agree
    differs = checked.filter(pl.col("relation") == "differs")
    assert differs["reason"].null_count() == 0


@pytest.mark.skipif(not SEED.is_file(), reason=f"the report is not at {SEED}")
def test_figures_checker(tmp_path: Path) -> None:
    """The figures are data; scripts/check_inspection_figures.py checks them and names the
    line and column of every problem."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "scripts" / "check_inspection_figures.py"
    good = subprocess.run(
        [sys.executable, str(script), str(SEED)], capture_output=True, text=True, check=False
    )
    assert good.returncode == 0, good.stderr
    assert "100 figures checked" in good.stdout
    figures = lacompare.load_inspection_figures()
    broken = figures.with_columns(
        quote=pl.when(pl.col("figure_id") == "ofsted2017-002")
        .then(pl.lit("Approximately 99,999 children"))
        .otherwise("quote"),
        figure_id=pl.when(pl.col("figure_id") == "ofsted2017-005")
        .then(pl.lit("ofsted2017-500"))
        .otherwise("figure_id"),
        relation=pl.when(pl.col("relation") == "agrees")
        .then(pl.lit("differs"))
        .otherwise("relation"),
        reason=pl.coalesce("reason", pl.lit("flipped for the test")),
    )
    path = tmp_path / "figures.csv"
    broken.write_csv(path)
    bad = subprocess.run(
        [sys.executable, str(script), str(SEED), "--figures", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "line 3, column quote: not in the report" in bad.stderr
    assert "line 6, column figure_id: 'ofsted2017-500', expected 'ofsted2017-005'" in bad.stderr
    assert "column relation: 'differs' does not hold against the published cin for 2016" in (
        bad.stderr
    )
    assert "Traceback" not in bad.stderr
