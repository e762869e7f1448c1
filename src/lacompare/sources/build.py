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
    with_wording,
)
from lacompare.sources.neighbours import read_sn_workbook
from lacompare.sources.ofsted import OFSTED_FILE, read_ofsted_judgements

#: The curated wording of the indicators papers use (hand-edited, in the repository; inside
#: the package in a wheel).
WORDING = next(
    (
        folder / "indicator_wording.csv"
        for folder in (
            Path(__file__).resolve().parents[3] / "reference_data",
            Path(__file__).resolve().parents[1] / "reference_data",
        )
        if (folder / "indicator_wording.csv").is_file()
    ),
    Path(__file__).resolve().parents[3] / "reference_data" / "indicator_wording.csv",
)

# --------------------------------------------------------------------------------------------
# Everything together


@dataclass(frozen=True)
class BuiltReference:
    indicators: pl.DataFrame
    observations: pl.DataFrame
    areas: pl.DataFrame
    neighbours: pl.DataFrame
    count_report: pl.DataFrame
    ofsted: pl.DataFrame | None


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
    indicators = with_wording(read_lait_dictionary(lait_dir / "lait_data_dictionary.csv"), WORDING)
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
    # Ofsted's workbook has no download address: an update without it keeps the judgements
    # of the data in use (lacompare.update), so here it may be absent.
    ofsted = (
        read_ofsted_judgements(ees_dir / OFSTED_FILE, areas)
        if (ees_dir / OFSTED_FILE).is_file()
        else None
    )
    return BuiltReference(indicators, observations, areas, neighbours, count_report, ofsted)
