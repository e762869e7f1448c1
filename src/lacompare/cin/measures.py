"""Every CIN and child protection indicator from the typed tables of a return, as DfE
defines them (``../shared/reference/cin_census.md`` v1; ``docs/cin_census.md``).

Each measure is a numerator and (for a percentage or rate) a denominator, counted over all
children at once with polars; rates are per 10,000 children aged 0-17. The ``PROPOSED``
rules, where DfE's guide could not be confirmed, are named where they are applied.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from lacompare.cin.days import months_after, working_days
from lacompare.cin.layout import ASSESSED_NOT_IN_NEED, SOURCE_GROUPS
from lacompare.own_figures import CollectionYear, counts_frame

PERCENT, PER_10000 = 100, 10_000
#: Ceased plans, and plans open at 31 March, lasting "more than 729 calendar days including
#: days of cessation" (DfE): end - start >= 729 days.
TWO_YEARS_DAYS = 729
ASSESSMENT_DAYS, ICPC_DAYS = 45, 15
#: Duration bands in months, counted forward from the earlier date (month-end clamped).
BANDS = (("3months", None, 3), ("3_6", 3, 6), ("6_1", 6, 12), ("1_2", 12, 24), ("2more", 24, None))
ICPC_BANDS = (
    ("10_icpc", None, 10),
    ("15_icpc", 11, 15),
    ("20_icpc", 16, 20),
    ("21_icpc", 21, None),
)


def _row(
    indicator_id: str, numerator: int, denominator: int | None, multiplier: int | None
) -> dict:
    return {
        "indicator_id": indicator_id,
        "numerator": numerator,
        "denominator": denominator,
        "multiplier": multiplier,
    }


def counts(
    tables: dict[str, pl.DataFrame],
    previous: dict[str, pl.DataFrame] | None,
    year: CollectionYear,
    population: int,
    holidays: list[date],
) -> pl.DataFrame:
    """(indicator_id, numerator, denominator, multiplier) for every indicator: a count has
    no denominator; a rate's denominator is ``population``."""
    rows = [
        *_referrals(tables, previous, year, population),
        *_assessments_and_s47s(tables, year, population, holidays),
        *_children_in_need(tables, year, population),
        *_plans(tables, previous, year, population),
        *_reviews(tables, year),
    ]
    return counts_frame(rows)


def _referrals(
    tables: dict[str, pl.DataFrame],
    previous: dict[str, pl.DataFrame] | None,
    year: CollectionYear,
    population: int,
) -> list[dict]:
    episodes = tables["episodes"]
    referrals = episodes.filter(year.holds(pl.col("referral")))
    n = referrals.height
    # Re-referral: another referral of the same child dated on or after 12 months before,
    # and before, this one (PROPOSED: exactly 12 months earlier is within), from this
    # return or the previous year's, matched on LAchildID (PROPOSED).
    earlier = [episodes.select("child", earlier="referral")]
    if previous is not None:
        earlier.append(previous["episodes"].select("child", earlier="referral"))
    others = pl.concat(earlier).drop_nulls().unique()
    rereferred = (
        referrals.join(others, on="child")
        .filter(
            pl.col("earlier") < pl.col("referral"),
            pl.col("earlier") >= months_after(pl.col("referral"), -12),
        )
        .select("child", "episode")
        .unique()
        .height
    )
    nfa = referrals.filter(pl.col("nfa")).height
    # PROPOSED: a referral assessed as not in need counts in the year its episode closed.
    not_in_need = referrals.filter(
        ~pl.col("nfa"),
        year.holds(pl.col("closure")),
        pl.col("reason").is_in(ASSESSED_NOT_IN_NEED),
    ).height
    rows = [
        _row("cpp_total_numref", n, None, None),
        _row("cpp_total_rateper10_000", n, population, PER_10000),
        _row("rereferral", rereferred, n, PERCENT),
        _row("cin_refferals_nfa", nfa, n, PERCENT),
        _row("referrals_assessednotneed", not_in_need, n, PERCENT),
    ]
    for indicator_id, codes in SOURCE_GROUPS.items():
        by_source = referrals.filter(pl.col("source").is_in(codes)).height
        rows.append(_row(indicator_id, by_source, n, PERCENT))
    return rows


def _assessments_and_s47s(
    tables: dict[str, pl.DataFrame], year: CollectionYear, population: int, holidays: list[date]
) -> list[dict]:
    assessed = tables["assessments"].filter(
        year.holds(pl.col("authorised")), pl.col("start").is_not_null()
    )
    in_time = assessed.filter(
        working_days(pl.col("start"), pl.col("authorised"), holidays) <= ASSESSMENT_DAYS
    ).height
    s47s, episodes = tables["s47s"], tables["episodes"]
    enquiries = s47s.filter(year.holds(pl.col("start"))).height
    # Every ICPC in the year: at the s47, or (a transfer-in) on the episode; one per child
    # and date.
    conferences = (
        pl.concat([s47s.select("child", "icpc"), episodes.select("child", "icpc")])
        .filter(year.holds(pl.col("icpc")))
        .unique()
        .height
    )
    # Timeliness: s47s with an ICPC in the year and a start on or before it; working days
    # from the s47 start (the census has no strategy-discussion date).
    timed = s47s.filter(
        year.holds(pl.col("icpc")), pl.col("start").is_not_null(), pl.col("start") <= pl.col("icpc")
    ).with_columns(days=working_days(pl.col("start"), pl.col("icpc"), holidays))
    rows = [
        _row("continue_assess_comp", in_time, assessed.height, PERCENT),
        _row("section_47", enquiries, population, PER_10000),
        _row("iscp_conf", conferences, population, PER_10000),
        _row("cp_conf_15days", timed.filter(pl.col("days") <= ICPC_DAYS).height, timed.height,
             PERCENT),
    ]  # fmt: skip
    for indicator_id, low, high in ICPC_BANDS:
        band = pl.lit(True)
        if low is not None:
            band &= pl.col("days") >= low
        if high is not None:
            band &= pl.col("days") <= high
        rows.append(_row(indicator_id, timed.filter(band).height, None, None))
    return rows


def _band(earlier: pl.Expr, later: pl.Expr, low: int | None, high: int | None) -> pl.Expr:
    """``later`` falls in [earlier + low months, earlier + high months)."""
    band = pl.lit(True)
    if low is not None:
        band &= later >= months_after(earlier, low)
    if high is not None:
        band &= later < months_after(earlier, high)
    return band


def _children_in_need(
    tables: dict[str, pl.DataFrame], year: CollectionYear, population: int
) -> list[dict]:
    episodes = tables["episodes"].filter(~pl.col("nfa"))  # NFA referrals are not in need
    # PROPOSED: an episode closed ON 31 March is not open at 31 March.
    open_at_end = (
        episodes.filter(
            pl.col("referral") <= year.end,
            pl.col("closure").is_null() | (pl.col("closure") > year.end),
        )
        .group_by("child")
        .agg(referral=pl.col("referral").min())
    )
    in_need = open_at_end.height
    # PROPOSED: closures after assessment (RC8, RC9) are outside the CIN population measures.
    ceased = episodes.filter(
        year.holds(pl.col("closure")),
        ~pl.col("reason").is_in(ASSESSED_NOT_IN_NEED).fill_null(False),
    )
    end = pl.lit(year.end)
    rows = [_row("cin", in_need, population, PER_10000)]
    for suffix, low, high in BANDS:
        count = open_at_end.filter(_band(pl.col("referral"), end, low, high)).height
        rows.append(_row(f"cintime{suffix}", count, in_need, PERCENT))
    for suffix, low, high in BANDS:
        count = ceased.filter(_band(pl.col("referral"), pl.col("closure"), low, high)).height
        rows.append(_row(f"cincease{suffix}", count, ceased.height, PERCENT))
    return rows


def _open_plans(plans: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """Plans open at 31 March (PROPOSED: a plan ending ON 31 March is not)."""
    return plans.filter(
        pl.col("start") <= year.end, pl.col("end").is_null() | (pl.col("end") > year.end)
    )


def _plans(
    tables: dict[str, pl.DataFrame],
    previous: dict[str, pl.DataFrame] | None,
    year: CollectionYear,
    population: int,
) -> list[dict]:
    plans = tables["plans"]
    open_plans = _open_plans(plans, year)
    on_plan = open_plans.select("child").unique().height
    long_open = (
        open_plans.filter((pl.lit(year.end) - pl.col("start")).dt.total_days() >= TWO_YEARS_DAYS)
        .select("child")
        .unique()
        .height
    )
    started = plans.filter(year.holds(pl.col("start")))
    # A second or later plan: NumberOfPreviousCPP >= 1; where it is absent (PROPOSED), an
    # earlier plan for the same child in this return or the previous one.
    earlier = [plans.select("child", earlier="start")]
    if previous is not None:
        earlier.append(previous["plans"].select("child", earlier="start"))
    had_earlier = (
        started.filter(pl.col("previous_plans").is_null())
        .join(pl.concat(earlier).drop_nulls().unique(), on="child")
        .filter(pl.col("earlier") < pl.col("start"))
        .select("child", "episode", "plan")
        .unique()
        .height
    )
    repeat = started.filter(pl.col("previous_plans") >= 1).height + had_earlier
    ended = plans.filter(year.holds(pl.col("end")))
    lasted = ended.filter(
        (pl.col("end") - pl.col("start")).dt.total_days() >= TWO_YEARS_DAYS
    ).height
    return [
        _row("cpp_num", on_plan, None, None),
        _row("cpp_rate", on_plan, population, PER_10000),
        _row("cpp_abuse", started.height, None, None),
        _row("cpp_abuse_rate", started.height, population, PER_10000),
        _row("reregcpr", repeat, None, None),
        _row("prevregcpr", repeat, started.height, PERCENT),
        _row("cpplans2yrs", lasted, ended.height, PERCENT),
        _row("cprduration", lasted, None, None),
        # PROPOSED: the at-31-March cohort, by the same 729-day rule.
        _row("cpplans2yrsactive", long_open, on_plan, PERCENT),
        _row("deregcpr", ended.height, population, PER_10000),
    ]


def _reviews(tables: dict[str, pl.DataFrame], year: CollectionYear) -> list[dict]:
    """Children on a plan at 31 March that began at least 3 months before (on or before 31
    December), and of them those whose plan met every review deadline up to 31 March: the
    first review within 3 months of the start, each later one within 6 months of the one
    before, and no deadline on or before 31 March passed without one (PROPOSED: the chain and
    the overdue rule; a review on its deadline is on time)."""
    key = ["child", "episode", "plan"]
    cohort = _open_plans(tables["plans"], year).filter(
        pl.col("start") <= months_after(pl.lit(year.end), -3)
    )
    reviews = (
        tables["reviews"]
        .drop_nulls("review")
        .join(cohort.select(*key, "start"), on=key)
        # A review before its plan began (warned) is not one of its reviews.
        .filter(pl.col("review") <= year.end, pl.col("review") >= pl.col("start"))
        .sort(*key, "review")
    )
    # Each review against its deadline: 3 months after the start for the first, 6 months
    # after the one before for the others.
    previous = pl.col("review").shift(1).over(key)
    checked = reviews.with_columns(
        late=pl.col("review")
        > pl.when(previous.is_null())
        .then(months_after(pl.col("start"), 3))
        .otherwise(months_after(previous, 6))
    )
    per_plan = (
        cohort.select(*key, "start")
        .join(
            checked.group_by(key).agg(late=pl.col("late").any(), last=pl.col("review").max()),
            on=key,
            how="left",
        )
        .with_columns(
            next_due=pl.when(pl.col("last").is_null())
            .then(months_after(pl.col("start"), 3))
            .otherwise(months_after(pl.col("last"), 6))
        )
        .with_columns(
            on_time=~pl.col("late").fill_null(False) & (pl.col("next_due") > pl.lit(year.end))
        )
    )
    children = per_plan.group_by("child").agg(pl.col("on_time").all())
    reviewed = children.filter("on_time").height
    return [
        _row("cpp_31march_3mnthormore", children.height, None, None),
        _row("cpp_reviewed_inreqtimescl", reviewed, None, None),
        _row("revcp", reviewed, children.height, PERCENT),
    ]
