"""Named sets of indicators (LAIT codes) that board papers use, for ``compare(indicators=...)``
and the command line's ``--preset``."""

from __future__ import annotations

PRESETS: dict[str, list[str]] = {
    # Ofsted's "information about this local authority area": need, protection, care, leavers,
    # workforce.
    "headline": [
        "CIN", "ReReferral", "Continue_Assess_Comp",
        "CPP_rate", "PrevRegCPR", "CPPlans2yrs",
        "LAC", "LAC_Start_Rate", "LACStable_2016on", "LAC_LongStable%",
        "CareLeaverEET", "CareLeaverAcc",
        "Work_Force_TO_Rate", "Work_Force_Agecy_Rate", "Work_Force_AvgNumCase_SW",
    ],
    # Corporate parenting committee: children looked after, placements, health, education,
    # care leavers.
    "corporate-parenting": [
        "LAC", "LACnum", "LAC_Start_Rate", "LAC_Cease_Rate", "UASC_%_starting",
        "LACStable_2016on", "LAC_LongStable%", "LACDistance", "LAC_Foster_Placements",
        "LAC_Ind_SInd_Liv_Arr", "LACHealth%", "LACDental%", "LACVaccinations%",
        "Emotional_LAC", "LAC_KS2_ExpStd_RWM", "LAC_KS4_AVG_Attain8", "LAC_Pers_Abs",
        "%_of LAC Adopted", "CareLeaverEET", "CareLeaverAcc", "LAC_19_HE",
        "CareLeavers_LA_NotInTouch", "StayingPut",
    ],
    # Safeguarding partnership: referrals, assessments, section 47, plans.
    "safeguarding": [
        "CPP_Total_Rateper10,000", "ReReferral", "CIN_Refferals_NFA", "Continue_Assess_Comp",
        "Section_47", "ISCP_Conf", "CP_conf_15days", "CPP_rate", "CPP_Abuse_Rate",
        "PrevRegCPR", "CPPlans2yrsActive", "CPPlans2yrs", "RevCP", "CIN",
    ],
}  # fmt: skip
