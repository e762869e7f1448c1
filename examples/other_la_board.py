"""The same board papers for another LA, to show nothing is Derby-specific: Nottingham by
default, or any LA by name, DfE number or ONS code.

Run: .venv/bin/python examples/other_la_board.py [--la Nottingham] [--out DIR]
Writes <out>/<la>_{corporate_parenting,safeguarding,headline}.{docx,html,pdf}.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from board_papers import OUTPUT, write_paper

import lacompare

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Nottingham")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    ref = lacompare.load_reference()
    for paper in lacompare.PAPERS:
        write_paper(ref, args.la, paper, args.out)
