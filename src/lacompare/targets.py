"""The council's own targets: read, checked, and judged met / near / missed.

A target is for an authority's own figure: ``indicator`` (id or LAIT code) and ``target`` (a
number in the indicator's unit), with optional ``area`` (or ``la=``), ``period`` (a year such
as 2026 or 2025-26; without one the target applies to whatever figure the table shows),
``amber`` (a tolerance: within it the figure is "near" the target), ``direction`` ("higher" or
"lower" is better: required for an indicator with no better direction, refused if it
contradicts the indicator's polarity) and ``source`` ("Corporate parenting strategy
2025-28"). Targets come as a CSV or xlsx file, a polars or pandas frame, a list of dicts or a
dict of columns, read as local figures are (:func:`lacompare.local.read_local_figures`'s
readers).

A figure is judged as it is shown (rounded to DfE's precision): with higher better, it has
met the target if it is at least the target, is near if within ``amber`` below it, and has
missed it otherwise (lower better: the mirror image). A target for a period with no figure
says "no figure".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from lacompare._expr import fmt
from lacompare.errors import CONTROL_PATTERN, DataValidationError, LacompareError, SourceFileError
from lacompare.format import format_value, round_half_up
from lacompare.periods import label_end_year

if TYPE_CHECKING:
    from lacompare.reference import ReferenceData

TARGET_COLUMNS = ["indicator", "target"]
OPTIONAL_TARGET_COLUMNS = ["area", "period", "amber", "direction", "source"]
_ALIASES = {"indicator_id": "indicator", "area_code": "area", "value": "target"}
_DIRECTIONS = {"higher": "high", "high": "high", "lower": "low", "low": "low"}

#: A target's status -> the words and shape a table shows (never colour alone).
TARGET_STATUS_TEXT = {
    "met": "■ Met",
    "near": "◆ Near",
    "missed": "□ Missed",
    "no figure": "– No figure",
}


def read_targets(
    ref: ReferenceData, source: Any, *, la: str | int | None = None, name: str = "targets"
) -> pl.DataFrame:
    """The targets as a checked frame: ``area_code``, ``indicator_id``, ``year`` (null for
    any), ``target``, ``amber``, ``direction`` (high / low), ``source``. Every problem is
    named with its row (1 is the first data row), column and rule."""
    from lacompare.local import _as_text_frame

    raw = _as_text_frame(source)
    raw = raw.rename({c: str(c).strip().lower() for c in raw.columns})
    raw = raw.rename({k: v for k, v in _ALIASES.items() if k in raw.columns})
    missing = [c for c in TARGET_COLUMNS if c not in raw.columns]
    extra = [c for c in raw.columns if c not in [*TARGET_COLUMNS, *OPTIONAL_TARGET_COLUMNS]]
    if missing or extra:
        raise SourceFileError(
            f"{name}: columns {raw.columns}; a targets file has {TARGET_COLUMNS} (and "
            f"optionally {OPTIONAL_TARGET_COLUMNS})"
        )
    if raw.height == 0:
        raise DataValidationError(f"{name}: no targets given (rule: at least one row)")
    for column in OPTIONAL_TARGET_COLUMNS:
        if column not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias(column))
    text = raw.select(
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None)
        for c in [*TARGET_COLUMNS, *OPTIONAL_TARGET_COLUMNS]
    ).with_row_index("row", offset=1)
    resolved = _resolve(ref, text, la)
    problems = _problems(resolved)
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise DataValidationError(f"{name} have {len(problems)} problem(s):\n{shown}{more}")
    return resolved.select(
        "area_code",
        "indicator_id",
        "year",
        "target",
        "amber",
        direction=pl.coalesce("_direction", "polarity"),
        source="source",
    )


def _resolve(ref: ReferenceData, text: pl.DataFrame, la: str | int | None) -> pl.DataFrame:
    """Codes, numbers, years and the indicator's polarity beside each row's text."""
    areas: dict[str | None, str | None] = {}
    for given in set(text.get_column("area").to_list()) | {None}:
        wanted = given if given is not None else la
        try:
            areas[given] = None if wanted is None else ref.area_code(wanted, current=True)
        except LacompareError:
            areas[given] = None
    indicators: dict[str, str | None] = {}
    for given in text.get_column("indicator").drop_nulls().unique().to_list():
        try:
            indicators[given] = ref.find_indicator(given)["indicator_id"]
        except LacompareError:
            indicators[given] = None
    polarity = dict(ref.indicators.select("indicator_id", "polarity").iter_rows())
    return text.with_columns(
        area_code=pl.col("area").replace_strict(areas, default=None, return_dtype=pl.String),
        indicator_id=pl.col("indicator").replace_strict(
            indicators, default=None, return_dtype=pl.String
        ),
        target_text=pl.col("target"),
        target=pl.col("target").str.replace_all(",", "").cast(pl.Float64, strict=False),
        amber_text=pl.col("amber"),
        amber=pl.col("amber").cast(pl.Float64, strict=False),
        year=label_end_year(pl.col("period")),
        _direction=pl.col("direction")
        .str.to_lowercase()
        .replace_strict(_DIRECTIONS, default=None, return_dtype=pl.String),
    ).with_columns(
        polarity=pl.col("indicator_id").replace_strict(
            polarity, default=None, return_dtype=pl.String
        ),
    )


def _problems(rows: pl.DataFrame) -> list[str]:
    """Every broken rule, as "row N, column 'c': rule (value 'v')"."""
    neutral = pl.col("polarity") == "neutral"
    given = pl.col("_direction")
    rules: list[tuple[str, str, str, pl.Expr]] = [
        ("area", "area", "is a current local authority (give area, or la=)",
         pl.col("area_code").is_null()),
        ("indicator", "indicator", "is an indicator id or LAIT code",
         pl.col("indicator_id").is_null()),
        ("target", "target_text", "is a number", pl.col("target").is_null()),
        ("amber", "amber_text", "is a number of 0 or more (within it a figure is near)",
         (pl.col("amber_text").is_not_null() & pl.col("amber").is_null())
         | (pl.col("amber") < 0)),
        ("period", "period", "is a year (2026) or a year span (2025-26)",
         pl.col("period").is_not_null() & pl.col("year").is_null()),
        ("direction", "direction", "is 'higher' or 'lower' (which is better)",
         pl.col("direction").is_not_null() & given.is_null()),
        ("direction", "direction", "is given for an indicator with no better direction: say "
         "whether higher or lower is better for this target",
         neutral & given.is_null() & pl.col("direction").is_null()),
        ("direction", "direction", "agrees with the indicator's polarity (DfE's better "
         "direction)", ~neutral & given.is_not_null() & (given != pl.col("polarity"))),
        ("source", "source", "holds no control or bidirectional-override character",
         pl.col("source").str.contains(CONTROL_PATTERN)),
        ("indicator", "indicator", "appears once per area and period (a repeated target)",
         pl.col("indicator_id").is_not_null()
         & pl.struct("area_code", "indicator_id", "year").is_duplicated()),
    ]  # fmt: skip
    problems = []
    for column, shown, rule, failing in rules:
        for row, value in rows.filter(failing.fill_null(False)).select("row", shown).iter_rows():
            problems.append(f"row {row}, column {column!r}: {rule} (value {value!r})")
    return sorted(problems, key=lambda p: int(p.split(",")[0].removeprefix("row ")))


def target_columns(rows: pl.DataFrame, targets: pl.DataFrame | None) -> pl.DataFrame:
    """``rows`` (comparison rows) with ``target``, ``target_status`` (met / near / missed /
    no figure), ``target_text`` and ``target_source``: the target for the row's year, else
    the authority's target for any year; null where it has none."""
    empty = {
        "target": pl.Float64,
        "target_status": pl.String,
        "target_text": pl.String,
        "target_source": pl.String,
    }
    if targets is None or targets.height == 0:
        return rows.with_columns(pl.lit(None, dtype).alias(c) for c, dtype in empty.items())
    year = label_end_year(pl.col("period").cast(pl.String))
    keyed = rows.with_columns(_row=pl.int_range(pl.len()), _year=year)
    matched = (
        keyed.select(
            "_row",
            "_year",
            pl.col("area_code").cast(pl.String),
            pl.col("indicator_id").cast(pl.String),
        )
        .join(targets, on=["area_code", "indicator_id"], how="inner")
        # A target for the row's year, for any year, or for a later year than the figure
        # shown (then there is no figure for it yet); one for an earlier year is spent.
        .filter(pl.col("year").is_null() | (pl.col("year") >= pl.col("_year")))
        # The row's own year first, then any year, then the nearest later year.
        .sort("_row", pl.col("year") != pl.col("_year"), pl.col("year").is_null().not_(), "year")
        .unique("_row", keep="first")
        .with_columns(_later=pl.col("year") > pl.col("_year"))
        .select(
            "_row",
            "target",
            target_source="source",
            _amber="amber",
            _direction="direction",
            _later="_later",
        )
    )
    shown = round_half_up(pl.col("la_value"), pl.col("decimals"))
    amber = pl.col("_amber").fill_null(0.0)
    high = pl.col("_direction") == "high"
    met = pl.when(high).then(shown >= pl.col("target")).otherwise(shown <= pl.col("target"))
    near = (
        pl.when(high)
        .then(shown >= pl.col("target") - amber)
        .otherwise(shown <= pl.col("target") + amber)
    )
    status = (
        pl.when(pl.col("target").is_null())
        .then(None)
        .when(pl.col("la_value").is_null() | pl.col("_later").fill_null(False))
        .then(pl.lit("no figure"))
        .when(met)
        .then(pl.lit("met"))
        .when(near & (amber > 0))
        .then(pl.lit("near"))
        .otherwise(pl.lit("missed"))
    )
    return (
        keyed.join(matched, on="_row", how="left", maintain_order="left")
        .with_columns(target_status=status)
        .with_columns(
            target_text=pl.when(pl.col("target").is_not_null()).then(
                fmt(
                    "{} ({})",
                    format_value(pl.col("target"), pl.col("unit"), pl.col("decimals")),
                    pl.col("target_status").replace_strict(TARGET_STATUS_TEXT, default=None),
                )
            )
        )
        .drop("_row", "_year", "_amber", "_direction", "_later")
    )
