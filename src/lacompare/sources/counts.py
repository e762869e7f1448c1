"""The numerators and denominators behind published rates and percentages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lacompare.sources._common import published_decimals, series_decimals
from lacompare.sources.ees import read_ees


@dataclass(frozen=True)
class EesCount:
    """A count taken from an EES file, on rows matching ``filters``: one column, or the sum of
    several (the parts of a breakdown; null where any part is suppressed)."""

    file: str
    column: str | tuple[str, ...]
    filters: dict[str, str] = field(default_factory=dict)
    #: Years to shift the EES year by to reach the observation year (populations: mid-2015
    #: estimates are the denominator for rates at 31 March 2016; academic year 2024/25 is
    #: LAIT's 2025).
    year_offset: int = 0

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,) if isinstance(self.column, str) else self.column


@dataclass(frozen=True)
class LaitCount:
    """A count taken from other LAIT count measures (summed when several), for years the EES
    files do not cover or counts they do not carry."""

    lait_code: str | tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.lait_code,) if isinstance(self.lait_code, str) else self.lait_code


@dataclass(frozen=True)
class RateCount:
    """A count recovered from a published rate and its population: ``round(rate x population /
    multiplier)``. DfE publishes some counts only as rates (child protection plans ceasing in
    the year, per 10,000 children); the rate is rounded to 0.1, so for populations under
    100,000 the recovered count is exact or one off, which moves an interval by far less than
    its width. Counts recovered this way are used only where the measure they make reproduces
    its own published value (as every count here)."""

    rate: LaitCount
    population: EesCount
    multiplier: float


Count = EesCount | LaitCount | RateCount


@dataclass(frozen=True)
class CountSpec:
    """Where the numerator and denominator of a LAIT measure are published.

    ``multiplier`` turns numerator / denominator into the published unit. A published value is
    given its counts only where they reproduce it to the published precision. ``people`` is
    False where the counts are not of people or events (full-time equivalent staff: leavers
    are not a subset of staff in post, and 16.8 FTE are not 16.8 trials): such counts are
    checked and reported, never attached, so no interval rests on them.
    """

    lait_code: str
    numerator: Count
    denominator: Count
    multiplier: float
    people: bool = True


#: ONS mid-year estimate of children aged 0-17: DfE's denominator for rates per 10,000 at 31
#: March of the following year.
POPULATION_0_17 = EesCount(
    "ons_mid-year_population_estimates_2012_to_2024.csv",
    "population_estimate",
    {"age_group": "Children aged 0 to 17 years"},
    year_offset=1,
)


def _per_10k_children(lait_code: str, numerator: Count) -> CountSpec:
    """A rate per 10,000 children aged 0-17 (DfE's children's social care rates)."""
    return CountSpec(lait_code, numerator, POPULATION_0_17, 10_000)


def _percent(lait_code: str, numerator: Count, denominator: Count) -> CountSpec:
    return CountSpec(lait_code, numerator, denominator, 100)


def _share(
    lait_code: str,
    file: str,
    column: str,
    part: dict[str, str],
    whole: dict[str, str],
    *,
    year_offset: int = 0,
) -> CountSpec:
    """A percentage of one EES breakdown: rows ``part`` over rows ``whole`` of ``column``."""
    return _percent(
        lait_code,
        EesCount(file, column, part, year_offset),
        EesCount(file, column, whole, year_offset),
    )


def _ratio(
    lait_code: str,
    file: str,
    numerator: str | tuple[str, ...],
    denominator: str | tuple[str, ...],
    filters: dict[str, str] | None = None,
    *,
    year_offset: int = 0,
    people: bool = True,
) -> CountSpec:
    """A percentage of two columns on the same EES rows."""
    return CountSpec(
        lait_code,
        EesCount(file, numerator, filters or {}, year_offset),
        EesCount(file, denominator, filters or {}, year_offset),
        100,
        people,
    )


def _lait(
    lait_code: str,
    numerator: str | tuple[str, ...],
    denominator: str | tuple[str, ...],
    multiplier: float = 100,
) -> CountSpec:
    """A measure computed from LAIT's own count measures."""
    return CountSpec(lait_code, LaitCount(numerator), LaitCount(denominator), multiplier)


_B1 = "b1_children_in_need_2013_to_2025.csv"
_C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
_C4 = "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
_D3 = "d3_cpps_subsequent_plan_2013_to_2025.csv"
_D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
_CLA = "cla_number_and_rate_per_10k_children.csv"
_PLACEMENTS = "la_cla_placement_stability.csv"
_LONG_TERM = (
    "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
)
_LEAVERS = "la_care_leavers_activity.csv"
_ACCOMMODATION = "la_care_leavers_accommodation_suitability.csv"
_HEALTH = "la_conviction_health_outcome_cla.csv"
_SCHOOL_MOVES = "la_cla_school_moves.csv"
_SOCIAL_WORKERS = "la_cla_swcount.csv"
_WORKFORCE = "csww_indicators_2017_to_2025.csv"
_ABSENCE = "absence_la.csv"
_KS2 = "ks2_la.csv"
_KS4 = "ks4_la.csv"
#: The social care groups of DfE's outcomes files as LAIT names them: "children in need" is
#: CINO (in need, not on a plan or looked after), "looked after" is looked after 12 months.
_GROUPS = {
    "CIN": "CINO at 31 March",
    "CPP": "CPPO at 31 March",
    "LAC": "CLA 12 months at 31 March",
}
#: Academic-year outcomes (2024/25) are LAIT's year 2025.
_ACADEMIC = 1


def _cla(population_type: str, column: str) -> EesCount:
    return EesCount(_CLA, column, {"population_type": population_type})


def _leavers(file: str, breakdown: str) -> EesCount:
    return EesCount(
        file, "care_leaver_count", {"care_leaver_age": "19 to 21 years", "breakdown": breakdown}
    )


def _ks2(lait_code: str, group: str, subject: str) -> CountSpec:
    return _ratio(
        lait_code,
        _KS2,
        f"t_{subject}_met_expected_standard",
        f"t_{subject}_eligible_pupils",
        {"social_care_group": _GROUPS[group]},
        year_offset=_ACADEMIC,
    )


def _ks4(lait_code: str, group: str, column: str) -> CountSpec:
    return _ratio(
        lait_code,
        _KS4,
        column,
        "t_pupils",
        {"social_care_group": _GROUPS[group]},
        year_offset=_ACADEMIC,
    )


def _absence(lait_code: str, group: str, numerator: str, denominator: str) -> CountSpec:
    """Absence of one social care group, all school phases, from ``absence_la.csv``.

    Persistent absentees are counted in pupils. Sessions missed are counted in sessions, as
    Fingertips tests pupil absence (the Wilson interval on half-days); sessions of one pupil
    are not independent, so that interval is narrower than the pupils' variation and the
    board table's notes say so (:data:`lacompare.compare.SESSION_MEASURES`).
    """
    return _ratio(
        lait_code,
        _ABSENCE,
        numerator,
        denominator,
        {"social_care_group": _GROUPS[group], "phase_type_grouping": "Total"},
        year_offset=_ACADEMIC,
    )


def _health(lait_code: str, characteristic: str, breakdown: str, total: str) -> CountSpec:
    return _share(
        lait_code,
        _HEALTH,
        "children_count",
        {"characteristic": characteristic, "breakdown": breakdown},
        {"characteristic": characteristic, "breakdown": total},
    )


_HEALTH_CHECKS = "Health assessments: Children looked after all ages"

#: Where each measure's counts are published, most authoritative first: the EES file for the
#: years it covers, LAIT's own count measures before them. A measure may have several specs;
#: the first whose counts reproduce a published value gives that value its counts.
COUNT_SPECS: list[CountSpec] = [
    # -- Children in need and child protection (CIN census) ---------------------------------
    _per_10k_children("CIN", EesCount(_B1, "At31_episodes")),
    _per_10k_children("CPP_rate", EesCount(_D5, "CPP_At31")),
    _per_10k_children("CPP_rate", LaitCount("CPP_Num")),
    _per_10k_children("CPP_Abuse_Rate", EesCount(_D3, "CPP_start")),
    _per_10k_children("CPP_Abuse_Rate", LaitCount("CPP_Abuse")),
    _per_10k_children("CPP_Total_Rateper10,000", EesCount(_C1, "referral_count")),
    _per_10k_children("CPP_Total_Rateper10,000", LaitCount("CPP_Total_NumRef")),
    _per_10k_children("Section_47", EesCount(_C4, "Section47")),
    _per_10k_children("ISCP_Conf", EesCount(_C4, "ICPC")),
    _ratio("ReReferral", _C1, "rereferral_count", "referral_count"),
    _ratio("CIN_Refferals_NFA", _C1, "no_further_action_count", "referral_count"),
    _ratio("Referrals_AssessedNotNeed", _C1, "not_in_need_count", "referral_count"),
    _ratio("PrevRegCPR", _D3, "CPP_subsequent", "CPP_start"),
    _lait("PrevRegCPR", "ReRegCPR", "CPP_Abuse"),
    _ratio("CPPlans2yrsActive", _D5, "2_years_or_more", "CPP_At31"),
    # Conferences within 15 working days of the strategy discussion: the 0-10 and 11-15 day
    # bands over all four bands.
    _ratio("CP_conf_15days", _C4, ("Duration_0-10_days", "Duration_11-15_days"), "ICPC"),
    _lait("CP_conf_15days", ("10_ICPC", "15_ICPC"), ("10_ICPC", "15_ICPC", "20_ICPC", "21_ICPC")),
    # Plans of 3 months or more at 31 March reviewed on time.
    _lait("RevCP", "CPP_Reviewed_InReqTimeScl", "CPP_31March_3MnthorMore"),
    # Plans that ceased in the year having lasted 2 years or more, over all plans that ceased:
    # DfE publishes the ceased plans only as a rate per 10,000 children (DeRegCPR).
    CountSpec(
        "CPPlans2yrs",
        LaitCount("CPRDuration"),
        RateCount(LaitCount("DeRegCPR"), POPULATION_0_17, 10_000),
        100,
    ),
    # -- Children looked after (SSDA903) ----------------------------------------------------
    CountSpec(
        "LAC",
        _cla("Children looked after on 31 March each year", "children_count"),
        _cla("Children looked after on 31 March each year", "population_estimate"),
        10_000,
    ),
    _per_10k_children("LAC", LaitCount("LACnum")),
    CountSpec(
        "LAC_Start_Rate",
        _cla("Children starting to be looked after each year", "children_count"),
        _cla("Children starting to be looked after each year", "population_estimate"),
        10_000,
    ),
    _per_10k_children("LAC_Start_Rate", LaitCount("LACnum_Start")),
    CountSpec(
        "LAC_Cease_Rate",
        _cla("Children ceasing to be looked after each year", "children_count"),
        _cla("Children ceasing to be looked after each year", "population_estimate"),
        10_000,
    ),
    _per_10k_children("LAC_Cease_Rate", LaitCount("LACceased")),
    _lait("Unacc_Asylmn_Seek_Childn%", "Unacc_Asylmn_Seek_Childn", "LACnum"),
    _lait("LAC_ceased_SGO%", "LAC_ceased_SGO", "LACceased"),
    # Placement stability: three or more placements in the year; long-term placements.
    _share(
        "LACStable_2016on",
        _PLACEMENTS,
        "children_count",
        {
            "cla_group": "CLA on 31 March",
            "placement_stability": "With 3 or more placements during the year",
        },
        {"cla_group": "CLA on 31 March", "placement_stability": "Total children"},
    ),
    _lait("LACStable_2016on", "LACStableNum_2016on", "LACnum"),
    _share(
        "LAC_LongStable%",
        _PLACEMENTS,
        "children_count",
        {
            "cla_group": _LONG_TERM,
            "placement_stability": "Living with the same carer for at least 2 years",
        },
        {"cla_group": _LONG_TERM, "placement_stability": "Total children"},
    ),
    _share(
        "Stability_School",
        _SCHOOL_MOVES,
        "number",
        {
            "cla_group": "CLA on 31 March",
            "move_measure": "Mid-year moves",
            "school_stability": "With one or more mid-year moves during the year",
        },
        {
            "cla_group": "CLA on 31 March",
            "move_measure": "Mid-year moves",
            "school_stability": "Total children",
        },
    ),
    _share(
        "Stability_SocialWorker",
        _SOCIAL_WORKERS,
        "number",
        {
            "cla_group": "CLA on 31 March",
            "sw_stability": "3 or more social workers during the year",
        },
        {"cla_group": "CLA on 31 March", "sw_stability": "Total children"},
    ),
    # Health, convictions and substance misuse of children looked after 12 months.
    _health("LACHealth%", _HEALTH_CHECKS, "Had their annual health assessment", "Total all ages"),
    _health(
        "LACVaccinations%", _HEALTH_CHECKS, "Had their immunisations up to date", "Total all ages"
    ),
    _health("LACDental%", _HEALTH_CHECKS, "Had their teeth checked by a dentist", "Total all ages"),
    _health(
        "LACSubstance",
        "Substance misuse: Children looked after all ages",
        "Identified as having a substance misuse problem",
        "Total all ages",
    ),
    _health(
        "LAC_Convictions",
        "Convictions: Children looked after Ages 10 to 17 years",
        "Convicted or subject to youth cautions, or youth conditional cautions during the year",
        "Total ages 10 to 17 years",
    ),
    # -- Care leavers aged 19-21 ------------------------------------------------------------
    _percent(
        "CareLeaverEET",
        _leavers(_LEAVERS, "Total in education, employment or training"),
        _leavers(_LEAVERS, "Total"),
    ),
    _lait("CareLeaverEET", "CareLeaverEETNum", "NoCareLeavers"),
    _percent(
        "CareLeaversNEET",
        _leavers(_LEAVERS, "Total not in education, employment or training"),
        _leavers(_LEAVERS, "Total"),
    ),
    _percent(
        "CareLeaverAcc",
        _leavers(_ACCOMMODATION, "Accommodation considered suitable"),
        _leavers(_ACCOMMODATION, "Suitability total"),
    ),
    _lait("CareLeaverAcc", "NoCareLeaverAcc", "NoCareLeavers"),
    _lait("LAC_19_HE", "LAC_19_HE_Num", "NoCareLeavers"),
    # -- Adoption ---------------------------------------------------------------------------
    _lait("%_of LAC Adopted", "No_of LAC Adopted", "LACceased"),
    _lait("LAC%_Adopt_ConsentDisp", "LACnum_Adopt_ConsentDisp", "No_of LAC Adopted"),
    _lait("LAC%_Adopt_AppUnop", "LACnum_Adopt_AppUnop", "No_of LAC Adopted"),
    # -- Education of children in need, on plans and looked after ----------------------------
    *(
        _ks2(f"{group}_KS2_ExpStd_{suffix}", group, subject)
        for group in ("CIN", "LAC")
        for suffix, subject in (
            ("R", "read"),
            ("W", "writta"),
            ("M", "mat"),
            ("GPS", "gps"),
            ("RWM", "rwm"),
        )
    ),
    _ks2("CPPO_KS2_RWM", "CPP", "rwm"),
    _ks4("CIN_EngMaths9-4", "CIN", "t_l2basics_94"),
    _ks4("CIN_EngMaths9-5", "CIN", "t_l2basics_95"),
    _ks4("CIN_EngBacEntries", "CIN", "t_ebacc_e_ptq_ee"),
    _ks4("LAC_EngMaths9-4", "LAC", "t_l2basics_94"),
    _absence("CINPermAbsent_3Term", "CIN", "t_pupils_pa_10_exact", "t_pupils"),
    _absence("CPPPerAbs_3Term", "CPP", "t_pupils_pa_10_exact", "t_pupils"),
    _absence("LAC_Pers_Abs", "LAC", "t_pupils_pa_10_exact", "t_pupils"),
    _absence("CINTotalAb_3Term", "CIN", "t_sess_overall", "t_sess_possible"),
    _absence("CINAuthAb_3Term", "CIN", "t_sess_authorised", "t_sess_possible"),
    _absence("CINUnauthAb_3Term", "CIN", "t_sess_unauthorised", "t_sess_possible"),
    _absence("CPPTotalAb_3Term", "CPP", "t_sess_overall", "t_sess_possible"),
    _absence("LAC_Over_Abs", "LAC", "t_sess_overall", "t_sess_possible"),
    _absence("LAC_Unauth", "LAC", "t_sess_unauthorised", "t_sess_possible"),
    # -- Social workers (FTE at 30 September): ratios of full-time equivalents, not counts of
    # people. Checked and reported, never attached (people=False): no interval rests on them.
    _ratio("Work_Force_TO_Rate", _WORKFORCE, "leavers_fte", "inpost_fte", people=False),
    _ratio(
        "Work_Force_Agecy_Rate",
        _WORKFORCE,
        "agency_fte",
        ("agency_fte", "inpost_fte"),
        people=False,
    ),
    _ratio(
        "Work_Force_Vac_Rate",
        _WORKFORCE,
        "vacancy_fte",
        ("vacancy_fte", "inpost_fte"),
        people=False,
    ),
    # -- Definitions tried that do not reproduce the published values (MIN_AGREEMENT rejects
    # them): kept so the manifest and the coverage view say why these measures are not tested.
    # LAIT's caseholder share and agency cover use bases the CSWW file does not publish; "not
    # in touch" is not the activity file's "information not known"; LAIT's CPRDuration counts
    # plans that ended, not plans open at 31 March.
    _ratio("Social_Work_Caseholders_%", _WORKFORCE, "case_holders_fte", "inpost_fte", people=False),
    _ratio("Work_Force_AgencyCover", _WORKFORCE, "agency_cover_fte", "vacancy_fte", people=False),
    _percent(
        "CareLeavers_LA_NotInTouch",
        _leavers(_LEAVERS, "Total information not known"),
        _leavers(_LEAVERS, "Total"),
    ),
    _lait("CPPlans2yrsActive", "CPRDuration", "CPP_Num"),
    _ratio("Vacancies_cover", _WORKFORCE, "agency_cover_fte", "vacancy_fte", people=False),
]


#: Measures whose counts are school sessions (half-days), not children. A pupil's sessions are
#: not independent trials, so their intervals are widened for overdispersion
#: (:func:`lacompare.stats.overdispersion_factor`) before any verdict.
SESSION_MEASURES: frozenset[str] = frozenset(
    spec.lait_code
    for spec in COUNT_SPECS
    if isinstance(spec.denominator, EesCount) and "t_sess_possible" in spec.denominator.columns
)

#: Measures whose only counts are full-time equivalents (``people=False``): never tested.
FTE_MEASURES: frozenset[str] = frozenset(
    spec.lait_code for spec in COUNT_SPECS if not spec.people
) - frozenset(spec.lait_code for spec in COUNT_SPECS if spec.people)

#: A count definition is used in a year only if it reproduces, at the series' published
#: precision, the published values of at least this share of the local authorities with a
#: value that year; then it is used for every LA it reproduces, else for none that year (so
#: rounding luck never decides which councils are tested).
MIN_AGREEMENT = 0.9


def _count_frame(
    count: Count,
    ees_dir: Path,
    lait: pl.DataFrame,
    cache: dict[str, pl.DataFrame],
    former: dict[str, str],
) -> pl.DataFrame:
    """(area_code, year, count, count_source) for one count definition; ``former`` maps an
    authority's older ONS codes (Sheffield's E08000019 in DfE's files before 2024) to today's."""
    if isinstance(count, RateCount):
        rate = _count_frame(count.rate, ees_dir, lait, cache, former)
        population = _count_frame(count.population, ees_dir, lait, cache, former)
        return rate.join(population, on=["area_code", "year"], suffix="_pop").select(
            "area_code",
            "year",
            count=(pl.col("count") * pl.col("count_pop") / count.multiplier).round(0),
            count_source=pl.concat_str(
                pl.lit("round("), "count_source", pl.lit(" x "), "count_source_pop",
                pl.lit(f" / {count.multiplier:,.0f})"),
            ),
        )  # fmt: skip
    if isinstance(count, LaitCount):
        codes = count.codes
        return (
            lait.filter(pl.col("lait_code").is_in(codes), pl.col("value").is_not_null())
            # One value per measure, LA and year: the latest label ("2019" over "2019 (prov)").
            .sort("period")
            .unique(["lait_code", "area_code", "year"], keep="last")
            .group_by("area_code", "year")
            .agg(count=pl.col("value").sum(), parts=pl.len())
            # A sum is only a count when every part is published.
            .filter(pl.col("parts") == len(codes))
            .select("area_code", "year", "count", count_source=pl.lit(f"LAIT {'+'.join(codes)}"))
        )
    columns = count.columns
    key = f"{count.file}:{'+'.join(columns)}"
    if key not in cache:
        cache[key] = read_ees(ees_dir / count.file, list(columns))
    rows = cache[key].filter(pl.col("area_code").is_not_null())
    for column, wanted in count.filters.items():
        rows = rows.filter(pl.col(column) == wanted)
    total = pl.col(columns[0])
    for column in columns[1:]:
        total = total + pl.col(column)  # null if any part is suppressed
    return (
        rows.with_columns(
            _former=pl.col("area_code").is_in(list(former)),
            area_code=pl.col("area_code").replace(former),
        )
        # A year listing an authority under both codes: today's code wins.
        .sort("_former")
        .unique(["area_code", "year"], keep="first", maintain_order=True)
        .select(
            "area_code",
            year=pl.col("year") + count.year_offset,
            count=total,
            count_source=pl.lit(f"EES {count.file} {'+'.join(columns)}{_where(count.filters)}"),
        )
        .filter(pl.col("count").is_not_null())
    )


def _where(filters: dict[str, str]) -> str:
    """The rows a count was read from, for its provenance: " (breakdown = Total)"."""
    if not filters:
        return ""
    return " (" + "; ".join(f"{column} = {value}" for column, value in filters.items()) + ")"


def attach_counts(
    observations: pl.DataFrame,
    indicators: pl.DataFrame,
    ees_dir: Path,
    areas: pl.DataFrame,
    specs: list[CountSpec] = COUNT_SPECS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fill ``numerator``/``denominator`` where a spec reproduces the published value.

    A pair of counts is attached only when ``numerator / denominator * multiplier`` rounds to
    the published value at the series' published precision for that year
    (:func:`series_decimals`), so a revised population estimate cannot put an interval around
    the wrong point; and only in the years where the spec reproduces the values of at least
    :data:`MIN_AGREEMENT` of the local authorities (of ``areas``) with a value: a definition
    that reproduces fewer is not the measure's that year, and its agreements are coincidences
    of rounding. Earlier specs for a measure win; specs of full-time equivalents (``people`` is
    False) are checked but never attached. Returns the observations and a report: per measure,
    source and year, the LAs with a value, how many values the counts reproduced and how many
    they did not, and whether the year was accepted.
    """
    lait = observations.join(
        indicators.select("indicator_id", "lait_code"), on="indicator_id"
    ).select("lait_code", "area_code", "period", "year", "value")
    la_codes = areas.filter(pl.col("level") == "local_authority").get_column("area_code")
    candidates = _candidate_counts(specs, ees_dir, lait, areas)
    ids = indicators.select("indicator_id", "lait_code")
    is_la = pl.col("area_code").cast(pl.String).is_in(la_codes.cast(pl.String).implode())
    published = (
        observations.filter(pl.col("value").is_not_null(), is_la)
        .join(ids, on="indicator_id")
        .group_by("lait_code", "year")
        .agg(las_with_value=pl.len())
    )
    matched = _matched(observations, ids, la_codes, candidates, is_la)
    report = (
        matched.group_by("lait_code", "count_source", "year")
        .agg(
            people=pl.col("people").first(),
            agree=(pl.col("agrees") & pl.col("is_la")).sum(),
            disagree=(~pl.col("agrees") & pl.col("is_la")).sum(),
        )
        .join(published, on=["lait_code", "year"], how="left")
        .with_columns(
            pl.col("las_with_value").fill_null(0),
            accepted=(pl.col("agree") >= MIN_AGREEMENT * pl.col("las_with_value"))
            & (pl.col("agree") > 0),
        )
        .sort("lait_code", "count_source", "year")
    )
    best = (
        matched.join(
            report.filter("accepted", "people").select("lait_code", "count_source", "year"),
            on=["lait_code", "count_source", "year"],
            how="semi",
        )
        .filter("agrees")
        .sort("priority")
        .unique("_row", keep="first")
        .select("_row", "numerator", "denominator", "count_source")
    )
    out = _with_counts(observations, best)
    return out, report.select(
        "lait_code",
        "count_source",
        "year",
        "people",
        "las_with_value",
        "agree",
        "disagree",
        "accepted",
    )


def _with_counts(observations: pl.DataFrame, best: pl.DataFrame) -> pl.DataFrame:
    """The observations with the accepted counts, each source naming where they came from."""
    return (
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


def _files_present(spec: CountSpec, ees_dir: Path) -> bool:
    """Every EES file the spec reads is in ``ees_dir``."""
    parts: list[Count] = [spec.numerator, spec.denominator]
    files = []
    while parts:
        part = parts.pop()
        if isinstance(part, RateCount):
            parts += [part.rate, part.population]
        elif isinstance(part, EesCount):
            files.append(part.file)
    return all((ees_dir / file).is_file() for file in files)


def _candidate_counts(
    specs: list[CountSpec], ees_dir: Path, lait: pl.DataFrame, areas: pl.DataFrame
) -> pl.DataFrame:
    """Every spec's numerator and denominator per LA and year, in priority order (earlier
    specs win), each with where its counts come from."""
    codes = areas.select("area_code", "former_codes").explode("former_codes").drop_nulls()
    former = dict(zip(codes["former_codes"].to_list(), codes["area_code"].to_list(), strict=True))
    cache: dict[str, pl.DataFrame] = {}
    candidates = []
    for priority, spec in enumerate(specs):
        if not _files_present(spec, ees_dir):
            # An update without this file (one with no download address, not on the
            # council's mirror): the measure's counts are not attached, so it is not tested.
            continue
        numerator = _count_frame(spec.numerator, ees_dir, lait, cache, former)
        denominator = _count_frame(spec.denominator, ees_dir, lait, cache, former)
        candidates.append(
            numerator.join(denominator, on=["area_code", "year"], suffix="_den").select(
                "area_code",
                "year",
                lait_code=pl.lit(spec.lait_code),
                priority=pl.lit(priority),
                people=pl.lit(spec.people),
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
    return pl.concat(candidates)


def _matched(
    observations: pl.DataFrame,
    ids: pl.DataFrame,
    la_codes: pl.Series,
    candidates: pl.DataFrame,
    is_la: pl.Expr,
) -> pl.DataFrame:
    """Each published value beside every candidate pair of counts, and whether the counts
    reproduce it at the series' published precision."""
    return (
        observations.with_row_index("_row")
        .filter(pl.col("value").is_not_null())
        .drop("numerator", "denominator")
        .join(ids, on="indicator_id")
        .join(series_decimals(observations, la_codes), on=["indicator_id", "year"], how="left")
        .join(candidates, on=["lait_code", "area_code", "year"])
        .filter(pl.col("denominator") > 0)
        .with_columns(
            recomputed=pl.col("numerator") / pl.col("denominator") * pl.col("multiplier"),
            # A year with no LA values (England only): that value's own precision.
            tolerance=0.5
            * pl.lit(10.0).pow(-pl.coalesce("series_decimals", published_decimals(pl.col("value"))))
            + 1e-9,
            is_la=is_la,
        )
        .with_columns(agrees=(pl.col("recomputed") - pl.col("value")).abs() <= pl.col("tolerance"))
    )
