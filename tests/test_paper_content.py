"""What a paper says, read from the files written (Word XML, HTML): one exception rule, small
and old figures, precision from the series, period labels, curated wording, key messages and
summary counts that add up, for every built-in paper of five very different authorities."""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest

import lacompare
from lacompare.exception_rules import exceptions
from lacompare.paper import PAPERS
from lacompare.presets import PAPER_SECTIONS

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DATE = dt.date(2026, 11, 25)
LAS = ["Derby", "Nottingham", "Rutland", "City of London", "Kent"]


class Cells(HTMLParser):
    """Every table of an HTML page as (caption, header row, body rows of cell texts), and the
    page's h2 headings and list items in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[str], list[list[str]]]] = []
        self.headings: list[str] = []
        self.items: list[tuple[str, str]] = []  # (section heading, item text)
        self._text: list[str] | None = None
        self._row: list[str] | None = None
        self._where = ""

    def handle_starttag(self, tag, attrs) -> None:  # type: ignore[no-untyped-def]
        if tag == "table":
            self.tables.append(("", [], []))
        elif tag == "tr":
            self._row = []
        elif tag in {"td", "th", "caption", "h2", "li"}:
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._text is None and tag != "tr":
            return
        if tag in {"td", "th"} and self._row is not None and self._text is not None:
            self._row.append("".join(self._text).strip())
            self._text = None
        elif tag == "caption" and self._text is not None:
            caption = "".join(self._text).strip()
            _, head, body = self.tables[-1]
            self.tables[-1] = (caption, head, body)
            self._text = None
        elif tag == "h2" and self._text is not None:
            self._where = "".join(self._text).strip()
            self.headings.append(self._where)
            self._text = None
        elif tag == "li" and self._text is not None:
            self.items.append((self._where, "".join(self._text).strip()))
            self._text = None
        elif tag == "tr" and self._row is not None:
            caption, head, body = self.tables[-1]
            if not head:
                head.extend(self._row)
            else:
                body.append(self._row)
            self._row = None


@pytest.fixture(scope="module")
def papers(ref, tmp_path_factory) -> dict[tuple[str, str], tuple[lacompare.BoardPaper, Cells, str]]:
    """Every built-in paper of the five LAs, without charts (their content is tested on
    Derby's full paper elsewhere), written as HTML and read back."""
    out = tmp_path_factory.mktemp("papers")
    written = {}
    for la in LAS:
        for name in PAPERS:
            paper = lacompare.board_paper(ref, la, name, written=DATE, charts=False)
            path = lacompare.save(paper, out / f"{la.replace(' ', '_')}_{name}.html")
            page = Cells()
            page.feed(path.read_text(encoding="utf-8"))
            written[(la, name)] = (paper, page, html.unescape(path.read_text(encoding="utf-8")))
    return written


def topic_tables(paper: lacompare.BoardPaper, page: Cells):
    """(row label -> comparison row, table) for each topic table of the paper."""
    rows = {r["indicator_label"]: r for r in paper.comparison.iter_rows(named=True)}
    for _caption, head, body in page.tables:
        if "Period" in head and "vs England" in head:
            yield rows, head, body


def test_key_messages_before_the_summary(papers) -> None:
    for (la, name), (_, page, _) in papers.items():
        assert "Purpose and key messages" in page.headings, (la, name)
        assert page.headings.index("Purpose and key messages") < page.headings.index("Summary")
        messages = [t for h, t in page.items if h == "Purpose and key messages"]
        assert 3 <= len(messages) <= 5, (la, name, messages)
        assert all(re.search(r"\d", m) for m in messages[:1])  # the counts, with numbers
        assert "Recommendations" in page.headings


def test_no_false_precision_and_no_bare_years(papers) -> None:
    """Whole-number series show whole numbers; every period cell says what the period is;
    an old figure says it is the latest; a small number has no rank or band."""
    checked = 0
    for (la, name), (paper, page, _) in papers.items():
        for rows, head, body in topic_tables(paper, page):
            at = {key: head.index(key) for key in ("Period", "Rank", "Quartile", "Change")}
            for cells in body:
                row = rows[cells[0]]
                period = cells[at["Period"]]
                assert not re.fullmatch(r"\d{4}", period), (la, name, cells)
                if row["decimals"] == 0:
                    for cell in cells[1:]:
                        figure = cell.replace("(99.8%)", "")  # a confidence level, not a figure
                        assert not re.search(r"\d\.\d", figure), (la, name, cells)
                if row["is_old"] and row["la_value"] is not None:
                    assert "(latest)" in period, (la, name, cells)
                if row["small_number"]:
                    assert cells[at["Rank"]] == "–" and cells[at["Quartile"]] == "–", cells
                    assert " of " in cells[2], cells  # "100% (19 of 19)"
                checked += 1
    assert checked > 200


def test_labels_are_clean_and_curated(papers, ref) -> None:
    for (_, _), (paper, _page, text) in papers.items():
        assert "Source: 0" not in text
        for row in paper.comparison.iter_rows(named=True):
            label = row["indicator_label"]
            assert len(label) <= 90 and "  " not in label and "\\" not in label, label
    # Every built-in paper's indicator has curated wording; the definitions appendix gives it.
    codes = {
        c for sections in PAPER_SECTIONS.values() for s in sections.values() for c in s.indicators
    }
    curated = ref.indicators.filter(pl.col("lait_code").is_in(list(codes)))
    assert curated.height == len(codes)
    assert curated.get_column("definition").null_count() == 0
    assert curated.get_column("theme").null_count() == 0
    assert ref.indicators.filter(pl.col("name").str.contains("  ")).height == 0


def test_each_section_holds_its_own_topic() -> None:
    """No referral rate under "Child protection plans": every built-in section's indicators
    belong to the section's themes."""
    ref = lacompare.load_reference()
    themes = dict(ref.indicators.select("lait_code", "theme").iter_rows())
    for paper, sections in PAPER_SECTIONS.items():
        for title, section in sections.items():
            for code in section.indicators:
                assert themes[code] in section.themes, (paper, title, code, themes[code])


def test_headline_takes_each_concept_from_the_topic_papers() -> None:
    """Two papers written the same day never disagree about one thing: the headline paper's
    CP-plan, stability and care-leaver rows are the topic papers' own."""
    topic = {
        code
        for paper in ("corporate-parenting", "safeguarding")
        for section in PAPER_SECTIONS[paper].values()
        for code in section.indicators
    }
    headline = [c for s in PAPER_SECTIONS["headline"].values() for c in s.indicators]
    workforce = set(PAPER_SECTIONS["headline"]["Social work workforce"].indicators)
    assert set(headline) - workforce <= topic
    assert "CPPlans2yrsActive" in headline and "CPPlans2yrs" not in headline


def test_summary_counts_add_up(papers) -> None:
    for (la, name), (paper, page, _) in papers.items():
        _caption, head, body = next(t for t in page.tables if "by section" in t[0])
        n = {key: head.index(key) for key in head}
        parts = [
            "No figure",
            "Small number",
            "Older figure",
            "Not tested",
            "Better",
            "Similar",
            "Worse",
        ]
        parts.append("Higher or lower")
        for cells in body:
            numbers = {key: int(cells[i]) for key, i in n.items() if key != "Section"}
            assert numbers["Indicators"] == sum(numbers[p] for p in parts), (la, name, cells)
        total = body[-1]
        assert int(total[n["Indicators"]]) == paper.comparison.height


def test_periods_named_and_every_period_in_the_summary(papers) -> None:
    paper, _page, text = papers[("Derby", "corporate-parenting")]
    assert "31 March 2025" in text and "2024-25" in text and "academic year" in text
    summary_line = next(
        p.text for p in paper.paragraphs() if p.text.startswith("Periods of the figures")
    )
    for period in paper.comparison.filter(pl.col("la_value").is_not_null())["period_text"]:
        assert period in summary_line, period
    assert "Older figures" in text  # care leavers in higher education: 2020-21


def test_exception_rule_flags_every_worse_quartile_d_worsening_row(ref) -> None:
    everything = lacompare.compare_all(ref)
    flagged = exceptions(everything).select("area_code", "indicator_id")
    worse_by_value = (
        pl.when(pl.col("polarity") == "high")
        .then(pl.col("la_value") < pl.col("england_value"))
        .when(pl.col("polarity") == "low")
        .then(pl.col("la_value") > pl.col("england_value"))
        .otherwise(False)
    )
    expected = everything.filter(
        worse_by_value, pl.col("quartile_band") == "D", pl.col("direction") == "worsening"
    ).select("area_code", "indicator_id")
    assert expected.height > 1000
    missing = expected.join(flagged, on=["area_code", "indicator_id"], how="anti")
    assert missing.height == 0, missing.head()
    assert flagged.get_column("area_code").n_unique() == 153


def test_derby_s_distant_placements_are_named_in_every_paper_that_holds_them(papers) -> None:
    label = "Children looked after placed more than 20 miles from home, outside the area (%)"
    for (la, _name), (paper, page, _) in papers.items():
        if la != "Derby" or label not in paper.comparison.get_column("indicator_label"):
            continue
        _caption, head, body = next(t for t in page.tables if "flagged for attention" in t[0])
        row = next(cells for cells in body if cells[0] == label)
        assert row[head.index("vs England tested")] == "Not tested"
        assert "Watch" in row


def test_no_paper_says_nothing_to_worry_about_while_a_row_is_flagged(papers) -> None:
    for (la, name), (paper, _, text) in papers.items():
        if exceptions(paper.comparison).height:
            assert "No indicator in this paper is flagged" not in text, (la, name)
            assert "No indicator is flagged" not in text, (la, name)


def test_red_red_rows_have_a_tested_worse_change_where_testable(ref) -> None:
    everything = lacompare.compare_all(ref)
    reds = lacompare.red_red(everything)
    assert reds.height > 0
    assert set(reds.get_column("change_vs_previous")) <= {"worse", "not compared"}


def test_ofsted_context_dates_and_partial_neighbour_averages(papers) -> None:
    paper, page, text = papers[("Derby", "corporate-parenting")]
    assert "Judgements as at 31 March 2025" in text and "written on 25 November 2026" in text
    assert "Check Ofsted's website" in text
    partial = paper.comparison.filter(pl.col("sn_count") < pl.col("sn_size"))
    shown = [cells for _, head, body in topic_tables(paper, page) for cells in body]
    if partial.height:
        assert any(re.search(r"\(\d+ of 10\)", cells[3]) for cells in shown)


def test_local_figures_are_called_local_with_their_real_periods(ref) -> None:
    paper = lacompare.board_paper(
        ref,
        "Derby",
        local=[{"indicator": "LAC", "period": "2026", "value": 84}],
        written=DATE,
        charts=False,
    )
    text = " ".join(p.text for p in paper.paragraphs())
    assert "own figures, not yet published, for 31 March 2026" in text
    assert "latest published figures, periods" not in text
    assert "Author: [Author name, job title]" in text
    with pytest.raises(lacompare.LacompareError, match="none of the indicators has a figure"):
        lacompare.board_paper(ref, "Derby", period=2030, written=DATE, charts=False)
    authorless = lacompare.board_paper(
        ref, "Derby", author=None, written="2026-11-25", charts=False
    )
    assert "Author: None" not in " ".join(p.text for p in authorless.paragraphs())


def test_word_file_uses_the_same_words(ref, tmp_path: Path) -> None:
    paper = lacompare.board_paper(ref, "Rutland", "corporate-parenting", written=DATE, charts=False)
    path = lacompare.save(paper, tmp_path / "rutland.docx")
    document = ElementTree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    text = "".join(t.text or "" for t in document.iter(f"{W}t"))
    assert "Purpose and key messages" in text and "Exceptions" in text
    assert not re.search(r"ranked 1 of", text)
