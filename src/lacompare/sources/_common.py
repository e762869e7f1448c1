"""What every reader shares: published values and symbols, and reading files as text."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lacompare.errors import DataValidationError, SourceFileError
from lacompare.vocab import SYMBOL_STATUS

# --------------------------------------------------------------------------------------------
# Values and symbols


def parse_values(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(value, symbol status) from a column of published strings.

    Numbers (whitespace trimmed) become Float64; a published symbol (``c``, ``x``, ``z``, ``low``,
    ``k``, ``u``, ``:``, ``..``, ``-``) becomes a null value and its status. Anything else gives a
    null value *and* a null status, which :func:`check_values` reports as an error.
    """
    text = raw.str.strip_chars()
    value = text.cast(pl.Float64, strict=False)
    symbol = text.str.to_lowercase().replace_strict(SYMBOL_STATUS, default=None)
    # A number wins; "nan"/"inf" parse as floats but are not publishable values.
    is_number = value.is_not_null() & value.is_finite()
    return (
        pl.when(is_number).then(value).otherwise(None),
        pl.when(is_number).then(None).otherwise(symbol),
    )


def check_values(frame: pl.DataFrame, raw_column: str, status_column: str, *, source: str) -> None:
    """Raise naming each row whose value is neither a number nor a known symbol."""
    bad = frame.with_row_index("row").filter(
        pl.col(status_column).is_null() & pl.col("_value").is_null()
    )
    if bad.height:
        shown = ", ".join(
            f"row {r} {v!r}" for r, v in bad.select("row", raw_column).head(5).iter_rows()
        )
        known = ", ".join(repr(s) for s in SYMBOL_STATUS)
        raise DataValidationError(
            f"{source}: column {raw_column!r} has {bad.height} value(s) that are neither a "
            f"finite number nor a published symbol ({known}): {shown}"
        )


def published_decimals(value: pl.Expr) -> pl.Expr:
    """Decimal places a value was published with (0-6), read off its shortest representation."""
    text = value.round(6).cast(pl.String)
    fraction = text.str.extract(r"\.(\d*?)0*$", 1).fill_null("")
    return fraction.str.len_chars().cast(pl.Int32)


# --------------------------------------------------------------------------------------------
# File helpers


def _read_csv_text(path: Path) -> pl.DataFrame:
    """A CSV with every column as text (values are parsed explicitly, never guessed)."""
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as error:
        raise SourceFileError(f"{path}: could not be read as CSV ({error})") from None
    # Files saved from Excel start with a byte-order mark that would stick to the first name.
    return frame.rename(lambda name: name.lstrip("\ufeff").strip())


def _read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        return handle.readline().strip().split(",")


def _read_excel(
    path: Path, header_row: int, *, sheet: str | None = None, has_header: bool = True
) -> pl.DataFrame:
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    try:
        return pl.read_excel(  # type: ignore[call-overload,no-any-return]
            path,
            **({"sheet_name": sheet} if sheet else {"sheet_id": 1}),
            has_header=has_header,
            infer_schema_length=0,
            read_options={"header_row": header_row} if has_header else {},
        )
    except Exception as error:
        raise SourceFileError(f"{path}: could not be read as a workbook ({error})") from None


def _require_columns(frame: pl.DataFrame, columns: list[str], *, source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceFileError(f"{source}: missing column(s) {missing}; found {frame.columns}")
