"""The main job: Derby's children's social care headline indicators as a board-paper table.

Run: ./run.sh board   (or: python examples/derby_board_table.py [--la Derby] [--out DIR])

Writes <out>/<la>_board_table.html (a standalone page) and <out>/<la>_board_table.csv (the
unrounded values behind it), and prints the table's rows.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

import lacompare

#: Headline measures of a children's services board paper (LAIT codes), as in Ofsted's
#: "information about this local authority area": need, protection, care, care leavers, staff.
HEADLINE = [
    "CIN",
    "ReReferral",
    "Continue_Assess_Comp",
    "CPP_rate",
    "PrevRegCPR",
    "CPPlans2yrs",
    "LAC",
    "LAC_Start_Rate",
    "LACStable_2016on",
    "LAC_LongStable%",
    "CareLeaverEET",
    "CareLeaverAcc",
    "Work_Force_TO_Rate",
    "Work_Force_Agecy_Rate",
    "Work_Force_AvgNumCase_SW",
]


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
    html_path = args.out / f"{stem}_board_table.html"
    html_path.write_text(table.as_raw_html(make_page=True), encoding="utf-8")
    csv_path = args.out / f"{stem}_board_table.csv"
    rows.drop("la_lower_ci_998", "la_upper_ci_998").write_csv(csv_path)

    shown = lacompare.board_frame(rows).frame.select(
        "indicator_name", "period", "la", "sn_average", "england", "rank", "vs_england_text"
    )
    config = {"tbl_rows": 50, "tbl_width_chars": 160, "fmt_str_lengths": 60}
    with pl.Config(**config, tbl_hide_dataframe_shape=True):
        print(shown)
    print(f"wrote {html_path} and {csv_path}")


if __name__ == "__main__":
    main()
