"""Closed vocabularies shared by the schemas, the readers and the comparison engine."""

from __future__ import annotations

#: Statuses of an observation whose value is published (value is not null).
VALUE_STATUSES: frozenset[str] = frozenset(
    {
        "published",  # as published, no qualifier in the label
        "provisional",  # label carries "(prov)"
        "revised",  # label carries "(Rev)"
        "final",  # label carries "(Final)"
        "outturn",  # finance outturn, label carries "(OT)"
        "local",  # an LA's own figure, not yet published (or validated) by DfE
    }
)

#: Statuses of an observation with no value (value is null). Never turned into 0.
NULL_STATUSES: frozenset[str] = frozenset(
    {
        "suppressed",  # GSS "c": confidential / suppressed to protect individuals
        "not_available",  # GSS "x", ":", "..", LAIT "-": not collected or not published
        "not_applicable",  # GSS "z"
        "low",  # GSS "low" / "k": rounds to zero but is not zero
        "unreliable",  # GSS "u": too unreliable to publish
    }
)

STATUSES: frozenset[str] = VALUE_STATUSES | NULL_STATUSES
#: Statuses a published observation may have (an LA's own figures are a separate layer).
PUBLISHED_STATUSES: frozenset[str] = STATUSES - {"local"}

#: Published symbols (GSS / EES / LAIT) -> status. Anything else that is not a number is an error.
SYMBOL_STATUS: dict[str, str] = {
    "c": "suppressed",
    "x": "not_available",
    ":": "not_available",
    "..": "not_available",
    "-": "not_available",
    "z": "not_applicable",
    "low": "low",
    "k": "low",
    "u": "unreliable",
}

POLARITIES: frozenset[str] = frozenset({"high", "low", "neutral"})

#: Verdicts of a significance test that say the area differs from its benchmark (better or
#: worse by polarity; higher or lower without one).
DIFFERENCE_VERDICTS: frozenset[str] = frozenset({"better", "worse", "higher", "lower"})

#: Units and the range a value in that unit may take (None = unbounded).
UNIT_RANGES: dict[str, tuple[float | None, float | None]] = {
    "percent": (0.0, 100.0),  # a share of a whole: 0-100
    # A percentage whose numerator is not a subset of its denominator (take-up against an
    # estimated population, suspensions per pupil): DfE publishes values above 100.
    "percent_ratio": (0.0, None),
    "percentage_points": (None, None),  # a gap between two percentages; may be negative
    "rate_per_1000": (0.0, None),
    "rate_per_10000": (0.0, None),
    "rate_per_100000": (0.0, None),
    "count": (0.0, None),
    "fte": (0.0, None),  # full-time equivalent staff
    "currency": (None, None),  # spend can be net negative
    "score": (None, None),  # attainment / progress scores; progress may be negative
}
UNITS: frozenset[str] = frozenset(UNIT_RANGES)

#: Multiplier that turns a proportion into the unit (for confidence intervals).
UNIT_MULTIPLIER: dict[str, float] = {
    "percent": 100.0,
    "percent_ratio": 100.0,
    "rate_per_1000": 1_000.0,
    "rate_per_10000": 10_000.0,
    "rate_per_100000": 100_000.0,
}

AREA_LEVELS: frozenset[str] = frozenset({"national", "regional", "sub_regional", "local_authority"})

PERIOD_TYPES: frozenset[str] = frozenset(
    {
        "academic_year",
        "financial_year",
        "calendar_year",
        "reporting_year",  # "Annual": a count at 31 March
        "annual_september",  # workforce census at 30 September
        "annual_january",  # school census in January
    }
)

#: Ofsted's four grades (ILACS), best first.
OFSTED_GRADES: tuple[str, ...] = (
    "Outstanding",
    "Good",
    "Requires improvement to be good",
    "Inadequate",
)
#: Ofsted's ILACS judgements: column in lacompare -> heading in Ofsted's publication.
OFSTED_JUDGEMENTS: dict[str, str] = {
    "overall_effectiveness": "Overall effectiveness",
    "leaders": "The impact of leaders on social work practice with children and families",
    "help_and_protection": "The experiences and progress of children who need help and protection",
    "children_in_care": "The experiences and progress of children in care",
    "care_leavers": "The experiences and progress of care leavers",
}
