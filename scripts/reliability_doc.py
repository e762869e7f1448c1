"""Write docs/reliability.md: every case of the bad-input catalogue (tests/test_reliability.py)
and what the user sees, produced by running each case.

Run: python scripts/reliability_doc.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import polars as pl  # noqa: E402

import lacompare  # noqa: E402
from test_reliability import CASES  # noqa: E402


def main() -> int:
    ref = lacompare.load_reference()
    lines = [
        "# Reliability: bad inputs and what the user sees",
        "",
        "Every case below is a test in `tests/test_reliability.py` (this page is written by",
        "`scripts/reliability_doc.py` from running them). A bad input gives a lacompare error",
        "(all derive from `lacompare.LacompareError`) naming the file, row, column and rule; a",
        "legitimate but incomplete input (a suppressed figure, a year with no data) gets an",
        "explicit status that reaches the table's notes. Nothing is dropped, zeroed or clamped.",
        "",
        "The cases cover, as classes: areas and the names people write for them; indicators,",
        "periods and empty selections; statistical-neighbour and custom comparator groups;",
        "local figures' values, symbols, dates and magnitudes; local figures as files (text",
        "encodings, workbooks, binary files) and as Python containers; the published sources;",
        "tables, saving and the command line. A test scans every message for polars or pandera",
        "exception names, raw bytes and tracebacks.",
        "",
        "| case | what the user sees |",
        "| --- | --- |",
    ]
    for case in CASES:
        with tempfile.TemporaryDirectory() as folder:
            try:
                result = case.act(ref, Path(folder))
                seen = "accepted: " + _describe(result)
            except lacompare.LacompareError as error:
                first = str(error).splitlines()
                detail = " ".join(line.strip() for line in first[:2])
                seen = f"`{type(error).__name__}`: {detail}"
        seen = seen.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{case.id}` | {seen[:400]} |")
    out = REPO / "docs" / "reliability.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(CASES)} cases)")
    return 0


def _describe(result: object) -> str:
    if isinstance(result, bool):
        return "every check of the case holds" if result else "a check fails"
    if isinstance(result, int):
        return f"command exit code {result} with the message on stderr"
    if isinstance(result, dict):
        return f"value {result.get('la_value')!r}, status {result.get('la_status')!r}"
    if isinstance(result, tuple):
        return (
            f"{result[0]!r} with its note"
            if result and isinstance(result[0], str | list)
            else repr(result)
        )
    if isinstance(result, lacompare.ReferenceData):
        return "the figures load"
    if isinstance(result, str) and result.lstrip().startswith("<"):
        return "HTML with the text escaped (&lt;script&gt;)"
    if isinstance(result, str):
        return f"read as {result!r}"
    if isinstance(result, float):
        return f"the figure reads as {result:g}"
    if isinstance(result, pl.DataFrame):
        return f"a frame of {result.height} rows"
    if hasattr(result, "isoformat"):
        return f"the date {result}"
    return type(result).__name__


if __name__ == "__main__":
    raise SystemExit(main())
