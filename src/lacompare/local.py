"""An LA's own, not-yet-published figures, checked like published data.

Figures come as a dict, a polars frame or a CSV with the columns ``indicator`` (id or LAIT
code), ``period`` (a label such as ``2017``) or ``as_at`` (a date such as ``2017-03-06``),
``value`` (a number or a published symbol), and optionally ``area`` (name, DfE or ONS code;
or give ``la=``), ``numerator`` and ``denominator``. :func:`check_local_figures` lists every
problem with its row and column; :func:`local_observations` turns clean figures into
observations with status ``local_unvalidated`` (or the symbol's status).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import polars as pl

from lacompare.errors import DataValidationError, LacompareError, SourceFileError, user_facing
from lacompare.periods import PERIOD_LABEL_PATTERN, period_year
from lacompare.reference import ReferenceData
from lacompare.sources import _read_csv_text, parse_values
from lacompare.vocab import NULL_STATUSES, UNIT_RANGES

LOCAL_COLUMNS = ["area", "indicator", "period", "as_at", "value", "numerator", "denominator"]
LOCAL_STATUS = "local_unvalidated"

Figures = pl.DataFrame | Mapping[str, object] | Sequence[Mapping[str, object]] | str | Path

#: The shapes :func:`read_local_figures` accepts, for the one message that lists them.
ACCEPTED_SHAPES = (
    "a CSV or Excel (.xlsx) file path; a polars or pandas DataFrame; a list of dicts, one per "
    "figure ([{'indicator': 'LAC', 'period': '2026', 'value': 70}]); a dict of columns "
    "({'indicator': ['LAC'], 'period': ['2026'], 'value': [70]}); or a dict of indicator -> "
    "value with 'period' or 'as_at' ({'LAC': 70, 'period': '2026'}, with la=)"
)
_COMMON_KEYS = ("area", "period", "as_at")


@user_facing
def read_local_figures(figures: Figures, *, la: str | int | None = None) -> pl.DataFrame:
    """The figures as a frame of text columns (see the module doc), from any accepted form
    (:data:`ACCEPTED_SHAPES`); anything else is one plain error listing them."""
    frame = _as_text_frame(figures)
    frame = frame.rename({c: str(c).strip().lower() for c in frame.columns})
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
    return column.cast(pl.String)


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
    areas = _resolve_areas(ref, raw.get_column("area"))
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
    # What is published for each indicator: its first year and the largest LA value, against
    # which a local figure's date and size are checked.
    las = ref.areas.filter(pl.col("level") == "local_authority").get_column("area_code")
    published = (
        ref.observations.lazy()
        .filter(pl.col("value").is_not_null())
        .group_by(pl.col("indicator_id").cast(pl.String))
        .agg(
            first_year=pl.col("year").min(),
            largest=pl.col("value")
            .filter(pl.col("area_code").cast(pl.String).is_in(las.implode()))
            .max(),
        )
        .collect()
    )
    today = date.today()
    this_year = today.year + (today.month >= 4)  # the reporting year running now
    value, symbol = parse_values(pl.col("value"))
    numerator, _ = parse_values(pl.col("numerator"))
    denominator, _ = parse_values(pl.col("denominator"))
    as_at = pl.col("as_at").str.to_date("%Y-%m-%d", strict=False)
    frame = (
        raw.with_row_index("row", offset=1)
        .with_columns(_raw_value=pl.col("value"))
        .with_columns(_indicator_key=pl.col("indicator").str.to_lowercase())
        .join(areas, on="area", how="left", nulls_equal=True)
        .join(indicators, left_on="_indicator_key", right_on="key", how="left")
        .join(published, on="indicator_id", how="left")
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
            pl.coalesce(
                "_area_problem", pl.lit("is a current local authority (name, DfE or ONS code)")
            ),
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
            "as_at",
            f"is not after today ({today:%Y-%m-%d})",
            pl.col("_as_at") > pl.lit(today),
            "error",
        ),
        (
            "period",
            f"is not a year after the one running now ({this_year})",
            pl.col("year") > this_year,
            "error",
        ),
        (
            "period",
            pl.format("is not before the indicator's published series (from {})", "first_year"),
            pl.col("year") < pl.col("first_year"),
            "error",
        ),
        (
            "value",
            pl.format(
                "is within 10 times the largest value any local authority has published for "
                "the indicator ({}); check the unit (a rate per 10,000, a percentage)",
                "largest",
            ),
            (pl.col("largest") > 0) & (pl.col("value") > 10 * pl.col("largest")),
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


def _resolve_areas(ref: ReferenceData, areas: pl.Series) -> pl.DataFrame:
    """(area, area_code, _area_problem) for each distinct area text, found as
    :meth:`ReferenceData.find_area` finds names ("Southend", "Windsor & Maidenhead", 831);
    a text that fits no LA, or several, keeps the reason."""
    found: dict[str | None, tuple[str | None, str | None]] = {}
    for text in areas.unique().to_list():
        if text is None or not text.strip():
            found[text] = (None, None)
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
