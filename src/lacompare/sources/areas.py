"""Areas: every area in LAIT's long table, with ONS codes and regions from the EES files
and LA types from LAIT's la_code_list.xlsx."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lacompare.errors import DataValidationError, SourceFileError
from lacompare.sources._common import _read_csv_text, _read_excel, _read_header, _require_columns

# --------------------------------------------------------------------------------------------
# Areas

#: Predecessor authorities in LAIT (DfE number) -> successors (DfE numbers). Local government
#: reorganisation: Dorset, Bournemouth and Poole April 2019; Northamptonshire April 2021;
#: Cumbria April 2023.
PREDECESSORS: dict[int, list[int]] = {
    835: [838],  # Dorset (county) -> Dorset (unitary)
    836: [839],  # Poole -> Bournemouth, Christchurch and Poole
    837: [839],  # Bournemouth -> Bournemouth, Christchurch and Poole
    909: [942, 943],  # Cumbria -> Cumberland; Westmorland and Furness
    928: [940, 941],  # Northamptonshire -> North Northamptonshire; West Northamptonshire
}

ENGLAND_CODE = "E92000001"
LONDON_REGION_CODE = "E12000007"
#: LAIT's area numbers for England and its regions (>= 970, "non_la_names_bds" in global.R).
LAIT_NON_LA_FROM = 970


def _norm_name(name: pl.Expr) -> pl.Expr:
    """Case-insensitive key for matching names across files ("Yorkshire and the Humber")."""
    return (
        name.str.to_lowercase()
        .str.replace(r"^london \((inner|outer)\)$", "${1} london")
        .str.replace_all(r"[^a-z]", "")
    )


def read_ees_area_codes(ees_dir: Path) -> pl.DataFrame:
    """Every (geographic level, DfE code, ONS code, name) in the EES CSVs, with the years seen.

    Rows that combine two authorities ("940 / 941") are skipped: they are not an area.
    """
    frames = []
    for path in sorted(ees_dir.glob("*.csv")):
        header = _read_header(path)
        if not {"geographic_level", "time_period", "region_code", "old_la_code"} <= set(header):
            continue
        name_col = "la_name"
        frames.append(
            _read_csv_text(path).select(
                pl.col("time_period").str.slice(0, 4).cast(pl.Int32).alias("year"),
                "geographic_level",
                pl.col("region_code"),
                pl.col("region_name"),
                pl.col("old_la_code"),
                pl.col("new_la_code")
                if "new_la_code" in header
                else pl.lit(None, pl.String).alias("new_la_code"),
                pl.col(name_col).alias("la_name"),
            )
        )
    if not frames:
        raise SourceFileError(f"{ees_dir}: no EES open-data CSV with area codes found")
    return pl.concat(frames).unique()


def build_areas(
    lait_long: pl.DataFrame, ees_codes: pl.DataFrame, la_types: pl.DataFrame
) -> pl.DataFrame:
    """The areas frame: every area in LAIT's long table, with ONS codes from the EES files."""
    lait_areas = lait_long.select(
        name=pl.col("LA and Regions"),
        old_la_code=pl.col("LA Number").cast(pl.Int32),
        lait_region=pl.col("Region"),
    ).unique()

    regions = (
        ees_codes.filter(pl.col("geographic_level") == "Regional")
        .select("region_code", "region_name")
        .unique()
        .with_columns(key=_norm_name(pl.col("region_name")))
    )
    region_key = regions.select("key", "region_code")

    non_la = _non_la_areas(lait_areas, region_key)
    las = _la_areas(lait_areas, ees_codes, regions, region_key, la_types)
    areas = pl.concat([non_la, las], how="vertical_relaxed")
    names, successors, number_to_code = _successors(areas)
    # A name another area already uses (plain "Dorset" for "Dorset (Pre LG)") is no alias.
    all_names = areas.get_column("name")
    return (
        areas.join(names, left_on="region_code", right_on="area_code", how="left")
        .join(successors, on="old_la_code", how="left")
        .with_columns(
            successor_codes=pl.col("successor_numbers")
            .list.eval(pl.element().replace_strict(number_to_code, return_dtype=pl.String))
            .fill_null(pl.lit([], pl.List(pl.String))),
            alt_names=pl.col("alt_names").list.filter(~pl.element().is_in(all_names.implode())),
        )
        .with_columns(current=pl.col("successor_codes").list.len() == 0)
        .select(
            "area_code",
            "old_la_code",
            "name",
            "level",
            "region_code",
            "region_name",
            "sub_region_code",
            "la_type",
            "current",
            "successor_codes",
            "former_codes",
            "alt_names",
        )
        .sort("old_la_code")
    )


def _non_la_areas(lait_areas: pl.DataFrame, region_key: pl.DataFrame) -> pl.DataFrame:
    """England, regions, London and its Inner/Outer halves (LAIT numbers 970+)."""
    non_la = (
        lait_areas.filter(pl.col("old_la_code") >= LAIT_NON_LA_FROM)
        .with_columns(key=_norm_name(pl.col("name")))
        .join(region_key, on="key", how="left")
        .with_columns(
            area_code=pl.when(pl.col("key") == "england")
            .then(pl.lit(ENGLAND_CODE))
            .otherwise(pl.col("region_code"))
        )
    )
    missing = non_la.filter(pl.col("area_code").is_null())
    if missing.height:
        raise DataValidationError(
            f"LAIT long table: no ONS code found in the EES files for {missing['name'].to_list()}"
        )
    return non_la.select(
        "area_code",
        "old_la_code",
        "name",
        level=pl.when(pl.col("area_code") == ENGLAND_CODE)
        .then(pl.lit("national"))
        .when(pl.col("area_code").str.starts_with("E13"))
        .then(pl.lit("sub_regional"))
        .otherwise(pl.lit("regional")),
        region_code=pl.when(pl.col("area_code").str.starts_with("E12"))
        .then(pl.col("area_code"))
        .when(pl.col("area_code").str.starts_with("E13"))
        .then(pl.lit(LONDON_REGION_CODE)),
        sub_region_code=pl.lit(None, pl.String),
        la_type=pl.lit(None, pl.String),
        alt_names=pl.lit([], pl.List(pl.String)),
        former_codes=pl.lit([], pl.List(pl.String)),
    )


def _la_areas(
    lait_areas: pl.DataFrame,
    ees_codes: pl.DataFrame,
    regions: pl.DataFrame,
    region_key: pl.DataFrame,
    la_types: pl.DataFrame,
) -> pl.DataFrame:
    """Local authorities: ONS code = the one seen most recently for that DfE number; former
    codes, region and London sub-region, type, and the EES name where it differs."""
    la_codes = (
        ees_codes.filter(
            pl.col("geographic_level") == "Local authority",
            pl.col("old_la_code").str.contains(r"^\d{3}$"),
        )
        .group_by("old_la_code", "new_la_code")
        .agg(
            first=pl.col("year").min(),
            last=pl.col("year").max(),
            ees_name=pl.col("la_name").first(),
        )
        .sort("old_la_code", "last", "first", descending=[False, True, True])
        .group_by("old_la_code", maintain_order=True)
        .agg(
            area_code=pl.col("new_la_code").first(),
            former_codes=pl.col("new_la_code").slice(1),
            ees_name=pl.col("ees_name").first(),
        )
        .with_columns(pl.col("old_la_code").cast(pl.Int32))
    )
    las = (
        lait_areas.filter(pl.col("old_la_code") < LAIT_NON_LA_FROM)
        .join(la_codes, on="old_la_code", how="left")
        .with_columns(
            key=_norm_name(pl.col("lait_region").str.replace(r"^(Inner|Outer) London$", "London"))
        )
        .join(region_key, on="key", how="left")
        .join(
            regions.select(sub_key="key", sub_region_code="region_code").filter(
                pl.col("sub_region_code").str.starts_with("E13")
            ),
            left_on=_norm_name(pl.col("lait_region")),
            right_on="sub_key",
            how="left",
        )
        .join(la_types, on="old_la_code", how="left")
    )
    missing = las.filter(pl.col("area_code").is_null() | pl.col("region_code").is_null())
    if missing.height:
        raise DataValidationError(
            "LAIT long table: no ONS code or region found in the EES files for "
            f"{missing.select('name', 'old_la_code').rows()}"
        )
    return las.select(
        "area_code",
        "old_la_code",
        "name",
        level=pl.lit("local_authority"),
        region_code="region_code",
        sub_region_code="sub_region_code",
        la_type="la_type",
        alt_names=pl.when(pl.col("ees_name") != pl.col("name"))
        .then(pl.concat_list(pl.col("ees_name")))
        .otherwise(pl.lit([], pl.List(pl.String))),
        former_codes="former_codes",
    )


def _successors(
    areas: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame, dict[int, str]]:
    """Region names by code, each predecessor's successor numbers, and every DfE number's
    ONS code (every successor must be among them)."""
    names = areas.select("area_code", region_name="name")
    successors = pl.DataFrame(
        {
            "old_la_code": pl.Series(list(PREDECESSORS), dtype=pl.Int32),
            "successor_numbers": list(PREDECESSORS.values()),
        },
        schema={"old_la_code": pl.Int32, "successor_numbers": pl.List(pl.Int32)},
    )
    number_to_code = dict(areas.select("old_la_code", "area_code").iter_rows())
    unknown = [n for ns in PREDECESSORS.values() for n in ns if n not in number_to_code]
    if unknown:
        raise DataValidationError(f"LAIT long table: successor authorities {unknown} are not in it")
    return names, successors, number_to_code


def read_la_types(path: Path) -> pl.DataFrame:
    """LAIT's la_code_list.xlsx -> (old_la_code, la_type)."""
    frame = _read_excel(path, header_row=0)
    _require_columns(frame, ["LA Number", "Type"], source=str(path))
    return frame.select(
        old_la_code=pl.col("LA Number").cast(pl.Int32, strict=False),
        la_type=pl.col("Type").str.strip_chars(),
    ).filter(pl.col("old_la_code").is_not_null())
