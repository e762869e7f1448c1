"""Named sets of indicators (LAIT codes) that board papers use, for ``compare(indicators=...)``,
the command line's ``--preset`` and the built-in papers of :func:`lacompare.board_paper`.

:data:`PAPER_SECTIONS` is the one list: each paper's sections, each with its indicators, the
chart it shows (kind, indicator) and the themes its indicators must belong to (the curated
``theme`` of ``reference_data/indicator_wording.csv``; a test holds every section to them).
:data:`PRESETS` is the same indicators, flat. The headline paper takes each concept's
indicator from the topic papers (the same CP-plan, stability and care-leaver rows), so two
papers written the same day never disagree about one thing.
"""

from __future__ import annotations

from typing import NamedTuple


class Section(NamedTuple):
    indicators: list[str]
    chart: str
    chart_indicator: str | None
    themes: tuple[str, ...]


#: Paper -> section title -> Section.
PAPER_SECTIONS: dict[str, dict[str, Section]] = {
    # Corporate parenting committee: children looked after, placements, health, education,
    # care leavers.
    "corporate-parenting": {
        "Children in care": Section(
            ["LAC", "LACnum", "LAC_Start_Rate", "LAC_Cease_Rate", "UASC_%_Starting"],
            "trend", "LAC", ("cla_numbers",)),
        "Placements and stability": Section(
            ["LACStable_2016on", "LAC_LongStable%", "LACDistance", "LAC_Foster_Placements",
             "LAC_Ind_SInd_Liv_Arr"], "neighbours", "LACStable_2016on", ("placements",)),
        "Health and wellbeing": Section(
            ["LACHealth%", "LACDental%", "LACVaccinations%", "Emotional_LAC"],
            "trend", "LACHealth%", ("health",)),
        "Education": Section(
            ["LAC_KS2_ExpStd_RWM", "LAC_KS4_AVG_Attain8", "LAC_Pers_Abs"],
            "trend", "LAC_Pers_Abs", ("education",)),
        "Adoption": Section(["%_of LAC Adopted"], "trend", "%_of LAC Adopted", ("adoption",)),
        "Care leavers": Section(
            ["CareLeaverEET", "CareLeaverAcc", "LAC_19_HE", "CareLeavers_LA_NotInTouch",
             "StayingPut"], "neighbours", "CareLeaverEET", ("care_leavers",)),
    },
    # Safeguarding partnership: need, referrals, assessments, section 47, plans.
    "safeguarding": {
        "Children in need, referrals and assessments": Section(
            ["CIN", "CPP_Total_Rateper10,000", "ReReferral", "CIN_Refferals_NFA",
             "Continue_Assess_Comp"], "trend", "ReReferral",
            ("need", "referrals", "assessments")),
        "Section 47 enquiries and conferences": Section(
            ["Section_47", "ISCP_Conf", "CP_conf_15days"], "neighbours", "CP_conf_15days",
            ("section47",)),
        "Child protection plans": Section(
            ["CPP_rate", "CPP_Abuse_Rate", "PrevRegCPR", "CPPlans2yrsActive", "CPPlans2yrs",
             "RevCP"], "trend", "CPP_rate", ("cp_plans",)),
    },
    # Ofsted's "information about this local authority area": need, protection, care, leavers,
    # workforce; each concept's indicator as the topic papers have it.
    "headline": {
        "Help and protection": Section(
            ["CIN", "ReReferral", "Continue_Assess_Comp", "CPP_rate", "PrevRegCPR",
             "CPPlans2yrsActive"], "trend", "ReReferral",
            ("need", "referrals", "assessments", "cp_plans")),
        "Children in care": Section(
            ["LAC", "LAC_Start_Rate", "LACStable_2016on", "LAC_LongStable%"], "trend", "LAC",
            ("cla_numbers", "placements")),
        "Care leavers": Section(
            ["CareLeaverEET", "CareLeaverAcc"], "neighbours", "CareLeaverEET",
            ("care_leavers",)),
        "Social work workforce": Section(
            ["Work_Force_TO_Rate", "Work_Force_Agecy_Rate", "Work_Force_AvgNumCase_SW"],
            "trend", "Work_Force_AvgNumCase_SW", ("workforce",)),
    },
}  # fmt: skip

PRESETS: dict[str, list[str]] = {
    paper: [code for section in sections.values() for code in section.indicators]
    for paper, sections in PAPER_SECTIONS.items()
}
