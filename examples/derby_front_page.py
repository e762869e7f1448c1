"""The front page of a board paper: a summary paragraph, the red-red table, and the
neighbour-model change, for Derby (or any LA).

Run: .venv/bin/python examples/derby_front_page.py [--la Derby] [--out DIR]

Writes <out>/<la>_front_page.md (summary, sentences) and <out>/<la>_red_red.{html,docx}
(the indicators worse than England and worsening, listed first, with both neighbour models).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import lacompare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "output")
    args = parser.parse_args()

    ref = lacompare.load_reference()
    # Every indicator for the LA, under both neighbour models, with sentences and flags.
    rows = lacompare.compare_neighbour_models(ref, args.la)
    rows = lacompare.flags(lacompare.commentary(rows.filter(rows["la_value"].is_not_null())))
    la = rows["area_name"][0]
    stem = la.lower().replace(" ", "_").replace(",", "")
    args.out.mkdir(parents=True, exist_ok=True)

    reds = rows.filter(rows["red_red"])
    note = lacompare.model_change_note(ref, args.la)
    lines = [
        f"# {la}: how children's services compare",
        "",
        lacompare.summary_paragraph(rows),
        "",
        note,
        "",
        "## Worse than England and worsening (red-red)",
        "",
        *([f"- {text}" for text in reds["commentary"]] or ["- None."]),
        "",
        "## Better than England and improving (green-green)",
        "",
        *([f"- {text}" for text in rows.filter(rows["green_green"])["commentary"]] or ["- None."]),
    ]
    page = args.out / f"{stem}_front_page.md"
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(page.read_text())

    # The headline set as a board table with red-red rows first and both neighbour models.
    from lacompare.presets import PRESETS

    headline = lacompare.compare_neighbour_models(ref, args.la, indicators=PRESETS["headline"])
    table = lacompare.board_table(
        headline,
        title=f"{la}: headline indicators, red-red first",
        highlight="red-red",
        notes=[note],
    )
    for extension in ("html", "docx"):
        print(f"wrote {lacompare.save(table, args.out / f'{stem}_red_red.{extension}')}")


if __name__ == "__main__":
    main()
