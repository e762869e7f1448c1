"""Statistics a statistician would sign: two-sample tests (Newcombe; conditional binomial),
overdispersion for school sessions, England's exact value, the pooled neighbour group, ties,
implausible benchmarks and intervals no verdict may rest on.

Expected values are worked out here independently of the engine (plain Python arithmetic),
or are published ones (Newcombe 1998, Table II).
"""

from __future__ import annotations

import math

import polars as pl
import pytest

import lacompare
from lacompare.stats import (
    compare_difference,
    compare_with_benchmark,
    newcombe_difference,
    overdispersion_factor,
    poisson_ratio_ci,
    z_value,
)

DIFFER = ["better", "worse", "higher", "lower"]


def wilson(x: float, n: float, z: float) -> tuple[float, float]:
    centre, spread = 2 * x + z * z, z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return (centre - spread) / 2 / (n + z * z), (centre + spread) / 2 / (n + z * z)


def newcombe(x1: float, n1: float, x2: float, n2: float, z: float = 1.959963984540054):
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = wilson(x1, n1, z), wilson(x2, n2, z)
    d = p1 - p2
    return d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


# --------------------------------------------------------------------------------------------
# The methods


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "lower", "upper"),
    [
        # Newcombe (1998) Table II, method 10 (hybrid score), cases (a)-(h).
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 10, 10, -0.2775, 0.2775),
    ],
)
def test_newcombe_matches_the_published_table(x1, n1, x2, n2, lower, upper) -> None:
    frame = pl.DataFrame({"x1": [x1], "n1": [n1], "x2": [x2], "n2": [n2]}, schema=[
        ("x1", pl.Float64), ("n1", pl.Float64), ("x2", pl.Float64), ("n2", pl.Float64)
    ])  # fmt: skip
    low, high = newcombe_difference(pl.col("x1"), pl.col("n1"), pl.col("x2"), pl.col("n2"))
    got = frame.select(low=low, high=high).row(0)
    assert got == pytest.approx((lower, upper), abs=5e-5)


def test_poisson_ratio_is_the_conditional_binomial() -> None:
    """Rate ratio (x1/n1)/(x2/n2): the Wilson interval of x1 of x1+x2 events, mapped."""
    x1, n1, x2, n2 = 283.0, 62_113.0, 320.0, 61_500.0
    z = z_value(0.95)
    p_low, p_high = wilson(x1, x1 + x2, z)
    expected = (p_low / (1 - p_low) * n2 / n1, p_high / (1 - p_high) * n2 / n1)
    frame = pl.DataFrame({"x1": [x1], "n1": [n1], "x2": [x2], "n2": [n2]})
    low, high = poisson_ratio_ci(pl.col("x1"), pl.col("n1"), pl.col("x2"), pl.col("n2"))
    assert frame.select(low.alias("low"), high.alias("high")).row(0) == pytest.approx(expected)
    # No events in either: no information, so "similar" (the interval is 0 to infinity).
    none = pl.DataFrame({"x1": [0.0], "n1": [100.0], "x2": [0.0], "n2": [100.0]})
    low, high = poisson_ratio_ci(pl.col("x1"), pl.col("n1"), pl.col("x2"), pl.col("n2"))
    verdict = none.select(compare_difference(low, high, 1.0, pl.lit("low"))).item()
    assert verdict == "similar"


def test_intervals_no_verdict_may_rest_on_are_not_compared() -> None:
    """A NaN interval (a numerator above its denominator makes Wilson's root NaN) or limits
    the wrong way round give "not compared", never a direction."""
    frame = pl.DataFrame(
        {
            "value": [50.0, 50.0, 50.0, 50.0],
            "lower": [float("nan"), 60.0, 40.0, None],
            "upper": [float("nan"), 40.0, 60.0, 60.0],
        }
    )
    verdicts = frame.select(
        compare_with_benchmark(
            pl.col("value"), pl.col("lower"), pl.col("upper"), pl.lit(10.0), pl.lit("high")
        )
    ).to_series()
    assert verdicts.to_list() == ["not compared", "not compared", "better", "not compared"]
    differences = frame.select(
        compare_difference(pl.col("lower"), pl.col("upper"), 0.0, pl.lit("high"))
    ).to_series()
    assert differences.to_list() == ["not compared", "not compared", "better", "not compared"]
    # Through the engine's own interval: 12 of 10 is NaN under Wilson.
    x, n = pl.lit(12.0), pl.lit(10.0)
    nan = pl.select(lacompare.stats.wilson_lower(x, n)).item()
    assert math.isnan(nan)


def test_overdispersion_factor_winsorises_and_never_narrows() -> None:
    z = [-3.0, -1.0, 0.0, 1.0, 3.0, -2.0, 2.0, 0.5, -0.5, 40.0]
    frame = pl.DataFrame({"z": z})
    phi = frame.select(overdispersion_factor(pl.col("z"))).item()
    ordered = sorted(z)
    n = len(z)

    def quantile(p: float) -> float:  # linear interpolation, as numpy's default
        h = (n - 1) * p
        return ordered[math.floor(h)] + (h - math.floor(h)) * (
            ordered[math.ceil(h)] - ordered[math.floor(h)]
        )

    low, high = quantile(0.1), quantile(0.9)
    expected = sum(min(max(v, low), high) ** 2 for v in z) / n
    assert phi == pytest.approx(max(expected, 1.0))
    assert expected < sum(v * v for v in z) / n  # the outlier of 40 is winsorised
    calm = pl.DataFrame({"z": [0.1, -0.1, 0.2, -0.2]})
    assert calm.select(overdispersion_factor(pl.col("z"))).item() == 1.0


# --------------------------------------------------------------------------------------------
# The engine, on the published data


def test_session_absence_is_not_tested_as_independent_trials(everything: pl.DataFrame) -> None:
    """Half-day sessions of one pupil are not independent: 808 of 900 session rows (90%)
    differed from England at 99.8% when tested as binomial trials. Widened for
    overdispersion, at most 40% may."""
    sessions = everything.filter(pl.col("ci_method") == "Wilson (sessions, overdispersion)")
    assert sessions.height >= 800
    assert (sessions.get_column("overdispersion") > 50).all()
    differ = sessions.filter(pl.col("vs_england_998").is_in(DIFFER)).height
    assert differ / sessions.height <= 0.40, differ
    # Persistent absence is counted in pupils, and tested without widening.
    pupils = everything.filter(
        pl.col("indicator_id") == "lac_pers_abs", pl.col("ci_method").is_not_null()
    )
    assert set(pupils.get_column("ci_method")) == {"Wilson"}
    assert pupils.get_column("overdispersion").null_count() == pupils.height


def test_england_is_tested_at_its_exact_value(derby: pl.DataFrame) -> None:
    """England's long-term stability is published as 69% but is 68.55% from its own counts:
    Derby's 75% [68.8, 80.0] is better than 68.55 (and would be "similar" against 69)."""
    row = derby.filter(pl.col("indicator_id") == "lac_longstablepct").row(0, named=True)
    assert row["england_value"] == 69
    assert row["england_exact_value"] == pytest.approx(68.55, abs=0.005)
    assert row["la_lower_ci"] < 69 and row["la_lower_ci"] > row["england_exact_value"]
    assert row["vs_england"] == "better"


def test_no_verdict_rests_on_full_time_equivalents(everything: pl.DataFrame) -> None:
    judged = everything.filter(pl.col("vs_england") != "not compared")
    assert judged.height > 7_000
    fractional = judged.filter(
        (pl.col("la_numerator") != pl.col("la_numerator").round(0))
        | (pl.col("la_denominator") != pl.col("la_denominator").round(0))
    )
    assert fractional.height == 0, fractional.select("indicator_id", "la_numerator").head()
    workforce = everything.filter(
        pl.col("indicator_id").is_in(
            ["work_force_to_rate", "work_force_agecy_rate", "work_force_vac_rate"]
        )
    )
    assert set(workforce.get_column("vs_england")) == {"not compared"}


def test_change_from_previous_year_is_tested_with_newcombe(derby: pl.DataFrame) -> None:
    """Derby's percentages with counts in both years: the change is significant exactly when
    Newcombe's 95% interval for the difference excludes 0 (worked out here in plain Python)."""
    rows = derby.filter(
        pl.col("unit") == "percent",
        pl.col("overdispersion").is_null(),
        pl.col("la_numerator").is_not_null(),
        pl.col("previous_numerator").is_not_null(),
    )
    assert rows.height >= 15
    agree = 0
    for row in rows.iter_rows(named=True):
        low, high = newcombe(
            row["la_numerator"], row["la_denominator"],
            row["previous_numerator"], row["previous_denominator"],
        )  # fmt: skip
        if low <= 0 <= high:
            expected = "similar"
        else:
            higher = low > 0
            expected = {
                "high": "better" if higher else "worse",
                "low": "worse" if higher else "better",
            }.get(row["polarity"], "higher" if higher else "lower")
        agree += row["change_vs_previous"] == expected
    assert agree / rows.height >= 0.95
    assert agree == rows.height


def test_change_is_tested_for_rates_by_the_conditional_binomial(derby: pl.DataFrame) -> None:
    row = derby.filter(pl.col("indicator_id") == "cpp_abuse_rate").row(0, named=True)
    x1, n1 = row["la_numerator"], row["la_denominator"]
    x2, n2 = row["previous_numerator"], row["previous_denominator"]
    p_low, p_high = wilson(x1, x1 + x2, 1.959963984540054)
    null = n1 / (n1 + n2)
    expected = "similar" if p_low <= null <= p_high else None
    assert expected is None or row["change_vs_previous"] == expected
    assert row["change_vs_previous"] in {"similar", "better", "worse"}


def test_neighbours_are_compared_as_a_pooled_group(
    ref: lacompare.ReferenceData, derby: pl.DataFrame
) -> None:
    """vs_sn is a two-sample test of Derby against its neighbours pooled (their numerators
    over their denominators, read here straight from the observations), only where every
    neighbour has counts; the SN average shown stays LAIT's mean."""
    members = ref.neighbours_of("Derby").get_column("neighbour_code").to_list()
    rows = derby.filter(pl.col("unit") == "percent", pl.col("la_numerator").is_not_null())
    checked = agree = 0
    for row in rows.iter_rows(named=True):
        counts = ref.observations.filter(
            pl.col("indicator_id") == row["indicator_id"],
            pl.col("period") == row["comparator_period"],
            pl.col("area_code").cast(pl.String).is_in(members),
        ).filter(pl.col("numerator").is_not_null())
        if counts.height < len(members):
            assert row["vs_sn"] == "not compared", row["indicator_id"]
            continue
        checked += 1
        phi = row["overdispersion"] or 1.0
        x1, n1 = row["la_numerator"] / phi, row["la_denominator"] / phi
        x2 = counts.get_column("numerator").sum() / phi
        n2 = counts.get_column("denominator").sum() / phi
        assert row["sn_pooled_value"] == pytest.approx(100 * x2 / n2)
        low, high = newcombe(x1, n1, x2, n2)
        differs = not (low <= 0 <= high)
        agree += differs == (row["vs_sn"] in DIFFER)
    assert checked >= 10
    assert agree / checked >= 0.95


def test_ties_and_uneven_bands_are_visible(everything: pl.DataFrame) -> None:
    derby = everything.filter(pl.col("area_code") == "E06000015")
    stability = derby.filter(pl.col("indicator_id") == "lacstable_2016on").row(0, named=True)
    tied = everything.filter(
        pl.col("indicator_id") == "lacstable_2016on",
        pl.col("period") == stability["period"],
        pl.col("national_rank") == stability["national_rank"],
    )
    assert stability["rank_tied"] is True and tied.height > 1
    shares = everything.filter(pl.col("band_share").is_not_null())
    assert shares.filter((pl.col("band_share") - 0.25).abs() > 0.05).height > 0


def test_cp_plans_lasting_two_years_that_ceased_are_tested(derby: pl.DataFrame) -> None:
    """CPPlans2yrs: plans lasting two years or more that ceased (LAIT's CPRDuration) over all
    plans that ceased (its rate per 10,000 times the population, rounded)."""
    row = derby.filter(pl.col("indicator_id") == "cpplans2yrs").row(0, named=True)
    assert row["vs_england"] != "not compared"
    assert row["la_numerator"] == 20
    assert round(100 * 20 / row["la_denominator"], 1) == row["la_value"] == 5.8


def test_implausible_england_value_is_flagged_not_used(everything: pl.DataFrame) -> None:
    """LAIT's England first-time youth-justice entrants (1,258 per 100,000, against LAs' 63
    to 318) is shown, flagged, and never used as a benchmark."""
    flagged = everything.filter(pl.col("england_flag").is_not_null())
    assert set(flagged.get_column("indicator_id")) == {"firstyjs"}
    assert set(flagged.get_column("vs_england")) == {"not compared"}
