"""Gaps said in children (issue 31, first part): how many more or fewer children an LA's
figure means than England's rate, or its neighbours' average, would give on its own base."""

from __future__ import annotations

import polars as pl
import pytest

import lacompare
from lacompare.compare import GAP_MIN_CHILDREN
from lacompare.tables import body_rows


def _row(frame: pl.DataFrame, indicator: str) -> dict:
    return frame.filter(pl.col("indicator_id") == indicator).row(0, named=True)


@pytest.mark.parametrize(
    ("indicator", "multiplier"), [("lac", 10_000), ("rereferral", 100), ("careleavereet", 100)]
)
def test_the_gap_is_the_count_minus_the_count_at_englands_rate(
    derby: pl.DataFrame, indicator: str, multiplier: int
) -> None:
    row = _row(derby, indicator)
    expected = row["la_numerator"] - row["la_denominator"] * row["england_exact_value"] / multiplier
    assert row["gap_base"] == row["la_denominator"]
    assert row["gap_england"] == pytest.approx(expected)
    to_sn = row["la_numerator"] - row["la_denominator"] * row["sn_average"] / multiplier
    assert row["gap_sn"] == pytest.approx(to_sn)


def test_derbys_gaps_as_the_issue_says_them(derby: pl.DataFrame) -> None:
    # 545 children in care against 62,113 x 67.118 / 10,000 = 416.9: about 130 more.
    assert _row(derby, "lac")["gap_england"] == pytest.approx(128.1, abs=0.05)
    # 823 re-referrals of 3,557 against 22.58%: about 20 more.
    assert _row(derby, "rereferral")["gap_england"] == pytest.approx(19.8, abs=0.05)


def test_no_gap_without_counts_or_on_small_numbers(everything: pl.DataFrame) -> None:
    with_gap = everything.filter(pl.col("gap_england").is_not_null())
    assert with_gap.height > 1000
    assert with_gap.get_column("la_numerator").null_count() == 0
    assert not with_gap.get_column("small_number").any()
    assert (with_gap.get_column("gap_base") >= GAP_MIN_CHILDREN).all()
    assert set(with_gap.get_column("unit").unique().to_list()) <= {
        "percent",
        "rate_per_10000",
        "rate_per_1000",
        "rate_per_100000",
    }
    # school sessions are half-days, not children
    assert with_gap.get_column("overdispersion").null_count() == with_gap.height


@pytest.mark.parametrize(
    ("gap", "said"),
    [
        (7.4, "7 more"),
        (-2.6, "3 fewer"),
        (19.79, "about 20 more"),
        (-12.4, "about 10 fewer"),
        (128.1, "about 130 more"),
        (-1234.0, "about 1,230 fewer"),
        (0.3, "no more and no fewer"),
        (None, None),
    ],
)
def test_gaps_are_rounded_honestly(gap: float | None, said: str | None) -> None:
    from lacompare.format import format_gap

    text = pl.select(format_gap(pl.lit(gap, dtype=pl.Float64))).item()
    assert text == said


def test_a_flagged_row_says_its_gap_in_the_paper(ref: lacompare.ReferenceData) -> None:
    paper = lacompare.board_paper(ref, "Kent", "corporate-parenting", written="2026-12-04",
                                  charts=False)  # fmt: skip
    flagged = lacompare.exceptions(paper.comparison)
    rows = paper.comparison.join(flagged.select("indicator_id", "reason"), on="indicator_id")
    with_gap = rows.filter(pl.col("gap_england").is_not_null())
    assert with_gap.height > 0
    table = next(t for t in paper.tables() if t.caption.startswith("Table 2."))
    exceptions_text = " ".join(" ".join(cells) for *_, cells in body_rows(table.model))
    for reason, base in with_gap.select("reason", "gap_base").iter_rows():
        assert "than at England's rate" in reason and f"{int(base):,}" in reason
        assert reason in exceptions_text


def test_the_board_table_can_show_the_gap(derby: pl.DataFrame) -> None:
    from lacompare.tables import model_of

    subset = derby.filter(pl.col("indicator_id").is_in(["lac", "lacnum", "rereferral"]))
    table = lacompare.board_table(subset, columns=["la", "england", "gap_england"])
    cells = dict(model_of(table).frame.select("indicator_id", "gap_england").iter_rows())
    assert cells == {"lac": "+130", "lacnum": "–", "rereferral": "+20"}
