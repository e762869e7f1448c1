"""Local figures are a layer beside the published data, never a replacement: nothing published
may change, whatever an LA adds, and every figure that reaches a paper says what it is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.errors import DataValidationError

DATE = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def published(ref: lacompare.ReferenceData) -> pl.DataFrame:
    return lacompare.compare_all(ref, period="lait_latest")


def problems(ref, figures, la: str | None = "Derby") -> list[str]:
    rows = lacompare.check_local_figures(ref, figures, la=la)
    return rows.filter(pl.col("severity") == "error").get_column("rule").to_list()


def test_a_figure_on_a_published_date_is_refused(ref) -> None:
    """Derby's LAC at 31 March 2025 is published (88): a local 50 "at 2025-03-31" would have
    replaced it and been compared with England's 2024 figure."""
    said = problems(ref, [{"indicator": "LAC", "as_at": "2025-03-31", "value": 50}])
    assert any("already published for this authority (2025: 88)" in rule for rule in said)
    with pytest.raises(DataValidationError, match="already published"):
        ref.with_local([{"indicator": "LAC", "as_at": "2025-03-31", "value": 50}], la="Derby")


def test_period_labels_are_normalised_before_comparing(ref) -> None:
    """ "2024/25", "2024-25" and "2025" all name the year to 31 March 2025 for LAC (published
    as "2025"): each is refused as a published period."""
    for label in ("2024/25", "2024-25", "2024-2025", "2025"):
        said = problems(ref, {"LAC": 50, "period": label})
        assert any("already published" in rule for rule in said), label
    # A later year is accepted, and written the way DfE writes the indicator's periods.
    added = ref.with_local({"LAC": 50, "period": "2025/26"}, la="Derby")
    assert added.local is not None and added.local.get_column("period").to_list() == ["2026"]


def test_span_and_date_must_make_sense(ref) -> None:
    assert any("runs forward" in r for r in problems(ref, {"LAC": 50, "period": "2026-25"}))
    said = problems(ref, {"LAC": 50, "period": "2026", "as_at": "2016-03-06"})
    assert any("agrees with as_at" in rule for rule in said)
    # A date within the period is fine, and the figure keeps its date.
    ok = ref.with_local({"LAC": 50, "period": "2026", "as_at": "2026-03-06"}, la="Derby")
    assert ok.local is not None and ok.local.get_column("period").to_list() == ["at 6 Mar 2026"]


def test_a_local_symbol_changes_nothing_published(ref, published) -> None:
    """One local "c" once made compare_all(period="lait_latest") return values for 0 of 153
    LAs and flipped 151 LAs' is_lait_latest."""
    with_c = ref.with_local(
        [{"area": "Derby", "indicator": "ReReferral", "as_at": "2026-03-06", "value": "c"}]
    )
    after = lacompare.compare_all(with_c, period="lait_latest")
    columns = [c for c in published.columns if c not in {"recent_periods", "recent_values"}]
    assert after.select(columns).equals(published.select(columns))
    shown = lacompare.compare(with_c, "Derby", indicators="ReReferral", period="at 6 Mar 2026")
    row = shown.row(0, named=True)
    assert (row["la_status"], row["la_local"], row["la_value"]) == ("suppressed", True, None)
    model = lacompare.tables.model_of(lacompare.board_table(shown))
    assert model.frame.get_column("la")[0] == "[c] [L]"


def test_no_la_s_figure_changes_another_la_s_comparison(ref) -> None:
    """Derby is one of Coventry's neighbours: Derby's own 2026 figures change nothing of
    Coventry's comparison, in any period."""
    with_derby = ref.with_local({"LAC": 30, "ReReferral": 5, "period": "2026"}, la="Derby")
    for period in ("latest", 2025):
        before = lacompare.compare(ref, "Coventry", period=period)
        after = lacompare.compare(with_derby, "Coventry", period=period)
        assert after.equals(before), period


def test_the_file_s_area_column_wins(ref, tmp_path: Path) -> None:
    nottingham_only = tmp_path / "nottingham.csv"
    nottingham_only.write_text("area,indicator,period,value\nNottingham,LAC,2026,50\n")
    # la= only fills a missing area: with a file naming Nottingham it is an error, not a
    # silent relabelling of Nottingham's figure as Derby's.
    said = problems(ref, nottingham_only, la="Derby")
    assert any("agrees with la=Derby" in rule for rule in said)
    paper = lacompare.board_paper(
        ref, "Nottingham", local=nottingham_only, written=DATE, charts=False
    )
    notts = paper.comparison.filter(pl.col("indicator_id") == "lac").row(0, named=True)
    assert (notts["la_value"], notts["la_local"]) == (50.0, True)
    derby = lacompare.board_paper(ref, "Derby", local=nottingham_only, written=DATE, charts=False)
    lac = derby.comparison.filter(pl.col("indicator_id") == "lac").row(0, named=True)
    assert (lac["la_value"], lac["la_local"]) == (88.0, False)  # Derby's published figure
    both = tmp_path / "both.csv"
    both.write_text("area,indicator,period,value\nDerby,LAC,2026,70\nNottingham,LAC,2026,50\n")
    two = ref.with_local(both)
    assert two.local is not None and two.local.height == 2


def test_value_and_counts_must_agree(ref) -> None:
    """ReReferral 5 with 900 of 1,000 once printed 5% with a CI of 88.0-91.7 and "better"."""
    figure = [
        {"indicator": "ReReferral", "period": "2026", "value": 5, "numerator": 900,
         "denominator": 1000}
    ]  # fmt: skip
    said = problems(ref, figure)
    assert any("equals numerator / denominator x 100" in r and "give 90" in r for r in said)
    fine = [dict(figure[0], value=90)]
    assert problems(ref, fine) == []


def test_period_with_no_figures_at_all_is_refused(ref) -> None:
    with pytest.raises(lacompare.LacompareError, match="2030"):
        lacompare.board_paper(ref, "Derby", period=2030, written=DATE)
