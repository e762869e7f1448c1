"""End-to-end time of one CLI report against the bare import of its heavy libraries.

Run: python benchmarks/cli_report.py [--repeat N]

Times, in separate processes (median of N each): ``python -c "import polars, great_tables,
pandera.polars"`` and ``lacompare report --la Derby --format html``; prints both and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    imports = [sys.executable, "-c", "import polars, great_tables, pandera.polars"]
    with tempfile.TemporaryDirectory() as out:
        report = [
            sys.executable,
            "-m",
            "lacompare.cli",
            "report",
            "--la",
            "Derby",
            "--format",
            "html",
            "--out",
            out,
        ]
        timed(report)  # warm the file cache
        bare = statistics.median(timed(imports) for _ in range(args.repeat))
        full = statistics.median(timed(report) for _ in range(args.repeat))
    print(f"import polars + great_tables + pandera : {bare:6.2f} s (median of {args.repeat})")
    print(f"lacompare report --la Derby (html)     : {full:6.2f} s (median of {args.repeat})")
    print(f"ratio                                  : {full / bare:6.2f}x")


if __name__ == "__main__":
    main()
