"""A picture of the first pages of Derby's corporate parenting paper as Word lays it out,
for examples/output/ beside the PDF one (issue 21: look at what the reader gets).

LibreOffice (headless) renders the .docx to PDF, as Word would print it; poppler's pdftoppm
and Chromium make the picture (examples/board_papers.first_pages_png). LibreOffice is a
development aid, not a dependency: without it this script says so and stops.

Run: python scripts/word_pages_png.py [--la Derby] [--pages 2]
Writes examples/output/<la>_corporate_parenting_word_pages.png.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "examples"))

from board_papers import OUTPUT, WRITTEN, first_pages_png  # noqa: E402

import lacompare  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    parser.add_argument("--pages", type=int, default=2)
    args = parser.parse_args()
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        print("skipped: needs LibreOffice (apt install libreoffice-writer-nogui)")
        return 1
    paper = lacompare.board_paper(
        lacompare.load_reference(), args.la, "corporate-parenting", written=WRITTEN
    )
    stem = f"{paper.la_name.lower().replace(' ', '_')}_corporate_parenting"
    with tempfile.TemporaryDirectory() as folder:
        docx = lacompare.save(paper, Path(folder) / f"{stem}.docx")
        subprocess.run(
            [office, "--headless", "--convert-to", "pdf", "--outdir", folder, str(docx)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        first_pages_png(
            docx.with_suffix(".pdf"), OUTPUT / f"{stem}_word_pages.png", pages=args.pages
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
