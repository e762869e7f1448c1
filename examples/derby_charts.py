"""Board-paper charts for Derby (or any LA): children looked after per 10,000 over the years
against region, statistical neighbours and England, and Derby among its neighbours.

Run: .venv/bin/python examples/derby_charts.py [--la Derby] [--indicator LAC] [--out DIR]

Writes <out>/<la>_<indicator>_trend.{png,svg} and <out>/<la>_<indicator>_neighbours.{png,svg}.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import lacompare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--la", default="Derby")
    parser.add_argument("--indicator", default="LAC")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "output")
    args = parser.parse_args()

    ref = lacompare.load_reference()
    la = ref.find_area(args.la, current=True)["name"]
    indicator = ref.find_indicator(args.indicator)["indicator_id"]
    stem = f"{la.lower().replace(' ', '_')}_{indicator}"
    args.out.mkdir(parents=True, exist_ok=True)
    charts = {
        "trend": lacompare.trend_chart(ref, args.la, args.indicator, periods=8),
        "neighbours": lacompare.neighbour_chart(ref, args.la, args.indicator),
    }
    for kind, chart in charts.items():
        for extension in ("png", "svg"):
            print(f"wrote {lacompare.save(chart, args.out / f'{stem}_{kind}.{extension}')}")


if __name__ == "__main__":
    main()
