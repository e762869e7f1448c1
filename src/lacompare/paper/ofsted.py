"""Ofsted judgements: the LA's and its comparators' latest inspections."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from lacompare.compare import group_members
from lacompare.paper.front import year_end
from lacompare.paper.model import PaperContext, Paragraph, Section, Table
from lacompare.paper.words import and_list, long_date, plural
from lacompare.reference import ReferenceData
from lacompare.tables import MISSING, TableModel, _table_id
from lacompare.vocab import OFSTED_JUDGEMENTS

# --------------------------------------------------------------------------------------------
# Ofsted, topics


def ofsted_section(ref: ReferenceData, ctx: PaperContext) -> Section:
    if ref.ofsted is None:
        return Section("Ofsted judgements", (Paragraph("Ofsted judgements are not loaded."),))
    name, end = ctx.name, year_end(ctx)
    judged = _inspected_areas(ref, ctx).join(ref.ofsted, on="area_code", how="left")
    grade_columns = list(OFSTED_JUDGEMENTS)
    after = pl.col("inspection_date") > pl.lit(end) if end is not None else pl.lit(False)
    frame = judged.select(
        "label",
        inspected=pl.col("inspection_date").map_elements(long_date, return_dtype=pl.String)
        + pl.when(after).then(pl.lit(f" (after {ctx.year_text})")).otherwise(pl.lit("")),
        **{
            c: pl.col(c).fill_null(
                pl.when(pl.col("inspection_date").is_not_null())
                .then(pl.lit("Not judged separately (before 2023)"))
                .when(pl.col("replaced_by").is_not_null())
                .then(pl.lit("Replaced (see its successors)"))
                .otherwise(pl.lit("No inspection listed"))
            )
            for c in grade_columns
        },
    ).with_columns(pl.col("inspected").fill_null(MISSING))
    columns = {
        "inspected": "Inspection began",
        "overall_effectiveness": "Overall",
        "leaders": "Leaders",
        "help_and_protection": "Help and protection",
        "children_in_care": "Children in care",
        "care_leavers": "Care leavers",
    }
    own = judged.row(0, named=True)
    as_at = ref.ofsted.get_column("as_at")[0]
    group = "comparator group" if ctx.custom else "statistical neighbours"
    table = TableModel(
        frame=frame,
        stub="label",
        stub_header="Local authority",
        columns=columns,
        title=f"Ofsted judgements: {name} and its {group}",
        bold_rows=(0,),
        notes=(
            f"{name} first, then its {ctx.group}"
            + (", in the order given. " if ctx.custom else ", closest first. ")
            + "Columns: overall effectiveness; the impact of leaders on social work "
            "practice; the experiences and progress of children who need help and protection, "
            "of children in care, and of care leavers (judged separately since January 2023).",
        ),
        source_notes=(f"Source: {ref.ofsted.get_column('source')[0]}.",),
        table_id=_table_id("paper-ofsted", ctx.code, ctx.model),
    )
    neighbour_lines = _neighbour_judgements(judged.slice(1), ctx)
    return Section(
        "Ofsted judgements",
        (
            Paragraph(
                f"Judgements as at {long_date(as_at)} (Ofsted's latest list in the data this "
                "paper was built from, which holds each authority's latest inspection only); "
                f"this paper was written on {long_date(ctx.written)}. Check Ofsted's website "
                "for any inspection published since."
            ),
            Paragraph(_own_judgement(own, ctx, as_at)),
            Paragraph(f"{name}'s {group}' latest judgements: " + " ".join(neighbour_lines))
            if neighbour_lines
            else Paragraph(f"No judgements are listed for {name}'s {group}."),
            Table(
                table,
                caption=f"Table 3. Ofsted judgements of {name} and its {group}",
                description=(
                    f"One row per local authority, {name} first: the date its latest "
                    "inspection began and the overall and four sub-judgements."
                ),
            ),
        ),
    )


def _inspected_areas(ref: ReferenceData, ctx: PaperContext) -> pl.DataFrame:
    """(area_code, label, replaced_by) of the authority and its comparators in order; an
    authority since replaced (Cumbria, Northamptonshire, in DfE's 2021 model) is followed by
    its successors, whose judgements stand for it."""
    members = group_members(ref, ctx.code, ctx.neighbours)
    codes = [ctx.code, *members.get_column("neighbour_code").to_list()]
    areas = ref.areas.select("area_code", "name", "successor_codes")
    names = dict(areas.select("area_code", "name").iter_rows())
    successors = dict(areas.select("area_code", "successor_codes").iter_rows())
    rows: list[tuple[str, str, str | None]] = []
    for code in codes:
        after = [c for c in (successors.get(code) or []) if c not in codes]
        heirs = [names[c] for c in successors.get(code) or []]
        replaced = and_list(heirs) if heirs else None
        label = names[code] + (f" (replaced by {replaced})" if replaced else "")
        rows.append((code, label, replaced))
        rows += [(c, f"{names[c]} (successor to {names[code]})", None) for c in after]
    return pl.DataFrame(
        rows,
        schema={"area_code": pl.String, "label": pl.String, "replaced_by": pl.String},
        orient="row",
    )


def _own_judgement(own: dict[str, Any], ctx: PaperContext, as_at: dt.date) -> str:
    if own["overall_effectiveness"] is None:
        return f"Ofsted's list as at {long_date(as_at)} holds no ILACS inspection of {ctx.name}."
    end = year_end(ctx)
    if end is not None and own["inspection_date"] > end:
        return (
            f"{ctx.name}'s children's services were judged {own['overall_effectiveness']} "
            f"overall at an inspection that began on {long_date(own['inspection_date'])}, "
            f"after {ctx.year_text}, the year this paper reports: it is not the judgement in "
            f"force then, which the data this paper was built from do not hold."
        )
    return (
        f"At its latest inspection under Ofsted's ILACS framework, which began on "
        f"{long_date(own['inspection_date'])}, {ctx.name}'s children's services were judged "
        f"{own['overall_effectiveness']} overall."
    )


def _neighbour_judgements(neighbours: pl.DataFrame, ctx: PaperContext) -> list[str]:
    """The comparators' overall judgements grouped by grade, then who was replaced, then
    (for a year asked for) how many inspections came after it."""
    lines = []
    for grade in ("Outstanding", "Good", "Requires improvement to be good", "Inadequate"):
        names = neighbours.filter(pl.col("overall_effectiveness") == grade)
        if names.height:
            listed = and_list(names.get_column("label").str.replace(r" \(.*\)$", "").to_list())
            verb = "was" if names.height == 1 else "were"
            lines.append(f"{listed} {verb} judged {grade} overall.")
    for label, replaced in (
        neighbours.filter(pl.col("replaced_by").is_not_null())
        .select("label", "replaced_by")
        .iter_rows()
    ):
        former = label.split(" (")[0]
        lines.append(
            f"{former} no longer exists: it was replaced by {replaced}, whose judgements are "
            "shown in its place."
        )
    end = year_end(ctx)
    if end is not None:
        later = neighbours.filter(pl.col("inspection_date") > pl.lit(end)).height
        if later:
            lines.append(
                f"{plural(later, 'of these inspections was', 'of these inspections were')} "
                f"after {ctx.year_text}."
            )
    return lines
