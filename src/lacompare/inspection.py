"""Ofsted's 2017 inspection of Derby as data: every figure the report gives, checked against
the published statistics.

``reference_data/derby_inspection_2017.csv`` is curated by hand (it is the data, edited
directly); ``scripts/check_inspection_figures.py`` checks every quoted phrase is in the report
and every recorded relation holds. Each figure names its published twin
(indicator and period) where LAIT has one, and whether the report agrees with it or why not
(most often: a local count at 6 March 2017 against DfE's figure at 31 March).
"""

from __future__ import annotations

from pathlib import Path

import pandera.polars as pa
import polars as pl

from lacompare.errors import user_facing
from lacompare.reference import ReferenceData, default_reference_path
from lacompare.schemas import validate
from lacompare.sources import published_decimals

INSPECTION_FILE = "derby_inspection_2017.csv"
RELATIONS = ["agrees", "differs", "no_twin"]


class InspectionFiguresSchema(pa.DataFrameModel):
    """One row per quantitative statement in the report."""

    figure_id: str = pa.Field(unique=True, str_matches=r"^ofsted2017-\d{3}$")
    section: str = pa.Field(str_length={"min_value": 1})
    measure: str = pa.Field(str_length={"min_value": 1})
    subject: str = pa.Field(isin=["Derby", "England", "statistical neighbours", "inspection"])
    value: pl.Float64 = pa.Field(ge=0)
    unit: str = pa.Field(
        isin=["count", "percent", "rate_per_10000", "days", "weeks", "hours", "months"]
    )
    as_at: str = pa.Field(nullable=True)
    comparator_subject: str = pa.Field(nullable=True)
    comparator_value: pl.Float64 = pa.Field(nullable=True, ge=0)
    quote: str = pa.Field(str_length={"min_value": 5})
    indicator_id: str = pa.Field(nullable=True, str_matches=r"^[a-z0-9][a-z0-9_]*$")
    published_period: str = pa.Field(nullable=True)
    relation: str = pa.Field(isin=RELATIONS)
    reason: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(name="indicator_id: given if and only if the figure has a published twin")
    @classmethod
    def twin_named(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("indicator_id").is_not_null() == (pl.col("relation") != "no_twin")
        )

    @pa.dataframe_check(name="reason: given where the report differs from the published figure")
    @classmethod
    def difference_explained(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("relation") != "differs") | pl.col("reason").is_not_null()
        )


@user_facing
def load_inspection_figures(path: str | Path | None = None) -> pl.DataFrame:
    """The report's figures (see the module doc), validated."""
    file = Path(path) if path else default_reference_path() / INSPECTION_FILE
    frame = pl.read_csv(
        file,
        schema_overrides={"value": pl.Float64, "comparator_value": pl.Float64},
        infer_schema=False,
    ).with_columns(pl.col("value", "comparator_value").cast(pl.Float64))
    text = [c for c in frame.columns if c not in {"value", "comparator_value"}]
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in text
    )
    return validate(frame, InspectionFiguresSchema, name=str(file))


@user_facing
def cross_check_inspection(ref: ReferenceData, figures: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each figure with a published twin beside the published value (a count: the numerator
    behind the rate where the twin is a rate and the report gives a count) and whether they
    agree to the precision the report gives (``within_precision``); ``consistent`` says the
    recorded relation matches the data."""
    figures = figures if figures is not None else load_inspection_figures()
    subject_area = {"Derby": "E06000015", "England": "E92000001"}
    published = ref.observations.select(
        indicator_id=pl.col("indicator_id").cast(pl.String),
        area_code=pl.col("area_code").cast(pl.String),
        published_period=pl.col("period").cast(pl.String),
        published_value="value",
        published_numerator="numerator",
    )
    units = ref.indicators.select("indicator_id", twin_unit="unit")
    checked = (
        figures.with_columns(area_code=pl.col("subject").replace_strict(subject_area, default=None))
        .join(published, on=["indicator_id", "area_code", "published_period"], how="left")
        .join(units, on="indicator_id", how="left")
        .with_columns(
            # The report writes "2,342" where DfE publishes a rate with that numerator.
            compared_with=pl.when((pl.col("unit") == "count") & (pl.col("twin_unit") != "count"))
            .then(pl.col("published_numerator"))
            .otherwise(pl.col("published_value")),
            # The report's precision: a whole number agrees within 1 (it may truncate 53.7).
            precision=pl.lit(10.0).pow(-published_decimals(pl.col("value"))),
        )
        .with_columns(
            within_precision=(pl.col("value") - pl.col("compared_with")).abs()
            < pl.col("precision"),
        )
        .with_columns(
            consistent=pl.when(pl.col("relation") == "no_twin")
            .then(pl.lit(True))
            .when(pl.col("relation") == "agrees")
            .then(pl.col("within_precision").fill_null(False))
            .otherwise(~pl.col("within_precision").fill_null(False)),
        )
    )
    return checked.drop("area_code", "published_numerator", "precision")
