"""Finding and reading an SSDA903 extract: a folder of CSV files or one Excel workbook.

Each file (or sheet) is recognised by its columns, not its name: an ``Episodes_2026.csv``
exported from Mosaic and a sheet called ``Sheet3`` are both found if they carry the
episodes columns (:data:`~lacompare.ssda903.layout.TABLES`). Everything is read as text; dates
and codes are parsed and checked later (:mod:`lacompare.ssda903.parse`), so a bad value is
reported with its file, row and column, never guessed.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple
from xml.etree.ElementTree import Element

import polars as pl

from lacompare._xml import records, text
from lacompare.errors import SourceFileError
from lacompare.sources._common import _read_csv_text
from lacompare.ssda903.layout import TABLES

#: Column holding a value's row in its file or sheet, counting the header as row 1 (so a CSV's
#: row is its line number, and a sheet's row is the row Excel shows).
ROW = "_row"


class Extract(NamedTuple):
    """The 903 tables found, as text, each with :data:`ROW`; where each came from; and the
    files or sheets that were not 903 tables (listed in the figures' notes)."""

    source: Path
    tables: dict[str, pl.DataFrame]
    files: dict[str, str]
    ignored: list[str]


def read_extract(source: str | Path) -> Extract:
    """The 903 tables in ``source``: a folder of CSV files (every ``*.csv`` directly in it),
    a ``.xlsx`` workbook with one sheet per table, or the return as one ``.xml`` file (the
    layout councils' systems send DfE)."""
    path = Path(source).expanduser()
    if path.is_file() and path.suffix.lower() == ".xml":
        return _read_xml(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        if not files:
            raise SourceFileError(f"{path}: no CSV files in this folder (rule: the 903 tables)")
        found = [(p.name, _read_csv_text(p)) for p in files]
    elif path.is_file() and path.suffix.lower() in {".xlsx", ".xlsm"}:
        found = [(f"{path.name}, sheet {name!r}", sheet) for name, sheet in _sheets(path)]
    elif path.exists():
        raise SourceFileError(
            f"{path}: not a folder of CSV files, an Excel workbook (.xlsx) or an XML return "
            "(rule: the 903 extract is one CSV per table in a folder, one sheet per table, or "
            "the XML file sent to DfE)"
        )
    else:
        raise SourceFileError(f"{path}: no such folder or file")
    return _recognise(path, found)


def _sheets(path: Path) -> list[tuple[str, pl.DataFrame]]:
    try:
        book = pl.read_excel(path, sheet_id=0, infer_schema_length=0)
    except Exception as error:  # fastexcel's own errors name its internals
        raise SourceFileError(f"{path}: could not be read as a workbook ({error})") from None
    return list(book.items())


def _recognise(source: Path, found: list[tuple[str, pl.DataFrame]]) -> Extract:
    tables: dict[str, pl.DataFrame] = {}
    files: dict[str, str] = {}
    ignored: list[str] = []
    for name, frame in found:
        frame = frame.rename(lambda c: str(c).strip().upper())
        table = _which_table(name, frame.columns)
        if table is None:
            ignored.append(name)
            continue
        if table in tables:
            raise SourceFileError(
                f"{source}: both {files[table]} and {name} hold the {table} table (rule: one "
                "file or sheet per table; join a multi-year extract into one file)"
            )
        tables[table] = _as_text(frame, table)
        files[table] = name
    return Extract(source, tables, files, ignored)


def _which_table(name: str, columns: list[str]) -> str | None:
    """The table whose identifying columns are all in ``columns``: the one with the most of
    them when several fit (a header file also has a uasc table's CHILD, SEX, DOB)."""
    present = set(columns)
    fits = [t for t in TABLES.values() if t.signature <= present]
    if not fits:
        return None
    best = max(len(t.signature) for t in fits)
    chosen = [t.name for t in fits if len(t.signature) == best]
    if len(chosen) > 1:
        raise SourceFileError(
            f"{name}: its columns fit more than one 903 table ({', '.join(chosen)}); "
            f"columns: {columns}"
        )
    return chosen[0]


def _as_text(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Every layout column as stripped text (blank -> null; a layout column the file lacks is
    all null, as older layouts lack some), plus the row number."""
    layout = TABLES[table].columns
    return frame.select(
        *(
            (
                pl.col(c).cast(pl.String).str.strip_chars().replace("", None)
                if c in frame.columns
                else pl.lit(None, pl.String)
            ).alias(c)
            for c in layout
        ),
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(ROW),
    )


# --------------------------------------------------------------------------------------------
# The XML return: EXPSSDA903/CHILD, each with a HEADER (the child's one-row tables inline, and
# a container per repeated record) and its EPISODEs.

#: Containers under HEADER (or CHILD), and the table each row of them belongs to.
XML_CONTAINERS = {
    "EPISODE": "episodes",
    "OC2": "oc2",
    "AREVIEW": "reviews",
    "AMISSING": "missing",
    "PERMANENCE": "previous_permanence",
    "AD_PLACED": "placed_for_adoption",
}
#: One-row-per-child tables whose columns sit directly in HEADER, and the columns that say a
#: child has a row in them.
XML_INLINE = {
    "header": ("CHILD",),
    "uasc": ("DUC",),
    "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("DATE_INT", "DATE_MATCH"),
}
#: XML element names that differ from the CSV columns.
XML_RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}


def _read_xml(path: Path) -> Extract:
    """The XML return as the same text tables the CSV files give (each row numbered by its
    element's place among its kind: row 5 of the EPISODE elements is the fifth)."""
    rows: dict[str, list[dict[str, str | None]]] = {name: [] for name in TABLES}
    tags: dict[str, str] = {}
    ignored: set[str] = set()
    for above, element in records(path, "CHILD", "an SSDA903 return"):
        if element.tag == "CHILD" and above[-1:] == ["EXPSSDA903"]:
            _child_rows(element, rows, tags, ignored)
    if not any(rows.values()):
        raise SourceFileError(
            f"{path}: not an SSDA903 return (no EXPSSDA903/CHILD elements with a HEADER)"
        )
    tables, files = {}, {}
    for name, found in rows.items():
        if not found:
            continue
        frame = pl.DataFrame(found, schema=dict.fromkeys(TABLES[name].columns, pl.String))
        tables[name] = _as_text(frame, name).with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW)
        )
        files[name] = f"{path.name} ({tags.get(name, 'HEADER')} elements)"
    return Extract(path, tables, files, sorted(f"{path.name}: {t} elements" for t in ignored))


def _child_rows(
    child: Element,
    rows: dict[str, list[dict[str, str | None]]],
    tags: dict[str, str],
    ignored: set[str],
) -> None:
    header = child.find("HEADER")
    leaves = _leaves(header)
    key = {"CHILD": leaves.get("CHILD"), "DOB": leaves.get("DOB"), "SEX": leaves.get("SEX")}
    for table, markers in XML_INLINE.items():
        if any(leaves.get(m) is not None for m in markers):
            rows[table].append(_layout_row(table, leaves))
    containers = [*(header if header is not None else []), *child]
    for element in containers:
        if len(element) == 0 or element.tag == "HEADER":
            continue
        found = XML_CONTAINERS.get(element.tag)
        if found is None:
            ignored.add(element.tag)
            continue
        tags[found] = element.tag
        rows[found].append(_layout_row(found, key | _leaves(element)))


def _leaves(parent: Element | None) -> dict[str, str | None]:
    """The parent's childless elements, tag -> text (CSV names)."""
    if parent is None:
        return {}
    return {XML_RENAMED.get(e.tag, e.tag): text(e) for e in parent if len(e) == 0}


def _layout_row(table: str, values: dict[str, str | None]) -> dict[str, str | None]:
    return {column: values.get(column) for column in TABLES[table].columns}
