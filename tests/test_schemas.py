"""One deliberate fault per schema rule: each must fail, naming the rule and the column."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

import lacompare
from lacompare.errors import DataValidationError
from lacompare.schemas import (
    AreasSchema,
    ComparisonSchema,
    IndicatorsSchema,
    NeighboursSchema,
    ObservationsSchema,
    passes,
    validate,
    validate_reference,
)

Fault = Callable[[pl.DataFrame], pl.DataFrame]


def set_cell(column: str, value: object, row: int = 0) -> Fault:
    def fault(frame: pl.DataFrame) -> pl.DataFrame:
        dtype = frame.schema[column]
        values = frame.get_column(column).to_list()
        values[row] = value
        return frame.with_columns(pl.Series(column, values, dtype=dtype, strict=False))

    return fault


def set_code(column: str, value: str, row: int = 0) -> Fault:
    """Put a new code into an Enum column, extending its categories (as a user frame could)."""

    def fault(frame: pl.DataFrame) -> pl.DataFrame:
        values = frame.get_column(column).cast(pl.String).to_list()
        values[row] = value
        categories = sorted({*frame.schema[column].categories, value})
        return frame.with_columns(pl.Series(column, values, dtype=pl.Enum(categories)))

    return fault


def duplicate_first_row(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([frame, frame.head(1)])


@pytest.fixture(scope="module")
def small(ref: lacompare.ReferenceData) -> dict[str, pl.DataFrame]:
    """A small valid slice of each frame: Derby and its 2025 neighbours, two indicators."""
    derby = "E06000015"
    obs = ref.observations.filter(
        pl.col("indicator_id").is_in(["cpp_rate", "rereferral"]), pl.col("area_code") == derby
    )
    return {
        "indicators": ref.indicators.head(20),
        "observations": obs,
        "areas": ref.areas,
        "neighbours": ref.neighbours.filter(pl.col("area_code") == derby),
    }


SCHEMAS = {
    "indicators": IndicatorsSchema,
    "observations": ObservationsSchema,
    "areas": AreasSchema,
    "neighbours": NeighboursSchema,
}

# (frame, fault, column the message must name, words of the rule the message must contain)
FAULTS: list[tuple[str, Fault, str, str]] = [
    ("indicators", duplicate_first_row, "indicator_id", "field_uniqueness"),
    ("indicators", set_cell("indicator_id", "Bad Id!"), "indicator_id", "str_matches"),
    ("indicators", set_cell("unit", "furlongs"), "unit", "isin"),
    ("indicators", set_cell("polarity", "up"), "polarity", "isin"),
    ("indicators", set_cell("decimals", -1), "decimals", "greater_than_or_equal_to"),
    ("indicators", set_cell("period_type", "lunar_year"), "period_type", "isin"),
    ("indicators", set_cell("name", ""), "name", "str_length"),
    ("indicators", lambda f: f.drop("topic"), "topic", "column_in_dataframe"),
    ("indicators", lambda f: f.with_columns(extra=pl.lit(1)), "extra", "column_in_schema"),
    ("observations", duplicate_first_row, "indicator_id, area_code, period", "multiple_fields"),
    ("observations", set_code("area_code", "X06000015"), "area_code", "ONS code"),
    ("observations", set_code("area_code", "E0600015"), "area_code", "ONS code"),
    ("observations", set_code("indicator_id", "CPP Rate"), "indicator_id", "matches"),
    (
        "observations",
        lambda f: f.with_columns(pl.col("area_code").cast(pl.String)),
        "area_code",
        "dtype",
    ),
    ("observations", set_cell("value", None), "value", "null if and only if status"),
    ("observations", set_cell("status", "suppressed"), "value", "null if and only if status"),
    ("observations", set_cell("value", float("nan")), "value", "finite"),
    ("observations", set_cell("value", float("inf")), "value", "finite"),
    ("observations", set_cell("numerator", -3.0), "numerator", "greater_than_or_equal_to"),
    ("observations", set_cell("denominator", 0.0), "denominator", "greater_than"),
    ("observations", set_cell("numerator", None), "numerator", "together with denominator"),
    ("observations", set_cell("year", 2101), "year", "less_than_or_equal_to"),
    ("observations", set_cell("year", 0), "year", "only without a value"),
    ("observations", set_code("period", "16-17"), "period", "is a period label"),
    ("observations", lambda f: f.with_columns(pl.col("status").cast(pl.String)), "status", "dtype"),
    ("areas", duplicate_first_row, "area_code", "field_uniqueness"),
    ("areas", set_cell("area_code", "W06000015", row=20), "area_code", "str_matches"),
    ("areas", set_cell("level", "parish"), "level", "isin"),
    ("areas", set_cell("region_code", None, row=20), "region_code", "required for a local"),
    ("areas", set_cell("old_la_code", 12), "old_la_code", "greater_than_or_equal_to"),
    ("areas", set_cell("current", False), "successor_codes", "if and only if the area is not"),
    ("neighbours", set_cell("neighbour_rank", 11), "neighbour_rank", "less_than_or_equal_to"),
    (
        "neighbours",
        set_cell("neighbour_rank", 2),
        "model, area_code, neighbour_rank",
        "multiple_fields",
    ),
    (
        "neighbours",
        set_cell("neighbour_code", "E06000015"),
        "neighbour_code",
        "not the area itself",
    ),
    ("neighbours", set_cell("neighbour_code", "E08000026", row=1), "neighbour_code", "once per"),
    ("neighbours", lambda f: f.head(9), "neighbour_rank", "each group has ranks 1..10"),
    ("neighbours", set_cell("model", "twenty"), "model", "str_matches"),
]


def test_small_frames_are_valid(small: dict[str, pl.DataFrame]) -> None:
    for name, frame in small.items():
        assert passes(frame, SCHEMAS[name]), name


@pytest.mark.parametrize(
    ("frame_name", "fault", "column", "rule"),
    FAULTS,
    ids=[f"{f}-{c}-{r.replace(' ', '_')}" for f, _, c, r in FAULTS],
)
def test_each_rule_fails_naming_rule_and_column(small, frame_name, fault, column, rule) -> None:
    broken = fault(small[frame_name])
    # The fused fast check must see the fault on its own, not only pandera.
    assert not passes(broken, SCHEMAS[frame_name])
    with pytest.raises(DataValidationError) as error:
        validate(broken, SCHEMAS[frame_name], name=frame_name)
    message = str(error.value)
    assert f"column {column!r}" in message, message
    assert rule in message, message
    failures = error.value.failures
    assert failures.filter(pl.col("column") == column).height >= 1


CROSS_FAULTS: list[tuple[str, str, str]] = [
    ("unknown indicator", "indicator_id", "exists in indicators"),
    ("unknown area", "area_code", "exists in areas"),
    ("percent over 100", "value", "percent values are <= 100"),
    ("negative count", "value", "count values are >= 0"),
    ("numerator over denominator", "numerator", "numerator <= denominator"),
    ("neighbour is a region", "neighbour_code", "is a local authority"),
]


@pytest.mark.parametrize(
    ("fault", "column", "rule"), CROSS_FAULTS, ids=[f for f, _, _ in CROSS_FAULTS]
)
def test_cross_frame_rules(ref: lacompare.ReferenceData, fault, column, rule) -> None:
    indicators, areas = ref.indicators, ref.areas
    obs = ref.observations.filter(pl.col("area_code") == "E06000015", pl.col("year") == 2024)
    neighbours = ref.neighbours.filter(pl.col("area_code") == "E06000015")
    if fault == "unknown indicator":
        indicators = indicators.filter(pl.col("indicator_id") != "cpp_rate")
    elif fault == "unknown area":
        areas = areas.filter(pl.col("area_code") != "E06000015")
        neighbours = neighbours.head(0)
    elif fault == "percent over 100":
        obs = obs.with_columns(
            value=pl.when(pl.col("indicator_id") == "rereferral").then(101.0).otherwise("value")
        )
    elif fault == "negative count":
        obs = obs.with_columns(
            value=pl.when(pl.col("indicator_id") == "lacnum").then(-1.0).otherwise("value")
        )
    elif fault == "numerator over denominator":
        obs = obs.with_columns(
            numerator=pl.when(pl.col("indicator_id") == "rereferral")
            .then(pl.col("denominator") + 1)
            .otherwise("numerator")
        )
    elif fault == "neighbour is a region":
        neighbours = neighbours.with_columns(
            neighbour_code=pl.when(pl.col("neighbour_rank") == 1)
            .then(pl.lit("E12000004"))
            .otherwise("neighbour_code")
        )
    with pytest.raises(DataValidationError) as error:
        validate_reference(indicators, obs, areas, neighbours)
    message = str(error.value)
    assert f"column {column!r}" in message and rule in message, message


def test_whole_reference_validates(ref: lacompare.ReferenceData) -> None:
    assert ref.validate() is ref


def on_first(where: pl.Expr, **values: object) -> Fault:
    """Set columns on the first row where ``where`` holds (a real comparison row)."""

    def fault(frame: pl.DataFrame) -> pl.DataFrame:
        row = frame.with_row_index("_row").filter(where).get_column("_row")[0]
        hit = pl.int_range(pl.len()) == row
        return frame.with_columns(
            pl.when(hit).then(pl.lit(v)).otherwise(pl.col(c)).cast(frame.schema[c]).alias(c)
            for c, v in values.items()
        )

    return fault


_PERCENT_WITH_COUNTS = (pl.col("unit") == "percent") & pl.col("la_numerator").is_not_null()

# The comparison engine's own output: one fault per frame rule of ComparisonSchema.
COMPARISON_FAULTS: list[tuple[str, Fault, str, str]] = [
    ("duplicate row", duplicate_first_row, "area_code, indicator_id", "multiple_fields"),
    (
        "interval above the estimate",
        on_first(_PERCENT_WITH_COUNTS, la_lower_ci=100.0, la_upper_ci=100.0),
        "la_lower_ci",
        "interval contains the estimate",
    ),
    (
        "99.8% interval inside the 95% one",
        on_first(_PERCENT_WITH_COUNTS, la_lower_ci_998=99.0),
        "la_lower_ci",
        "interval contains the estimate",
    ),
    (
        "unknown unit",
        on_first(_PERCENT_WITH_COUNTS, unit="furlongs"),
        "unit",
        "isin",
    ),
    (
        "rank beyond its field",
        on_first(pl.col("national_rank").is_not_null(), national_rank=500),
        "national_rank",
        "at most rank_of",
    ),
    (
        "SN average beyond the neighbours",
        on_first(pl.col("sn_max").is_not_null(), sn_average=1e9),
        "sn_average",
        "between sn_min and sn_max",
    ),
    (
        "99.8% verdict without the 95% one",
        on_first(pl.col("vs_england") == "similar", vs_england_998="better", vs_england="similar"),
        "vs_england_998",
        "also a 95% difference",
    ),
]


@pytest.mark.parametrize(
    ("fault", "broken", "column", "rule"),
    COMPARISON_FAULTS,
    ids=[f for f, *_ in COMPARISON_FAULTS],
)
def test_comparison_rules(derby: pl.DataFrame, fault, broken, column, rule) -> None:
    assert passes(derby, ComparisonSchema)
    frame = broken(derby)
    assert not passes(frame, ComparisonSchema), fault
    with pytest.raises(DataValidationError) as error:
        validate(frame, ComparisonSchema, name="comparison")
    message = str(error.value)
    assert f"column {column!r}" in message and rule in message, message
