"""Saving tables: HTML, PNG/PDF (headless Chromium), Word, Excel, LaTeX and CSV.

:func:`save` chooses the format by extension. Word and Excel are built natively from the
table's :class:`~lacompare.tables.TableModel` (great_tables has no Word output): a real,
editable Word table with the same groups, shading, symbols, notes and sources, and an Excel
sheet whose numbers stay numbers (unrounded, displayed to the indicator's decimals). Every file
is written to a temporary file beside the target and renamed into place, so a failed save never
leaves a half-written file where a good one was. Outputs are deterministic: the same table gives
the same bytes (fixed document timestamps, stable table ids).
"""

from __future__ import annotations

import csv
import html
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from lacompare._office import (
    CSP_META,
    FIXED_TIME,
    LANGUAGE,
    BrowserMissingError,
    ExportError,
    a4_page,
    chromium_path,
    docx_table,
    house_styles,
    normalise_pdf,
    normalise_zip,
    print_pdf,
    stamp_document,
    table_layout,
    write_docx,
)
from lacompare.errors import LacompareError, user_facing
from lacompare.format import POINT, POINTS
from lacompare.tables import TableModel, body_rows, model_of

if TYPE_CHECKING:
    import altair as alt
    from great_tables import GT

    from lacompare.paper import BoardPaper

FORMATS = (".html", ".png", ".pdf", ".docx", ".xlsx", ".tex", ".csv")
CHART_FORMATS = (".png", ".svg", ".html")


@user_facing
def save(
    table: GT | alt.TopLevelMixin | BoardPaper,
    path: str | Path,
    *,
    overwrite: bool = True,
    charts: Sequence[alt.TopLevelMixin] = (),
) -> Path:
    """Write a table, a chart or a board paper to ``path``; the extension chooses the format.

    Board papers (:func:`lacompare.board_paper`): ``.docx`` (native, accessible Word),
    ``.html`` (one self-contained page) and ``.pdf`` (printed by headless Chromium).

    Tables (:data:`FORMATS`): ``.html`` a standalone page; ``.png`` a picture and ``.pdf`` A4
    landscape pages, through headless Chromium; ``.docx`` a native Word table on A4 (with
    ``charts`` placed under it);
    ``.xlsx`` a formatted sheet with numeric cells; ``.tex`` a LaTeX ``tabular``; ``.csv`` the
    underlying values, unrounded. Charts (:data:`CHART_FORMATS`): ``.png``, ``.svg`` and a
    self-contained ``.html``, rendered without a browser. Returns the path written.
    """
    if not isinstance(path, str | Path) or not str(path).strip():
        raise ExportError(f"save() needs a file path such as 'derby.docx', not {path!r}")
    target = Path(path)
    suffix = target.suffix.lower()
    if not (_is_paper(table) or _is_chart(table) or _is_table(table)):
        hint = (
            "; make it a table first (lacompare.board_table(rows)), or write the rows "
            "themselves with rows.write_csv(path)"
            if isinstance(table, pl.DataFrame)
            else ""
        )
        raise ExportError(
            "save() writes a table (board_table, neighbour_table, trend_table), a chart or a "
            f"board paper, not a {type(table).__module__.split('.')[0]} "
            f"{type(table).__name__}{hint}"
        )
    if _is_paper(table):
        from lacompare.paper.export import writers as paper_writers

        writers: dict[str, Callable[[Any, Path], None]] = paper_writers()
        kind, allowed = "a board paper", ".docx, .html, .pdf, .data.parquet (its data)"
    elif _is_chart(table):
        writers = {
            ".png": _write_chart,
            ".svg": _write_chart,
            ".html": _write_chart,
        }
        kind, allowed = "a chart", ", ".join(CHART_FORMATS)
    else:
        writers = {
            ".html": _write_html,
            ".png": _write_image,
            ".pdf": _write_pdf,
            ".docx": lambda t, p: _write_docx(t, p, charts),
            ".xlsx": _write_xlsx,
            ".tex": _write_tex,
            ".csv": _write_csv,
        }
        kind, allowed = "a table", ", ".join(FORMATS)
    if suffix not in writers:
        raise ExportError(
            f"{target}: cannot save {kind} as {suffix or 'a file without extension'!r}; "
            f"use one of {allowed}"
        )
    if not target.parent.is_dir():
        raise ExportError(f"{target}: the folder {target.parent} does not exist")
    if target.is_dir():
        raise ExportError(f"{target}: is a folder; give a file name such as {target / 'paper'}")
    if target.exists() and not overwrite:
        raise ExportError(f"{target}: the file exists and overwrite=False")
    if not os.access(target.parent, os.W_OK):
        raise ExportError(f"{target}: the folder {target.parent} is not writable")
    try:
        atomic_write(target, lambda temporary: writers[suffix](table, temporary))
    except LacompareError:
        raise
    except OSError as error:
        raise ExportError(f"{target}: could not be written ({error})") from None
    return target


#: Temporary files are named ``.lacompare-<random><ext>`` in the target's folder; one older
#: than this (left by a save that was killed) is removed by the next save there.
_TEMPORARY_PREFIX = ".lacompare-"
_STALE_SECONDS = 3600


def atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Write ``target`` so that no reader ever sees a half-written file and no failure leaves
    one: ``write`` fills a unique temporary file in the same folder (short name, so any valid
    target name works), which is flushed to disk and renamed over the target in one step
    (``os.replace`` is atomic on one file system). Concurrent saves of one path each rename
    their own complete file; on any error, or an interrupt, the temporary file is removed."""
    folder = target.parent
    _remove_stale_temporaries(folder)
    handle, name = tempfile.mkstemp(prefix=_TEMPORARY_PREFIX, suffix=target.suffix, dir=folder)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        # mkstemp makes a private file; give the result the usual permissions (umask applies).
        temporary.chmod(0o666 & ~_umask())
        os.replace(temporary, target)
        _fsync_folder(folder)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would race other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove temporary files a killed save left here (older than an hour; never a live one)."""
    now = time.time()
    for leftover in folder.glob(f"{_TEMPORARY_PREFIX}*"):
        try:
            if now - leftover.stat().st_mtime > _STALE_SECONDS:
                leftover.unlink()
        except OSError:
            continue


def _model(table: GT, fmt: str) -> TableModel:
    model = model_of(table)
    if model is None:
        raise ExportError(
            f"{fmt} output needs a table made by lacompare (board_table, neighbour_table or "
            "trend_table); save other great_tables tables as .html, .png or .pdf"
        )
    return model


# --------------------------------------------------------------------------------------------
# HTML, PNG, PDF


def _write_html(table: GT, path: Path) -> None:
    path.write_text(table_page_html(table), encoding="utf-8")


def table_page_html(table: GT) -> str:
    """The table as a page of its own: great_tables' page (which escapes every text it is
    given) with the document's language as UK English, a title, and a Content-Security-Policy
    that runs no script."""
    page = table.as_raw_html(make_page=True)
    model = model_of(table)
    title = html.escape(model.title if model is not None and model.title else "Table")
    head = f"<head>\n{CSP_META}\n<title>{title}</title>"
    if "<head>" not in page or '<html lang="en">' not in page:
        raise ExportError("great_tables wrote a page without <head> or <html lang>; cannot save")
    page = page.replace('<html lang="en">', f'<html lang="{LANGUAGE}">', 1)
    return page.replace("<head>", head, 1)


def _write_image(table: GT, path: Path) -> None:
    import nokap
    from nokap import _api

    if chromium_path() is None:
        raise BrowserMissingError(
            f"{path.suffix} output needs Chromium, which was not found. Install it (Debian: "
            "apt-get install chromium) or set CHROME_PATH; .html, .docx and .xlsx need no "
            "browser."
        )
    # nokap keeps one browser per process; start it ourselves to pass the flags a locked-down
    # machine needs: no sandbox when running as root, no background network traffic.
    if _api._browser is None or not _api._browser.is_alive():
        flags = [
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--disable-component-update",
            "--hide-scrollbars",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")
        try:
            _api._browser = nokap.Chrome(extra_args=flags)
        except Exception as error:
            raise BrowserMissingError(f"{path}: Chromium did not start ({error})") from None
    try:
        table.gtsave(path, vwidth=1600, vheight=1000, zoom=2, expand=10)
    except Exception as error:
        raise ExportError(f"{path}: Chromium could not render the table ({error})") from None
    if path.suffix.lower() == ".pdf":
        path.write_bytes(normalise_pdf(path.read_bytes()))


#: A table printed as a document: A4 landscape (the page board papers use for a wide
#: table), the table across the text width at 8 pt, its header on every page, its notes once
#: at the end (not repeated as a page footer), no row split.
_TABLE_PRINT_CSS = """
@page { size: A4 landscape; margin: 12mm; }
html, body { margin: 0 !important; padding: 0 !important; }
.gt_table { width: 100% !important; font-size: 8pt !important; table-layout: auto !important; }
thead { display: table-header-group; }
tfoot { display: table-row-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
body > div { padding: 0 !important; overflow: visible !important; }
"""


def _write_pdf(table: GT, path: Path) -> None:
    """The table as a document to print or attach: A4 landscape pages printed by headless
    Chromium from the table's own page (:data:`_TABLE_PRINT_CSS`), not a picture of it."""
    browser = chromium_path()
    if browser is None:
        raise BrowserMissingError(
            f"{path}: PDF output needs Chromium, which was not found. Install it (Debian: "
            "apt-get install chromium) or set CHROME_PATH; .html, .docx and .xlsx need no "
            "browser."
        )
    page = table_page_html(table).replace(
        "</head>", f"<style>{_TABLE_PRINT_CSS}</style>\n</head>", 1
    )
    model = model_of(table)
    title = model.title if model is not None and model.title else None
    path.write_bytes(normalise_pdf(print_pdf(page, path, browser), title=title))


def _is_paper(thing: object) -> bool:
    """A board paper (checked by module, so saving a table never imports the paper code)."""
    return type(thing).__module__ == "lacompare.paper.model"


def _is_table(thing: object) -> bool:
    """A great_tables table: there is none unless great_tables has been imported, so saving
    a paper never imports it (a seventh of a second)."""
    great_tables = sys.modules.get("great_tables")
    return great_tables is not None and isinstance(thing, great_tables.GT)


def _is_chart(thing: object) -> bool:
    """An Altair chart (checked by module, so saving a table never imports Altair)."""
    return type(thing).__module__.startswith("altair.")


def _write_chart(chart: alt.TopLevelMixin, path: Path) -> None:
    import vl_convert

    spec = chart.to_json()
    suffix = path.suffix.lower()
    if suffix == ".png":
        path.write_bytes(vl_convert.vegalite_to_png(spec, scale=2))
    elif suffix == ".svg":
        path.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
    else:  # a static page: the chart as an SVG image, no script (the CSP allows none)
        path.write_text(chart_page_html(chart, vl_convert.vegalite_to_svg(spec)), encoding="utf-8")


def chart_page_html(chart: alt.TopLevelMixin, svg: str) -> str:
    """A chart as a page of its own: UK English, a title, a Content-Security-Policy that runs
    no script, and the chart as an SVG image (an <img> never runs what an SVG holds) whose
    alt text is the chart's title and subtitle."""
    import base64

    title = chart.to_dict().get("title") or {}
    words = title if isinstance(title, str) else title.get("text") or "Chart"
    subtitle = "" if isinstance(title, str) else title.get("subtitle") or ""
    flat = [w for part in (words, subtitle) for w in ([part] if isinstance(part, str) else part)]
    alt_text = html.escape(". ".join(str(w) for w in flat if w), quote=True)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<!DOCTYPE html>\n<html lang="{LANGUAGE}">\n<head>\n<meta charset="utf-8">\n'
        f"{CSP_META}\n<title>{html.escape(str(flat[0]) if flat else 'Chart')}</title>\n"
        "</head>\n<body>\n<main>\n"
        f'<img src="data:image/svg+xml;base64,{data}" alt="{alt_text}">\n'
        "</main>\n</body>\n</html>\n"
    )


def _write_docx(table: GT, path: Path, charts: Sequence[alt.TopLevelMixin] = ()) -> None:
    from docx import Document
    from docx.shared import Cm, Pt

    model = _model(table, ".docx")
    document = Document()
    # A4, on a landscape page where portrait cannot hold the table (as in a paper).
    layout = table_layout(model, 9)
    a4_page(document.sections[0], landscape=layout.landscape)
    house_styles(document, model.palette.header, 11)
    stamp_document(document, model.title)
    document.add_heading(model.title, level=2)
    if model.subtitle:
        document.add_paragraph(model.subtitle)
    docx_table(
        document,
        model,
        caption=model.title,
        description=model.subtitle or model.title,
        layout=layout,
    )
    for chart in charts:  # under the table, as a board paper places them
        import vl_convert

        picture = io.BytesIO(vl_convert.vegalite_to_png(chart.to_json(), scale=2))
        document.add_picture(picture, width=Cm(16))
    for note in (*model.notes, *model.source_notes):
        paragraph = document.add_paragraph()
        run = paragraph.add_run(note)
        run.font.size = Pt(8)
    write_docx(document, path)


# --------------------------------------------------------------------------------------------
# Excel


def _write_xlsx(table: GT, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    model = _model(table, ".xlsx")
    palette = model.palette
    book = Workbook()
    book.properties.created = book.properties.modified = FIXED_TIME
    book.properties.creator = book.properties.lastModifiedBy = "lacompare"
    book.properties.title = _safe_text(model.title)
    sheet = book.active
    sheet.title = "Table"
    sheet.append([_safe_text(model.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    if model.subtitle:
        sheet.append([_safe_text(model.subtitle)])
    keys = list(model.columns)
    sheet.append([_safe_text(h) for h in (model.stub_header, *model.columns.values())])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color=palette.header_text.lstrip("#"))
        cell.fill = PatternFill("solid", fgColor=palette.header.lstrip("#"))
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    sheet.freeze_panes = f"B{header_row + 1}"
    frame_rows = model.frame.to_dicts()
    for kind, index, label, cells in body_rows(model):
        if kind == "group":
            sheet.append([_safe_text(label)])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            continue
        assert index is not None
        source = frame_rows[index]
        values: list[object] = [_safe_text(label)]
        formats: list[str | None] = [None]
        for key, text in zip(keys, cells, strict=True):
            number = _number(model, key, source)
            if number is not None:
                values.append(number[0])
                formats.append(number[1])
            else:
                values.append(_safe_text(text))
                formats.append(None)
        sheet.append(values)
        excel_row = sheet.max_row
        bold = index in model.bold_rows
        for column, shown_as in enumerate(formats, start=1):
            cell = sheet.cell(row=excel_row, column=column)
            if shown_as:
                cell.number_format = shown_as
            if bold:
                cell.font = Font(bold=True)
            colour_field = model.fills.get((index, keys[column - 2])) if column > 1 else None
            if colour_field:
                cell.fill = PatternFill("solid", fgColor=getattr(palette, colour_field).lstrip("#"))
    sheet.append([])
    for note in (*model.notes, *model.source_notes):
        sheet.append([_safe_text(note)])
    sheet.column_dimensions["A"].width = 60
    for column in range(2, len(keys) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    _print_setup(sheet, header_row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(normalise_zip(buffer.getvalue()))


def _print_setup(sheet: Any, header_row: int) -> None:
    """Printed, the sheet is A4 landscape, one page wide, with the header row on every page
    (Excel's default is the printer's paper, often US Letter, and columns cut across pages)."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"


def _number(model: TableModel, key: str, row: dict[str, object]) -> tuple[float, str] | None:
    """(unrounded value, Excel number format) for a numeric cell; None for text cells (and
    for cells whose value carries a status mark, which stay text so the mark is not lost)."""
    if key not in model.numbers:
        return None
    raw_column, decimals_column = model.numbers[key]
    value = row.get(raw_column)
    if value is None or not isinstance(value, int | float):
        return None
    text = str(row.get(key) or "")
    if "[" in text:  # "45.6 [p]": keep the status mark visible
        return None
    decimals = int(row.get(decimals_column) or 0)  # type: ignore[call-overload]
    number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
    if text.endswith("%"):
        number_format += '"%"'
    elif text.endswith((POINTS, POINT)):
        number_format += f'"{POINT if text.endswith(POINT) else POINTS}"'
    if text.startswith("+"):
        number_format = "+" + number_format + ";-" + number_format + ";" + number_format
    return float(value), number_format


def _safe_text(text: str) -> str:
    """Text a spreadsheet will not run: any text beginning = + - @, a tab or a carriage
    return (what Excel and LibreOffice read as a formula) starts with an apostrophe instead,
    as OWASP's CSV-injection advice says. Numbers are written as numbers, never as text."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


# --------------------------------------------------------------------------------------------
# LaTeX and CSV


def _write_tex(table: GT, path: Path) -> None:
    model = _model(table, ".tex")
    keys = list(model.columns)
    lines = [
        "% Written by lacompare. Needs \\usepackage{booktabs}.",
        "\\begin{table}[htbp]",
        "\\centering",
        f"\\caption{{{_latex(model.title)}}}",
        f"\\label{{tab:{model.table_id}}}",
        "\\begin{tabular}{l" + "r" * len(keys) + "}",
        "\\toprule",
        " & ".join(_latex(h) for h in [model.stub_header, *model.columns.values()]) + " \\\\",
        "\\midrule",
    ]
    for kind, index, label, cells in body_rows(model):
        if kind == "group":
            lines.append(
                f"\\multicolumn{{{len(keys) + 1}}}{{l}}{{\\textbf{{{_latex(label)}}}}} \\\\"
            )
            continue
        text = [_latex(label), *(_latex(c) for c in cells)]
        if index in model.bold_rows:
            text = [f"\\textbf{{{t}}}" for t in text]
        lines.append(" & ".join(text) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    for note in (*model.notes, *model.source_notes):
        lines.append(f"\\par\\smallskip\\footnotesize {_latex(note)}")
    lines.append("\\end{table}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


_LATEX_ESCAPES = {
    "\\": "\\textbackslash{}",
    "&": "\\&",
    "%": "\\%",
    "$": "\\$",
    "#": "\\#",
    "_": "\\_",
    "{": "\\{",
    "}": "\\}",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
    "–": "--",
    "▲": "$\\blacktriangle$",
    "▼": "$\\blacktriangledown$",
    "●": "$\\bullet$",
    "↑": "$\\uparrow$",
    "↓": "$\\downarrow$",
    "→": "$\\to$",
}


def _latex(text: str) -> str:
    """``text`` as LaTeX that typesets it: every special character escaped, and line breaks
    as spaces (a blank line would end a caption or a cell with an error)."""
    flat = " ".join(text.split("\n")).replace("\r", " ")
    return "".join(_LATEX_ESCAPES.get(character, character) for character in flat)


def _write_csv(table: GT, path: Path) -> None:
    model = _model(table, ".csv")
    raw = model.raw
    # Lists (e.g. recent values) become "a|b|c" so the file stays one value per cell.
    flat = raw.with_columns(
        pl.col(c).cast(pl.List(pl.String)).list.join("|")
        for c, dtype in raw.schema.items()
        if isinstance(dtype, pl.List)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_safe_text(c) for c in flat.columns])
    for row in flat.iter_rows():
        writer.writerow(
            [_safe_text(v) if isinstance(v, str) else ("" if v is None else repr(v)) for v in row]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")
