"""Build lacompare's reference_data/ from the published sources.

Usage::

    python scripts/build_reference_data.py [DATA_DIR] [--out reference_data]

DATA_DIR holds ``lait/`` (LAIT's bds_long_0.parquet, lait_data_dictionary.csv, sn_*.xlsx,
la_code_list.xlsx) and ``ees/`` (DfE Explore Education Statistics open-data CSVs); it defaults to
``../shared/data`` beside the repository. The frames are validated before anything is written, so
a failed build leaves the old reference data in place.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import polars as pl

from lacompare.errors import LacompareError
from lacompare.reference import ReferenceData
from lacompare.sources import build_reference

REPO = Path(__file__).resolve().parents[1]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "reference_data")
    args = parser.parse_args(argv)
    try:
        built = build_reference(args.data_dir)
        reference = ReferenceData(
            built.indicators, built.observations, built.areas, built.neighbours
        ).validate()
    except LacompareError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    sources = {
        str(p.relative_to(args.data_dir)): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(args.data_dir.rglob("*"))
        if p.is_file()
    }
    counts = built.count_report.to_dicts()
    periods = built.observations.group_by("year").len().sort("year").filter(pl.col("year") > 0)
    manifest = {
        "publisher": "Department for Education (LAIT; Explore Education Statistics); ONS",
        "licence": "Open Government Licence v3.0",
        "sources": sources,
        "count_checks": counts,
        "years_covered": [int(periods["year"].min()), int(periods["year"].max())],
    }
    reference.write(args.out, manifest)
    print(f"wrote {args.out}:")
    for name in ("indicators", "observations", "areas", "neighbours"):
        print(f"  {name:13} {getattr(reference, name).height:>8,} rows")
    print("numerators/denominators attached (agree = reproduce the published value):")
    for row in counts:
        agree, disagree = row["agree"], row["disagree"]
        source = row["count_source"]
        print(f"  {row['lait_code']:18} agree {agree:>5}  disagree {disagree:>4}  {source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
