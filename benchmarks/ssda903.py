"""Figures from an SSDA903 extract against reading the extract's CSV files.

Run: python benchmarks/ssda903.py [--episodes N] [--repeat R]

Writes a seeded synthetic extract of about N episodes (default 50,000: a large LA's
multi-year extract) and prints, measured in one run and interleaved (read, derive, read, ...),
the min and median of R rounds of:

- reading every CSV of the extract with ``pl.read_csv`` (all columns as text);
- ``derive_903(folder, la="Derby", year=2026)``: finding and reading the tables, parsing,
  every validation rule, every measure and the validated figures;

and the second as a ratio to the first. Target (issue 24): "well under a second" for tens of
thousands of episodes; the ratio says how much of that is lacompare's work, not the disk's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl

from lacompare import load_reference
from lacompare.ssda903 import derive_903
from lacompare.ssda903.synthetic import write_synthetic_903

EPISODES_PER_CHILD = 3.1  # what the generator draws on average over five years


def _read_all(folder: Path) -> int:
    return sum(pl.read_csv(p, infer_schema=False).height for p in sorted(folder.glob("*.csv")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    ref = load_reference()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_synthetic_903(
            Path(tmp) / "extract", children=int(args.episodes / EPISODES_PER_CHILD), seed=24
        )
        rows = {p.stem: pl.read_csv(p, infer_schema=False).height for p in folder.glob("*.csv")}
        derive_903(folder, la="Derby", year=2026, ref=ref)  # warm the imports and caches
        read_times, derive_times = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            _read_all(folder)
            read_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            derived = derive_903(folder, la="Derby", year=2026, ref=ref)
            derive_times.append(time.perf_counter() - start)
    print(
        f"extract: {rows['episodes']:,} episodes, {rows['header']:,} children in the header, "
        f"{sum(rows.values()):,} rows in {len(rows)} files; {derived.figures.height} figures"
    )
    for name, times in (("read CSVs", read_times), ("derive_903", derive_times)):
        print(
            f"{name:<12} min {min(times) * 1000:7.1f} ms   median "
            f"{statistics.median(times) * 1000:7.1f} ms"
        )
    ratio = min(derive_times) / min(read_times)
    print(f"derive_903 / read CSVs (min): {ratio:.1f}x")


if __name__ == "__main__":
    main()
