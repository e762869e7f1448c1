"""How periods are said (lacompare.periods): each kind of label in words and on an axis, the
same in every context an expression can sit in, each distinct period worded once."""

from __future__ import annotations

import polars as pl
import pytest

from lacompare import periods
from lacompare.periods import period_short, period_text

#: (label, period type, snapshot) -> (in words, on an axis)
SAID = {
    ("2024-25", "reporting_year", False): ("2024-25", "2024-25"),
    ("2024-25", "reporting_year", True): ("31 March 2025", "Mar 2025"),
    ("2023/24", "academic_year", False): ("2023/24 (academic year)", "2023/24"),
    ("2014-16", "reporting_year", False): ("2014 to 2016", "2014-16"),
    ("2021/22-23/24", "academic_year", False): (
        "2021/22 to 2023/24 (academic years)",
        "2021/22-23/24",
    ),
    ("2024", "annual_september", True): ("30 September 2024", "Sep 2024"),
    ("2024", "annual_september", False): ("year to 30 September 2024", "Sep 2024"),
    ("2025", "annual_january", False): ("January 2025", "Jan 2025"),
    ("at 6 Mar 2026", "reporting_year", True): ("6 March 2026", "6 Mar 2026"),
    ("0", "reporting_year", False): ("year not given", "year not given"),
    ("2023-24 (Prov)", "financial_year", False): ("2023-24 (provisional)", "2023-24"),
    ("2023-24 (Rev)", "reporting_year", True): ("31 March 2024 (revised)", "Mar 2024"),
    ("2023", "calendar_year", False): ("2023", "2023"),
    (None, "reporting_year", True): (None, None),
}


@pytest.fixture
def labels() -> pl.DataFrame:
    return pl.DataFrame(
        list(SAID),
        schema={"period": pl.String, "period_type": pl.String, "snapshot": pl.Boolean},
        orient="row",
    )


def said(frame: pl.DataFrame) -> list[tuple[str | None, str | None]]:
    words = period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot"))
    short = period_short(pl.col("period"), pl.col("period_type"), pl.col("snapshot"))
    return list(frame.select(words, short.alias("short")).iter_rows())


def test_each_kind_of_period_in_words_and_on_an_axis(labels: pl.DataFrame) -> None:
    assert said(labels) == list(SAID.values())


def test_the_same_words_wherever_the_expression_sits(labels: pl.DataFrame) -> None:
    doubled = pl.concat([labels, labels.reverse()])
    assert said(doubled) == [*SAID.values(), *reversed(SAID.values())]
    # Inside a branch, after a filter, on a lazy frame, in a group's aggregation.
    words = period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot"))
    branch = (
        doubled.lazy()
        .filter(pl.col("snapshot"))
        .select(pl.when(pl.col("period_type") == "reporting_year").then(words).alias("w"))
        .collect()
    )
    expected = [
        text if key[1] == "reporting_year" else None
        for key, (text, _) in [*SAID.items(), *reversed(SAID.items())]
        if key[2]
    ]
    assert branch.get_column("w").to_list() == expected
    grouped = doubled.group_by("period_type", maintain_order=True).agg(words.first().alias("w"))
    firsts = {kind: text for (_, kind, _), (text, _) in reversed(SAID.items())}
    assert dict(grouped.iter_rows()) == firsts
    # Literals, and an empty frame keep their type.
    one = pl.select(period_text(pl.lit("2024-25"), pl.lit("reporting_year"), pl.lit(True)))
    assert one.item() == "31 March 2025"
    assert labels.head(0).select(words).dtypes == [pl.String]


def test_each_distinct_period_is_worded_once(
    labels: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    worded: list[int] = []
    words = periods._period_text

    def counted(label: pl.Expr, kind: pl.Expr, snapshot: pl.Expr) -> pl.Expr:
        worded.append(1)
        return words(label, kind, snapshot)

    said_once = periods._once_per_period(counted)
    expression = said_once(pl.col("period"), pl.col("period_type"), pl.col("snapshot"))
    first = pl.concat([labels] * 50).select(expression)
    again = labels.select(expression)
    assert len(worded) == 1  # 700 rows, 14 periods: worded together, once
    assert first.get_column("period").to_list() == [text for text, _ in SAID.values()] * 50
    assert again.get_column("period").to_list() == [text for text, _ in SAID.values()]
