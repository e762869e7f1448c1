"""The command line, end to end, against the bare import of its heavy libraries.

Run: python benchmarks/cli_report.py [--repeat N] [--no-batch]

Times, in fresh processes run as a user's install would (``_as_a_user``), interleaved N times:
``python -c "import polars, great_tables, pandera.polars"`` and ``lacompare report --la Derby
--format html``; prints min and median of each and their ratios (target <= 2.0x). Then times
``lacompare batch --all --format html`` (every LA's board table) once, against its 10 s target.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

from _as_a_user import AS_A_USER

#: What the console script runs, named as it is (the `paper` command starts its chart engine
#: on seeing it: lacompare._early).
CLI = "sys.argv[0] = 'lacompare'; from lacompare.cli import main; sys.exit(main(sys.argv[1:]))"
BATCH_TARGET_SECONDS = 10.0


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def lacompare(*args: str) -> list[str]:
    """The command line as a user runs it, in a fresh process."""
    return [sys.executable, "-c", AS_A_USER + CLI, *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-batch", action="store_true", help="skip batch --all")
    args = parser.parse_args()
    imports = [sys.executable, "-c", AS_A_USER + "import polars, great_tables, pandera.polars"]
    with tempfile.TemporaryDirectory() as out:
        report = lacompare("report", "--la", "Derby", "--format", "html", "--out", out)
        timed(report)  # warm the file cache
        bare, full = [], []
        for _ in range(args.repeat):
            bare.append(timed(imports))
            full.append(timed(report))
        print(f"interleaved, {args.repeat} rounds                      min     median")
        for label, times in (
            ("import polars + great_tables + pandera", bare),
            ("lacompare report --la Derby (html)", full),
        ):
            print(f"  {label:40}  {min(times):5.2f} s  {statistics.median(times):5.2f} s")
        print(
            f"  ratio                                     {min(full) / min(bare):5.2f}x "
            f"{statistics.median(full) / statistics.median(bare):5.2f}x   (target <= 2.0x)"
        )
        if not args.no_batch:
            batch = timed(lacompare("batch", "--all", "--format", "html", "--out", out))
            print(
                f"lacompare batch --all --format html: {batch:5.2f} s "
                f"(target <= {BATCH_TARGET_SECONDS:.0f} s)"
            )


if __name__ == "__main__":
    main()
