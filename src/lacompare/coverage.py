"""Which indicators can be tested for significance, and why the others cannot.

A verdict against England needs an interval, and an interval needs the numerator and
denominator behind the published figure. :func:`coverage` says, per indicator, whether its
latest published values carry such counts and, where they do not, the reason:

- ``not a rate``: a count, score, spend, FTE or percentage-point gap has no binomial or Poisson
  interval (Fingertips tests proportions and rates only);
- ``no count published``: no DfE file lacompare reads publishes the counts behind it;
- ``count does not reproduce the value``: counts are published, but they do not give the
  published figure to its decimals (another base or definition), so none are attached;
- ``counts for earlier years only``: counts reproduce earlier years, not the latest;
- ``not a count of people``: the only counts are full-time equivalent staff (turnover, agency
  and vacancy rates): leavers are not a subset of staff in post and FTE are not trials.

Tested indicators without a polarity are tested as higher / lower, never better / worse;
school absence counted in half-day sessions is tested with its intervals widened for
overdispersion. ``years_tested`` names the years whose counts passed the build's acceptance
rule (see :func:`lacompare.sources.counts.attach_counts`).
"""

from __future__ import annotations

import polars as pl

from lacompare._expr import fmt
from lacompare.errors import user_facing
from lacompare.reference import ReferenceData
from lacompare.sources.counts import COUNT_SPECS, FTE_MEASURES, SESSION_MEASURES
from lacompare.vocab import UNIT_MULTIPLIER

#: Units without a count-based interval -> the reason given.
NOT_A_RATE: dict[str, str] = {
    "count": "not a rate: a count",
    "score": "not a rate: a score or average",
    "currency": "not a rate: spend",
    "fte": "not a rate: full-time equivalent staff",
    "percentage_points": "not a rate: a gap in percentage points",
}

NOT_PEOPLE = "not a count of people: full-time equivalent staff"
SESSIONS = "tested (sessions, widened for overdispersion)"

#: Every status :func:`coverage` gives, most testable first.
COVERAGE_STATUSES: tuple[str, ...] = (
    "tested",
    "tested (higher / lower: no polarity)",
    SESSIONS,
    "counts for earlier years only",
    NOT_PEOPLE,
    "count does not reproduce the value",
    "no count published",
    *dict.fromkeys(NOT_A_RATE.values()),
)


@user_facing
def coverage(ref: ReferenceData, la: str | int | None = None) -> pl.DataFrame:
    """One row per indicator: can it be tested against England, and if not, why.

    Columns: ``indicator_id``, ``lait_code``, ``name``, ``topic``, ``unit``, ``polarity``,
    ``latest_period`` (the latest period any LA has a value for), ``las_with_value`` and
    ``las_with_counts`` (current LAs at that period), ``status`` (one of
    :data:`COVERAGE_STATUSES`), ``count_source`` (where the latest counts come from) and
    ``count_checks`` ("agree/checked" over all years and LAs, from the build's manifest) and
    ``years_tested`` (the years whose counts are used, "2016-2025" or "2019, 2021-2025").
    With ``la``, also ``la_period`` and ``la_verdict``: that LA's latest comparison with
    England ("not compared" where it has no counts).
    """
    current_las = ref.areas.filter(pl.col("level") == "local_authority", pl.col("current"))
    la_rows = (
        ref.observations.lazy()
        .filter(pl.col("value").is_not_null())
        .with_columns(pl.col("indicator_id", "area_code", "period").cast(pl.String))
        .join(current_las.lazy().select("area_code"), on="area_code", how="semi")
    )
    latest = _latest_coverage(la_rows)
    ever_counted = _year_ranges(
        la_rows.filter(pl.col("numerator").is_not_null()).select("indicator_id", "year")
    ).with_columns(ever_counted=pl.lit(True))
    checks = _count_checks(ref)
    table = (
        ref.indicators.lazy()
        .select("indicator_id", "lait_code", "name", "topic", "unit", "polarity")
        .with_columns(pl.col("indicator_id").cast(pl.String))
        .join(latest, on="indicator_id", how="left")
        .join(ever_counted, on="indicator_id", how="left")
        .join(checks.lazy(), on="lait_code", how="left")
        .with_columns(
            pl.col("las_with_value", "las_with_counts").fill_null(0).cast(pl.Int32),
            pl.col("ever_counted").fill_null(False),
            pl.col("checked").fill_null(0),
        )
        .with_columns(status=_status())
        .with_columns(
            count_checks=pl.when(pl.col("checked") > 0).then(
                fmt("{}/{}", pl.col("agree"), pl.col("checked"))
            ),
            count_source=pl.when(pl.col("status").str.starts_with("tested")).then("count_source"),
        )
        .select(
            "indicator_id",
            "lait_code",
            "name",
            "topic",
            "unit",
            "polarity",
            "latest_period",
            "las_with_value",
            "las_with_counts",
            "status",
            "count_source",
            "count_checks",
            "years_tested",
        )
        .sort("topic", "name")
        .collect()
    )
    if la is None:
        return table
    from lacompare.compare import compare

    own = compare(ref, la).select(
        pl.col("indicator_id").cast(pl.String), la_period="period", la_verdict="vs_england"
    )
    return table.join(own, on="indicator_id", how="left")


def _latest_coverage(la_rows: pl.LazyFrame) -> pl.LazyFrame:
    """Per indicator, its latest period with a value and how many current LAs have a value
    and counts there, and where those counts come from."""
    return (
        la_rows.group_by("indicator_id")
        .agg(latest_year=pl.col("year").max())
        .join(la_rows, left_on=["indicator_id", "latest_year"], right_on=["indicator_id", "year"])
        .group_by("indicator_id")
        .agg(
            latest_period=pl.col("period").max(),
            las_with_value=pl.col("area_code").n_unique(),
            las_with_counts=pl.col("area_code")
            .filter(pl.col("numerator").is_not_null())
            .n_unique(),
            count_source=pl.col("source")
            .cast(pl.String)
            .filter(pl.col("numerator").is_not_null())
            .str.replace(r"^[^;]*; ", "")  # drop the value's own source ("LAIT; ...")
            .mode()
            .sort()
            .first(),
        )
    )


def _status() -> pl.Expr:
    """Whether an indicator can be tested against England, and if not, why."""
    testable_unit = pl.col("unit").is_in(list(UNIT_MULTIPLIER))
    return (
        pl.when(~testable_unit)
        .then(pl.col("unit").replace_strict(NOT_A_RATE, default="not a rate"))
        .when(pl.col("lait_code").is_in(list(FTE_MEASURES)))
        .then(pl.lit(NOT_PEOPLE))
        .when(pl.col("las_with_counts") > 0)
        .then(
            pl.when(pl.col("lait_code").is_in(list(SESSION_MEASURES)))
            .then(pl.lit(SESSIONS))
            .when(pl.col("polarity") == "neutral")
            .then(pl.lit("tested (higher / lower: no polarity)"))
            .otherwise(pl.lit("tested"))
        )
        .when(pl.col("ever_counted"))
        .then(pl.lit("counts for earlier years only"))
        .when(pl.col("checked") > 0)
        .then(pl.lit("count does not reproduce the value"))
        .otherwise(pl.lit("no count published"))
    )


@user_facing
def coverage_summary(table: pl.DataFrame) -> pl.DataFrame:
    """Counts of :func:`coverage` statuses per topic, rates and percentages only (the
    indicators a significance test applies to), with the share tested."""
    rates = table.filter(pl.col("unit").is_in(list(UNIT_MULTIPLIER)))
    return (
        rates.group_by("topic")
        .agg(
            indicators=pl.len(),
            tested=pl.col("status").str.starts_with("tested").sum(),
            earlier_years_only=(pl.col("status") == "counts for earlier years only").sum(),
            not_reproduced=(pl.col("status") == "count does not reproduce the value").sum(),
            not_people=(pl.col("status") == NOT_PEOPLE).sum(),
            no_count=(pl.col("status") == "no count published").sum(),
        )
        .with_columns(share_tested=(100 * pl.col("tested") / pl.col("indicators")).round(1))
        .sort("topic")
    )


def _year_ranges(rows: pl.LazyFrame) -> pl.LazyFrame:
    """(indicator_id, years_tested) from (indicator_id, year) rows: the years as text with runs
    joined, "2016-2025" or "2019, 2021-2025"."""
    runs = (
        rows.unique()
        .sort("indicator_id", "year")
        .with_columns(_run=(pl.col("year").diff().fill_null(1) != 1).cum_sum().over("indicator_id"))
        .group_by("indicator_id", "_run")
        .agg(first=pl.col("year").min(), last=pl.col("year").max())
        .sort("indicator_id", "_run")
        .with_columns(
            text=pl.when(pl.col("first") == pl.col("last"))
            .then(pl.col("first").cast(pl.String))
            .otherwise(fmt("{}-{}", "first", "last"))
        )
    )
    return runs.group_by("indicator_id").agg(years_tested=pl.col("text").str.join(", "))


def _count_checks(ref: ReferenceData) -> pl.DataFrame:
    """(lait_code, agree, checked) over every count definition tried for a measure: from the
    build's manifest, or, for reference data without one, the definitions in the code."""
    recorded = ref.manifest.get("count_checks")
    if recorded:
        return (
            pl.DataFrame(recorded)
            .group_by("lait_code")
            .agg(
                agree=pl.col("agree").sum(),
                checked=(pl.col("agree") + pl.col("disagree")).sum(),
            )
            .with_columns(pl.col("agree", "checked").cast(pl.Int64))
        )
    codes = sorted({spec.lait_code for spec in COUNT_SPECS})
    return pl.DataFrame(
        {"lait_code": codes, "agree": [None] * len(codes), "checked": [1] * len(codes)},
        schema={"lait_code": pl.String, "agree": pl.Int64, "checked": pl.Int64},
    )
