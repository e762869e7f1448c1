"""Assembling a whole paper from its parts, in order."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from lacompare.errors import (
    InvalidArgumentError,
    plain_text,
    user_facing,
)
from lacompare.exception_rules import exceptions
from lacompare.local import read_local_figures
from lacompare.paper.appendices import (
    definitions_section,
    local_figures_section,
    methods_section,
    neighbour_section,
    sources_section,
)
from lacompare.paper.context import (
    context,
    paper_rows,
    quality_beside,
    written_date,
)
from lacompare.paper.front import (
    key_messages_section,
    periods_line,
    since_section,
    title_section,
)
from lacompare.paper.model import (
    AUTHOR_PLACEHOLDER,
    RECOMMENDATIONS_PLACEHOLDER,
    BoardPaper,
    PaperContext,
    Paragraph,
    Section,
)
from lacompare.paper.ofsted import ofsted_section
from lacompare.paper.spec import (
    PaperSpec,
    SectionSpec,
    paper_spec,
    section_specs,
)
from lacompare.paper.summary import exceptions_section, spine_section, summary_section
from lacompare.paper.topics import topic_figures, topic_section
from lacompare.reference import ReferenceData
from lacompare.tables import board_cells

# --------------------------------------------------------------------------------------------
# Building the paper


@user_facing
def board_paper(
    ref: ReferenceData,
    la: str | int,
    paper: str | PaperSpec | Path = "corporate-parenting",
    *,
    period: str | int = "latest",
    neighbours: str | Sequence[str | int] | None = None,
    local: Any = None,
    targets: Any = None,
    since: str | Path | None = None,
    written: dt.date | str | None = None,
    author: str | None = AUTHOR_PLACEHOLDER,
    charts: bool = True,
) -> BoardPaper:
    """One LA's whole board paper.

    ``paper``: a built-in paper (``"corporate-parenting"``, ``"safeguarding"``,
    ``"headline"``), a :class:`PaperSpec`, or the path of a TOML spec. ``period``: "latest"
    (each indicator's latest figure) or a year (2019: the paper reports 2018-19).
    ``neighbours`` overrides the spec's model, or gives the council's own comparator group (a
    list of names, DfE numbers or ONS codes), named "your comparator group" throughout;
    ``local`` adds the LA's own figures (as :meth:`ReferenceData.with_local`, or the frame
    :func:`lacompare.figures_from_903` returns); ``targets`` the council's own targets (as
    :meth:`ReferenceData.with_targets`: a CSV, xlsx, frame or dict); ``since`` the data file
    of this LA's last paper of the same kind (``save(paper, "x.data.parquet")``), for a
    section on what changed since; ``written`` is the date
    printed on the paper
    (a date or "2026-11-25"; default today; fix it for byte-identical reruns); ``author``
    the author line (a placeholder by default); ``charts=False`` leaves out the charts (a
    quick draft: charts take most of the time).
    """
    if not isinstance(ref, ReferenceData):
        raise InvalidArgumentError(
            f"board_paper needs the reference data first (lacompare.load_reference()), not "
            f"{type(ref).__name__}"
        )
    if charts:
        from lacompare import _render

        _render.start()  # the drawing engine starts while the comparison runs
    spec = paper_spec(ref, paper)
    written = written_date(written)
    author = plain_text("author", author or AUTHOR_PLACEHOLDER, max_length=200)
    ref = _with_own_layers(ref, la, local, (spec.targets, targets))
    ctx = context(ref, la, spec.neighbours if neighbours is None else neighbours, period, written)
    sections_spec = section_specs(ref, spec)
    wanted = list(dict.fromkeys(i for s in sections_spec for i in s.indicators))
    rows = paper_rows(ref, ctx, wanted, period)
    parts = _parts(ref, rows, ctx, spec, sections_spec, author, since, charts)
    return BoardPaper(
        title=f"{ctx.name}: {spec.title}" + (f", {ctx.year_text}" if ctx.year_text else ""),
        la_name=ctx.name,
        la_code=ctx.code,
        paper=spec.name,
        written=written,
        data_period=periods_line(rows),
        author=author,
        sections=_with_anchors(tuple(s for s in parts if s.blocks)),
        comparison=rows,
        model=ctx.model,
        inspection=ctx.inspection,
    )


def _with_own_layers(
    ref: ReferenceData, la: str | int, local: Any, targets: tuple[Any, Any]
) -> ReferenceData:
    """The reference with the LA's own figures and its targets (the spec's, then the call's)."""
    if local is not None:
        # The figures' own area column wins: la= fills only rows without one, so a file of
        # several LAs' figures adds each to its own LA (and only this LA's reach the paper).
        figures = read_local_figures(local).drop("_la")
        named = figures.get_column("area").drop_nulls().len() == figures.height
        ref = ref.with_local(figures, la=None if named else la)
    for given in targets:
        if given is not None:
            ref = ref.with_targets(given, la=la)
    return ref


def _parts(
    ref: ReferenceData,
    rows: pl.DataFrame,
    ctx: PaperContext,
    spec: PaperSpec,
    sections_spec: list[SectionSpec],
    author: str,
    since: str | Path | None,
    charts: bool,
) -> list[Section]:
    """The paper's sections in order, each from the one set of rows. The charts are asked
    for first: they draw in the drawing workers while the tables and text are written (the
    spine chart, the largest, before the exceptions its section does not need)."""
    spine = spine_section(rows, ctx.name, sections_spec) if charts else Section("At a glance", ())
    flagged = quality_beside(exceptions(rows), rows)
    wanted = list(dict.fromkeys(i for s in sections_spec for i in s.indicators))
    figures = (
        topic_figures(ref, rows, sections_spec, ctx, flagged)
        if charts
        else [None] * len(sections_spec)
    )
    cells = board_cells(rows)  # every table's cells at once: most of a table's time
    parts = [
        title_section(ref, rows, ctx, spec, author),
        key_messages_section(ref, rows, flagged, ctx, spec),
        *((since_section(ref, rows, ctx, spec, since),) if since is not None else ()),
        Section("Recommendations", (Paragraph(RECOMMENDATIONS_PLACEHOLDER),)),
        summary_section(rows, flagged, ctx, sections_spec),
        # The exceptions before the spine chart: what the board looks at first, and the
        # full-page chart then starts a page instead of leaving the summary's half empty.
        exceptions_section(rows, flagged, ctx.name),
        spine,
        ofsted_section(ref, ctx),
    ]
    parts += [
        topic_section(ref, rows, flagged, section, ctx, number, figure=figure, cells=cells)
        for number, (section, figure) in enumerate(zip(sections_spec, figures, strict=True), 1)
    ]
    parts += [
        neighbour_section(ref, ctx),
        definitions_section(ref, rows, wanted),
        methods_section(ref, rows, ctx),
        local_figures_section(ref, rows, ctx.name),
        sources_section(ref, rows, ctx),
    ]
    return parts


def _with_anchors(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """Each section an HTML id of its own, from its heading (numbered if two coincide)."""
    seen: dict[str, int] = {}
    out = []
    for section in sections:
        base = re.sub(r"[^a-z0-9]+", "-", section.heading.lower()).strip("-") or "section"
        seen[base] = seen.get(base, 0) + 1
        anchor = base if seen[base] == 1 else f"{base}-{seen[base]}"
        out.append(replace(section, anchor=anchor))
    return tuple(out)
