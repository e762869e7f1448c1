"""What every stage shares: England's code, the engine and its passes, the argument types,
the integer keys the observations are joined on, facts read by code (:class:`ByCode`) and
what is worked out once per observations frame (:func:`once_per_frame`)."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

import polars as pl

from lacompare.reference import ReferenceData

T = TypeVar("T")

ENGLAND = "E92000001"


#: polars 2 defaults to its streaming engine; these join-heavy queries run ~25% faster in memory.
ENGINE: Final = "in-memory"

#: The engine's plan is read with two of polars' passes off:
#:
#: - the order-observation pass: the engine relies on orders it asks for (the rows sorted
#:   once, then only gaining columns; an LA's series read in time order through a join that
#:   keeps it, ``maintain_order``), and the pass drops an order where it does not see a later
#:   step read it;
#: - the common-subplan pass: the parts read twice are cached in the plan itself (the periods
#:   chosen, national standing's field), and the pass cost more than it found: 13 of the 58
#:   ms of one LA's comparison, none saved over all LAs.
OPTIMIZATIONS: Final = pl.QueryOptFlags(check_order_observe=False, comm_subplan_elim=False)

#: What has been worked out from an observations frame, by (frame, what), while the frame
#: lives: the same reference data is asked about at every comparison.
_KNOWN: dict[tuple[int, str], tuple[weakref.ref[pl.DataFrame], Any]] = {}


def once_per_frame(frame: pl.DataFrame, what: str, work_out: Callable[[], T]) -> T:
    """``work_out()`` the first time ``what`` is asked of ``frame``; the same answer after,
    forgotten when the frame is."""
    key = (id(frame), what)
    known = _KNOWN.get(key)
    if known is None or known[0]() is not frame:
        forget = weakref.ref(frame, lambda _: _KNOWN.pop(key, None))
        known = _KNOWN[key] = (forget, work_out())
    answer: T = known[1]
    return answer


def laid_out(size: int, at: pl.Series, values: pl.Series) -> pl.Series:
    """A dense table of ``size`` entries holding ``values`` at the places ``at`` (null
    elsewhere), to be read by position with ``pl.lit(table).gather(place)``."""
    empty = pl.Series(values.name, dtype=values.dtype).extend_constant(None, size)
    return empty.scatter(at, values)


@dataclass(frozen=True)
class ByCode:
    """A frame's rows laid out by the codes of its Enum column ``code``: row i is code i's
    row (nulls where the frame has none). A column is then read for each row of another
    frame by that row's own code (:meth:`read`): a gather, which leaves the rows where they
    are and touches no other column, where a join would gather every column of a wide frame
    again."""

    table: pl.DataFrame
    code: str

    @classmethod
    def of(cls, frame: pl.DataFrame, code: str) -> ByCode:
        enum = frame.schema[code]
        if not isinstance(enum, pl.Enum):
            raise TypeError(f"ByCode lays rows out by an Enum's codes; {code!r} is {enum}")
        every = pl.DataFrame({code: enum.categories}).cast({code: enum})
        table = every.join(frame, on=code, how="left", maintain_order="left")
        if table.height != every.height:
            raise ValueError(f"ByCode needs one row per code; {code!r} repeats")
        return cls(table, code)

    def read(self, column: str, at: str | None = None) -> pl.Expr:
        """``column`` for each row, by its code in column ``at`` (else ``code``)."""
        codes = pl.col(at or self.code).to_physical()
        return pl.lit(self.table.get_column(column)).gather(codes).alias(column)


Period = Literal["latest", "lait_latest"] | int | str


Neighbours = str | int | Sequence[str | int]


# --------------------------------------------------------------------------------------------
# The engine's stages. Each takes and returns LazyFrames keyed by the observations' Enums
# (indicator_id, area_code, period): joins and groupings run on their integer codes.


@dataclass(frozen=True)
class Keys:
    """The Enum dtypes of the observations' codes, to which every other frame's codes are cast
    before they meet the observations."""

    indicator: pl.DataType
    area: pl.DataType
    period: pl.DataType

    @classmethod
    def of(cls, ref: ReferenceData) -> Keys:
        """The observations' Enums; with local figures, the period Enum also holds their
        labels (sorted with the published ones, so the Enum's order stays the labels')."""
        schema = ref.observations.schema
        period = schema["period"]
        if ref.local is not None and isinstance(period, pl.Enum):
            labels = set(period.categories.to_list()) | set(ref.local.get_column("period"))
            period = pl.Enum(sorted(labels))
        return cls(schema["indicator_id"], schema["area_code"], period)


#: An LA's own unpublished figures (the local layer) sit beside the published ones under
#: their own period labels ("2026", "at 6 Mar 2017"); they never change what others see.
IS_LOCAL = pl.col("local")


def row_key(area: str, period: str, keys: Keys) -> pl.Expr:
    """One integer naming an (area, indicator, period) row, the three Enum codes side by side
    in as few bits as their categories need (a UInt32 for today's 434 indicators, 65 periods
    and 170 areas): joins on it are several times faster, and lighter, than on three columns."""
    widths = [enum_bits(keys.indicator), enum_bits(keys.period), enum_bits(keys.area)]
    dtype = pl.UInt32 if sum(widths) <= 32 else pl.UInt64
    codes = [pl.col(c).to_physical().cast(dtype) for c in ("indicator_id", period, area)]
    return (codes[0] * 2 ** (widths[1] + widths[2])) + (codes[1] * 2 ** widths[2]) + codes[2]


def pair_key(keys: Keys) -> pl.Expr:
    """One integer naming an (indicator, area) pair, as :func:`row_key` names a row."""
    return _indicator_and("area_code", keys.area, keys)


def period_key(period: str, keys: Keys) -> pl.Expr:
    """One integer naming an (indicator, period) pair (the period from column ``period``), as
    :func:`row_key` names a row: for joins and groupings on the two, one hash of an integer
    rather than of the two columns' encoded rows."""
    return _indicator_and(period, keys.period, keys)


def _indicator_and(column: str, enum: pl.DataType, keys: Keys) -> pl.Expr:
    """The indicator's code and ``column``'s (an ``enum``) side by side in one integer."""
    width = enum_bits(enum)
    dtype = pl.UInt32 if enum_bits(keys.indicator) + width <= 32 else pl.UInt64
    indicator = pl.col("indicator_id").to_physical().cast(dtype)
    return indicator * 2**width + pl.col(column).to_physical().cast(dtype)


def enum_bits(enum: pl.DataType) -> int:
    categories = len(enum.categories) if isinstance(enum, pl.Enum) else 2**16
    return max(categories - 1, 1).bit_length()


def time_order_key() -> pl.Expr:
    """One integer that orders an LA's rows by year, then local before published (a published
    figure stands at the end of its year, on or after any local date in it), then period
    label (the label's Enum code is its place among the sorted labels)."""
    year = pl.col("year").cast(pl.Int64) * 1_000_000
    published = (~IS_LOCAL).cast(pl.Int64) * 100_000
    return year + published + pl.col("period").to_physical().cast(pl.Int64)
