"""Issue 33: a paper that agrees with itself, marks its own figures, says when DfE has newer
data, and prints legibly. Every check reads what the paper says (or the .docx it writes)."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.exception_rules import FLAGS
from lacompare.paper import Paragraph, Table
from lacompare.tables import body_rows
from paper_text import paper_text

WRITTEN = dt.date(2026, 12, 4)


def _paragraphs(paper: lacompare.BoardPaper) -> list[str]:
    return [b.text for b in paper.paragraphs()]


def _table(paper: lacompare.BoardPaper, caption: str) -> Table:
    return next(t for t in paper.tables() if t.caption.startswith(caption))


def _number(word: str) -> int:
    return 0 if word in {"none", "no"} else int(word)


@pytest.fixture(
    scope="module",
    params=[
        (la, paper)
        for la in ("Derby", "Rutland", "Kent")
        for paper in ("corporate-parenting", "safeguarding", "headline")
    ],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def paper(request, ref) -> lacompare.BoardPaper:
    la, which = request.param
    return lacompare.board_paper(ref, la, which, written=WRITTEN)


def test_every_count_the_paper_states_agrees(paper) -> None:
    table = _table(paper, "Table 1.")
    columns = list(table.model.columns.values())
    total = next(cells for *_, label, cells in body_rows(table.model) if label == "All sections")
    counts = {name: int(value) for name, value in zip(columns, total, strict=True)}

    # The key message: "Of the 23 indicators, 12 could be tested against England: 4 better,
    # 6 similar and none worse (2 more are higher or lower ...)".
    key = next(
        t for t in _paragraphs(paper) if re.match(r"(Of the \d+ indicators|No indicator)", t)
    )
    tested = counts["Better"] + counts["Similar"] + counts["Worse"] + counts["Higher or lower"]
    if tested:
        found = re.search(
            r"(\d+) could be tested against England: (\w+) better, (\w+) similar and (\w+) worse",
            key,
        )
        assert found, key
        assert [_number(g) for g in found.groups()] == [
            tested,
            counts["Better"],
            counts["Similar"],
            counts["Worse"],
        ]
        more = re.search(r"\((\d+) more (?:is|are) higher or lower", key)
        assert (int(more.group(1)) if more else 0) == counts["Higher or lower"]

    # The spine chart's alt text counts the indicators it places as Table 1 does.
    spine = next(f for f in paper.figures() if f.caption.startswith("Figure 1. Spine"))
    said = {
        word.lower(): int(n)
        for n, word in re.findall(r"(\d+) (better|similar|worse|higher or lower|not tested|"
                                  r"small number|older figure)", spine.alt)
    }  # fmt: skip
    for word, column in (
        ("better", "Better"),
        ("similar", "Similar"),
        ("worse", "Worse"),
        ("higher or lower", "Higher or lower"),
        ("small number", "Small number"),
        ("older figure", "Older figure"),
    ):
        assert said.get(word, 0) == counts[column], (word, spine.alt)
    placed = int(re.search(r"Spine chart of (\d+) indicators", spine.alt).group(1))
    shown = re.search(r"(\d+) indicators? (?:is|are) not shown", spine.alt)
    assert placed + (int(shown.group(1)) if shown else 0) == counts["Indicators"]

    # "N figures are older than the latest year ..." is Table 1's Older figure.
    older = [t for t in _paragraphs(paper) if re.search(r"\d+ figures? (?:is|are) older", t)]
    # (the key messages hold five at most, so it may be left out; never miscounted)
    if older:
        assert older[0].startswith(f"{counts['Older figure']} figure"), older[0]
    if not counts["Older figure"]:
        assert not older


def test_the_legend_says_what_the_rule_does(paper) -> None:
    text = paper_text(paper)
    # In the exceptions table's legend, or where nothing is flagged, in the sentence saying so;
    # and in Appendix B: the same words everywhere.
    assert text.count(FLAGS["red-red"]) >= 2, "legend (or no-flags sentence) and methods"
    flagged = lacompare.exceptions(paper.comparison)
    rows = paper.comparison.join(flagged.select("indicator_id", "flag"), on="indicator_id")
    # A tested change that was not significant is never red-red.
    assert (
        rows.filter(pl.col("flag") == "red-red", pl.col("change_vs_previous") == "similar").height
        == 0
    )


def test_count_rows_show_no_total(paper) -> None:
    for table in paper.tables():
        model = table.model
        if "england" not in model.columns:
            continue
        keys = list(model.columns)
        for index, (*_, label, cells) in enumerate(body_rows(model)):
            if model.frame.get_column("unit")[index] == "count":
                for key in ("england", "sn_average"):
                    assert cells[keys.index(key)] == "–", (label, key)


def test_flags_list_tested_significant_concerns_first(paper) -> None:
    flagged = lacompare.exceptions(paper.comparison).join(
        paper.comparison.select("indicator_id", "vs_england"),
        on="indicator_id",
        maintain_order="left",
    )
    groups = [
        2 if old else 0 if verdict == "worse" else 1
        for old, verdict in flagged.select("is_old", "vs_england").iter_rows()
    ]
    assert groups == sorted(groups)


def test_nothing_a_member_would_misread(paper) -> None:
    text = paper_text(paper)
    assert re.search(r"\bpp\b", text) is None
    assert "=1" not in text.split("Rank")[0]  # no "=145th" in sentences
    assert re.search(r"=\d+(st|nd|rd|th)\b", text) is None
    codes = lacompare.load_reference().indicators.get_column("lait_code").drop_nulls().to_list()
    raw = [c for c in codes if "_" in c and re.search(rf"\b{re.escape(c)}\b", text)]
    assert raw == []
    assert "lacompare's data" not in text


def test_every_chart_prints_at_nine_points_or_more(paper, tmp_path: Path) -> None:
    path = lacompare.save(paper, tmp_path / "paper.docx")
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    extents = [int(cx) / 12700 for cx in re.findall(r'<wp:extent cx="(\d+)"', xml)]
    figures = paper.figures()
    assert len(extents) == len(figures) > 0
    for figure, placed_pt in zip(figures, extents, strict=True):
        css_width = struct.unpack(">I", figure.png[16:20])[0] / 2  # drawn at scale 2
        smallest = figure.font_px * placed_pt / css_width
        assert smallest >= 9, (figure.caption, round(smallest, 2))


def test_word_author_is_the_one_given(ref, tmp_path: Path) -> None:
    paper = lacompare.board_paper(
        ref, "Derby", "headline", author="A. Analyst, Head of Performance", written=WRITTEN,
        charts=False,
    )  # fmt: skip
    path = lacompare.save(paper, tmp_path / "p.docx")
    with zipfile.ZipFile(path) as package:
        core = package.read("docProps/core.xml").decode("utf-8")
    assert "<dc:creator>A. Analyst, Head of Performance</dc:creator>" in core
    assert "python-docx" not in core


def test_a_paper_written_after_a_next_update_says_newer_figures_exist(ref) -> None:
    late = lacompare.board_paper(ref, "Derby", "corporate-parenting", written=WRITTEN,
                                 charts=False)  # fmt: skip
    about = " ".join(b.text for b in late.sections[0].blocks if isinstance(b, Paragraph))
    assert "Newer figures are probably published" in about
    assert "next update was due 1 November 2026" in about
    early = lacompare.board_paper(ref, "Derby", "corporate-parenting", written="2026-01-10",
                                  charts=False)  # fmt: skip
    about = " ".join(b.text for b in early.sections[0].blocks if isinstance(b, Paragraph))
    assert "Newer figures are probably published" not in about


def test_one_release_date_per_publication(paper) -> None:
    text = paper_text(paper)
    dates: dict[str, set[str]] = {}
    for publication, when in re.findall(r"([A-Z][^:;.()]+?) \(updated (\d+ \w+ \d{4})\)", text):
        dates.setdefault(publication.strip(), set()).add(when)
    for publication, when in re.findall(
        r"Department for Education, ([^()]+?) \(via LAIT and Explore Education Statistics\); "
        r"updated in LAIT (\d+ \w+ \d{4})",
        text,
    ):
        dates.setdefault(publication.strip(), set()).add(when)
    assert dates and all(len(found) == 1 for found in dates.values()), dates


def test_own_figures_are_marked_wherever_they_are_said(ref) -> None:
    own = ref.with_local(
        {
            "area": ["Derby", "Derby"],
            "indicator": ["CareLeaverAcc", "LAC"],
            "period": ["2026", "2026"],
            "value": [74.0, 84.0],
        },
        source="903",
    )
    paper = lacompare.board_paper(own, "Derby", "corporate-parenting", written=WRITTEN,
                                  charts=False)  # fmt: skip
    text = paper_text(paper)
    own_labels = {
        "Care leavers aged 19 to 21 in suitable accommodation (%)": "74%",
        "Children looked after, rate per 10,000 children": "84",
    }
    said = 0
    for line in text.splitlines():
        for label, figure in own_labels.items():
            if label in line and re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d.%])", line):
                assert f"{figure} [L]" in line, line
                said += 1
    assert said >= 4  # key messages or exceptions, section lines, tables
    assert "84 [L] at 31 March 2026" in text
    assert "This table mixes Derby's own figures" in text


def test_a_data_quality_warning_is_said_beside_the_own_figure(ref, tmp_path: Path) -> None:
    """A child with no OC2 row is counted as not done: every OC2 figure's sentence, and its
    reason where it is flagged, say so beside the figure."""
    import warnings

    import ssda903_fixture

    extract = ssda903_fixture.write(tmp_path / "extract")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lacompare.Ssda903Warning)
        own = lacompare.figures_from_903(extract, la="Derby", year=2026, ref=ref)
    paper = lacompare.board_paper(
        ref, "Derby", "corporate-parenting", local=own, written=WRITTEN, charts=False
    )
    health = "Children looked after 12 months or more with their annual health assessment (%)"
    lines = [t for t in _paragraphs(paper) if t.startswith(health + ":")]
    assert lines and all("[L]" in t and "Data quality: oc2.csv: 1 child(ren)" in t for t in lines)
    flagged = lacompare.exceptions(paper.comparison)
    table = _table(paper, "Table 2.") if flagged.height else None
    if table is not None:
        for *_, label, cells in body_rows(table.model):
            if label == health:
                assert "data quality: oc2.csv" in cells[-1]
