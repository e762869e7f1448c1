"""Named sets of indicators (LAIT codes) that board papers use, for ``compare(indicators=...)``,
the command line's ``--preset`` and the built-in papers of :func:`lacompare.board_paper`.

:data:`PAPER_SECTIONS` is the one list: each paper's sections, each with its indicators and the
chart it shows (kind, indicator). :data:`PRESETS` is the same indicators, flat.
"""

from __future__ import annotations

#: Paper -> section title -> (indicators, chart kind, chart indicator).
PAPER_SECTIONS: dict[str, dict[str, tuple[list[str], str, str | None]]] = {
    # Ofsted's "information about this local authority area": need, protection, care, leavers,
    # workforce.
    "headline": {
        "Help and protection": (
            ["CIN", "ReReferral", "Continue_Assess_Comp", "CPP_rate", "PrevRegCPR",
             "CPPlans2yrs"], "trend", "ReReferral"),
        "Children in care": (
            ["LAC", "LAC_Start_Rate", "LACStable_2016on", "LAC_LongStable%"], "trend", "LAC"),
        "Care leavers": (["CareLeaverEET", "CareLeaverAcc"], "neighbours", "CareLeaverEET"),
        "Social work workforce": (
            ["Work_Force_TO_Rate", "Work_Force_Agecy_Rate", "Work_Force_AvgNumCase_SW"],
            "trend", "Work_Force_TO_Rate"),
    },
    # Corporate parenting committee: children looked after, placements, health, education,
    # care leavers.
    "corporate-parenting": {
        "Children in care": (
            ["LAC", "LACnum", "LAC_Start_Rate", "LAC_Cease_Rate", "UASC_%_starting"],
            "trend", "LAC"),
        "Placements and stability": (
            ["LACStable_2016on", "LAC_LongStable%", "LACDistance", "LAC_Foster_Placements",
             "LAC_Ind_SInd_Liv_Arr"], "neighbours", "LACStable_2016on"),
        "Health and wellbeing": (
            ["LACHealth%", "LACDental%", "LACVaccinations%", "Emotional_LAC"],
            "trend", "LACHealth%"),
        "Education": (
            ["LAC_KS2_ExpStd_RWM", "LAC_KS4_AVG_Attain8", "LAC_Pers_Abs"],
            "trend", "LAC_Pers_Abs"),
        "Adoption": (["%_of LAC Adopted"], "trend", "%_of LAC Adopted"),
        "Care leavers": (
            ["CareLeaverEET", "CareLeaverAcc", "LAC_19_HE", "CareLeavers_LA_NotInTouch",
             "StayingPut"], "neighbours", "CareLeaverEET"),
    },
    # Safeguarding partnership: referrals, assessments, section 47, plans.
    "safeguarding": {
        "Children in need, referrals and assessments": (
            ["CIN", "ReReferral", "CIN_Refferals_NFA", "Continue_Assess_Comp"],
            "trend", "ReReferral"),
        "Section 47 enquiries and conferences": (
            ["Section_47", "ISCP_Conf", "CP_conf_15days"], "neighbours", "CP_conf_15days"),
        "Child protection plans": (
            ["CPP_rate", "CPP_Total_Rateper10,000", "CPP_Abuse_Rate", "PrevRegCPR",
             "CPPlans2yrsActive", "CPPlans2yrs", "RevCP"], "trend", "CPP_rate"),
    },
}  # fmt: skip

PRESETS: dict[str, list[str]] = {
    paper: [code for indicators, _, _ in sections.values() for code in indicators]
    for paper, sections in PAPER_SECTIONS.items()
}
