"""Board-paper tables for the corporate parenting committee and the safeguarding partnership,
for Derby and, to show nothing is Derby-specific, for another LA.

Run: .venv/bin/python examples/board_papers.py [--la Derby] [--other Nottingham] [--out DIR]
Writes <out>/<la>_corporate_parenting.{html,docx} and <out>/<la>_safeguarding.{html,docx} for
both LAs, each with a sentence per indicator in <out>/<la>_<paper>.md.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    parser.add_argument("--other", default="Nottingham")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "output")
    args = parser.parse_args()
    ref = lacompare.load_reference()
    args.out.mkdir(parents=True, exist_ok=True)
    for la in (args.la, args.other):
        name = ref.find_area(la, current=True)["name"]
        stem = name.lower().replace(" ", "_")
        for paper, (preset, title) in PAPERS.items():
            rows = lacompare.commentary(lacompare.compare(ref, la, indicators=PRESETS[preset]))
            table = lacompare.board_table(rows, title=f"{name}: {title}", highlight="red-red")
            for extension in ("html", "docx"):
                print(f"wrote {lacompare.save(table, args.out / f'{stem}_{paper}.{extension}')}")
            sentences = "\n".join(f"- {text}" for text in rows["commentary"])
            (args.out / f"{stem}_{paper}.md").write_text(
                f"# {name}: {title}\n\n{lacompare.summary_paragraph(rows)}\n\n{sentences}\n",
                encoding="utf-8",
            )


if __name__ == "__main__":
    main()
