"""compare_all (every LA at once) against a per-LA loop (one LA per call, the way a Shiny app
such as LAIT computes one LA at a time), at the latest period, every indicator.

Run: python benchmarks/compare_all.py [--loop-las N]

Prints, in one run: the time of compare_all for all LAs; the time of the per-LA loop (every LA,
or the first N if given, scaled up to all); their ratio; how compare_all's time grows from 10
to 50 to all LAs; and checks both give identical rows.
"""

from __future__ import annotations

import argparse
import time

import polars as pl

from lacompare import load_reference
from lacompare.compare import compare, compare_all
from lacompare.reference import ReferenceData


def timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def subset(ref: ReferenceData, n: int) -> ReferenceData:
    """Reference data with only the first n current LAs as targets (others kept as
    neighbours and for ranking), to see how compare_all scales with the LAs asked for."""
    keep = ref.local_authorities().get_column("area_code").head(n)
    areas = ref.areas.with_columns(
        current=pl.col("current")
        & ((pl.col("level") != "local_authority") | pl.col("area_code").is_in(keep.implode()))
    )
    return ReferenceData(ref.indicators, ref.observations, areas, ref.neighbours, ref.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loop-las", type=int, default=0, help="time the loop on N LAs only")
    args = parser.parse_args()
    ref = load_reference()
    compare_all(ref)  # warm-up: imports, caches

    all_time, all_rows = timed(compare_all, ref)
    codes = ref.local_authorities().get_column("area_code").to_list()
    looped = codes[: args.loop_las] if args.loop_las else codes
    loop_time, loop_frames = timed(lambda: [compare(ref, code) for code in looped])
    loop_all = loop_time * len(codes) / len(looped)

    same = (
        pl.concat(loop_frames)
        .sort("area_code", "indicator_id")
        .equals(
            all_rows.filter(pl.col("area_code").is_in(looped)).sort("area_code", "indicator_id")
        )
    )
    print(f"rows: {all_rows.height:,} ({len(codes)} LAs x {ref.indicators.height} indicators)")
    print(f"compare_all, all LAs          : {all_time:8.2f} s")
    scaled = f" (scaled from {len(looped)} LAs)" if len(looped) < len(codes) else ""
    print(f"per-LA loop of compare()      : {loop_all:8.2f} s{scaled}")
    print(f"speed-up                      : {loop_all / all_time:8.1f}x")
    print(f"identical rows                : {same}")
    for n in (10, 50, len(codes)):
        seconds, rows = timed(compare_all, subset(ref, n))
        print(f"compare_all, {n:3d} LAs         : {seconds:8.2f} s  ({rows.height:,} rows)")


if __name__ == "__main__":
    main()
