"""Pandera schemas (polars backend) for lacompare's four frames, and the rules across them.

Each frame has a :class:`pandera.polars.DataFrameModel`; rules that need two frames (every
observation's indicator exists, percentages lie within 0-100 by the indicator's unit, ...) are
in :func:`validate_reference`, which reports them in the same way. Every failure is raised as one
:class:`~lacompare.errors.DataValidationError` listing each broken rule with its column, the
number of failing rows and a few examples (see :func:`validate`).

Data-frame-wide checks are named ``"<column>: <rule>"`` so a failure always names its column.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pandera.backends.polars.builtin_checks  # noqa: F401  (registers the polars check functions)
import pandera.polars as pa
import polars as pl
from pandera import dtypes
from pandera.api.polars.types import PolarsData
from pandera.dtypes import immutable
from pandera.engines import polars_engine
from pandera.engines.polars_engine import Engine
from pandera.errors import SchemaError, SchemaErrors

from lacompare.errors import DataValidationError
from lacompare.periods import PERIOD_LABEL_PATTERN
from lacompare.vocab import (
    AREA_LEVELS,
    DIFFERENCE_VERDICTS,
    NULL_STATUSES,
    OFSTED_GRADES,
    PERIOD_TYPES,
    POLARITIES,
    PUBLISHED_STATUSES,
    STATUSES,
    UNIT_MULTIPLIER,
    UNIT_RANGES,
    UNITS,
)

#: ONS GSS codes lacompare knows: England, regions, Inner/Outer London, and the four kinds of
#: upper-tier authority (unitary, metropolitan district, London borough, county).
AREA_CODE_PATTERN = r"^E(92|12|13|06|08|09|10)\d{6}$"
INDICATOR_ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
SN_MODEL_PATTERN = r"^\d{4}$"
NEIGHBOURS_PER_GROUP = 10

#: Observation status as a polars Enum: the closed vocabulary is part of the dtype.
STATUS_DTYPE = pl.Enum(sorted(PUBLISHED_STATUSES))


@Engine.register_dtype
@immutable(init=True)
class AnyEnum(polars_engine.DataType):
    """Any polars Enum. The observations' code columns are Enums whose categories are the valid
    codes (indicator ids, area codes, period labels), so a row cannot hold a code outside them
    and rules about codes run once per category instead of once per row."""

    type = pl.Enum

    def check(
        self,
        pandera_dtype: dtypes.DataType,
        data_container: object | None = None,
    ) -> bool:
        # pandera passes either its own DataType or the raw polars dtype.
        return isinstance(pandera_dtype, pl.Enum) or isinstance(
            getattr(pandera_dtype, "type", None), pl.Enum
        )

    def __str__(self) -> str:
        return "Enum"


def _codes_match(data: PolarsData, pattern: str) -> pl.LazyFrame:
    """Pattern check on an Enum column's categories (641,070 rows hold 170 area codes)."""
    dtype = data.lazyframe.collect_schema()[data.key]
    codes = (
        pl.Series(dtype.categories)
        if isinstance(dtype, pl.Enum)
        else pl.Series([], dtype=pl.String)
    )
    return data.lazyframe.select(pl.lit(codes.str.contains(pattern).implode()).explode())


class IndicatorsSchema(pa.DataFrameModel):
    """One row per measure."""

    indicator_id: str = pa.Field(unique=True, str_matches=INDICATOR_ID_PATTERN)
    #: DfE's name for the measure (LAIT's chart title), spaces tidied.
    name: str = pa.Field(str_length={"min_value": 1}, str_matches=r"^\S(?:.*\S)?$")
    #: The short label a paper shows: curated (at most 90 characters) for the built-in papers'
    #: indicators (``reference_data/indicator_wording.csv``), DfE's name otherwise.
    label: str = pa.Field(str_length={"min_value": 1})
    #: A plain-English definition that belongs to this indicator (curated), else null.
    definition: str = pa.Field(nullable=True)
    #: What the indicator is about (curated: referrals, cp_plans, placements, ...), else null.
    theme: str = pa.Field(nullable=True)
    #: Counted at a date (children looked after on 31 March) rather than over a year.
    snapshot: bool
    #: The publication the figures come from ("Children looked after in England including
    #: adoptions"), and when LAIT last updated the measure and will next.
    publication: str = pa.Field(nullable=True)
    released: pl.Date = pa.Field(nullable=True)
    next_release: pl.Date = pa.Field(nullable=True)
    topic: str = pa.Field(str_length={"min_value": 1})
    #: Every topic the measure is listed under (LAIT lists some measures under two topics).
    topics: pl.List(pl.String)  # type: ignore[valid-type]
    unit: str = pa.Field(isin=sorted(UNITS))
    #: How the unit is labelled on a chart axis, as published ("% of referrals").
    unit_label: str = pa.Field(nullable=True)
    polarity: str = pa.Field(isin=sorted(POLARITIES))
    decimals: pl.Int32 = pa.Field(ge=0, le=6)
    #: False where LAIT marks the measure No_Quartile ("data range is too small").
    quartiles: bool
    period_type: str = pa.Field(isin=sorted(PERIOD_TYPES))
    source: str = pa.Field(nullable=True)
    source_url: str = pa.Field(nullable=True)
    description: str = pa.Field(nullable=True)
    methodology: str = pa.Field(nullable=True)
    lait_code: str = pa.Field(nullable=True, unique=True)

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(name="label: no double spaces or backslashes")
    @classmethod
    def clean_labels(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            ~pl.col("label").str.contains(r"  |\\") & ~pl.col("name").str.contains(r"  |\\")
        )

    @pa.dataframe_check(name="label: at most 90 characters where curated")
    @classmethod
    def short_curated_labels(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("definition").is_null() | (pl.col("label").str.len_chars() <= 90)
        )


class ObservationsSchema(pa.DataFrameModel):
    """One row per indicator x area x period label.

    The code columns are Enums (see :class:`AnyEnum`; :func:`lacompare.sources.as_observations`
    builds them from the indicators and areas frames) and ``status`` an Enum of the closed
    vocabulary: the 641,070 LAIT rows then load and validate several times faster than as text.
    """

    indicator_id: AnyEnum
    area_code: AnyEnum
    #: The period label as published: "2016-17", "2018 (Rev)", "2025 (prov)".
    period: AnyEnum
    #: Sort key: the label's first four characters as a number (LAIT's Years_num).
    year: pl.Int32 = pa.Field(ge=0, le=2100)
    value: pl.Float64 = pa.Field(nullable=True)
    status: STATUS_DTYPE  # type: ignore[valid-type]
    numerator: pl.Float64 = pa.Field(nullable=True, ge=0)
    denominator: pl.Float64 = pa.Field(nullable=True, gt=0)
    source: pl.Categorical

    class Config:
        strict = True
        coerce = False
        unique = ["indicator_id", "area_code", "period"]  # noqa: RUF012 (pandera's API)

    @pa.check("indicator_id", name=f"matches {INDICATOR_ID_PATTERN}")
    @classmethod
    def indicator_id_pattern(cls, data: PolarsData) -> pl.LazyFrame:
        return _codes_match(data, INDICATOR_ID_PATTERN)

    @pa.check("area_code", name=f"matches {AREA_CODE_PATTERN} (ONS code)")
    @classmethod
    def area_code_pattern(cls, data: PolarsData) -> pl.LazyFrame:
        return _codes_match(data, AREA_CODE_PATTERN)

    @pa.check("period", name="is a period label (2016, 2016-17, 2018 (Rev), ...)")
    @classmethod
    def period_label(cls, data: PolarsData) -> pl.LazyFrame:
        return _codes_match(data, PERIOD_LABEL_PATTERN)

    @pa.dataframe_check(name="value: null if and only if status is not published")
    @classmethod
    def value_null_iff_unpublished(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("value").is_null() == pl.col("status").is_in(sorted(NULL_STATUSES))
        )

    @pa.dataframe_check(name="value: finite (no NaN or infinity)")
    @classmethod
    def value_finite(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("value").is_finite().fill_null(True))

    @pa.dataframe_check(name="numerator: given together with denominator")
    @classmethod
    def counts_together(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("numerator").is_null() == pl.col("denominator").is_null()
        )

    @pa.dataframe_check(name="year: 0 (LAIT's unlabelled year) only without a value")
    @classmethod
    def year_zero_has_no_value(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("year") >= 1990) | pl.col("value").is_null())


class AreasSchema(pa.DataFrameModel):
    """England, its regions, Inner/Outer London and every local authority, past and present."""

    area_code: str = pa.Field(unique=True, str_matches=AREA_CODE_PATTERN)
    #: DfE's three-digit LA number (831 Derby); LAIT's 970-990 for England and regions.
    old_la_code: pl.Int32 = pa.Field(unique=True, ge=100, le=999)
    name: str = pa.Field(unique=True, str_length={"min_value": 1})
    level: str = pa.Field(isin=sorted(AREA_LEVELS))
    region_code: str = pa.Field(nullable=True, str_matches=r"^E12\d{6}$")
    region_name: str = pa.Field(nullable=True)
    #: Inner or Outer London (E13) for London boroughs: LAIT's comparator region for them.
    sub_region_code: str = pa.Field(nullable=True, str_matches=r"^E13\d{6}$")
    la_type: str = pa.Field(nullable=True)
    #: False for predecessor authorities (pre-2019 Dorset, Cumbria, Northamptonshire, ...).
    current: bool
    successor_codes: pl.List(pl.String)  # type: ignore[valid-type]
    #: Older ONS codes of the same authority (boundary or code changes), for look-ups.
    former_codes: pl.List(pl.String)  # type: ignore[valid-type]
    #: Other spellings in DfE files ("County Durham" for LAIT's "Durham").
    alt_names: pl.List(pl.String)  # type: ignore[valid-type]

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(name="region_code: required for a local authority")
    @classmethod
    def la_has_region(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("level") != "local_authority") | pl.col("region_code").is_not_null()
        )

    @pa.dataframe_check(name="successor_codes: given if and only if the area is not current")
    @classmethod
    def predecessor_has_successors(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("current") == (pl.col("successor_codes").list.len() == 0)
        )


class NeighboursSchema(pa.DataFrameModel):
    """DfE statistical neighbour groups: ten neighbours per LA per model, closest first."""

    model: str = pa.Field(str_matches=SN_MODEL_PATTERN)
    area_code: str = pa.Field(str_matches=AREA_CODE_PATTERN)
    neighbour_code: str = pa.Field(str_matches=AREA_CODE_PATTERN)
    neighbour_rank: pl.Int32 = pa.Field(ge=1, le=NEIGHBOURS_PER_GROUP)
    closeness: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = False
        unique = ["model", "area_code", "neighbour_rank"]  # noqa: RUF012 (pandera's API)

    @pa.dataframe_check(name="neighbour_code: not the area itself")
    @classmethod
    def no_self_reference(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("neighbour_code") != pl.col("area_code"))

    @pa.dataframe_check(name="neighbour_code: each neighbour once per group")
    @classmethod
    def neighbour_once(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.len().over("model", "area_code", "neighbour_code") == 1)

    @pa.dataframe_check(name=f"neighbour_rank: each group has ranks 1..{NEIGHBOURS_PER_GROUP}")
    @classmethod
    def full_groups(cls, data: PolarsData) -> pl.LazyFrame:
        # With ranks unique per group and within 1..10, ten rows means exactly 1..10.
        return data.lazyframe.select(pl.len().over("model", "area_code") == NEIGHBOURS_PER_GROUP)


def validate(frame: pl.DataFrame, schema: type[pa.DataFrameModel], *, name: str) -> pl.DataFrame:
    """Validate ``frame`` against ``schema``, reporting every broken rule at once.

    All of the schema's checks first run as one fused polars query (:func:`passes`); only when
    something fails does pandera run them again to list the failing rows. Raises
    :class:`DataValidationError` whose message lists each rule with its column, the number of
    failing rows and up to five examples with their row numbers.
    """
    if not passes(frame, schema):
        raise_failures(frame, schema, name=name)
    return frame


def raise_failures(frame: pl.DataFrame, schema: type[pa.DataFrameModel], *, name: str) -> None:
    """Run pandera's own validation to list every failing rule and row, and raise."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        unique = ", ".join(schema.to_schema().unique or [])
        raise _wrap_failures(errors.failure_cases, name, unique) from None
    except SchemaError as error:  # non-lazy errors (e.g. a wrong dtype detected early)
        raise DataValidationError(f"{name}: {error}") from None


def passes(frame: pl.DataFrame, schema: type[pa.DataFrameModel]) -> bool:
    """True if ``frame`` meets every rule of ``schema``: columns and dtypes, nullability,
    uniqueness, and each column and frame check."""
    plan = verdict_plan(frame, schema)
    return plan is not None and plan.resolve(pl.collect_all(plan.queries))


class VerdictPlan:
    """The queries that decide whether a frame meets its schema, ready to be collected together
    with other frames' (one parallel polars run for the whole reference data)."""

    def __init__(self, frame: pl.DataFrame, queries: list[pl.LazyFrame], unique: list[str]):
        self.frame = frame
        self.queries = queries
        self.unique = unique

    def resolve(self, results: list[pl.DataFrame]) -> bool:
        first, *rest = results
        rules = first.drop("_sorted_key", strict=False)
        if not (all(rules.row(0)) and all(bool(r.item()) for r in rest)):
            return False
        # The fused query proved uniqueness only if the key was strictly increasing (the
        # stored order); otherwise count distinct keys, which costs a hash of every row.
        if self.unique and not bool(first.get_column("_sorted_key").item()):
            return bool(self.frame.select(_unique_by_hash(self.frame, self.unique)).item())
        return True


def verdict_plan(frame: pl.DataFrame, schema: type[pa.DataFrameModel]) -> VerdictPlan | None:
    """Build the fused verdict queries for ``frame`` (None if its columns or dtypes are wrong).

    The schema's own check functions supply the rules (so they live in one place): each is
    called with a stand-in frame that records the expression it selects, and all of them run as
    one polars query, one pass over the data with the expressions evaluated in parallel. The
    recorded expressions depend only on the schema and the frame's dtypes, so they are compiled
    once per pair and reused.
    """
    compiled = _compile(schema, tuple(frame.schema.items()))
    if compiled is None:
        return None
    verdicts, separate, unique = compiled
    lazy = frame.lazy()
    # One output column per rule: polars evaluates separate columns in parallel, whereas one
    # all_horizontal over them would run the rules one after another.
    outputs = list(verdicts)
    if unique:
        outputs.append(_sorted_key(frame, unique).alias("_sorted_key"))
    queries = [lazy.select(outputs)]
    for check, key in separate:
        queries.append(
            _all_true(check._check_fn(PolarsData(lazy, key), **check._check_kwargs))  # type: ignore[arg-type]
        )
    return VerdictPlan(frame, queries, unique)


@lru_cache(maxsize=64)
def _compile(
    schema: type[pa.DataFrameModel], frame_schema: tuple[tuple[str, pl.DataType], ...]
) -> tuple[list[pl.Expr], list[tuple[pa.Check, str | None]], list[str]] | None:
    """(one boolean expression per recordable rule, the checks that need their own query,
    the unique key columns) for ``schema`` over a frame with these columns and dtypes; None
    when the columns or dtypes themselves are wrong."""
    spec = schema.to_schema()
    dtypes_by_name = dict(frame_schema)
    if set(dtypes_by_name) != set(spec.columns):
        return None
    for column_name, column in spec.columns.items():
        if not column.dtype.check(Engine.dtype(dtypes_by_name[column_name])):
            return None
    recorder_schema = pl.Schema(frame_schema)
    verdicts: list[pl.Expr] = []
    separate: list[tuple[pa.Check, str | None]] = []  # checks that do more than one select
    for column_name, column in spec.columns.items():
        if not column.nullable:
            verdicts.append(pl.col(column_name).is_not_null().all())
        if column.unique:
            verdicts.append(pl.col(column_name).is_unique().all())
        for check in column.checks:
            _record(check, column_name, recorder_schema, verdicts, separate)
    for check in spec.checks:
        _record(check, None, recorder_schema, verdicts, separate)
    rules = [expr.fill_null(True).all().alias(f"rule{i}") for i, expr in enumerate(verdicts)]
    return rules, separate, list(spec.unique or [])


class _SelectRecorder:
    """Stands in for a LazyFrame to capture the expression a check function selects."""

    def __init__(self, schema: pl.Schema) -> None:
        self.exprs: tuple[pl.Expr, ...] | None = None
        self._schema = schema

    def select(self, *exprs: pl.Expr) -> _SelectRecorder:
        self.exprs = exprs
        return self

    def collect_schema(self) -> pl.Schema:
        return self._schema


def _record(
    check: pa.Check,
    key: str | None,
    schema: pl.Schema,
    verdicts: list[pl.Expr],
    separate: list[tuple[pa.Check, str | None]],
) -> None:
    recorder = _SelectRecorder(schema)
    try:
        returned = check._check_fn(PolarsData(recorder, key), **check._check_kwargs)  # type: ignore[arg-type]
    except AttributeError:  # the check used more of the LazyFrame API than select
        returned = None
    if returned is recorder and recorder.exprs and len(recorder.exprs) == 1:
        verdicts.append(recorder.exprs[0])
    else:
        separate.append((check, key))


def _all_true(result: pl.LazyFrame) -> pl.LazyFrame:
    # Checks may return one boolean per row or one in all; nulls (skipped rows) pass.
    return result.select(pl.all().fill_null(True).all()).select(pl.min_horizontal(pl.all()))


def _packed_key(frame: pl.DataFrame, columns: list[str]) -> pl.Expr | None:
    """Up to three Enum/Categorical columns packed into one UInt64 of their physical codes
    (21 bits each: injective while every code is below 2**21); None if they cannot be. An
    Enum's codes are below its number of categories, so no pass over the data is needed."""
    dtypes = [frame.schema[c] for c in columns]
    if not (len(columns) <= 3 and all(isinstance(d, pl.Enum | pl.Categorical) for d in dtypes)):
        return None
    if all(isinstance(d, pl.Enum) for d in dtypes):
        largest = max(len(d.categories) for d in dtypes)  # type: ignore[attr-defined]
    elif frame.height:
        largest = frame.select(pl.max_horizontal(pl.col(columns).to_physical().max())).item()
    else:
        largest = 0
    if largest >= 2**21:
        return None
    key: pl.Expr | None = None
    for column in columns:
        code = pl.col(column).to_physical().cast(pl.UInt64)
        key = code if key is None else key * 2**21 + code
    return key


def _sorted_key(frame: pl.DataFrame, columns: list[str]) -> pl.Expr:
    """True when the key columns are strictly increasing row by row, which proves them unique
    in one cheap pass. Enum codes follow their (sorted) categories, so data written in key
    order passes; anything else falls back to :func:`_unique_by_hash`."""
    key = _packed_key(frame, columns)
    if key is None:
        return pl.lit(False)
    return (key > key.shift()).fill_null(True).all()


def _unique_by_hash(frame: pl.DataFrame, columns: list[str]) -> pl.Expr:
    key = _packed_key(frame, columns)
    if key is not None:
        return key.n_unique() == pl.len()
    return pl.struct(columns).is_unique().all()


def _wrap_failures(failure_cases: pl.DataFrame, name: str, unique: str) -> DataValidationError:
    check = pl.col("check")
    cases = failure_cases.with_columns(
        # Frame-wide checks are named "<column>: <rule>"; take the column from the name.
        column=pl.when(check.is_in(["column_in_dataframe", "column_in_schema"]))
        .then(pl.col("failure_case"))
        .when(check == "multiple_fields_uniqueness")
        .then(pl.lit(unique))
        .when(pl.col("schema_context") == "DataFrameSchema")
        .then(
            pl.when(pl.col("check").str.contains(": "))
            .then(pl.col("check").str.extract(r"^([^:]+): ", 1))
            .otherwise(pl.lit("(whole frame)"))
        )
        .otherwise(pl.col("column")),
        rule=pl.col("check").str.replace(r"^[^:]+: ", ""),
    )
    summary = (
        cases.group_by("column", "rule", maintain_order=True)
        .agg(
            count=pl.len(),
            examples=pl.col("failure_case").head(5),
            rows=pl.col("index").head(5),
        )
        .with_columns(frame=pl.lit(name))
        .select("frame", "column", "rule", "count", "examples", "rows")
    )
    return _error_from_summary(summary, name)


def _error_from_summary(summary: pl.DataFrame, name: str) -> DataValidationError:
    lines = [f"{name} failed {summary.height} rule(s):"]
    for column, rule, count, examples, rows in summary.select(
        "column", "rule", "count", "examples", "rows"
    ).iter_rows():
        shown = ", ".join(
            f"row {r}: {e}" if r is not None else str(e)
            for r, e in zip(rows, examples, strict=False)
        )
        lines.append(f"  - column {column!r}, rule {rule!r}: {count} row(s) fail, e.g. {shown}")
    return DataValidationError("\n".join(lines), failures=summary)


def _cross_rule(
    failing: pl.DataFrame, *, frame: str, column: str, rule: str, show: list[str]
) -> pl.DataFrame:
    """A one-row summary for a cross-frame rule (empty when nothing fails)."""
    if failing.height == 0:
        return pl.DataFrame(
            schema={
                "frame": pl.String,
                "column": pl.String,
                "rule": pl.String,
                "count": pl.UInt32,
                "examples": pl.List(pl.String),
                "rows": pl.List(pl.Int64),
            }
        )
    head = failing.head(5)
    examples = [
        ", ".join(f"{c}={v!r}" for c, v in zip(show, row, strict=True))
        for row in head.select(show).iter_rows()
    ]
    return pl.DataFrame(
        {
            "frame": [frame],
            "column": [column],
            "rule": [rule],
            "count": pl.Series([failing.height], dtype=pl.UInt32),
            "examples": [examples],
            "rows": [head["row"].cast(pl.Int64).to_list()],
        }
    )


# CrossRules only looks up the units of values below 0 or above 100: right while every unit's
# range starts at 0 (or is open) and reaches at least 100 (or is open).
assert all(
    low in (0.0, None) and (high is None or high >= 100) for low, high in UNIT_RANGES.values()
), "unit ranges changed: widen CrossRules' suspects"


class CrossRules:
    """The rules across frames (see :func:`validate_reference`), prepared from the frames'
    codes and dtypes alone: a few suspect-finding expressions over the observations (values
    below 0 or above 100, numerators above denominators: rare, so cheap to collect) and
    :meth:`judge`, which decides from the suspects' units whether any rule is broken."""

    def __init__(
        self,
        indicators: pl.DataFrame,
        observations_schema: pl.Schema,
        areas: pl.DataFrame,
        neighbours: pl.DataFrame,
    ) -> None:
        id_dtype = observations_schema.get("indicator_id")
        area_dtype = observations_schema.get("area_code")
        self.unit_of = dict(
            zip(
                indicators.get_column("indicator_id").to_list(),
                indicators.get_column("unit").to_list(),
                strict=True,
            )
        )
        self.codes_known = isinstance(id_dtype, pl.Enum) and isinstance(area_dtype, pl.Enum)
        if self.codes_known:
            # Set arithmetic on a few hundred codes: cheaper than any query.
            la_codes = set(
                areas.filter(pl.col("level") == "local_authority").get_column("area_code").to_list()
            )
            neighbour_codes = set(neighbours.get_column("area_code").unique().to_list()) | set(
                neighbours.get_column("neighbour_code").unique().to_list()
            )
            self.codes_known = (
                set(id_dtype.categories.to_list()) <= set(self.unit_of)  # type: ignore[union-attr]
                and set(area_dtype.categories.to_list())  # type: ignore[union-attr]
                <= set(areas.get_column("area_code").to_list())
                and neighbour_codes <= la_codes
            )
        # Every unit accepts 0-100, so only values outside it need their unit looked up.
        value = pl.col("value")
        # Physical Enum codes (a cast to text would copy 641,070 strings); judge() maps back.
        code = pl.col("indicator_id").to_physical()
        self.categories: list[str] = (
            id_dtype.categories.to_list() if isinstance(id_dtype, pl.Enum) else []
        )
        self.exprs = [
            code.filter(value < 0).unique().implode().alias("_below_zero"),
            code.filter(value > 100).unique().implode().alias("_above_100"),
            code.filter(pl.col("numerator") > pl.col("denominator"))
            .unique()
            .implode()
            .alias("_numerator_above"),
        ]

    def judge(self, result: pl.DataFrame) -> bool:
        """True when no rule across frames is broken (``result``: the exprs, collected)."""
        if not self.codes_known:
            return False
        row = result.row(0, named=True)

        def units(key: str) -> list[str]:
            return [self.unit_of[self.categories[code]] for code in row[key]]

        if any(UNIT_RANGES[unit][0] is not None for unit in units("_below_zero")):
            return False
        if any(UNIT_RANGES[unit][1] is not None for unit in units("_above_100")):
            return False
        return "percent" not in units("_numerator_above")


def validate_reference(
    indicators: pl.DataFrame,
    observations: pl.DataFrame,
    areas: pl.DataFrame,
    neighbours: pl.DataFrame,
    *,
    name: str = "reference data",
) -> None:
    """Rules that need more than one frame. Raises one :class:`DataValidationError`.

    - every ``observations.indicator_id`` is in ``indicators``; every ``area_code`` in ``areas``;
    - values lie in the range their indicator's unit allows (percent 0-100, counts and rates
      >= 0, ...);
    - for percentages of a whole, numerator <= denominator;
    - every neighbour group belongs to a local authority and names local authorities.

    The rules are first tested on per-indicator aggregates (one pass over the observations);
    failing rows are only listed when something fails.
    """
    area_codes = areas.get_column("area_code")
    la_codes = areas.filter(pl.col("level") == "local_authority").get_column("area_code")
    per_indicator = (
        observations.lazy()
        .group_by("indicator_id")
        .agg(
            low=pl.col("value").min(),
            high=pl.col("value").max(),
            excess=(pl.col("numerator") - pl.col("denominator")).max(),
        )
        .with_columns(pl.col("indicator_id").cast(pl.String))
        .join(indicators.lazy().select("indicator_id", "unit"), on="indicator_id", how="left")
    )
    used_areas = observations.lazy().select(pl.col("area_code").unique().cast(pl.String))
    aggregates, used = pl.collect_all([per_indicator, used_areas])

    def rows(condition: pl.Expr) -> pl.DataFrame:
        return (
            observations.with_row_index("row")
            .with_columns(pl.col("indicator_id", "area_code", "period").cast(pl.String))
            .join(indicators.select("indicator_id", "unit"), on="indicator_id", how="left")
            .filter(condition)
        )

    failures = []
    if aggregates.get_column("unit").null_count():
        failures.append(
            _cross_rule(
                rows(pl.col("unit").is_null()),
                frame="observations",
                column="indicator_id",
                rule="exists in indicators",
                show=["row", "indicator_id"],
            )
        )
    if not used.get_column("area_code").is_in(area_codes.implode()).all():
        failures.append(
            _cross_rule(
                rows(~pl.col("area_code").is_in(area_codes.implode())),
                frame="observations",
                column="area_code",
                rule="exists in areas",
                show=["row", "area_code"],
            )
        )
    failures += _value_failures(aggregates, rows)
    nbr = neighbours.with_row_index("row")
    for column in ("area_code", "neighbour_code"):
        failures.append(
            _cross_rule(
                nbr.filter(~pl.col(column).is_in(la_codes.implode())),
                frame="neighbours",
                column=column,
                rule="is a local authority in areas",
                show=["row", "model", "area_code", "neighbour_code"],
            )
        )
    failing = [f for f in failures if f.height]
    if failing:
        raise _error_from_summary(pl.concat(failing), name)


def _value_failures(
    aggregates: pl.DataFrame, rows: Callable[[pl.Expr], pl.DataFrame]
) -> list[pl.DataFrame]:
    """Values outside their unit's range, and percentages whose numerator exceeds the
    denominator: tested on per-indicator aggregates, rows listed only where one fails."""
    failures = []
    value_cols = ["row", "indicator_id", "area_code", "period", "value"]
    for unit, (low, high) in UNIT_RANGES.items():
        in_unit = aggregates.filter(pl.col("unit") == unit)
        if low is not None and (in_unit.get_column("low") < low).any():
            failures.append(
                _cross_rule(
                    rows((pl.col("unit") == unit) & (pl.col("value") < low)),
                    frame="observations",
                    column="value",
                    rule=f"{unit} values are >= {low:g}",
                    show=value_cols,
                )
            )
        if high is not None and (in_unit.get_column("high") > high).any():
            failures.append(
                _cross_rule(
                    rows((pl.col("unit") == unit) & (pl.col("value") > high)),
                    frame="observations",
                    column="value",
                    rule=f"{unit} values are <= {high:g}",
                    show=value_cols,
                )
            )
    if (aggregates.filter(pl.col("unit") == "percent").get_column("excess") > 0).any():
        failures.append(
            _cross_rule(
                rows((pl.col("unit") == "percent") & (pl.col("numerator") > pl.col("denominator"))),
                frame="observations",
                column="numerator",
                rule="numerator <= denominator for a percentage of a whole",
                show=["row", "indicator_id", "area_code", "period", "numerator", "denominator"],
            )
        )
    return failures


COMPARISON_VERDICTS = ["better", "similar", "worse", "higher", "lower", "not compared"]
DIRECTIONS = ["improving", "worsening", "no change", "not rated"]


class ComparisonSchema(pa.DataFrameModel):
    """The comparison engine's output: one row per local authority x indicator."""

    area_code: str = pa.Field(str_matches=AREA_CODE_PATTERN)
    area_name: str
    indicator_id: str = pa.Field(str_matches=INDICATOR_ID_PATTERN)
    indicator_name: str
    #: The short label tables show (curated for the built-in papers' indicators).
    indicator_label: str
    topic: str
    unit: str = pa.Field(isin=sorted(UNITS))
    polarity: str = pa.Field(isin=sorted(POLARITIES))
    decimals: pl.Int32 = pa.Field(ge=0, le=6)
    period_type: str = pa.Field(isin=sorted(PERIOD_TYPES))
    #: Counted at a date ("31 March 2025") rather than over a year ("2024-25").
    snapshot: bool
    period: str = pa.Field(nullable=True)
    #: The published period England, region, neighbours and rank come from: the row's own
    #: period, or for a local figure the latest published period before it.
    comparator_period: str = pa.Field(nullable=True)
    is_lait_latest: bool = pa.Field(nullable=True)
    la_value: pl.Float64 = pa.Field(nullable=True)
    la_status: str = pa.Field(isin=sorted(STATUSES))
    la_numerator: pl.Float64 = pa.Field(nullable=True, ge=0)
    la_denominator: pl.Float64 = pa.Field(nullable=True, gt=0)
    #: The row shows the LA's own (local) figure, not a published one.
    la_local: bool
    #: Fewer than 20 children behind a percentage or 10 events behind a rate.
    small_number: bool
    #: The LA's latest figure is older than the latest period any LA has.
    is_old: bool = pa.Field(nullable=True)
    england_value: pl.Float64 = pa.Field(nullable=True)
    #: England's value for the test: from England's own counts where they exist (68.55 where
    #: DfE shows 69), else the published value.
    england_exact_value: pl.Float64 = pa.Field(nullable=True)
    #: Why England's published value is not used as a benchmark (null where it is).
    england_flag: str = pa.Field(nullable=True)
    region_code: str = pa.Field(str_matches=r"^E12\d{6}$")
    region_name: str = pa.Field(nullable=True)
    region_value: pl.Float64 = pa.Field(nullable=True)
    sn_model: str = pa.Field(nullable=True)
    sn_average: pl.Float64 = pa.Field(nullable=True)
    sn_count: pl.Int32 = pa.Field(nullable=True, ge=0, le=NEIGHBOURS_PER_GROUP * 20)
    #: The neighbours in the group (10 in a DfE model), with or without a figure.
    sn_size: pl.Int32 = pa.Field(nullable=True, ge=1)
    sn_min: pl.Float64 = pa.Field(nullable=True)
    sn_max: pl.Float64 = pa.Field(nullable=True)
    #: The neighbours pooled (their numerators over their denominators), where all have counts.
    sn_pooled_value: pl.Float64 = pa.Field(nullable=True)
    national_rank: pl.Int32 = pa.Field(nullable=True, ge=1)
    rank_of: pl.Int32 = pa.Field(nullable=True, ge=1)
    #: Another LA shares this rank (shown "=26 of 151").
    rank_tied: bool = pa.Field(nullable=True)
    quartile_band: str = pa.Field(nullable=True, isin=["A", "B", "C", "D"])
    #: The share of LAs in this quartile band (0.25 unless ties make bands uneven).
    band_share: pl.Float64 = pa.Field(nullable=True, ge=0, le=1)
    #: An older figure's rank, its field and band within its own year (for analysts: tables,
    #: papers and the exception rule neither rank nor band an older figure).
    old_year_rank: pl.Int32 = pa.Field(nullable=True, ge=1)
    old_year_rank_of: pl.Int32 = pa.Field(nullable=True, ge=1)
    old_year_quartile_band: str = pa.Field(nullable=True, isin=["A", "B", "C", "D"])
    q1: pl.Float64 = pa.Field(nullable=True)
    median: pl.Float64 = pa.Field(nullable=True)
    q3: pl.Float64 = pa.Field(nullable=True)
    national_min: pl.Float64 = pa.Field(nullable=True)
    national_max: pl.Float64 = pa.Field(nullable=True)
    previous_period: str = pa.Field(nullable=True)
    previous_value: pl.Float64 = pa.Field(nullable=True)
    previous_numerator: pl.Float64 = pa.Field(nullable=True, ge=0)
    previous_denominator: pl.Float64 = pa.Field(nullable=True, gt=0)
    change_from_previous: pl.Float64 = pa.Field(nullable=True)
    direction: str = pa.Field(isin=DIRECTIONS)
    #: The change from the previous year, tested (Newcombe / conditional binomial, 95%).
    change_vs_previous: str = pa.Field(isin=COMPARISON_VERDICTS)
    ci_method: str = pa.Field(
        nullable=True, isin=["Wilson", "Wilson (sessions, overdispersion)", "Exact", "Byars"]
    )
    #: Spiegelhalter's overdispersion factor φ the session counts were scaled by.
    overdispersion: pl.Float64 = pa.Field(nullable=True, ge=1)
    la_lower_ci: pl.Float64 = pa.Field(nullable=True)
    la_upper_ci: pl.Float64 = pa.Field(nullable=True)
    la_lower_ci_998: pl.Float64 = pa.Field(nullable=True)
    la_upper_ci_998: pl.Float64 = pa.Field(nullable=True)
    vs_england: str = pa.Field(isin=COMPARISON_VERDICTS)
    vs_sn: str = pa.Field(isin=COMPARISON_VERDICTS)
    #: The same tests on the 99.8% interval (Fingertips' second level).
    vs_england_998: str = pa.Field(isin=COMPARISON_VERDICTS)
    vs_sn_998: str = pa.Field(isin=COMPARISON_VERDICTS)
    #: The gaps in children (see ``compare._gaps_in_children``): the base the LA's figure was
    #: computed on, and how many more (+) or fewer (-) its count is than England's rate or its
    #: neighbours' average would give on that base; null where counts are not known or small.
    gap_base: pl.Float64 = pa.Field(nullable=True, gt=0)
    gap_england: pl.Float64 = pa.Field(nullable=True)
    gap_sn: pl.Float64 = pa.Field(nullable=True)
    recent_periods: pl.List(pl.String) = pa.Field(nullable=True)  # type: ignore[valid-type]
    recent_values: pl.List(pl.Float64) = pa.Field(nullable=True)  # type: ignore[valid-type]
    #: The council's own target for the figure (ReferenceData.with_targets), its status (met /
    #: near / missed / no figure), the target as a table shows it, and where it was set.
    target: pl.Float64 = pa.Field(nullable=True)
    target_status: str = pa.Field(nullable=True, isin=["met", "near", "missed", "no figure"])
    target_text: str = pa.Field(nullable=True)
    target_source: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = False
        unique = ["area_code", "indicator_id"]  # noqa: RUF012 (pandera's API)

    @pa.dataframe_check(name="national_rank: at most rank_of")
    @classmethod
    def rank_within_field(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("national_rank") <= pl.col("rank_of")).fill_null(True))

    @pa.dataframe_check(name="sn_average: between sn_min and sn_max")
    @classmethod
    def sn_average_in_range(cls, data: PolarsData) -> pl.LazyFrame:
        slack = 1e-9 * pl.max_horizontal(pl.col("sn_min").abs(), pl.col("sn_max").abs(), 1)
        return data.lazyframe.select(
            (
                (pl.col("sn_min") - slack <= pl.col("sn_average"))
                & (pl.col("sn_average") <= pl.col("sn_max") + slack)
            ).fill_null(True)
        )

    @pa.dataframe_check(name="la_lower_ci: interval contains the estimate from the counts")
    @classmethod
    def interval_contains_estimate(cls, data: PolarsData) -> pl.LazyFrame:
        # The unit's multiplier is looked up once per distinct unit (an Enum of them), and the
        # estimate worked out once: as a string lookup repeated in each comparison, this one
        # rule took a third of the comparison's validation.
        units = pl.Enum(sorted(UNIT_MULTIPLIER))
        multiplier = (
            pl.col("unit")
            .cast(units, strict=False)
            .replace_strict(UNIT_MULTIPLIER, default=None, return_dtype=pl.Float64)
        )
        estimate = pl.col("_estimate")
        slack = 1e-9 * pl.max_horizontal(estimate.abs(), 1)
        return data.lazyframe.with_columns(
            _estimate=pl.col("la_numerator") / pl.col("la_denominator") * multiplier
        ).select(
            (
                (pl.col("la_lower_ci") - slack <= estimate)
                & (estimate <= pl.col("la_upper_ci") + slack)
                & (pl.col("la_lower_ci_998") <= pl.col("la_lower_ci") + slack)
                & (pl.col("la_upper_ci") <= pl.col("la_upper_ci_998") + slack)
            ).fill_null(True)
        )

    @pa.dataframe_check(name="vs_england_998: a 99.8% difference is also a 95% difference")
    @classmethod
    def levels_nest(cls, data: PolarsData) -> pl.LazyFrame:
        # The 99.8% interval contains the 95% one, so a benchmark outside it is outside both.
        differs = sorted(DIFFERENCE_VERDICTS)
        return data.lazyframe.select(
            (
                ~pl.col("vs_england_998").is_in(differs)
                | (pl.col("vs_england_998") == pl.col("vs_england"))
            )
            & (~pl.col("vs_sn_998").is_in(differs) | (pl.col("vs_sn_998") == pl.col("vs_sn")))
        )


class LocalFiguresSchema(pa.DataFrameModel):
    """An LA's own figures, a layer beside the published observations (never in them): one
    row per area x indicator x period, built by :func:`lacompare.local.local_figures`."""

    indicator_id: str = pa.Field(str_matches=INDICATOR_ID_PATTERN)
    area_code: str = pa.Field(str_matches=r"^E(06|08|09|10)\d{6}$")
    #: "2026", "2025-26" (as DfE writes the indicator's periods) or a date, "at 6 Mar 2026".
    period: str = pa.Field(str_matches=PERIOD_LABEL_PATTERN)
    #: LAIT's sort year of the period (Years_num).
    year: pl.Int32 = pa.Field(ge=1990, le=2100)
    #: The day the figure stands at (the period's last day, or the date given).
    period_end: pl.Date
    value: pl.Float64 = pa.Field(nullable=True)
    #: "local", or the published symbol's status ("suppressed" for a local "c").
    status: str = pa.Field(isin=["local", *sorted(NULL_STATUSES)])
    numerator: pl.Float64 = pa.Field(nullable=True, ge=0)
    denominator: pl.Float64 = pa.Field(nullable=True, gt=0)
    source: str
    #: The rules a figure was derived by ("ssda903 definitions v1.1"), where it was derived.
    rule_version: str = pa.Field(nullable=True)
    #: What a reader should know of the figure (the population a rate used, values counted
    #: as not known); shown in the paper's notes on local figures.
    note: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = False
        unique = ["area_code", "indicator_id", "period"]  # noqa: RUF012 (pandera's API)

    @pa.dataframe_check(name="value: given if and only if the status is local")
    @classmethod
    def value_iff_local(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("value").is_not_null() == (pl.col("status") == "local"))


class OfstedJudgementsSchema(pa.DataFrameModel):
    """Each current LA's latest Ofsted ILACS inspection (Ofsted's "inspections as at 31 March"
    official statistics): dates and the overall and sub-judgements."""

    area_code: str = pa.Field(unique=True, str_matches=r"^E(06|08|09|10)\d{6}$")
    la_name: str = pa.Field(str_length={"min_value": 1})
    ofsted_region: str = pa.Field(str_length={"min_value": 1})
    inspection_date: pl.Date
    publication_date: pl.Date
    overall_effectiveness: str = pa.Field(isin=list(OFSTED_GRADES))
    leaders: str = pa.Field(isin=list(OFSTED_GRADES))
    help_and_protection: str = pa.Field(isin=list(OFSTED_GRADES))
    children_in_care: str = pa.Field(isin=list(OFSTED_GRADES))
    #: Judged separately only from 1 January 2023 (null before).
    care_leavers: str = pa.Field(nullable=True, isin=list(OFSTED_GRADES))
    #: The date the publication describes ("as at 31 March 2025").
    as_at: pl.Date
    source: str = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(name="publication_date: on or after the inspection began")
    @classmethod
    def published_after_inspection(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("publication_date") >= pl.col("inspection_date"))

    @pa.dataframe_check(name="inspection_date: on or before the as-at date")
    @classmethod
    def inspected_by_as_at(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("inspection_date") <= pl.col("as_at"))

    @pa.dataframe_check(name="care_leavers: judged if and only if inspected from 1 January 2023")
    @classmethod
    def care_leavers_from_2023(cls, data: PolarsData) -> pl.LazyFrame:
        from_2023 = pl.col("inspection_date") >= pl.date(2023, 1, 1)
        return data.lazyframe.select(pl.col("care_leavers").is_not_null() == from_2023)
