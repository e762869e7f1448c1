"""Board-paper tables for the corporate parenting committee and the safeguarding partnership.

Run: .venv/bin/python examples/board_papers.py [--la Derby] [--other Nottingham] [--out DIR]
(or the single-paper scripts corporate_parenting_board.py, safeguarding_board.py and
other_la_board.py, which call :func:`write_paper`).

Writes <out>/<la>_<paper>.{html,docx} with red-red rows first, and <out>/<la>_<paper>.md with
the summary paragraph and a sentence per indicator.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import lacompare
from lacompare.presets import PRESETS

PAPERS = {
    "corporate_parenting": ("corporate-parenting", "Corporate parenting committee"),
    "safeguarding": ("safeguarding", "Safeguarding partnership: help and protection"),
}
OUTPUT = Path(__file__).parent / "output"


def write_paper(ref: lacompare.ReferenceData, la: str, paper: str, out: Path = OUTPUT) -> None:
    """One LA's board table and sentences for one paper (a key of :data:`PAPERS`)."""
    preset, title = PAPERS[paper]
    name = ref.find_area(la, current=True)["name"]
    stem = name.lower().replace(" ", "_").replace(",", "")
    out.mkdir(parents=True, exist_ok=True)
    rows = lacompare.commentary(lacompare.compare(ref, la, indicators=PRESETS[preset]))
    table = lacompare.board_table(rows, title=f"{name}: {title}", highlight="red-red")
    for extension in ("html", "docx"):
        print(f"wrote {lacompare.save(table, out / f'{stem}_{paper}.{extension}')}")
    sentences = "\n".join(f"- {text}" for text in rows["commentary"])
    (out / f"{stem}_{paper}.md").write_text(
        f"# {name}: {title}\n\n{lacompare.summary_paragraph(rows)}\n\n{sentences}\n",
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    parser.add_argument("--other", default="Nottingham")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    ref = lacompare.load_reference()
    for la in (args.la, args.other):
        for paper in PAPERS:
            write_paper(ref, la, paper, args.out)


if __name__ == "__main__":
    main()
