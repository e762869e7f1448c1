"""DfE Explore Education Statistics open-data CSVs: reading them, their period labels,
and observations for one indicator from any of them."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lacompare.errors import DataValidationError, SourceFileError, user_facing
from lacompare.periods import period_year
from lacompare.sources._common import _read_csv_text, _require_columns, check_values, parse_values

# --------------------------------------------------------------------------------------------
# EES open-data CSVs -> numerators and denominators

#: Columns every EES open-data CSV with LA rows carries.
EES_STANDARD_COLUMNS = ["time_period", "time_identifier", "geographic_level", "country_code"]


@user_facing
def read_ees(path: Path, value_columns: list[str]) -> pl.DataFrame:
    """An EES open-data CSV -> one row per published row, with ``area_code`` resolved by level
    (national -> country code, regional -> region code, LA -> new_la_code), ``year`` from
    ``time_period`` and each value column parsed to Float64 (symbols -> null, checked).

    Rows combining two LAs ("940 / 941") are kept with a null ``area_code``; callers decide.
    """
    frame = _read_csv_text(path)
    _require_columns(frame, EES_STANDARD_COLUMNS + value_columns, source=str(path))
    for column in value_columns:
        value, status = parse_values(pl.col(column))
        checked = frame.with_columns(_value=value, _status=status)
        check_values(checked, column, "_status", source=str(path))
    level = pl.col("geographic_level")
    area_code = (
        pl.when(level == "National")
        .then(pl.col("country_code"))
        .when(level == "Regional")
        .then(pl.col("region_code"))
        .when(level == "Local authority")
        .then(pl.col("new_la_code"))
    )
    return frame.with_columns(
        area_code=pl.when(area_code.str.contains(r"^E\d{8}$")).then(area_code),
        year=pl.col("time_period").str.slice(0, 4).cast(pl.Int32),
        **{column: parse_values(pl.col(column))[0] for column in value_columns},
    )


#: EES time identifiers -> how a ``time_period`` becomes a period label (LAIT's style).
TIME_IDENTIFIERS: dict[str, str] = {
    "reporting year": "year",  # 2025 -> "2025" (a count at 31 March 2025)
    "calendar year": "year",  # 2024 -> "2024"
    "financial year": "dash",  # 202425 -> "2024-25"
    "academic year": "slash",  # 202324 -> "2023/24"
}


def ees_period_label(time_period: pl.Expr, time_identifier: pl.Expr) -> pl.Expr:
    """The period label for an EES ``time_period`` under its ``time_identifier``: reporting
    and calendar years as "2025", financial years as "2024-25", academic years as "2023/24";
    null for identifiers lacompare does not know (reported by :func:`ees_observations`)."""
    text = time_period.cast(pl.String).str.strip_chars()
    kind = (
        time_identifier.str.to_lowercase()
        .str.strip_chars()
        .replace_strict(TIME_IDENTIFIERS, default=None)
    )
    six = text.str.contains(r"^\d{6}$")
    return (
        pl.when(kind == "year")
        .then(text.str.slice(0, 4))
        .when((kind == "dash") & six)
        .then(pl.concat_str(text.str.slice(0, 4), pl.lit("-"), text.str.slice(4, 2)))
        .when((kind == "slash") & six)
        .then(pl.concat_str(text.str.slice(0, 4), pl.lit("/"), text.str.slice(4, 2)))
    )


@user_facing
def ees_observations(
    path: Path,
    indicator_id: str,
    *,
    value: str,
    numerator: str | None = None,
    denominator: str | None = None,
    filters: dict[str, str] | None = None,
    areas: pl.DataFrame,
) -> pl.DataFrame:
    """Observations (text codes) for one indicator from any EES open-data CSV.

    ``value`` (and optionally ``numerator`` / ``denominator``) name the columns to read;
    ``filters`` pick the rows of one breakdown (``{"breakdown": "Total"}``). National, regional
    and LA rows are kept; rows combining two LAs ("940 / 941") are not an area and raise.
    Symbols become null values with their status; a period, area code or symbol lacompare does
    not know raises :class:`DataValidationError` naming the file, rows and column.
    """
    columns = [c for c in (value, numerator, denominator) if c]
    frame = read_ees(path, columns).with_row_index("row", offset=1)
    for column, wanted in (filters or {}).items():
        if column not in frame.columns:
            raise SourceFileError(f"{path}: no column {column!r} to filter on")
        frame = frame.filter(pl.col(column) == wanted)
    raw = _read_csv_text(path).with_row_index("row", offset=1).select("row", _raw=pl.col(value))
    # Older ONS codes of the same authority (boundary or code changes) map to today's code.
    former = areas.select("area_code", "former_codes").explode("former_codes").drop_nulls()
    code_map = dict(
        zip(former["former_codes"].to_list(), former["area_code"].to_list(), strict=True)
    )
    frame = frame.join(raw, on="row").with_columns(
        period=ees_period_label(pl.col("time_period"), pl.col("time_identifier")),
        _status=parse_values(pl.col("_raw"))[1],
        area_code=pl.col("area_code").replace(code_map),
    )
    identifiers = frame.get_column("time_identifier").unique().to_list()
    if len(identifiers) > 1:
        raise DataValidationError(
            f"{path}: column 'time_identifier' mixes {sorted(identifiers)} for one indicator "
            "(rule: one kind of period per indicator; filter the rows first)"
        )
    problems = [
        (
            "time_identifier",
            "a reporting, calendar, financial or academic year",
            frame.filter(pl.col("period").is_null()),
        ),
        (
            "new_la_code",
            "an ONS code of an area lacompare knows",
            frame.filter(
                ~pl.col("area_code").is_in(areas.get_column("area_code").implode()).fill_null(False)
            ),
        ),
        (
            "indicator",
            "one row per area and period",
            frame.filter(pl.struct("area_code", "period").is_duplicated()),
        ),
    ]
    for column, rule, bad in problems:
        if bad.height:
            rows = ", ".join(str(r) for r in bad.get_column("row").head(5).to_list())
            raise DataValidationError(
                f"{path}: {bad.height} row(s) break the rule for column {column!r} ({rule}); "
                f"rows {rows} (row 1 is the first line after the header)"
            )
    return frame.select(
        indicator_id=pl.lit(indicator_id),
        area_code="area_code",
        period="period",
        year=period_year(pl.col("period")),
        value=pl.col(value),
        status=pl.coalesce(pl.col("_status"), pl.lit("published")),
        numerator=pl.col(numerator) if numerator else pl.lit(None, pl.Float64),
        denominator=pl.col(denominator) if denominator else pl.lit(None, pl.Float64),
        source=pl.lit(f"EES {path.name} {value}"),
    )
