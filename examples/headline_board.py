"""Derby's headline paper for the improvement board or scrutiny: the front-page summary
(better / similar / worse counts, red-red), Ofsted judgements beside the neighbours', and the
headline measures of help and protection, care, care leavers and the workforce.

Run: .venv/bin/python examples/headline_board.py [--la Derby] [--out DIR]
Writes <out>/<la>_headline.{docx,html,pdf} and prints the summary paragraph.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from board_papers import OUTPUT, write_paper

import lacompare

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    ref = lacompare.load_reference()
    rows = lacompare.compare(ref, args.la, indicators=lacompare.presets.PRESETS["headline"])
    print(lacompare.summary_paragraph(rows))
    print(lacompare.model_change_note(ref, args.la))
    write_paper(ref, args.la, "headline", args.out)
