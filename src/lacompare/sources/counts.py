"""The numerators and denominators behind published rates and percentages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lacompare.sources._common import published_decimals
from lacompare.sources.ees import read_ees


@dataclass(frozen=True)
class EesCount:
    """A count taken from one column of an EES file, on rows matching ``filters``."""

    file: str
    column: str
    filters: dict[str, str] = field(default_factory=dict)
    #: Years to shift the EES year by to reach the observation year (populations: mid-2015
    #: estimates are the denominator for rates at 31 March 2016).
    year_offset: int = 0


@dataclass(frozen=True)
class LaitCount:
    """A count taken from another LAIT measure (for years the EES files do not cover)."""

    lait_code: str


Count = EesCount | LaitCount

#: ONS mid-year estimate of children aged 0-17: DfE's denominator for rates per 10,000 at 31
#: March of the following year.
POPULATION_0_17 = EesCount(
    "ons_mid-year_population_estimates_2012_to_2024.csv",
    "population_estimate",
    {"age_group": "Children aged 0 to 17 years"},
    year_offset=1,
)


@dataclass(frozen=True)
class CountSpec:
    """Where the numerator and denominator of a LAIT measure are published.

    ``multiplier`` turns numerator / denominator into the published unit. A published value is
    given its counts only where they reproduce it to the published precision.
    """

    lait_code: str
    numerator: Count
    denominator: Count
    multiplier: float


_PLACEMENTS = "la_cla_placement_stability.csv"
_LONG_TERM = (
    "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
)
_LEAVERS = "la_care_leavers_activity.csv"

COUNT_SPECS: list[CountSpec] = [
    # Children in need at 31 March per 10,000 children (CIN census).
    CountSpec(
        "CIN",
        EesCount("b1_children_in_need_2013_to_2025.csv", "At31_episodes"),
        POPULATION_0_17,
        10_000,
    ),
    # Child protection plans at 31 March per 10,000 children.
    CountSpec(
        "CPP_rate",
        EesCount("d5_cpps_at31march_by_duration_2013_to_2025.csv", "CPP_At31"),
        POPULATION_0_17,
        10_000,
    ),
    # Children looked after at 31 March per 10,000 children (EES from 2021, LAIT count before).
    CountSpec(
        "LAC",
        EesCount(
            "cla_number_and_rate_per_10k_children.csv",
            "children_count",
            {"population_type": "Children looked after on 31 March each year"},
        ),
        EesCount(
            "cla_number_and_rate_per_10k_children.csv",
            "population_estimate",
            {"population_type": "Children looked after on 31 March each year"},
        ),
        10_000,
    ),
    CountSpec("LAC", LaitCount("LACnum"), POPULATION_0_17, 10_000),
    CountSpec(
        "LAC_Start_Rate",
        EesCount(
            "cla_number_and_rate_per_10k_children.csv",
            "children_count",
            {"population_type": "Children starting to be looked after each year"},
        ),
        EesCount(
            "cla_number_and_rate_per_10k_children.csv",
            "population_estimate",
            {"population_type": "Children starting to be looked after each year"},
        ),
        10_000,
    ),
    # Re-referrals within 12 months (%).
    CountSpec(
        "ReReferral",
        EesCount(
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "rereferral_count"
        ),
        EesCount(
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "referral_count"
        ),
        100,
    ),
    # Child protection plans starting that are a second or subsequent plan (%).
    CountSpec(
        "PrevRegCPR",
        EesCount("d3_cpps_subsequent_plan_2013_to_2025.csv", "CPP_subsequent"),
        EesCount("d3_cpps_subsequent_plan_2013_to_2025.csv", "CPP_start"),
        100,
    ),
    # Care leavers aged 19-21 in education, employment or training (%).
    CountSpec(
        "CareLeaverEET",
        EesCount(
            _LEAVERS,
            "care_leaver_count",
            {
                "care_leaver_age": "19 to 21 years",
                "breakdown": "Total in education, employment or training",
            },
        ),
        EesCount(
            _LEAVERS,
            "care_leaver_count",
            {"care_leaver_age": "19 to 21 years", "breakdown": "Total"},
        ),
        100,
    ),
    CountSpec("CareLeaverEET", LaitCount("CareLeaverEETNum"), LaitCount("NoCareLeavers"), 100),
    # Placement stability: three or more placements in the year (%).
    CountSpec(
        "LACStable_2016on",
        EesCount(
            _PLACEMENTS,
            "children_count",
            {
                "cla_group": "CLA on 31 March",
                "placement_stability": "With 3 or more placements during the year",
            },
        ),
        EesCount(
            _PLACEMENTS,
            "children_count",
            {"cla_group": "CLA on 31 March", "placement_stability": "Total children"},
        ),
        100,
    ),
    CountSpec("LACStable_2016on", LaitCount("LACStableNum_2016on"), LaitCount("LACnum"), 100),
    # Placement stability: long-term placements (same carer for 2+ years) (%).
    CountSpec(
        "LAC_LongStable%",
        EesCount(
            _PLACEMENTS,
            "children_count",
            {
                "cla_group": _LONG_TERM,
                "placement_stability": "Living with the same carer for at least 2 years",
            },
        ),
        EesCount(
            _PLACEMENTS,
            "children_count",
            {
                "cla_group": _LONG_TERM,
                "placement_stability": "Total children",
            },
        ),
        100,
    ),
]


def _count_frame(
    count: Count, ees_dir: Path, lait: pl.DataFrame, cache: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """(area_code, year, count, count_source) for one count definition."""
    if isinstance(count, LaitCount):
        return (
            lait.filter(pl.col("lait_code") == count.lait_code, pl.col("value").is_not_null())
            .select("area_code", "year", count="value")
            .unique(["area_code", "year"], keep="any")
            .with_columns(count_source=pl.lit(f"LAIT {count.lait_code}"))
        )
    key = f"{count.file}:{count.column}"
    if key not in cache:
        cache[key] = read_ees(ees_dir / count.file, [count.column])
    rows = cache[key].filter(pl.col("area_code").is_not_null())
    for column, wanted in count.filters.items():
        rows = rows.filter(pl.col(column) == wanted)
    return rows.select(
        "area_code",
        year=pl.col("year") + count.year_offset,
        count=pl.col(count.column),
        count_source=pl.lit(f"EES {count.file} {count.column}"),
    ).filter(pl.col("count").is_not_null())


def attach_counts(
    observations: pl.DataFrame,
    indicators: pl.DataFrame,
    ees_dir: Path,
    specs: list[CountSpec] = COUNT_SPECS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fill ``numerator``/``denominator`` where a spec reproduces the published value.

    A pair of counts is attached only when ``numerator / denominator * multiplier`` rounds to
    the published value at the precision it was published with (so a revised population
    estimate cannot put a confidence interval around the wrong point). Earlier specs for a
    measure win. Returns the observations and a report: per measure and source, how many
    published values were matched, and how many counts disagreed.
    """
    lait = observations.join(
        indicators.select("indicator_id", "lait_code"), on="indicator_id"
    ).select("lait_code", "area_code", "year", "value")
    cache: dict[str, pl.DataFrame] = {}
    candidates = []
    for priority, spec in enumerate(specs):
        numerator = _count_frame(spec.numerator, ees_dir, lait, cache)
        denominator = _count_frame(spec.denominator, ees_dir, lait, cache)
        candidates.append(
            numerator.join(denominator, on=["area_code", "year"], suffix="_den").select(
                "area_code",
                "year",
                lait_code=pl.lit(spec.lait_code),
                priority=pl.lit(priority),
                multiplier=pl.lit(spec.multiplier, pl.Float64),
                numerator=pl.col("count"),
                denominator=pl.col("count_den"),
                count_source=pl.concat_str(
                    pl.lit("numerator: "),
                    "count_source",
                    pl.lit("; denominator: "),
                    "count_source_den",
                ),
            )
        )
    ids = indicators.select("indicator_id", "lait_code")
    matched = (
        observations.with_row_index("_row")
        .filter(pl.col("value").is_not_null())
        .drop("numerator", "denominator")
        .join(ids, on="indicator_id")
        .join(pl.concat(candidates), on=["lait_code", "area_code", "year"])
        .filter(pl.col("denominator") > 0)
        .with_columns(
            recomputed=pl.col("numerator") / pl.col("denominator") * pl.col("multiplier"),
            # Precision as published: LAIT stores "71.900000000000006", so round first.
            tolerance=0.5 * pl.lit(10.0).pow(-published_decimals(pl.col("value"))) + 1e-9,
        )
        .with_columns(agrees=(pl.col("recomputed") - pl.col("value")).abs() <= pl.col("tolerance"))
    )
    report = (
        matched.group_by("lait_code", "count_source")
        .agg(agree=pl.col("agrees").sum(), disagree=(~pl.col("agrees")).sum())
        .sort("lait_code", "count_source")
    )
    best = (
        matched.filter("agrees")
        .sort("priority")
        .unique("_row", keep="first")
        .select("_row", "numerator", "denominator", "count_source")
    )
    out = (
        observations.with_row_index("_row")
        .drop("numerator", "denominator")
        .join(best, on="_row", how="left")
        .with_columns(
            source=pl.when(pl.col("count_source").is_not_null())
            .then(pl.concat_str("source", pl.lit("; "), "count_source"))
            .otherwise("source")
        )
        .select(observations.columns)
    )
    return out, report
