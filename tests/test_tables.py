"""Board-paper tables and their exports: exact half-up numbers, escaping, every format."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.export import chromium_path
from lacompare.format import format_number
from lacompare.tables import model_of

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def derby_rows(ref: lacompare.ReferenceData) -> pl.DataFrame:
    return lacompare.compare(ref, "Derby")


@pytest.fixture(scope="module")
def derby_table(derby_rows: pl.DataFrame):
    return lacompare.board_table(derby_rows, title="Derby board table")


def half_up(value: float, decimals: int) -> str:
    """Independent of lacompare: decimal half-up of the value's shortest spelling."""
    quantum = Decimal(1).scaleb(-decimals)
    return f"{Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP):,}"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (2.5, 0, "3"),
        (0.125, 2, "0.13"),
        (12.25, 1, "12.3"),
        (-2.5, 0, "-3"),
        (2.675, 2, "2.68"),
        (2342.0, 0, "2,342"),
        (1234567.891, 2, "1,234,567.89"),
        (-0.004, 2, "0.00"),
        (0.0, 1, "0.0"),
        (71.900000000000006, 1, "71.9"),
        (285.0, 0, "285"),
    ],
)
def test_half_up_vectors(value: float, decimals: int, text: str) -> None:
    out = pl.DataFrame({"v": [value]}).select(format_number(pl.col("v"), decimals)).item()
    assert out == text


def test_every_displayed_number_is_half_up(derby_rows, derby_table) -> None:
    model = model_of(derby_table)
    assert model is not None
    frame = model.frame
    checked = 0
    for key, raw in (
        ("la", "la_value"),
        ("sn_average", "sn_average_value"),
        ("england", "england_value"),
        ("region", "region_value"),
        ("change", "change_from_previous"),
    ):
        for text, value, decimals, unit in frame.select(key, raw, "decimals", "unit").iter_rows():
            if unit == "count" and key in {"sn_average", "england", "region"}:
                assert text == "–", (key, text)  # a count is never set beside a total
                continue
            if value is None:
                assert text.startswith(("–", "[")), (key, text)
                continue
            # The figure itself: without its mark, unit, small-number counts ("(10 of 18)") or
            # the neighbours shown ("(7 of 10)").
            text = re.sub(r" \(\d[\d,]* of \d[\d,]*\)$", "", text)
            number = re.sub(r"( \[\w+\]|%| points?)$", "", text).removesuffix("%").lstrip("+")
            expected = half_up(value, decimals)
            if expected in {"-0", "-0.0", "-0.00"}:
                expected = expected.lstrip("-")
            assert number == expected, (key, text, value, decimals)
            checked += 1
    assert checked > 1500  # every numeric cell of Derby's 434 indicators
    html = derby_table.as_raw_html()
    for text in frame.get_column("la").to_list():
        assert text.replace("&", "&amp;") in html


def test_html_is_byte_identical(derby_rows) -> None:
    first = lacompare.board_table(derby_rows).as_raw_html()
    second = lacompare.board_table(derby_rows).as_raw_html()
    assert first == second


def test_status_marks_and_footnotes(ref) -> None:
    rows = lacompare.compare(ref, "Derby", indicators=["LAC", "PreChildDea"], period=2025)
    model = model_of(lacompare.board_table(rows))
    assert model is not None
    shown = dict(model.frame.select("indicator_id", "la").iter_rows())
    assert shown["prechilddea"] == "[x]"  # not available in 2025: a mark, never a zero
    assert any(note.startswith("[x] not available") for note in model.notes)


def test_colour_and_symbol_together(derby_table) -> None:
    model = model_of(derby_table)
    for (row, key), colour in model.fills.items():
        if key == "quartile_band":
            continue
        text = model.frame.row(row, named=True)[key]
        symbol = {"better": ("▲", "●"), "worse": ("▼",), "similar": ("●",)}[colour]
        assert text.startswith(symbol), (text, colour)


def test_board_table_needs_one_la(ref) -> None:
    both = lacompare.compare_all(ref, indicators="LAC").head(2)
    with pytest.raises(ValueError, match="one local authority"):
        lacompare.board_table(both)


def injected(ref: lacompare.ReferenceData) -> pl.DataFrame:
    rows = lacompare.compare(ref, "Derby", indicators=["LAC", "ReReferral"])
    name = (
        pl.when(pl.col("indicator_id") == "lac")
        .then(pl.lit("<script>alert('x')</script> looked after"))
        .otherwise(pl.lit('=HYPERLINK("http://evil","click")'))
    )
    return rows.with_columns(indicator_name=name, indicator_label=name)


def test_injection_is_escaped_or_inert(ref, tmp_path: Path) -> None:
    table = lacompare.board_table(injected(ref))
    html = table.as_raw_html()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    import docx
    import openpyxl

    lacompare.save(table, tmp_path / "t.docx")
    lacompare.save(table, tmp_path / "t.xlsx")
    lacompare.save(table, tmp_path / "t.csv")
    text = "\n".join(
        c.text for r in docx.Document(tmp_path / "t.docx").tables[0].rows for c in r.cells
    )
    assert "<script>alert('x')</script> looked after" in text  # plain text in Word
    cells = [
        c.value
        for r in openpyxl.load_workbook(tmp_path / "t.xlsx").active.iter_rows()
        for c in r
        if isinstance(c.value, str)
    ]
    assert '\'=HYPERLINK("http://evil","click")' in cells  # not a formula
    assert not any(str(c).startswith("=") for c in cells)
    import csv

    with (tmp_path / "t.csv").open() as handle:
        names = [row["indicator_name"] for row in csv.DictReader(handle)]
    assert '\'=HYPERLINK("http://evil","click")' in names


def test_docx_and_xlsx_hold_the_same_values_and_notes(derby_table, tmp_path: Path) -> None:
    import docx
    import openpyxl

    model = model_of(derby_table)
    lacompare.save(derby_table, tmp_path / "t.docx")
    lacompare.save(derby_table, tmp_path / "t.xlsx")
    document = docx.Document(tmp_path / "t.docx")
    grid = document.tables[0]
    word_rows = {r.cells[0].text: [c.text for c in r.cells] for r in grid.rows}
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    excel_rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    keys = list(model.columns)
    la_index = keys.index("la") + 1
    for row in model.frame.iter_rows(named=True):
        label = row["label"]
        assert word_rows[label][la_index] == row["la"]
        cell = excel_rows[label][la_index]
        if isinstance(cell, int | float):  # numbers stay numbers, unrounded
            assert cell == row["la_value"]
        else:
            assert cell == row["la"]
    paragraphs = [p.text for p in document.paragraphs]
    for note in (*model.notes, *model.source_notes):
        assert note in paragraphs
        assert note in excel_rows
    # Group rows: a merged cell per topic.
    assert "Children Looked After" in word_rows


def test_exports_are_deterministic_across_processes(tmp_path: Path) -> None:
    script = (
        "import sys, lacompare; from pathlib import Path; ref = lacompare.load_reference(); "
        "rows = lacompare.compare(ref, 'Derby', indicators='Children Looked After'); "
        "t = lacompare.board_table(rows); out = Path(sys.argv[1]); "
        "[lacompare.save(t, out / f't.{e}') for e in ('html', 'docx', 'xlsx', 'tex', 'csv')]; "
        "c = lacompare.trend_chart(ref, 'Derby', 'LAC'); "
        "[lacompare.save(c, out / f'c.{e}') for e in ('png', 'svg', 'html')]"
    )
    digests = []
    for run, seed in (("a", "1"), ("b", "2")):
        folder = tmp_path / run
        folder.mkdir()
        subprocess.run(
            [sys.executable, "-c", script, str(folder)],
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        digests.append(
            {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
        )
    assert digests[0] == digests[1]


# CI sets LACOMPARE_REQUIRE_BROWSER=1 after installing Chromium, so there these tests run.
needs_browser = pytest.mark.skipif(
    chromium_path() is None and os.environ.get("LACOMPARE_REQUIRE_BROWSER") != "1",
    reason="Chromium not installed (./run.sh browser installs it); PNG/PDF need a headless browser",
)


@needs_browser
def test_png_and_pdf(ref, tmp_path: Path) -> None:
    rows = lacompare.compare(ref, "Derby", indicators=["LAC", "ReReferral", "CPP_rate"])
    table = lacompare.board_table(rows)
    png = lacompare.save(table, tmp_path / "t.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 50_000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 1000 and height > 500
    pdf = lacompare.save(table, tmp_path / "t.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
    again = lacompare.save(table, tmp_path / "u.pdf").read_bytes()
    assert again == pdf  # fixed dates and title: identical bytes
    # ... and from a separate process too.
    script = (
        "import sys, lacompare; ref = lacompare.load_reference(); "
        "rows = lacompare.compare(ref, 'Derby', indicators=['LAC', 'ReReferral', 'CPP_rate']); "
        "t = lacompare.board_table(rows); lacompare.save(t, sys.argv[1]); "
        "lacompare.save(t, sys.argv[2])"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "v.png"), str(tmp_path / "v.pdf")], check=True
    )
    assert (tmp_path / "v.pdf").read_bytes() == pdf
    assert (tmp_path / "v.png").read_bytes() == png


@needs_browser
def test_pdf_is_an_a4_document_with_every_column_whole(derby_rows, tmp_path: Path) -> None:
    """A table saved as .pdf is a document (A4 landscape pages, its title, text that can be
    selected), not a picture of the screen: every header word is printed whole, every row's
    label is there, and the notes are said once."""
    from pypdf import PdfReader

    rows = derby_rows.filter(pl.col("topic") == pl.col("topic").first())
    table = lacompare.board_table(rows, title="Derby: one topic")
    reader = PdfReader(lacompare.save(table, tmp_path / "t.pdf"))
    assert reader.metadata.title == "Derby: one topic"
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 842) < 2 and abs(height - 595) < 2  # A4 landscape, points
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    model = model_of(table)
    for header in model.columns.values():
        for word in header.split():
            assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), word
    labels = model.frame.get_column(model.stub).to_list()
    assert all(" ".join(label.split()[:3]) in text for label in labels)
    assert text.count("Source: Department for Education") == 1


def test_missing_browser_is_a_clear_error(ref, tmp_path: Path, monkeypatch) -> None:
    import lacompare.export as export

    monkeypatch.setattr(export, "chromium_path", lambda: None)
    table = lacompare.board_table(lacompare.compare(ref, "Derby", indicators="LAC"))
    with pytest.raises(lacompare.BrowserMissingError, match="apt-get install chromium"):
        lacompare.save(table, tmp_path / "t.png")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_save_errors_and_atomicity(ref, tmp_path: Path) -> None:
    table = lacompare.board_table(lacompare.compare(ref, "Derby", indicators="LAC"))
    with pytest.raises(lacompare.ExportError, match="does not exist"):
        lacompare.save(table, tmp_path / "no" / "t.html")
    with pytest.raises(lacompare.ExportError, match="use one of"):
        lacompare.save(table, tmp_path / "t.txt")
    good = lacompare.save(table, tmp_path / "t.docx")
    before = good.read_bytes()
    with pytest.raises(lacompare.ExportError, match="overwrite=False"):
        lacompare.save(table, good, overwrite=False)
    from great_tables import GT

    with pytest.raises(lacompare.ExportError, match="made by lacompare"):
        lacompare.save(GT(pl.DataFrame({"a": [1]})), good)
    assert good.read_bytes() == before  # the good file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.docx"]  # no temporary left


def test_neighbour_table(ref) -> None:
    table = lacompare.neighbour_table(ref, "Derby", "LAC")
    model = model_of(table)
    names = model.frame.get_column("name").to_list()
    members = ref.neighbours_of("Derby").get_column("neighbour_name").to_list()
    assert set(members) | {"Derby"} <= set(names)
    assert names[-3:] == ["Statistical neighbour average", "East Midlands", "England"]
    people = model.frame.head(11).get_column("value").to_list()
    assert people == sorted(people, reverse=True)  # LAC has no polarity: highest first
    (derby_row,) = model.bold_rows
    assert names[derby_row] == "Derby"
    derby = lacompare.compare(ref, "Derby", indicators="LAC").row(0, named=True)
    assert model.frame.row(len(names) - 3, named=True)["value"] == derby["sn_average"]
    low = model_of(lacompare.neighbour_table(ref, "Derby", "ReReferral"))
    values = low.frame.head(11).get_column("value").to_list()
    assert values == sorted(values)  # low polarity: best (lowest) first


def test_trend_table(ref) -> None:
    table = lacompare.trend_table(ref, "Derby", ["LAC", "ReReferral"], periods=5)
    model = model_of(table)
    assert list(model.columns) == ["0", "1", "2", "3", "4", "change_text"]
    assert model.columns["4"] == "2025"
    lac = model.frame.filter(pl.col("indicator_id") == "lac")
    assert lac.get_column("label").to_list() == [
        "Derby",
        "East Midlands",
        "Statistical neighbours",
        "England",
    ]
    derby = lac.row(0, named=True)
    assert [derby[str(i)] for i in range(5)] == ["109", "107", "104", "99", "88"]
    assert derby["change_text"] == "-11"
    sn_2023 = lacompare.compare(ref, "Derby", indicators="LAC", period=2023)["sn_average"][0]
    assert lac.row(2, named=True)["2"] == format_number_text(sn_2023, 0)


def format_number_text(value: float, decimals: int) -> str:
    return pl.DataFrame({"v": [value]}).select(format_number(pl.col("v"), decimals)).item()


def test_organisation_palette(ref) -> None:
    palette = lacompare.Palette(better="#00ff00", worse="#ff00ff", header="#123456")
    rows = lacompare.compare(ref, "Derby", indicators=["ReReferral"])
    html = lacompare.board_table(rows, palette=palette).as_raw_html()
    assert "#123456" in html and "#ff00ff" in html.lower()


def test_docx_table_is_on_an_a4_page(derby_table, tmp_path: Path) -> None:
    """A board table saved alone as .docx is on an A4 page (python-docx's template is US
    Letter), landscape where portrait cannot hold it (as table_layout says)."""
    import zipfile
    from xml.etree import ElementTree

    from lacompare._office import table_layout

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    path = lacompare.save(derby_table, tmp_path / "derby.docx")
    document = ElementTree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    page = document.find(f".//{w}sectPr/{w}pgSz")
    width, height = int(page.get(f"{w}w")), int(page.get(f"{w}h"))
    assert sorted((width, height)) == [11906, 16838]  # A4 in twips
    landscape = table_layout(lacompare.export._model(derby_table, ".docx"), 9).landscape
    assert (width > height) == landscape
    # Every column inside the margins: the table shrinks (to 7.5 pt at the least) to fit.
    margins = document.find(f".//{w}sectPr/{w}pgMar")
    text_width = width - int(margins.get(f"{w}left")) - int(margins.get(f"{w}right"))
    for table in document.iter(f"{w}tbl"):
        assert sum(int(c.get(f"{w}w")) for c in table.iter(f"{w}gridCol")) <= text_width + 2
    sizes = {int(size.get(f"{w}val")) for size in document.iter(f"{w}sz")}
    assert min(sizes) >= 15  # half-points
    # Arial, the font the columns are measured in, and headings dark enough to read (the
    # template's Heading 2 blue, #4F81BD, is 3.9:1 on white).
    styles = ElementTree.fromstring(zipfile.ZipFile(path).read("word/styles.xml"))
    by_id = {style.get(f"{w}styleId"): style for style in styles.iter(f"{w}style")}
    assert by_id["Normal"].find(f"{w}rPr/{w}rFonts").get(f"{w}ascii") == "Arial"
    colour = by_id["Heading2"].find(f"{w}rPr/{w}color").get(f"{w}val")
    assert colour == lacompare.Palette().header.lstrip("#").upper()


def test_a_table_too_wide_for_any_page_is_refused(derby_rows, tmp_path: Path) -> None:
    import polars as pl

    from lacompare._office import table_layout
    from lacompare.export import ExportError

    table = lacompare.board_table(derby_rows)
    model = lacompare.export._model(table, ".docx")
    # Forty columns of whole sentences: no page holds them.
    wide = model.frame.with_columns(
        pl.lit("an unbreakable-word-of-great-length-indeed").alias(f"c{i}") for i in range(40)
    )
    too_wide = replace(model, frame=wide, columns={f"c{i}": f"C{i}" for i in range(40)})
    with pytest.raises(ExportError, match=r"do not fit across an A4 landscape page"):
        table_layout(too_wide, 9)


def test_xlsx_prints_on_a4_one_page_wide_with_its_header(derby_table, tmp_path: Path) -> None:
    import zipfile

    package = zipfile.ZipFile(lacompare.save(derby_table, tmp_path / "t.xlsx"))
    sheet = package.read("xl/worksheets/sheet1.xml").decode()
    setup = re.search(r"<pageSetup [^>]*>", sheet).group(0)
    assert 'paperSize="9"' in setup and 'orientation="landscape"' in setup  # 9 is A4
    assert 'fitToWidth="1"' in setup and 'fitToHeight="0"' in setup
    assert '<pageSetUpPr fitToPage="1"/>' in sheet
    workbook = package.read("xl/workbook.xml").decode()
    titles = re.search(r'name="_xlnm.Print_Titles"[^>]*>([^<]*)<', workbook).group(1)
    header_row = int(re.search(r"\$(\d+):\$\1", titles).group(1))
    from openpyxl import load_workbook

    rows = list(load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True))
    assert rows[header_row - 1][0] == model_of(derby_table).stub_header
