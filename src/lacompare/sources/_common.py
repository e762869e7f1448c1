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


def series_decimals(observations: pl.DataFrame, la_codes: pl.Series) -> pl.DataFrame:
    """(indicator_id, year, series_decimals): the decimal places each indicator is published to
    in each year, read from every local authority's value together (the most any value has),
    not from each value alone: in a series published to 0.1, "72" is 72.0, not 72 +/- 0.5."""
    return (
        observations.filter(
            pl.col("value").is_not_null(),
            pl.col("area_code").cast(pl.String).is_in(la_codes.cast(pl.String).implode()),
        )
        .group_by("indicator_id", "year")
        .agg(series_decimals=published_decimals(pl.col("value")).max())
    )


# --------------------------------------------------------------------------------------------
# File helpers


#: The first bytes of files that are not text, and what to call them in a message.
_FILE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0", "an old-style Office file (an Excel 97-2003 .xls workbook?)"),
    (b"PAR1", "a parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89PNG", "a PNG image"),
)

#: What to do instead, for a message about an unreadable file.
_RESAVE = "open it in Excel and use File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'"


def _decode_text(data: bytes, path: Path) -> str:
    """The text of a CSV however it was saved: UTF-8 with or without a byte-order mark, UTF-16
    with one (Excel's "Unicode text"), or Windows-1252 (Excel's plain "CSV" on Windows).
    Anything else is named: a workbook, a zip, a parquet or PDF file, binary data."""
    if data.startswith(b"PK\x03\x04"):
        what = (
            "an Excel workbook (.xlsx)"
            if b"xl/" in data[:4096] or path.suffix.lower() in {".xlsx", ".xlsm"}
            else "a zip archive"
        )
        raise SourceFileError(
            f"{path}: this looks like {what}, not a CSV file; {_RESAVE}"
            if what.startswith("an Excel")
            else f"{path}: this looks like {what}, not a CSV file; unzip it and give the CSV inside"
        )
    for signature, what in _FILE_SIGNATURES:
        if data.startswith(signature):
            raise SourceFileError(f"{path}: this looks like {what}, not a CSV file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceFileError(
                f"{path}: starts like UTF-16 text but is not valid UTF-16; {_RESAVE}"
            ) from None
    if b"\x00" in data[:65536]:
        head = data[:4096]
        # UTF-16 saved without a byte-order mark: every other byte of plain text is zero.
        if head.count(b"\x00") >= len(head) // 3:
            raise SourceFileError(
                f"{path}: looks like UTF-16 text without a byte-order mark, which cannot be "
                f"read reliably; {_RESAVE}"
            )
        raise SourceFileError(
            f"{path}: contains binary data (NUL bytes), so it is not a CSV text file; {_RESAVE}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceFileError(
            f"{path}: line {line} (byte {error.start + 1}) is "
            f"neither UTF-8 nor Windows-1252 text; {_RESAVE}"
        ) from None


def _read_csv_text(path: Path, *, workbooks: bool = False) -> pl.DataFrame:
    """A CSV with every column as text (values are parsed explicitly, never guessed).

    Any of the encodings :func:`_decode_text` knows is read; with ``workbooks``, an Excel
    workbook (.xlsx) is read too (its first sheet, the header on the first row).
    """
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    data = path.read_bytes()
    if workbooks and data.startswith(b"PK\x03\x04") and b"xl/" in data[:4096]:
        frame = _read_excel(path, header_row=0)
        return frame.rename(lambda name: str(name).strip())
    text = _decode_text(data, path)
    if not text.strip():
        raise SourceFileError(f"{path}: the file is empty (rule: a header row, then data)")
    try:
        frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
    except pl.exceptions.PolarsError as error:
        ragged = _ragged_line(text)
        if ragged is not None:
            line, found, expected = ragged
            raise SourceFileError(
                f"{path}: line {line} has {found} fields where the header has {expected} (rule: "
                "every row has the header's columns; a comma inside a value needs quotes)"
            ) from None
        # Polars' own wording names its internals; keep only its first line.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "malformed"
        raise SourceFileError(f"{path}: could not be read as CSV ({reason})") from None
    return frame.rename(lambda name: name.strip())


def _ragged_line(text: str) -> tuple[int, int, int] | None:
    """(line number, fields, header fields) of the first row whose field count differs from
    the header's, read as the csv module reads quotes; None if every row fits."""
    import csv
    import io

    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    for row in rows:
        if row and len(row) != len(header):
            return rows.line_num, len(row), len(header)
    return None


def _read_header(path: Path) -> list[str]:
    """The column names of a CSV (first line), in any encoding :func:`_decode_text` reads."""
    head = path.read_bytes()[:65536]
    text = _decode_text(head, path) if head else ""
    return text.splitlines()[0].strip().split(",") if text else []


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
