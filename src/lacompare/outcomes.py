"""The one classification of a comparison row that every count a paper states comes from:
the summary and Table 1, the key messages, section openers, the spine chart's markers and its
alt text. Said once here so no two parts of a paper can count differently.
"""

from __future__ import annotations

import polars as pl

#: The summary's columns, each a count of rows; they add up (see :func:`summary`).
SUMMARY_COUNTS = (
    "no_figure",
    "small_number",
    "old_figure",
    "not_tested",
    "better",
    "similar",
    "worse",
    "higher_or_lower",
)


TESTED_OUTCOMES = ["better", "similar", "worse", "higher_or_lower"]


def outcome() -> pl.Expr:
    """Where each row lands in the summary: no figure, small number, an older figure (the
    LA's latest is older than other authorities': listed apart, never counted better or worse
    in a later year's summary), not tested, or its verdict against England (higher or lower
    where the indicator has no polarity)."""
    verdict = pl.col("vs_england")
    return (
        pl.when(pl.col("la_value").is_null())
        .then(pl.lit("no_figure"))
        .when(pl.col("small_number"))
        .then(pl.lit("small_number"))
        .when(pl.col("is_old").fill_null(False))
        .then(pl.lit("old_figure"))
        .when(verdict == "not compared")
        .then(pl.lit("not_tested"))
        .when(verdict.is_in(["higher", "lower"]))
        .then(pl.lit("higher_or_lower"))
        .otherwise(verdict)
    )
