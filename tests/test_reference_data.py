"""The embedded reference data: coverage, known published figures, every source row kept."""

from __future__ import annotations

import polars as pl
import pytest

import lacompare
from lacompare.sources import build_reference

DERBY = "E06000015"


def value(ref: lacompare.ReferenceData, indicator: str, area: str, period: str) -> dict:
    rows = ref.observations.filter(
        pl.col("indicator_id") == indicator,
        pl.col("area_code") == area,
        pl.col("period") == period,
    )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_coverage(ref: lacompare.ReferenceData) -> None:
    areas = ref.areas
    current_las = areas.filter(pl.col("level") == "local_authority", pl.col("current"))
    assert current_las.height == 153
    assert areas.filter(pl.col("level") == "regional").height == 9
    assert areas.filter(pl.col("area_code") == "E92000001").height == 1
    assert ref.indicators.height >= 400
    # Every area and indicator has observations.
    assert ref.observations.get_column("area_code").n_unique() == areas.height
    assert ref.observations.get_column("indicator_id").n_unique() == ref.indicators.height


def test_derby_published_figures(ref: lacompare.ReferenceData) -> None:
    cpp = value(ref, "cpp_rate", DERBY, "2016")
    assert cpp["value"] == pytest.approx(53.7)
    assert cpp["status"] == "published"
    # Seed report: "an increase from 2,342 at 31 March 2016" children in need.
    cin = value(ref, "cin", DERBY, "2016")
    assert cin["numerator"] == 2342
    assert cin["value"] == pytest.approx(cin["numerator"] / cin["denominator"] * 10_000, abs=0.05)
    # CP plans at 31 March 2016: 314 children (seed report).
    assert value(ref, "cpp_rate", DERBY, "2016")["numerator"] == 314


def test_derby_neighbours(ref: lacompare.ReferenceData) -> None:
    expected_2025 = [
        "Coventry",
        "Bolton",
        "Walsall",
        "Southampton",
        "Kirklees",
        "Peterborough",
        "Rochdale",
        "Sheffield",
        "Tameside",
        "Stoke-on-Trent",
    ]
    assert (
        ref.neighbours_of("Derby", "2025").get_column("neighbour_name").to_list() == expected_2025
    )
    expected_2021 = [
        "Peterborough",
        "Sheffield",
        "Bolton",
        "Telford and Wrekin",
        "Coventry",
        "Walsall",
        "Dudley",
        "Medway",
        "Kirklees",
        "Leeds",
    ]
    assert ref.neighbours_of(831, "2021").get_column("neighbour_name").to_list() == expected_2021


def test_period_labels_keep_status(ref: lacompare.ReferenceData) -> None:
    statuses = dict(
        ref.observations.filter(pl.col("value").is_not_null())
        .select(pl.col("period").cast(pl.String), "status")
        .unique()
        .iter_rows()
    )
    assert statuses["2018 (Rev)"] == "revised"
    assert statuses["2025 (prov)"] == "provisional"
    assert statuses["2020 (Final)"] == "final"
    assert statuses["2016-17 (OT)"] == "outturn"
    assert statuses["2016-17"] == "published"
    years = dict(
        ref.observations.select(pl.col("period").cast(pl.String), "year").unique().iter_rows()
    )
    assert years["2014-16"] == 2014
    assert years["2021/22-23/24"] == 2021
    assert years["2025 (prov)"] == 2025


def test_counts_reproduce_published_values(ref: lacompare.ReferenceData) -> None:
    """Every value carrying counts is reproduced by them to the decimals it was published with
    (all LAs, regions and England, every year)."""
    multiplier = pl.col("unit").replace_strict({"percent": 100.0, "rate_per_10000": 10_000.0})
    with_counts = (
        ref.observations.filter(pl.col("numerator").is_not_null())
        .with_columns(pl.col("indicator_id").cast(pl.String))
        .join(ref.indicators.select("indicator_id", "unit"), on="indicator_id")
        .with_columns(
            recomputed=pl.col("numerator") / pl.col("denominator") * multiplier,
            decimals=pl.col("value").map_elements(_decimals, return_dtype=pl.Int64),
        )
    )
    # 62 measures before the per-year rule; the four FTE ratios are never attached now, and
    # plans lasting two years that ceased (CPPlans2yrs) is new.
    assert with_counts.get_column("indicator_id").n_unique() >= 59
    assert with_counts.height > 55_000  # 62,083 before years below 90% agreement were dropped
    off = with_counts.filter(
        (pl.col("recomputed") - pl.col("value")).abs() > 0.5 * 10.0 ** -pl.col("decimals") + 1e-9
    )
    assert off.height == 0, off.head()


def _decimals(value: float) -> int:
    """Decimal places in the shortest form of ``value`` (written independently of the
    builder's polars expression)."""
    text = repr(round(value, 6))
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def test_count_acceptance_is_per_definition_and_year(ref: lacompare.ReferenceData) -> None:
    """A definition is used in a year only if it reproduces at least 90% of the LAs' published
    values that year (at the series' precision); otherwise nothing of it is attached that year.
    Full-time-equivalent definitions are checked but never attached."""
    checks = pl.DataFrame(ref.manifest["count_checks"])
    assert {"year", "las_with_value", "agree", "disagree", "accepted", "people"} <= set(
        checks.columns
    )
    rejected = checks.filter(~pl.col("accepted"))
    assert set(rejected.get_column("lait_code")) >= {
        "Social_Work_Caseholders_%",
        "Work_Force_AgencyCover",
        "CareLeavers_LA_NotInTouch",
    }
    assert (rejected.get_column("agree") < 0.9 * rejected.get_column("las_with_value")).all()
    accepted = checks.filter("accepted")
    assert (accepted.get_column("agree") >= 0.9 * accepted.get_column("las_with_value")).all()
    ids = dict(ref.indicators.select("lait_code", "indicator_id").iter_rows())
    never = pl.concat([rejected, checks.filter(~pl.col("people"))]).unique(
        ["lait_code", "count_source", "year"]
    )
    for code, source, year in never.select("lait_code", "count_source", "year").iter_rows():
        attached = ref.observations.filter(
            pl.col("indicator_id") == ids[code],
            pl.col("year") == year,
            pl.col("source").cast(pl.String).str.contains(source, literal=True),
        )
        assert attached.height == 0, (code, source, year)


def test_counted_years_cover_most_authorities(ref: lacompare.ReferenceData) -> None:
    """Rounding luck never decides which councils are tested: every indicator-year that
    carries counts for any LA carries them for at least 80% of the LAs with a value."""
    las = ref.areas.filter(pl.col("level") == "local_authority").get_column("area_code")
    coverage = (
        ref.observations.filter(
            pl.col("value").is_not_null(),
            pl.col("area_code").cast(pl.String).is_in(las.implode()),
        )
        .group_by("indicator_id", "year")
        .agg(with_value=pl.len(), with_counts=pl.col("numerator").is_not_null().sum())
        .filter(pl.col("with_counts") > 0)
    )
    assert coverage.height > 400
    thin = coverage.filter(pl.col("with_counts") < 0.8 * pl.col("with_value"))
    assert thin.height == 0, thin


def test_every_lait_row_accounted_for(ref: lacompare.ReferenceData, shared_data) -> None:
    raw = pl.read_parquet(shared_data / "lait" / "bds_long_0.parquet")
    lait = ref.observations.filter(pl.col("source").cast(pl.String).str.starts_with("LAIT"))
    published = lait.filter(pl.col("value").is_not_null()).height
    not_published = lait.filter(pl.col("value").is_null()).height
    assert published + not_published == raw.height == 641_070
    symbols = raw.filter(pl.col("Values").str.strip_chars() == "-").height
    assert not_published == symbols
    assert lait.filter(pl.col("value").is_null()).get_column("status").unique().to_list() == [
        "not_available"
    ]


def test_no_dash_became_zero(ref: lacompare.ReferenceData, shared_data) -> None:
    raw = pl.read_parquet(shared_data / "lait" / "bds_long_0.parquet")
    dashes = raw.filter(pl.col("Values") == "-").select(
        lait_code="Short Desc", period="Years", old_la_code=pl.col("LA Number").cast(pl.Int32)
    )
    keyed = (
        ref.observations.with_columns(pl.col("indicator_id", "area_code", "period").cast(pl.String))
        .join(ref.indicators.select("indicator_id", "lait_code"), on="indicator_id")
        .join(ref.areas.select("area_code", "old_la_code"), on="area_code")
    )
    matched = dashes.join(keyed, on=["lait_code", "period", "old_la_code"], how="left")
    assert matched.height == dashes.height
    assert matched.get_column("value").null_count() == dashes.height


def test_committed_data_is_what_the_build_script_makes(ref, shared_data) -> None:
    built = build_reference(shared_data)
    for name in ("indicators", "areas", "neighbours"):
        assert getattr(built, name).equals(getattr(ref, name)), name
    assert built.observations.height == ref.observations.height
    assert built.observations.with_columns(pl.all().cast(pl.String)).equals(
        ref.observations.with_columns(pl.all().cast(pl.String))
    )


def test_manifest_records_sources_and_licence(ref: lacompare.ReferenceData) -> None:
    manifest = ref.manifest
    assert manifest["licence"] == "Open Government Licence v3.0"
    assert "lait/bds_long_0.parquet" in manifest["sources"]
    assert manifest["rows"]["observations"] == ref.observations.height
