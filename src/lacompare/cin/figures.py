"""An LA's own CIN and child protection figures from its CIN census return, by DfE's
definitions: :func:`figures_from_cin`.

The steps, one module each: :mod:`.read` parses the XML (hardened, streaming) into flat
tables; :mod:`.parse` types them and checks the rules that change the figures;
:mod:`.measures` counts every indicator; this module checks the return is the LA's and the
year's, and puts the figures together as local figures that
:meth:`lacompare.ReferenceData.with_local` reads as they are.
"""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from lacompare.cin.days import bank_holidays
from lacompare.cin.measures import counts
from lacompare.cin.parse import check_rules, problems_frame, typed_tables
from lacompare.cin.read import CinReturn, read_return
from lacompare.errors import (
    DataValidationError,
    InvalidArgumentError,
    LacompareError,
    reading,
    whole_number,
)
from lacompare.own_figures import CollectionYear, own_figures

if TYPE_CHECKING:
    from lacompare.reference import ReferenceData

#: The definitions every figure is derived by (``docs/cin_census.md``).
RULE_VERSION = "lacompare CIN census definitions v1"
SHOWN_PROBLEMS = 20

#: The PROPOSED rule each figure rests on, said in its note (``docs/cin_census.md``).
PROPOSED: dict[str, str] = {
    "rereferral": "PROPOSED: a referral exactly 12 months after an earlier one is a "
    "re-referral, and children are matched across returns on LAchildID",
    "referrals_assessednotneed": "PROPOSED: counted in the year the episode closed",
    "refbysource_schl_pct": "PROPOSED: schools are source 2A only (2B, other education "
    "services, left out)",
    "continue_assess_comp": "PROPOSED: working days after the start up to and including "
    "the authorisation",
    "cp_conf_15days": "PROPOSED: working days after the s47 start up to and including the ICPC",
    **{
        f"{n}_icpc": "PROPOSED: working days after the s47 start up to and including the ICPC"
        for n in (10, 15, 20, 21)
    },
    "cin": "PROPOSED: an episode closed on 31 March is not open at 31 March, and an "
    "absent ReferralNFA is false",
    **{
        f"cintime{s}": "PROPOSED: months counted forward from the referral, clamped to the "
        "month's end (exactly 3 months falls in 3 to 6 months)"
        for s in ("3months", "3_6", "6_1", "1_2", "2more")
    },
    **{
        f"cincease{s}": "PROPOSED: closures after assessment (RC8, RC9) and NFA referrals "
        "left out, months counted forward from the referral"
        for s in ("3months", "3_6", "6_1", "1_2", "2more")
    },
    "cpp_num": "PROPOSED: a plan ending on 31 March is not open at 31 March",
    "cpp_rate": "PROPOSED: a plan ending on 31 March is not open at 31 March",
    "reregcpr": "PROPOSED: where NumberOfPreviousCPP is absent, an earlier plan for the child "
    "in the return (or the previous one)",
    "prevregcpr": "PROPOSED: where NumberOfPreviousCPP is absent, an earlier plan for the "
    "child in the return (or the previous one)",
    "cpplans2yrsactive": "PROPOSED: children on a plan at 31 March whose plan had run 729 "
    "days or more",
    "cpp_31march_3mnthormore": "PROPOSED: a plan that began on 31 December counts",
    "cpp_reviewed_inreqtimescl": "PROPOSED: first review within 3 months of the start, each "
    "later one within 6 months of the last, none overdue at 31 March",
    "revcp": "PROPOSED: first review within 3 months of the start, each later one within 6 "
    "months of the last, none overdue at 31 March",
}
#: Figures that look back to earlier referrals or plans (``previous=``).
LOOK_BACK = ("rereferral", "reregcpr", "prevregcpr")
#: Which figures a warning on a table's element changes.
WARNED = {
    ("plans", "NumberOfPreviousCPP"): ("reregcpr", "prevregcpr"),
    ("assessments", "AssessmentActualStartDate"): ("continue_assess_comp",),
    ("s47s", "DateOfInitialCPC"): ("cp_conf_15days", "10_icpc", "15_icpc", "20_icpc", "21_icpc"),
    ("reviews", "CPPreviewDate"): ("cpp_reviewed_inreqtimescl", "revcp"),
    ("episodes", "ReasonForClosure"): (
        "referrals_assessednotneed",
        *(f"cincease{s}" for s in ("3months", "3_6", "6_1", "1_2", "2more")),
    ),
}


class CinWarning(UserWarning):
    """Figures were derived, with notes the analyst should read."""


def figures_from_cin(
    source: str | Path,
    *,
    la: str | int | None = None,
    year: int,
    previous: str | Path | None = None,
    ref: ReferenceData | None = None,
) -> pl.DataFrame:
    """The LA's own CIN and child protection figures for the collection year ending 31 March
    ``year`` (2026 = 1 April 2025 to 31 March 2026) from its CIN census return (the XML file
    it sends DfE). ``previous`` is last year's return, read only to look back for
    re-referrals and earlier plans; without it those figures still come, and their notes say
    the look-back used this return alone. ``la`` may be left out: the return's LEA code says
    whose it is (given, it must agree).

    Returns the same validated frame as :func:`lacompare.figures_from_903` (``area``,
    ``indicator_id``, ``period``, ``value``, ``numerator``, ``denominator``, ``status``
    "local", ``rule_version``, ``source``, ``note``), which ``ref.with_local(frame)`` takes as
    it is. Errors in the return (an impossible date, a code not on DfE's list, a closure
    before its referral, overlapping episodes...) raise
    :class:`~lacompare.errors.DataValidationError` naming the child, element, value and rule;
    warnings reach the figures' notes and one :class:`CinWarning`.
    """
    collection = CollectionYear(_checked_year(year))
    if ref is None:
        from lacompare.reference import load_reference  # the embedded data, only when needed

        ref = load_reference()
    with reading(source, "reading the CIN census return"):
        read = read_return(source)
    area = _whose(read, la, ref)
    census = _census_date(read, collection)
    tables, problems = _checked(read, census)
    earlier = None
    if previous is not None:
        with reading(previous, "reading the previous CIN census return"):
            earlier_read = read_return(previous)
        _whose(earlier_read, area["area_code"], ref)  # another LA's return raises
        earlier, _ = _checked(
            earlier_read, _census_date(earlier_read, CollectionYear(collection.year - 1))
        )
    mid_year, population = ref.child_population(area["area_code"])
    holidays = bank_holidays(1990, collection.year)
    totals = counts(tables, earlier, collection, population, holidays)
    return _figures(totals, problems, read, collection, area["name"], (population, mid_year),
                    earlier is not None)  # fmt: skip


def _checked_year(year: object) -> int:
    value = whole_number("year", year, minimum=2000)
    today = date.today()
    latest = today.year + (today.month > 3)
    if value > latest:
        raise InvalidArgumentError(
            f"year={value}: the collection year ending 31 March {value} has not begun (rule: a "
            f"year up to {latest})"
        )
    return value


def _whose(read: CinReturn, la: object, ref: ReferenceData) -> dict[str, Any]:
    """The LA the return is for: its LEA code (DfE number), which ``la`` must agree with."""
    named = None
    if read.lea is not None:
        try:
            named = ref.find_area(int(read.lea), current=True)
        except (ValueError, LacompareError):
            if la is None:
                raise DataValidationError(
                    f"{read.source}: Header/Source/LEA {read.lea!r} is not a current local "
                    "authority's DfE number (rule: LEA is the LA's 3-digit number, e.g. 831); "
                    "give la= to say whose return it is"
                ) from None
    if la is None:
        if named is None:
            raise DataValidationError(
                f"{read.source}: the return has no Header/Source/LEA; give la= to say whose it is"
            )
        return named
    asked = ref.find_area(la, current=True)  # type: ignore[arg-type]
    if named is not None and named["area_code"] != asked["area_code"]:
        raise DataValidationError(
            f"{read.source}: the return is {named['name']}'s (LEA {read.lea}), not "
            f"{asked['name']}'s (la={la!r}) (rule: the return is the LA's own)"
        )
    if named is None and read.lea is not None:
        raise DataValidationError(
            f"{read.source}: Header/Source/LEA {read.lea!r} is not {asked['name']}'s DfE number "
            f"({asked['old_la_code']}) (rule: the return is the LA's own)"
        )
    return asked


def _census_date(read: CinReturn, collection: CollectionYear) -> date:
    """The ReferenceDate, which must be 31 March of the year asked."""
    if read.collection is not None and read.collection.strip().upper() != "CIN":
        raise DataValidationError(
            f"{read.source}: Header/CollectionDetails/Collection is {read.collection!r}, not "
            "'CIN' (rule: a Children in Need census return)"
        )
    text = read.reference_date
    try:
        census = date.fromisoformat(text or "")
    except ValueError:
        raise DataValidationError(
            f"{read.source}: Header/CollectionDetails/ReferenceDate {text!r} is not a date "
            "written YYYY-MM-DD (rule: the census date, 31 March)"
        ) from None
    if census != collection.end:
        raise DataValidationError(
            f"{read.source}: the return's ReferenceDate is {census:%d %B %Y}, but year="
            f"{collection.year} asks for the year ending {collection.end:%d %B %Y} (rule: the "
            "return is for the collection year asked)"
        )
    return census


def _checked(read: CinReturn, census: date) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """The typed tables and their warnings; errors raise."""
    with reading(read.source, "checking the CIN census return's values and rules"):
        tables, problems = typed_tables(read.tables)
        problems = problems_frame([problems, check_rules(tables, census), _year_note(read, census)])
    errors = problems.filter(pl.col("severity") == "error")
    if errors.height:
        _raise(errors, read.source)
    return tables, problems


def _year_note(read: CinReturn, census: date) -> pl.DataFrame:
    if read.year is None or read.year.strip() == str(census.year):
        return problems_frame([])
    return pl.DataFrame(
        [
            {
                "child": None,
                "table": "header",
                "element": "Year",
                "value": read.year,
                "rule": f"agrees with the ReferenceDate ({census:%Y-%m-%d}); the ReferenceDate "
                "is used",
                "severity": "warning",
            }
        ]
    )


def _raise(errors: pl.DataFrame, source: Path) -> None:
    shown = errors.head(SHOWN_PROBLEMS)
    lines = [f"{source}: the CIN census return has {errors.height} error(s):"] + [
        f"  - child {child or '(no LAchildID)'}, {element}: value {value!r} breaks the rule: "
        f"{element} {rule}"
        for child, element, value, rule in shown.select(
            "child", "element", "value", "rule"
        ).iter_rows()
    ]
    if errors.height > SHOWN_PROBLEMS:
        lines.append(f"  ... and {errors.height - SHOWN_PROBLEMS:,} more")
    raise DataValidationError("\n".join(lines), failures=errors)


def _figures(
    totals: pl.DataFrame,
    problems: pl.DataFrame,
    read: CinReturn,
    year: CollectionYear,
    name: str,
    population: tuple[int, int],
    looked_back: bool,
) -> pl.DataFrame:
    """The figures with their notes; a percentage with nobody in its denominator is not
    produced (its note is warned)."""
    empty = totals.filter(pl.col("denominator") == 0)
    totals = totals.filter(~(pl.col("denominator") == 0).fill_null(False))
    notes = _notes(totals, problems, population, looked_back)
    warned = problems.filter(pl.col("severity") == "warning")
    if warned.height or empty.height:
        not_produced = ", ".join(empty.get_column("indicator_id").to_list())
        warnings.warn(
            CinWarning(
                f"{read.source.name}: {warned.height} warning(s) on the figures"
                + (f"; not produced (nobody in the denominator): {not_produced}" if not_produced
                   else "")
            ),
            stacklevel=3,
        )  # fmt: skip
    return own_figures(
        totals,
        area=name,
        year=year,
        rule_version=RULE_VERSION,
        source=f"CIN census return {read.source.name} ({year.label})",
        note=pl.col("indicator_id").replace_strict(notes, default=None, return_dtype=pl.String),
    )


def _notes(
    totals: pl.DataFrame, problems: pl.DataFrame, population: tuple[int, int], looked_back: bool
) -> dict[str, str | None]:
    """Each figure's note: the population a rate used, the PROPOSED rule it rests on, the
    look-back, and the warnings on the elements it reads."""
    count, mid_year = population
    warned: dict[str, list[str]] = {}
    grouped = (
        problems.filter(pl.col("severity") == "warning")
        .group_by("table", "element", "rule")
        .agg(n=pl.len(), children=pl.col("child").drop_nulls().head(3))
        .sort("table", "element")
    )
    for table, element, rule, n, children in grouped.iter_rows():
        shown = ", ".join(children) + (", ..." if n > len(children) else "")
        text = f"{n} {element} value(s) break the rule '{element} {rule}'" + (
            f" (children {shown})" if children else ""
        )
        for indicator_id in WARNED.get((table, element), ()):
            warned.setdefault(indicator_id, []).append(text)
    notes = {}
    for indicator_id, multiplier in totals.select("indicator_id", "multiplier").iter_rows():
        parts = []
        if multiplier == 10_000:
            parts.append(
                f"rate per 10,000 children aged 0-17, using the ONS mid-{mid_year} estimate "
                f"({count:,}), the latest ONS estimate in the reference data"
            )
        if indicator_id in PROPOSED:
            parts.append(PROPOSED[indicator_id])
        if indicator_id in LOOK_BACK and not looked_back:
            parts.append("the look-back used the current return alone (no previous return given)")
        parts += warned.get(indicator_id, [])
        notes[indicator_id] = "; ".join(parts) or None
    return notes
