"""Display formatting: DfE's half-up rounding and units, as polars expressions.

Rounding for display is half away from zero, as DfE publishes (``dfeR::round_five_up``):
2.5 -> 3, 0.125 -> 0.13, 12.25 -> 12.3, -2.5 -> -3, 2.675 -> 2.68. Python's ``round`` and
great_tables' ``fmt_number`` round half to even on the binary float (12.25 -> 12.2), so every
number lacompare displays is formatted here, never by them. Values are only rounded for display:
all computation uses the unrounded figures.
"""

from __future__ import annotations

import math

import polars as pl

#: dfeR's nudge: ``sqrt(.Machine$double.eps)``, so a binary value a hair below the half (2.675
#: is stored as 2.67499999...) still rounds up as its decimal spelling says it should.
_NUDGE = math.sqrt(2.220446049250313e-16)

#: A percentage's change, and a gap between percentages, in points: "+1.2 points" (never
#: "pp", which a committee member may not know).
POINTS = " points"
POINT = " point"

UNIT_SUFFIX = {
    "percent": "%",
    "percent_ratio": "%",
    "percentage_points": POINTS,
}


def round_half_up(value: pl.Expr, decimals: int | pl.Expr) -> pl.Expr:
    """Round half away from zero to ``decimals`` places, as ``dfeR::round_five_up``:
    ``trunc(|x|·10^d + 0.5 + sqrt(eps)) / 10^d · sign(x)``."""
    # The magnitude is written once: every copy of an expression is planned again, and the
    # text of a figure is built from this on every page of a paper.
    sign = pl.when(value < 0).then(pl.lit(-1.0)).otherwise(pl.lit(1.0))
    return sign * _rounded_magnitude(value, decimals)


def _rounded_magnitude(value: pl.Expr, decimals: int | pl.Expr) -> pl.Expr:
    scale = pl.lit(10.0).pow(decimals)
    return (value.abs() * scale + 0.5 + _NUDGE).floor() / scale


def format_number(value: pl.Expr, decimals: int | pl.Expr) -> pl.Expr:
    """Text of ``value`` rounded half-up to ``decimals`` places with thousands separators
    ("2,342", "53.7", "-0.40"); null stays null."""
    places = decimals if isinstance(decimals, pl.Expr) else pl.lit(decimals)
    # |round_half_up(value)| is the rounded magnitude itself: one copy of the value, not four.
    scaled = (_rounded_magnitude(value, places) * pl.lit(10.0).pow(places)).round(0)
    scaled = scaled.cast(pl.Int64)
    power = pl.lit(10).pow(places).cast(pl.Int64)
    grouped = _thousands(scaled // power)
    fraction = (scaled % power).cast(pl.String)
    text = (
        pl.when(places > 0)
        .then(pl.concat_str(grouped, pl.lit("."), fraction.str.zfill(places.cast(pl.Int64))))
        .otherwise(grouped)
    )
    # "-" where the rounded figure is below zero: a negative value that does not round to 0.
    sign = pl.when((value < 0) & (scaled > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(sign, text)  # null where the value is null (concat_str keeps nulls)


def format_value(value: pl.Expr, unit: pl.Expr, decimals: int | pl.Expr) -> pl.Expr:
    """:func:`format_number` plus the unit's suffix ("23.1%", "4.2 points"); rates and counts
    carry no suffix (the column header or row label says "per 10,000")."""
    return pl.concat_str(
        format_number(value, decimals), unit.replace_strict(UNIT_SUFFIX, default="")
    )


def format_change(value: pl.Expr, unit: pl.Expr, decimals: int | pl.Expr) -> pl.Expr:
    """A signed change: "+0.6", "-3.0", "0.0"; percentages change in points ("+1.2 points")."""
    magnitude = _rounded_magnitude(value, decimals)  # the rounded change's size
    points = pl.when(magnitude == 1).then(pl.lit(POINT)).otherwise(pl.lit(POINTS))
    suffix = pl.when(unit.is_in(["percent", "percent_ratio"])).then(points).otherwise(pl.lit(""))
    plus = pl.when((value > 0) & (magnitude > 0)).then(pl.lit("+")).otherwise(pl.lit(""))
    return pl.concat_str(plus, format_number(value, decimals), suffix)


def unit_label(unit: pl.Expr) -> pl.Expr:
    """Short words for a unit, for row labels ("per 10,000 children")."""
    return unit.replace_strict(
        {
            "percent": "%",
            "percent_ratio": "%",
            "percentage_points": "percentage points",
            "rate_per_1000": "per 1,000",
            "rate_per_10000": "per 10,000",
            "rate_per_100000": "per 100,000",
            "count": "number",
            "fte": "FTE",
            "currency": "£",
            "score": "score",
        },
        default="",
    )


def _thousands(whole: pl.Expr) -> pl.Expr:
    """Digits of a non-negative integer grouped in threes with commas."""
    digits = whole.cast(pl.String)
    reversed_groups = digits.str.reverse().str.extract_all(r"\d{1,3}")
    return reversed_groups.list.join(",").str.reverse()


def format_gap(gap: pl.Expr) -> pl.Expr:
    """A gap in children as a board says it, rounded honestly: under 10 as it is ("7 more"),
    to the nearest 5 up to 100 and the nearest 10 beyond, said as "about" ("about 20 more",
    "about 130 fewer"); "no more and no fewer" where it rounds to none; null where unknown."""
    size = gap.abs()
    step = pl.when(size < 9.5).then(1.0).when(size < 97.5).then(5.0).otherwise(10.0)
    shown = (_rounded_magnitude(size / step, 0) * step).cast(pl.Int64)  # size >= 0: no sign
    words = pl.when(gap > 0).then(pl.lit(" more")).otherwise(pl.lit(" fewer"))
    about = pl.when(step > 1).then(pl.lit("about ")).otherwise(pl.lit(""))
    return (
        pl.when(gap.is_null())
        .then(None)
        .when(shown == 0)
        .then(pl.lit("no more and no fewer"))
        .otherwise(pl.concat_str(about, _thousands(shown), words))
    )
