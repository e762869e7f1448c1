"""An LA's own, not-yet-published figures, checked like published data.

Figures come as a dict, a polars frame or a CSV with the columns ``indicator`` (id or LAIT
code), ``period`` (a label such as ``2017``) or ``as_at`` (a date such as ``2017-03-06``),
``value`` (a number or a published symbol), and optionally ``area`` (name, DfE or ONS code;
or give ``la=``), ``numerator`` and ``denominator``. :func:`check_local_figures` lists every
problem with its row and column; :func:`local_observations` turns clean figures into
observations with status ``local_unvalidated`` (or the symbol's status).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import polars as pl

from lacompare.errors import DataValidationError, SourceFileError, user_facing
from lacompare.periods import PERIOD_LABEL_PATTERN, period_year
from lacompare.reference import ReferenceData
from lacompare.sources import _read_csv_text, parse_values
from lacompare.vocab import NULL_STATUSES, UNIT_RANGES

LOCAL_COLUMNS = ["area", "indicator", "period", "as_at", "value", "numerator", "denominator"]
LOCAL_STATUS = "local_unvalidated"

Figures = pl.DataFrame | Mapping[str, object] | list[Mapping[str, object]] | str | Path


@user_facing
def read_local_figures(figures: Figures, *, la: str | int | None = None) -> pl.DataFrame:
    """The figures as a frame of text columns (see the module doc), from any accepted form.

    A dict maps indicator -> value (``{"LAC": 73}``) and needs ``la`` and a period given as
    ``{"period": ...}`` or ``{"as_at": ...}``; or give a list of dicts, one per figure.
    """
    if isinstance(figures, str | Path):
        frame = _read_csv_text(Path(figures))
    elif isinstance(figures, pl.DataFrame):
        frame = figures
    elif isinstance(figures, Mapping):
        common = {k: figures[k] for k in ("area", "period", "as_at") if k in figures}
        frame = pl.DataFrame(
            [
                {**common, "indicator": k, "value": v}
                for k, v in figures.items()
                if k not in {"area", "period", "as_at"}
            ]
        )
    else:
        frame = pl.DataFrame(list(figures))
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    if la is not None:
        frame = frame.with_columns(area=pl.lit(str(la)))
    for column in LOCAL_COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    extra = [c for c in frame.columns if c not in LOCAL_COLUMNS and c != "note"]
    if extra:
        raise SourceFileError(
            f"local figures: unexpected column(s) {extra}; expected {LOCAL_COLUMNS} (and note)"
        )
    return frame.select(
        pl.col(c).cast(pl.String).str.strip_chars()
        for c in [*LOCAL_COLUMNS, "note"]
        if c in frame.columns
    )


@user_facing
def check_local_figures(
    ref: ReferenceData, figures: Figures, *, la: str | int | None = None
) -> pl.DataFrame:
    """Every problem in ``figures``: one row each with ``row`` (1-based data row; the file line
    is row + 1), ``column``, ``rule``, ``value`` and ``severity`` ("error" or "info": a
    published symbol such as ``c`` is legitimate and becomes that status)."""
    return _resolve(ref, read_local_figures(figures, la=la))[1]


@user_facing
def local_observations(
    ref: ReferenceData, figures: Figures, *, la: str | int | None = None, source: str = "local"
) -> pl.DataFrame:
    """Observations (text codes) for clean ``figures``; raises :class:`DataValidationError`
    listing every problem otherwise."""
    raw = read_local_figures(figures, la=la)
    if raw.height == 0:
        raise DataValidationError(
            f"local figures ({source}): no figures given (rule: at least one row)"
        )
    frame, problems = _resolve(ref, raw)
    errors = problems.filter(pl.col("severity") == "error")
    if errors.height:
        lines = [f"local figures ({source}) have {errors.height} problem(s):"] + [
            f"  - row {r}, column {c!r}: {rule} (value {v!r})"
            for r, c, rule, v in errors.select("row", "column", "rule", "value").iter_rows()
        ]
        raise DataValidationError("\n".join(lines), failures=errors)
    return frame.select(
        "indicator_id",
        "area_code",
        "period",
        "year",
        "value",
        status=pl.coalesce("_symbol", pl.lit(LOCAL_STATUS)),
        numerator="_numerator",
        denominator="_denominator",
        source=pl.lit(f"local unvalidated ({source})"),
    )


def _resolve(ref: ReferenceData, raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Codes, numbers and period for each row, and every problem found."""
    areas = _area_keys(ref)
    indicators = pl.concat(
        [
            ref.indicators.select(
                key=pl.col("indicator_id"), indicator_id="indicator_id", unit="unit"
            ),
            ref.indicators.select(
                key=pl.col("lait_code").str.to_lowercase(), indicator_id="indicator_id", unit="unit"
            ),
        ]
    ).unique("key")
    value, symbol = parse_values(pl.col("value"))
    numerator, _ = parse_values(pl.col("numerator"))
    denominator, _ = parse_values(pl.col("denominator"))
    as_at = pl.col("as_at").str.to_date("%Y-%m-%d", strict=False)
    frame = (
        raw.with_row_index("row", offset=1)
        .with_columns(_raw_value=pl.col("value"))
        .with_columns(
            _area_key=pl.col("area").str.to_lowercase().str.replace_all(r"[^a-z0-9]", ""),
            _indicator_key=pl.col("indicator").str.to_lowercase(),
        )
        .join(areas, left_on="_area_key", right_on="key", how="left")
        .join(indicators, left_on="_indicator_key", right_on="key", how="left")
        .with_columns(
            value=value,
            _symbol=symbol,
            _numerator=numerator,
            _denominator=denominator,
            _as_at=as_at,
        )
        .with_columns(
            period=pl.coalesce(
                pl.col("period"),
                pl.when(pl.col("_as_at").is_not_null()).then(
                    pl.concat_str(pl.lit("at "), pl.col("_as_at").dt.strftime("%-d %b %Y"))
                ),
            ),
            # A date belongs to the reporting year ending the next 31 March.
            year=pl.coalesce(
                pl.when(pl.col("_as_at").is_not_null()).then(
                    pl.col("_as_at").dt.year() + (pl.col("_as_at").dt.month() >= 4).cast(pl.Int32)
                ),
                period_year(pl.col("period")),
            ).cast(pl.Int32),
        )
        .sort("row")
    )
    low = pl.col("unit").replace_strict(
        {u: r[0] for u, r in UNIT_RANGES.items()}, default=None, return_dtype=pl.Float64
    )
    high = pl.col("unit").replace_strict(
        {u: r[1] for u, r in UNIT_RANGES.items()}, default=None, return_dtype=pl.Float64
    )
    rules: list[tuple[str, str | pl.Expr, pl.Expr, str]] = [
        (
            "area",
            "is a current local authority (name, DfE or ONS code)",
            pl.col("area_code").is_null(),
            "error",
        ),
        ("indicator", "is an indicator id or LAIT code", pl.col("indicator_id").is_null(), "error"),
        (
            "period",
            "a period label (2017, 2016-17) or an as_at date (YYYY-MM-DD) is given",
            pl.col("period").is_null() & pl.col("as_at").is_null(),
            "error",
        ),
        (
            "as_at",
            "is a date written YYYY-MM-DD",
            pl.col("as_at").is_not_null() & pl.col("_as_at").is_null(),
            "error",
        ),
        (
            "period",
            "parses as a period label",
            pl.col("as_at").is_null()
            & pl.col("period").is_not_null()
            & ~pl.col("period").str.contains(PERIOD_LABEL_PATTERN),
            "error",
        ),
        (
            "value",
            "is a number or a published symbol (c, x, z, low, k, u, :, .., -)",
            pl.col("value").is_null() & pl.col("_symbol").is_null(),
            "error",
        ),
        (
            "value",
            "is within the range of the indicator's unit (percent 0-100, counts >= 0)",
            (pl.col("value") < low) | (pl.col("value") > high),
            "error",
        ),
        (
            "numerator",
            "is given together with denominator",
            pl.col("_numerator").is_null() != pl.col("_denominator").is_null(),
            "error",
        ),
        ("numerator", "is not negative", pl.col("_numerator") < 0, "error"),
        ("denominator", "is above zero", pl.col("_denominator") <= 0, "error"),
        (
            "numerator",
            "is at most the denominator for a percentage",
            (pl.col("unit") == "percent") & (pl.col("_numerator") > pl.col("_denominator")),
            "error",
        ),
        (
            "indicator",
            "appears once per area and period (duplicate row)",
            pl.col("indicator_id").is_not_null()
            & pl.struct("area_code", "indicator_id", "period").is_duplicated(),
            "error",
        ),
        (
            "value",
            pl.concat_str(
                pl.lit("published symbol: "),
                pl.col("_symbol"),
                pl.lit(" (kept as no value, never 0)"),
            ),
            pl.col("_symbol").is_not_null() & pl.col("_symbol").is_in(sorted(NULL_STATUSES)),
            "info",
        ),
    ]
    found = [
        frame.filter(condition.fill_null(False)).select(
            "row",
            column=pl.lit(column),
            rule=rule if isinstance(rule, pl.Expr) else pl.lit(rule),
            value=pl.col("_raw_value" if column == "value" else column).cast(pl.String),
            severity=pl.lit(severity),
        )
        for column, rule, condition, severity in rules
    ]
    problems = pl.concat(found).sort("row", "severity")
    return frame, problems


def _area_keys(ref: ReferenceData) -> pl.DataFrame:
    """Lower-case keys (name, alternative names, ONS and DfE codes) -> current LA code."""
    las = ref.local_authorities()
    key = pl.col("key").str.to_lowercase().str.replace_all(r"[^a-z0-9]", "")
    return (
        pl.concat(
            [
                las.select(key=pl.col("name"), area_code="area_code"),
                las.select(key=pl.col("area_code"), area_code="area_code"),
                las.select(key=pl.col("old_la_code").cast(pl.String), area_code="area_code"),
                las.select(key="alt_names", area_code="area_code").explode("key"),
            ]
        )
        .drop_nulls("key")
        .with_columns(key)
        .unique("key")
    )


def as_at_label(day: date) -> str:
    """The period label a local figure at ``day`` gets: "at 6 Mar 2017"."""
    return f"at {day.day} {day:%b %Y}"
