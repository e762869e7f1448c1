"""Derby's safeguarding and headline papers for 2016-17: the year Ofsted's 2017 inspection of
Derby describes (../shared/seeds/derby-ofsted-ilacs-2017.txt), as a committee would have read
them then.

A paper for an earlier year says so: its title and purpose name 2016-17; "older" means older
than 2016-17; significance is tested wherever that year's counts are accepted; the change is
2016-17's from 2015-16; Ofsted's judgements in lacompare's data (each LA's latest inspection)
are said to be later than the year; and today's statistical-neighbour model is named as today's.

Run: .venv/bin/python examples/derby_2017_paper.py [--out DIR]
Writes <out>/derby_safeguarding_2016_17.{docx,html,pdf} and derby_headline_2016_17.*.
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
    for paper in ("safeguarding", "headline"):
        write_paper(ref, args.la, paper, args.out, suffix="_2016_17", period=2017)
