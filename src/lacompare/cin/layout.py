"""DfE's CIN census return: the elements lacompare reads, the tables it flattens them into,
and the code lists the figures depend on (data-to-insight's csc-validator-be-cin shows the
layout and lists; DfE's CIN census guide defines them).

A return is ``Message/Header/CollectionDetails`` (``Collection``, ``Year``, ``ReferenceDate``)
and ``Header/Source/LEA`` (the LA's DfE number), then ``Message/Children/Child``: each child's
``ChildIdentifiers`` and one or more ``CINdetails`` (an episode of need), holding repeated
``Assessments``, ``CINPlanDates``, ``Section47`` and ``ChildProtectionPlans`` (each with its
``Reviews/CPPreviewDate``). Any element may be absent: absent is unknown, never zero.
"""

from __future__ import annotations

#: ReasonForClosure: RC1-RC9 (RC8: closed after assessment, no further action; RC9: closed
#: after assessment, referred to early help).
REASONS_FOR_CLOSURE = frozenset(f"RC{n}" for n in range(1, 10))
ASSESSED_NOT_IN_NEED = ("RC8", "RC9")
#: PrimaryNeedCode: N0-N9.
PRIMARY_NEED = frozenset(f"N{n}" for n in range(10))
#: ReferralSource codes.
REFERRAL_SOURCES = frozenset("1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10".split())
#: Referral sources the published shares group: schools (2A), health services (3A-3F: GP,
#: health visitor, school nurse, other primary health, A&E, other health), police (6).
SOURCE_GROUPS = {
    "refbysource_schl_pct": ("2A",),
    "refbysource_healthserv_pct": ("3A", "3B", "3C", "3D", "3E", "3F"),
    "refbysource_police_pct": ("6",),
}
#: Categories of abuse.
CATEGORIES_OF_ABUSE = frozenset(["NEG", "PHY", "SAB", "EMO", "MUL"])
#: Booleans as the census writes them.
TRUE_TEXT = frozenset(["1", "true"])
BOOLEAN_TEXT = frozenset(["1", "0", "true", "false"])

#: The flattened tables and their columns (text as read; :mod:`.parse` types them). ``child``
#: is the LAchildID; ``episode``, ``plan`` number the repeated groups within a child (from 1).
TABLES: dict[str, tuple[str, ...]] = {
    "children": ("child", "upn", "birth", "expected_birth", "sex", "death"),
    "episodes": (
        "child",
        "episode",
        "referral",
        "source",
        "need",
        "closure",
        "reason",
        "icpc",
        "nfa",
    ),
    "assessments": ("child", "episode", "start", "authorised"),
    "cin_plans": ("child", "episode", "start", "end"),
    "s47s": ("child", "episode", "start", "icpc_target", "icpc", "icpc_not_required"),
    "plans": (
        "child",
        "episode",
        "plan",
        "start",
        "end",
        "initial_category",
        "latest_category",
        "previous_plans",
    ),
    "reviews": ("child", "episode", "plan", "review"),
}

#: Element -> column, per group (the census names, as written in the return).
ELEMENTS: dict[str, dict[str, str]] = {
    "children": {
        "LAchildID": "child",
        "UPN": "upn",
        "PersonBirthDate": "birth",
        "ExpectedPersonBirthDate": "expected_birth",
        "Sex": "sex",
        "GenderCurrent": "sex",
        "PersonDeathDate": "death",
    },
    "episodes": {
        "CINreferralDate": "referral",
        "ReferralSource": "source",
        "PrimaryNeedCode": "need",
        "CINclosureDate": "closure",
        "ReasonForClosure": "reason",
        "DateOfInitialCPC": "icpc",
        "ReferralNFA": "nfa",
    },
    "assessments": {
        "AssessmentActualStartDate": "start",
        "AssessmentAuthorisationDate": "authorised",
    },
    "cin_plans": {"CINPlanStartDate": "start", "CINPlanEndDate": "end"},
    "s47s": {
        "S47ActualStartDate": "start",
        "InitialCPCtarget": "icpc_target",
        "DateOfInitialCPC": "icpc",
        "ICPCnotRequired": "icpc_not_required",
    },
    "plans": {
        "CPPstartDate": "start",
        "CPPendDate": "end",
        "InitialCategoryOfAbuse": "initial_category",
        "LatestCategoryOfAbuse": "latest_category",
        "NumberOfPreviousCPP": "previous_plans",
    },
}

#: Date columns, per table, with the element each came from (errors name the element).
DATES: dict[str, dict[str, str]] = {
    table: {
        column: element
        for element, column in ELEMENTS.get(table, {}).items()
        if "Date" in element or element == "InitialCPCtarget"
    }
    for table in TABLES
}
DATES["reviews"] = {"review": "CPPreviewDate"}
