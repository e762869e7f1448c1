"""Readers for the published sources, turning them into lacompare's four frames.

- LAIT's long table (``bds_long_0.parquet``) and data dictionary -> observations, indicators;
- DfE's statistical-neighbour workbooks (``sn_*.xlsx``) -> neighbours;
- DfE Explore Education Statistics (EES) open-data CSVs -> area codes, and the numerators and
  denominators behind published rates and percentages (needed for confidence intervals);
- LAIT's ``la_code_list.xlsx`` -> LA types;
- Ofsted's inspection outcomes workbook (``.ods``) -> each LA's latest judgements.

:func:`build_reference` runs them all over a directory laid out like ``shared/data``
(``lait/`` and ``ees/``); ``scripts/build_reference_data.py`` writes the result to
``reference_data/``. Nothing here drops a row silently: a value that is not a number is either a
known symbol (kept as null with a status) or an error naming the file, row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from lacompare.errors import DataValidationError, SourceFileError, user_facing
from lacompare.periods import check_period_labels, period_label_status, period_year
from lacompare.schemas import STATUS_DTYPE
from lacompare.vocab import OFSTED_GRADES, OFSTED_JUDGEMENTS, SYMBOL_STATUS

# --------------------------------------------------------------------------------------------
# Values and symbols


def parse_values(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(value, symbol status) from a column of published strings.

    Numbers (whitespace trimmed) become Float64; a published symbol (``c``, ``x``, ``z``, ``low``,
    ``k``, ``u``, ``:``, ``..``, ``-``) becomes a null value and its status. Anything else gives a
    null value *and* a null status, which :func:`check_values` reports as an error.
    """
    text = raw.str.strip_chars()
    value = text.cast(pl.Float64, strict=False)
    symbol = text.str.to_lowercase().replace_strict(SYMBOL_STATUS, default=None)
    # A number wins; "nan"/"inf" parse as floats but are not publishable values.
    is_number = value.is_not_null() & value.is_finite()
    return (
        pl.when(is_number).then(value).otherwise(None),
        pl.when(is_number).then(None).otherwise(symbol),
    )


def check_values(frame: pl.DataFrame, raw_column: str, status_column: str, *, source: str) -> None:
    """Raise naming each row whose value is neither a number nor a known symbol."""
    bad = frame.with_row_index("row").filter(
        pl.col(status_column).is_null() & pl.col("_value").is_null()
    )
    if bad.height:
        shown = ", ".join(
            f"row {r} {v!r}" for r, v in bad.select("row", raw_column).head(5).iter_rows()
        )
        known = ", ".join(repr(s) for s in SYMBOL_STATUS)
        raise DataValidationError(
            f"{source}: column {raw_column!r} has {bad.height} value(s) that are neither a "
            f"finite number nor a published symbol ({known}): {shown}"
        )


# --------------------------------------------------------------------------------------------
# LAIT data dictionary -> indicators

#: LAIT's Year_Type -> period_type.
YEAR_TYPES: dict[str, str] = {
    "Academic Year": "academic_year",
    "Financial Year": "financial_year",
    "Calendar Year": "calendar_year",
    "Annual": "reporting_year",
    "Annual (end of Sept)": "annual_september",
    "Annual - January": "annual_january",
}

#: Measures whose unit cannot be read off their labels, with the reason.
UNIT_OVERRIDES: dict[str, str] = {
    # Axis says "% of deaths" but the measure and its values are a number of reviews.
    "PreChildDea": "count",
    # Take-up against ONS population estimates: published values exceed 100.
    "%_2yr_olds": "percent_ratio",
    "%_3&4yr_olds": "percent_ratio",
    # Offers made per 16-17 year old: can exceed 100 (Thurrock 2021, 2022).
    "Sept_Guarantee": "percent_ratio",
    # Suspensions (events) per pupil as a percentage: exceeds 100 in special schools.
    "SpecFixedEx": "percent_ratio",
    "SpecPermEx": "percent_ratio",
    "PrimFixedEx": "percent_ratio",
    "SecFixedEx": "percent_ratio",
    "TotFixedEx": "percent_ratio",
}


def unit_from_labels(axis: pl.Expr, title: pl.Expr) -> pl.Expr:
    """Classify a LAIT measure's unit from its axis label and chart title."""
    axis_l = axis.fill_null("").str.to_lowercase()
    title_l = title.fill_null("").str.to_lowercase()
    return (
        pl.when(axis_l.str.contains("gap"))
        .then(pl.lit("percentage_points"))
        .when(axis_l.str.contains(r"rate per 100,?000"))
        .then(pl.lit("rate_per_100000"))
        .when(axis_l.str.contains(r"rate per 10,?000"))
        .then(pl.lit("rate_per_10000"))
        .when(axis_l.str.contains(r"rate per 1,?000"))
        .then(pl.lit("rate_per_1000"))
        .when(title_l.str.contains(r"\(rate\)|- rate$|rates? per 10,?000"))
        .then(pl.lit("rate_per_10000"))
        .when(axis_l.str.contains("spend|cost"))
        .then(pl.lit("currency"))
        .when(axis_l.str.contains(r"\bfte\b|^social workers$"))
        .then(pl.lit("fte"))
        .when(axis_l.str.contains("%|turnover rate|absence rate|entries"))
        .then(pl.lit("percent"))
        .when(axis_l.str.contains(r"score|average|case load"))
        .then(pl.lit("score"))
        .when(axis_l.str.contains(r"number|total cases|^count"))
        .then(pl.lit("count"))
        .otherwise(pl.lit(None))
    )


def indicator_slug(code: pl.Expr) -> pl.Expr:
    """Stable id from a LAIT Short Desc: lower case, runs of other characters -> "_"."""
    return (
        code.str.to_lowercase()
        .str.replace_all("%", "pct")
        .str.replace_all("&", "and")
        .str.replace_all(r"[^a-z0-9]+", "_")
        .str.strip_chars("_")
    )


def read_lait_dictionary(path: Path) -> pl.DataFrame:
    """LAIT's data dictionary -> the indicators frame (one row per Measure_short).

    LAIT lists some measures under two topics (e.g. CIN absence under "Children in Need" and
    "All Pupil Absence & Exclusions"): the first row gives the metadata, ``topics`` keeps both.
    Polarity "High"/"Low" -> high/low, "-" or NA -> neutral (LAIT ranks and bands neither);
    dps NA -> 1 (LAIT's own default in global.R).
    """
    raw = _read_csv_text(path)
    _require_columns(
        raw,
        [
            "Measure_short",
            "Topic",
            "Chart_title",
            "Polarity",
            "y_axis_name",
            "dps",
            "Year_Type",
            "No_Quartile",
            "Description",
            "Hyperlink(s)",
            "Data Owner (DO) /Supplier and Contact Details",
            "Methodology",
        ],
        source=str(path),
    )
    na = ["NA", ""]
    clean = raw.with_columns(
        pl.when(pl.col(c).is_in(na)).then(None).otherwise(pl.col(c)).alias(c) for c in raw.columns
    )
    unknown_years = clean.filter(~pl.col("Year_Type").is_in(list(YEAR_TYPES)))
    if unknown_years.height:
        raise DataValidationError(
            f"{path}: column 'Year_Type' has values lacompare does not know: "
            f"{unknown_years['Year_Type'].unique().to_list()} (rule: one of {list(YEAR_TYPES)})"
        )
    topics = clean.group_by("Measure_short", maintain_order=True).agg(
        topics=pl.col("Topic").unique(maintain_order=True),
        decimals=pl.col("dps").drop_nulls().first(),
    )
    first = clean.unique("Measure_short", keep="first", maintain_order=True).drop("dps")
    unit = pl.col("Measure_short").replace_strict(UNIT_OVERRIDES, default=None)
    indicators = first.join(topics, on="Measure_short").select(
        indicator_id=indicator_slug(pl.col("Measure_short")),
        name=pl.col("Chart_title").fill_null(pl.col("Measure")).str.strip_chars(),
        topic=pl.col("Topic"),
        topics=pl.col("topics"),
        unit=pl.coalesce(unit, unit_from_labels(pl.col("y_axis_name"), pl.col("Chart_title"))),
        unit_label=pl.col("y_axis_name"),
        polarity=pl.col("Polarity")
        .str.to_lowercase()
        .replace_strict({"high": "high", "low": "low"}, default="neutral"),
        decimals=pl.col("decimals").cast(pl.Int32).fill_null(1),
        quartiles=pl.col("No_Quartile").fill_null("") != "N",
        period_type=pl.col("Year_Type").replace_strict(YEAR_TYPES),
        source=pl.col("Data Owner (DO) /Supplier and Contact Details"),
        source_url=pl.col("Hyperlink(s)"),
        description=pl.col("Description"),
        methodology=pl.col("Methodology"),
        lait_code=pl.col("Measure_short"),
    )
    no_unit = indicators.filter(pl.col("unit").is_null())
    if no_unit.height:
        raise DataValidationError(
            f"{path}: no unit could be read for {no_unit.height} measure(s) "
            f"{no_unit['lait_code'].to_list()[:10]} (rule: add them to UNIT_OVERRIDES)"
        )
    clashes = indicators.filter(pl.col("indicator_id").is_duplicated())
    if clashes.height:
        raise DataValidationError(
            f"{path}: Short Desc codes {clashes['lait_code'].to_list()} give the same "
            "indicator_id (rule: indicator ids are unique)"
        )
    return indicators


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

    # England, regions, London and its Inner/Outer halves (LAIT numbers 970+).
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
    non_la = non_la.select(
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

    # Local authorities: ONS code = the one seen most recently for that DfE number.
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
    las = las.select(
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
    areas = pl.concat([non_la, las], how="vertical_relaxed")
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


def read_la_types(path: Path) -> pl.DataFrame:
    """LAIT's la_code_list.xlsx -> (old_la_code, la_type)."""
    frame = _read_excel(path, header_row=0)
    _require_columns(frame, ["LA Number", "Type"], source=str(path))
    return frame.select(
        old_la_code=pl.col("LA Number").cast(pl.Int32, strict=False),
        la_type=pl.col("Type").str.strip_chars(),
    ).filter(pl.col("old_la_code").is_not_null())


# --------------------------------------------------------------------------------------------
# Statistical neighbours


def read_sn_workbook(path: Path, model: str, areas: pl.DataFrame) -> pl.DataFrame:
    """A DfE statistical-neighbour workbook (sheet "LA SN Groups", header on the third row:
    ``LA num, LA Name, ..., SN1, SNP, ..., SN10, SNP``) -> the neighbours frame for ``model``."""
    frame = _read_excel(path, header_row=2)
    columns = frame.columns
    sn_cols = [c for c in columns if re.fullmatch(r"SN\d+", c)]
    if len(sn_cols) != 10 or "LA num" not in columns:
        raise SourceFileError(
            f"{path}: expected columns 'LA num' and SN1..SN10 on the third row, found {columns}"
        )
    # Each SNk is followed by its closeness column (SNP, de-duplicated by the reader).
    closeness_cols = [columns[columns.index(c) + 1] for c in sn_cols]
    numbers = frame.filter(pl.col("LA num").str.strip_chars().str.contains(r"^\d{3}$"))
    long = pl.concat(
        numbers.select(
            la=pl.col("LA num").str.strip_chars().cast(pl.Int32),
            neighbour=pl.col(sn).str.strip_chars().cast(pl.Int32, strict=False),
            closeness=pl.col(cp).str.strip_chars(),
            neighbour_rank=pl.lit(rank, pl.Int32),
            row=pl.int_range(pl.len()) + 4,  # spreadsheet row: three header rows, 1-based
        )
        for rank, (sn, cp) in enumerate(zip(sn_cols, closeness_cols, strict=True), start=1)
    )
    # An LA that did not exist when the model was made (Cumberland in the 2021 model) has a row
    # of "-": it has no group in that model. A partly blank row is an error below.
    no_group = long.group_by("la").agg(pl.col("neighbour").is_null().all().alias("blank"))
    long = long.join(no_group.filter(~pl.col("blank")), on="la", how="semi")
    code = dict(areas.select("old_la_code", "area_code").iter_rows())
    unknown = long.filter(
        ~pl.col("la").is_in(list(code)) | ~pl.col("neighbour").is_in(list(code)).fill_null(False)
    )
    if unknown.height:
        raise DataValidationError(
            f"{path}: {unknown.height} neighbour cell(s) name an LA number not in the areas frame, "
            f"e.g. {unknown.select('row', 'la', 'neighbour', 'neighbour_rank').head(5).rows()} "
            "(rule: every group and neighbour is a known local authority)"
        )
    return long.select(
        model=pl.lit(model),
        area_code=pl.col("la").replace_strict(code, return_dtype=pl.String),
        neighbour_code=pl.col("neighbour").replace_strict(code, return_dtype=pl.String),
        neighbour_rank="neighbour_rank",
        closeness=pl.col("closeness")
        .str.to_lowercase()
        .str.to_titlecase()
        .str.replace(r"^(\w+) (\w)", "$1 ${2}"),
    ).sort("model", "area_code", "neighbour_rank")


# --------------------------------------------------------------------------------------------
# LAIT long table -> observations


def read_lait_long(path: Path, areas: pl.DataFrame, indicators: pl.DataFrame) -> pl.DataFrame:
    """LAIT's long table -> observations, one per row of the file (no row is dropped).

    ``-`` (LAIT's only symbol today) and any GSS symbol become a null value with its status;
    otherwise the status comes from the period label's qualifier.
    """
    try:
        raw = pl.read_parquet(path)
    except Exception as error:  # polars raises several kinds for a file that is not parquet
        raise SourceFileError(f"{path}: not a readable parquet file ({error})") from None
    _require_columns(raw, ["Short Desc", "Years", "LA Number", "Values"], source=str(path))
    check_period_labels(raw, "Years", source=str(path))
    value, symbol_status = parse_values(pl.col("Values"))
    parsed = raw.with_columns(_value=value, _symbol=symbol_status)
    check_values(parsed, "Values", "_symbol", source=str(path))
    code = dict(areas.select("old_la_code", "area_code").iter_rows())
    ids = dict(indicators.select("lait_code", "indicator_id").iter_rows())
    return parsed.select(
        indicator_id=pl.col("Short Desc").replace_strict(ids, return_dtype=pl.String),
        area_code=pl.col("LA Number").cast(pl.Int32).replace_strict(code, return_dtype=pl.String),
        period=pl.col("Years"),
        year=period_year(pl.col("Years")),
        value=pl.col("_value"),
        status=pl.coalesce(pl.col("_symbol"), period_label_status(pl.col("Years"))),
        numerator=pl.lit(None, pl.Float64),
        denominator=pl.lit(None, pl.Float64),
        source=pl.lit("LAIT"),
    )


def as_observations(
    frame: pl.DataFrame, indicators: pl.DataFrame, areas: pl.DataFrame
) -> pl.DataFrame:
    """Give an observations-shaped frame the schema's dtypes and canonical order.

    Codes become Enums whose categories are every indicator id and area code (so a code outside
    them cannot be stored) and every period label present, each sorted; ``status`` the status
    Enum; ``source`` Categorical. Rows are sorted by (indicator, area, period), the order in
    which the uniqueness rule is checked in one pass. Codes not in ``indicators`` / ``areas``
    raise :class:`DataValidationError` naming them.
    """
    text = frame.with_columns(pl.col("indicator_id", "area_code", "period").cast(pl.String))
    for column, known_frame in (("indicator_id", indicators), ("area_code", areas)):
        known = known_frame.get_column(column).cast(pl.String)
        unknown = text.filter(~pl.col(column).is_in(known.implode()))
        if unknown.height:
            raise DataValidationError(
                f"observations: column {column!r} has {unknown.height} row(s) with codes not "
                f"in {'indicators' if column == 'indicator_id' else 'areas'} (rule: exists in "
                f"{'indicators' if column == 'indicator_id' else 'areas'}), e.g. "
                f"{unknown.get_column(column).unique().sort().head(5).to_list()}"
            )
    id_dtype = pl.Enum(indicators.get_column("indicator_id").sort())
    area_dtype = pl.Enum(areas.get_column("area_code").sort())
    period_dtype = pl.Enum(text.get_column("period").unique().sort())
    return text.sort("indicator_id", "area_code", "period").with_columns(
        pl.col("indicator_id").cast(id_dtype),
        pl.col("area_code").cast(area_dtype),
        pl.col("period").cast(period_dtype),
        pl.col("source").cast(pl.Categorical),
        pl.col("status").cast(STATUS_DTYPE),
    )


# --------------------------------------------------------------------------------------------
# EES open-data CSVs -> numerators and denominators

#: Columns every EES open-data CSV with LA rows carries.
EES_STANDARD_COLUMNS = ["time_period", "time_identifier", "geographic_level", "country_code"]


@user_facing
def read_ees(path: Path, value_columns: list[str]) -> pl.DataFrame:
    """An EES open-data CSV -> one row per published row, with ``area_code`` resolved by level
    (national -> country code, regional -> region code, LA -> new_la_code), ``year`` from
    ``time_period`` and each value column parsed to Float64 (symbols -> null, checked).

    Rows combining two LAs ("940 / 941") are kept with a null ``area_code``; callers decide.
    """
    frame = _read_csv_text(path)
    _require_columns(frame, EES_STANDARD_COLUMNS + value_columns, source=str(path))
    for column in value_columns:
        value, status = parse_values(pl.col(column))
        checked = frame.with_columns(_value=value, _status=status)
        check_values(checked, column, "_status", source=str(path))
    level = pl.col("geographic_level")
    area_code = (
        pl.when(level == "National")
        .then(pl.col("country_code"))
        .when(level == "Regional")
        .then(pl.col("region_code"))
        .when(level == "Local authority")
        .then(pl.col("new_la_code"))
    )
    return frame.with_columns(
        area_code=pl.when(area_code.str.contains(r"^E\d{8}$")).then(area_code),
        year=pl.col("time_period").str.slice(0, 4).cast(pl.Int32),
        **{column: parse_values(pl.col(column))[0] for column in value_columns},
    )


#: EES time identifiers -> how a ``time_period`` becomes a period label (LAIT's style).
TIME_IDENTIFIERS: dict[str, str] = {
    "reporting year": "year",  # 2025 -> "2025" (a count at 31 March 2025)
    "calendar year": "year",  # 2024 -> "2024"
    "financial year": "dash",  # 202425 -> "2024-25"
    "academic year": "slash",  # 202324 -> "2023/24"
}


def ees_period_label(time_period: pl.Expr, time_identifier: pl.Expr) -> pl.Expr:
    """The period label for an EES ``time_period`` under its ``time_identifier``: reporting
    and calendar years as "2025", financial years as "2024-25", academic years as "2023/24";
    null for identifiers lacompare does not know (reported by :func:`ees_observations`)."""
    text = time_period.cast(pl.String).str.strip_chars()
    kind = (
        time_identifier.str.to_lowercase()
        .str.strip_chars()
        .replace_strict(TIME_IDENTIFIERS, default=None)
    )
    six = text.str.contains(r"^\d{6}$")
    return (
        pl.when(kind == "year")
        .then(text.str.slice(0, 4))
        .when((kind == "dash") & six)
        .then(pl.concat_str(text.str.slice(0, 4), pl.lit("-"), text.str.slice(4, 2)))
        .when((kind == "slash") & six)
        .then(pl.concat_str(text.str.slice(0, 4), pl.lit("/"), text.str.slice(4, 2)))
    )


@user_facing
def ees_observations(
    path: Path,
    indicator_id: str,
    *,
    value: str,
    numerator: str | None = None,
    denominator: str | None = None,
    filters: dict[str, str] | None = None,
    areas: pl.DataFrame,
) -> pl.DataFrame:
    """Observations (text codes) for one indicator from any EES open-data CSV.

    ``value`` (and optionally ``numerator`` / ``denominator``) name the columns to read;
    ``filters`` pick the rows of one breakdown (``{"breakdown": "Total"}``). National, regional
    and LA rows are kept; rows combining two LAs ("940 / 941") are not an area and raise.
    Symbols become null values with their status; a period, area code or symbol lacompare does
    not know raises :class:`DataValidationError` naming the file, rows and column.
    """
    columns = [c for c in (value, numerator, denominator) if c]
    frame = read_ees(path, columns).with_row_index("row", offset=1)
    for column, wanted in (filters or {}).items():
        if column not in frame.columns:
            raise SourceFileError(f"{path}: no column {column!r} to filter on")
        frame = frame.filter(pl.col(column) == wanted)
    raw = _read_csv_text(path).with_row_index("row", offset=1).select("row", _raw=pl.col(value))
    # Older ONS codes of the same authority (boundary or code changes) map to today's code.
    former = areas.select("area_code", "former_codes").explode("former_codes").drop_nulls()
    code_map = dict(
        zip(former["former_codes"].to_list(), former["area_code"].to_list(), strict=True)
    )
    frame = frame.join(raw, on="row").with_columns(
        period=ees_period_label(pl.col("time_period"), pl.col("time_identifier")),
        _status=parse_values(pl.col("_raw"))[1],
        area_code=pl.col("area_code").replace(code_map),
    )
    identifiers = frame.get_column("time_identifier").unique().to_list()
    if len(identifiers) > 1:
        raise DataValidationError(
            f"{path}: column 'time_identifier' mixes {sorted(identifiers)} for one indicator "
            "(rule: one kind of period per indicator; filter the rows first)"
        )
    problems = [
        (
            "time_identifier",
            "a reporting, calendar, financial or academic year",
            frame.filter(pl.col("period").is_null()),
        ),
        (
            "new_la_code",
            "an ONS code of an area lacompare knows",
            frame.filter(
                ~pl.col("area_code").is_in(areas.get_column("area_code").implode()).fill_null(False)
            ),
        ),
        (
            "indicator",
            "one row per area and period",
            frame.filter(pl.struct("area_code", "period").is_duplicated()),
        ),
    ]
    for column, rule, bad in problems:
        if bad.height:
            rows = ", ".join(str(r) for r in bad.get_column("row").head(5).to_list())
            raise DataValidationError(
                f"{path}: {bad.height} row(s) break the rule for column {column!r} ({rule}); "
                f"rows {rows} (row 1 is the first line after the header)"
            )
    return frame.select(
        indicator_id=pl.lit(indicator_id),
        area_code="area_code",
        period="period",
        year=period_year(pl.col("period")),
        value=pl.col(value),
        status=pl.coalesce(pl.col("_status"), pl.lit("published")),
        numerator=pl.col(numerator) if numerator else pl.lit(None, pl.Float64),
        denominator=pl.col(denominator) if denominator else pl.lit(None, pl.Float64),
        source=pl.lit(f"EES {path.name} {value}"),
    )


@dataclass(frozen=True)
class EesCount:
    """A count taken from one column of an EES file, on rows matching ``filters``."""

    file: str
    column: str
    filters: dict[str, str] = field(default_factory=dict)
    #: Years to shift the EES year by to reach the observation year (populations: mid-2015
    #: estimates are the denominator for rates at 31 March 2016).
    year_offset: int = 0


@dataclass(frozen=True)
class LaitCount:
    """A count taken from another LAIT measure (for years the EES files do not cover)."""

    lait_code: str


Count = EesCount | LaitCount

#: ONS mid-year estimate of children aged 0-17: DfE's denominator for rates per 10,000 at 31
#: March of the following year.
POPULATION_0_17 = EesCount(
    "ons_mid-year_population_estimates_2012_to_2024.csv",
    "population_estimate",
    {"age_group": "Children aged 0 to 17 years"},
    year_offset=1,
)


@dataclass(frozen=True)
class CountSpec:
    """Where the numerator and denominator of a LAIT measure are published.

    ``multiplier`` turns numerator / denominator into the published unit. A published value is
    given its counts only where they reproduce it to the published precision.
    """

    lait_code: str
    numerator: Count
    denominator: Count
    multiplier: float


_PLACEMENTS = "la_cla_placement_stability.csv"
_LONG_TERM = (
    "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
)
_LEAVERS = "la_care_leavers_activity.csv"

COUNT_SPECS: list[CountSpec] = [
    # Children in need at 31 March per 10,000 children (CIN census).
    CountSpec(
        "CIN",
        EesCount("b1_children_in_need_2013_to_2025.csv", "At31_episodes"),
        POPULATION_0_17,
        10_000,
    ),
    # Child protection plans at 31 March per 10,000 children.
    CountSpec(
        "CPP_rate",
        EesCount("d5_cpps_at31march_by_duration_2013_to_2025.csv", "CPP_At31"),
        POPULATION_0_17,
        10_000,
    ),
    # Children looked after at 31 March per 10,000 children (EES from 2021, LAIT count before).
    CountSpec(
        "LAC",
        EesCount(
            "cla_number_and_rate_per_10k_children.csv",
            "children_count",
            {"population_type": "Children looked after on 31 March each year"},
        ),
        EesCount(
            "cla_number_and_rate_per_10k_children.csv",
            "population_estimate",
            {"population_type": "Children looked after on 31 March each year"},
        ),
        10_000,
    ),
    CountSpec("LAC", LaitCount("LACnum"), POPULATION_0_17, 10_000),
    CountSpec(
        "LAC_Start_Rate",
        EesCount(
            "cla_number_and_rate_per_10k_children.csv",
            "children_count",
            {"population_type": "Children starting to be looked after each year"},
        ),
        EesCount(
            "cla_number_and_rate_per_10k_children.csv",
            "population_estimate",
            {"population_type": "Children starting to be looked after each year"},
        ),
        10_000,
    ),
    # Re-referrals within 12 months (%).
    CountSpec(
        "ReReferral",
        EesCount(
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "rereferral_count"
        ),
        EesCount(
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "referral_count"
        ),
        100,
    ),
    # Child protection plans starting that are a second or subsequent plan (%).
    CountSpec(
        "PrevRegCPR",
        EesCount("d3_cpps_subsequent_plan_2013_to_2025.csv", "CPP_subsequent"),
        EesCount("d3_cpps_subsequent_plan_2013_to_2025.csv", "CPP_start"),
        100,
    ),
    # Care leavers aged 19-21 in education, employment or training (%).
    CountSpec(
        "CareLeaverEET",
        EesCount(
            _LEAVERS,
            "care_leaver_count",
            {
                "care_leaver_age": "19 to 21 years",
                "breakdown": "Total in education, employment or training",
            },
        ),
        EesCount(
            _LEAVERS,
            "care_leaver_count",
            {"care_leaver_age": "19 to 21 years", "breakdown": "Total"},
        ),
        100,
    ),
    CountSpec("CareLeaverEET", LaitCount("CareLeaverEETNum"), LaitCount("NoCareLeavers"), 100),
    # Placement stability: three or more placements in the year (%).
    CountSpec(
        "LACStable_2016on",
        EesCount(
            _PLACEMENTS,
            "children_count",
            {
                "cla_group": "CLA on 31 March",
                "placement_stability": "With 3 or more placements during the year",
            },
        ),
        EesCount(
            _PLACEMENTS,
            "children_count",
            {"cla_group": "CLA on 31 March", "placement_stability": "Total children"},
        ),
        100,
    ),
    CountSpec("LACStable_2016on", LaitCount("LACStableNum_2016on"), LaitCount("LACnum"), 100),
    # Placement stability: long-term placements (same carer for 2+ years) (%).
    CountSpec(
        "LAC_LongStable%",
        EesCount(
            _PLACEMENTS,
            "children_count",
            {
                "cla_group": _LONG_TERM,
                "placement_stability": "Living with the same carer for at least 2 years",
            },
        ),
        EesCount(
            _PLACEMENTS,
            "children_count",
            {
                "cla_group": _LONG_TERM,
                "placement_stability": "Total children",
            },
        ),
        100,
    ),
]


def _count_frame(
    count: Count, ees_dir: Path, lait: pl.DataFrame, cache: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """(area_code, year, count, count_source) for one count definition."""
    if isinstance(count, LaitCount):
        return (
            lait.filter(pl.col("lait_code") == count.lait_code, pl.col("value").is_not_null())
            .select("area_code", "year", count="value")
            .unique(["area_code", "year"], keep="any")
            .with_columns(count_source=pl.lit(f"LAIT {count.lait_code}"))
        )
    key = f"{count.file}:{count.column}"
    if key not in cache:
        cache[key] = read_ees(ees_dir / count.file, [count.column])
    rows = cache[key].filter(pl.col("area_code").is_not_null())
    for column, wanted in count.filters.items():
        rows = rows.filter(pl.col(column) == wanted)
    return rows.select(
        "area_code",
        year=pl.col("year") + count.year_offset,
        count=pl.col(count.column),
        count_source=pl.lit(f"EES {count.file} {count.column}"),
    ).filter(pl.col("count").is_not_null())


def attach_counts(
    observations: pl.DataFrame,
    indicators: pl.DataFrame,
    ees_dir: Path,
    specs: list[CountSpec] = COUNT_SPECS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fill ``numerator``/``denominator`` where a spec reproduces the published value.

    A pair of counts is attached only when ``numerator / denominator * multiplier`` rounds to
    the published value at the precision it was published with (so a revised population
    estimate cannot put a confidence interval around the wrong point). Earlier specs for a
    measure win. Returns the observations and a report: per measure and source, how many
    published values were matched, and how many counts disagreed.
    """
    lait = observations.join(
        indicators.select("indicator_id", "lait_code"), on="indicator_id"
    ).select("lait_code", "area_code", "year", "value")
    cache: dict[str, pl.DataFrame] = {}
    candidates = []
    for priority, spec in enumerate(specs):
        numerator = _count_frame(spec.numerator, ees_dir, lait, cache)
        denominator = _count_frame(spec.denominator, ees_dir, lait, cache)
        candidates.append(
            numerator.join(denominator, on=["area_code", "year"], suffix="_den").select(
                "area_code",
                "year",
                lait_code=pl.lit(spec.lait_code),
                priority=pl.lit(priority),
                multiplier=pl.lit(spec.multiplier, pl.Float64),
                numerator=pl.col("count"),
                denominator=pl.col("count_den"),
                count_source=pl.concat_str(
                    pl.lit("numerator: "),
                    "count_source",
                    pl.lit("; denominator: "),
                    "count_source_den",
                ),
            )
        )
    ids = indicators.select("indicator_id", "lait_code")
    matched = (
        observations.with_row_index("_row")
        .filter(pl.col("value").is_not_null())
        .drop("numerator", "denominator")
        .join(ids, on="indicator_id")
        .join(pl.concat(candidates), on=["lait_code", "area_code", "year"])
        .filter(pl.col("denominator") > 0)
        .with_columns(
            recomputed=pl.col("numerator") / pl.col("denominator") * pl.col("multiplier"),
            # Precision as published: LAIT stores "71.900000000000006", so round first.
            tolerance=0.5 * pl.lit(10.0).pow(-published_decimals(pl.col("value"))) + 1e-9,
        )
        .with_columns(agrees=(pl.col("recomputed") - pl.col("value")).abs() <= pl.col("tolerance"))
    )
    report = (
        matched.group_by("lait_code", "count_source")
        .agg(agree=pl.col("agrees").sum(), disagree=(~pl.col("agrees")).sum())
        .sort("lait_code", "count_source")
    )
    best = (
        matched.filter("agrees")
        .sort("priority")
        .unique("_row", keep="first")
        .select("_row", "numerator", "denominator", "count_source")
    )
    out = (
        observations.with_row_index("_row")
        .drop("numerator", "denominator")
        .join(best, on="_row", how="left")
        .with_columns(
            source=pl.when(pl.col("count_source").is_not_null())
            .then(pl.concat_str("source", pl.lit("; "), "count_source"))
            .otherwise("source")
        )
        .select(observations.columns)
    )
    return out, report


def published_decimals(value: pl.Expr) -> pl.Expr:
    """Decimal places a value was published with (0-6), read off its shortest representation."""
    text = value.round(6).cast(pl.String)
    fraction = text.str.extract(r"\.(\d*?)0*$", 1).fill_null("")
    return fraction.str.len_chars().cast(pl.Int32)


# --------------------------------------------------------------------------------------------
# Ofsted inspection judgements

OFSTED_FILE = "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
OFSTED_SHEET = "Inspections_as_at_31_March"


def read_ofsted_judgements(path: Path, areas: pl.DataFrame) -> pl.DataFrame:
    """Ofsted's "LA inspection outcomes as at 31 March" workbook (sheet
    ``Inspections_as_at_31_March``: a title row, a note row, then the table) -> one row per
    LA with its latest ILACS inspection dates and judgements.

    Area codes are resolved to the current LA's code (Ofsted still uses the pre-2024 codes of
    Barnsley and Sheffield); a code that names no current LA, a date that is not a date or a
    grade outside Ofsted's four is an error naming the spreadsheet row.
    """
    title = _read_excel(path, header_row=0, sheet=OFSTED_SHEET, has_header=False)
    as_at_match = re.search(r"as at (\d{1,2} \w+ \d{4})", str(title.item(0, 0)))
    if as_at_match is None:
        raise SourceFileError(
            f"{path}: sheet {OFSTED_SHEET!r} cell A1 should say 'as at <date>', found "
            f"{title.item(0, 0)!r}"
        )
    as_at = datetime.strptime(as_at_match.group(1), "%d %B %Y").date()
    frame = _read_excel(path, header_row=2, sheet=OFSTED_SHEET)
    source = f"{path.name}, sheet {OFSTED_SHEET}"
    wanted = {
        "Local authority area code": "ofsted_code",
        "Local authority name": "la_name",
        "Ofsted region": "ofsted_region",
        "Inspection date": "inspection_text",
        "Publication date": "publication_text",
        **{heading: column for column, heading in OFSTED_JUDGEMENTS.items()},
    }
    _require_columns(frame, list(wanted), source=source)
    frame = (
        frame.select(pl.col(list(wanted)).str.strip_chars())
        .rename(wanted)
        .with_columns(row=pl.int_range(pl.len()) + 4)  # spreadsheet row: 3 rows above, 1-based
        .filter(pl.col("ofsted_code").is_not_null())
    )
    # Dates arrive as ISO text ("2023-07-10T00:00:00") from the ODS reader.
    frame = frame.with_columns(
        inspection_date=pl.col("inspection_text").str.slice(0, 10).str.to_date(strict=False),
        publication_date=pl.col("publication_text").str.slice(0, 10).str.to_date(strict=False),
    )
    for column in ("inspection_date", "publication_date"):
        bad = frame.filter(pl.col(column).is_null())
        if bad.height:
            raise DataValidationError(
                f"{source}: row {bad.item(0, 'row')}, column {column}: "
                f"{bad.item(0, column.replace('_date', '_text'))!r} is not a date "
                f"(rule: every inspection has dates; {bad.height} row(s))"
            )
    for column in OFSTED_JUDGEMENTS:
        required = column != "care_leavers"
        bad = frame.filter(~pl.col(column).is_in(list(OFSTED_GRADES)).fill_null(not required))
        if bad.height:
            raise DataValidationError(
                f"{source}: row {bad.item(0, 'row')}, column {OFSTED_JUDGEMENTS[column]!r}: "
                f"{bad.item(0, column)!r} is not an Ofsted grade (rule: one of "
                f"{', '.join(OFSTED_GRADES)}; {bad.height} row(s))"
            )
    current = areas.filter(pl.col("current"), pl.col("level") == "local_authority")
    codes = pl.concat(
        [
            current.select(ofsted_code="area_code", area_code="area_code"),
            current.select(ofsted_code="former_codes", area_code="area_code").explode(
                "ofsted_code"
            ),
        ]
    ).drop_nulls()
    resolved = frame.join(codes, on="ofsted_code", how="left")
    unknown = resolved.filter(pl.col("area_code").is_null())
    if unknown.height:
        raise DataValidationError(
            f"{source}: row {unknown.item(0, 'row')}, column 'Local authority area code': "
            f"{unknown.item(0, 'ofsted_code')!r} ({unknown.item(0, 'la_name')}) is not a current "
            f"local authority (rule: every inspection is of a known LA; {unknown.height} row(s))"
        )
    return resolved.select(
        "area_code",
        "la_name",
        "ofsted_region",
        "inspection_date",
        "publication_date",
        *OFSTED_JUDGEMENTS,
        as_at=pl.lit(as_at, pl.Date),
        source=pl.lit(f"Ofsted, Local authority inspection outcomes as at {as_at_match.group(1)}"),
    ).sort("area_code")


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
    observations, count_report = attach_counts(observations, indicators, ees_dir)
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


# --------------------------------------------------------------------------------------------
# File helpers


def _read_csv_text(path: Path) -> pl.DataFrame:
    """A CSV with every column as text (values are parsed explicitly, never guessed)."""
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as error:
        raise SourceFileError(f"{path}: could not be read as CSV ({error})") from None
    # Files saved from Excel start with a byte-order mark that would stick to the first name.
    return frame.rename(lambda name: name.lstrip("\ufeff").strip())


def _read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        return handle.readline().strip().split(",")


def _read_excel(
    path: Path, header_row: int, *, sheet: str | None = None, has_header: bool = True
) -> pl.DataFrame:
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    try:
        return pl.read_excel(  # type: ignore[call-overload,no-any-return]
            path,
            **({"sheet_name": sheet} if sheet else {"sheet_id": 1}),
            has_header=has_header,
            infer_schema_length=0,
            read_options={"header_row": header_row} if has_header else {},
        )
    except Exception as error:
        raise SourceFileError(f"{path}: could not be read as a workbook ({error})") from None


def _require_columns(frame: pl.DataFrame, columns: list[str], *, source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceFileError(f"{source}: missing column(s) {missing}; found {frame.columns}")
