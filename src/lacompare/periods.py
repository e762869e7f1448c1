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

import polars as pl

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
