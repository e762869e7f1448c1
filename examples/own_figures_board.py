"""Derby's corporate parenting paper with this year's own figures, from its SSDA903 extract.

DfE publishes the year to 31 March 2026 in November 2026; the committee meets before then.
This example derives Derby's 2025-26 children-looked-after figures from a 903 extract by
DfE's definitions (lacompare.figures_from_903), adds them beside the published comparators
(ref.with_local) and writes the paper, where they are marked [L] and explained in Appendix C.

The extract here is synthetic (lacompare.ssda903.synthetic: seeded, no real child), the size
of Derby's: point --ssda903 at your own folder of 903 CSV files (or a workbook) instead.

Run: .venv/bin/python examples/own_figures_board.py [--ssda903 DIR] [--out DIR]
Writes <out>/derby_903_extract/ (when generated), <out>/derby_own_figures_2026.csv and
<out>/derby_corporate_parenting_own_figures.{docx,html,pdf}.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import polars as pl
from board_papers import OUTPUT, write_paper

import lacompare
from lacompare.ssda903.synthetic import write_synthetic_903

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ssda903", type=Path, default=None, help="your 903 extract")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    extract = args.ssda903 or write_synthetic_903(
        args.out / "derby_903_extract", year=2026, children=1500, seed=2026
    )
    ref = lacompare.load_reference()
    # Notes (values counted as not known, rows ignored) go in each figure's note column and
    # in check_903(); print them for the analyst.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lacompare.Ssda903Warning)
        figures = lacompare.figures_from_903(extract, la="Derby", year=2026, ref=ref)
    for row in lacompare.check_903(extract, la="Derby", year=2026, ref=ref).iter_rows(named=True):
        print(f"{row['severity']}: {row['file'] or ''} {row['column'] or ''}: {row['rule']}")
    figures_csv = args.out / "derby_own_figures_2026.csv"
    figures.write_csv(figures_csv)
    print(f"wrote {figures_csv}")
    with pl.Config(tbl_rows=12, fmt_str_lengths=40):
        print(figures.select("indicator_id", "value", "numerator", "denominator").head(12))
    write_paper(ref.with_local(figures), "Derby", "corporate-parenting", args.out, "_own_figures")
