"""The comparison engine against the raw read of the data it works on.

Run: python benchmarks/compare_all.py [--repeat N]

Prints, measured in one run:

- warm timings, interleaved (raw read, compare_all, compare(Derby), raw read, ...), as min and
  median of N rounds: ``pl.read_parquet`` of observations.parquet, ``compare_all(ref)`` (all
  153 LAs x 434 indicators) and ``compare(ref, "Derby")``, each as a ratio to the raw read;
- the first ``compare_all`` in a fresh process against the second one in that process;
- the peak resident memory of a fresh process that loads the data and runs ``compare_all``,
  and of one that only loads it (the difference is the engine's). Fresh processes run as a
  user's install would (``_as_a_user``: no pandas, numpy or hypothesis).

Targets (issue 14): compare_all <= 20x the raw read, compare(Derby) <= 10x, first call <=
1.5x a warm one, peak memory of load + compare_all <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import polars as pl
from _as_a_user import AS_A_USER

from lacompare import load_reference
from lacompare.compare import compare, compare_all
from lacompare.reference import default_reference_path

#: Run in a fresh process: the first and second compare_all, and peak memory.
#: Peak memory is the process's own high-water mark (VmHWM, reset when a program starts);
#: ru_maxrss would carry over the peak of this benchmark process, which forked it.
FRESH = """
import json, re, sys, time
def peak_kb():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
import lacompare
ref = lacompare.load_reference()
loaded = peak_kb()
if sys.argv[1] == "engine":
    start = time.perf_counter(); lacompare.compare_all(ref); first = time.perf_counter() - start
    start = time.perf_counter(); lacompare.compare_all(ref); second = time.perf_counter() - start
else:
    first = second = 0.0
print(json.dumps({"first": first, "second": second, "loaded_kb": loaded, "peak_kb": peak_kb()}))
"""


def fresh(mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", AS_A_USER + FRESH, mode],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    ref = load_reference()
    path = default_reference_path() / "observations.parquet"
    compare_all(ref)  # warm-up: imports, caches
    runs: dict[str, list[float]] = {"raw read": [], "compare_all": [], "compare(Derby)": []}
    for _ in range(args.repeat):
        runs["raw read"].append(timed(lambda: pl.read_parquet(path)))
        runs["compare_all"].append(timed(lambda: compare_all(ref)))
        runs["compare(Derby)"].append(timed(lambda: compare(ref, "Derby")))
    raw_min, raw_median = min(runs["raw read"]), statistics.median(runs["raw read"])
    print(f"warm, {args.repeat} interleaved rounds     min        median   ratio to raw read")
    for name, times in runs.items():
        low, middle = min(times), statistics.median(times)
        ratio = f"{low / raw_min:5.1f}x (min) {middle / raw_median:5.1f}x (median)"
        print(f"  {name:16}            {low * 1000:7.1f} ms {middle * 1000:7.1f} ms   {ratio}")
    engine = [fresh("engine") for _ in range(3)]
    loaded = [fresh("load") for _ in range(3)]
    first = statistics.median(r["first"] for r in engine)
    second = statistics.median(r["second"] for r in engine)
    print(
        f"fresh process (median of 3): first compare_all {first * 1000:.0f} ms, second "
        f"{second * 1000:.0f} ms, ratio {first / second:.2f}x (target <= 1.5x)"
    )
    peak = statistics.median(r["peak_kb"] for r in engine) / 1024
    base = statistics.median(r["peak_kb"] for r in loaded) / 1024
    print(
        f"peak memory: load + compare_all {peak:.0f} MB; load only {base:.0f} MB; the engine "
        f"adds {peak - base:.0f} MB (target: load + compare_all <= 300 MB)"
    )


if __name__ == "__main__":
    main()
