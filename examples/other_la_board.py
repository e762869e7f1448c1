"""The same board papers for another LA, to show nothing is Derby-specific: Nottingham by
default, or any LA by name, DfE number or ONS code.

Run: .venv/bin/python examples/other_la_board.py [--la Nottingham]
Writes examples/output/<la>_{corporate_parenting,safeguarding}.{html,docx,md}.
"""

from __future__ import annotations

import argparse

from board_papers import PAPERS, write_paper

import lacompare

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Nottingham")
    la = parser.parse_args().la
    ref = lacompare.load_reference()
    for paper in PAPERS:
        write_paper(ref, la, paper)
