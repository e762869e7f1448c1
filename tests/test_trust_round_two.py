"""Issue 28: a paper for an earlier year, a comparator group of the council's own, older
figures neither ranked nor banded, and inputs that are no longer refused or misread."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare._office import keeps_with_next
from lacompare.paper import Paragraph
from paper_text import paper_text

WRITTEN = dt.date(2026, 12, 1)


# --------------------------------------------------------------------------------------------
# A paper for an earlier year


@pytest.fixture(scope="module", params=[2019, 2017])
def past_paper(request, ref) -> tuple[int, lacompare.BoardPaper]:
    paper = lacompare.board_paper(
        ref, "Derby", "safeguarding", period=request.param, written=WRITTEN, charts=False
    )
    return request.param, paper


def test_a_past_paper_names_its_year_and_never_calls_it_latest(past_paper) -> None:
    year, paper = past_paper
    label = f"{year - 1}-{year % 100:02d}"
    text = paper_text(paper)
    assert paper.title.endswith(f", {label}")
    assert f"on figures for {label}" in text
    assert f"Year reported: {label}" in text
    assert "on the latest figures" not in text
    assert "older than the latest" not in text
    assert "the latest this authority has" not in text
    assert f"{label} (latest)" not in text


def test_a_past_paper_tests_significance_where_the_years_counts_are_accepted(past_paper) -> None:
    year, paper = past_paper
    rows = paper.comparison
    tested = rows.filter(pl.col("vs_england") != "not compared").height
    assert tested > 0
    assert rows.get_column("is_old").sum() == 0
    assert "could be tested against England: " in paper_text(paper)
    assert "0 could be tested" not in paper_text(paper)
    # the change is that year's change from the year before
    changed = rows.filter(pl.col("previous_period").is_not_null())
    assert (
        changed.height
        and (changed.get_column("previous_period").str.slice(0, 4).cast(int) < year).all()
    )


def test_a_past_paper_says_a_later_inspection_is_later(past_paper) -> None:
    year, paper = past_paper
    label = f"{year - 1}-{year % 100:02d}"
    text = paper_text(paper)
    assert f"after {label}, the year this paper reports" in text
    assert f"21 March 2022 (after {label})" in text
    assert "today's neighbours" in text


def test_no_figure_tested_says_why_instead_of_zero(ref) -> None:
    from lacompare.paper import PaperContext
    from lacompare.paper.front import _none_tested

    rows = lacompare.compare(ref, "Derby", indicators=["Work_Force_Vac_Rate"], period=2019)
    ctx = PaperContext("E06000015", "Derby", 831, "E12000004", None, "2025", (), 2019, WRITTEN)
    sentence = _none_tested(rows, ctx)
    assert sentence.startswith("No indicator of the 1 could be tested against England for 2018-19")
    assert "0 could" not in sentence


# --------------------------------------------------------------------------------------------
# The council's own comparator group


def test_a_comparator_group_builds_a_paper_that_names_it(ref) -> None:
    paper = lacompare.board_paper(
        ref,
        "Derby",
        "corporate-parenting",
        neighbours=["Nottingham", 856, "E06000021"],
        written=WRITTEN,
        charts=False,
    )
    text = paper_text(paper)
    assert "your comparator group (3 authorities): Nottingham, Leicester and Stoke-on-Trent" in text
    assert "its comparator group (3 authorities)" in text
    assert "Ofsted judgements of Derby and its comparator group" in text
    assert "DfE's 2025 model" not in text
    rows = paper.comparison
    assert set(rows.get_column("sn_model").drop_nulls().to_list()) == {"custom group of 3"}
    # LAIT's rule over the group: the simple mean of the members with a figure
    lac = rows.filter(pl.col("indicator_id") == "lac").row(0, named=True)
    members = ref.observations.filter(
        pl.col("indicator_id") == "lac",
        pl.col("period") == lac["period"],
        pl.col("area_code").cast(pl.String).is_in(["E06000018", "E06000016", "E06000021"]),
    ).get_column("value")
    assert lac["sn_average"] == pytest.approx(members.mean())


def test_the_comparator_group_on_the_command_line(tmp_path: Path) -> None:
    from lacompare.cli import main

    code = main(
        [
            "paper", "--la", "Derby", "--neighbours", "Nottingham, 856, Stoke-on-Trent",
            "--format", "html", "--out", str(tmp_path), "--date", "2026-12-01",
        ]
    )  # fmt: skip
    assert code == 0
    page = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    assert "your comparator group (3 authorities)" in page


@pytest.mark.parametrize(
    ("group", "words"),
    [
        (["Derby", "Nottingham"], "Derby is the authority the paper is about"),
        (["Nottingham", "Notingham city"], "no area matches|did you mean"),
        (["Nottingham", "E06000018"], "both name Nottingham"),
        ([], "the list is empty"),
    ],
)
def test_a_bad_comparator_group_is_refused_by_name(ref, group, words: str) -> None:
    with pytest.raises(lacompare.LacompareError, match=words):
        lacompare.board_paper(ref, "Derby", neighbours=group, written=WRITTEN, charts=False)


def test_a_replaced_authority_shows_its_successors_judgements(ref) -> None:
    paper = lacompare.board_paper(
        ref, "Herefordshire", "headline", neighbours="2021", written=WRITTEN, charts=False
    )
    text = paper_text(paper)
    assert "No inspection listed" not in text
    assert "Cumbria (replaced by Cumberland and Westmorland and Furness)" in text
    assert "Cumberland (successor to Cumbria)" in text
    assert "Cumbria no longer exists: it was replaced by Cumberland and Westmorland and" in text


def test_a_paper_of_own_figures_only_names_them_in_its_title_block(ref, tmp_path: Path) -> None:
    spec = tmp_path / "own.toml"
    spec.write_text(
        'title = "Children in care"\n[[sections]]\ntitle = "Care"\nindicators = ["LAC"]\n',
        encoding="utf-8",
    )
    mine = ref.with_local(
        {"area": ["Derby"], "indicator": ["LAC"], "period": ["2026"], "value": [73.0]},
        source="SSDA903 extract 2026",
    )
    paper = lacompare.board_paper(mine, "Derby", spec, written=WRITTEN, charts=False)
    about = " ".join(b.text for b in paper.sections[0].blocks if isinstance(b, Paragraph))
    assert "Figures: none published" not in about
    assert (
        "Figures: Derby's own figures, not yet published, for 31 March 2026 (1 indicator)" in about
    )
    assert "from SSDA903 extract 2026" in about


# --------------------------------------------------------------------------------------------
# Reference data and refresh


def test_text_in_a_numeric_reference_column_is_named(tmp_path: Path) -> None:
    import shutil

    from lacompare.reference import default_reference_path

    folder = tmp_path / "ref"
    shutil.copytree(default_reference_path(), folder)
    observations = pl.read_parquet(folder / "observations.parquet")
    observations.with_columns(pl.col("value").cast(pl.String)).write_parquet(
        folder / "observations.parquet"
    )
    with pytest.raises(lacompare.SourceFileError) as raised:
        lacompare.load_reference(folder)
    message = str(raised.value)
    assert "observations.parquet" in message and "'value'" in message
    assert "expects numbers (Float64)" in message


def test_a_failed_write_leaves_the_old_data_whole(ref, tmp_path: Path) -> None:
    import shutil

    from lacompare.reference import default_reference_path

    folder = tmp_path / "ref"
    shutil.copytree(default_reference_path(), folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    # Text where numbers belong: written, read back, refused, and never swapped in.
    broken = lacompare.ReferenceData(
        ref.indicators,
        ref.observations.with_columns(pl.col("value").cast(pl.String)),
        ref.areas,
        ref.neighbours,
    )
    with pytest.raises(lacompare.LacompareError):
        broken.write(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["ref"], "no staging folder left behind"


def test_a_write_replaces_damaged_data_and_keeps_hand_kept_files(ref, tmp_path: Path) -> None:
    import shutil

    from lacompare.reference import default_reference_path

    folder = tmp_path / "ref"
    shutil.copytree(default_reference_path(), folder)
    (folder / "areas.parquet").write_bytes(b"damaged")
    with pytest.raises(lacompare.SourceFileError):
        lacompare.load_reference(folder)
    ref.write(folder)
    assert lacompare.load_reference(folder).areas.height == ref.areas.height
    assert (folder / "indicator_wording.csv").is_file()


# --------------------------------------------------------------------------------------------
# Older figures, page breaks, percentage axes


def test_an_older_figure_is_neither_ranked_nor_banded(everything: pl.DataFrame) -> None:
    old = everything.filter(pl.col("is_old"), pl.col("la_value").is_not_null())
    assert old.height > 0
    for column in ("national_rank", "rank_of", "quartile_band", "rank_tied", "band_share"):
        assert old.get_column(column).null_count() == old.height, column
    # its standing within its own year is kept, named so, for analysts
    assert old.get_column("old_year_rank").null_count() < old.height
    current = everything.filter(~pl.col("is_old"))
    assert current.get_column("old_year_rank").null_count() == current.height


def test_derbys_older_plans_row_is_watched_as_older_not_ranked(ref) -> None:
    paper = lacompare.board_paper(ref, "Derby", "safeguarding", written=WRITTEN, charts=False)
    text = paper_text(paper)
    line = next(
        t
        for t in text.splitlines()
        if t.startswith("Plans ending in the year that had lasted") and "(latest)" in t
    )
    cells = line.split(" | ")
    assert cells[5:7] == ["–", "–"], "no rank, no quartile band"
    reason = next(t for t in text.splitlines() if "an older figure (2023-24" in t)
    assert "ranked" not in reason and "worst quarter" not in reason
    assert "an older figure, worse than England by value and worsening" in text


def test_tables_keep_their_first_rows_and_short_tables_whole() -> None:
    assert [keeps_with_next(i, 5) for i in range(5)] == [True, True, True, True, False]
    assert [keeps_with_next(i, 12) for i in range(12)] == [True] * 11 + [False]
    kept = [keeps_with_next(i, 20) for i in range(20)]
    assert kept[:4] == [True, True, False, False] and kept[-4:] == [False, True, True, False]


def test_word_paper_keeps_table_rows_with_the_next(ref, tmp_path: Path) -> None:
    paper = lacompare.board_paper(ref, "Derby", "safeguarding", written=WRITTEN, charts=False)
    path = lacompare.save(paper, tmp_path / "p.docx")
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml, re.S)
    for table in tables:
        rows = re.findall(r"<w:tr[ >].*?</w:tr>", table, re.S)
        body = rows[1:]
        kept = ["<w:keepNext" in row for row in body]
        # (the last row keeps with the table's notes, where it has notes: its legend)
        if len(body) <= 12:
            assert kept[:-1] == [True] * (len(body) - 1)
        else:
            assert kept[:2] == [True, True] and kept[-3:-1] == [True, True]
            assert not any(kept[3:-4])


def test_a_percentage_bar_chart_stops_at_100(ref) -> None:
    chart = lacompare.neighbour_chart(ref, "Derby", "revcp")
    spec = chart.to_dict()
    domains = [
        layer["encoding"]["x"]["scale"]["domain"]
        for layer in spec["layer"]
        if "scale" in layer.get("encoding", {}).get("x", {})
    ]
    assert domains and all(d[1] <= 100 for d in domains)
