"""The SSDA903 return's tables and DfE's code lists, as this package reads them.

Layout: DfE's 903 CSV layout as the open validator reads it (data-to-insight/csc-validator-be-903,
``lac_validator/config.py``). Code lists: the same repository's rules for 2025-26 (rule numbers
beside each list), plus codes DfE retired but a multi-year extract still holds for older
episodes (``LEGACY``): a 2019 episode's ``Z1`` placement is not an error.
"""

from __future__ import annotations

from typing import NamedTuple


class Table(NamedTuple):
    """One 903 table: its name, every column of DfE's layout, the columns that identify a file
    as this table, and its date columns (dd/mm/yyyy)."""

    name: str
    columns: tuple[str, ...]
    signature: frozenset[str]
    dates: tuple[str, ...]


def _table(name: str, columns: str, signature: str, dates: str = "") -> Table:
    return Table(name, tuple(columns.split()), frozenset(signature.split()), tuple(dates.split()))


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _table("header", "CHILD SEX DOB ETHNIC UPN MOTHER MC_DOB", "CHILD SEX DOB ETHNIC", "DOB"),
        _table(
            "episodes",
            "CHILD DECOM RNE LS CIN PLACE PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE "
            "HOME_POST PL_POST URN",
            "CHILD DECOM RNE LS PLACE DEC REC",
            "DECOM DEC",
        ),
        _table("uasc", "CHILD SEX DOB DUC", "CHILD DUC", "DOB DUC"),
        _table(
            "oc2",
            "CHILD DOB SDQ_SCORE SDQ_REASON CONVICTED HEALTH_CHECK IMMUNISATIONS TEETH_CHECK "
            "HEALTH_ASSESSMENT SUBSTANCE_MISUSE INTERVENTION_RECEIVED INTERVENTION_OFFERED",
            "CHILD SDQ_SCORE HEALTH_ASSESSMENT IMMUNISATIONS",
            "DOB",
        ),
        _table("oc3", "CHILD DOB IN_TOUCH ACTIV ACCOM", "CHILD IN_TOUCH ACTIV ACCOM", "DOB"),
        _table(
            "ad1",
            "CHILD DOB DATE_INT DATE_MATCH FOSTER_CARE NB_ADOPTR SEX_ADOPTR LS_ADOPTR",
            "CHILD DATE_INT DATE_MATCH",
            "DOB DATE_INT DATE_MATCH",
        ),
        _table(
            "placed_for_adoption",
            "CHILD DOB DATE_PLACED DATE_PLACED_CEASED REASON_PLACED_CEASED",
            "CHILD DATE_PLACED",
            "DOB DATE_PLACED DATE_PLACED_CEASED",
        ),
        _table(
            "previous_permanence",
            "CHILD DOB PREV_PERM LA_PERM DATE_PERM",
            "CHILD PREV_PERM",
        ),
        _table(
            "missing",
            "CHILD DOB MISSING MIS_START MIS_END",
            "CHILD MISSING MIS_START",
            "DOB MIS_START MIS_END",
        ),
        _table("reviews", "CHILD DOB REVIEW REVIEW_CODE", "CHILD REVIEW REVIEW_CODE", "DOB REVIEW"),
        _table(
            "sw_episodes",
            "CHILD DOB SW_ID SW_DECOM SW_DEC SW_REASON",
            "CHILD SW_ID",
            "DOB SW_DECOM SW_DEC",
        ),
    )
}

#: The tables the indicators read; the others are recognised (and left alone).
USED_TABLES = ("header", "episodes", "uasc", "oc2", "oc3", "missing")

# --------------------------------------------------------------------------------------------
# Code lists (2025-26, csc-validator-be-903 rules)

#: Reason for new episode (rule 143): S started; L legal status change; P placement (and carer)
#: change; T placement change, same carer; U legal status + placement change, same carer;
#: B legal status + placement + carer change.
RNE = frozenset({"S", "P", "L", "T", "U", "B"})
#: Legal status (rule 144). V3 / V4: an agreed series of short-term placements (short breaks).
LS = frozenset({"C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3"})
SHORT_BREAKS = frozenset({"V3", "V4"})
#: Reason episode ceased (rule 149), plus E43 / E44, the SGO codes before 2015.
REC = frozenset(
    {
        "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48",
        "E5", "E6", "E7", "E8", "E9", "E14", "E15", "E16", "E17", "X1",
    }
)  # fmt: skip
LEGACY_REC = frozenset({"E43", "E44"})
#: Placement type 2025-26 (rule 146); H5, P2 and Z1 are the 2022-23 codes they replaced.
PLACE = frozenset(
    {
        "A3", "A4", "A5", "A6", "K1", "K2", "K3", "P1", "P3", "R1", "R2", "R3", "R5", "S1",
        "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6",
        "Z11", "Z12", "Z13", "Z14",
    }
)  # fmt: skip
LEGACY_PLACE = frozenset({"H5", "P2", "Z1"})
#: Temporary placements: not placements for stability; the child returns to the one before.
TEMPORARY_PLACE = frozenset({"T0", "T1", "T2", "T3", "T4"})

#: Episode ended and a new one began the same day: not a cease.
CONTINUES = "X1"
ADOPTED = frozenset({"E11", "E12"})
#: Special guardianship orders (rule 407: E45-E48; E43 / E44 before 2015).
SGO = frozenset({"E45", "E46", "E47", "E48", "E43", "E44"})

#: Care leavers: in touch (rule 131), main activity (rule 132), accommodation (rule 133).
IN_TOUCH = frozenset({"YES", "NO", "DIED", "REFU", "NREQ", "RHOM"})
#: Died, or returned home for six months or more: outside the care-leaver cohort.
OUTSIDE_COHORT = frozenset({"DIED", "RHOM"})
ACTIV = frozenset({"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"})
#: F3 / P3 (the activity codes before 2022) are still education, training or employment.
LEGACY_ACTIV = frozenset({"F3", "P3"})
EET = frozenset({"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "F3", "P3"})
NEET = frozenset({"G4", "G5", "G6"})
HIGHER_EDUCATION = frozenset({"F1", "P1"})
ACCOM = frozenset(
    {
        "B1", "B2", "C1", "C2", "D1", "D2", "E1", "E2", "G1", "G2", "H1", "H2", "K1", "K2",
        "R1", "R2", "S2", "T1", "T2", "U1", "U2", "V1", "V2", "W1", "W2", "X2", "Y1", "Y2",
        "Z1", "Z2", "0",
    }
)  # fmt: skip
#: Accommodation letters outside the suitability denominator: gone abroad, deported,
#: residence not known.
ACCOM_UNKNOWN_PLACE = frozenset({"G", "H", "R"})

#: Missing from placement (M) or away from placement without authorisation (A).
MISSING = frozenset({"M", "A"})
#: The 0/1 items of the OC2 table.
OC2_FLAGS = (
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
)

#: Code lists checked for each table and column, and whether a bad code stops the figures
#: (an episode's codes decide who is counted) or is a warning (counted as not known).
CODE_LISTS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    ("episodes", "RNE"): (RNE, "error"),
    ("episodes", "LS"): (LS, "error"),
    ("episodes", "REC"): (REC | LEGACY_REC, "error"),
    ("episodes", "PLACE"): (PLACE | LEGACY_PLACE, "error"),
    ("oc3", "IN_TOUCH"): (IN_TOUCH, "warning"),
    ("oc3", "ACTIV"): (ACTIV | LEGACY_ACTIV, "warning"),
    ("oc3", "ACCOM"): (ACCOM, "warning"),
    ("missing", "MISSING"): (MISSING, "warning"),
    **{("oc2", flag): (frozenset({"0", "1"}), "warning") for flag in OC2_FLAGS},
}
