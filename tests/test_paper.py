"""The board paper, checked on the files written (Word XML, HTML), not on the library calls:
A4, en-GB, headings, table headers and captions, alt text, contrast, no merged body cells,
self-contained HTML, Ofsted judgements as published, every number in a sentence in a table,
byte-identical reruns, any LA, and user specs with errors that name the line and key."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

import lacompare
from lacompare.paper import read_spec
from lacompare.sources import OFSTED_FILE, OFSTED_SHEET
from lacompare.vocab import OFSTED_GRADES
from test_ofsted import ods_rows

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
DATE = "2026-11-25"


def run_paper(out: Path, la: str, formats: str = "docx,html") -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "lacompare.cli", "paper", "--la", la, "--paper",
        "corporate-parenting", "--format", formats, "--out", str(out), "--date", DATE,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def derby_files(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("paper")
    run = run_paper(out, "Derby")
    assert run.returncode == 0, run.stderr
    files = sorted(out.iterdir())
    assert [f.suffix for f in files] == [".docx", ".html"]  # one of each
    return {f.suffix: f for f in files}


@pytest.fixture(scope="module")
def document(derby_files) -> ElementTree.Element:
    return ElementTree.fromstring(zipfile.ZipFile(derby_files[".docx"]).read("word/document.xml"))


def text_of(element: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def paragraphs_with_style(document: ElementTree.Element, style: str) -> list[str]:
    return [
        text_of(p)
        for p in document.iter(f"{W}p")
        if any(s.get(f"{W}val") == style for s in p.iter(f"{W}pStyle"))
    ]


# --------------------------------------------------------------------------------------------
# Word


def test_docx_is_a4_and_uk_english(derby_files, document) -> None:
    size = document.find(f".//{W}sectPr/{W}pgSz")
    assert size is not None
    # A4 is 210 x 297 mm = 11906 x 16838 twentieths of a point (Word rounds to the twip).
    assert abs(int(size.get(f"{W}w")) - 11906) <= 2 and abs(int(size.get(f"{W}h")) - 16838) <= 2
    package = zipfile.ZipFile(derby_files[".docx"])
    styles = ElementTree.fromstring(package.read("word/styles.xml"))
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang is not None and lang.get(f"{W}val") == "en-GB"
    assert b"<dc:language>en-GB</dc:language>" in package.read("docProps/core.xml")


def test_docx_headings(document) -> None:
    assert paragraphs_with_style(document, "Heading1") == [
        "Derby: Corporate parenting committee: children looked after and care leavers"
    ]
    sections = paragraphs_with_style(document, "Heading2")
    assert len(sections) >= 3
    for expected in ("Summary", "Ofsted judgements", "Children in care", "Sources"):
        assert expected in sections


def test_docx_tables_have_header_rows_captions_and_no_merged_body_cells(document) -> None:
    tables = list(document.iter(f"{W}tbl"))
    assert len(tables) >= 2
    for table in tables:
        properties = table.find(f"{W}tblPr")
        caption = properties.find(f"{W}tblCaption")
        description = properties.find(f"{W}tblDescription")
        assert caption is not None and len(caption.get(f"{W}val")) > 10
        assert description is not None and len(description.get(f"{W}val")) > 10
        rows = table.findall(f"{W}tr")
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        for row in rows[1:]:
            assert row.find(f".//{W}gridSpan") is None and row.find(f".//{W}vMerge") is None


def test_docx_charts_state_their_finding(document) -> None:
    pictures = list(document.iter(f"{WP}docPr"))
    assert pictures
    for picture in pictures:
        alt = picture.get("descr") or ""
        assert len(alt) >= 10
        if "Spine" in (picture.get("title") or ""):  # how many indicators sit in each band
            assert re.search(r"\d+ better than England, \d+ similar to England", alt), alt
            continue
        # The finding, in words a board member reads: where Derby stands against others.
        assert re.search(r"Derby's (rate|percentage|value), [\d.,]+", alt), alt
        assert re.search(r"\b(above|below|level with)\b", alt), alt


def test_docx_names_ofsted_judgement_neighbours_and_source(ref, document) -> None:
    body = text_of(document)
    assert "judged Outstanding overall" in body  # Derby, 2022
    neighbours = ref.neighbours_of("Derby").get_column("neighbour_name").to_list()
    assert sum(name in body for name in neighbours) >= 5
    assert "Department for Education" in body


def contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_docx_contrast_and_no_meaning_in_colour_alone(derby_files, document) -> None:
    package = zipfile.ZipFile(derby_files[".docx"])
    styles = ElementTree.fromstring(package.read("word/styles.xml"))
    for style in styles.iter(f"{W}style"):
        if style.get(f"{W}styleId") in {"Heading1", "Heading2", "Caption", "Title"}:
            colour = style.find(f".//{W}color")
            assert colour is not None
            assert contrast(colour.get(f"{W}val"), "FFFFFF") >= 4.5, style.get(f"{W}styleId")
    words = ("Better", "Worse", "Similar", "Improving", "Worsening", "No change")
    shaded = 0
    for table in document.iter(f"{W}tbl"):
        for number, row in enumerate(table.findall(f"{W}tr")):
            for cell in row.findall(f"{W}tc"):
                fill = cell.find(f"{W}tcPr/{W}shd")
                if fill is None:
                    continue
                colours = [c.get(f"{W}val") for c in cell.iter(f"{W}color")] or ["000000"]
                for colour in colours:
                    assert contrast(colour, fill.get(f"{W}fill")) >= 4.5, text_of(cell)
                text = text_of(cell)
                if number > 0 and fill.get(f"{W}fill") in {"CCE3F5", "FBD9B5", "EEEEEE"}:
                    # A coloured verdict carries its word; a coloured band its letter.
                    assert any(w in text for w in words) or text in {"A", "D"}, text
                    shaded += 1
    assert shaded > 0


# --------------------------------------------------------------------------------------------
# HTML


def attrs_class(attrs: list[tuple[str, str | None]]) -> str | None:
    return dict(attrs).get("class")


class Page(HTMLParser):
    """Collects what the checks need from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.section: str | None = None
        self.text: dict[str, list[str]] = {"td": [], "th": [], "li": [], "p": [], "h2": []}
        self.sentences: list[tuple[str | None, str]] = []
        self.tables = 0
        self.captions = 0
        self.grids: list[tuple[str, list[list[str]]]] = []
        self._buffer: list[str] = []
        self._note = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)
        if tag in self.text:
            self._buffer = []
        if tag == "p":
            self._note = attrs_class(attrs) == "table-note"
        if tag == "table":
            self.tables += 1
            self.grids.append(("", []))
        if tag == "caption":
            self.captions += 1
            self._buffer = []
        if tag == "tr":
            self.grids[-1][1].append([])

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        if tag == "caption":
            self.grids[-1] = ("".join(self._buffer), self.grids[-1][1])
        if tag in self.text:
            content = "".join(self._buffer)
            self.text[tag].append(content)
            if tag in {"td", "th"} and self.grids:
                self.grids[-1][1][-1].append(content)
            if tag == "h2":
                self.section = content
            if tag == "li" or (tag == "p" and not self._note):
                self.sentences.append((self.section, content))

    def handle_data(self, data: str) -> None:
        self._buffer.append(data)


@pytest.fixture(scope="module")
def page(derby_files) -> Page:
    parsed = Page()
    parsed.feed(derby_files[".html"].read_text(encoding="utf-8"))
    return parsed


def test_html_language_headings_captions_alt_text(page: Page, derby_files) -> None:
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag.get("lang") == "en-GB"
    assert sum(tag == "h1" for tag, _ in page.tags) == 1
    assert len(page.text["h2"]) >= 3
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert images and all(len(attrs.get("alt") or "") >= 10 for attrs in images)
    assert page.tables >= 2 and page.captions == page.tables
    heads = [attrs for tag, attrs in page.tags if tag == "th"]
    assert all(attrs.get("scope") in {"col", "row"} for attrs in heads)


def test_html_has_no_external_resource(page: Page, derby_files) -> None:
    for tag, attrs in page.tags:
        for attribute in ("src", "href"):
            value = attrs.get(attribute) or ""
            assert not re.match(r"(https?:)?//", value), (tag, value)
        assert tag not in {"script", "link", "iframe"}
    raw = derby_files[".html"].read_text(encoding="utf-8")
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", raw)
    assert "@import" not in raw


NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:,\d{3})*(?:\.\d+)?%?")
# Period labels ("2025", "2023/24", "2024-25") are names, not figures; so are units.
PERIOD = re.compile(r"\b(?:19|20)\d{2}(?:[-/]\d{2,4})?\b")
UNIT = re.compile(r"per (?:1,000|10,000|100,000)")
# Descriptions of the paper and its methods, not findings; the neighbour-model note counts group
# members ("6 of 10 are in both"), checked against the groups in test_commentary.
NOT_SENTENCES = (
    "About this paper",
    # Counts of indicators and flagged rows' reasons (with previous years' figures), checked
    # in test_paper_content against the summary table and the exception rule.
    "Purpose and key messages",
    "Summary",
    "At a glance",
    "Exceptions: indicators for attention",
    "Ofsted judgements",
    "Statistical neighbours",
    "Appendix A: definitions",
    "Appendix B: methods",
    "Sources",
)


def test_every_number_in_sentences_and_alt_text_is_in_a_table(page: Page) -> None:
    in_tables = {n.lstrip("+-") for cell in page.text["td"] for n in NUMBER.findall(cell)}
    names = sorted(page.text["th"], key=len, reverse=True)  # indicator and area names
    said = [text for section, text in page.sentences if section not in NOT_SENTENCES]
    said += [
        attrs["alt"]
        for tag, attrs in page.tags
        if tag == "img" and attrs.get("alt") and not attrs["alt"].startswith("Spine chart")
    ]
    checked = 0
    for text in said:
        for name in names:
            if len(name) > 3:
                text = text.replace(name, "")
        text = UNIT.sub("", PERIOD.sub("", text))
        for number in NUMBER.findall(text):
            assert number.lstrip("+-") in in_tables, (number, text)
            checked += 1
    assert checked >= 50


def test_ofsted_judgements_shown_match_the_ods(page: Page, shared_data: Path) -> None:
    """Each row of the paper's Ofsted table, as written in the HTML, against Ofsted's .ods read
    independently (its XML): inspection date and all five judgements."""
    import datetime as dt

    rows = ods_rows(shared_data / "ees" / OFSTED_FILE, OFSTED_SHEET)
    header = rows[2]
    published = {r[2]: dict(zip(header, r, strict=False)) for r in rows[3:] if len(r) > 2 and r[1]}
    (grid,) = [g for caption, g in page.grids if caption.startswith("Table 3. Ofsted")]
    body = grid[1:]
    assert len(body) == 11 and body[0][0] == "Derby"
    for name, inspected, *grades in body:
        source = published[name]
        day = dt.date.fromisoformat(source["Inspection date"])
        assert inspected == f"{day.day} {day:%B %Y}", name
        for shown, heading in zip(grades, header[6:11], strict=True):
            expected = source.get(heading) or "Not judged separately (before 2023)"
            assert shown == expected, (name, heading)
            assert shown in OFSTED_GRADES or inspected < "2023" or day.year < 2023


# --------------------------------------------------------------------------------------------
# Determinism, other LAs, PDF, specs


def test_two_runs_are_byte_identical(derby_files, tmp_path: Path) -> None:
    run = run_paper(tmp_path, "Derby")
    assert run.returncode == 0, run.stderr
    for suffix, first in derby_files.items():
        assert (tmp_path / first.name).read_bytes() == first.read_bytes(), suffix


def test_nottingham_works_too(tmp_path: Path) -> None:
    run = run_paper(tmp_path, "Nottingham")
    assert run.returncode == 0, run.stderr
    document = ElementTree.fromstring(
        zipfile.ZipFile(tmp_path / "nottingham_corporate_parenting.docx").read("word/document.xml")
    )
    body = text_of(document)
    assert "Nottingham's children's services were judged Inadequate overall" in body
    assert "Birmingham" in body and "Salford" in body  # Nottingham's neighbours (2025)


def test_every_built_in_paper_for_unusual_las(ref: lacompare.ReferenceData) -> None:
    import datetime as dt

    for la in ("Isles of Scilly", "City of London", "Cumberland", "Rutland"):
        for paper in lacompare.PAPERS:
            # Charts for one paper each (they are the slow part; all draw the same way).
            charts = paper == "corporate-parenting"
            built = lacompare.board_paper(
                ref, la, paper, written=dt.date(2026, 11, 25), charts=charts
            )
            assert built.tables() and built.sections[0].heading == "About this paper"
            for block in built.paragraphs():
                assert "None" not in block.text.replace("KS4 None SEN", ""), block.text


def test_pdf_is_a4(tmp_path: Path) -> None:
    from lacompare.export import chromium_path

    if chromium_path() is None:
        if __import__("os").environ.get("LACOMPARE_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required in CI (./run.sh browser installs it)")
        pytest.skip("Chromium not installed (./run.sh browser installs it); PDF needs it")
    run = run_paper(tmp_path, "Derby", "pdf")
    assert run.returncode == 0, run.stderr
    data = (tmp_path / "derby_corporate_parenting.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    # A4, portrait (or landscape for a table too wide for portrait).
    sizes = {tuple(sorted((round(float(w)), round(float(h))))) for w, h in boxes}
    assert boxes and sizes == {(595, 842)}, sizes


SPEC = """title = "Placements and stability"
neighbours = "2021"

[[sections]]
title = "Where children live"
indicators = ["LAC", "LACStable_2016on", "LAC_LongStable%"]
chart = "neighbours"
chart_indicator = "LACStable_2016on"

[[sections]]
title = "Care leavers"
indicators = ["CareLeaverEET"]
"""


def test_a_user_spec(ref: lacompare.ReferenceData, tmp_path: Path) -> None:
    import datetime as dt

    path = tmp_path / "placements.toml"
    path.write_text(SPEC, encoding="utf-8")
    paper = lacompare.board_paper(ref, "Derby", path, written=dt.date(2026, 11, 25))
    headings = [s.heading for s in paper.sections]
    assert "Where children live" in headings and "Care leavers" in headings
    assert paper.title == "Derby: Placements and stability"
    (spine, figure, *_) = paper.figures()
    assert spine.alt.startswith("Spine chart of") and figure.alt.startswith("Bar chart of")
    body = " ".join(p.text for p in paper.paragraphs())
    assert "DfE's 2021 model" in body and "Telford and Wrekin" in body  # the 2021 group


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SPEC.replace('title = "Placements', 'titel = "Placements'), r"line 1, key 'titel'"),
        (SPEC.replace('neighbours = "2021"', 'neighbours = "2019"'), r"line 2, key 'neighbours'"),
        (SPEC.replace('chart = "neighbours"', 'chart = "pie"'), r"line 7, key 'chart': 'pie'"),
        (SPEC.replace('"LAC_LongStable%"', '"LAC_Nonsense"'), r"line 6, key 'indicators'"),
        (SPEC.replace("indicators = [\"CareLeaverEET\"]", "colour = 1"), r"line 12, key 'colour'"),
        (SPEC.replace('chart_indicator = "LACStable_2016on"', 'chart_indicator = "CIN"'),
         r"line 8, key 'chart_indicator'"),
        ('title = "a"\ntitle = "b"\n', r"not valid TOML .*line 2"),
    ],
)  # fmt: skip
def test_a_bad_spec_names_the_line_and_key(
    ref: lacompare.ReferenceData, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(lacompare.InvalidArgumentError, match=message):
        read_spec(path, ref)


def test_local_figures_reach_the_paper_marked(ref: lacompare.ReferenceData) -> None:
    import datetime as dt

    paper = lacompare.board_paper(
        ref,
        "Derby",
        local=[{"indicator": "LAC", "period": "2026", "value": 84.0}],
        written=dt.date(2026, 11, 25),
    )
    (table,) = [t for t in paper.tables() if t.caption.endswith("Derby: Children in care")]
    first = table.model.frame.row(0, named=True)
    assert (first["la"], first["period"]) == ("84 [L]", "31 March 2026 (local)")
    assert any(note.startswith("[L] Derby's own figures") for note in table.model.notes)
    said = " ".join(p.text for p in paper.paragraphs())
    assert "84 [L] at 31 March 2026 (local figure, not yet published)" in said
