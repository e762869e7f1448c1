"""The main job: Derby's children's social care headline indicators as a board-paper table,
written in every format a board paper needs.

Run: ./run.sh board   (or: python examples/derby_board_table.py [--la Derby] [--out DIR])

Writes <out>/<la>_board_table.{html,docx,xlsx,tex,csv} and, where Chromium is installed,
.png and .pdf; prints the table's rows.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

import lacompare

#: Headline measures of a children's services board paper (LAIT codes), as in Ofsted's
#: "information about this local authority area": need, protection, care, care leavers, staff.
HEADLINE = [
    "CIN", "ReReferral", "Continue_Assess_Comp",
    "CPP_rate", "PrevRegCPR", "CPPlans2yrs",
    "LAC", "LAC_Start_Rate", "LACStable_2016on", "LAC_LongStable%",
    "CareLeaverEET", "CareLeaverAcc",
    "Work_Force_TO_Rate", "Work_Force_Agecy_Rate", "Work_Force_AvgNumCase_SW",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "output")
    args = parser.parse_args()

    ref = lacompare.load_reference()
    rows = lacompare.compare(ref, args.la, indicators=HEADLINE)
    la = rows.get_column("area_name")[0]
    table = lacompare.board_table(
        rows,
        title=f"{la}: children's social care compared",
        subtitle="Latest published year; statistical neighbours (DfE 2025 model), England, region",
    )
    args.out.mkdir(parents=True, exist_ok=True)
    stem = la.lower().replace(" ", "_").replace(",", "")
    written = []
    for extension in ("html", "docx", "xlsx", "tex", "csv", "png", "pdf"):
        try:
            written.append(lacompare.save(table, args.out / f"{stem}_board_table.{extension}"))
        except lacompare.BrowserMissingError as error:
            print(f"skipped .{extension}: {error}")

    shown = lacompare.board_frame(rows).frame.select(
        "indicator_name", "period", "la", "sn_average", "england", "rank", "vs_england"
    )
    config = {"tbl_rows": 50, "tbl_width_chars": 160, "fmt_str_lengths": 60}
    with pl.Config(**config, tbl_hide_dataframe_shape=True):
        print(shown)
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
