"""The building blocks of DfE's children-looked-after measures, over every child at once.

Definitions (``../shared/reference/ssda903.md``, v1.1; docs/ssda903.md in plain English):

- a **short break** episode (legal status V3 / V4) is dropped before anything else;
- a **period of care** is a chain of episodes each ending ``X1`` (episode ends, a new one
  begins) on the day the next begins; it starts at an episode not so linked;
- **looked after at 31 March**: an episode begun on or before 31 March and not ended by it
  (an episode ending on 31 March, not X1, is a cease that day: PROPOSED);
- a **placement** is a spell of episodes: a new spell begins at a period's first placement
  or an episode whose reason for new episode is S, P or B; L, T and U (same carer) continue
  it; temporary placements (T0-T4) are not placements, and returning to the same placement
  (type, URN and postcode) after one continues the spell before it (PROPOSED, after the
  validator's rule 383);
- **age** is completed years on the day (a child born 31/03/2016 is 10 on 31/03/2026).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from lacompare.own_figures import CollectionYear
from lacompare.ssda903.layout import CONTINUES, SHORT_BREAKS, TEMPORARY_PLACE

NEW_PLACEMENT_RNE = ("S", "P", "B")


def age_at(dob: pl.Expr, day: date) -> pl.Expr:
    """Completed years on ``day`` (a 29 February birthday falls on 1 March in other years)."""
    before_birthday = (dob.dt.month() > day.month) | (
        (dob.dt.month() == day.month) & (dob.dt.day() > day.day)
    )
    return (
        pl.lit(day.year, pl.Int32) - dob.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)
    )


def overlaps(start: date, end: date) -> pl.Expr:
    """An episode (DECOM to DEC, open if DEC is blank) with a day in ``start``..``end``."""
    return (pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") >= start))


def care_episodes(episodes: pl.DataFrame) -> pl.DataFrame:
    """Every non-short-break episode with its period of care (``period``, ``period_start``,
    ``starts_period``) and placement spell (``spell``, null for a temporary placement;
    ``spell_start``), ordered by child and start. Period and spell ids are numbered across
    all children (each unique), so no step needs a window over the child."""
    care = episodes.filter(~pl.col("LS").is_in(sorted(SHORT_BREAKS))).sort("CHILD", "DECOM")
    same_child = pl.col("CHILD") == pl.col("CHILD").shift(1)
    continued = (
        same_child
        & (pl.col("REC").shift(1) == CONTINUES)
        & (pl.col("DEC").shift(1) == pl.col("DECOM"))
    )
    care = care.with_columns(starts_period=~continued.fill_null(False))
    care = care.with_columns(period=pl.col("starts_period").cum_sum())
    care = care.with_columns(period_start=pl.col("DECOM").first().over("period"))
    return _with_spells(care)


def _with_spells(care: pl.DataFrame) -> pl.DataFrame:
    temporary = pl.col("PLACE").is_in(sorted(TEMPORARY_PLACE)).fill_null(False)
    placement = pl.concat_str(
        pl.col("PLACE").fill_null(""),
        pl.col("URN").fill_null(""),
        pl.col("PL_POST").fill_null(""),
        separator="|",
    )
    real = (~temporary).cast(pl.Int32)
    real_so_far = real.cum_sum()  # real placements up to and including this row, all children
    care = care.with_columns(
        _temporary=temporary,
        _placement=placement,
        # Real placements earlier in this period of care, and the last of them (the global
        # forward fill stays in the period whenever there is one).
        _seen_real=(real_so_far - real - (real_so_far - real).first().over("period")) > 0,
        _last_real=pl.when(~temporary).then(placement).forward_fill().shift(1),
        _after_temporary=(pl.col("period") == pl.col("period").shift(1)) & temporary.shift(1),
    )
    returning = (
        pl.col("_seen_real")
        & pl.col("_after_temporary")
        & (pl.col("_placement") == pl.col("_last_real"))
    )
    new_spell = ~pl.col("_temporary") & (
        ~pl.col("_seen_real")
        | (pl.col("RNE").is_in(NEW_PLACEMENT_RNE) & ~returning.fill_null(False))
    )
    care = care.with_columns(
        spell=pl.when(~pl.col("_temporary")).then(new_spell.cast(pl.Int32).cum_sum())
    )
    care = care.with_columns(
        spell_start=pl.when(pl.col("spell").is_not_null()).then(pl.col("DECOM").min().over("spell"))
    )
    return care.drop("_temporary", "_placement", "_last_real", "_after_temporary", "_seen_real")


def at_year_end(care: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """One row per child looked after at 31 March: ``CHILD``, ``period_start``, ``PLACE`` and
    ``current_spell_start`` (the current placement; a child in a temporary placement is in
    the last real placement of the period before it)."""
    open_at_end = (pl.col("DECOM") <= year.end) & (
        pl.col("DEC").is_null() | (pl.col("DEC") > year.end)
    )
    current = care.filter(open_at_end).unique("CHILD", keep="first")
    spells = (
        care.filter(pl.col("spell").is_not_null(), pl.col("DECOM") <= year.end)
        .join(current.select("CHILD", "period"), on=["CHILD", "period"])
        .group_by("CHILD")
        .agg(current_spell_start=pl.col("spell_start").sort_by("spell").last())
    )
    return current.select("CHILD", "period_start", "PLACE", "_row").join(
        spells, on="CHILD", how="left"
    )


def starts_in_year(care: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """One row per child who began a period of care in the year: ``CHILD``, ``start_day`` (the
    first such day) and ``periods`` (how many began)."""
    return (
        care.filter(pl.col("starts_period"), pl.col("DECOM").is_between(year.start, year.end))
        .group_by("CHILD")
        .agg(start_day=pl.col("DECOM").min(), periods=pl.len())
    )


def ceases_in_year(care: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """One row per child who ceased to be looked after in the year: ``CHILD``, ``reason``
    (the reason of the last cease in the year) and ``ceases`` (how many)."""
    return (
        care.filter(
            pl.col("REC").is_not_null(),
            pl.col("REC") != CONTINUES,
            pl.col("DEC").is_between(year.start, year.end),
        )
        .sort("CHILD", "DEC")
        .group_by("CHILD")
        .agg(reason=pl.col("REC").last(), cease_day=pl.col("DEC").last(), ceases=pl.len())
    )


def placements_in_year(care: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """``CHILD`` and ``placements``: the placement spells with an episode in the year."""
    return (
        care.filter(pl.col("spell").is_not_null(), overlaps(year.start, year.end))
        .group_by("CHILD")
        .agg(placements=pl.col("spell").n_unique())
    )


def in_year(care: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """``CHILD``: every child looked after at any time in the year (short breaks aside)."""
    return care.filter(overlaps(year.start, year.end)).select("CHILD").unique()


def short_break_children(episodes: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """``CHILD``: children with a short-break episode (V3 / V4) on any day of the year."""
    return (
        episodes.filter(pl.col("LS").is_in(sorted(SHORT_BREAKS)), overlaps(year.start, year.end))
        .select("CHILD")
        .unique()
    )


def oc2_cohort(
    at_end: pl.DataFrame, short_breaks: pl.DataFrame, year: CollectionYear
) -> pl.DataFrame:
    """Children looked after continuously for 12 months at 31 March (their period of care
    began on or before 1 April of the year before), with no short break in the year."""
    return at_end.filter(pl.col("period_start") <= year.months_before_end(12)).join(
        short_breaks, on="CHILD", how="anti"
    )
