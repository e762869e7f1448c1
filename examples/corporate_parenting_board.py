"""Derby's corporate parenting board paper: the table (red-red rows first) and a
sentence per indicator.

Run: .venv/bin/python examples/corporate_parenting_board.py [--la Derby]
Writes examples/output/<la>_corporate_parenting.{html,docx,md}.
"""

from __future__ import annotations

import argparse

from board_papers import write_paper

import lacompare

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    write_paper(lacompare.load_reference(), parser.parse_args().la, "corporate_parenting")
