"""Writing a :class:`~lacompare.paper.BoardPaper`: native Word, one self-contained HTML file,
and PDF (the HTML printed by headless Chromium). :func:`lacompare.save` calls these.

Accessibility (WCAG 2.2 AA, as public-sector papers must meet) is built in rather than left to
the reader: A4 pages; UK English as the document language; the title as Heading 1 and each
section as Heading 2; every table with a caption, a description, a header row that repeats on
each page and is marked as the header, and no merged cells in its body; every chart with alt
text that states its finding; dark text on every fill (contrast at least 4.5:1) and a symbol and
word wherever colour is used.

Print layout (:mod:`lacompare._office`): table columns sized to their content, numbers
right-aligned, rows never split across pages, a table too wide for portrait on a landscape
page of its own; every page carries the paper's title and date and "Page X of Y" (Word
fields; CSS page margin boxes in HTML and PDF). The PDF's title is the paper's and its dates
the date written, so the same paper gives the same bytes on every run.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path
from typing import Any

from lacompare._office import (
    CSP_META,
    LANGUAGE,
    PORTRAIT_WIDTH,
    SHORT_TABLE_ROWS,
    BrowserMissingError,
    a4_page,
    add_styled,
    chromium_path,
    css_string,
    docx_table,
    house_styles,
    keeps_with_next,
    normalise_pdf,
    print_pdf,
    stamp_document,
    table_layout,
    write_docx,
)
from lacompare.paper.model import (
    AUTHOR_PLACEHOLDER,
    BoardPaper,
    Figure,
    Paragraph,
    Table,
)
from lacompare.paper.words import long_date
from lacompare.tables import Palette, TableModel, body_rows

#: Text colour for headings and captions: the table header's dark blue (contrast 12:1 on white).
HEADING_COLOUR = Palette().header
#: Font sizes (points) of body text and of tables.
BODY_SIZE, TABLE_SIZE = 11, 8
#: Chromium draws the same Arial metrics a little wider: tables are laid out for 8.5 pt.
HTML_TABLE_SIZE = TABLE_SIZE + 1


def _written(paper: BoardPaper) -> dt.datetime:
    return dt.datetime.combine(paper.written, dt.time(9, 0))


# --------------------------------------------------------------------------------------------
# Word


def write_paper_docx(paper: BoardPaper, path: Path) -> None:
    from docx import Document

    document = Document()
    author = None if paper.author == AUTHOR_PLACEHOLDER else paper.author
    stamp_document(document, paper.title, LANGUAGE, _written(paper), author=author)
    a4_page(document.sections[0], landscape=False)
    _furniture(document.sections[0], paper)
    house_styles(document, HEADING_COLOUR, BODY_SIZE)
    document.styles["Caption"].paragraph_format.keep_with_next = True

    add_styled(document, paper.title, "Heading 1")
    landscape = False
    for part in paper.sections:
        # A heading is never the last line of a page.
        add_styled(document, part.heading, "Heading 2").paragraph_format.keep_with_next = True
        for index, block in enumerate(part.blocks):
            if isinstance(block, Paragraph):
                _docx_paragraph(document, block)
                # A paragraph that introduces a figure or a short table goes to the page it
                # is on (with its heading: headings keep with the next paragraph).
                after = part.blocks[index + 1] if index + 1 < len(part.blocks) else None
                if isinstance(after, Figure) or (
                    isinstance(after, Table) and after.model.frame.height <= SHORT_TABLE_ROWS
                ):
                    document.paragraphs[-1].paragraph_format.keep_with_next = True
            elif isinstance(block, Table):
                layout = table_layout(block.model, TABLE_SIZE)
                if layout.landscape != landscape:
                    landscape = layout.landscape
                    _new_section(document, landscape)
                _docx_table_block(document, block, layout)
            elif isinstance(block, Figure):
                _docx_figure(document, block, landscape)
        if landscape:  # back to portrait after a section's wide table
            landscape = False
            _new_section(document, landscape)
    write_docx(document, path, _written(paper))


def _docx_paragraph(document: Any, block: Any) -> None:
    from docx.shared import Pt

    if block.kind == "item":
        paragraph = add_styled(document, block.text, "List Bullet")
    else:
        paragraph = document.add_paragraph(block.text)
    if block.kind == "note":
        for run in paragraph.runs:
            run.font.size = Pt(9)


def _docx_table_block(document: Any, block: Table, layout: Any) -> None:
    from docx.shared import Pt

    add_styled(document, block.caption, "Caption")
    grid = docx_table(
        document,
        block.model,
        caption=block.caption,
        description=block.description,
        font_size=TABLE_SIZE,
        layout=layout,
    )
    notes = (*block.model.notes, *block.model.source_notes)
    if notes:  # a table's notes (its legend) go to the page its last row is on
        for cell in grid.rows[-1].cells:
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    for number, note in enumerate(notes):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        paragraph.paragraph_format.keep_with_next = number < len(notes) - 1
        run = paragraph.add_run(note)
        run.font.size = Pt(8)


def _docx_figure(document: Any, block: Any, landscape: bool) -> None:
    from docx.shared import Pt

    width = block.width * (PORTRAIT_WIDTH if not landscape else PORTRAIT_WIDTH * 1.2)
    shape = document.add_picture(io.BytesIO(block.png), width=Pt(width))
    properties = shape._inline.docPr
    properties.set("descr", block.alt)
    properties.set("title", block.caption)
    # The picture and its caption stay on one page; the caption (unlike a table's, which
    # comes first) does not hold on to what follows, or a full-page chart would drag the
    # next heading and its paragraph with it and the whole chain would be broken somewhere.
    document.paragraphs[-1].paragraph_format.keep_with_next = True
    caption = add_styled(document, block.caption, "Caption")
    caption.paragraph_format.keep_with_next = False


def _new_section(document: Any, landscape: bool) -> None:
    """A new page in the other orientation; its header and footer continue the paper's."""
    from docx.enum.section import WD_SECTION

    section = document.add_section(WD_SECTION.NEW_PAGE)
    a4_page(section, landscape=landscape)


def _furniture(section: Any, paper: BoardPaper) -> None:
    """The header (the paper's title and date) and footer ("Page X of Y", from Word's PAGE and
    NUMPAGES fields) of every page."""
    from docx.shared import Pt

    header = section.header.paragraphs[0]
    run = header.add_run(f"{paper.title}. {long_date(paper.written)}")
    run.font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    for part in ("Page ", "PAGE", " of ", "NUMPAGES"):
        if part in {"PAGE", "NUMPAGES"}:
            _field(footer, part)
        else:
            footer.add_run(part).font.size = Pt(8)


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) as a complex field Word updates when it lays out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def part(kind: str) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(8)
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    part("begin")
    instruction = paragraph.add_run()
    instruction.font.size = Pt(8)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {code} "
    instruction._r.append(text)
    part("separate")
    shown = paragraph.add_run("1")  # what shows until Word updates the field
    shown.font.size = Pt(8)
    part("end")


# --------------------------------------------------------------------------------------------
# HTML

_CSS = f"""
@page {{ size: A4; margin: 20mm 18mm 22mm 18mm;
  @top-left {{ content: var(--running); font: 8pt Arial, sans-serif; color: #505a5f; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
    font: 8pt Arial, sans-serif; color: #505a5f; }} }}
@page wide {{ size: A4 landscape; }}
body {{ font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; font-size: {BODY_SIZE}pt;
  line-height: 1.4; max-width: 190mm; margin: 1em auto; padding: 0 1em; }}
h1, h2, h3 {{ color: {HEADING_COLOUR}; }}
h1 {{ font-size: 20pt; }} h2 {{ font-size: 15pt; margin-top: 1.4em; }}
table {{ border-collapse: collapse; margin: 0.6em 0 0.3em; width: 100%;
  table-layout: fixed; }}
th, td {{ border: 1px solid #6f777b; padding: 2px 4px; vertical-align: top;
  overflow-wrap: normal; word-break: normal; hyphens: manual; }}
h2, h3, caption {{ break-after: avoid; page-break-after: avoid; }}
caption {{ caption-side: top; text-align: left; font-weight: bold; padding: 0.3em 0;
  color: {HEADING_COLOUR}; font-size: 10pt; }}
thead {{ display: table-header-group; break-after: avoid; page-break-after: avoid; }}
tbody tr:first-child {{ break-before: avoid; page-break-before: avoid; }}
thead th {{ background: {HEADING_COLOUR}; color: #ffffff; text-align: left; }}
thead th.number {{ text-align: right; }}
tbody th {{ text-align: left; font-weight: normal; }}
td.number {{ text-align: right; }}
.keep {{ break-inside: avoid; page-break-inside: avoid; }}
tr.highlight th, tr.highlight td {{ font-weight: bold; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
tr.with-next {{ break-after: avoid; page-break-after: avoid; }}
p.note, p.table-note {{ font-size: 8.5pt; margin: 0.2em 0; }}
figure {{ margin: 0.8em 0; break-inside: avoid; page-break-inside: avoid; }}
figure img {{ max-width: 100%; height: auto; }}
figcaption {{ font-size: 9pt; font-weight: bold; color: {HEADING_COLOUR}; }}
.wide {{ page: wide; }}
@media screen {{ .wide {{ max-width: none; }} }}
@media print {{ body {{ max-width: none; margin: 0; padding: 0; }}
  a {{ color: inherit; text-decoration: none; }} }}
"""


def paper_html(paper: BoardPaper) -> str:
    """The paper as one self-contained HTML page (charts inlined as data, no external
    resources), for the browser or for printing to PDF."""

    palette = Palette()
    fills = "\n".join(
        f".fill-{name} {{ background: {getattr(palette, name)}; }}"
        for name in ("better", "similar", "worse", "highlight")
    )
    # The running header is the one place user text meets CSS: it is kept out of <style> (an
    # inline custom property on the root, which the page margin boxes inherit), every
    # character but letters and digits a CSS escape, and the attribute HTML-escaped too.
    running = css_string(f"{paper.title}. {long_date(paper.written)}")
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{LANGUAGE}" style="--running: {_e(running)}">',
        "<head>",
        '<meta charset="utf-8">',
        CSP_META,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="author" content="{_e(paper.author)}">',
        f'<meta name="date" content="{paper.written.isoformat()}">',
        f"<title>{_e(paper.title)}</title>",
        f"<style>{_CSS}{fills}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(paper.title)}</h1>",
    ]
    for part in paper.sections:
        out.append(f'<section id="{_e(part.anchor)}">\n<h2>{_e(part.heading)}</h2>')
        in_list = False
        for index, block in enumerate(part.blocks):
            is_item = isinstance(block, Paragraph) and block.kind == "item"
            after = part.blocks[index + 1] if index + 1 < len(part.blocks) else None
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
                    # A paragraph introducing a short table stays on the table's page.
                    if _kept_whole(after):
                        out.append('<div class="keep">')
                    out.append(f"<p{css}>{_e(block.text)}</p>")
            elif isinstance(block, Table):
                out.append(_html_table(block))
                before = part.blocks[index - 1] if index else None
                if _kept_whole(block) and isinstance(before, Paragraph) and before.kind != "item":
                    out.append("</div>")
            elif isinstance(block, Figure):
                data = base64.b64encode(block.png).decode("ascii")
                out.append(
                    f'<figure>\n<img src="data:image/png;base64,{data}" alt="{_e(block.alt)}">\n'
                    f"<figcaption>{_e(block.caption)}</figcaption>\n</figure>"
                )
                before = part.blocks[index - 1] if index else None
                if isinstance(before, Paragraph) and before.kind != "item":
                    out.append("</div>")
        if in_list:
            out.append("</ul>")
        out.append("</section>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


#: An HTML table of this many body rows or fewer is printed whole on one page.
HTML_WHOLE_ROWS = 15


def _kept_whole(block: object) -> bool:
    """A block printed on one page, with the paragraph that introduces it: a figure, or a
    short table."""

    return isinstance(block, Figure) or (
        isinstance(block, Table) and block.model.frame.height <= HTML_WHOLE_ROWS
    )


def _html_table(block: Table) -> str:
    from lacompare._office import looks_numeric

    model: TableModel = block.model
    keys = list(model.columns)
    rows_text = body_rows(model)
    numeric = [
        any(looks_numeric(cells[i]) for kind, _, _, cells in rows_text if kind == "row")
        for i in range(len(keys))
    ]
    head = f'<th scope="col">{_e(model.stub_header)}</th>' + "".join(
        f'<th scope="col"{" class=" + chr(34) + "number" + chr(34) if numeric[i] else ""}>'
        f"{_e(text)}</th>"
        for i, text in enumerate(model.columns.values())
    )
    rows = []
    for number, (kind, index, label, cells) in enumerate(rows_text):
        # The first rows stay with the caption and header (a long table never starts with
        # one row at a page's foot); a short one is kept whole by its wrapper.
        kept = keeps_with_next(number, len(rows_text))
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
            if looks_numeric(text):
                classes.append("number")
            css = f' class="{" ".join(classes)}"' if classes else ""
            tds.append(f"<td{css}>{_e(text)}</td>")
        row_classes = " ".join(c for c, on in (("highlight", highlight), ("with-next", kept)) if on)
        row_css = f' class="{row_classes}"' if row_classes else ""
        rows.append(f'<tr{row_css}><th scope="row">{_e(label)}</th>{"".join(tds)}</tr>')
    notes = "".join(
        f'<p class="table-note">{_e(note)}</p>' for note in (*model.notes, *model.source_notes)
    )
    layout = table_layout(model, HTML_TABLE_SIZE)
    total = sum(layout.widths)
    colgroup = "".join(f'<col style="width: {100 * w / total:.1f}%">' for w in layout.widths)
    table = (
        f'<table id="{_e(model.table_id)}" aria-describedby="{_e(model.table_id)}-description"'
        f' style="font-size: {layout.size - 0.5}pt">\n'
        f"<caption>{_e(block.caption)}</caption>\n<colgroup>{colgroup}</colgroup>\n"
        f"<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        f'<p class="table-note" id="{_e(model.table_id)}-description">{_e(block.description)}</p>'
        f"{notes}"
    )
    rows_count = sum(kind == "row" for kind, *_ in rows_text)
    wrapper = " ".join(
        c for c, on in (("wide", layout.landscape), ("keep", rows_count <= HTML_WHOLE_ROWS)) if on
    )
    return f'<div class="{wrapper}">{table}</div>' if wrapper else table


def write_paper_html(paper: BoardPaper, path: Path) -> None:
    path.write_text(paper_html(paper), encoding="utf-8")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------------------------
# PDF


def write_paper_pdf(paper: BoardPaper, path: Path) -> None:
    """The HTML printed to A4 PDF by headless Chromium (Debian's package, or Chrome), with the
    paper's title in its metadata and the date written as its dates."""
    browser = chromium_path()
    if browser is None:
        raise BrowserMissingError(
            f"{path}: PDF output needs Chromium, which was not found. Install it (Debian: "
            "apt-get install chromium) or set CHROME_PATH; .docx and .html need no browser."
        )
    printed = print_pdf(paper_html(paper), path, browser)
    path.write_bytes(normalise_pdf(printed, _written(paper), title=paper.title))


def writers() -> dict[str, Any]:
    """Extension -> writer, for :func:`lacompare.save`."""
    from lacompare.since import write_paper_data

    return {
        ".docx": write_paper_docx,
        ".html": write_paper_html,
        ".pdf": write_paper_pdf,
        ".parquet": write_paper_data,  # the paper's data, for "since the last paper"
    }
