"""How long figures_from_cin takes on a return the size of the largest LAs' (30,000 children),
against parsing the file alone, both in the same run; and its peak memory.

Run: python benchmarks/cin.py [--children 30000] [--repeat 3]

Targets (issue 30): parse plus all 40 indicators under 3 s, and under 1 GB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import lacompare
from lacompare.cin import CinWarning, figures_from_cin
from lacompare.cin.read import read_return
from lacompare.cin.synthetic import as_returned, simulate, write_return

TARGET_SECONDS = 3.0
TARGET_MB = 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ref = lacompare.load_reference()
    with tempfile.TemporaryDirectory() as folder:
        # Simulate enough children that the return itself holds about --children.
        world = simulate(2026, int(args.children * 1.45), seed=30)
        children = as_returned(world, 2026)[: args.children]
        path = write_return(Path(folder) / "cin_2026.xml", children, census=date(2026, 3, 31))
        size = path.stat().st_size / 1e6
        parse, whole = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            read_return(path)
            parse.append(time.perf_counter() - started)
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CinWarning)
                figures = figures_from_cin(path, la="Derby", year=2026, ref=ref)
            whole.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    parsed, total = statistics.median(parse), statistics.median(whole)
    print(f"return: {len(children):,} children, {size:.0f} MB of XML, {figures.height} figures")
    print(f"parse alone            : {parsed:6.2f} s (median of {args.repeat})")
    print(f"parse + all indicators : {total:6.2f} s (target <= {TARGET_SECONDS:g} s)")
    print(f"whole / parse          : {total / parsed:6.2f}x")
    print(f"peak memory            : {peak:6.0f} MB (target <= {TARGET_MB} MB)")


if __name__ == "__main__":
    main()
