"""Derby's safeguarding paper with this year's own figures, from its CIN census return.

DfE publishes the year to 31 March 2026 in the autumn; the safeguarding partnership meets
before then. This example derives Derby's 2025-26 children in need and child protection
figures from its CIN census return (the XML file it sends DfE) by DfE's definitions
(lacompare.figures_from_cin, with last year's return for the look-back), adds them beside the
published comparators (ref.with_local) and writes the paper, where they are marked [L] and
explained in Appendix C.

The returns here are synthetic (lacompare.cin.synthetic: one seeded history, no real child),
about Derby's size: point --cin (and --previous) at your own returns instead.

Run: .venv/bin/python examples/own_figures_safeguarding.py [--cin FILE --previous FILE] [--out DIR]
Writes <out>/derby_cin_2026.xml and derby_cin_2025.xml (when generated),
<out>/derby_cin_figures_2026.csv and <out>/derby_safeguarding_own_figures.{docx,html,pdf}.
"""

from __future__ import annotations

import argparse
import warnings
from datetime import date
from pathlib import Path

import polars as pl
from board_papers import OUTPUT, write_paper

import lacompare
from lacompare.cin.synthetic import as_returned, simulate, write_return

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cin", type=Path, default=None, help="your CIN census return")
    parser.add_argument("--previous", type=Path, default=None, help="last year's return")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    current, previous = args.cin, args.previous
    if current is None:
        # One simulated history, returned as Derby would have on each census date.
        world = simulate(2026, 4000, seed=2026)
        current, previous = (
            write_return(args.out / f"derby_cin_{year}.xml", as_returned(world, year),
                         census=date(year, 3, 31))
            for year in (2026, 2025)
        )  # fmt: skip
        print(f"wrote {current} and {previous} (synthetic)")
    ref = lacompare.load_reference()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", lacompare.CinWarning)
        figures = lacompare.figures_from_cin(
            current, la="Derby", year=2026, previous=previous, ref=ref
        )
    for warning in caught:
        print(f"warning: {warning.message}")
    figures_csv = args.out / "derby_cin_figures_2026.csv"
    figures.write_csv(figures_csv)
    print(f"wrote {figures_csv}")
    with pl.Config(tbl_rows=40, fmt_str_lengths=40):
        print(figures.select("indicator_id", "value", "numerator", "denominator"))
    write_paper(ref.with_local(figures), "Derby", "safeguarding", args.out, "_own_figures")
