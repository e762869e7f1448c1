"""What Word and PDF output share, for tables (:mod:`lacompare.export`) and papers
(:mod:`lacompare.paper_export`) alike: document metadata, deterministic files, native Word
tables laid out for print, and printing HTML to PDF with headless Chromium.

Layout of a Word table (:func:`docx_table`): columns sized to their content (no column
narrower than its longest word, so nothing breaks inside a word; the label column at least a
quarter of the width; numbers narrow and right-aligned), every row kept whole on a page, the
header row repeated on each page and kept with the first body row, shading with a symbol and
word in every shaded cell. :func:`table_layout` says when a table needs a landscape page.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lacompare.errors import LacompareError
from lacompare.tables import TableModel, body_rows

#: Document timestamps written into table files, so outputs are byte-identical; a paper uses
#: the date it was written.
FIXED_TIME = dt.datetime(2000, 1, 1)
LANGUAGE = "en-GB"


#: Every HTML page lacompare writes runs no script and fetches nothing: images and fonts only
#: as data: URLs, styles only inline. Defence in depth behind escaping every user's text.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
    "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'


def css_string(text: str) -> str:
    """``text`` as a CSS string literal in which every character but letters, digits and
    spaces is a hex escape, so no quote, backslash, ``<`` or ``/`` of the user's survives to
    end the string, the declaration or the element it sits in. Each escape ends with the one
    space CSS takes as its terminator, so a real space after it is kept."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


class ExportError(LacompareError):
    """A table could not be saved (bad path, missing browser, unsupported format)."""


class BrowserMissingError(ExportError):
    """PNG / PDF output needs Chromium (or Chrome), which was not found."""


# --------------------------------------------------------------------------------------------
# Metadata and deterministic files


def stamp_document(
    document: Any, title: str, language: str = LANGUAGE, when: dt.datetime = FIXED_TIME
) -> None:
    """Metadata that makes the same content give the same bytes (``when`` for every date),
    the title (Word keeps at most 255 characters), and the document's language in its
    properties and its default text style (what spelling checkers and screen readers use)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = document.core_properties
    properties.created = properties.modified = when
    properties.last_printed = when
    properties.author = properties.last_modified_by = "lacompare"
    properties.title = title[:255]
    properties.language = language
    properties.revision = 1
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), language)


def write_docx(document: Any, path: Path, when: dt.datetime = FIXED_TIME) -> None:
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(normalise_zip(buffer.getvalue(), when))


def normalise_zip(data: bytes, when: dt.datetime = FIXED_TIME) -> bytes:
    """Rewrite a zip (docx, xlsx) with fixed entry dates and order, and the document's dates
    set to ``when`` (openpyxl stamps the save time), so the same content gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            content = source.read(name)
            if name == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, content)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Word tables laid out for print

#: Advance widths of Arial (and its metric twin Liberation Sans) in thousandths of an em,
#: regular and bold, for the printable ASCII characters (32-126); others count as an "M".
_ARIAL = (
    "278,278,355,556,556,889,667,191,333,333,389,584,278,333,278,278,556,556,556,556,556,556,"
    "556,556,556,556,278,278,584,584,584,556,1015,667,667,722,722,667,611,778,722,278,500,667,"
    "556,833,722,778,667,778,722,667,611,722,667,944,667,667,611,278,278,278,469,556,333,556,"
    "556,500,556,556,278,556,556,222,222,500,222,833,556,556,556,556,333,500,278,556,500,722,"
    "500,500,500,334,260,334,584"
)
_ARIAL_BOLD = (
    "278,333,474,556,556,889,722,238,333,333,389,584,278,333,278,278,556,556,556,556,556,556,"
    "556,556,556,556,333,333,584,584,584,611,975,722,722,722,722,667,611,778,722,278,556,722,"
    "611,833,722,778,667,778,722,667,611,722,667,944,667,667,611,333,278,333,584,556,333,556,"
    "611,556,611,556,333,611,611,278,278,556,278,889,611,611,611,611,389,556,333,611,556,778,"
    "556,556,500,389,280,389,584"
)
_WIDTHS = {
    bold: {chr(32 + i): int(w) / 1000 for i, w in enumerate(table.split(","))}
    for bold, table in ((False, _ARIAL), (True, _ARIAL_BOLD))
}
#: A little more than the metrics say: renderers differ (kerning, hinting, font fallback).
_SAFETY = 1.08
#: Left plus right cell margins (0.1 cm each, set on every table), in points.
CELL_MARGIN = 2.85
_CELL_PADDING = 2 * CELL_MARGIN + 1.0  # and the cell borders


def text_points(text: str, size: float, *, bold: bool = False) -> float:
    """The width of ``text`` in points at ``size`` points in Arial, from its metrics (a
    character outside ASCII counts as an "M"), with a small safety margin."""
    widths = _WIDTHS[bold]
    return sum(widths.get(character, 0.833) for character in text) * size * _SAFETY


@dataclass(frozen=True)
class TableLayout:
    """Column widths (points, label column first), the page orientation a table needs, and
    the font size (points) that lets it fit."""

    widths: tuple[float, ...]
    landscape: bool
    size: float


#: Text width of A4 with 18 mm margins, portrait and landscape, in points.
PORTRAIT_WIDTH = (210 - 36) / 25.4 * 72
LANDSCAPE_WIDTH = (297 - 36) / 25.4 * 72
#: The label column's share of the width, at least.
LABEL_SHARE = 0.25


def table_layout(model: TableModel, size: float) -> TableLayout:
    """Widths sized to content: every column at least as wide as its longest word (header
    words bold), so no word breaks; the label column at least a quarter of the width; the
    rest shared by how much more each column's longest cell wants (a figure on one line, a
    phrase on two, a sentence on six, the label on three). Where portrait cannot hold the
    columns at their narrowest, up to a point and a half smaller is tried (half a point at a
    time), then a landscape page: a three-row table a hair too wide reads better small than
    alone on a turned page."""
    for smaller in (size, size - 0.5, size - 1, size - 1.5):
        layout = _layout(model, smaller)
        if not layout.landscape:
            return layout
    return _layout(model, size)


def _layout(model: TableModel, size: float) -> TableLayout:
    columns = [model.stub_header, *model.columns.values()]
    cells: list[list[str]] = [[h] for h in columns]
    for kind, _, label, texts in body_rows(model):
        if kind != "row":
            continue
        for position, text in enumerate([label, *texts]):
            cells[position].append(text)
    shortest = []
    comfortable = []
    single_line = []
    for position, texts in enumerate(cells):
        words = [w for text in texts for w in text.split()] or [""]
        header_words = texts[0].split() or [""]
        narrowest = max(
            max(text_points(w, size) for w in words),
            max(text_points(w, size, bold=True) for w in header_words),
        )
        longest = max(text_points(text, size) for text in texts)
        figures = sum(looks_numeric(text) for text in texts[1:]) >= (len(texts) - 1) / 2
        # A figure on one line, a short phrase on two, a sentence on six, the label on three.
        lines = 3 if position == 0 else 1 if figures else 2 if longest < 25 * size * 0.55 else 6
        shortest.append(narrowest + _CELL_PADDING)
        comfortable.append(max(narrowest, longest / lines) + _CELL_PADDING)
        single_line.append(max(narrowest, longest) + _CELL_PADDING)
    landscape = _needs(shortest) > PORTRAIT_WIDTH
    page = LANDSCAPE_WIDTH if landscape else PORTRAIT_WIDTH
    # Each column its narrowest and the label its share; then room for comfortable wrapping;
    # then towards one line per cell; what is still left goes to the label column.
    widths = [max(shortest[0], LABEL_SHARE * page), *shortest[1:]]
    widths = _share(widths, comfortable, page)
    widths = _share(widths, single_line, page)
    widths[0] += max(page - sum(widths), 0.0)
    return TableLayout(tuple(widths), landscape, size)


def _needs(widths: list[float]) -> float:
    """The width columns need with the label column given at least its share."""
    rest = sum(widths[1:])
    return max(widths[0] + rest, rest / (1 - LABEL_SHARE))


def _share(start: list[float], wanted: list[float], page: float) -> list[float]:
    """Widths from ``start`` towards ``wanted``: the space left on ``page`` shared in
    proportion to how much more each column wants (never more than it wants)."""
    spare = page - sum(start)
    wants = [max(w - s, 0.0) for s, w in zip(start, wanted, strict=True)]
    total = sum(wants)
    if spare <= 0 or total == 0:
        return list(start)
    take = min(spare, total)
    return [s + take * want / total for s, want in zip(start, wants, strict=True)]


_NUMBER = re.compile(r"^[=+\-]?[£]?\d[\d,]*(?:\.\d+)?(?: ?%| pp)?(?: \[[a-zL]+\])*(?: \(.*\))?$")


def looks_numeric(text: str) -> bool:
    """A cell that holds a figure ("88", "23.1%", "+0.6 pp", "=26 of 151", "45.6 [p]")."""
    return bool(_NUMBER.match(text)) or bool(re.match(r"^=?\d+ of \d+$", text))


def docx_table(
    document: Any,
    model: TableModel,
    *,
    caption: str,
    description: str,
    font_size: float = 9,
    layout: TableLayout | None = None,
) -> Any:
    """Add ``model`` to a Word document as a native table laid out for print (see the module
    doc): a caption and description (``tblCaption`` / ``tblDescription``), the header row
    repeated on every page and marked as the header for screen readers, every row whole on a
    page, numbers right-aligned. Group rows are merged across the table only when the model
    has groups."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    palette = model.palette
    keys = list(model.columns)
    layout = layout or table_layout(model, font_size)
    font_size = layout.size
    grid = document.add_table(rows=1, cols=len(keys) + 1)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    table_properties = grid._tbl.tblPr
    for tag, text in (("w:tblCaption", caption), ("w:tblDescription", description)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), text)
        table_properties.append(element)
    fixed = OxmlElement("w:tblLayout")
    fixed.set(qn("w:type"), "fixed")
    table_properties.append(fixed)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(CELL_MARGIN * 20)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table_properties.append(margins)
    twips = [round(points * 20) for points in layout.widths]
    for column, width in zip(grid._tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        column.set(qn("w:w"), str(width))

    def shade(cell, colour: str) -> None:  # type: ignore[no-untyped-def]
        fill = OxmlElement("w:shd")
        fill.set(qn("w:val"), "clear")
        fill.set(qn("w:color"), "auto")
        fill.set(qn("w:fill"), colour.lstrip("#").upper())
        cell._tc.get_or_add_tcPr().append(fill)

    def write(cell, text: str, width: int, *, bold=False, colour=None, right=False) -> None:  # type: ignore[no-untyped-def]
        properties = cell._tc.get_or_add_tcPr()
        size = OxmlElement("w:tcW")
        size.set(qn("w:w"), str(width))
        size.set(qn("w:type"), "dxa")
        properties.insert(0, size)
        cell.text = ""
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_after = Pt(0)
        if right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(font_size)
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())

    def keep_whole(row) -> None:  # type: ignore[no-untyped-def]
        whole = OxmlElement("w:cantSplit")
        whole.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(whole)

    numeric = [
        any(looks_numeric(cells[i]) for kind, _, _, cells in body_rows(model) if kind == "row")
        for i in range(len(keys))
    ]
    header = grid.rows[0]
    # Repeat the header row on every page, mark it as a header for screen readers, keep it
    # whole and with the first body row.
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    keep_whole(header)
    texts = [model.stub_header, *model.columns.values()]
    for position, (cell, text) in enumerate(zip(header.cells, texts, strict=True)):
        right = position > 0 and numeric[position - 1]
        write(cell, text, twips[position], bold=True, colour=palette.header_text, right=right)
        cell.paragraphs[0].paragraph_format.keep_with_next = True
        shade(cell, palette.header)
    rows = body_rows(model)
    for number, (kind, index, label, cells) in enumerate(rows):
        row = grid.add_row()
        keep_whole(row)
        if kind == "group":
            merged = row.cells[0].merge(row.cells[-1])
            write(merged, label, sum(twips), bold=True)
            merged.paragraphs[0].paragraph_format.keep_with_next = True
            continue
        bold = index in model.bold_rows
        write(row.cells[0], label, twips[0], bold=bold)
        for position, (key, text) in enumerate(zip(keys, cells, strict=True), start=1):
            cell = row.cells[position]
            write(cell, text, twips[position], bold=bold, right=looks_numeric(text))
            colour_field = model.fills.get((index, key)) if index is not None else None
            if colour_field:
                shade(cell, getattr(palette, colour_field))
            elif bold:
                shade(cell, palette.highlight)
        if keeps_with_next(number, len(rows)):
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    return grid


#: A table of this many body rows or fewer is never split across pages; a longer one keeps
#: its caption, header and first rows together (never one or two rows at a page's foot).
SHORT_TABLE_ROWS = 8
FIRST_ROWS_KEPT = 3


def keeps_with_next(number: int, rows: int) -> bool:
    """Whether body row ``number`` (0-based) of ``rows`` is kept on the page of the next:
    every row but the last of a short table, and the first rows of a long one."""
    if number >= rows - 1:
        return False
    return rows <= SHORT_TABLE_ROWS or number < FIRST_ROWS_KEPT - 1


# --------------------------------------------------------------------------------------------
# Chromium: PNG and PDF


def chromium_path() -> str | None:
    """The Chromium / Chrome binary PNG and PDF output will use (None if there is none)."""
    import nokap

    try:
        return str(nokap.find_chrome())
    except Exception:  # nokap raises its own error types when nothing is found
        return None


def print_pdf(html: str, path: Path, browser: str) -> bytes:
    """The HTML page printed to PDF by headless Chromium (the page's own @page rules set the
    paper size, margins and running footer)."""
    with tempfile.TemporaryDirectory(prefix="lacompare-print-") as folder:
        page = Path(folder) / "paper.html"
        page.write_text(html, encoding="utf-8")
        printed = Path(folder) / "paper.pdf"
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={printed}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--no-sandbox")
        command.append(page.as_uri())
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ExportError(f"{path}: Chromium could not print ({error})") from None
        if not printed.is_file():
            raise ExportError(
                f"{path}: Chromium could not print (exit {run.returncode}: "
                f"{run.stderr.strip()[-300:]})"
            )
        return printed.read_bytes()


def normalise_pdf(data: bytes, when: dt.datetime = FIXED_TIME, title: str | None = None) -> bytes:
    """Chromium stamps each PDF with the time it was printed: put ``when`` in its place (the
    same length, so the cross-reference offsets stay right). Without a ``title`` the page's
    temporary file name Chromium used as the title is blanked; with one, the title Chromium
    took from the page's <title> is kept."""
    stamp = when.strftime("%Y%m%d%H%M%S").encode()

    def same_length(match: re.Match[bytes]) -> bytes:
        return match.group(1) + b" " * len(match.group(2)) + match.group(3)

    if title is None:
        data = re.sub(rb"(/Title \()([^)]*)(\))", same_length, data, count=1)
    data = _renumber_nodes(data)
    return re.sub(rb"(/(?:CreationDate|ModDate) \(D:)(\d{14})", rb"\g<1>" + stamp, data)


def _renumber_nodes(data: bytes) -> bytes:
    """Chromium names the tagged PDF's table cells by its internal DOM node ids ("node00000075"
    for a header a cell points to), which depend on what else the browser was doing: number
    them in order of first appearance instead (the same length, so offsets stay right)."""
    numbers: dict[bytes, bytes] = {}

    def renumber(match: re.Match[bytes]) -> bytes:
        node = match.group(1)
        if node not in numbers:
            numbers[node] = b"%08d" % (len(numbers) + 1)
        return b"(node" + numbers[node] + b")"

    return re.sub(rb"\(node(\d{8})\)", renumber, data)
