"""Period labels as DfE and LAIT publish them, and the sort key and status they imply.

Labels seen in LAIT's long table: ``2023``, ``2023/24``, ``2023-24``, ``2014-16`` (three-year
span), ``2021/22-23/24``, with an optional qualifier ``(Rev)``, ``(Final)``, ``(prov)``/``(Prov)``
or ``(OT)`` (finance outturn), and one stray ``0``.

The sort key follows LAIT exactly: ``Years_num = as.numeric(substr(Years, 1, 4))`` (global.R),
so ``2016-17`` sorts as 2016 and the stray ``0`` as 0. LAIT keeps one label per measure and year
and relabels provisional figures in place when they are revised, so the label is the only record
of the status.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import polars as pl

from lacompare._expr import fmt
from lacompare.errors import DataValidationError

#: A label: four-digit start year, optional span, optional qualifier in brackets; or LAIT's "0".
PERIOD_LABEL_PATTERN = (
    r"^(?:0|(?P<year>\d{4})(?P<span>(?:[-/]\d{2,4})*)(?:\s+\((?P<qualifier>[A-Za-z]+)\))?"
    # An LA's own figure at a date ("at 6 Mar 2017"): see lacompare.local.
    r"|at \d{1,2} [A-Z][a-z]{2} \d{4})$"
)

#: Qualifier in a label (lower-cased) -> observation status.
QUALIFIER_STATUS: dict[str, str] = {
    "rev": "revised",
    "final": "final",
    "prov": "provisional",
    "ot": "outturn",
}


def period_year(label: pl.Expr) -> pl.Expr:
    """Int sort key of a period label: its first four characters as a number (LAIT's rule)."""
    return label.str.slice(0, 4).cast(pl.Int32, strict=False)


def period_label_status(label: pl.Expr) -> pl.Expr:
    """Status a label implies for a published value: provisional, revised, final, outturn or
    published (no qualifier). Labels with an unknown qualifier give null (see
    :func:`check_period_labels`)."""
    qualifier = label.str.extract(r"\(([A-Za-z]+)\)\s*$", 1).str.to_lowercase()
    return (
        pl.when(qualifier.is_null())
        .then(pl.lit("published"))
        .otherwise(qualifier.replace_strict(QUALIFIER_STATUS, default=None))
    )


def check_period_labels(frame: pl.DataFrame, column: str, *, source: str) -> None:
    """Raise :class:`DataValidationError` naming every row whose period label does not parse."""
    label = pl.col(column)
    ok = label.str.contains(PERIOD_LABEL_PATTERN) & (
        ~label.str.contains(r"\(") | period_label_status(label).is_not_null()
    )
    bad = frame.with_row_index("row").filter(~ok.fill_null(False))
    if bad.height:
        examples = ", ".join(
            f"row {r} {v!r}" for r, v in bad.select("row", column).head(5).iter_rows()
        )
        raise DataValidationError(
            f"{source}: column {column!r} has {bad.height} period label(s) that do not parse "
            f"(rule: a year such as 2016, 2016-17, 2016/17 or 2014-16, optionally followed by "
            f"(Rev), (Final), (prov) or (OT)): {examples}"
        )


# --------------------------------------------------------------------------------------------
# What a label means: the dates it covers, and how a reader should see it

#: Month and day each kind of period ends on (year ending ...), by ``period_type``.
PERIOD_ENDS: dict[str, tuple[int, int]] = {
    "reporting_year": (3, 31),  # a count at, or a year to, 31 March
    "financial_year": (3, 31),
    "academic_year": (8, 31),
    "calendar_year": (12, 31),
    "annual_september": (9, 30),  # the workforce census at 30 September
    "annual_january": (1, 31),  # the school census in January
}

#: A local figure's own date label ("at 6 Mar 2026", see :func:`lacompare.local`).
DATE_LABEL = r"^at (\d{1,2}) ([A-Z][a-z]{2}) (\d{4})$"

#: Qualifier in a label -> words a reader sees after the period.
QUALIFIER_WORDS: dict[str, str] = {
    "prov": " (provisional)",
    "rev": " (revised)",
    "final": "",
    "ot": " (outturn)",
}


def label_end_year(label: pl.Expr) -> pl.Expr:
    """The year a label's period ends in: "2025" -> 2025, "2024-25" -> 2025, "2023/24" -> 2024,
    "2014-16" -> 2016, "2021/22-23/24" -> 2024; a local date label -> its year."""
    text = label.str.replace(r"\s*\(.*\)\s*$", "")
    start = text.str.slice(0, 4).cast(pl.Int32, strict=False)
    last = text.str.extract(r"[-/](\d{2,4})$", 1)
    last_year = (
        pl.when(last.str.len_chars() == 4)
        .then(last.cast(pl.Int32, strict=False))
        .otherwise((start // 100) * 100 + last.cast(pl.Int32, strict=False))
    )
    dated = text.str.extract(DATE_LABEL, 3).cast(pl.Int32, strict=False)
    return pl.coalesce(dated, last_year, start)


def period_end(label: pl.Expr, period_type: pl.Expr) -> pl.Expr:
    """The last day a period label covers, by its ``period_type``: 31 March for reporting and
    financial years, 31 August for academic years, 31 December for calendar years, 30
    September for the workforce census, 31 January for the school census; a local figure's
    own date ("at 6 Mar 2026") is that day."""
    month = period_type.replace_strict(
        {k: m for k, (m, _) in PERIOD_ENDS.items()}, default=3, return_dtype=pl.Int8
    )
    day = period_type.replace_strict(
        {k: d for k, (_, d) in PERIOD_ENDS.items()}, default=31, return_dtype=pl.Int8
    )
    dated = label.str.strptime(pl.Date, "at %d %b %Y", strict=False)
    return pl.coalesce(dated, pl.date(label_end_year(label), month, day))


def _period_text(label: pl.Expr, period_type: pl.Expr, snapshot: pl.Expr) -> pl.Expr:
    """How a reader sees a period label: "31 March 2025" (a count at 31 March), "2024-25" (a
    year to 31 March), "2024/25 (academic year)", "30 September 2024" (the workforce census),
    "January 2025" (the school census), "2024", "2014 to 2016", "6 March 2026" (a local
    figure's date), with "(provisional)" or "(revised)" where the label says so. ``snapshot``
    says whether the indicator counts at a date (children looked after at 31 March) rather
    than over a year (children starting to be looked after)."""
    text = label.str.replace(r"\s*\(.*\)\s*$", "")
    qualifier = (
        label.str.extract(r"\(([A-Za-z]+)\)\s*$", 1)
        .str.to_lowercase()
        .replace_strict(QUALIFIER_WORDS, default="")
        .fill_null("")
    )
    end = label_end_year(label)
    start = text.str.slice(0, 4).cast(pl.Int32, strict=False)
    span_years = end - start
    previous = (end - 1).cast(pl.String)
    two_digits = (end % 100).cast(pl.String).str.zfill(2)
    is_span = text.str.contains(r"^\d{4}[-/]")
    one_year_span = is_span & (span_years == 1)
    dated = label.str.strptime(pl.Date, "at %d %b %Y", strict=False)
    kind = period_type
    year_to_march = kind.is_in(["reporting_year", "financial_year"])
    words = (
        pl.when(dated.is_not_null())
        .then(
            pl.concat_str(dated.dt.day().cast(pl.String), pl.lit(" "), dated.dt.strftime("%B %Y"))
        )
        .when(label == "0")
        .then(pl.lit("year not given"))
        .when(is_span & ~one_year_span & (kind == "academic_year"))
        .then(
            fmt(
                "{}/{} to {}/{} (academic years)",
                start,
                ((start + 1) % 100).cast(pl.String).str.zfill(2),
                previous,
                two_digits,
            )
        )
        .when(is_span & ~one_year_span)
        .then(fmt("{} to {}", start, end))
        .when(year_to_march & snapshot)
        .then(fmt("31 March {}", end))
        .when(year_to_march)
        .then(fmt("{}-{}", previous, two_digits))
        .when(kind == "academic_year")
        .then(fmt("{}/{} (academic year)", previous, two_digits))
        .when((kind == "annual_september") & snapshot)
        .then(fmt("30 September {}", end))
        .when(kind == "annual_september")
        .then(fmt("year to 30 September {}", end))
        .when(kind == "annual_january")
        .then(fmt("January {}", end))
        .otherwise(text)
    )
    return pl.when(label.is_null()).then(None).otherwise(pl.concat_str(words, qualifier))


def _period_short(label: pl.Expr, period_type: pl.Expr, snapshot: pl.Expr) -> pl.Expr:
    """A period as a chart axis shows it: "Mar 2025" (a count at 31 March), "2024-25" (a year to
    31 March), "2024/25" (an academic year), "Sep 2024", "Jan 2025", "2024"; a local figure's
    date as "6 Mar 2026". Say in the chart's subtitle what the periods are."""
    text = label.str.replace(r"\s*\(.*\)\s*$", "")
    end = label_end_year(label)
    previous = (end - 1).cast(pl.String)
    two_digits = (end % 100).cast(pl.String).str.zfill(2)
    dated = label.str.strptime(pl.Date, "at %d %b %Y", strict=False)
    kind = period_type
    single = ~text.str.contains(r"^\d{4}[-/]") | (
        end - text.str.slice(0, 4).cast(pl.Int32, strict=False) == 1
    )
    return (
        pl.when(dated.is_not_null())
        .then(dated.dt.strftime("%-d %b %Y"))
        .when(label == "0")  # LAIT's stray label: not "-1-00"
        .then(pl.lit("year not given"))
        .when(~single)
        .then(text)
        .when(kind.is_in(["reporting_year", "financial_year"]) & snapshot)
        .then(fmt("Mar {}", end))
        .when(kind.is_in(["reporting_year", "financial_year"]))
        .then(fmt("{}-{}", previous, two_digits))
        .when(kind == "academic_year")
        .then(fmt("{}/{}", previous, two_digits))
        .when(kind == "annual_september")
        .then(fmt("Sep {}", end))
        .when(kind == "annual_january")
        .then(fmt("Jan {}", end))
        .otherwise(text)
    )


# --------------------------------------------------------------------------------------------
# Worded once for each period


_Words = Callable[[pl.Expr, pl.Expr, pl.Expr], pl.Expr]
_Key = tuple[Any, Any, Any]


def _once_per_period(words: _Words) -> _Words:
    """``words`` as an expression that works each distinct (label, period type, snapshot) out
    once per process and reads it back after.

    Why: a period's words are a chain of a dozen branches over the label's end year, and every
    sentence, cell and axis of a paper says a period, each time inside a larger expression.
    polars plans every copy of a branch again (a sentence naming two periods and three figures
    was a 230,000-character expression and cost 0.15 s for one row), while a paper has a
    few dozen distinct periods. Here each call site holds one small node; the words come from
    ``words`` itself, so they are the same as before, worked out on the distinct periods."""
    known: dict[_Key, str | None] = {}
    working = threading.Lock()

    def said(parts: pl.Series) -> pl.Series:
        given = parts.struct.unnest()
        given.columns = ["label", "kind", "snapshot"]
        distinct = given.unique(maintain_order=True)
        with working:  # polars may call this on several chunks at once: word each once
            new = [key for key in distinct.iter_rows() if key not in known]
            if new:
                fresh = pl.DataFrame(new, schema=distinct.schema, orient="row")
                text = fresh.select(words(pl.col("label"), pl.col("kind"), pl.col("snapshot")))
                known.update(zip(new, text.to_series().to_list(), strict=True))
        lookup = distinct.with_columns(
            _text=pl.Series([known[key] for key in distinct.iter_rows()], dtype=pl.String)
        )
        on = ["label", "kind", "snapshot"]
        joined = given.join(lookup, on=on, how="left", nulls_equal=True, maintain_order="left")
        return joined.get_column("_text").alias(parts.name)

    def expression(label: pl.Expr, period_type: pl.Expr, snapshot: pl.Expr) -> pl.Expr:
        # Named as the label is (the struct takes its first field's name).
        parts = pl.struct(label, period_type.alias("_kind"), snapshot.alias("_snapshot"))
        return parts.map_batches(said, return_dtype=pl.String, is_elementwise=True)

    expression.__doc__ = words.__doc__
    return expression


period_text = _once_per_period(_period_text)
period_short = _once_per_period(_period_short)


#: How a chart's subtitle says what its periods are, by period type and snapshot.
def periods_phrase(period_type: str, snapshot: bool) -> str:
    """ "at 31 March each year", "years to 31 March", "academic years", ..."""
    if period_type in {"reporting_year", "financial_year"}:
        return "at 31 March each year" if snapshot else "years to 31 March"
    return {
        "academic_year": "academic years",
        "annual_september": "at 30 September each year" if snapshot else "years to 30 September",
        "annual_january": "January school census",
        "calendar_year": "calendar years",
    }.get(period_type, "years")
