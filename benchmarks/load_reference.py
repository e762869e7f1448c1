"""How long load_reference() (read + validate every rule) takes against just reading the files.

Run: python benchmarks/load_reference.py [--repeat N]

Prints the median of N runs of each, measured alternately in one process, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

from lacompare.reference import default_reference_path, load_reference, read_reference_frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    path = default_reference_path()
    load_reference(path)  # warm the file cache and imports before timing
    read_times, load_times = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        frames = read_reference_frames(path)
        read_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        load_reference(path)
        load_times.append(time.perf_counter() - start)
    rows = sum(frame.height for frame in frames.values())
    read, load = statistics.median(read_times), statistics.median(load_times)
    print(f"reference data: {path} ({rows:,} rows in 4 frames)")
    print(f"read parquet only     : {read * 1000:8.1f} ms (median of {args.repeat})")
    print(f"load_reference (+rules): {load * 1000:8.1f} ms (median of {args.repeat})")
    print(f"ratio load / read     : {load / read:8.2f}x (target < 2x)")


if __name__ == "__main__":
    main()
