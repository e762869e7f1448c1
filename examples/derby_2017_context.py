"""Ofsted 2017, "Information about this local authority area", as a board table: Derby's own
figures at 6 March 2017 (from the report) beside the published England, regional and
statistical-neighbour figures for the latest year before them (31 March 2016).

Run: .venv/bin/python examples/derby_2017_context.py [--out DIR]
Writes <out>/derby_2017_context.{html,docx,xlsx} and prints the report-vs-published check.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

import lacompare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "output")
    args = parser.parse_args()
    ref = lacompare.load_reference()
    figures = lacompare.load_inspection_figures()

    def figure(measure: str, as_at: str | None = "2017-03-06") -> float:
        rows = figures.filter(pl.col("measure") == measure)
        if as_at is not None:
            rows = rows.filter(pl.col("as_at") == as_at)
        return float(rows["value"][0])

    population = figure("children and young people under 18 (population)", as_at=None)
    children_in_need = figure("children in need")
    local = [
        # The report gives a count; with the population it becomes DfE's rate and its interval.
        {
            "indicator": "CIN",
            "value": round(children_in_need / population * 10_000, 1),
            "numerator": children_in_need,
            "denominator": population,
        },
        {"indicator": "CPP_Num", "value": figure("children subject of a child protection plan")},
        {"indicator": "CPP_rate", "value": figure("child protection plan rate")},
        {"indicator": "LACnum", "value": figure("children looked after")},
        {"indicator": "LAC", "value": figure("children looked after rate")},
        {
            "indicator": "UNACC_ASYLMN_SEEK_CHILDN",
            "value": figure("unaccompanied asylum-seeking children looked after"),
        },
    ]
    for row in local:
        row["as_at"] = "2017-03-06"
    with_report = ref.with_local(local, la="Derby", source="Ofsted inspection report, 2017")
    context = ["PriFSM", "SecFSM", "EALPri", "EALSec"]  # published, January 2016 census
    rows = pl.concat(
        [
            lacompare.compare(
                with_report,
                "Derby",
                indicators=[r["indicator"] for r in local],
                period="at 6 Mar 2017",  # the report's own date (DfE's 31 March 2017 is later)
            ),
            lacompare.compare(with_report, "Derby", indicators=context, period=2016),
        ]
    )
    table = lacompare.board_table(
        rows,
        title="Derby in 2017: information about this local authority area",
        subtitle="Derby's local figures at 6 March 2017 (Ofsted report) and published DfE data",
        columns=["period", "la", "sn_average", "england", "region", "change", "vs_england"],
    )
    args.out.mkdir(parents=True, exist_ok=True)
    for extension in ("html", "docx", "xlsx"):
        print(f"wrote {lacompare.save(table, args.out / f'derby_2017_context.{extension}')}")
    check = lacompare.cross_check_inspection(ref).filter(pl.col("relation") != "no_twin")
    with pl.Config(
        tbl_rows=40, tbl_width_chars=160, fmt_str_lengths=60, tbl_hide_dataframe_shape=True
    ):
        print(check.select("measure", "as_at", "value", "compared_with", "relation", "reason"))


if __name__ == "__main__":
    main()
