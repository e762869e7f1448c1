"""The comparison engine: LAIT parity, the one-LA filter, arguments and their errors."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.compare import compare, compare_all
from lacompare.sources.lait import POLARITY_RESERVATIONS
from lacompare.tables import model_of

PARITY = Path(__file__).parent / "data" / "lait_parity_expected.csv"


def row(frame: pl.DataFrame, indicator: str) -> dict:
    return frame.filter(pl.col("indicator_id") == indicator).row(0, named=True)


def test_lait_parity_recorded_vectors(ref: lacompare.ReferenceData) -> None:
    """Values from LAIT's rules run in R 4.2 on bds_long_0.parquet (2,604 rows: Derby, City of
    London, Camden, Cumberland, Birmingham, Isles of Scilly; every measure at LAIT's latest
    period). The R script restates LAIT's R/fn_analysis.R and mod_la_lvl_table.R with the same
    primitives: rank(ties.method = "min"), quantile() type 7, mean(na.rm = TRUE), lag()."""
    expected = pl.read_csv(
        PARITY,
        schema_overrides={
            "latest": pl.String,
            "quartile_band": pl.String,
            "la_value": pl.Float64,
            "sn_average": pl.Float64,
            "change": pl.Float64,
            "national_rank": pl.Int32,
        },
    )
    got = (
        compare_all(ref, period="lait_latest")
        .join(ref.indicators.select("indicator_id", "lait_code"), on="indicator_id")
        .join(ref.areas.select(la="old_la_code", area_code="area_code"), on="area_code")
        .with_columns(pl.col("la").cast(pl.Int64))
    )
    both = expected.join(got, on=["la", "lait_code"], how="left")
    assert both.get_column("area_code").null_count() == 0
    # Every row agrees with LAIT, the ones lacompare has a reservation about included: a
    # reservation is said in words (POLARITY_RESERVATIONS), never by changing a figure.
    reserved = both.filter(pl.col("lait_code").is_in(list(POLARITY_RESERVATIONS)))
    assert reserved.height > 0
    assert reserved.get_column("national_rank_right").null_count() < reserved.height
    assert expected.height == 2604 and both.height == expected.height
    assert (both["latest"] == both["period"]).all()

    def same(a: str, b: str) -> pl.Expr:
        return (pl.col(a).is_null() & pl.col(b).is_null()) | (
            (pl.col(a) - pl.col(b)).abs() <= 1e-9 * pl.max_horizontal(pl.col(a).abs(), 1)
        )

    def equal(a: str, b: str) -> pl.Expr:
        return (pl.col(a) == pl.col(b)).fill_null(pl.col(a).is_null() & pl.col(b).is_null())

    checks = {
        "sn_average": same("sn_average", "sn_average_right"),
        "national_rank": equal("national_rank", "national_rank_right"),
        "quartile_band": equal("quartile_band", "quartile_band_right"),
        "change_from_previous": same("change", "change_from_previous"),
        "la_value": same("la_value", "la_value_right"),
    }
    for name, ok in checks.items():
        wrong = both.filter(~ok)
        assert wrong.height == 0, (name, wrong.head(5))


def test_derby_rereferrals_matches_lait(derby: pl.DataFrame) -> None:
    # anchors.md 2.5: latest 2025, 153 LAs, rank 116, band D (23.1 > Q3 23.0).
    r = row(derby, "rereferral")
    assert (r["period"], r["la_value"], r["england_value"], r["region_value"]) == (
        "2025",
        23.1,
        22.6,
        24.7,
    )
    assert r["region_name"] == "East Midlands"
    assert r["sn_average"] == pytest.approx(20.08)
    assert (r["national_rank"], r["rank_of"], r["quartile_band"]) == (116, 153, "D")
    assert (r["q1"], r["median"], r["q3"]) == pytest.approx((16.9, 20.0, 23.0))
    assert r["change_from_previous"] == pytest.approx(0.6)
    assert r["direction"] == "worsening"  # low polarity, up 0.6


def test_derby_cpp_starts_matches_lait(derby: pl.DataFrame) -> None:
    r = row(derby, "cpp_abuse_rate")
    assert (r["la_value"], r["england_value"], r["region_value"]) == (45.6, 50.8, 50.1)
    assert r["sn_average"] == pytest.approx(60.2)
    assert (r["national_rank"], r["rank_of"], r["quartile_band"]) == (52, 151, "B")
    assert (r["q1"], r["median"], r["q3"]) == pytest.approx((41.25, 50.2, 66.15))
    assert r["change_from_previous"] == pytest.approx(-3.0)
    assert r["direction"] == "improving"
    # Counts from DfE's d3 file (283 plans starting) over ONS mid-2024 children (62,113)
    # reproduce 45.6; Byar's limits written out here: England's 50.8 lies inside the 95%
    # interval, the SN average 60.2 above even the 99.8% one (low polarity: better).
    assert (r["la_numerator"], r["la_denominator"]) == (283, 62_113)
    x, n = 283, 62_113

    def byar(z: float) -> tuple[float, float]:
        lower = x * (1 - 1 / (9 * x) - z / (3 * x**0.5)) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * (x + 1) ** 0.5)) ** 3
        return lower / n * 10_000, upper / n * 10_000

    assert (r["la_lower_ci"], r["la_upper_ci"]) == pytest.approx(byar(1.959963984540054))
    assert (r["la_lower_ci_998"], r["la_upper_ci_998"]) == pytest.approx(byar(3.090232306167813))
    assert (r["vs_england"], r["vs_england_998"]) == ("similar", "similar")
    assert (r["vs_sn"], r["vs_sn_998"]) == ("better", "better")


def test_significance_uses_intervals(derby: pl.DataFrame) -> None:
    lac = row(derby, "lac")  # 545 children, 88 per 10,000 vs England 67: clearly higher
    assert lac["ci_method"] == "Byars"
    assert lac["la_lower_ci"] < 88 < lac["la_upper_ci"]
    assert lac["vs_england"] == "higher"  # neutral polarity: higher, not worse
    rereferral = row(derby, "rereferral")  # 23.1% of 3,557 vs England 22.6%: inside the CI
    assert rereferral["ci_method"] == "Wilson"
    assert rereferral["la_lower_ci"] <= 22.6 <= rereferral["la_upper_ci"]
    assert rereferral["vs_england"] == "similar"
    assert rereferral["vs_sn"] == "worse"  # SN average 20.08 is below Derby's interval


def test_compare_is_a_filter_of_compare_all(derby, everything) -> None:
    assert derby.equals(everything.filter(pl.col("area_code") == "E06000015"))


def test_compare_all_covers_every_current_la(ref, everything) -> None:
    assert everything.get_column("area_code").n_unique() == 153
    assert everything.height == 153 * ref.indicators.height
    # Nothing dropped: a row without a value says why.
    missing = everything.filter(pl.col("la_value").is_null())
    assert missing.height > 0
    assert set(missing.get_column("la_status").unique()) <= {
        "not_available",
        "suppressed",
        "low",
        "not_applicable",
        "unreliable",
    }


def test_every_derby_indicator_with_a_value(ref, derby) -> None:
    has_value = (
        ref.observations.filter(pl.col("area_code") == "E06000015", pl.col("value").is_not_null())
        .get_column("indicator_id")
        .cast(pl.String)
        .unique()
    )
    with_value = derby.filter(pl.col("la_value").is_not_null()).get_column("indicator_id")
    assert set(with_value) == set(has_value)


def test_latest_falls_back_to_the_las_own_latest(ref, derby) -> None:
    older = derby.filter(~pl.col("is_lait_latest"))
    assert older.height > 0 and older.get_column("la_value").null_count() == 0
    lait = compare(
        ref, "Derby", indicators=older.get_column("indicator_id").to_list(), period="lait_latest"
    )
    assert lait.get_column("la_value").null_count() == older.height


def test_period_as_year(ref) -> None:
    cpp = compare(ref, 831, indicators="CPP_rate", period=2016)
    r = cpp.row(0, named=True)
    assert (r["period"], r["la_value"], r["la_numerator"]) == ("2016", 53.7, 314)
    assert r["previous_period"] is None  # 2015 is not in LAIT for this measure


def test_indicator_selection(ref) -> None:
    by_topic = compare(ref, "E06000015", indicators="children looked after")
    assert set(by_topic.get_column("topic")) == {"Children Looked After"}
    assert (
        by_topic.height
        == ref.indicators.filter(pl.col("topics").list.contains("Children Looked After")).height
    )
    by_codes = compare(ref, "Derby", indicators=["LAC", "cpp_rate"])
    assert set(by_codes.get_column("indicator_id")) == {"lac", "cpp_rate"}
    with pytest.raises(lacompare.UnknownIndicatorError, match="did you mean"):
        compare(ref, "Derby", indicators="Child Protectoin")


def test_unknown_and_predecessor_las(ref) -> None:
    with pytest.raises(lacompare.UnknownAreaError, match="did you mean 'Derby'"):
        compare(ref, "Derbyy")
    with pytest.raises(lacompare.PredecessorAreaError, match="Cumberland"):
        compare(ref, "Cumbria")
    with pytest.raises(lacompare.UnknownAreaError, match="not a local authority"):
        compare(ref, "East Midlands")


def test_custom_comparator_group(ref) -> None:
    group = ["Nottingham", "Leicester", 831]  # names and codes; Derby (831) itself left out
    out = compare(ref, "Derby", indicators="LAC", neighbours=group)
    r = out.row(0, named=True)
    assert r["sn_model"] == "custom group of 3, itself excluded" and r["sn_count"] == 2
    notes = model_of(lacompare.board_table(out)).source_notes
    assert "chosen by the user (group of 3, itself excluded)" in " ".join(notes)
    # Nottingham twice (by name and by ONS code) would count twice: refused, not deduplicated.
    with pytest.raises(lacompare.InvalidArgumentError, match="'Nottingham' and 'E06000018'"):
        compare(ref, "Derby", neighbours=["Nottingham", "Leicester", "E06000018"])
    values = ref.observations.filter(
        pl.col("indicator_id") == "lac",
        pl.col("period") == r["period"],
        pl.col("area_code").is_in(["E06000016", "E06000018"]),
    ).get_column("value")
    assert r["sn_average"] == pytest.approx(values.mean())
    with pytest.raises(lacompare.UnknownAreaError, match=r"custom comparator group.*Nottinghm"):
        compare(ref, "Derby", neighbours=["Nottinghm"])
    with pytest.raises(lacompare.UnknownAreaError, match="not a local authority"):
        compare(ref, "Derby", neighbours=["England"])


def test_2021_model(ref) -> None:
    r = compare(ref, "Derby", indicators="LAC", neighbours="2021").row(0, named=True)
    assert r["sn_model"] == "2021" and r["sn_count"] == 10
    with pytest.raises(lacompare.UnknownAreaError, match="no statistical-neighbour model"):
        compare(ref, "Derby", neighbours="2019")


def test_london_borough_uses_inner_or_outer_london(ref) -> None:
    r = compare(ref, "Camden", indicators="LAC").row(0, named=True)
    assert r["region_name"] == "London (Inner)"
    assert r["region_code"] == "E12000007"


def test_every_rank_counts_the_better_las(ref, everything) -> None:
    """For every ranked row: rank = 1 + number of LAs (predecessors included, as LAIT) with a
    strictly better value for the same indicator and period; rank_of = LAs with a value."""
    las = ref.areas.filter(pl.col("level") == "local_authority").get_column("area_code")
    field = ref.observations.filter(
        pl.col("area_code").cast(pl.String).is_in(las.implode()), pl.col("value").is_not_null()
    ).select(pl.col("indicator_id", "period").cast(pl.String), other="value")
    ranked = everything.filter(pl.col("national_rank").is_not_null()).select(
        "area_code", "indicator_id", "period", "polarity", "la_value", "national_rank", "rank_of"
    )
    counted = (
        ranked.join(field, on=["indicator_id", "period"])
        .group_by("area_code", "indicator_id")
        .agg(
            pl.col("national_rank", "rank_of").first(),
            field_size=pl.len(),
            better=pl.when(pl.col("polarity") == "high")
            .then(pl.col("other") > pl.col("la_value"))
            .otherwise(pl.col("other") < pl.col("la_value"))
            .sum(),
        )
    )
    assert counted.height == ranked.height > 30_000
    assert (counted["national_rank"] == counted["better"] + 1).all()
    assert (counted["rank_of"] == counted["field_size"]).all()


def test_bands_follow_values_within_each_indicator(everything) -> None:
    banded = everything.filter(pl.col("quartile_band").is_not_null())
    order = {"A": 0, "B": 1, "C": 2, "D": 3}
    worst_first = banded.with_columns(
        badness=pl.col("quartile_band").replace_strict(order, return_dtype=pl.Int32),
        key=pl.when(pl.col("polarity") == "low")
        .then(pl.col("la_value"))
        .otherwise(-pl.col("la_value")),
    ).sort("indicator_id", "period", "key")
    monotone = worst_first.group_by("indicator_id", "period").agg(
        ok=(pl.col("badness").diff().fill_null(0) >= 0).all()
    )
    assert monotone["ok"].all()


@pytest.mark.parametrize("gaps", [False, True])
@pytest.mark.parametrize("period", ["latest", "lait_latest", 2019])
@pytest.mark.parametrize("history", [0, 1, 3, 10])
def test_series_read_by_position_equal_the_series_joined(ref, period, history, gaps) -> None:
    """The reference data as stored is in time order: each LA's series is read by position
    (a run ending at the LA's row of the period shown, or found by binary search where it has
    none: the data with gaps). The same series by the general path (joined and grouped, as
    with local figures or rows out of order) is the same, to every list and null."""
    import dataclasses

    from lacompare.compare.engine import _Setup
    from lacompare.compare.keys import ENGINE, OPTIMIZATIONS

    if gaps:  # every seventh row gone: some LAs have no row of the period shown
        kept = ref.observations.filter(pl.int_range(pl.len()) % 7 != 3)
        ref = lacompare.ReferenceData(ref.indicators, kept, ref.areas, ref.neighbours)
    setup = _Setup.of(ref, None, None, "2025", [period])
    assert setup.index.series_key is not None
    joined = dataclasses.replace(setup, index=dataclasses.replace(setup.index, series_key=None))
    by_position, by_join = (
        s.query(period, history, values_only=False).collect(
            engine=ENGINE, optimizations=OPTIMIZATIONS
        )
        for s in (setup, joined)
    )
    lengths = by_position["recent_values"].list.len()
    assert 0 < lengths.max() <= history if history else lengths.max() == 0
    assert by_position.equals(by_join)
