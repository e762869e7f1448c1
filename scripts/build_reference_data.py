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
import sys
from pathlib import Path

from lacompare.errors import LacompareError
from lacompare.reference import write_reference

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "reference_data")
    args = parser.parse_args(argv)
    try:
        reference, counts = write_reference(args.data_dir, args.out)
    except LacompareError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}:")
    for name in ("indicators", "observations", "areas", "neighbours"):
        print(f"  {name:13} {getattr(reference, name).height:>8,} rows")
    print("numerators/denominators attached (agree = reproduce the published value):")
    for row in counts.iter_rows(named=True):
        agree, disagree = row["agree"], row["disagree"]
        source = row["count_source"]
        print(f"  {row['lait_code']:18} agree {agree:>5}  disagree {disagree:>4}  {source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
