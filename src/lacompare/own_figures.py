"""An LA's own figures for one collection year, as the readers of its returns
(:mod:`lacompare.ssda903`, :mod:`lacompare.cin`) produce them: the collection year, the counts
each measure comes to, and the validated frame :meth:`lacompare.ReferenceData.with_local`
reads as it is.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import pandera.polars as pa
import polars as pl


class CollectionYear(NamedTuple):
    """The collection year ending 31 March ``year`` (2026: 1 April 2025 to 31 March 2026)."""

    year: int

    @property
    def start(self) -> date:
        return date(self.year - 1, 4, 1)

    @property
    def end(self) -> date:
        return date(self.year, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.year - 1}-{str(self.year)[2:]}"

    def holds(self, day: pl.Expr) -> pl.Expr:
        """Whether ``day`` falls in the year (both ends included)."""
        return day.is_between(pl.lit(self.start), pl.lit(self.end))

    def months_before_end(self, months: int) -> date:
        """The day after 31 March minus ``months``: the latest start for a child to have been
        looked after for ``months`` months on 31 March (12 -> 1 April of the year before;
        30 -> 1 October two and a half years before; day boundaries PROPOSED)."""
        # 31 March minus N months is the last day of a month; the day after is the first of
        # the next one: month (4 - N) counted from January of the collection year.
        year, month = divmod(self.year * 12 + 3 - months, 12)
        return date(year, month + 1, 1)


#: What each measure comes to: a count has no denominator and no multiplier; a percentage's
#: multiplier is 100, a rate's 10,000 (its denominator the population).
COUNT_SCHEMA = {
    "indicator_id": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "multiplier": pl.Int64,
}


def counts_frame(rows: list) -> pl.DataFrame:  # type: ignore[type-arg]
    """Rows of (indicator_id, numerator, denominator, multiplier), or dicts of them."""
    return pl.DataFrame(rows, schema=COUNT_SCHEMA, orient="row")


def rounded_value(numerator: pl.Expr, denominator: pl.Expr, multiplier: pl.Expr) -> pl.Expr:
    """numerator x multiplier / denominator to one decimal place, half up, in whole-number
    arithmetic (exact: 6.25 -> 6.3, never 6.2 from a binary fraction); a count is itself."""
    tenths = (2 * numerator * multiplier * 10 + denominator) // (2 * denominator)
    return (
        pl.when(denominator.is_null())
        .then(numerator.cast(pl.Float64))
        .otherwise((tenths.cast(pl.Float64) / 10).round(1))
    )


class OwnFiguresSchema(pa.DataFrameModel):
    """What :func:`lacompare.figures_from_903` and :func:`lacompare.figures_from_cin` return:
    an LA's own figures for one collection year, in the shape
    :meth:`lacompare.ReferenceData.with_local` reads."""

    area: str = pa.Field(str_length={"min_value": 1})
    indicator_id: str = pa.Field(unique=True)
    period: str = pa.Field(str_matches=r"^\d{4}$")
    value: pl.Float64 = pa.Field(ge=0)
    #: The count itself for a count; children counted for a percentage or rate; the sum of
    #: scores for a mean.
    numerator: pl.Int64 = pa.Field(ge=0)
    #: Null for a count; the children over whom (or the population) otherwise.
    denominator: pl.Int64 = pa.Field(nullable=True, gt=0)
    status: str = pa.Field(isin=["local"])
    rule_version: str
    source: str
    note: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = False


def own_figures(
    totals: pl.DataFrame,
    *,
    area: str,
    year: CollectionYear,
    rule_version: str,
    source: str,
    note: pl.Expr,
) -> pl.DataFrame:
    """The validated frame (:class:`OwnFiguresSchema`) from ``totals`` (:data:`COUNT_SCHEMA`):
    each figure's value rounded from its counts, marked local, with its rules and note."""
    figures = totals.select(
        area=pl.lit(area),
        indicator_id="indicator_id",
        period=pl.lit(str(year.year)),
        value=rounded_value(pl.col("numerator"), pl.col("denominator"), pl.col("multiplier")),
        numerator="numerator",
        denominator="denominator",
        status=pl.lit("local"),
        rule_version=pl.lit(rule_version),
        source=pl.lit(source),
        note=note,
    )
    return OwnFiguresSchema.validate(figures)
