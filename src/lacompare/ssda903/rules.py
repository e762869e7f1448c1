"""DfE's validation rules that change the indicators, over every child at once.

Errors stop the figures (the count would be wrong, not merely uncertain); warnings are
counted as the definitions say and reach the figures' notes. Each problem names its file, row,
column, value and rule. The DfE rule numbers (csc-validator-be-903) are given where one exists.
"""

from __future__ import annotations

import polars as pl

from lacompare._expr import fmt
from lacompare.ssda903.care import CollectionYear, age_at
from lacompare.ssda903.layout import CONTINUES
from lacompare.ssda903.parse import flag, problems_frame
from lacompare.ssda903.read import ROW

KEYED_ONCE = ("header", "uasc", "oc2", "oc3")


def check_rules(
    tables: dict[str, pl.DataFrame], files: dict[str, str], year: CollectionYear
) -> pl.DataFrame:
    """Every cross-row problem: episodes that overlap or run backwards, X1 chains that break,
    reasons missing, a child twice in a one-row-per-child table, a child absent from the
    header, dates of birth that disagree."""
    found = [_episode_rules(tables["episodes"], files["episodes"], year)]
    for name in KEYED_ONCE:
        if name in tables:
            found.append(
                flag(
                    tables[name],
                    pl.col("CHILD").is_not_null() & pl.col("CHILD").is_duplicated(),
                    table=name,
                    file=files[name],
                    column="CHILD",
                    rule=f"appears once in the {name} table (DfE: one row per child)",
                    severity="error",
                )
            )
    if "header" in tables:
        found.append(_births(tables, files))
    return problems_frame(found)


def _episode_rules(episodes: pl.DataFrame, file: str, year: CollectionYear) -> pl.DataFrame:
    # Sorted by child, each row sees its neighbours by a plain shift, kept to the same child.
    before = pl.col("CHILD") == pl.col("CHILD").shift(1)
    after = pl.col("CHILD") == pl.col("CHILD").shift(-1)
    frame = episodes.sort("CHILD", "DECOM", ROW).with_columns(
        _next_decom=pl.when(after).then(pl.col("DECOM").shift(-1)),
        _prev_dec=pl.when(before).then(pl.col("DEC").shift(1)),
        _prev_open=(before & pl.col("DEC").shift(1).is_null()).fill_null(False),
        _prev_row=pl.when(before).then(pl.col(ROW).shift(1)),
    )
    rules: list[tuple[str, str | pl.Expr, pl.Expr, str]] = [
        (
            "DEC",
            "is on or after DECOM (an episode cannot end before it starts; DfE rule 103)",
            pl.col("DEC") < pl.col("DECOM"),
            "error",
        ),
        (
            "REC",
            "is given when DEC is (the reason an episode ended decides whether the child "
            "ceased to be looked after)",
            pl.col("DEC").is_not_null() & pl.col("REC").is_null(),
            "error",
        ),
        (
            "DECOM",
            fmt(
                "is on or after the end of the child's episode before it (row {}, ending {}): "
                "episodes must not overlap (DfE rule 502)",
                "_prev_row",
                pl.col("_prev_dec").dt.strftime("%d/%m/%Y"),
            ),
            pl.col("_prev_dec").is_not_null() & (pl.col("DECOM") < pl.col("_prev_dec")),
            "error",
        ),
        (
            "DECOM",
            fmt(
                "follows an episode that has not ended (row {} has no DEC, so this child would "
                "be in two episodes at once; DfE rule 502)",
                "_prev_row",
            ),
            pl.col("_prev_open"),
            "error",
        ),
        (
            "REC",
            fmt(
                "X1 (a new episode begins the same day) is followed by an episode beginning "
                "on DEC ({}); the child's next episode {}",
                pl.col("DEC").dt.strftime("%d/%m/%Y"),
                pl.when(pl.col("_next_decom").is_null())
                .then(pl.lit("is missing"))
                .otherwise(fmt("begins {}", pl.col("_next_decom").dt.strftime("%d/%m/%Y"))),
            ),
            (pl.col("REC") == CONTINUES)
            & pl.col("DEC").is_not_null()
            & (pl.col("DEC") <= year.end)
            & (pl.col("_next_decom").is_null() | (pl.col("_next_decom") != pl.col("DEC"))),
            "error",
        ),
        (
            "REC",
            "is blank while the episode is open (a reason without DEC is ignored)",
            pl.col("DEC").is_null() & pl.col("REC").is_not_null(),
            "warning",
        ),
    ]
    found = [
        flag(
            frame, failing, table="episodes", file=file, column=column, rule=rule, severity=severity
        )
        for column, rule, failing, severity in rules
    ]
    return problems_frame(found)


def _births(tables: dict[str, pl.DataFrame], files: dict[str, str]) -> pl.DataFrame:
    """Episodes before birth, children without a header row, and dates of birth that other
    tables give differently (the header's is used)."""
    header = tables["header"].select("CHILD", _dob="DOB").unique("CHILD", keep="first")
    episodes = tables["episodes"].join(header, on="CHILD", how="left")
    found = [
        flag(
            episodes,
            pl.col("DECOM") < pl.col("_dob"),
            table="episodes",
            file=files["episodes"],
            column="DECOM",
            rule=fmt(
                "is on or after the child's date of birth ({} in the header)",
                pl.col("_dob").dt.strftime("%d/%m/%Y"),
            ),
            severity="error",
        ),
        flag(
            episodes,
            pl.col("_dob").is_null(),
            table="episodes",
            file=files["episodes"],
            column="CHILD",
            rule="has a row with a date of birth in the header table (ages cannot be worked "
            "out without it)",
            severity="warning",
        ),
    ]
    for name in ("oc2", "oc3", "uasc", "missing"):
        if name in tables:
            joined = tables[name].join(header, on="CHILD", how="inner")
            found.append(
                flag(
                    joined,
                    pl.col("DOB").is_not_null() & (pl.col("DOB") != pl.col("_dob")),
                    table=name,
                    file=files[name],
                    column="DOB",
                    rule=fmt(
                        "agrees with the header's date of birth ({}; the header's is used)",
                        pl.col("_dob").dt.strftime("%d/%m/%Y"),
                    ),
                    severity="warning",
                )
            )
    return problems_frame(found)


def aged_out(
    at_end: pl.DataFrame, dob: pl.DataFrame, year: CollectionYear, file: str
) -> pl.DataFrame:
    """A child still looked after at 31 March on or after their 18th birthday: DfE would not
    accept the return; counted as the episodes say, and reported."""
    frame = at_end.join(dob, on="CHILD").filter(age_at(pl.col("DOB"), year.end) >= 18)
    return frame.select(
        table=pl.lit("episodes"),
        file=pl.lit(file),
        row=pl.col(ROW),
        column=pl.lit("DEC"),
        value=pl.lit(""),
        rule=fmt(
            "is given by the 18th birthday (born {}, still looked after on {}); counted as "
            "looked after",
            pl.col("DOB").dt.strftime("%d/%m/%Y"),
            pl.lit(year.end.strftime("%d/%m/%Y")),
        ),
        severity=pl.lit("warning"),
    )
