"""Ofsted inspection judgements: the frame built from Ofsted's .ods matches the file, read here
independently (the ODS XML itself, not the reader lacompare uses), and bad rows are named."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest

import lacompare
from lacompare.sources import OFSTED_FILE, OFSTED_SHEET, read_ofsted_judgements
from lacompare.vocab import OFSTED_JUDGEMENTS

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def ods_rows(path: Path, sheet: str) -> list[list[str]]:
    """The sheet's cells as text (dates as ISO dates), straight from content.xml."""
    root = ElementTree.fromstring(zipfile.ZipFile(path).read("content.xml"))
    table_tag = f"{{{NS['table']}}}"
    office_tag = f"{{{NS['office']}}}"
    (table,) = [t for t in root.iter(f"{table_tag}table") if t.get(f"{table_tag}name") == sheet]
    rows = []
    for row in table.iter(f"{table_tag}table-row"):
        cells: list[str] = []
        for cell in row.findall(f"{table_tag}table-cell"):
            repeat = int(cell.get(f"{table_tag}number-columns-repeated", "1"))
            date = cell.get(f"{office_tag}date-value")
            text = date[:10] if date else "".join(cell.itertext()).strip()
            cells.extend([text] * min(repeat, 20))
        rows.append(cells)
    return rows


@pytest.fixture(scope="module")
def published(shared_data: Path) -> dict[str, dict[str, str]]:
    rows = ods_rows(shared_data / "ees" / OFSTED_FILE, OFSTED_SHEET)
    header = rows[2]
    table = [dict(zip(header, r, strict=False)) for r in rows[3:] if len(r) > 2 and r[1]]
    return {r["Local authority name"]: r for r in table}


def test_every_judgement_matches_the_ods(ref: lacompare.ReferenceData, published) -> None:
    assert ref.ofsted is not None
    assert ref.ofsted.height == len(published) == 153
    by_name = {r["la_name"]: r for r in ref.ofsted.iter_rows(named=True)}
    for name, row in published.items():
        ours = by_name[name]
        assert ours["inspection_date"] == dt.date.fromisoformat(row["Inspection date"]), name
        assert ours["publication_date"] == dt.date.fromisoformat(row["Publication date"]), name
        for column, heading in OFSTED_JUDGEMENTS.items():
            assert (ours[column] or "") == row.get(heading, ""), (name, heading)


def test_derby_and_its_neighbours(ref: lacompare.ReferenceData) -> None:
    rows = ref.ofsted_judgements("Derby")
    assert rows.height == 11
    derby = rows.row(0, named=True)
    assert (derby["name"], derby["role"], derby["overall_effectiveness"]) == (
        "Derby",
        "selected",
        "Outstanding",
    )
    assert derby["inspection_date"] == dt.date(2022, 3, 21)
    assert derby["care_leavers"] is None  # judged separately only from January 2023
    assert rows.get_column("name").to_list()[1:3] == ["Coventry", "Bolton"]


def test_old_area_codes_resolve_to_current_las(ref: lacompare.ReferenceData) -> None:
    # Ofsted still lists Barnsley and Sheffield under their pre-2024 codes.
    sheffield = ref.ofsted_judgements("Sheffield", neighbours=None).row(0, named=True)
    assert sheffield["area_code"] == "E08000039"
    assert sheffield["overall_effectiveness"] == "Good"


def copy_with_edit(src: Path, dst: Path, old: bytes, new: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "content.xml":
                assert old in data
                data = data.replace(old, new, 1)
            zout.writestr(item, data)
    return dst


def test_a_grade_outside_ofsteds_four_is_named(
    ref: lacompare.ReferenceData, shared_data: Path, tmp_path: Path
) -> None:
    bad = copy_with_edit(
        shared_data / "ees" / OFSTED_FILE, tmp_path / OFSTED_FILE, b">Outstanding<", b">Superb<"
    )
    with pytest.raises(lacompare.DataValidationError, match=r"row \d+, column .*'Superb'"):
        read_ofsted_judgements(bad, ref.areas)


def test_an_unknown_area_code_is_named(
    ref: lacompare.ReferenceData, shared_data: Path, tmp_path: Path
) -> None:
    bad = copy_with_edit(
        shared_data / "ees" / OFSTED_FILE, tmp_path / OFSTED_FILE, b">E06000015<", b">E06000999<"
    )
    with pytest.raises(lacompare.DataValidationError, match=r"E06000999.*not a current"):
        read_ofsted_judgements(bad, ref.areas)


def test_schema_rules_on_the_frame(ref: lacompare.ReferenceData, tmp_path: Path) -> None:
    assert ref.ofsted is not None
    broken = ref.ofsted.with_columns(
        publication_date=pl.when(pl.col("la_name") == "Derby")
        .then(pl.date(2000, 1, 1))
        .otherwise("publication_date")
    )
    target = tmp_path / "data"
    shutil.copytree(ref.path, target)  # type: ignore[arg-type]
    broken.write_parquet(target / "ofsted.parquet")
    with pytest.raises(lacompare.DataValidationError, match="publication_date"):
        lacompare.load_reference(target)
