"""Since the last paper (issue 31, third part): a paper saved with its data, and the next
paper saying what changed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.since import DATA_VERSION, read_paper_data
from paper_text import paper_text


@pytest.fixture(scope="module")
def earlier(ref, tmp_path_factory) -> Path:
    """Derby's safeguarding paper about 2023-24, written in January 2025, with its data."""
    paper = lacompare.board_paper(
        ref, "Derby", "safeguarding", period=2024, written=dt.date(2025, 1, 10), charts=False
    )
    return lacompare.save(paper, tmp_path_factory.mktemp("since") / "derby_sg.data.parquet")


def test_the_data_file_reads_back_as_it_was_written(earlier: Path) -> None:
    data = read_paper_data(earlier)
    assert (data.la_code, data.la_name, data.paper) == ("E06000015", "Derby", "safeguarding")
    assert data.written == dt.date(2025, 1, 10) and data.model == "2025"
    assert data.rows.height == 14 and set(data.rows.get_column("period")) >= {"2024"}


def test_the_next_paper_says_what_changed(ref, earlier: Path) -> None:
    paper = lacompare.board_paper(
        ref, "Derby", "safeguarding", since=earlier, written="2026-12-04", charts=False
    )
    since = next(s for s in paper.sections if s.heading.startswith("Since the last paper"))
    assert since.heading == "Since the last paper (10 January 2025)"
    text = " ".join(b.text for b in since.blocks)
    assert "Newly published by DfE: " in text
    assert "for 2024-25" in text and "after" in text  # the new year's figure, and the old
    before = read_paper_data(earlier).rows
    raised = set(
        paper.comparison.filter(pl.col("flag").is_not_null()).get_column("indicator_label")
    ) - set(before.filter(pl.col("flag").is_not_null()).get_column("indicator_label"))
    cleared = set(before.filter(pl.col("flag").is_not_null()).get_column("indicator_label")) - set(
        paper.comparison.filter(pl.col("flag").is_not_null()).get_column("indicator_label")
    )
    for label in raised:
        assert "Newly flagged for attention: " in text and label in text
    for label in cleared:
        assert "No longer flagged: " in text and label in text
    assert raised or cleared, "the two years' flags differ for Derby"
    assert "Since the last paper (10 January 2025)" in paper_text(paper)


def test_a_paper_from_another_la_or_paper_or_later_date_is_refused(ref, earlier: Path) -> None:
    with pytest.raises(lacompare.InvalidArgumentError, match=r"Derby's .* not this authority's"):
        lacompare.board_paper(ref, "Nottingham", "safeguarding", since=earlier, charts=False)
    with pytest.raises(lacompare.InvalidArgumentError, match="'safeguarding' paper, not"):
        lacompare.board_paper(ref, "Derby", "headline", since=earlier, charts=False)
    with pytest.raises(lacompare.InvalidArgumentError, match="not before this one"):
        lacompare.board_paper(
            ref, "Derby", "safeguarding", since=earlier, written="2024-12-01", charts=False
        )


def test_a_file_of_another_version_or_kind_is_refused(earlier: Path, tmp_path: Path) -> None:
    rows = pl.read_parquet(earlier)
    other = tmp_path / "v99.data.parquet"
    meta = json.loads(pl.read_parquet_metadata(earlier)["lacompare_paper_data"])
    rows.write_parquet(other, metadata={"lacompare_paper_data": json.dumps(meta | {"version": 99})})
    with pytest.raises(
        lacompare.SourceFileError, match=f"version 99.*reads version {DATA_VERSION}"
    ):
        read_paper_data(other)
    plain = tmp_path / "plain.parquet"
    rows.write_parquet(plain)
    with pytest.raises(lacompare.SourceFileError, match="not a lacompare paper data file"):
        read_paper_data(plain)


def test_the_command_line_writes_and_reads_a_papers_data(tmp_path: Path) -> None:
    from lacompare.cli import main

    def paper(out: str, date: str, *given: str) -> Path:
        base = ["paper", "--la", "Derby", "--paper", "safeguarding", "--date", date]
        assert main([*base, "--out", str(tmp_path / out), *given]) == 0
        return tmp_path / out

    data = next(paper("a", "2025-01-10", "--period", "2024", "--format", "data").glob("*.parquet"))
    later = paper("b", "2026-12-04", "--since", str(data), "--format", "html")
    page = next(later.glob("*.html")).read_text(encoding="utf-8")
    assert "Since the last paper (10 January 2025)" in page
