"""How a paper looks, read from the files written: Word tables sized to their content with rows
that never split and numbers right-aligned, page furniture in every format, the PDF's
metadata, a spine chart, and charts whose labels never overlap and whose text is readable."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

import lacompare
from lacompare._office import chromium_path, looks_numeric

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DATE = dt.date(2026, 11, 25)
NEEDS_BROWSER = pytest.mark.skipif(
    chromium_path() is None and os.environ.get("LACOMPARE_REQUIRE_BROWSER") != "1",
    reason="PDF output needs Chromium (./run.sh browser installs it; CI does)",
)


#: The council's targets, so the paper's Target column goes through every layout check too.
TARGETS = {
    "indicator": ["LACDistance", "CareLeaverEET", "LAC"],
    "target": ["20", "50", "80"],
    "direction": [None, None, "lower"],
    "source": ["Corporate parenting strategy 2025-28"] * 3,
}


@pytest.fixture(scope="module", params=["published", "with targets"])
def paper(request, ref) -> lacompare.BoardPaper:
    targets = TARGETS if request.param == "with targets" else None
    return lacompare.board_paper(ref, "Derby", "corporate-parenting", written=DATE, targets=targets)


@pytest.fixture(scope="module")
def docx(paper, tmp_path_factory) -> ElementTree.Element:
    path = lacompare.save(paper, tmp_path_factory.mktemp("layout") / "derby.docx")
    package = zipfile.ZipFile(path)
    return ElementTree.fromstring(package.read("word/document.xml")), package


def text_of(element: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def test_word_tables_are_sized_to_their_content(docx) -> None:
    document, _ = docx
    tables = list(document.iter(f"{W}tbl"))
    assert len(tables) >= 8
    for table in tables:
        widths = [int(c.get(f"{W}w")) for c in table.iter(f"{W}gridCol")]
        caption = table.find(f"{W}tblPr/{W}tblCaption").get(f"{W}val")
        if len(widths) > 3:
            assert len(set(widths)) > 1, caption  # never every column the same width
        assert widths[0] >= 0.25 * sum(widths) - 1, caption  # the label column's quarter
        assert table.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"


def test_word_rows_never_split_and_headers_repeat(docx) -> None:
    document, _ = docx
    for table in document.iter(f"{W}tbl"):
        rows = table.findall(f"{W}tr")
        for row in rows:
            assert row.find(f"{W}trPr/{W}cantSplit") is not None
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        # The header is kept with the first body row.
        assert all(p.find(f"{W}pPr/{W}keepNext") is not None for p in rows[0].iter(f"{W}p"))


#: ECMA-376's order of a table's properties (CT_TblPr), and of a cell's (CT_TcPr), a
#: paragraph's (CT_PPr) and a run's (CT_RPr) as far as lacompare writes them: Word may refuse
#: a document whose elements come out of order or twice.
SCHEMA_ORDER = {
    "tblPr": ["tblStyle", "tblW", "jc", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
              "tblDescription"],
    "tcPr": ["tcW", "gridSpan", "vMerge", "tcBorders", "shd"],
    "pPr": ["pStyle", "keepNext", "keepLines", "spacing", "jc"],
    "rPr": ["b", "color", "sz"],
}  # fmt: skip


def test_word_table_properties_in_schema_order_once_each(docx) -> None:
    document, _ = docx
    for table in document.iter(f"{W}tbl"):
        for kind, order in SCHEMA_ORDER.items():
            for properties in table.iter(f"{W}{kind}"):
                tags = [child.tag.removeprefix(W) for child in properties]
                assert len(tags) == len(set(tags)), (kind, tags)  # none twice
                known = [tag for tag in tags if tag in order]
                assert known == sorted(known, key=order.index), (kind, tags)
        for run in table.iter(f"{W}r"):  # no empty runs
            assert run.find(f"{W}t") is not None, ElementTree.tostring(run)
        for cell in table.iter(f"{W}tc"):
            assert len(cell.findall(f"{W}tcPr/{W}tcW")) == 1


def test_word_numbers_are_right_aligned(docx) -> None:
    document, _ = docx
    numbers = right = 0
    for table in document.iter(f"{W}tbl"):
        for row in table.findall(f"{W}tr")[1:]:
            for cell in row.findall(f"{W}tc")[1:]:
                text = text_of(cell)
                if re.fullmatch(r"[=+\-]?[\d,]+(\.\d+)?( ?%| points?)?", text):
                    numbers += 1
                    jc = cell.find(f".//{W}pPr/{W}jc")
                    right += jc is not None and jc.get(f"{W}val") == "right"
    assert numbers > 100
    assert right / numbers >= 0.9, (right, numbers)


def test_word_headers_never_break_inside_a_word(docx, paper) -> None:
    """Each column is at least as wide as its longest header word (bold, in the table's
    size): estimated with Arial's metrics, the font the document sets."""
    from lacompare._office import _CELL_PADDING, text_points

    document, _ = docx
    for table in document.iter(f"{W}tbl"):
        widths = [int(c.get(f"{W}w")) / 20 for c in table.iter(f"{W}gridCol")]
        header = table.findall(f"{W}tr")[0]
        size = int(header.find(f".//{W}rPr/{W}sz").get(f"{W}val")) / 2
        for width, cell in zip(widths, header.findall(f"{W}tc"), strict=True):
            for word in text_of(cell).split():
                # Widths are stored in twentieths of a point: allow for that rounding.
                assert text_points(word, size, bold=True) + _CELL_PADDING <= width + 0.05, word


def test_word_page_furniture(docx) -> None:
    document, package = docx
    footers = [n for n in package.namelist() if n.startswith("word/footer")]
    headers = [n for n in package.namelist() if n.startswith("word/header")]
    assert footers and headers
    footer = package.read(footers[0]).decode()
    assert "PAGE" in footer and "NUMPAGES" in footer and "Page " in footer
    header = package.read(headers[0]).decode()
    assert "Corporate parenting committee" in header and "25 November 2026" in header
    core = package.read("docProps/core.xml").decode()
    assert "2026-11-25" in core and "2000-01-01" not in core
    # A4 throughout; landscape sections only where a table needs one.
    for size in document.iter(f"{W}pgSz"):
        w, h = int(size.get(f"{W}w")), int(size.get(f"{W}h"))
        assert {abs(w - 11906) <= 2, abs(h - 11906) <= 2} & {True}


def test_paper_holds_a_spine_chart_with_its_counts(paper) -> None:
    spine = [f for f in paper.figures() if "Spine chart" in f.caption]
    assert len(spine) == 1
    assert re.search(r"\d+ better than England, \d+ similar to England", spine[0].alt)
    assert spine[0].width == 1.0


def test_html_has_a_title_and_print_rules(paper, tmp_path: Path) -> None:
    page = lacompare.save(paper, tmp_path / "p.html").read_text(encoding="utf-8")
    assert f"<title>{paper.title}</title>" in page.replace("&#x27;", "'")
    assert "@page" in page and "@media print" in page
    assert 'counter(page) " of " counter(pages)' in page
    ids = re.findall(r'<section id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


@NEEDS_BROWSER
def test_pdf_title_page_numbers_and_whole_header_words(paper, tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = lacompare.save(paper, tmp_path / "p.pdf")
    reader = PdfReader(path)
    assert reader.metadata.title == paper.title
    assert reader.metadata.creation_date.date() == DATE
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"{number} of {total}" in text, number
    words = " ".join(pages)
    headers = {
        word
        for table in paper.tables()
        for header in (table.model.stub_header, *table.model.columns.values())
        for word in re.findall(r"[A-Za-z]{5,}", header)
    }
    assert headers
    missing = [w for w in headers if not re.search(rf"\b{w}\b", words)]
    assert not missing, missing


# --------------------------------------------------------------------------------------------
# Charts: labels, contrast, truncated axes, one source line


def scene_texts(chart) -> list[dict]:
    """Every text the chart draws, with its box estimated from its position, alignment,
    baseline and size (vl-convert's scenegraph: a group mark's items carry the offset of what
    they hold)."""
    import vl_convert

    scene = vl_convert.vegalite_to_scenegraph(chart.to_json())["scenegraph"]
    out: list[dict] = []

    def mark(node: dict, dx: float, dy: float) -> None:
        if node.get("marktype") == "group":
            for item in node.get("items", []):
                x, y = dx + (item.get("x") or 0), dy + (item.get("y") or 0)
                for child in item.get("items", []):
                    mark(child, x, y)
        elif node.get("marktype") == "text":
            for item in node.get("items", []):
                text = item.get("text")
                if text in (None, ""):
                    continue
                lines = text if isinstance(text, list) else [text]
                size = item.get("fontSize", 11)
                width = max(len(str(t)) for t in lines) * size * 0.6
                height = size * len(lines)
                x = dx + (item.get("x") or 0) + (item.get("dx") or 0)
                y = dy + (item.get("y") or 0) + (item.get("dy") or 0)
                align = item.get("align", "left")
                left = x - width if align == "right" else x - width / 2 if align == "center" else x
                base = item.get("baseline", "alphabetic")
                top = y if base == "top" else y - height / 2 if base == "middle" else y - height
                if item.get("angle"):  # a rotated axis title: its box turns too
                    left, top = x - height / 2, y - width / 2
                    width, height = height, width
                out.append(
                    {
                        "text": " ".join(map(str, lines)),
                        "role": node.get("role"),
                        "box": (left, top, left + width, top + height),
                        "fill": item.get("fill"),
                    }
                )

    mark(scene, 0, 0)
    return out


def overlaps(a, b) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def contrast(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("kind", ["neighbours", "trend", "spine"])
def test_chart_labels_never_overlap_and_are_readable(ref, kind: str) -> None:
    if kind == "neighbours":
        chart = lacompare.neighbour_chart(ref, "Derby", "LACStable_2016on", source=False)
    elif kind == "trend":
        chart = lacompare.trend_chart(ref, "Derby", "LACHealth%", source=False)
    else:
        from lacompare.presets import PRESETS

        rows = lacompare.compare(ref, "Derby", indicators=PRESETS["corporate-parenting"])
        chart = lacompare.charts.spine_chart(rows)
    texts = [t for t in scene_texts(chart) if t["role"] not in {"title", "legend-title"}]
    marks = [t for t in texts if t["role"] == "mark" and t["text"] != "≈"]
    axis = [t for t in texts if t["role"] in {"axis-label", "axis-title"}]
    for i, label in enumerate(marks):
        for other in marks[i + 1 :] + axis:
            assert not overlaps(label["box"], other["box"]), (label["text"], other["text"])
    for text in texts:
        fill = text["fill"]
        if isinstance(fill, str) and fill.startswith("#"):
            assert contrast(fill) >= 4.5, (text["text"], fill)


def test_truncated_axis_is_marked_and_the_paper_has_one_source_line_per_section(ref, paper) -> None:
    spec = lacompare.trend_chart(ref, "Derby", "LACHealth%", source=False).to_json()
    assert "does not start at zero" in spec and "≈" in spec
    assert "Source:" not in spec
    for section in paper.sections:
        sources = [b for b in section.blocks if getattr(b, "text", "").startswith("Source:")]
        tables = [b for b in section.blocks if hasattr(b, "model")]
        assert len(sources) <= 1, section.heading
        for table in tables:
            assert not any(n.startswith("Source:") for n in table.model.source_notes[:0])


def test_number_cells_are_recognised() -> None:
    for text in (
        "88",
        "23.1%",
        "+0.6 points",
        "=26 of 151",
        "45.6 [p]",
        "81,770",
        "100% (19 of 19)",
    ):
        assert looks_numeric(text), text
    for text in ("Good", "31 March 2025", "● Similar", "–"):
        assert not looks_numeric(text), text


def test_the_overlap_check_can_fail() -> None:
    """The check above finds a label drawn over another and over an axis label."""
    import altair as alt

    data = alt.Data(values=[{"x": 1, "y": 1, "t": "England: 10.0%"}, {"x": 1, "y": 1, "t": "x"}])
    chart = alt.layer(
        alt.Chart(data).mark_text(align="left").encode(x="x:Q", y="y:Q", text="t:N"),
    ).properties(width=200, height=100)
    marks = [t for t in scene_texts(chart) if t["role"] == "mark"]
    assert len(marks) == 2 and overlaps(marks[0]["box"], marks[1]["box"])
    below = (
        alt.Chart(alt.Data(values=[{"x": 0, "t": "England: 10.0%"}]))
        .mark_text(align="left", dy=14)
        .encode(x="x:Q", y=alt.value(100), text="t:N")
        .properties(width=200, height=100)
    )
    texts = scene_texts(below)
    label = next(t for t in texts if t["role"] == "mark")
    ticks = [t for t in texts if t["role"] == "axis-label"]
    assert any(overlaps(label["box"], tick["box"]) for tick in ticks)


@NEEDS_BROWSER
@pytest.mark.parametrize("la", ["Rutland", "Derby"])
def test_pdf_never_leaves_a_table_header_without_its_first_row(ref, la, tmp_path: Path) -> None:
    """A page never ends with a table's caption and header and none of its rows (Rutland's
    Appendix A did, before the header row was kept with the first body row)."""
    from pypdf import PdfReader

    from lacompare.tables import body_rows

    paper = lacompare.board_paper(ref, la, "corporate-parenting", written=DATE)
    path = lacompare.save(paper, tmp_path / "p.pdf")
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]
    for table in paper.tables():
        first = next(label for kind, _, label, _ in body_rows(table.model) if kind == "row")
        first_words = " ".join(first.split()[:2])
        for number, text in enumerate(pages, start=1):
            if table.caption in text:  # its first row follows it on the same page
                assert first_words in text.split(table.caption, 1)[1], (table.caption, number)
