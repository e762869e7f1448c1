"""Significance coverage: which indicators carry counts, that every verdict rests on counts
that reproduce the published figure, the two-level verdicts, and the coverage view."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import polars as pl
import pytest

import lacompare
from lacompare.coverage import COVERAGE_STATUSES, coverage, coverage_summary
from lacompare.tables import model_of

#: The children's social care topics the acceptance is measured on.
CSC_TOPICS = [
    "Children in Need",
    "Child Protection",
    "Children Looked After",
    "Adoption",
    "Children's Services Workforce",
]
MULTIPLIER = {"percent": 100.0, "percent_ratio": 100.0, "rate_per_10000": 10_000.0}


@pytest.fixture(scope="module")
def table(ref: lacompare.ReferenceData) -> pl.DataFrame:
    return coverage(ref, "Derby")


def test_most_derby_csc_rates_carry_a_verdict(derby: pl.DataFrame) -> None:
    rates = derby.filter(
        pl.col("topic").is_in(CSC_TOPICS), pl.col("unit").is_in(["percent", "rate_per_10000"])
    )
    tested = rates.filter(pl.col("vs_england") != "not compared")
    # 9 of 114 before the seven new EES files; 61 of 114 with them (53.5%).
    assert rates.height == 114
    assert tested.height >= 57, tested.height
    for topic in ("Child Protection", "Children Looked After", "Adoption"):
        in_topic = rates.filter(pl.col("topic") == topic)
        assert in_topic.filter(pl.col("vs_england") != "not compared").height > 0, topic


def test_every_verdict_rests_on_counts_that_reproduce_the_figure(
    everything: pl.DataFrame,
) -> None:
    """All 153 LAs: wherever a verdict is given, numerator / denominator x multiplier rounds
    (half up, decimal arithmetic) to the published value at the decimals it was published to."""
    judged = everything.filter(pl.col("vs_england") != "not compared")
    assert judged.height > 8_000
    assert judged.get_column("area_code").n_unique() == 153
    assert judged.filter(pl.col("la_numerator").is_null()).height == 0
    checked = 0
    for value, numerator, denominator, unit in judged.select(
        "la_value", "la_numerator", "la_denominator", "unit"
    ).iter_rows():
        published = Decimal(repr(round(value, 6))).normalize()
        places = max(-published.as_tuple().exponent, 0)  # type: ignore[operator]
        exact = Decimal(repr(numerator)) / Decimal(repr(denominator)) * Decimal(MULTIPLIER[unit])
        tolerance = Decimal(5) * Decimal(10) ** -(places + 1)
        assert abs(exact - published) <= tolerance + Decimal("1e-9"), (
            value,
            numerator,
            denominator,
        )
        checked += 1
    assert checked == judged.height


def test_two_level_verdicts(derby: pl.DataFrame, everything: pl.DataFrame) -> None:
    # Derby's looked-after children's overall absence: 7,954 of 90,506 sessions (8.79%) vs
    # England 9.0%. On sessions as independent trials the 95% interval (8.61-8.97) excluded
    # England; widened for overdispersion (phi ~ 200: councils spread far wider than the
    # binomial allows) it does not.
    absence = derby.filter(pl.col("indicator_id") == "lac_over_abs").row(0, named=True)
    assert (absence["la_numerator"], absence["la_denominator"]) == (7954, 90506)
    assert absence["ci_method"] == "Wilson (sessions, overdispersion)"
    assert absence["overdispersion"] > 100
    assert (absence["vs_england"], absence["vs_england_998"]) == ("similar", "similar")
    # Reviews of child protection plans on time: 169 of 172 vs England 90.6%: beyond both.
    reviews = derby.filter(pl.col("indicator_id") == "revcp").row(0, named=True)
    assert (reviews["vs_england"], reviews["vs_england_998"]) == ("better", "better")
    # Every level agrees with where England's exact value sits against each interval.
    usable = everything.filter(pl.col("england_flag").is_null())
    for level, lower, upper in (
        ("vs_england", "la_lower_ci", "la_upper_ci"),
        ("vs_england_998", "la_lower_ci_998", "la_upper_ci_998"),
    ):
        england = pl.col("england_exact_value")
        inside = usable.filter(pl.col(lower) <= england, england <= pl.col(upper))
        assert set(inside.get_column(level)) == {"similar"}
        outside = usable.filter((england < pl.col(lower)) | (england > pl.col(upper)))
        assert set(outside.get_column(level)) <= {"better", "worse", "higher", "lower"}
    strong = everything.filter(pl.col("vs_england_998").is_in(["better", "worse"]))
    assert strong.height > 500
    assert (strong.get_column("vs_england") == strong.get_column("vs_england_998")).all()


def test_board_table_marks_the_99_8_level_and_counts_tested_rows(derby: pl.DataFrame) -> None:
    rows = derby.filter(pl.col("indicator_id").is_in(["revcp", "lac_over_abs", "cin_ks2_expstd_r"]))
    model = model_of(lacompare.board_table(rows, sparkline_periods=0))
    shown = dict(model.frame.select("indicator_id", "vs_england").iter_rows())
    assert shown["revcp"] == "▲ Better (99.8%)"
    assert shown["lac_over_abs"] == "● Similar"
    assert shown["cin_ks2_expstd_r"] == "● Similar"
    notes = " ".join(model.notes)
    assert "3 of 3 rows were tested" in notes
    assert "'(99.8%)' where England's value lies outside the 99.8% interval" in notes
    assert "overdispersion" in notes
    said = dict(lacompare.commentary(rows).select("indicator_id", "commentary").iter_rows())
    assert "also at 99.8% confidence" in said["revcp"]


def test_coverage_statuses(table: pl.DataFrame, ref: lacompare.ReferenceData) -> None:
    assert table.height == ref.indicators.height
    assert set(table.get_column("status")) <= set(COVERAGE_STATUSES)
    status = dict(table.select("lait_code", "status").iter_rows())
    assert status["ReReferral"] == "tested"
    assert status["LAC"] == "tested (higher / lower: no polarity)"
    assert status["CareApplications"] == "no count published"
    # Published counts that do not give the published figure are rejected, and said so.
    assert status["Social_Work_Caseholders_%"].startswith("not a count of people")
    assert status["CareLeavers_LA_NotInTouch"] == "count does not reproduce the value"
    assert status["LACnum"] == "not a rate: a count"
    assert status["LAC_KS4_AVG_Attain8"] == "not a rate: a score or average"
    # Ratios of full-time equivalents are not counts of people: never tested.
    for code in ("Work_Force_TO_Rate", "Work_Force_Agecy_Rate", "Work_Force_Vac_Rate"):
        assert status[code] == "not a count of people: full-time equivalent staff", code
    assert status["LAC_Over_Abs"] == "tested (sessions, widened for overdispersion)"
    assert status["CPPlans2yrs"] == "tested"
    years = dict(table.select("lait_code", "years_tested").iter_rows())
    assert years["ReReferral"] == "2016-2025"
    assert years["LAC_Over_Abs"] == "2019, 2021-2025"
    tested = table.filter(pl.col("status").str.starts_with("tested"))
    assert (tested.get_column("las_with_counts") > 0).all()
    assert tested.get_column("count_source").null_count() == 0
    untested = table.filter(~pl.col("status").str.starts_with("tested"))
    assert (untested.get_column("las_with_counts") == 0).all()
    # The view agrees with the engine: Derby's verdicts only where its indicator is tested.
    judged = table.filter(pl.col("la_verdict") != "not compared")
    assert judged.get_column("status").str.starts_with("tested").all()


def test_coverage_summary(table: pl.DataFrame) -> None:
    summary = coverage_summary(table)
    csc = summary.filter(pl.col("topic").is_in(CSC_TOPICS))
    assert int(csc.get_column("indicators").sum()) == 114
    assert int(csc.get_column("tested").sum()) >= 57
    assert (
        summary.get_column("tested")
        + summary.get_column("earlier_years_only")
        + summary.get_column("not_reproduced")
        + summary.get_column("not_people")
        + summary.get_column("no_count")
        == summary.get_column("indicators")
    ).all()


def test_command_line_coverage() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lacompare.cli", *args],
            capture_output=True,
            text=True,
            check=False,
        )

    out = run("indicators", "--coverage", "--la", "Derby", "re-referrals")
    assert out.returncode == 0, out.stderr
    assert "rereferral" in out.stdout and "tested" in out.stdout
    assert "rate and percentage indicators can be tested against England" in out.stdout
    wrong = run("indicators", "--la", "Derby")
    assert wrong.returncode != 0
    assert "--la goes with --coverage" in wrong.stderr
    assert "Traceback" not in wrong.stderr
