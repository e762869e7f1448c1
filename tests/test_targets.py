"""The council's own targets (issue 31, second part): read and checked like local figures,
judged on the figure as shown, and said in the paper beside the exception rule."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.tables import body_rows
from paper_text import paper_text

TARGETS_CSV = """indicator,target,amber,direction,source
LACDistance,20,5,,Corporate parenting strategy 2025-28
CareLeaverEET,50,,,Corporate parenting strategy 2025-28
"""


@pytest.fixture(scope="module")
def targets_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("targets") / "targets.csv"
    path.write_text(TARGETS_CSV, encoding="utf-8")
    return path


def test_statuses_judge_the_figure_as_shown(ref, targets_file: Path) -> None:
    rows = lacompare.compare(
        ref.with_targets(targets_file, la="Derby"), "Derby", indicators=["LACDistance",
        "CareLeaverEET", "ReReferral"],
    )  # fmt: skip
    status = dict(rows.select("indicator_id", "target_status").iter_rows())
    # 34% placed far away against a target of 20% (lower is better): missed; care leavers in
    # education, employment or training 53% against 50% (higher is better): met.
    assert status == {"lacdistance": "missed", "careleavereet": "met", "rereferral": None}


@pytest.mark.parametrize(
    ("target", "amber", "status"),
    [("30", "5", "near"), ("34", None, "met"), ("29", "4", "missed"), ("40", None, "met")],
)
def test_near_is_within_the_tolerance(ref, target: str, amber: str | None, status: str) -> None:
    given = {"indicator": ["LACDistance"], "target": [target], "amber": [amber]}
    rows = lacompare.compare(
        ref.with_targets(given, la="Derby"), "Derby", indicators=["LACDistance"]
    )
    assert rows.get_column("target_status")[0] == status


def test_a_target_for_a_year_with_no_figure_says_so(ref) -> None:
    def status(period: str) -> str | None:
        given = {"indicator": ["LACDistance"], "target": ["20"], "period": [period]}
        rows = lacompare.compare(
            ref.with_targets(given, la="Derby"), "Derby", indicators=["LACDistance"]
        )
        return rows.get_column("target_status")[0]

    assert status("2025") == "missed"  # the figure shown is at 31 March 2025
    assert status("2026") == "no figure"  # a later year's target: no figure for it yet
    assert status("2024") is None  # an earlier year's target does not judge this one


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"indicator": ["NoSuchThing"], "target": ["20"]}, r"row 1, column 'indicator'"),
        ({"indicator": ["LACDistance"], "target": ["twenty"]}, r"column 'target': is a number"),
        ({"indicator": ["LAC"], "target": ["80"]}, r"row 1, column 'direction': is given for an "
         "indicator with no better direction"),
        ({"indicator": ["LACDistance"], "target": ["20"], "direction": ["higher"]},
         r"row 1, column 'direction': agrees with the indicator's polarity"),
        ({"indicator": ["LACDistance", "LACDistance"], "target": ["20", "25"]},
         r"row 1, column 'indicator': appears once"),
        ({"indicator": ["LACDistance"], "target": ["20"], "amber": ["-1"]},
         r"row 1, column 'amber'"),
        ({"indicator": ["LACDistance"], "target": ["20"], "source": ["bad\x07"]},
         r"row 1, column 'source'"),
    ],
)  # fmt: skip
def test_bad_targets_are_named_by_row_and_rule(ref, given: dict, message: str) -> None:
    with pytest.raises(lacompare.DataValidationError, match=message):
        ref.with_targets(given, la="Derby")


def test_the_paper_counts_names_and_lists_targets(ref, targets_file: Path) -> None:
    paper = lacompare.board_paper(
        ref, "Derby", "corporate-parenting", targets=targets_file, written="2026-12-04",
        charts=False,
    )  # fmt: skip
    text = paper_text(paper)
    assert "Of the council's 2 targets in this paper, 1 met, none near" in text
    assert (
        "Missed the council's own target: Children looked after placed more than 20 miles "
        "from home, outside the area (%) (34% against a target of 20%)" in text
    )
    exceptions = next(t for t in paper.tables() if t.caption.startswith("Table 2."))
    reasons = {label: cells[-1] for *_, label, cells in body_rows(exceptions.model)}
    far = reasons["Children looked after placed more than 20 miles from home, outside the area (%)"]
    assert "missed the council's target of 20% (Corporate parenting strategy 2025-28)" in far
    assert "ranked joint 145th" in far, "beside the exception rule, not in its place"
    table = next(t for t in paper.tables() if "Placements" in t.caption)
    assert "Target" in table.model.columns.values()
    cells = [" | ".join(c) for *_, c in body_rows(table.model)]
    assert any("20% (□ Missed)" in c for c in cells)


def test_a_missed_target_not_flagged_by_the_rule_is_listed_on_its_own(ref) -> None:
    given = {"indicator": ["LAC"], "target": ["80"], "direction": ["lower"]}
    paper = lacompare.board_paper(
        ref, "Derby", "corporate-parenting", targets=given, written="2026-12-04", charts=False
    )
    exceptions = next(t for t in paper.tables() if t.caption.startswith("Table 2."))
    rows = {label: cells for *_, label, cells in body_rows(exceptions.model)}
    cells = rows["Children looked after, rate per 10,000 children"]
    assert cells[1] == "Missed target" and "88 against the council's target of 80" in cells[-1]
    assert any(n.startswith("Missed target:") for n in exceptions.model.notes)


def test_targets_in_a_spec_and_on_the_command_line(ref, targets_file: Path, tmp_path: Path) -> None:
    spec = tmp_path / "cp.toml"
    spec.write_text(
        'title = "Children in care"\ntargets = "' + str(targets_file) + '"\n'
        '[[sections]]\ntitle = "Placements"\nindicators = ["LACDistance"]\n',
        encoding="utf-8",
    )
    read = lacompare.read_spec(spec, ref)
    paper = lacompare.board_paper(ref, "Derby", read, written="2026-12-04", charts=False)
    assert paper.comparison.get_column("target_status").to_list() == ["missed"]
    inline = tmp_path / "inline.toml"
    inline.write_text(
        'title = "Children in care"\n[[targets]]\nindicator = "LACDistance"\ntarget = 40\n'
        '[[sections]]\ntitle = "Placements"\nindicators = ["LACDistance"]\n',
        encoding="utf-8",
    )
    paper = lacompare.board_paper(ref, "Derby", inline, written="2026-12-04", charts=False)
    assert paper.comparison.get_column("target_status").to_list() == ["met"]

    from lacompare.cli import main

    code = main(["paper", "--la", "Derby", "--targets", str(targets_file), "--format", "html",
                 "--out", str(tmp_path / "out"), "--date", "2026-12-04"])  # fmt: skip
    assert code == 0
    page = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert "Missed the council&#x27;s own target" in page
    assert pl.Series([page]).str.contains("□ Missed").item()
