"""A small CIN census return for Derby, 2025-26, whose every figure was worked out child by
child (tests/test_cin.py states the answers and why). Each child exercises an edge of the
definitions: the first and last day of the year, exactly 12 months, exactly 45 and 15
working days across bank holidays, a same-day assessment, closure and plan end on 31 March,
729 days, a review on its due date, absent elements."""

from __future__ import annotations

from datetime import date as d

CURRENT = [
    # K1: referred on the first day of the year (schools); assessment A1 41 working days
    # (Fri 11 Apr to Fri 13 Jun 2025, less Good Friday, Easter Monday and two May bank
    # holidays): in time. Open at 31 March: 6 to 12 months.
    {"id": "K1", "birth": d(2015, 1, 1), "episodes": [
        {"referral": d(2025, 4, 1), "source": "2A", "need": "N1", "nfa": False,
         "assessments": [{"start": d(2025, 4, 11), "authorised": d(2025, 6, 13)}]}]},
    # K2: an episode referred 31 March 2025 (last year), closed 10 April (ceased, under 3
    # months); an NFA referral on the last day of the year (police), exactly 12 months after
    # the first: a re-referral (PROPOSED: inclusive).
    {"id": "K2", "birth": d(2012, 5, 5), "episodes": [
        {"referral": d(2025, 3, 31), "source": "1A", "need": "N2", "nfa": False,
         "closure": d(2025, 4, 10), "reason": "RC1"},
        {"referral": d(2026, 3, 31), "source": "6", "need": "N9", "nfa": True,
         "closure": d(2026, 3, 31), "reason": "RC8"}]},
    # K3: health (3B); assessment A2 exactly 45 working days (to Thu 19 Jun): in time;
    # closed that day, assessed not in need (RC8).
    {"id": "K3", "birth": d(2010, 2, 2), "episodes": [
        {"referral": d(2025, 4, 10), "source": "3B", "need": "N1", "nfa": False,
         "closure": d(2025, 6, 19), "reason": "RC8",
         "assessments": [{"start": d(2025, 4, 11), "authorised": d(2025, 6, 19)}]}]},
    # K4: health (3F); assessment A3 46 working days: late; closed ON 31 March (PROPOSED: not
    # in need at 31 March), ceased after 6 to 12 months.
    {"id": "K4", "birth": d(2011, 3, 3), "episodes": [
        {"referral": d(2025, 4, 10), "source": "3F", "need": "N3", "nfa": False,
         "closure": d(2026, 3, 31), "reason": "RC1",
         "assessments": [{"start": d(2025, 4, 11), "authorised": d(2025, 6, 20)}]}]},
    # K5: same-day assessment (0 days); s47 Wed 2 Jul, ICPC exactly 15 working days later
    # (Wed 23 Jul): in time; plan from the ICPC, reviewed on its due date (23 Oct).
    {"id": "K5", "birth": d(2016, 6, 6), "episodes": [
        {"referral": d(2025, 7, 1), "source": "1A", "need": "N1", "nfa": False,
         "assessments": [{"start": d(2025, 7, 1), "authorised": d(2025, 7, 1)}],
         "s47s": [{"start": d(2025, 7, 2), "icpc": d(2025, 7, 23)}],
         "plans": [{"start": d(2025, 7, 23), "category": "NEG", "previous": 0,
                    "reviews": [d(2025, 10, 23)]}]}]},
    # K6: referred January 2024 (2 years or more at 31 March); an assessment authorised on
    # 31 March 2025 (last year: not counted); an earlier plan (2024); an s47 begun Fri 28
    # March 2025 with its ICPC on Tue 8 April (7 working days); the plan from it has no
    # NumberOfPreviousCPP (PROPOSED: the earlier plan makes it a repeat) and its first review
    # a day late.
    {"id": "K6", "birth": d(2014, 4, 4), "episodes": [
        {"referral": d(2024, 1, 15), "source": "4", "need": "N1", "nfa": False,
         "assessments": [{"start": d(2025, 3, 1), "authorised": d(2025, 3, 31)}],
         "s47s": [{"start": d(2025, 3, 28), "icpc": d(2025, 4, 8)}],
         "plans": [
             {"start": d(2024, 2, 1), "end": d(2024, 12, 1), "category": "EMO", "previous": 0,
              "reviews": [d(2024, 4, 20), d(2024, 10, 10)]},
             {"start": d(2025, 4, 8), "category": "NEG", "previous": None,
              "reviews": [d(2025, 7, 9)]}]}]},
    # K7: transferred in: the ICPC on the episode (no s47); a third plan (two before), ending
    # ON 31 March (PROPOSED: not on a plan at 31 March; ceased in the year after 207 days).
    {"id": "K7", "birth": d(2013, 7, 7), "episodes": [
        {"referral": d(2025, 9, 1), "source": "10", "need": "N1", "nfa": False,
         "icpc": d(2025, 9, 5),
         "plans": [{"start": d(2025, 9, 5), "end": d(2026, 3, 31), "category": "PHY",
                    "previous": 2, "reviews": [d(2025, 12, 1)]}]}]},
    # K8: in need since 2023; an assessment begun last year and authorised on the first day of
    # this one (8 working days); a plan from 1 April 2024, open at 31 March after exactly 729
    # days, every review in time (one on its due date).
    {"id": "K8", "birth": d(2012, 8, 8), "episodes": [
        {"referral": d(2023, 1, 10), "source": "5A", "need": "N1", "nfa": False,
         "assessments": [{"start": d(2025, 3, 20), "authorised": d(2025, 4, 1)}],
         "plans": [{"start": d(2024, 4, 1), "category": "NEG", "previous": 1,
                    "reviews": [d(2024, 6, 20), d(2024, 12, 20), d(2025, 6, 1),
                                d(2025, 11, 30)]}]}]},
    # K9, K10: plans of 729 and 728 days ending in the year; episodes ceased after 2 years.
    {"id": "K9", "birth": d(2012, 9, 9), "episodes": [
        {"referral": d(2023, 5, 1), "source": "8", "need": "N1", "nfa": False,
         "closure": d(2025, 6, 15), "reason": "RC2",
         "plans": [{"start": d(2023, 6, 1), "end": d(2025, 5, 30), "category": "NEG",
                    "previous": 0, "reviews": [d(2023, 8, 1)]}]}]},
    {"id": "K10", "birth": d(2012, 10, 10), "episodes": [
        {"referral": d(2023, 5, 1), "source": "8", "need": "N1", "nfa": False,
         "closure": d(2025, 5, 29), "reason": "RC3",
         "plans": [{"start": d(2023, 6, 1), "end": d(2025, 5, 29), "category": "SAB",
                    "previous": 0, "reviews": [d(2023, 8, 1)]}]}]},
    # K11: an unborn child (expected birth after the census date), health (3A), under 3 months.
    {"id": "K11", "expected_birth": d(2026, 5, 1), "episodes": [
        {"referral": d(2026, 1, 10), "source": "3A", "need": "N1", "nfa": False}]},
    # K12: an NFA referral left open (not in need).
    {"id": "K12", "birth": d(2017, 12, 12), "episodes": [
        {"referral": d(2025, 5, 1), "source": "5A", "need": "N9", "nfa": True}]},
    # K13: referred 1 December 2025 (3 to 6 months); its earlier referral (January 2025) is in
    # last year's return only: a re-referral only with previous=.
    {"id": "K13", "birth": d(2011, 11, 11), "episodes": [
        {"referral": d(2025, 12, 1), "source": "8", "need": "N1", "nfa": False}]},
    # K14: an NFA referral, then a re-referral two months later (6 to 12 months at 31 March).
    {"id": "K14", "birth": d(2014, 2, 14), "episodes": [
        {"referral": d(2025, 4, 20), "source": "4", "need": "N9", "nfa": True,
         "closure": d(2025, 4, 20), "reason": "RC8"},
        {"referral": d(2025, 6, 20), "source": "9", "need": "N1", "nfa": False}]},
    # K16: an s47 begun on the last day of the year (no ICPC needed); an open assessment.
    {"id": "K16", "birth": d(2016, 1, 16), "episodes": [
        {"referral": d(2026, 3, 20), "source": "2B", "need": "N1", "nfa": False,
         "assessments": [{"start": d(2026, 3, 25), "authorised": None}],
         "s47s": [{"start": d(2026, 3, 31), "not_required": True}]}]},
    # K17: s47 Fri 1 Aug, ICPC Mon 1 Sep: 20 working days (late; the August bank holiday).
    {"id": "K17", "birth": d(2015, 1, 17), "episodes": [
        {"referral": d(2025, 8, 1), "source": "1B", "need": "N1", "nfa": False,
         "s47s": [{"start": d(2025, 8, 1), "icpc": d(2025, 9, 1)}]}]},
    # K18: s47 Wed 1 Oct, ICPC Wed 5 Nov: 25 working days; ceased after 3 to 6 months.
    {"id": "K18", "birth": d(2015, 1, 18), "episodes": [
        {"referral": d(2025, 10, 1), "source": "7", "need": "N1", "nfa": False,
         "closure": d(2026, 1, 15), "reason": "RC4",
         "s47s": [{"start": d(2025, 10, 1), "icpc": d(2025, 11, 5)}]}]},
    # K19: referred 31 March 2025: exactly 12 months at 31 March (1 to 2 years).
    {"id": "K19", "birth": d(2015, 1, 19), "episodes": [
        {"referral": d(2025, 3, 31), "source": "1A", "need": "N1", "nfa": False}]},
    # K20: transferred in on 31 December (health, 3C): a plan with no review, due ON 31 March
    # and not held: not reviewed in time.
    {"id": "K20", "birth": d(2015, 1, 20), "episodes": [
        {"referral": d(2025, 12, 1), "source": "3C", "need": "N1", "nfa": False,
         "icpc": d(2025, 12, 31),
         "plans": [{"start": d(2025, 12, 31), "category": "NEG", "previous": 0,
                    "reviews": []}]}]},
]  # fmt: skip

PREVIOUS = [
    {"id": "K13", "birth": d(2011, 11, 11), "episodes": [
        {"referral": d(2025, 1, 10), "source": "1A", "need": "N1", "nfa": False,
         "closure": d(2025, 2, 10), "reason": "RC2"}]},
    {"id": "K2", "birth": d(2012, 5, 5), "episodes": [
        {"referral": d(2025, 3, 31), "source": "1A", "need": "N2", "nfa": False}]},
]  # fmt: skip

DERBY_CHILDREN = 62_113  # the ONS mid-year estimate of children aged 0-17 the data holds
P = DERBY_CHILDREN
#: (numerator, denominator) for every indicator, worked out child by child (see above).
EXPECTED: dict[str, tuple[int, int | None]] = {
    # Referrals in the year: K1, K2 (NFA), K3, K4, K5, K7, K11, K12, K13, K14 x2, K16, K17,
    # K18, K20.
    "cpp_total_numref": (15, None),
    "cpp_total_rateper10_000": (15, P),
    "rereferral": (3, 15),  # K2 (exactly 12 months), K13 (previous return), K14
    "cin_refferals_nfa": (3, 15),  # K2, K12, K14's first
    "referrals_assessednotneed": (1, 15),  # K3
    "refbysource_schl_pct": (1, 15),  # K1 (2A; K16's 2B is not schools)
    "refbysource_healthserv_pct": (4, 15),  # K3, K4, K11, K20
    "refbysource_police_pct": (1, 15),  # K2
    "continue_assess_comp": (4, 5),  # K1 41, K3 45, K5 0, K8 8 in time; K4 46 late
    "section_47": (4, P),  # K5, K16, K17, K18 (K6's began last year)
    "iscp_conf": (6, P),  # K5, K6, K17, K18 at the s47; K7, K20 transferred in
    "cp_conf_15days": (2, 4),  # K6 7, K5 15 in time; K17 20, K18 25
    "10_icpc": (1, None),
    "15_icpc": (1, None),
    "20_icpc": (1, None),
    "21_icpc": (1, None),
    # In need at 31 March: K1, K5, K6, K7, K8, K11, K13, K14, K16, K17, K19, K20.
    "cin": (12, P),
    "cintime3months": (2, 12),  # K11, K16
    "cintime3_6": (2, 12),  # K13, K20
    "cintime6_1": (5, 12),  # K1, K5, K7, K14, K17
    "cintime1_2": (1, 12),  # K19 (exactly 12 months)
    "cintime2more": (2, 12),  # K6, K8
    # Ceased in the year (not NFA, not RC8/RC9): K2's first, K4, K9, K10, K18.
    "cincease3months": (1, 5),
    "cincease3_6": (1, 5),
    "cincease6_1": (1, 5),
    "cincease1_2": (0, 5),
    "cincease2more": (2, 5),
    # On a plan at 31 March: K5, K6, K8, K20 (K7's ended ON 31 March).
    "cpp_num": (4, None),
    "cpp_rate": (4, P),
    "cpp_abuse": (4, None),  # started in the year: K5, K6, K7, K20
    "cpp_abuse_rate": (4, P),
    "reregcpr": (2, None),  # K6 (an earlier plan), K7 (two before)
    "prevregcpr": (2, 4),
    "cpplans2yrs": (1, 3),  # ended in the year: K7, K9 (729 days), K10 (728)
    "cprduration": (1, None),
    "cpplans2yrsactive": (1, 4),  # K8 (exactly 729 days)
    "deregcpr": (3, P),
    "cpp_31march_3mnthormore": (4, None),  # K5, K6, K8, K20 (began 31 December)
    "cpp_reviewed_inreqtimescl": (2, None),  # K5, K8
    "revcp": (2, 4),
}
