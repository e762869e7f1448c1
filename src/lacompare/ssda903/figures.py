"""An LA's own children-looked-after figures from its SSDA903 extract, by DfE's definitions.

The steps, one module each: :mod:`.read` finds the tables by their columns;
:mod:`.parse` types them and lists unreadable values; :mod:`.rules` applies DfE's validation
rules that change the figures; :mod:`.care` builds periods of care, placements and cohorts;
:mod:`.measures` counts every indicator; this module puts them together as local figures that
:meth:`lacompare.ReferenceData.with_local` reads as they are.
"""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import polars as pl

from lacompare._expr import fmt
from lacompare.errors import (
    DataValidationError,
    InvalidArgumentError,
    SourceFileError,
    reading,
    whole_number,
)
from lacompare.own_figures import CollectionYear, own_figures
from lacompare.ssda903.care import age_at, care_episodes
from lacompare.ssda903.layout import TABLES
from lacompare.ssda903.measures import (
    COLUMN_MEASURES,
    MEASURES,
    Measure,
    children_frame,
    counts,
    leavers_frame,
)
from lacompare.ssda903.parse import PROBLEM_COLUMNS, parse_extract, problems_frame
from lacompare.ssda903.read import ROW, Extract, read_extract
from lacompare.ssda903.rules import aged_out, check_rules
from lacompare.ssda903.schemas import TABLE_SCHEMAS, Ssda903FiguresSchema

if TYPE_CHECKING:
    from lacompare.reference import ReferenceData

#: The definitions every figure is derived by (``../shared/reference/ssda903.md``).
RULE_VERSION = "lacompare SSDA903 definitions v1.1"
#: How many problems an error message lists before "... and N more".
SHOWN_PROBLEMS = 20


class Ssda903Warning(UserWarning):
    """Figures were derived, with notes the analyst should read (values counted as not known,
    indicators not produced)."""


class Derived(NamedTuple):
    """The figures, and every problem and note found on the way (:data:`PROBLEM_COLUMNS`;
    ``severity`` is "error", "warning" or "note")."""

    figures: pl.DataFrame
    problems: pl.DataFrame


def check_903(
    source: str | Path, *, la: str | int, year: int, ref: ReferenceData | None = None
) -> pl.DataFrame:
    """Every problem and note for ``source`` (see :func:`figures_from_903`): one row each with
    ``table``, ``file``, ``row`` (the header is row 1), ``column``, ``value``, ``rule`` and
    ``severity`` ("error" stops the figures; "warning" and "note" reach their notes)."""
    return derive_903(source, la=la, year=year, ref=ref, strict=False).problems


def figures_from_903(
    source: str | Path, *, la: str | int, year: int, ref: ReferenceData | None = None
) -> pl.DataFrame:
    """The LA's own figures for the collection year ending 31 March ``year`` from its SSDA903
    extract: ``source`` is a folder of the 903 CSV files in DfE's layout (each found by its
    columns) or one ``.xlsx`` workbook with a sheet per table.

    Returns a validated frame (:class:`~lacompare.ssda903.schemas.Ssda903FiguresSchema`):
    ``area``, ``indicator_id``, ``period``, ``value``, ``numerator``, ``denominator``,
    ``status`` ("local"), ``rule_version``, ``source`` and ``note``, which
    ``ref.with_local(frame)`` takes as it is. Rates use the LA's latest ONS population of
    children aged 0-17 in the embedded data (named in their note).

    An error in the extract (an impossible date, overlapping episodes, an X1 with no
    following episode, a code not on DfE's list...) raises
    :class:`~lacompare.errors.DataValidationError` naming the file, row, column, value and
    rule. Warnings (an SDQ score out of range counted as not known, indicators not produced
    for want of a table) reach the figures' ``note`` column and one :class:`Ssda903Warning`;
    :func:`check_903` lists them all.
    """
    derived = derive_903(source, la=la, year=year, ref=ref, strict=True)
    notes = derived.problems.filter(pl.col("severity") != "error")
    if notes.height:
        warnings.warn(
            Ssda903Warning(
                f"{Path(source).name}: {notes.height} note(s) and warning(s) on the figures, "
                "e.g. " + notes.get_column("rule").head(1).item() + " (check_903() lists them all)"
            ),
            stacklevel=2,
        )
    return derived.figures


def derive_903(
    source: str | Path,
    *,
    la: str | int,
    year: int,
    ref: ReferenceData | None = None,
    strict: bool = True,
) -> Derived:
    """:func:`figures_from_903`'s work: with ``strict``, errors raise; without, they are
    returned (and the figures are empty)."""
    collection = _collection_year(year)
    if ref is None:
        from lacompare.reference import load_reference  # the embedded data, only when needed

        ref = load_reference()
    area = ref.find_area(la, current=True)
    with reading(source, "reading the 903 extract"):
        extract = read_extract(source)
        _require_episodes(extract)
    with reading(source, "checking the 903 extract's values and rules"):
        tables, problems = parse_extract(extract)
        problems = problems_frame([problems, check_rules(tables, extract.files, collection)])
    errors = problems.filter(pl.col("severity") == "error")
    if errors.height == 0:
        _check_covers(tables["episodes"], extract, collection)
    if errors.height:
        if strict:
            _raise(errors, extract.source)
        return Derived(Ssda903FiguresSchema.empty(), problems)  # type: ignore[attr-defined]
    with reading(source, f"deriving {collection.label}'s figures from the 903 extract"):
        for name, frame in tables.items():
            if name in TABLE_SCHEMAS:
                TABLE_SCHEMAS[name].validate(frame)
        mid_year, population = ref.child_population(area["area_code"])
        figures, problems = _figures(
            tables, extract, collection, problems, (area["name"], population, mid_year)
        )
    return Derived(figures, problems)


def _collection_year(year: object) -> CollectionYear:
    value = whole_number("year", year, minimum=2000)
    latest = date.today().year + (date.today().month > 3)
    if value > latest:
        raise InvalidArgumentError(
            f"year={value}: the collection year ending 31 March {value} has not begun (rule: a "
            f"year up to {latest})"
        )
    return CollectionYear(value)


def _require_episodes(extract: Extract) -> None:
    if "episodes" in extract.tables:
        return
    needed = sorted(TABLES["episodes"].signature)
    seen = ", ".join(extract.files.values()) or "no 903 tables"
    ignored = f"; not 903 tables: {', '.join(extract.ignored)}" if extract.ignored else ""
    raise SourceFileError(
        f"{extract.source}: no episodes table (episodes.csv): no file or sheet has the columns "
        f"{needed} (found: {seen}{ignored}); every figure needs the episodes"
    )


def _check_covers(episodes: pl.DataFrame, extract: Extract, year: CollectionYear) -> None:
    """The extract covers the year: some episode begins or ends in it (an extract of later
    years holds a few long episodes that span an early year, which would give figures for a
    handful of children as if they were the LA's)."""
    in_year = pl.col("DECOM").is_between(year.start, year.end) | pl.col("DEC").is_between(
        year.start, year.end
    )
    if episodes.filter(in_year).height:
        return
    first, last = episodes.select(first=pl.col("DECOM").min(), last=pl.col("DECOM").max()).row(0)
    raise DataValidationError(
        f"{extract.source}: in {extract.files['episodes']} no episode begins or ends in "
        f"{year.label} (1 April {year.year - 1} to 31 March {year.year}); its episodes begin "
        f"from {first:%d/%m/%Y} to {last:%d/%m/%Y} (rule: year= is a collection year the "
        "extract covers, ending 31 March)"
        if first
        else f"{extract.source}: {extract.files['episodes']} has no episodes"
    )


#: Below this share of its rows belonging to the year, a one-year table (it carries no year)
#: is taken to be another year's return and its figures are not produced. A return's oc2 holds
#: only its cohort and its oc3 only 17- to 21-year-olds (DfE's validator flags any other row);
#: a year out, about 55% of oc2 rows are still in the cohort (care is long) and 75% of oc3
#: rows still 17 to 21, and no missing incident begins in the year.
SAME_YEAR_SHARE = {"oc2": 0.75, "oc3": 0.85, "missing": 0.5}
#: The check is made only on a table this long (a few rows cannot say which year they are),
#: and only when the extract runs past the year asked (only then can a table be a later one).
SAME_YEAR_MIN_ROWS = 20


def _other_years_tables(
    tables: dict[str, pl.DataFrame], children: pl.DataFrame, year: CollectionYear
) -> dict[str, str]:
    """Each one-year table that looks like another year's return, with the reason: its rows
    are not this year's OC2 cohort, care leavers or incidents (see :data:`SAME_YEAR_SHARE`)."""
    latest = (
        tables["episodes"]
        .select(pl.max_horizontal(pl.col("DECOM").max(), pl.col("DEC").max()))
        .item()
    )
    if latest is None or latest <= year.end:
        return {}  # the extract ends with the year asked: its one-year tables are this year's
    shares = {}
    if "oc2" in tables and tables["oc2"].height:
        cohort = children.filter(pl.col("oc2_cohort").fill_null(False)).select("CHILD")
        inside = tables["oc2"].join(cohort, on="CHILD", how="semi").height
        shares["oc2"] = (inside, tables["oc2"].height, "children in its OC2 cohort")
    if "oc3" in tables and tables["oc3"].height:
        ages = tables["oc3"].select(age_at(pl.col("DOB"), year.end).is_between(17, 21).sum()).item()
        shares["oc3"] = (ages, tables["oc3"].height, "aged 17 to 21 on its 31 March")
    if "missing" in tables and tables["missing"].height:
        dated = (
            tables["missing"]
            .select(pl.col("MIS_START").is_between(year.start, year.end).sum())
            .item()
        )
        shares["missing"] = (dated, tables["missing"].height, "incidents beginning in it")
    return {
        name: (
            f"the {name} table does not look like {year.label}'s: {inside} of its {total} rows "
            f"are {what} (is it another year's return? its rows carry no year)"
        )
        for name, (inside, total, what) in shares.items()
        if total >= SAME_YEAR_MIN_ROWS and inside < SAME_YEAR_SHARE[name] * total
    }


def _raise(errors: pl.DataFrame, source: Path) -> None:
    # In file order, each naming the rule the value breaks (rules are written as what must hold).
    shown = errors.sort("file", "row", maintain_order=True).head(SHOWN_PROBLEMS)
    lines = [f"{source}: the 903 extract has {errors.height} error(s):"] + [
        f"  - {file}, row {row}, column {column!r}: value {value!r} breaks the rule: {column} "
        f"{rule}"
        for file, row, column, value, rule in shown.select(
            "file", "row", "column", "value", "rule"
        ).iter_rows()
    ]
    if errors.height > SHOWN_PROBLEMS:
        lines.append(
            f"  ... and {errors.height - SHOWN_PROBLEMS:,} more (check_903() lists them all)"
        )
    raise DataValidationError("\n".join(lines), failures=errors)


# --------------------------------------------------------------------------------------------
# Figures and their notes


def _figures(
    tables: dict[str, pl.DataFrame],
    extract: Extract,
    year: CollectionYear,
    problems: pl.DataFrame,
    la: tuple[str, int, int],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The figures, and the problems with every note on them added."""
    name, population, mid_year = la
    care = care_episodes(tables["episodes"])
    dob = _dates_of_birth(tables)
    children = children_frame(tables, care, dob, year)
    leavers = leavers_frame(tables["oc3"], year) if "oc3" in tables else None
    other_years = _other_years_tables(tables, children, year)
    produced, skipped = _available(tables, other_years)
    totals = counts(children, leavers, produced, population)
    empty = totals.filter(pl.col("denominator") == 0)
    totals = totals.filter(~(pl.col("denominator") == 0).fill_null(False))
    notes = problems_frame(
        [
            problems,
            skipped,
            _not_counted(empty),
            _oc2_notes(tables, children, extract),
            aged_out(
                children.filter(pl.col("at_end").fill_null(False)),
                dob,
                year,
                extract.files["episodes"],
            ),
            _ignored(extract),
        ]
    )
    figures = own_figures(
        totals,
        area=name,
        year=year,
        rule_version=RULE_VERSION,
        source=f"SSDA903 extract {extract.source.name} ({year.label})",
        note=_row_notes(produced, notes, population, mid_year),
    )
    return figures, notes


def _dates_of_birth(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Each child's date of birth: the header's, else the one the OC2 or UASC table gives."""
    found = [
        tables[name].select("CHILD", "DOB").drop_nulls()
        for name in ("header", "oc2", "uasc")
        if name in tables
    ]
    if not found:
        return pl.DataFrame(schema={"CHILD": pl.String, "DOB": pl.Date})
    return pl.concat(found).unique("CHILD", keep="first", maintain_order=True)


def _available(
    tables: dict[str, pl.DataFrame], other_years: dict[str, str]
) -> tuple[list[Measure], pl.DataFrame]:
    """The measures whose tables are all present and of this year, and a note for each of
    the others saying why it is not produced."""
    usable = {name for name in tables if name not in other_years}
    produced = [m for m in MEASURES if all(t in usable for t in m.needs)]
    skipped = []
    for m in MEASURES:
        missing = [t for t in m.needs if t not in tables]
        if missing:
            reason = " and ".join(f"{t} table" for t in missing) + " (not found in the extract)"
            reason = f"it needs the {reason}"
        else:
            wrong = [other_years[t] for t in m.needs if t in other_years]
            if not wrong:
                continue
            reason = "; ".join(wrong)
        skipped.append(
            {
                "table": None,
                "file": None,
                "row": None,
                "column": m.indicator_id,
                "value": None,
                "rule": f"{m.indicator_id} is not produced: {reason}",
                "severity": "note",
            }
        )
    return produced, pl.DataFrame(skipped, schema=PROBLEM_COLUMNS)


def _not_counted(empty: pl.DataFrame) -> pl.DataFrame:
    return empty.select(
        table=pl.lit(None, pl.String),
        file=pl.lit(None, pl.String),
        row=pl.lit(None, pl.Int64),
        column="indicator_id",
        value=pl.lit(None, pl.String),
        rule=fmt("{} is not produced: no child is in its denominator this year", "indicator_id"),
        severity=pl.lit("note"),
    )


def _oc2_notes(
    tables: dict[str, pl.DataFrame], children: pl.DataFrame, extract: Extract
) -> pl.DataFrame:
    """OC2 rows for children outside the cohort (ignored), and cohort children without one
    (counted as not done: PROPOSED)."""
    if "oc2" not in tables:
        return problems_frame([])
    cohort = children.filter(pl.col("oc2_cohort").fill_null(False)).select("CHILD")
    outside = tables["oc2"].join(cohort, on="CHILD", how="anti")
    file = extract.files["oc2"]
    without = cohort.join(tables["oc2"].select("CHILD"), on="CHILD", how="anti").height
    parts = [
        outside.select(
            table=pl.lit("oc2"),
            file=pl.lit(file),
            row=pl.col(ROW),
            column=pl.lit("CHILD"),
            value="CHILD",
            rule=pl.lit(
                "is a child outside the OC2 cohort (looked after continuously for 12 months at "
                "31 March, no short breaks): the row is ignored"
            ),
            severity=pl.lit("warning"),
        )
    ]
    if without:
        parts.append(
            pl.DataFrame(
                [
                    {
                        "table": "oc2",
                        "file": file,
                        "row": None,
                        "column": "CHILD",
                        "value": None,
                        "rule": f"{without} child(ren) in the OC2 cohort have no oc2 row: counted "
                        "in each OC2 measure's denominator, not its numerator (as not done)",
                        # A warning, not a note: it changes every OC2 figure.
                        "severity": "warning",
                    }
                ],
                schema=PROBLEM_COLUMNS,
            )
        )
    return problems_frame(parts)


def _ignored(extract: Extract) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "table": None,
                "file": name,
                "row": None,
                "column": None,
                "value": None,
                "rule": "is not a 903 table (its columns fit none); not read",
                "severity": "note",
            }
            for name in extract.ignored
        ],
        schema=PROBLEM_COLUMNS,
    )


def _row_notes(
    measures: list[Measure], notes: pl.DataFrame, population: int, mid_year: int
) -> pl.Expr:
    """Each figure's note: the population a rate used, and the warnings in the tables it
    reads (how many, and the first rule)."""
    by_table = (
        notes.filter(pl.col("severity") == "warning", pl.col("table").is_not_null())
        .group_by("table", "file", "column", "rule")
        .agg(rows=pl.col("row").sort().head(5), n=pl.len())
        .sort("table", "column")
    )
    texts: dict[str, list[str]] = {}
    for table, file, column, rule, rows, n in by_table.iter_rows():
        rows = [r for r in rows if r is not None]
        every = tuple(m.indicator_id for m in measures if table in m.needs)
        if not rows:  # the table as a whole ("13 children have no oc2 row"): the measures
            # its columns feed
            text = f"{file}: {rule}"
            fed = tuple(
                dict.fromkeys(
                    i for (t, _), ids in COLUMN_MEASURES.items() if t == table for i in ids
                )
            )
        else:
            shown = ", ".join(str(r) for r in rows) + (", ..." if n > len(rows) else "")
            where = f"{'rows' if n > 1 else 'row'} {shown}"
            text = f"{file}: {n} value(s) in {column} break the rule '{rule}' ({where})"
            fed = COLUMN_MEASURES.get((table, column), every)
        for indicator_id in fed:
            texts.setdefault(indicator_id, []).append(text)
    population_note = (
        f"rate per 10,000 children aged 0-17, using the ONS mid-{mid_year} estimate "
        f"({population:,}), the latest ONS estimate in the reference data"
    )
    by_indicator = {
        m.indicator_id: "; ".join(
            ([population_note] if m.per_population else []) + texts.get(m.indicator_id, [])
        )
        or None
        for m in measures
    }
    return pl.col("indicator_id").replace_strict(by_indicator, default=None, return_dtype=pl.String)
