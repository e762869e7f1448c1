"""Derby's corporate parenting committee paper: children looked after, placements, health,
education, adoption and care leavers, with the summary, Ofsted judgements and red-red up front.

Run: .venv/bin/python examples/corporate_parenting_board.py [--la Derby] [--out DIR]
Writes <out>/<la>_corporate_parenting.{docx,html,pdf} and a picture of the first two pages,
<out>/<la>_corporate_parenting_pages.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from board_papers import OUTPUT, first_pages_png, write_paper

import lacompare

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    written = write_paper(lacompare.load_reference(), args.la, "corporate-parenting", args.out)
    pdfs = [path for path in written if path.suffix == ".pdf"]
    if pdfs:
        first_pages_png(pdfs[0], pdfs[0].with_name(pdfs[0].stem + "_pages.png"))
