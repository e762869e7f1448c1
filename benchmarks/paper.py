"""How long one board paper takes, end to end, against a single board table.

Run: python benchmarks/paper.py [--repeat N]

Times, in separate processes (median of N each, interleaved): ``lacompare report --la Derby
--format html`` (one table) and ``lacompare paper --la Derby --paper corporate-parenting
--format docx,html`` (the whole paper), the paper twice: with every chart drawn (no charts
kept, ``LACOMPARE_CHART_CACHE=off``: the measure of the target) and made again with its charts
kept from an earlier run (as when a title is changed). Prints the times, the ratios to the
table (target: a paper in at most twice one table's time, issue 29) and the paper's time
against the 10-second ceiling.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile

from cli_report import lacompare, timed  # the same timer and command as the table benchmark

TARGET_SECONDS = 10.0
TARGET_RATIO = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        table = lacompare("report", "--la", "Derby", "--format", "html", "--out", out)
        paper = lacompare(
            "paper", "--la", "Derby", "--paper", "corporate-parenting",
            "--format", "docx,html", "--out", out, "--date", "2026-11-25",
        )  # fmt: skip
        drawn = {**os.environ, "LACOMPARE_CHART_CACHE": "off"}
        kept = {**os.environ, "LACOMPARE_CHART_CACHE": os.path.join(out, "charts")}
        timed(paper, kept)  # warm the file cache, and keep the charts
        tables, papers, again = [], [], []
        for _ in range(args.repeat):
            tables.append(timed(table))
            papers.append(timed(paper, drawn))
            again.append(timed(paper, kept))
    one_table, whole = statistics.median(tables), statistics.median(papers)
    remade = statistics.median(again)
    rows = [
        ("lacompare report --la Derby (one table, html)", f"{one_table:6.2f} s"),
        ("lacompare paper --la Derby (docx + html)", f"{whole:6.2f} s"),
        ("paper / table", f"{whole / one_table:6.2f}x (target <= {TARGET_RATIO:g}x)"),
        ("paper / 10 s target", f"{whole / TARGET_SECONDS:6.2f}"),
        ("the paper made again, its charts kept", f"{remade:6.2f} s"),
        ("paper made again / table", f"{remade / one_table:6.2f}x"),
    ]
    for label, figure in rows:
        print(f"{label:46}: {figure} (median of {args.repeat})")


if __name__ == "__main__":
    main()
