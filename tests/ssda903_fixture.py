"""A hand-made SSDA903 extract for the collection year 2025-26 (1 April 2025 to 31 March 2026)
with every edge case in the definitions, and its answers worked out child by child.

Each child's episodes carry a comment saying what it tests and how it counts; the expected
numerators and denominators below are totted up from those comments, not from the code.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

EPISODE_COLUMNS = (
    "CHILD DECOM RNE LS CIN PLACE PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE HOME_POST PL_POST URN"
).split()

# (CHILD, DECOM, RNE, LS, PLACE, DEC, REC, PL_POST, URN)
EPISODES = [
    # C01 in care since 2020, one placement: at 31 March, OC2 cohort, long-term cohort and
    # stable; missing (M) in the year. Age 10.
    ("C01", "01/01/2020", "S", "C2", "U1", "", "", "DE1 1AA", "U100001"),
    # C02 an X1 chain across 1 April (the first episode ends on 1 April, legal change with the
    # same placement, then a move): not a starter; 2 placements in the year; OC2 cohort
    # (began 01/06/2024). Age 16 (born 1 April 2009): outside long-term (under 16 only).
    ("C02", "01/06/2024", "S", "C1", "U2", "01/04/2025", "X1", "DE2 2AA", "U200002"),
    ("C02", "01/04/2025", "L", "C2", "U2", "15/09/2025", "X1", "DE2 2AA", "U200002"),
    ("C02", "15/09/2025", "P", "C2", "K2", "", "", "DE2 3AA", "K200003"),
    # C03 starts in the year; a temporary placement (T1) and the return to the same placement
    # continue one spell; two more moves: 3 placements. UASC (DUC blank). Age 16.
    ("C03", "10/05/2025", "S", "V2", "U1", "01/07/2025", "X1", "DE3 1AA", "U300001"),
    ("C03", "01/07/2025", "P", "V2", "T1", "10/07/2025", "X1", "DE9 9TT", "T900001"),
    ("C03", "10/07/2025", "P", "V2", "U1", "01/11/2025", "X1", "DE3 1AA", "U300001"),
    ("C03", "01/11/2025", "P", "V2", "U3", "01/02/2026", "X1", "DE3 2BB", "U300002"),
    ("C03", "01/02/2026", "B", "C2", "R1", "", "", "DE3 3CC", "R300003"),
    # C04 ceases on 31 March itself (E4A): a leaver, not looked after at 31 March; away (A).
    ("C04", "01/06/2023", "S", "C2", "U4", "31/03/2026", "E4A", "DE4 1AA", "U400001"),
    # C05 ceases twice (E4B, then E13 in a second period that starts in the year): one
    # starter, one leaver whose last reason is E13; missing (M) in the year.
    ("C05", "01/03/2025", "S", "C1", "U1", "10/06/2025", "E4B", "DE5 1AA", "U500001"),
    ("C05", "01/09/2025", "S", "V2", "U4", "20/12/2025", "E13", "DE5 2AA", "U500002"),
    # C06 starts twice in the year: one starter; leaves once (E4A); at 31 March; 2 placements.
    ("C06", "05/04/2025", "S", "V2", "U1", "30/04/2025", "E4A", "DE6 1AA", "U600001"),
    ("C06", "01/08/2025", "S", "C1", "U2", "", "", "DE6 2AA", "U600002"),
    # C07 short breaks only (V3): in nothing, not even the missing denominator.
    ("C07", "01/05/2025", "S", "V3", "R1", "03/05/2025", "E13", "DE7 1AA", "R700001"),
    ("C07", "01/07/2025", "S", "V3", "R1", "04/07/2025", "E13", "DE7 1AA", "R700001"),
    ("C07", "01/10/2025", "S", "V3", "R1", "02/10/2025", "E13", "DE7 1AA", "R700001"),
    # C08 short breaks (V3, V4), then full-time care: a starter from 01/09/2025, 1 placement.
    ("C08", "01/05/2025", "S", "V3", "R1", "03/05/2025", "E13", "DE8 1AA", "R800001"),
    ("C08", "01/06/2025", "S", "V4", "R1", "04/06/2025", "E8", "DE8 1AA", "R800001"),
    ("C08", "01/09/2025", "S", "C2", "U1", "", "", "DE8 2AA", "U800002"),
    # C10 moves on 31 March (X1, new episode that day): at 31 March, not a leaver; long-term
    # cohort but the current placement began on 31 March: not stable. 2 placements. Age 12.
    ("C10", "01/06/2021", "S", "C2", "U1", "31/03/2026", "X1", "DE10 1AA", "U1000001"),
    ("C10", "31/03/2026", "P", "C2", "U2", "", "", "DE10 2AA", "U1000002"),
    # C11 starts on 1 April 2025: a starter AND looked after 12 months at 31 March (OC2).
    ("C11", "01/04/2025", "S", "C2", "U1", "", "", "DE11 1AA", "U1100001"),
    # C12 starts on 2 April 2025: a starter, not in the OC2 cohort.
    ("C12", "02/04/2025", "S", "C2", "U1", "", "", "DE12 1AA", "U1200001"),
    # C13 placed for adoption with its foster carers (RNE T, A5), adopted (E11).
    ("C13", "01/01/2023", "S", "C2", "U1", "01/10/2025", "X1", "DE13 1AA", "U1300001"),
    ("C13", "01/10/2025", "T", "E1", "A5", "01/03/2026", "E11", "DE13 1AA", "U1300001"),
    # C14 adopted, consent dispensed (E12).
    ("C14", "01/01/2023", "S", "C2", "U1", "01/09/2025", "X1", "DE14 1AA", "U1400001"),
    ("C14", "01/09/2025", "P", "E1", "A4", "15/02/2026", "E12", "DE14 2AA", "A1400002"),
    # C15-C19 leavers: SGO E45, SGO E47, child arrangements order E41, transfer E3, and the
    # pre-2015 SGO code E43 (legacy, still an SGO).
    ("C15", "01/01/2022", "S", "C2", "U1", "01/12/2025", "E45", "DE15 1AA", "U1500001"),
    ("C16", "01/01/2022", "S", "C2", "U1", "01/12/2025", "E47", "DE16 1AA", "U1600001"),
    ("C17", "01/01/2022", "S", "C2", "U1", "01/12/2025", "E41", "DE17 1AA", "U1700001"),
    ("C18", "01/01/2022", "S", "C2", "U1", "01/12/2025", "E3", "DE18 1AA", "U1800001"),
    ("C19", "01/01/2014", "S", "C2", "U1", "01/12/2025", "E43", "DE19 1AA", "U1900001"),
    # C20 legal status change, same placement (RNE L): one spell since 2022, stable. Age 15.
    ("C20", "01/01/2022", "S", "C1", "U1", "01/03/2024", "X1", "DE20 1AA", "U2000001"),
    ("C20", "01/03/2024", "L", "C2", "U1", "", "", "DE20 1AA", "U2000001"),
    # C21 in a temporary placement (T2) on 31 March: the current placement is U2, since
    # 01/01/2023: stable; 1 placement in the year (the temporary one is not a placement).
    ("C21", "01/01/2021", "S", "C2", "U1", "01/01/2023", "X1", "DE21 1AA", "U2100001"),
    ("C21", "01/01/2023", "P", "C2", "U2", "20/03/2026", "X1", "DE21 2AA", "U2100002"),
    ("C21", "20/03/2026", "P", "C2", "T2", "", "", "DE21 9TT", "T2100009"),
    # C22 moved on 01/05/2024 (after 01/04/2024): long-term cohort, not stable. Age 8.
    ("C22", "01/01/2022", "S", "C2", "U1", "01/05/2024", "X1", "DE22 1AA", "U2200001"),
    ("C22", "01/05/2024", "P", "C2", "U2", "", "", "DE22 2AA", "U2200002"),
    # C23 boundaries: in care from exactly 01/10/2023 (2.5 years: in the cohort), placement
    # from exactly 01/04/2024 (2 years: stable). Age 9.
    ("C23", "01/10/2023", "S", "C2", "U1", "01/04/2024", "X1", "DE23 1AA", "U2300001"),
    ("C23", "01/04/2024", "P", "C2", "U2", "", "", "DE23 2AA", "U2300002"),
    # C24 in care from 02/10/2023: one day short of 2.5 years, outside the long-term cohort.
    ("C24", "02/10/2023", "S", "C2", "U1", "", "", "DE24 1AA", "U2400001"),
    # C25 16 on 31 March exactly (born 31/03/2010): outside long-term (under 16), in SDQ (5-16).
    ("C25", "01/01/2020", "S", "C2", "U1", "", "", "DE25 1AA", "U2500001"),
    # C26 10 on 31 March exactly (born 31/03/2016): in the convictions base, convicted.
    ("C26", "01/01/2020", "S", "C2", "U1", "", "", "DE26 1AA", "U2600001"),
    # C27 10 on 1 April (born 01/04/2016): 9 at 31 March, outside the convictions base.
    ("C27", "01/01/2020", "S", "C2", "U1", "", "", "DE27 1AA", "U2700001"),
    # C28 aged 4: an SDQ score given but outside the 5-16 SDQ base.
    ("C28", "01/06/2021", "S", "C2", "U1", "", "", "DE28 1AA", "U2800001"),
    # C29 aged 17: outside SDQ and long-term; in the convictions base.
    ("C29", "01/01/2020", "S", "C2", "U1", "", "", "DE29 1AA", "U2900001"),
    # C30 in the OC2 cohort with no oc2 row: in every OC2 denominator, no numerator.
    ("C30", "01/01/2020", "S", "C2", "U1", "", "", "DE30 1AA", "U3000001"),
    # C31 in the OC2 cohort with an oc2 row of blanks: the same.
    ("C31", "01/01/2020", "S", "C2", "U1", "", "", "DE31 1AA", "U3100001"),
    # C32 UASC whose status ceased 01/02/2026: UASC when starting, not at 31 March.
    ("C32", "01/05/2025", "S", "V2", "U1", "", "", "DE32 1AA", "U3200001"),
    # C33 UASC whose status ceased on 31 March itself: UASC when starting, not at 31 March.
    ("C33", "01/06/2025", "S", "V2", "U1", "", "", "DE33 1AA", "U3300001"),
]

HEADER = {
    "C01": "10/05/2015", "C02": "01/04/2009", "C03": "01/01/2010", "C04": "01/01/2015",
    "C05": "01/01/2012", "C06": "01/01/2013", "C07": "01/01/2012", "C08": "01/01/2014",
    "C10": "01/01/2014", "C11": "01/01/2018", "C12": "01/01/2018", "C13": "01/01/2022",
    "C14": "01/01/2021", "C15": "01/01/2014", "C16": "01/01/2014", "C17": "01/01/2014",
    "C18": "01/01/2014", "C19": "01/01/2012", "C20": "01/06/2010", "C21": "01/01/2014",
    "C22": "01/01/2018", "C23": "01/01/2017", "C24": "01/01/2017", "C25": "31/03/2010",
    "C26": "31/03/2016", "C27": "01/04/2016", "C28": "01/04/2021", "C29": "01/01/2009",
    "C30": "01/01/2012", "C31": "01/01/2013", "C32": "01/06/2008", "C33": "01/06/2008",
}  # fmt: skip

UASC = [("C03", ""), ("C32", "01/02/2026"), ("C33", "31/03/2026")]

# (CHILD, SDQ_SCORE, CONVICTED, HEALTH_CHECK, IMMUNISATIONS, TEETH_CHECK, HEALTH_ASSESSMENT,
#  SUBSTANCE_MISUSE)
OC2 = [
    ("C01", "12", "0", "", "1", "1", "1", "0"),
    ("C02", "20", "0", "", "1", "1", "1", "1"),
    ("C10", "8", "0", "", "0", "1", "1", "0"),
    ("C11", "", "0", "1", "1", "0", "1", "0"),  # no SDQ (SDQ_REASON given)
    ("C20", "15", "1", "", "1", "1", "1", "0"),
    ("C21", "41", "0", "", "1", "1", "0", "0"),  # 41: not a valid score (warning)
    ("C22", "5", "0", "1", "1", "1", "1", "0"),
    ("C23", "7", "0", "1", "0", "0", "1", "0"),
    ("C24", "9", "0", "1", "1", "1", "1", "0"),
    ("C25", "30", "0", "", "1", "1", "1", "1"),
    ("C26", "14", "1", "", "1", "1", "1", "0"),
    ("C27", "16", "1", "", "1", "0", "1", "0"),
    ("C28", "10", "0", "1", "1", "1", "1", "0"),
    ("C29", "25", "0", "", "0", "0", "0", "0"),
    ("C31", "", "", "", "", "", "", ""),
    ("C03", "3", "1", "", "1", "1", "1", "1"),  # not in the cohort: ignored (warning)
]

# (CHILD, DOB, IN_TOUCH, ACTIV, ACCOM)
OC3 = [
    ("L01", "31/03/2007", "YES", "F1", "D1"),  # 19 on 31 March: in; EET, HE, suitable
    ("L02", "01/04/2007", "YES", "F2", "D1"),  # 19 on 1 April: 18 all year, out
    ("L03", "01/04/2004", "NO", "0", "0"),  # 21 on 1 April 2025: in; LA not in touch
    ("L04", "31/03/2004", "YES", "F1", "D1"),  # 21 on 31 March 2025 (last year): out
    ("L05", "01/01/2006", "DIED", "0", "0"),  # died: out
    ("L06", "01/01/2006", "RHOM", "G5", "B1"),  # home for 6 months or more: out
    ("L07", "01/01/2006", "REFU", "G5", "G1"),  # in; NEET; abroad: outside accommodation
    ("L08", "01/06/2006", "NO", "F5", "U2"),  # in; EET known via others; unsuitable
    ("L09", "01/06/2005", "YES", "P1", "Z11"),  # in; EET, HE; ACCOM invalid -> not known
    ("L10", "01/06/2008", "YES", "F2", "D1"),  # 17: out
]

# (CHILD, MISSING, MIS_START)
MISSING = [
    ("C01", "M", "05/05/2025"),
    ("C02", "A", "10/10/2025"),
    ("C02", "M", "01/03/2025"),  # before the year
    ("C05", "M", "01/08/2025"),
    ("C07", "M", "01/06/2025"),  # short breaks only: not in the denominator
    ("C04", "A", "15/03/2026"),
]

POPULATION = 62_113  # Derby, ONS mid-2024 estimate of children aged 0-17

#: indicator -> (numerator, denominator); None for a count's denominator.
EXPECTED: dict[str, tuple[int, int | None]] = {
    # At 31 March: C01 C02 C03 C06 C08 C10 C11 C12 C20-C31 C32 C33
    "lacnum": (22, None),
    "lac": (22, POPULATION),
    # Starters: C03 C05 C06 C08 C11 C12 C32 C33
    "lacnum_start": (8, None),
    "lac_start_rate": (8, POPULATION),
    # Leavers: C04 C05 C06 C13 C14 C15 C16 C17 C18 C19
    "lacceased": (10, None),
    "lac_cease_rate": (10, POPULATION),
    "no_of_lac_adopted": (2, None),  # C13 C14
    "pct_of_lac_adopted": (2, 10),
    "lacnum_adopt_appunop": (1, None),
    "lacnum_adopt_consentdisp": (1, None),
    "lac_ceased_sgo": (3, None),  # C15 C16 C19
    "lac_ceased_sgopct": (3, 10),
    "lac_rethome_careplan_pct": (2, 10),  # C04 C06
    "lac_rethome_not_careplan_pct": (0, 10),  # C05's E4B was not its last
    "lac_ceased_caopct": (1, 10),  # C17
    "unacc_asylmn_seek_childn": (1, None),  # C03
    "unacc_asylmn_seek_childnpct": (1, 22),
    "uasc_pct_starting": (3, 8),  # C03 C32 C33
    "lacstablenum_2016on": (1, None),  # C03
    "lacstable_2016on": (1, 22),
    # Long-term cohort: C01 C10 C20 C21 C22 C23 C26 C27 C28 C30 C31; not stable: C10 C22
    "lac_longstablenum": (9, None),
    "lac_longstablepct": (9, 11),
    # OC2 cohort (16): C01 C02 C10 C11 C20-C31
    "lachealthpct": (12, 16),
    "lacvaccinationspct": (11, 16),
    "lacdentalpct": (10, 16),
    "lac_convictions": (2, 10),  # aged 10+: C01 C02 C10 C20 C21 C25 C26 C29 C30 C31
    "lacsubstance": (2, 16),  # C02 C25
    # SDQ 5-16 with a valid score: C01 C02 C10 C20 C22 C23 C24 C25 C26 C27 (sum 136)
    "emotional_lac": (136, 10),
    # Looked after in the year: the 22, C04 C05 C13-C19 = 31
    "children_missing": (2, 31),  # C01 C05
    "children_away": (2, 31),  # C02 C04
    # Care leavers: L01 L03 L07 L08 L09
    "nocareleavers": (5, None),
    "careleavereetnum": (3, None),  # L01 L08 L09
    "careleavereet": (3, 5),
    "careleaversneet": (1, 5),  # L07
    "lac_19_he_num": (2, None),  # L01 L09
    "lac_19_he": (2, 5),
    "nocareleaveracc": (1, None),  # L01
    "careleaveracc": (1, 4),  # L07 abroad is outside
    "careleavers_la_notintouch": (1, 5),  # L03
}

#: Values as published: one decimal place, half up (68.75 -> 68.8).
EXPECTED_VALUES = {
    "lac": 3.5,
    "lac_start_rate": 1.3,
    "lac_cease_rate": 1.6,
    "lacvaccinationspct": 68.8,
    "lacdentalpct": 62.5,
    "lac_longstablepct": 81.8,
    "unacc_asylmn_seek_childnpct": 4.5,
    "emotional_lac": 13.6,
    "children_missing": 6.5,
}


def tables() -> dict[str, pl.DataFrame]:
    """The extract as text frames in DfE's layout."""
    episodes = pl.DataFrame(
        [
            {
                "CHILD": c, "DECOM": decom, "RNE": rne, "LS": ls, "CIN": "N1", "PLACE": place,
                "PLACE_PROVIDER": "PR1", "DEC": dec, "REC": rec, "REASON_PLACE_CHANGE": "",
                "HOME_POST": "DE1 9ZZ", "PL_POST": post, "URN": urn,
            }
            for c, decom, rne, ls, place, dec, rec, post, urn in EPISODES
        ]
    ).select(EPISODE_COLUMNS)  # fmt: skip
    header = pl.DataFrame(
        {
            "CHILD": [*HEADER, *(r[0] for r in OC3)],
            "SEX": "1",
            "DOB": [*HEADER.values(), *(r[1] for r in OC3)],
            "ETHNIC": "WBRI",
            "UPN": "",
            "MOTHER": "",
            "MC_DOB": "",
        }
    )
    uasc = pl.DataFrame(
        {
            "CHILD": [c for c, _ in UASC],
            "SEX": "1",
            "DOB": [HEADER[c] for c, _ in UASC],
            "DUC": [d for _, d in UASC],
        }
    )
    oc2_columns = (
        "CHILD SDQ_SCORE CONVICTED HEALTH_CHECK IMMUNISATIONS TEETH_CHECK HEALTH_ASSESSMENT "
        "SUBSTANCE_MISUSE"
    ).split()
    oc2 = pl.DataFrame([dict(zip(oc2_columns, r, strict=True)) for r in OC2]).with_columns(
        DOB=pl.col("CHILD").replace_strict(HEADER),
        SDQ_REASON=pl.when(pl.col("SDQ_SCORE") == "").then(pl.lit("SDQ1")).otherwise(pl.lit("")),
        INTERVENTION_RECEIVED=pl.lit(""),
        INTERVENTION_OFFERED=pl.lit(""),
    )
    oc3 = pl.DataFrame(OC3, schema=["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"], orient="row")
    missing = pl.DataFrame(
        MISSING, schema=["CHILD", "MISSING", "MIS_START"], orient="row"
    ).with_columns(DOB=pl.col("CHILD").replace_strict(HEADER), MIS_END=pl.col("MIS_START"))
    return {
        "header": header,
        "episodes": episodes,
        "uasc": uasc,
        "oc2": oc2.select(
            "CHILD DOB SDQ_SCORE SDQ_REASON CONVICTED HEALTH_CHECK IMMUNISATIONS TEETH_CHECK "
            "HEALTH_ASSESSMENT SUBSTANCE_MISUSE INTERVENTION_RECEIVED INTERVENTION_OFFERED".split()
        ),
        "oc3": oc3,
        "missing": missing.select("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    }


def write(folder: Path, *, names: dict[str, str] | None = None) -> Path:
    """Write the extract as CSV files (``names`` renames any file: found by its columns)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in tables().items():
        blank_as_empty = frame.with_columns(pl.all().replace("", None))  # as exports write them
        blank_as_empty.write_csv(folder / f"{(names or {}).get(table, table)}.csv")
    return folder
