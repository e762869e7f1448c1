"""LAIT: the data dictionary -> indicators, the long table -> observations."""

from __future__ import annotations

import datetime
from pathlib import Path

import polars as pl

from lacompare.errors import DataValidationError, SourceFileError
from lacompare.periods import check_period_labels, period_label_status, period_year
from lacompare.schemas import STATUS_DTYPE
from lacompare.sources._common import (
    _read_csv_text,
    _require_columns,
    check_values,
    parse_values,
    series_decimals,
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


#: Where the project has a reservation about LAIT's polarity, it is said here (the
#: definitions appendix, the methods appendix and ``docs/statistics.md`` print it) without
#: changing the figures: ranks, bands and verdicts follow LAIT's published polarity, so that
#: every row agrees with LAIT.
POLARITY_RESERVATIONS: dict[str, str] = {
    "Vacancies_cover": (
        "LAIT marks a higher share of vacancies covered by agency workers as better, and a "
        "higher share of agency workers as worse. lacompare follows LAIT (a covered vacancy "
        "is better than an uncovered one), but read the two together: a higher figure here "
        "is still agency use"
    ),
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
    indicators = first.join(topics, on="Measure_short").select(**_indicator_columns())
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


def _indicator_columns() -> dict[str, pl.Expr]:
    """The indicators frame's columns from a dictionary row (see :func:`read_lait_dictionary`)."""
    unit = pl.col("Measure_short").replace_strict(UNIT_OVERRIDES, default=None)
    name = tidy_text(pl.col("Chart_title").fill_null(pl.col("Measure")))
    url = pl.col("Hyperlink(s)").str.extract(r"(https?://\S+)", 1).str.replace(r"[/,;.]+$", "")
    return dict(
        indicator_id=indicator_slug(pl.col("Measure_short")),
        name=name,
        label=name,
        definition=pl.lit(None, pl.String),
        theme=pl.lit(None, pl.String),
        # Counted at a date: LAIT's "Annual" measures are at 31 March; others say so.
        snapshot=(pl.col("Year_Type") == "Annual")
        | name.str.contains(r"(?i)\b(?:at|on|as at) 31 March\b"),
        publication=publication_name(url),
        released=_excel_date(pl.col("Last Update")),
        next_release=_excel_date(pl.col("Next Update")),
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
        # LAIT writes "0" where no owner is recorded: no source, never "Source: 0".
        source=pl.col("Data Owner (DO) /Supplier and Contact Details")
        .str.strip_chars()
        .replace({"0": None, "-": None}),
        source_url=pl.col("Hyperlink(s)"),
        description=pl.col("Description"),
        methodology=pl.col("Methodology"),
        lait_code=pl.col("Measure_short"),
    )


def tidy_text(text: pl.Expr) -> pl.Expr:
    """DfE's text with runs of spaces (and non-breaking spaces) as one space, no stray
    backslashes, trimmed: "19-21 year olds in  Education" -> "19-21 year olds in Education"."""
    return (
        text.str.replace_all("\u00a0", " ")
        .str.replace_all(r"\\", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


#: Publications named by the address LAIT links to (find-statistics/<slug>, collections/<slug>).
PUBLICATIONS: dict[str, str] = {
    "characteristics-of-children-in-need": "Characteristics of children in need",
    "children-looked-after-in-england-including-adoptions": (
        "Children looked after in England including adoptions"
    ),
    "outcomes-for-children-in-need-including-children-looked-after-by-local-authorities-in-"
    "england": "Outcomes for children in need, including children looked after",
    "statistics-childrens-social-care-workforce": "Children's social work workforce",
    "childrens-social-care-statistics": "Children's social care statistics",
    "stability-measures-for-children-looked-after-in-england": (
        "Stability measures for children looked after in England"
    ),
    "pupil-absence-in-schools-in-england": "Pupil absence in schools in England",
    "key-stage-2-attainment": "Key stage 2 attainment",
    "statistics-gcses-key-stage-4": "GCSEs (key stage 4)",
    "youth-justice-statistics": "Youth justice statistics",
    "la-and-school-expenditure": "LA and school expenditure",
}


def publication_name(url: pl.Expr) -> pl.Expr:
    """The publication a measure's link names: DfE's title where known (:data:`PUBLICATIONS`),
    else the address's last words in sentence case; the site for other hosts."""
    slug = url.str.extract(r"/(?:find-statistics|collections|publications|statistics)/([^/#?]+)", 1)
    words = slug.str.replace_all("-", " ").str.replace(r"^statistics ", "")
    sentence = pl.concat_str(words.str.slice(0, 1).str.to_uppercase(), words.str.slice(1))
    host = (
        url.str.extract(r"https?://([^/]+)", 1)
        .str.replace(r"^www\.", "")
        .replace(
            {
                "fingertips.phe.org.uk": "Fingertips (OHID)",
                "ons.gov.uk": "Office for National Statistics",
                "cafcass.gov.uk": "Cafcass",
                "ncmd.info": "National Child Mortality Database",
            }
        )
    )
    return pl.coalesce(slug.replace_strict(PUBLICATIONS, default=None), sentence, host)


def _excel_date(serial: pl.Expr) -> pl.Expr:
    """An Excel serial date (LAIT's dictionary stores 45962 for 1 November 2025) as a date;
    text such as "TBC" or "New Data" as null."""
    days = serial.str.strip_chars().cast(pl.Int32, strict=False)
    return pl.when(days.is_between(30_000, 80_000)).then(
        (pl.lit(datetime.date(1899, 12, 30)) + pl.duration(days=days)).cast(pl.Date)
    )


def with_wording(indicators: pl.DataFrame, path: Path) -> pl.DataFrame:
    """The curated wording (``reference_data/indicator_wording.csv``: label, theme, snapshot,
    definition per LAIT code) over DfE's: every row names a measure that exists."""
    wording = _read_csv_text(path)
    _require_columns(
        wording, ["lait_code", "label", "theme", "snapshot", "definition"], source=str(path)
    )
    unknown = wording.join(indicators, on="lait_code", how="anti")
    if unknown.height:
        raise DataValidationError(
            f"{path}: lait_code {unknown.get_column('lait_code').to_list()[:5]} are not LAIT "
            "measures (rule: every curated row names a measure in the data dictionary)"
        )
    flags = wording.get_column("snapshot").str.to_lowercase()
    if not flags.is_in(["true", "false"]).all():
        raise DataValidationError(f"{path}: column 'snapshot' holds values other than true/false")
    curated = wording.select(
        "lait_code",
        _label=tidy_text(pl.col("label")),
        _theme=pl.col("theme"),
        _snapshot=pl.col("snapshot").str.to_lowercase() == "true",
        _definition=tidy_text(pl.col("definition")),
    )
    return (
        indicators.join(curated, on="lait_code", how="left")
        .with_columns(
            label=pl.coalesce("_label", "label"),
            theme=pl.coalesce("_theme", "theme"),
            snapshot=pl.coalesce("_snapshot", "snapshot"),
            definition=pl.coalesce("_definition", "definition"),
        )
        .drop("_label", "_theme", "_snapshot", "_definition")
    )


def with_series_decimals(
    indicators: pl.DataFrame, observations: pl.DataFrame, la_codes: pl.Series, years: int = 3
) -> pl.DataFrame:
    """``decimals`` as DfE publishes the series: the fewer of LAIT's ``dps`` and the decimals
    the local authorities' values carry in the series' latest ``years`` years
    (:func:`~lacompare.sources._common.series_decimals`). CLA rates published as 88, 91 and 67
    are shown as whole numbers, never "88.0", even where LAIT's dictionary says one place."""
    precision = series_decimals(observations, la_codes).with_columns(
        latest=pl.col("year").max().over("indicator_id")
    )
    published = (
        precision.filter(pl.col("year") > pl.col("latest") - years)
        .group_by(pl.col("indicator_id").cast(pl.String))
        .agg(published=pl.col("series_decimals").max())
    )
    return (
        indicators.join(published, on="indicator_id", how="left")
        .with_columns(
            decimals=pl.min_horizontal("decimals", pl.col("published").fill_null(6)).cast(pl.Int32)
        )
        .drop("published")
    )


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
