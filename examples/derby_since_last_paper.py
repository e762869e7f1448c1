"""Derby's corporate parenting papers of September and December, the second saying what
changed since the first, with the council's own targets in both.

September: the latest published figures (2024-25), saved with its data
(derby_cp_2026-09.data.parquet). December: this year's own figures from the 903 extract
(2025-26, marked [L]) and ``since=`` the September paper, so the committee reads what is new:
figures newly in, flags raised and cleared, verdicts and quartile bands that moved, targets
newly met or missed. The targets file is the council's (here an example: two from a corporate
parenting strategy, one from a sufficiency strategy, with a stated direction because DfE gives
the rate of children in care none).

The 903 extract is synthetic (lacompare.ssda903.synthetic: seeded, no real child).

Run: .venv/bin/python examples/derby_since_last_paper.py [--out DIR]
Writes <out>/derby_targets.csv, <out>/derby_cp_2026-09.{docx,data.parquet} and
<out>/derby_cp_2026-12.{docx,html}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import warnings
from pathlib import Path

from board_papers import OUTPUT

import lacompare
from lacompare.ssda903.synthetic import write_synthetic_903

TARGETS = """indicator,target,amber,direction,period,source
LACDistance,20,5,,,Corporate parenting strategy 2025-28
CareLeaverEET,55,3,,,Corporate parenting strategy 2025-28
LAC,85,3,lower,,Sufficiency strategy 2024-27
"""

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    targets = args.out / "derby_targets.csv"
    targets.write_text(TARGETS, encoding="utf-8")
    print(f"wrote {targets}")
    ref = lacompare.load_reference()

    september = lacompare.board_paper(
        ref, "Derby", "corporate-parenting", targets=targets, written=dt.date(2026, 9, 15)
    )
    for suffix in ("docx", "data.parquet"):
        print(f"wrote {lacompare.save(september, args.out / f'derby_cp_2026-09.{suffix}')}")

    extract = write_synthetic_903(
        args.out / "derby_903_extract", year=2026, children=1500, seed=2026
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lacompare.Ssda903Warning)
        own = lacompare.figures_from_903(extract, la="Derby", year=2026, ref=ref)
    december = lacompare.board_paper(
        ref,
        "Derby",
        "corporate-parenting",
        local=own,
        targets=targets,
        since=args.out / "derby_cp_2026-09.data.parquet",
        written=dt.date(2026, 12, 4),
        charts=False,
    )
    for suffix in ("docx", "html"):
        print(f"wrote {lacompare.save(december, args.out / f'derby_cp_2026-12.{suffix}')}")
    since = next(s for s in december.sections if s.heading.startswith("Since the last paper"))
    print(since.heading)
    for block in since.blocks:
        print(" -", getattr(block, "text", ""))
