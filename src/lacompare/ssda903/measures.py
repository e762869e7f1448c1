"""DfE's children-looked-after indicators from the 903 building blocks: one row per child,
one column per thing counted, then every indicator's numerator and denominator in one pass.

Each :class:`Measure` names its lacompare indicator, what it counts and over whom, and the
tables it needs; the definitions are ``../shared/reference/ssda903.md`` v1.1 (docs/ssda903.md),
PROPOSED rules marked there and here.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from lacompare.own_figures import counts_frame
from lacompare.ssda903.care import (
    CollectionYear,
    age_at,
    at_year_end,
    ceases_in_year,
    in_year,
    oc2_cohort,
    placements_in_year,
    short_break_children,
    starts_in_year,
)
from lacompare.ssda903.layout import (
    ACCOM_UNKNOWN_PLACE,
    ADOPTED,
    EET,
    HIGHER_EDUCATION,
    NEET,
    OUTSIDE_COHORT,
    SGO,
)

#: Denominator marker: the LA's ONS mid-year population aged 0-17 (rates per 10,000).
POPULATION = "population"


class Measure(NamedTuple):
    """An indicator: what it counts (a boolean, or for a mean the values summed) and over
    whom (a boolean; ``None`` for a plain count; :data:`POPULATION` for a rate), on the
    ``children`` frame (``"cla"``) or the care leavers (``"oc3"``); the 903 tables it needs."""

    indicator_id: str
    numerator: pl.Expr
    denominator: pl.Expr | str | None
    multiplier: int
    frame: str
    needs: tuple[str, ...]

    @property
    def per_population(self) -> bool:
        return isinstance(self.denominator, str)


def _c(name: str) -> pl.Expr:
    return pl.col(name).fill_null(False)


_at_end = _c("at_end")
_started = _c("started")
_ceased = _c("ceased")
_reason = pl.col("reason")
_oc2 = _c("oc2_cohort")
_long = _c("long_cohort")
_in_year = _c("in_year")
_age = pl.col("age_at_end")
_leaver = _c("care_leaver")

_EPISODES = ("episodes",)


def _share(
    indicator_id: str, numerator: pl.Expr, of: pl.Expr, needs: tuple[str, ...] = _EPISODES
) -> Measure:
    return Measure(indicator_id, of & numerator.fill_null(False), of, 100, "cla", needs)


def _count(indicator_id: str, numerator: pl.Expr, needs: tuple[str, ...] = _EPISODES) -> Measure:
    return Measure(indicator_id, numerator.fill_null(False), None, 1, "cla", needs)


def _rate(indicator_id: str, numerator: pl.Expr) -> Measure:
    return Measure(indicator_id, numerator, POPULATION, 10_000, "cla", _EPISODES)


def _leavers(indicator_id: str, numerator: pl.Expr | None, of: pl.Expr = _leaver) -> Measure:
    if numerator is None:
        return Measure(indicator_id, of, None, 1, "oc3", ("oc3",))
    return Measure(indicator_id, of & numerator.fill_null(False), of, 100, "oc3", ("oc3",))


_ceased_for = _ceased & _reason.is_in(sorted(ADOPTED))
_sgo = _ceased & _reason.is_in(sorted(SGO))
_uasc_at_end = _at_end & _c("uasc_at_end")
_three_moves = _at_end & (pl.col("placements").fill_null(0) >= 3)
_convictions_base = _oc2 & (_age >= 10).fill_null(False)
_sdq_base = _oc2 & _age.is_between(5, 16).fill_null(False) & pl.col("SDQ_SCORE").is_not_null()
_activity = pl.col("ACTIV")
_suitable = (pl.col("ACCOM").str.slice(1, 1) == "1").fill_null(False)
_accom_known_place = _leaver & ~pl.col("ACCOM").fill_null("").str.slice(0, 1).is_in(
    sorted(ACCOM_UNKNOWN_PLACE)
)

MEASURES: tuple[Measure, ...] = (
    _count("lacnum", _at_end),
    _rate("lac", _at_end),
    _count("lacnum_start", _started),
    _rate("lac_start_rate", _started),
    _count("lacceased", _ceased),
    _rate("lac_cease_rate", _ceased),
    _count("no_of_lac_adopted", _ceased_for),
    _share("pct_of_lac_adopted", _ceased_for, _ceased),
    _count("lacnum_adopt_appunop", _ceased & (_reason == "E11")),
    _count("lacnum_adopt_consentdisp", _ceased & (_reason == "E12")),
    _count("lac_ceased_sgo", _sgo),
    _share("lac_ceased_sgopct", _sgo, _ceased),
    _share("lac_rethome_careplan_pct", _reason == "E4A", _ceased),
    _share("lac_rethome_not_careplan_pct", _reason == "E4B", _ceased),
    _share("lac_ceased_caopct", _reason == "E41", _ceased),
    _count("unacc_asylmn_seek_childn", _uasc_at_end, ("episodes", "uasc")),
    _share("unacc_asylmn_seek_childnpct", _c("uasc_at_end"), _at_end, ("episodes", "uasc")),
    _share("uasc_pct_starting", _c("uasc_at_start"), _started, ("episodes", "uasc")),
    _count("lacstablenum_2016on", _three_moves),
    _share("lacstable_2016on", _three_moves, _at_end),
    _count("lac_longstablenum", _long & _c("long_stable"), ("episodes", "header")),
    _share("lac_longstablepct", _c("long_stable"), _long, ("episodes", "header")),
    _share("lachealthpct", _c("HEALTH_ASSESSMENT"), _oc2, ("episodes", "oc2")),
    _share("lacvaccinationspct", _c("IMMUNISATIONS"), _oc2, ("episodes", "oc2")),
    _share("lacdentalpct", _c("TEETH_CHECK"), _oc2, ("episodes", "oc2")),
    _share("lac_convictions", _c("CONVICTED"), _convictions_base, ("episodes", "oc2")),
    _share("lacsubstance", _c("SUBSTANCE_MISUSE"), _oc2, ("episodes", "oc2")),
    Measure(
        "emotional_lac",
        pl.when(_sdq_base).then(pl.col("SDQ_SCORE")).otherwise(0),
        _sdq_base,
        1,
        "cla",
        ("episodes", "oc2"),
    ),
    _share("children_missing", _c("missing_m"), _in_year, ("episodes", "missing")),
    _share("children_away", _c("missing_a"), _in_year, ("episodes", "missing")),
    _leavers("nocareleavers", None),
    _leavers("careleavereetnum", None, _leaver & _activity.is_in(sorted(EET)).fill_null(False)),
    _leavers("careleavereet", _activity.is_in(sorted(EET))),
    _leavers("careleaversneet", _activity.is_in(sorted(NEET))),
    _leavers(
        "lac_19_he_num", None, _leaver & _activity.is_in(sorted(HIGHER_EDUCATION)).fill_null(False)
    ),
    _leavers("lac_19_he", _activity.is_in(sorted(HIGHER_EDUCATION))),
    _leavers("nocareleaveracc", None, _accom_known_place & _suitable),
    _leavers("careleaveracc", _suitable, _accom_known_place),
    # PROPOSED: "not in touch" is the LA not in touch and the activity not known from others.
    _leavers("careleavers_la_notintouch", (pl.col("IN_TOUCH") == "NO") & (_activity == "0")),
)


#: The measures a column's values feed, for attaching a warning about that column to the
#: right figures; a warning about any other column goes on every measure reading its table.
COLUMN_MEASURES: dict[tuple[str, str], tuple[str, ...]] = {
    ("oc2", "SDQ_SCORE"): ("emotional_lac",),
    ("oc2", "HEALTH_ASSESSMENT"): ("lachealthpct",),
    ("oc2", "IMMUNISATIONS"): ("lacvaccinationspct",),
    ("oc2", "TEETH_CHECK"): ("lacdentalpct",),
    ("oc2", "CONVICTED"): ("lac_convictions",),
    ("oc2", "SUBSTANCE_MISUSE"): ("lacsubstance",),
    ("oc2", "HEALTH_CHECK"): (),
    ("oc2", "CHILD"): (),  # a row outside the cohort is ignored: no figure changes
    ("oc3", "ACTIV"): (
        "careleavereetnum",
        "careleavereet",
        "careleaversneet",
        "lac_19_he_num",
        "lac_19_he",
        "careleavers_la_notintouch",
    ),
    ("oc3", "ACCOM"): ("nocareleaveracc", "careleaveracc"),
}


# --------------------------------------------------------------------------------------------
# One row per child


def children_frame(
    tables: dict[str, pl.DataFrame], care: pl.DataFrame, dob: pl.DataFrame, year: CollectionYear
) -> pl.DataFrame:
    """One row per child looked after at any time in the year, with every flag the measures
    read: at the end, started, ceased (and why), UASC, placements, long-term stability, the
    OC2 cohort and its items, missing or away."""
    at_end = at_year_end(care, year)
    starts = starts_in_year(care, year)
    ceases = ceases_in_year(care, year)
    children = (
        in_year(care, year)
        .with_columns(in_year=pl.lit(True))
        .join(at_end.with_columns(at_end=pl.lit(True)), on="CHILD", how="left")
        .join(starts.with_columns(started=pl.lit(True)), on="CHILD", how="left")
        .join(ceases.with_columns(ceased=pl.lit(True)), on="CHILD", how="left")
        .join(placements_in_year(care, year), on="CHILD", how="left")
        .join(dob, on="CHILD", how="left")
        .with_columns(age_at_end=age_at(pl.col("DOB"), year.end))
    )
    children = _with_long_term(children, year)
    cohort = oc2_cohort(at_end, short_break_children(tables["episodes"], year), year)
    children = children.join(
        cohort.select("CHILD", oc2_cohort=pl.lit(True)), on="CHILD", how="left"
    )
    if "oc2" in tables:
        items = tables["oc2"].drop("DOB", "_row").unique("CHILD", keep="first")
        # An oc2 row for a child outside the cohort is ignored (reported in the notes).
        children = children.join(items, on="CHILD", how="left").with_columns(
            pl.when(_oc2).then(pl.col(c)).otherwise(None).alias(c)
            for c in items.columns
            if c != "CHILD"
        )
    if "uasc" in tables:
        children = _with_uasc(children, tables["uasc"], year)
    if "missing" in tables:
        children = _with_missing(children, tables["missing"], year)
    return children


def _with_long_term(children: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """Long-term stability: at 31 March, under 16, looked after for 2.5 years or more; stable if
    the current placement began two years or more before (day boundaries PROPOSED)."""
    return children.with_columns(
        long_cohort=_at_end
        & (pl.col("age_at_end") < 16).fill_null(False)
        & (pl.col("period_start") <= year.months_before_end(30)).fill_null(False),
        long_stable=(pl.col("current_spell_start") <= year.months_before_end(24)).fill_null(False),
    )


def _with_uasc(children: pl.DataFrame, uasc: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """UASC at 31 March and on the day a child first started: in the uasc table and their
    UASC status not ceased by that day (DUC blank or later; PROPOSED)."""
    status = uasc.select("CHILD", "DUC").unique("CHILD", keep="first")
    listed = pl.col("_listed").fill_null(False)
    return (
        children.join(status.with_columns(_listed=pl.lit(True)), on="CHILD", how="left")
        .with_columns(
            uasc_at_end=listed & (pl.col("DUC").is_null() | (pl.col("DUC") > year.end)),
            uasc_at_start=listed
            & (pl.col("DUC").is_null() | (pl.col("DUC") > pl.col("start_day"))),
        )
        .drop("_listed")
    )


def _with_missing(
    children: pl.DataFrame, missing: pl.DataFrame, year: CollectionYear
) -> pl.DataFrame:
    """Children with a missing (M) or away (A) episode beginning in the year."""
    in_year = missing.filter(pl.col("MIS_START").is_between(year.start, year.end))
    kinds = in_year.group_by("CHILD").agg(
        missing_m=(pl.col("MISSING") == "M").any(), missing_a=(pl.col("MISSING") == "A").any()
    )
    return children.join(kinds, on="CHILD", how="left")


def leavers_frame(oc3: pl.DataFrame, year: CollectionYear) -> pl.DataFrame:
    """The OC3 rows with ``care_leaver``: a 19th, 20th or 21st birthday in the year (their age
    on 31 March is 19, 20 or 21), and not died or returned home (DIED / RHOM)."""
    return oc3.with_columns(
        care_leaver=age_at(pl.col("DOB"), year.end).is_between(19, 21)
        & ~pl.col("IN_TOUCH").fill_null("").is_in(sorted(OUTSIDE_COHORT))
    )


# --------------------------------------------------------------------------------------------
# Numerators and denominators


def counts(
    children: pl.DataFrame, leavers: pl.DataFrame | None, measures: list[Measure], population: int
) -> pl.DataFrame:
    """``indicator_id``, ``numerator``, ``denominator`` (null for a count) and ``multiplier``
    for each measure, each frame aggregated once."""
    parts = []
    for frame_name, frame in (("cla", children), ("oc3", leavers)):
        chosen = [m for m in measures if m.frame == frame_name]
        if not chosen or frame is None:
            continue
        sums = frame.select(
            *(m.numerator.cast(pl.Int64).sum().alias(f"n:{m.indicator_id}") for m in chosen),
            *(
                m.denominator.cast(pl.Int64).sum().alias(f"d:{m.indicator_id}")
                for m in chosen
                if isinstance(m.denominator, pl.Expr)
            ),
        ).row(0, named=True)
        parts += [
            (
                m.indicator_id,
                sums[f"n:{m.indicator_id}"],
                population if m.per_population else sums.get(f"d:{m.indicator_id}"),
                m.multiplier,
            )
            for m in chosen
        ]
    return counts_frame(parts)
