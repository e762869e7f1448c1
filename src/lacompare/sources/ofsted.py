"""Ofsted's inspection outcomes workbook (``.ods``) -> each LA's latest judgements."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import polars as pl

from lacompare.errors import DataValidationError, SourceFileError
from lacompare.sources._common import _read_excel, _require_columns
from lacompare.vocab import OFSTED_GRADES, OFSTED_JUDGEMENTS

# --------------------------------------------------------------------------------------------
# Ofsted inspection judgements

OFSTED_FILE = "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
OFSTED_SHEET = "Inspections_as_at_31_March"


def read_ofsted_judgements(path: Path, areas: pl.DataFrame) -> pl.DataFrame:
    """Ofsted's "LA inspection outcomes as at 31 March" workbook (sheet
    ``Inspections_as_at_31_March``: a title row, a note row, then the table) -> one row per
    LA with its latest ILACS inspection dates and judgements.

    Area codes are resolved to the current LA's code (Ofsted still uses the pre-2024 codes of
    Barnsley and Sheffield); a code that names no current LA, a date that is not a date or a
    grade outside Ofsted's four is an error naming the spreadsheet row.
    """
    title = _read_excel(path, header_row=0, sheet=OFSTED_SHEET, has_header=False)
    as_at_match = re.search(r"as at (\d{1,2} \w+ \d{4})", str(title.item(0, 0)))
    if as_at_match is None:
        raise SourceFileError(
            f"{path}: sheet {OFSTED_SHEET!r} cell A1 should say 'as at <date>', found "
            f"{title.item(0, 0)!r}"
        )
    as_at = datetime.strptime(as_at_match.group(1), "%d %B %Y").date()
    frame = _read_excel(path, header_row=2, sheet=OFSTED_SHEET)
    source = f"{path.name}, sheet {OFSTED_SHEET}"
    wanted = {
        "Local authority area code": "ofsted_code",
        "Local authority name": "la_name",
        "Ofsted region": "ofsted_region",
        "Inspection date": "inspection_text",
        "Publication date": "publication_text",
        **{heading: column for column, heading in OFSTED_JUDGEMENTS.items()},
    }
    _require_columns(frame, list(wanted), source=source)
    frame = (
        frame.select(pl.col(list(wanted)).str.strip_chars())
        .rename(wanted)
        .with_columns(row=pl.int_range(pl.len()) + 4)  # spreadsheet row: 3 rows above, 1-based
        .filter(pl.col("ofsted_code").is_not_null())
    )
    # Dates arrive as ISO text ("2023-07-10T00:00:00") from the ODS reader.
    frame = frame.with_columns(
        inspection_date=pl.col("inspection_text").str.slice(0, 10).str.to_date(strict=False),
        publication_date=pl.col("publication_text").str.slice(0, 10).str.to_date(strict=False),
    )
    _check_dates_and_grades(frame, source)
    current = areas.filter(pl.col("current"), pl.col("level") == "local_authority")
    codes = pl.concat(
        [
            current.select(ofsted_code="area_code", area_code="area_code"),
            current.select(ofsted_code="former_codes", area_code="area_code").explode(
                "ofsted_code"
            ),
        ]
    ).drop_nulls()
    resolved = frame.join(codes, on="ofsted_code", how="left")
    unknown = resolved.filter(pl.col("area_code").is_null())
    if unknown.height:
        raise DataValidationError(
            f"{source}: row {unknown.item(0, 'row')}, column 'Local authority area code': "
            f"{unknown.item(0, 'ofsted_code')!r} ({unknown.item(0, 'la_name')}) is not a current "
            f"local authority (rule: every inspection is of a known LA; {unknown.height} row(s))"
        )
    return resolved.select(
        "area_code",
        "la_name",
        "ofsted_region",
        "inspection_date",
        "publication_date",
        *OFSTED_JUDGEMENTS,
        as_at=pl.lit(as_at, pl.Date),
        source=pl.lit(f"Ofsted, Local authority inspection outcomes as at {as_at_match.group(1)}"),
    ).sort("area_code")


def _check_dates_and_grades(frame: pl.DataFrame, source: str) -> None:
    """Every inspection has dates, and every judgement is one of Ofsted's four grades (care
    leavers may be blank: judged only since 2023); an error names the spreadsheet row."""
    for column in ("inspection_date", "publication_date"):
        bad = frame.filter(pl.col(column).is_null())
        if bad.height:
            raise DataValidationError(
                f"{source}: row {bad.item(0, 'row')}, column {column}: "
                f"{bad.item(0, column.replace('_date', '_text'))!r} is not a date "
                f"(rule: every inspection has dates; {bad.height} row(s))"
            )
    for column in OFSTED_JUDGEMENTS:
        required = column != "care_leavers"
        bad = frame.filter(~pl.col(column).is_in(list(OFSTED_GRADES)).fill_null(not required))
        if bad.height:
            raise DataValidationError(
                f"{source}: row {bad.item(0, 'row')}, column {OFSTED_JUDGEMENTS[column]!r}: "
                f"{bad.item(0, column)!r} is not an Ofsted grade (rule: one of "
                f"{', '.join(OFSTED_GRADES)}; {bad.height} row(s))"
            )
