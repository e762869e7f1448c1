"""Writing a :class:`~lacompare.paper.BoardPaper`: native Word, one self-contained HTML file,
and PDF (the HTML printed by headless Chromium). :func:`lacompare.save` calls these.

Accessibility (WCAG 2.2 AA, as public-sector papers must meet) is built in rather than left to
the reader: A4 pages; UK English as the document language; the title as Heading 1 and each
section as Heading 2; every table with a caption, a description, a header row that repeats on
each page and is marked as the header, and no merged cells in its body; every chart with alt
text that states its finding; dark text on every fill (contrast at least 4.5:1) and a symbol and
word wherever colour is used. The same paper gives the same bytes on every run.
"""

from __future__ import annotations

import base64
import html
import io
import os
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lacompare.tables import Palette, TableModel

if TYPE_CHECKING:
    from lacompare.paper import BoardPaper, Table

LANGUAGE = "en-GB"
#: Text colour for headings and captions: the table header's dark blue (contrast 12:1 on white).
HEADING_COLOUR = Palette().header


# --------------------------------------------------------------------------------------------
# Word


def write_paper_docx(paper: BoardPaper, path: Path) -> None:
    from docx import Document
    from docx.shared import Cm, Mm, Pt, RGBColor

    from lacompare.export import docx_table, stamp_document, write_docx
    from lacompare.paper import Figure, Paragraph, Table

    document = Document()
    stamp_document(document, paper.title, LANGUAGE)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(18))
    # The template's blue headings (Heading 2 is #4F81BD, 3.9:1 on white) fail WCAG contrast.
    for style_name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption"):
        document.styles[style_name].font.color.rgb = RGBColor.from_string(
            HEADING_COLOUR.lstrip("#").upper()
        )
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)

    document.add_heading(paper.title, level=1)
    for part in paper.sections:
        document.add_heading(part.heading, level=2)
        for block in part.blocks:
            if isinstance(block, Paragraph):
                style = "List Bullet" if block.kind == "item" else None
                paragraph = document.add_paragraph(block.text, style=style)
                if block.kind == "note":
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
            elif isinstance(block, Table):
                document.add_paragraph(block.caption, style="Caption")
                docx_table(
                    document,
                    block.model,
                    caption=block.caption,
                    description=block.description,
                    font_size=8,
                )
                for note in (*block.model.notes, *block.model.source_notes):
                    run = document.add_paragraph().add_run(note)
                    run.font.size = Pt(8)
            elif isinstance(block, Figure):
                shape = document.add_picture(io.BytesIO(block.png), width=Cm(16))
                properties = shape._inline.docPr
                properties.set("descr", block.alt)
                properties.set("title", block.caption)
                document.add_paragraph(block.caption, style="Caption")
    write_docx(document, path)


# --------------------------------------------------------------------------------------------
# HTML

_CSS = f"""
@page {{ size: A4; margin: 18mm; }}
body {{ font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; font-size: 11pt;
  line-height: 1.4; max-width: 190mm; margin: 1em auto; padding: 0 1em; }}
h1, h2, h3 {{ color: {HEADING_COLOUR}; }}
h1 {{ font-size: 20pt; }} h2 {{ font-size: 15pt; margin-top: 1.4em; }}
table {{ border-collapse: collapse; font-size: 8.5pt; margin: 0.6em 0 0.3em; width: 100%;
  table-layout: fixed; }}
th:first-child {{ width: 22%; }}
th, td {{ overflow-wrap: break-word; hyphens: auto; }}
h2, h3, caption {{ break-after: avoid; page-break-after: avoid; }}
caption {{ caption-side: top; text-align: left; font-weight: bold; padding: 0.3em 0;
  color: {HEADING_COLOUR}; font-size: 10pt; }}
th, td {{ border: 1px solid #6f777b; padding: 2px 4px; vertical-align: top; }}
thead {{ display: table-header-group; }}
thead th {{ background: {HEADING_COLOUR}; color: #ffffff; text-align: left; }}
tbody th {{ text-align: left; font-weight: normal; }}
td.number {{ text-align: right; white-space: nowrap; }}
tr.highlight th, tr.highlight td {{ font-weight: bold; }}
tr {{ page-break-inside: avoid; }}
p.note, p.table-note {{ font-size: 8.5pt; margin: 0.2em 0; }}
figure {{ margin: 0.8em 0; page-break-inside: avoid; }}
figure img {{ max-width: 100%; height: auto; }}
figcaption {{ font-size: 9pt; font-weight: bold; color: {HEADING_COLOUR}; }}
"""


def paper_html(paper: BoardPaper) -> str:
    """The paper as one self-contained HTML page (charts inlined as data, no external
    resources), for the browser or for printing to PDF."""
    from lacompare.paper import Figure, Paragraph, Table

    palette = Palette()
    fills = "\n".join(
        f".fill-{name} {{ background: {getattr(palette, name)}; }}"
        for name in ("better", "similar", "worse", "highlight")
    )
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{LANGUAGE}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(paper.title)}</title>",
        f"<style>{_CSS}{fills}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(paper.title)}</h1>",
    ]
    for part in paper.sections:
        out.append(f"<section>\n<h2>{_e(part.heading)}</h2>")
        in_list = False
        for block in part.blocks:
            is_item = isinstance(block, Paragraph) and block.kind == "item"
            if in_list and not is_item:
                out.append("</ul>")
                in_list = False
            if isinstance(block, Paragraph):
                if is_item:
                    if not in_list:
                        out.append("<ul>")
                        in_list = True
                    out.append(f"<li>{_e(block.text)}</li>")
                else:
                    css = ' class="note"' if block.kind == "note" else ""
                    out.append(f"<p{css}>{_e(block.text)}</p>")
            elif isinstance(block, Table):
                out.append(_html_table(block))
            elif isinstance(block, Figure):
                data = base64.b64encode(block.png).decode("ascii")
                out.append(
                    f'<figure>\n<img src="data:image/png;base64,{data}" alt="{_e(block.alt)}">\n'
                    f"<figcaption>{_e(block.caption)}</figcaption>\n</figure>"
                )
        if in_list:
            out.append("</ul>")
        out.append("</section>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_table(block: Table) -> str:
    from lacompare.export import _body_rows

    model: TableModel = block.model
    keys = list(model.columns)
    head = "".join(
        f'<th scope="col">{_e(text)}</th>' for text in [model.stub_header, *model.columns.values()]
    )
    rows = []
    for kind, index, label, cells in _body_rows(model):
        if kind == "group":  # paper tables have no groups; kept for other models
            rows.append(f'<tr><th scope="rowgroup" colspan="{len(keys) + 1}">{_e(label)}</th></tr>')
            continue
        highlight = index in model.bold_rows
        tds = []
        for key, text in zip(keys, cells, strict=True):
            classes = []
            fill = model.fills.get((index, key)) if index is not None else None
            if fill:
                classes.append(f"fill-{fill}")
            elif highlight:
                classes.append("fill-highlight")
            if key in model.numbers or key in {"rank", "change"}:
                classes.append("number")
            css = f' class="{" ".join(classes)}"' if classes else ""
            tds.append(f"<td{css}>{_e(text)}</td>")
        row_css = ' class="highlight"' if highlight else ""
        rows.append(f'<tr{row_css}><th scope="row">{_e(label)}</th>{"".join(tds)}</tr>')
    notes = "".join(
        f'<p class="table-note">{_e(note)}</p>' for note in (*model.notes, *model.source_notes)
    )
    return (
        f'<table id="{_e(model.table_id)}" aria-describedby="{_e(model.table_id)}-description">\n'
        f"<caption>{_e(block.caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        f'<p class="table-note" id="{_e(model.table_id)}-description">{_e(block.description)}</p>'
        f"{notes}"
    )


def write_paper_html(paper: BoardPaper, path: Path) -> None:
    path.write_text(paper_html(paper), encoding="utf-8")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------------------------
# PDF


def write_paper_pdf(paper: BoardPaper, path: Path) -> None:
    """The HTML printed to A4 PDF by headless Chromium (Debian's package, or Chrome)."""
    from lacompare.export import BrowserMissingError, ExportError, _normalise_pdf, chromium_path

    browser = chromium_path()
    if browser is None:
        raise BrowserMissingError(
            f"{path}: PDF output needs Chromium, which was not found. Install it (Debian: "
            "apt-get install chromium) or set CHROME_PATH; .docx and .html need no browser."
        )
    with tempfile.TemporaryDirectory(prefix="lacompare-paper-") as folder:
        page = Path(folder) / "paper.html"
        page.write_text(paper_html(paper), encoding="utf-8")
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
            run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ExportError(f"{path}: Chromium could not print the paper ({error})") from None
        if not printed.is_file():
            raise ExportError(
                f"{path}: Chromium could not print the paper (exit {run.returncode}: "
                f"{run.stderr.strip()[-300:]})"
            )
        path.write_bytes(_normalise_pdf(printed.read_bytes()))


def writers() -> dict[str, Any]:
    """Extension -> writer, for :func:`lacompare.save`."""
    return {".docx": write_paper_docx, ".html": write_paper_html, ".pdf": write_paper_pdf}
