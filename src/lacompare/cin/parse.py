"""Typing a CIN census return's tables and checking them: dates are ISO ``YYYY-MM-DD``,
codes are on DfE's lists, and the rules that change the figures hold (closure after referral,
plan end after start, one ICPC record per conference, each child once, episodes that do not
overlap, no date after the census date). Every problem names the child (LAchildID), the
element, the value and the rule; an error stops the figures, a warning reaches their notes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from lacompare.cin.layout import (
    BOOLEAN_TEXT,
    CATEGORIES_OF_ABUSE,
    DATES,
    PRIMARY_NEED,
    REASONS_FOR_CLOSURE,
    REFERRAL_SOURCES,
    TRUE_TEXT,
)
from lacompare.errors import CONTROL_PATTERN

#: One row per problem.
PROBLEM_COLUMNS = {
    "child": pl.String,
    "table": pl.String,
    "element": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "severity": pl.String,
}
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"

#: (table, column, element, allowed codes, rule) for every coded value the figures read.
CODES = (
    ("episodes", "reason", "ReasonForClosure", REASONS_FOR_CLOSURE, "is RC1 to RC9"),
    ("episodes", "need", "PrimaryNeedCode", PRIMARY_NEED, "is N0 to N9"),
    ("episodes", "source", "ReferralSource", REFERRAL_SOURCES, "is a DfE referral source code"),
    (
        "plans",
        "initial_category",
        "InitialCategoryOfAbuse",
        CATEGORIES_OF_ABUSE,
        "is NEG, PHY, SAB, EMO or MUL",
    ),
    (
        "plans",
        "latest_category",
        "LatestCategoryOfAbuse",
        CATEGORIES_OF_ABUSE,
        "is NEG, PHY, SAB, EMO or MUL",
    ),
)
BOOLEANS = (
    ("episodes", "nfa", "ReferralNFA"),
    ("s47s", "icpc_not_required", "ICPCnotRequired"),
)


def problems_frame(parts: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(
        [pl.DataFrame(schema=PROBLEM_COLUMNS), *(p.select(list(PROBLEM_COLUMNS)) for p in parts)],
        how="vertical_relaxed",
    )


def _problem(
    frame: pl.DataFrame, table: str, element: str, value: pl.Expr, rule: str, severity: str
) -> pl.DataFrame:
    return frame.select(
        child=pl.col("child"),
        table=pl.lit(table),
        element=pl.lit(element),
        value=value.cast(pl.String),
        rule=pl.lit(rule),
        severity=pl.lit(severity),
    )


def typed_tables(
    tables: dict[str, pl.DataFrame],
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """The tables with dates as dates, booleans as booleans and numbers as numbers; and a
    problem for every value that cannot be read (an impossible date, a code not on DfE's
    list). An unreadable value becomes null (and its error stops the figures)."""
    found = []
    typed = {}
    for name, frame in tables.items():
        out = frame.with_columns(
            pl.col(c).cast(pl.Int32) for c in ("episode", "plan") if c in frame.columns
        )
        for column, element in DATES.get(name, {}).items():
            text = pl.col(column)
            parsed = text.str.to_date("%Y-%m-%d", strict=False)
            bad = text.is_not_null() & (~text.str.contains(ISO_DATE) | parsed.is_null())
            found.append(
                _problem(
                    out.filter(bad), name, element, text, "is a date written YYYY-MM-DD", "error"
                )
            )
            out = out.with_columns(pl.when(~bad).then(parsed).alias(column))
        typed[name] = out
    for name, column, element, allowed, rule in CODES:
        frame = typed[name]
        bad = pl.col(column).is_not_null() & ~pl.col(column).is_in(sorted(allowed))
        found.append(_problem(frame.filter(bad), name, element, pl.col(column), rule, "error"))
    for name, column, element in BOOLEANS:
        frame = typed[name]
        text = pl.col(column).str.to_lowercase()
        bad = text.is_not_null() & ~text.is_in(sorted(BOOLEAN_TEXT))
        found.append(
            _problem(
                frame.filter(bad),
                name,
                element,
                pl.col(column),
                "is true or false (1 or 0)",
                "error",
            )
        )
        # PROPOSED: an absent flag is false (a referral is NFA only when the return says so).
        typed[name] = frame.with_columns(
            text.is_in(sorted(TRUE_TEXT)).fill_null(False).alias(column)
        )
    plans = typed["plans"]
    number = pl.col("previous_plans").cast(pl.Int32, strict=False)
    bad = pl.col("previous_plans").is_not_null() & (number.is_null() | (number < 0))
    found.append(
        _problem(
            plans.filter(bad),
            "plans",
            "NumberOfPreviousCPP",
            pl.col("previous_plans"),
            "is a whole number, 0 or more",
            "error",
        )
    )
    typed["plans"] = plans.with_columns(previous_plans=pl.when(~bad).then(number))
    return typed, problems_frame(found)


Rows = Callable[[dict[str, pl.DataFrame]], pl.DataFrame]

#: The rules that change the figures: (table, which rows break it (a function of the typed
#: tables), element, the value shown, the rule, severity). A rule table.
RULES: tuple[tuple[str, Rows, str, pl.Expr, str, str], ...] = (
    ("children", lambda t: t["children"].filter(pl.col("child").is_null()),
     "LAchildID", pl.lit(None), "is given for every child", "error"),
    # An ID reaches the figures' notes and the paper: no character that reorders text.
    ("children", lambda t: t["children"].filter(pl.col("child").str.contains(CONTROL_PATTERN)),
     "LAchildID", pl.col("child").str.replace_all(CONTROL_PATTERN, "?"),
     "has no control or bidirectional-override characters", "error"),
    ("children", lambda t: t["children"].filter(pl.col("child").is_duplicated(),
                                                pl.col("child").is_not_null()),
     "LAchildID", pl.col("child"), "appears once in the return (a child is one Child element)",
     "error"),
    ("episodes", lambda t: t["episodes"].filter(pl.col("referral").is_null()),
     "CINreferralDate", pl.lit(None), "is given for every CINdetails", "error"),
    ("episodes", lambda t: t["episodes"].filter(pl.col("closure") < pl.col("referral")),
     "CINclosureDate", pl.col("closure"), "is on or after CINreferralDate", "error"),
    ("episodes", lambda t: t["episodes"].filter(pl.col("closure").is_not_null(),
                                                pl.col("reason").is_null()),
     "ReasonForClosure", pl.lit(None), "is given when CINclosureDate is (the episode counts "
     "as closed, not as assessed not in need)", "warning"),
    ("plans", lambda t: t["plans"].filter(pl.col("start").is_null()),
     "CPPstartDate", pl.lit(None), "is given for every child protection plan", "error"),
    ("plans", lambda t: t["plans"].filter(pl.col("end") < pl.col("start")),
     "CPPendDate", pl.col("end"), "is on or after CPPstartDate", "error"),
    ("plans", lambda t: t["plans"].filter(pl.col("previous_plans").is_null(),
                                          pl.col("start").is_not_null()),
     "NumberOfPreviousCPP", pl.lit(None), "is given on every plan (absent: an earlier plan in "
     "the return, or the previous return, is looked for instead; PROPOSED)", "warning"),
    ("reviews", lambda t: _reviews_before_start(t["plans"], t["reviews"]),
     "CPPreviewDate", pl.col("review"), "is on or after the plan's CPPstartDate (a review "
     "before it is left out of the review timeliness)", "warning"),
    ("episodes", lambda t: _icpc_twice(t["episodes"], t["s47s"]),
     "DateOfInitialCPC", pl.col("icpc"),
     "is recorded in Section47 or at CINdetails level (a transfer-in), not both", "error"),
    ("episodes", lambda t: _overlapping(t["episodes"]),
     "CINreferralDate", pl.col("referral"),
     "begins after the child's previous episode closed (episodes do not overlap)", "error"),
    ("assessments", lambda t: t["assessments"].filter(pl.col("authorised").is_not_null(),
                                                      pl.col("start").is_null()),
     "AssessmentActualStartDate", pl.lit(None), "is given for an authorised assessment "
     "(without it the assessment is left out of the timeliness figure)", "warning"),
    ("s47s", lambda t: t["s47s"].filter(pl.col("icpc") < pl.col("start")),
     "DateOfInitialCPC", pl.col("icpc"), "is on or after S47ActualStartDate (an ICPC before "
     "it is counted, but left out of the timeliness figures)", "warning"),
)  # fmt: skip


def check_rules(tables: dict[str, pl.DataFrame], census: date) -> pl.DataFrame:
    """The validation rules that change the figures (:data:`RULES`), and no date after the
    census date, on the typed tables."""
    found = [
        _problem(rows(tables), table, element, value, rule, severity)
        for table, rows, element, value, rule, severity in RULES
    ]
    return problems_frame([*found, *_after_census(tables, census)])


def _reviews_before_start(plans: pl.DataFrame, reviews: pl.DataFrame) -> pl.DataFrame:
    return reviews.join(
        plans.select("child", "episode", "plan", "start"), on=["child", "episode", "plan"]
    ).filter(pl.col("review") < pl.col("start"))


def _icpc_twice(episodes: pl.DataFrame, s47s: pl.DataFrame) -> pl.DataFrame:
    with_s47_icpc = s47s.filter(pl.col("icpc").is_not_null()).select("child", "episode").unique()
    return episodes.filter(pl.col("icpc").is_not_null()).join(
        with_s47_icpc, on=["child", "episode"], how="semi"
    )


def _overlapping(episodes: pl.DataFrame) -> pl.DataFrame:
    """Episodes (not NFA: an NFA referral may stay open) that begin before the child's
    previous episode closed, or while it is still open."""
    need = episodes.filter(~pl.col("nfa"), pl.col("referral").is_not_null()).sort(
        "child", "referral", "episode"
    )
    previous_end = pl.col("closure").shift(1).over("child")
    has_previous = pl.col("referral").shift(1).over("child").is_not_null()
    return need.filter(
        has_previous & (previous_end.is_null() | (pl.col("referral") < previous_end))
    )


def _after_census(tables: dict[str, pl.DataFrame], census: date) -> list[pl.DataFrame]:
    """Any date after the census date (an unborn child's expected birth date aside)."""
    found = []
    for name, columns in DATES.items():
        for column, element in columns.items():
            if column == "expected_birth" or column == "icpc_target":
                continue
            frame = tables[name]
            found.append(
                _problem(
                    frame.filter(pl.col(column) > census),
                    name,
                    element,
                    pl.col(column),
                    f"is on or before the census date ({census:%Y-%m-%d})",
                    "error",
                )
            )
    return found
