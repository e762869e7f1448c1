"""Board papers for the corporate parenting committee, the safeguarding partnership and the
improvement board: each a whole paper (summary, Ofsted judgements, red-red, a section per topic
with its table, sentences and chart, definitions, methods, sources) in Word, HTML and PDF.

Run: .venv/bin/python examples/board_papers.py [--la Derby] [--other Nottingham] [--out DIR]
(or one paper: corporate_parenting_board.py, safeguarding_board.py, headline_board.py, and
other_la_board.py for another LA), which call :func:`write_paper`.

Writes <out>/<la>_<paper>.{docx,html} and, where Chromium is installed, .pdf. For Derby's
corporate parenting paper it also keeps a picture of the first two pages,
<out>/derby_corporate_parenting_pages.png (needs Chromium and poppler's pdftoppm).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

import lacompare

OUTPUT = Path(__file__).parent / "output"
#: The date printed on the example papers, so the committed picture does not change daily.
WRITTEN = dt.date(2026, 11, 25)


def write_paper(
    ref: lacompare.ReferenceData,
    la: str,
    paper: str,
    out: Path = OUTPUT,
    suffix: str = "",
    period: str | int = "latest",
) -> list[Path]:
    """One LA's whole board paper (a key of :data:`lacompare.PAPERS`) in every format, named
    <la>_<paper><suffix>; ``period`` a year for a paper about that year."""
    built = lacompare.board_paper(ref, la, paper, period=period, written=WRITTEN)
    name = f"{built.la_name}_{paper}{suffix}"
    stem = "".join(c if c.isalnum() else "_" for c in name.lower())
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for extension in ("docx", "html", "pdf"):
        try:
            written.append(lacompare.save(built, out / f"{stem}.{extension}"))
        except lacompare.BrowserMissingError as error:
            print(f"skipped .{extension}: {error}")
    for path in written:
        print(f"wrote {path}")
    return written


def first_pages_png(pdf: Path, target: Path, pages: int = 2) -> Path | None:
    """A picture of a PDF's first pages side by side (pdftoppm makes the pages, Chromium lays
    them out); None where either tool is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not (pdf.is_file() and chromium and shutil.which("pdftoppm")):
        print("skipped the page picture: needs the PDF, Chromium and pdftoppm")
        return None
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "page"
        command = ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", str(pages)]
        subprocess.run([*command, str(pdf), str(prefix)], check=True)
        images = "".join(
            f'<img alt="page {n}" src="data:image/png;base64,'
            f'{base64.b64encode(page.read_bytes()).decode()}">'
            for n, page in enumerate(sorted(Path(folder).glob("page*.png")), start=1)
        )
        sheet = Path(folder) / "pages.html"
        sheet.write_text(
            "<!DOCTYPE html><html lang='en-GB'><body style='margin:0;background:#b1b4b6'>"
            "<div style='display:flex;gap:16px;padding:16px'>"
            f"{images}</div></body></html>",
            encoding="utf-8",
        )
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--disable-background-networking",
                "--disable-component-update",
                f"--user-data-dir={Path(folder) / 'profile'}",
                "--window-size=1240,870",
                f"--screenshot={target}",
                sheet.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(f"wrote {target}")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    parser.add_argument("--other", default="Nottingham")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    ref = lacompare.load_reference()
    for la in (args.la, args.other):
        for paper in lacompare.PAPERS:
            write_paper(ref, la, paper, args.out)


if __name__ == "__main__":
    main()
