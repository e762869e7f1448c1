"""Check the hand-curated figures of Ofsted's 2017 inspection report on Derby.

Run: python scripts/check_inspection_figures.py [REPORT] [--figures CSV]

The figures live as data in ``reference_data/derby_inspection_2017.csv`` (one row per
quantitative statement: value, unit, comparator, the exact phrase quoted, its published twin
and whether it agrees). Edit that file; this script then checks that

1. it passes ``InspectionFiguresSchema`` (via ``lacompare.load_inspection_figures``);
2. figure ids run ofsted2017-001, -002, ... without gaps;
3. every quote is in the report (REPORT defaults to ../shared/seeds/derby-ofsted-ilacs-2017.txt);
4. every recorded relation ("agrees" / "differs") holds against the published data.

Each problem is printed with its row (the CSV's line number) and column; the exit code is 1 if
there are any. Dates, paragraph numbers, phone numbers and legal section numbers are not
figures and are left out of the file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

import lacompare
from lacompare.inspection import INSPECTION_FILE

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO.parent / "shared" / "seeds" / "derby-ofsted-ilacs-2017.txt"


def problems(figures: pl.DataFrame, report: str, checked: pl.DataFrame) -> list[str]:
    """Every rule a figure breaks, as "line N, column C: ..." (line 2 is the first figure)."""
    rows = figures.with_row_index("line", offset=2)
    found = []
    expected = [f"ofsted2017-{n:03d}" for n in range(1, figures.height + 1)]
    for line, figure_id, wanted in zip(rows["line"], rows["figure_id"], expected, strict=True):
        if figure_id != wanted:
            found.append(f"line {line}, column figure_id: {figure_id!r}, expected {wanted!r}")
    for line, quote in rows.select("line", "quote").iter_rows():
        if quote not in report:
            found.append(f"line {line}, column quote: not in the report: {quote!r}")
    broken = rows.join(checked.select("figure_id", "consistent"), on="figure_id").filter(
        ~pl.col("consistent")
    )
    for line, relation, indicator, period in broken.select(
        "line", "relation", "indicator_id", "published_period"
    ).iter_rows():
        found.append(
            f"line {line}, column relation: {relation!r} does not hold against the published "
            f"{indicator} for {period}"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=REPORT)
    parser.add_argument("--figures", type=Path, default=REPO / "reference_data" / INSPECTION_FILE)
    args = parser.parse_args(argv)
    try:
        figures = lacompare.load_inspection_figures(args.figures)
        report = args.report.read_text(encoding="utf-8")
    except (lacompare.LacompareError, OSError) as error:
        print(error, file=sys.stderr)
        return 1
    checked = lacompare.cross_check_inspection(lacompare.load_reference(), figures)
    found = problems(figures, report, checked)
    for problem in found:
        print(f"{args.figures}: {problem}", file=sys.stderr)
    if found:
        return 1
    print(f"{figures.height} figures checked against {args.report.name} and the published data")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
