"""Every source together: the reference frames built from a directory like ``shared/data``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lacompare.errors import SourceFileError, user_facing
from lacompare.sources.areas import build_areas, read_ees_area_codes, read_la_types
from lacompare.sources.counts import attach_counts
from lacompare.sources.lait import (
    as_observations,
    read_lait_dictionary,
    read_lait_long,
    with_series_decimals,
)
from lacompare.sources.neighbours import read_sn_workbook
from lacompare.sources.ofsted import OFSTED_FILE, read_ofsted_judgements

# --------------------------------------------------------------------------------------------
# Everything together


@dataclass(frozen=True)
class BuiltReference:
    indicators: pl.DataFrame
    observations: pl.DataFrame
    areas: pl.DataFrame
    neighbours: pl.DataFrame
    count_report: pl.DataFrame
    ofsted: pl.DataFrame


@user_facing
def build_reference(data_dir: Path) -> BuiltReference:
    """Read every source under ``data_dir`` (``lait/`` and ``ees/``) into the four frames.

    The caller validates them (see :func:`lacompare.reference.ReferenceData.validate`).
    """
    lait_dir, ees_dir = data_dir / "lait", data_dir / "ees"
    for directory in (lait_dir, ees_dir):
        if not directory.is_dir():
            raise SourceFileError(
                f"{directory}: directory not found (expected lait/ and ees/ under {data_dir})"
            )
    indicators = read_lait_dictionary(lait_dir / "lait_data_dictionary.csv")
    long_path = lait_dir / "bds_long_0.parquet"
    try:
        lait_long = pl.read_parquet(long_path, columns=["LA and Regions", "LA Number", "Region"])
    except Exception as error:
        raise SourceFileError(f"{long_path}: not a readable parquet file ({error})") from None
    areas = build_areas(
        lait_long, read_ees_area_codes(ees_dir), read_la_types(lait_dir / "la_code_list.xlsx")
    )
    observations = read_lait_long(long_path, areas, indicators)
    la_codes = areas.filter(pl.col("level") == "local_authority").get_column("area_code")
    indicators = with_series_decimals(indicators, observations, la_codes)
    observations, count_report = attach_counts(observations, indicators, ees_dir, areas)
    observations = as_observations(observations, indicators, areas)
    neighbours = pl.concat(
        [
            read_sn_workbook(lait_dir / "sn_april_2021.xlsx", "2021", areas),
            read_sn_workbook(lait_dir / "sn_may_2025.xlsx", "2025", areas),
        ]
    )
    ofsted = read_ofsted_judgements(ees_dir / OFSTED_FILE, areas)
    return BuiltReference(indicators, observations, areas, neighbours, count_report, ofsted)


def write_reference(data_dir: Path, out: Path) -> tuple[object, pl.DataFrame]:
    """Build, validate and write the reference data from ``data_dir`` into ``out``, with a
    manifest of the sources (size, sha256), row counts and the count checks. Nothing is
    written unless everything validates. Returns (ReferenceData, count report)."""
    import hashlib

    from lacompare.reference import ReferenceData

    built = build_reference(data_dir)
    reference = ReferenceData(
        built.indicators, built.observations, built.areas, built.neighbours, ofsted=built.ofsted
    ).validate()
    sources = {
        str(p.relative_to(data_dir)): {
            "bytes": p.stat().st_size,
            "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        }
        for p in sorted(data_dir.rglob("*"))
        if p.is_file()
    }
    years = built.observations.filter(pl.col("year") > 0).get_column("year")
    manifest = {
        "publisher": "Department for Education (LAIT; Explore Education Statistics); ONS",
        "licence": "Open Government Licence v3.0",
        "sources": sources,
        "count_checks": built.count_report.to_dicts(),
        "years_covered": [int(years.min()), int(years.max())],  # type: ignore[arg-type]
    }
    reference.write(out, manifest)
    return reference, built.count_report
