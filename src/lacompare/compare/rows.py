"""Where each observation is: an index from (indicator, period, area) to a row number, through
which the stages read the values they compare with (the LA's own, the previous year's,
England's, the region's, the neighbours') by position, instead of joining on the
observations. A join builds a hash table of every observation it might meet; a lookup here is
two reads of small dense tables and one of the column."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lacompare.compare.chosen import in_time_order, with_local_figures
from lacompare.compare.keys import (
    Keys,
    enum_bits,
    laid_out,
    once_per_frame,
    pair_key,
    period_key,
)
from lacompare.reference import ReferenceData


@dataclass(frozen=True)
class RowIndex:
    """The observations (published, then any local figures) and where each one is.

    ``slot_of`` maps an (indicator, period) key (:func:`period_key`) to its slot, the
    number of that pair among the pairs the observations have (null where none);
    ``row_at`` maps ``slot * areas + area code`` to the row number (null where that area has no
    row). Both are dense: 2^16 entries, and one per (indicator, period) pair and area (as many
    as the observations today, a complete grid), 2.8 MB together. (indicator, area, period)
    names at most one row: a local figure for a period DfE has published for that LA is
    refused (:mod:`lacompare.local`).

    ``slot_year`` is each slot's year. ``series_key`` is each row's (indicator, area) pair
    and year as one ascending integer (:func:`series_key`), where the rows are in time order
    with no local figures (the reference data as stored): an LA's series is then a run of
    rows found by binary search, or from the LA's row of a year, whose ``series_end`` is
    one past the last row of that LA's, indicator's and year's rows.
    """

    frame: pl.DataFrame
    slot_of: pl.Series
    row_at: pl.Series
    slot_year: pl.Series
    areas: int
    has_local: bool
    series_key: pl.Series | None
    series_end: pl.Series | None

    @classmethod
    def of(cls, ref: ReferenceData, keys: Keys, ids: list[str]) -> RowIndex:
        """The index of ``ref``'s observations and local figures of the indicators ``ids``.
        For every indicator it is built once per observations frame while there are no local
        figures (about 15 ms); for some (a paper's, a topic's) each time, from their rows only
        (a few ms for a paper's 23)."""
        every = len(ids) == ref.indicators.height
        if every and ref.local is None:
            return once_per_frame(ref.observations, "rows", lambda: cls._built(ref, keys, None))
        return cls._built(ref, keys, None if every else ids)

    @classmethod
    def _built(cls, ref: ReferenceData, keys: Keys, ids: list[str] | None) -> RowIndex:
        observations = with_local_figures(ref, keys)
        if ids is not None:
            wanted = pl.Series(ids, dtype=keys.indicator).implode()
            observations = observations.filter(pl.col("indicator_id").is_in(wanted))
        frame = observations.collect()
        pair = frame.select(period_key("period", keys)).to_series()
        pairs = pair.unique().sort()
        slot_of = laid_out(
            1 << (enum_bits(keys.indicator) + enum_bits(keys.period)), pairs, _numbered(pairs)
        )
        areas = len(keys.area.categories) if isinstance(keys.area, pl.Enum) else 0
        area = frame.get_column("area_code").to_physical().cast(pl.UInt32)
        slots = slot_of.gather(pair)
        row_at = laid_out(len(pairs) * areas, slots * areas + area, _numbered(frame))
        # Every row of a period label has the same year.
        slot_year = laid_out(len(pairs), slots, frame.get_column("year"))
        in_order = ref.local is None and in_time_order(ref.observations)
        ordered, ends = (None, None)
        if in_order:
            ordered = frame.select(series_key(pl.col("year"), keys)).to_series()
            ends = _run_ends(ordered)
        return cls(frame, slot_of, row_at, slot_year, areas, ref.local is not None, ordered, ends)

    def at(self, area: pl.Expr, period: str, keys: Keys) -> pl.Expr:
        """The row number of ``area``'s observation (an area Enum expression) of each row's
        indicator at the period in column ``period``; null where there is none."""
        return self.in_slot(self.slot(period, keys), area.to_physical().cast(pl.UInt32))

    def published_at(self, area: pl.Expr, period: str, keys: Keys) -> pl.Expr:
        """:meth:`at`, null at a local figure: what other areas show is published data only,
        and no LA's local figure enters any other comparison."""
        return self.published(self.at(area, period, keys))

    def slot(self, period: str, keys: Keys) -> pl.Expr:
        """The slot of each row's indicator at the period in column ``period``."""
        return pl.lit(self.slot_of).gather(period_key(period, keys))

    def year(self, period: str, keys: Keys) -> pl.Expr:
        """The year of the period in column ``period`` (of each row's indicator)."""
        return pl.lit(self.slot_year).gather(self.slot(period, keys))

    def by_period(self, frame: pl.DataFrame, column: str, keys: Keys) -> pl.Series:
        """Column ``column`` of ``frame`` (one row per indicator and period) laid out by slot,
        to be read with :meth:`for_period`."""
        slots = self.slot_of.gather(frame.select(period_key("period", keys)).to_series())
        return laid_out(len(self.slot_year), slots, frame.get_column(column))

    def for_period(self, table: pl.Series, period: str, keys: Keys) -> pl.Expr:
        """A :meth:`by_period` table's value for each row's indicator at the period in column
        ``period``."""
        return pl.lit(table).gather(self.slot(period, keys))

    def in_slot(self, slot: pl.Expr, area: pl.Expr) -> pl.Expr:
        """The row number of the observation in ``slot`` (see :meth:`slot`) of the area whose
        Enum code is ``area``."""
        return pl.lit(self.row_at).gather(slot * self.areas + area)

    def published(self, row: pl.Expr) -> pl.Expr:
        """Row numbers ``row``, null where the row is a local figure (nothing to do without
        local figures)."""
        if not self.has_local:
            return row
        return pl.when(~self.read("local", row)).then(row)

    def read(self, column: str, row: str | pl.Expr) -> pl.Expr:
        """Column ``column`` of the observations at row numbers ``row`` (null for a null)."""
        return pl.lit(self.frame.get_column(column)).gather(row)


def series_key(year: pl.Expr, keys: Keys) -> pl.Expr:
    """Each row's (indicator, area) pair (:func:`pair_key`) and ``year`` as one integer, in
    that order: ascending down rows in time order."""
    return pair_key(keys).cast(pl.UInt64) * 4096 + year.clip(0, 4095).cast(pl.UInt64)


def _run_ends(ascending: pl.Series) -> pl.Series:
    """For each row of an ascending column, one past the last row with the same value."""
    key = pl.col(ascending.name)
    last = key.ne_missing(key.shift(-1))
    after = pl.int_range(1, pl.len() + 1, dtype=pl.UInt32)
    return ascending.to_frame().select(pl.when(last).then(after).backward_fill()).to_series()


def _numbered(rows: pl.Series | pl.DataFrame) -> pl.Series:
    """0, 1, 2, ... for each of ``rows``."""
    return pl.arange(0, len(rows), dtype=pl.UInt32, eager=True)
