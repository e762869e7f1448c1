"""An LA's own, not-yet-published figures: a layer beside the published data, never in it.

Figures come as a dict, a polars or pandas frame, a list of dicts, a CSV or an Excel workbook
with the columns ``indicator`` (id or LAIT code; ``indicator_id`` too), ``period`` (a label
such as ``2026`` or ``2025-26``) and/or ``as_at`` (a date, ``2026-03-06``), ``value`` (a number
or a published symbol such as ``c``), and optionally ``area`` (name, DfE or ONS code),
``numerator``, ``denominator``, ``status`` (``local``), ``rule_version``, ``source`` and
``note``.

:func:`check_local_figures` lists every problem with its row, column, value and rule;
:func:`local_figures` turns clean figures into the validated local layer
(:class:`~lacompare.schemas.LocalFiguresSchema`) that :meth:`ReferenceData.with_local` adds.
The rules that keep a paper from being silently wrong:

- the file's ``area`` column wins; ``la=`` only fills a missing area, and a disagreement is an
  error naming both; several LAs in one file are fine;
- a period is written the way DfE writes that indicator's periods ("2023/24", "2023-24" and
  "2024" all mean the year to 31 March 2024 for a financial-year measure); a span runs forward;
  ``period`` and ``as_at`` must agree;
- a figure for a period DfE has already published for that LA (or dated on the day a
  published figure stands at) is refused: a local figure sits beside published ones, never
  instead of them, and never un-suppresses a suppressed one;
- value, numerator and denominator must agree at the indicator's precision;
- a symbol (``c``) keeps its own meaning and is still a local figure.

Nothing here changes the published observations; the comparison engine reads the layer for
the LA's own rows only (:mod:`lacompare.compare`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import polars as pl

from lacompare._expr import fmt
from lacompare.errors import (
    CONTROL_PATTERN,
    DataValidationError,
    LacompareError,
    SourceFileError,
    user_facing,
)
from lacompare.periods import label_end_year, period_end, period_year
from lacompare.schemas import LocalFiguresSchema, validate
from lacompare.sources._common import _read_csv_text, parse_values
from lacompare.vocab import NULL_STATUSES, SYMBOL_STATUS, UNIT_MULTIPLIER, UNIT_RANGES


class ReferenceData(Protocol):
    """What own figures are checked against: the published reference data. It is
    :class:`lacompare.reference.ReferenceData`, which imports this module to add a local layer;
    named here by what is read of it, so the two modules do not import each other."""

    @property
    def indicators(self) -> pl.DataFrame: ...

    @property
    def observations(self) -> pl.DataFrame: ...

    @property
    def areas(self) -> pl.DataFrame: ...

    def area_code(self, query: str | int, *, current: bool = False) -> str: ...


LOCAL_STATUS = "local"
LOCAL_COLUMNS = ["area", "indicator", "period", "as_at", "value", "numerator", "denominator"]
OPTIONAL_COLUMNS = ["status", "rule_version", "source", "note"]
#: Other names for the columns (the layer's own frame, as figures_from_903 writes it).
COLUMN_ALIASES = {"indicator_id": "indicator", "area_code": "area"}
#: How many problems a message lists before "... and N more".
SHOWN_PROBLEMS = 20

Figures = pl.DataFrame | Mapping[str, object] | Sequence[Mapping[str, object]] | str | Path

#: The shapes :func:`read_local_figures` accepts, for the one message that lists them.
ACCEPTED_SHAPES = (
    "a CSV or Excel (.xlsx) file path; a polars or pandas DataFrame; a list of dicts, one per "
    "figure ([{'indicator': 'LAC', 'period': '2026', 'value': 70}]); a dict of columns "
    "({'indicator': ['LAC'], 'period': ['2026'], 'value': [70]}); or a dict of indicator -> "
    "value with 'period' or 'as_at' ({'LAC': 70, 'period': '2026'}, with la=)"
)
_COMMON_KEYS = ("area", "period", "as_at")


# --------------------------------------------------------------------------------------------
# Reading any accepted shape as text


@user_facing
def read_local_figures(figures: Figures, *, la: str | int | None = None) -> pl.DataFrame:
    """The figures as a frame of text columns (see the module doc), from any accepted form
    (:data:`ACCEPTED_SHAPES`); anything else is one plain error listing them. ``la`` goes in
    ``_la`` (it fills a missing area; :func:`check_local_figures` checks it agrees)."""
    frame = _as_text_frame(figures)
    frame = frame.rename({c: str(c).strip().lower() for c in frame.columns})
    frame = frame.rename({k: v for k, v in COLUMN_ALIASES.items() if k in frame.columns})
    if len(set(frame.columns)) != len(frame.columns):
        raise SourceFileError(
            f"local figures: a column is given twice {frame.columns} (rule: indicator or "
            "indicator_id, area or area_code, once each)"
        )
    known = [*LOCAL_COLUMNS, *OPTIONAL_COLUMNS]
    extra = [c for c in frame.columns if c not in known]
    if extra:
        raise SourceFileError(
            f"local figures: unexpected column(s) {extra}; expected {LOCAL_COLUMNS} "
            f"(and optionally {OPTIONAL_COLUMNS})"
        )
    for column in known:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    return frame.select(
        *(
            pl.col(c).cast(pl.String).str.strip_chars().replace("", None)
            if c != "value"
            else pl.col(c).cast(pl.String).str.strip_chars()
            for c in known
        ),
        _la=pl.lit(None if la is None else str(la), pl.String),
    )


def _as_text_frame(figures: object) -> pl.DataFrame:
    """Any accepted shape -> a frame whose cells are text (or null): numbers are written as
    the user gave them, so a mix of numbers and symbols ("c") in one column is kept."""
    if isinstance(figures, str | Path):
        return _read_csv_text(Path(figures), workbooks=True)
    if isinstance(figures, pl.DataFrame):
        return figures.select(_cell_text(pl.col(c), figures.schema[c]) for c in figures.columns)
    if type(figures).__module__.split(".")[0] == "pandas" and hasattr(figures, "to_dict"):
        # A pandas DataFrame, without importing pandas: its columns as lists.
        return _columns_frame(figures.to_dict(orient="list"))  # type: ignore[union-attr]
    if isinstance(figures, Mapping) and figures:
        values = list(figures.values())
        if all(_is_column(v) for v in values):
            return _columns_frame(dict(figures))
        if not any(_is_column(v) for v in values):
            common = {k: figures[k] for k in _COMMON_KEYS if k in figures}
            return _rows_frame(
                [
                    {**common, "indicator": k, "value": v}
                    for k, v in figures.items()
                    if k not in _COMMON_KEYS
                ]
            )
        raise SourceFileError(
            "local figures: a dict mixes lists and single values; give a dict of columns (every "
            f"value a list) or of indicator -> value (every value a number). Accepted: "
            f"{ACCEPTED_SHAPES}"
        )
    if (
        isinstance(figures, list | tuple)
        and figures
        and all(isinstance(f, Mapping) for f in figures)
    ):
        return _rows_frame(list(figures))
    given = type(figures).__name__
    empty = " (it is empty)" if isinstance(figures, Mapping | list | tuple) else ""
    raise SourceFileError(
        f"local figures: cannot read a {given}{empty}; accepted: {ACCEPTED_SHAPES}"
    )


def _is_column(value: object) -> bool:
    return isinstance(value, list | tuple | pl.Series)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):  # None and NaN: empty
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _columns_frame(columns: dict[object, object]) -> pl.DataFrame:
    lengths = {str(k): len(v) for k, v in columns.items()}  # type: ignore[arg-type]
    if len(set(lengths.values())) > 1:
        raise SourceFileError(
            f"local figures: the columns have different lengths {lengths} (rule: one value per "
            "figure in every column)"
        )
    return pl.DataFrame(
        {str(k): [_text(x) for x in v] for k, v in columns.items()},  # type: ignore[attr-defined]
        schema={str(k): pl.String for k in columns},
    )


def _rows_frame(rows: list[Mapping[str, object]]) -> pl.DataFrame:
    names = list(dict.fromkeys(str(k) for row in rows for k in row))
    return pl.DataFrame(
        {name: [_text(row.get(name)) for row in rows] for name in names},
        schema={name: pl.String for name in names},
    )


def _cell_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype.is_nested():
        raise SourceFileError(
            f"local figures: column {column.meta.output_name()!r} holds lists ({dtype}); give "
            "one value per cell"
        )
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    return column.cast(pl.String)


# --------------------------------------------------------------------------------------------
# Checking and resolving


@user_facing
def check_local_figures(
    ref: ReferenceData, figures: Figures, *, la: str | int | None = None
) -> pl.DataFrame:
    """Every problem in ``figures``: one row each with ``row`` (1-based data row; the file line
    is row + 1), ``column``, ``rule``, ``value`` and ``severity`` ("error" or "info": a
    published symbol such as ``c`` is legitimate and becomes that status)."""
    return _resolve(ref, read_local_figures(figures, la=la))[1]


@user_facing
def local_figures(
    ref: ReferenceData, figures: Figures, *, la: str | int | None = None, source: str = "local"
) -> pl.DataFrame:
    """The local layer (:class:`~lacompare.schemas.LocalFiguresSchema`) for clean
    ``figures``; raises :class:`DataValidationError` listing the problems otherwise (the first
    :data:`SHOWN_PROBLEMS`; :func:`check_local_figures` gives them all)."""
    raw = read_local_figures(figures, la=la)
    if raw.height == 0:
        raise DataValidationError(
            f"local figures ({source}): no figures given (rule: at least one row)"
        )
    frame, problems = _resolve(ref, raw)
    errors = problems.filter(pl.col("severity") == "error")
    if errors.height:
        listed = errors.head(SHOWN_PROBLEMS)
        lines = [f"local figures ({source}) have {errors.height} problem(s):"] + [
            f"  - row {r}, column {c!r}: {rule} (value {v!r})"
            for r, c, rule, v in listed.select("row", "column", "rule", "value").iter_rows()
        ]
        if errors.height > SHOWN_PROBLEMS:
            lines.append(
                f"  ... and {errors.height - SHOWN_PROBLEMS:,} more (check_local_figures() or "
                "`lacompare validate` lists them all)"
            )
        raise DataValidationError("\n".join(lines), failures=errors)
    layer = frame.select(
        "indicator_id",
        "area_code",
        "period",
        "year",
        "period_end",
        "value",
        status=pl.coalesce("_symbol", pl.lit(LOCAL_STATUS)),
        # A count's numerator is the count itself (figures_from_903 gives it): the value.
        numerator=pl.when(pl.col("_denominator").is_not_null()).then(pl.col("_numerator")),
        denominator="_denominator",
        source=pl.coalesce("source", pl.lit(source)),
        rule_version="rule_version",
        note="note",
    )
    return validate(layer, LocalFiguresSchema, name=f"local figures ({source})")


def _resolve(ref: ReferenceData, raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Codes, numbers and period for each row, and every problem found, in named steps."""
    frame = raw.with_row_index("row", offset=1).with_columns(
        _raw_value=pl.col("value"), _raw_period=pl.coalesce("period", "as_at")
    )
    frame = _with_codes(ref, frame)
    frame = _with_numbers(frame)
    frame = _with_periods(ref, frame)
    frame = _with_published_facts(ref, frame).sort("row")
    found = [
        frame.filter(condition.fill_null(False)).select(
            "row",
            column=pl.lit(column),
            rule=rule if isinstance(rule, pl.Expr) else pl.lit(rule),
            value=pl.col(_RAW.get(column, column)).cast(pl.String),
            severity=pl.lit(severity),
        )
        for column, rule, condition, severity in _rules()
    ]
    return frame, pl.concat(found).sort("row", "severity")


#: The column holding what the user gave, for each column a problem is reported in.
_RAW = {"value": "_raw_value", "period": "_raw_period"}


def _with_codes(ref: ReferenceData, frame: pl.DataFrame) -> pl.DataFrame:
    """area_code (from the area column, else ``la=``), indicator_id and what the checks need
    to know of the indicator: unit, decimals, period type and how its periods are written."""
    area = _resolve_areas(ref, pl.concat([frame.get_column("area"), frame.get_column("_la")]))
    given = area.rename({"area": "_key", "area_code": "_given_code", "_area_problem": "_given"})
    la = area.rename({"area": "_key", "area_code": "_la_code", "_area_problem": "_la_problem"})
    keys = ref.indicators.select(
        "indicator_id", "unit", "decimals", "period_type", "lait_code"
    ).with_columns(_style=pl.col("indicator_id").replace_strict(_label_styles(ref), default="bare"))
    indicators = pl.concat(
        [
            keys.with_columns(_indicator_key=pl.col("indicator_id")),
            keys.with_columns(_indicator_key=pl.col("lait_code").str.to_lowercase()),
        ]
    ).unique("_indicator_key")
    return (
        frame.join(given, left_on="area", right_on="_key", how="left", nulls_equal=False)
        .join(la, left_on="_la", right_on="_key", how="left", nulls_equal=False)
        .with_columns(
            area_code=pl.coalesce(
                "_given_code", pl.when(pl.col("area").is_null()).then("_la_code")
            ),
            _area_problem=pl.coalesce(
                "_given", pl.when(pl.col("area").is_null()).then("_la_problem")
            ),
            _indicator_key=pl.col("indicator").str.to_lowercase(),
        )
        .join(indicators.drop("lait_code"), on="_indicator_key", how="left")
    )


def _with_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """value / symbol, numerator, denominator and as_at, parsed (never guessed)."""
    value, symbol = parse_values(pl.col("value"))
    numerator, _ = parse_values(pl.col("numerator"))
    denominator, _ = parse_values(pl.col("denominator"))
    status = pl.col("status").str.to_lowercase()
    return frame.with_columns(
        value=value,
        _symbol=pl.coalesce(symbol, status.replace_strict(SYMBOL_STATUS, default=None)),
        _status_given=status,
        _numerator=numerator,
        _denominator=denominator,
        _as_at=pl.col("as_at").str.to_date("%Y-%m-%d", strict=False),
    )


def _with_periods(ref: ReferenceData, frame: pl.DataFrame) -> pl.DataFrame:
    """The period label each figure gets, written as DfE writes the indicator's periods, its
    sort year (LAIT's Years_num of that label), the day it stands at, and the period a dated
    figure falls in. A date becomes "at 6 Mar 2026"; "2023/24", "2023-24" and "2024" become the
    indicator's own way of writing that year."""
    text = pl.col("period")
    start = text.str.extract(r"^(\d{4})(?:[-/](?:\d{2}|\d{4}))?$", 1).cast(pl.Int32, strict=False)
    end = label_end_year(text)
    well_formed = text.str.contains(r"^\d{4}(?:[-/](?:\d{2}|\d{4}))?$")
    single_year = well_formed & ((end - start == 1) | ~text.str.contains(r"[-/]"))
    # A date's period: the one whose end is the first on or after it.
    date_end_year = _end_year_of_date(pl.col("_as_at"), pl.col("period_type"))
    label_of_year = _label_in_style(end, pl.col("_style"))
    date_label = pl.concat_str(
        pl.lit("at "),
        pl.col("_as_at").dt.day().cast(pl.String),
        pl.lit(" "),
        pl.col("_as_at").dt.strftime("%b %Y"),
    )
    return (
        frame.with_columns(
            _period_start=start,
            _period_end_year=end,
            _period_ok=well_formed,
            _single_year=single_year,
            _date_period=_label_in_style(date_end_year, pl.col("_style")),
        )
        .with_columns(
            period=pl.when(pl.col("_as_at").is_not_null())
            .then(date_label)
            .when(single_year)
            .then(label_of_year)
            .otherwise(text),
            _normalised=pl.when(single_year).then(label_of_year),
            year=pl.when(pl.col("_as_at").is_not_null())
            .then(period_year(_label_in_style(date_end_year, pl.col("_style"))))
            .otherwise(period_year(pl.when(single_year).then(label_of_year).otherwise(text)))
            .cast(pl.Int32),
        )
        .with_columns(
            period_end=pl.coalesce(
                "_as_at", period_end(pl.col("period"), pl.col("period_type").fill_null(""))
            ),
        )
    )


def _end_year_of_date(day: pl.Expr, period_type: pl.Expr) -> pl.Expr:
    """The end year of the period of ``period_type`` a day falls in: 6 March 2026 is in the
    year to 31 March 2026 (2026) and in the 2025/26 academic year (2026); 6 May 2026 in the
    year to 31 March 2027."""
    month_end = period_type.replace_strict(
        {"academic_year": 8, "calendar_year": 12, "annual_september": 9, "annual_january": 1},
        default=3,
        return_dtype=pl.Int32,
    )
    return day.dt.year() + (day.dt.month() > month_end).cast(pl.Int32)


def _label_in_style(end_year: pl.Expr, style: pl.Expr) -> pl.Expr:
    """The label of the year ending in ``end_year`` as the indicator writes its periods:
    "2026" (bare), "2025-26" (dash) or "2025/26" (slash)."""
    previous = (end_year - 1).cast(pl.String)
    two = (end_year % 100).cast(pl.String).str.zfill(2)
    return (
        pl.when(style == "dash")
        .then(pl.concat_str(previous, pl.lit("-"), two))
        .when(style == "slash")
        .then(pl.concat_str(previous, pl.lit("/"), two))
        .otherwise(end_year.cast(pl.String))
    )


def _label_styles(ref: ReferenceData) -> dict[str, str]:
    """How each indicator writes its periods, read from its latest published label: "bare"
    (2025), "dash" (2024-25) or "slash" (2023/24)."""
    latest = (
        ref.observations.lazy()
        .select(pl.col("indicator_id").cast(pl.String), pl.col("period").cast(pl.String), "year")
        .filter(pl.col("year") > 0)
        .group_by("indicator_id")
        .agg(pl.col("period").sort_by("year").last())
        .with_columns(
            style=pl.when(pl.col("period").str.contains(r"^\d{4}/\d{2}"))
            .then(pl.lit("slash"))
            .when(pl.col("period").str.contains(r"^\d{4}-\d{2}"))
            .then(pl.lit("dash"))
            .otherwise(pl.lit("bare"))
        )
        .collect()
    )
    return dict(latest.select("indicator_id", "style").iter_rows())


def _with_published_facts(ref: ReferenceData, frame: pl.DataFrame) -> pl.DataFrame:
    """What DfE has published that a figure is checked against: the indicator's first year
    and largest LA value, and whether the LA already has a published row for the figure's
    period (same label, or a published period ending on the figure's date)."""
    las = ref.areas.filter(pl.col("level") == "local_authority").get_column("area_code")
    observations = ref.observations.lazy().with_columns(
        pl.col("indicator_id", "area_code", "period").cast(pl.String)
    )
    published = (
        observations.filter(pl.col("value").is_not_null())
        .group_by("indicator_id")
        .agg(
            first_year=pl.col("year").filter(pl.col("year") > 0).min(),
            largest=pl.col("value").filter(pl.col("area_code").is_in(las.implode())).max(),
        )
        .collect()
    )
    wanted = frame.select("area_code", "indicator_id").drop_nulls().unique()
    own = (
        observations.join(wanted.lazy(), on=["area_code", "indicator_id"], how="semi")
        .join(ref.indicators.lazy().select("indicator_id", "period_type"), on="indicator_id")
        .select(
            "area_code",
            "indicator_id",
            _published_period="period",
            _published_value="value",
            _published_status=pl.col("status").cast(pl.String),
            _published_end=period_end(pl.col("period"), pl.col("period_type")),
        )
        .collect()
    )
    by_label = own.select(
        "area_code",
        "indicator_id",
        "_published_value",
        "_published_status",
        _same="_published_period",
    )
    by_date = own.select(
        "area_code",
        "indicator_id",
        _date_value="_published_value",
        _date_status="_published_status",
        _date_period="_published_period",
        _end="_published_end",
    )
    return (
        frame.join(published, on="indicator_id", how="left")
        .join(
            by_label,
            left_on=["area_code", "indicator_id", "period"],
            right_on=["area_code", "indicator_id", "_same"],
            how="left",
        )
        .join(
            by_date.rename({"_date_period": "_clash_period"}),
            left_on=["area_code", "indicator_id", "_as_at"],
            right_on=["area_code", "indicator_id", "_end"],
            how="left",
        )
        .with_columns(
            _clash=pl.coalesce(
                pl.when(pl.col("_published_status").is_not_null()).then(pl.col("period")),
                "_clash_period",
            ),
            _clash_value=pl.coalesce(
                _number_text(pl.coalesce("_published_value", "_date_value")),
                pl.coalesce("_published_status", "_date_status").str.replace("_", " "),
            ),
        )
    )


def _number_text(value: pl.Expr) -> pl.Expr:
    """A number as a person writes it: 88, 23.1 (never 88.0)."""
    return value.round(6).cast(pl.String).str.replace(r"\.0$", "")


def _rules() -> list[tuple[str, str | pl.Expr, pl.Expr, str]]:
    """(column, rule, failing rows, severity) for every check."""
    today = date.today()
    low = pl.col("unit").replace_strict(
        {u: r[0] for u, r in UNIT_RANGES.items()}, default=None, return_dtype=pl.Float64
    )
    high = pl.col("unit").replace_strict(
        {u: r[1] for u, r in UNIT_RANGES.items()}, default=None, return_dtype=pl.Float64
    )
    multiplier = pl.col("unit").replace_strict(
        UNIT_MULTIPLIER, default=None, return_dtype=pl.Float64
    )
    from_counts = pl.col("_numerator") / pl.col("_denominator") * multiplier
    tolerance = 0.5 * pl.lit(10.0).pow(-pl.col("decimals").cast(pl.Float64)) + 1e-9
    has_date = pl.col("_as_at").is_not_null()
    return [
        (
            "area",
            pl.coalesce(
                "_area_problem", pl.lit("is a current local authority (name, DfE or ONS code)")
            ),
            pl.col("area_code").is_null(),
            "error",
        ),
        (
            "area",
            fmt(
                "agrees with la={} (the row names another authority; the file's area column "
                "wins, la= only fills a missing area)",
                pl.col("_la"),
            ),
            pl.col("_given_code").is_not_null()
            & pl.col("_la_code").is_not_null()
            & (pl.col("_given_code") != pl.col("_la_code")),
            "error",
        ),
        ("indicator", "is an indicator id or LAIT code", pl.col("indicator_id").is_null(), "error"),
        *(
            (
                column,
                "holds no control or bidirectional-override character (it is printed in "
                "the paper; a document cannot hold one)",
                pl.col(column).str.contains(CONTROL_PATTERN).fill_null(False),
                "error",
            )
            for column in ("note", "source")
        ),
        (
            "period",
            "a period label (2026, 2025-26) or an as_at date (YYYY-MM-DD) is given",
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
            "is a year (2026) or a year span (2025-26, 2025/26), with no qualifier such as "
            "(prov): a local figure is local",
            pl.col("as_at").is_null() & pl.col("period").is_not_null() & ~pl.col("_period_ok"),
            "error",
        ),
        (
            "period",
            "runs forward one year (2025-26, not 2026-25); several years in one figure are "
            "not accepted",
            pl.col("_period_ok") & ~pl.col("_single_year") & ~has_date,
            "error",
        ),
        (
            "period",
            fmt("agrees with as_at (the date falls in {}, not in this period)", "_date_period"),
            has_date
            & pl.col("_single_year")
            & pl.col("_date_period").is_not_null()
            & (pl.col("_normalised") != pl.col("_date_period")),
            "error",
        ),
        (
            "value",
            "is a number or a published symbol (c, x, z, low, k, u, :, .., -)",
            pl.col("value").is_null() & pl.col("_symbol").is_null(),
            "error",
        ),
        (
            "status",
            "is 'local' or a published symbol (the figure's value decides otherwise)",
            pl.col("_status_given").is_not_null()
            & ~pl.col("_status_given").is_in([LOCAL_STATUS, "local_unvalidated"])
            & pl.col("_status_given").replace_strict(SYMBOL_STATUS, default=None).is_null(),
            "error",
        ),
        (
            "value",
            "is within the range of the indicator's unit (percent 0-100, counts >= 0)",
            (pl.col("value") < low) | (pl.col("value") > high),
            "error",
        ),
        (
            "as_at",
            f"is not after today ({today:%Y-%m-%d})",
            pl.col("_as_at") > pl.lit(today),
            "error",
        ),
        (
            "period",
            "is not a period still to come (it ends more than a year from today)",
            ~has_date & (pl.col("period_end") > pl.lit(today + timedelta(days=366))),
            "error",
        ),
        (
            "period",
            fmt("is not before the indicator's published series (from {})", "first_year"),
            pl.col("year") < pl.col("first_year"),
            "error",
        ),
        (
            "period",
            fmt(
                "is not a period DfE has already published for this authority ({}: {}); a "
                "local figure sits beside published ones, never in their place",
                "_clash",
                "_clash_value",
            ),
            pl.col("_clash").is_not_null(),
            "error",
        ),
        (
            "value",
            fmt(
                "is within 10 times the largest value any local authority has published for "
                "the indicator ({}); check the unit (a rate per 10,000, a percentage)",
                "largest",
            ),
            (pl.col("largest") > 0) & (pl.col("value") > 10 * pl.col("largest")),
            "error",
        ),
        (
            "numerator",
            "is given together with denominator (alone only for a count, equal to the value)",
            (pl.col("_numerator").is_null() != pl.col("_denominator").is_null())
            & ~(
                (pl.col("unit") == "count")
                & pl.col("_denominator").is_null()
                & (pl.col("_numerator") == pl.col("value"))
            ).fill_null(False),
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
            "value",
            fmt(
                "equals numerator / denominator x {} at the indicator's {} decimal place(s) "
                "(the counts give {})",
                _number_text(multiplier),
                "decimals",
                _number_text(from_counts.round(4)),
            ),
            multiplier.is_not_null()
            & pl.col("value").is_not_null()
            & ((pl.col("value") - from_counts).abs() > tolerance),
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


def _resolve_areas(ref: ReferenceData, areas: pl.Series) -> pl.DataFrame:
    """(area, area_code, _area_problem) for each distinct area text, found as
    :meth:`ReferenceData.find_area` finds names ("Southend", "Windsor & Maidenhead", 831);
    a text that fits no LA, or several, keeps the reason."""
    found: dict[str | None, tuple[str | None, str | None]] = {}
    for text in areas.drop_nulls().unique().to_list():
        if not text.strip():
            continue
        try:
            found[text] = (ref.area_code(text, current=True), None)
        except LacompareError as error:
            reason = str(error).split("; did you mean")[0].split("; give more")[0]
            hint = str(error)[len(reason) :].lstrip("; ")
            found[text] = (
                None,
                f"is a current local authority: {reason}" + (f" ({hint})" if hint else ""),
            )
    return pl.DataFrame(
        {
            "area": list(found),
            "area_code": [code for code, _ in found.values()],
            "_area_problem": [problem for _, problem in found.values()],
        },
        schema={"area": pl.String, "area_code": pl.String, "_area_problem": pl.String},
    )


def as_at_label(day: date) -> str:
    """The period label a local figure at ``day`` gets: "at 6 Mar 2017"."""
    return f"at {day.day} {day:%b %Y}"
