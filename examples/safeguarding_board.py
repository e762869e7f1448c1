"""Derby's safeguarding partnership paper: children in need, referrals and assessments,
section 47 enquiries and conferences, and child protection plans.

Run: .venv/bin/python examples/safeguarding_board.py [--la Derby] [--out DIR]
Writes <out>/<la>_safeguarding.{docx,html,pdf}.
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
    write_paper(lacompare.load_reference(), args.la, "safeguarding", args.out)
