"""Charts: the series a reader expects, gaps for missing years, files in each format."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.charts import SERIES_STYLE, chart_to_svg
from lacompare.reference import ReferenceData


def points(svg: str, series: str) -> list[str]:
    """The accessible labels of one series' points ("Derby, 2021: 109.0")."""
    return [
        label
        for label in re.findall(r'aria-label="([^"]+)"[^>]*aria-roledescription="point"', svg)
        if label.startswith(f"{series}, ")
    ]


def line_paths(svg: str, colour: str) -> list[str]:
    """Path data of the line mark drawn in ``colour`` (not its legend symbol)."""
    lines = re.findall(r'<path[^>]*aria-roledescription="line mark"[^>]*>', svg)
    return [
        re.search(r' d="([^"]+)"', line).group(1)  # type: ignore[union-attr]
        for line in lines
        if f'stroke="{colour}"' in line
    ]


def test_trend_chart_has_each_series_with_every_point(ref) -> None:
    svg = chart_to_svg(lacompare.trend_chart(ref, "Derby", "LAC", periods=8))
    for series in ("Derby", "East Midlands", "Statistical neighbours", "England"):
        assert len(points(svg, series)) == 8, series
    # DfE publishes whole numbers; a count at 31 March is labelled by its month.
    assert "Derby, Mar 2025: 88" in points(svg, "Derby")
    assert "Children looked after, rate per 10,000 children" in svg  # the title says what
    assert "Mar 2018 to Mar 2025 (at 31 March each year)" in svg and "Source: DfE" in svg
    assert "Rate per 10,000 children" in svg  # units on the axis
    assert len(line_paths(svg, SERIES_STYLE["la"][0])) == 1


def test_missing_year_is_a_gap_never_zero(ref) -> None:
    # Suppress Derby's 2022 figure: the line must break there, not dip to zero.
    hole = (
        (pl.col("indicator_id") == "lac")
        & (pl.col("area_code") == "E06000015")
        & (pl.col("period") == "2022")
    )
    observations = ref.observations.with_columns(
        value=pl.when(hole).then(None).otherwise("value"),
        status=pl.when(hole)
        .then(pl.lit("suppressed"))
        .otherwise("status")
        .cast(ref.observations.schema["status"]),
    )
    holed = ReferenceData(ref.indicators, observations, ref.areas, ref.neighbours).validate()
    svg = chart_to_svg(lacompare.trend_chart(holed, "Derby", "LAC", periods=8))
    derby = points(svg, "Derby")
    assert len(derby) == 7 and not any("Mar 2022" in label for label in derby)
    (path,) = line_paths(svg, SERIES_STYLE["la"][0])
    assert path.count("M") == 2  # two pieces: before and after the missing year
    assert len(points(svg, "England")) == 8


def test_neighbour_chart(ref) -> None:
    svg = chart_to_svg(lacompare.neighbour_chart(ref, "Derby", "LAC"))
    for name in ref.neighbours_of("Derby").get_column("neighbour_name"):
        assert name in svg
    # The neighbours' average and England are bars of their own, labelled with their values.
    assert "Neighbours' average" in svg and "England" in svg
    assert ">92<" in svg and ">67<" in svg
    assert SERIES_STYLE["la"][0].lower() in svg.lower()  # Derby's bar highlighted
    assert "Children looked after, rate per 10,000 children, 31 March 2025" in svg


def test_small_multiple(ref) -> None:
    svg = chart_to_svg(lacompare.trend_charts(ref, "Derby", ["LAC", "ReReferral", "CPP_rate"]))
    assert svg.count("Children looked after, rate per 10,000 children") >= 1
    assert "Re-referrals" in svg


@pytest.mark.parametrize("extension", [".png", ".svg", ".html"])
def test_save_chart(ref, tmp_path: Path, extension: str) -> None:
    chart = lacompare.trend_chart(ref, "Derby", "LAC")
    path = lacompare.save(chart, tmp_path / f"trend{extension}")
    data = path.read_bytes()
    assert len(data) > 5_000
    if extension == ".png":
        assert data.startswith(b"\x89PNG")
    elif extension == ".svg":
        assert data.lstrip().startswith(b"<svg")
    else:
        # A static page: no script (the CSP allows none), nothing fetched, the chart inline.
        assert b"<script" not in data and b"cdn.jsdelivr" not in data
        assert b"data:image/svg+xml;base64," in data
    with pytest.raises(lacompare.ExportError, match="cannot save a chart"):
        lacompare.save(chart, tmp_path / "trend.docx")


def test_docx_with_chart_under_the_table(ref, tmp_path: Path) -> None:
    import docx

    rows = lacompare.compare(ref, "Derby", indicators=["LAC", "ReReferral"])
    table = lacompare.board_table(rows)
    chart = lacompare.trend_charts(ref, "Derby", ["LAC", "ReReferral"])
    path = lacompare.save(table, tmp_path / "t.docx", charts=[chart])
    document = docx.Document(path)
    assert len(document.tables) == 1 and len(document.inline_shapes) == 1
