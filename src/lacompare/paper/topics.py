"""One section per topic: what matters, the table, one line per indicator, a chart whose alt
text states the finding, one source line."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import polars as pl

from lacompare.commentary import (
    flag_words,
    summary,
)
from lacompare.compare import trend_data
from lacompare.format import format_value, unit_label
from lacompare.paper.model import (
    TEXT_WIDTH,
    Block,
    Figure,
    PaperContext,
    Paragraph,
    Section,
    Table,
)
from lacompare.paper.spec import SectionSpec
from lacompare.paper.words import long_date, plural
from lacompare.reference import ReferenceData
from lacompare.tables import TableModel, board_frame

#: The board table's columns in a paper.
PAPER_COLUMNS = (
    "period",
    "la",
    "sn_average",
    "england",
    "rank",
    "quartile_band",
    "change",
    "direction",
    "vs_england",
)


def topic_section(
    ref: ReferenceData,
    rows: pl.DataFrame,
    flagged: pl.DataFrame,
    spec: SectionSpec,
    ctx: PaperContext,
    number: int,
    *,
    figure: Figure | None = None,
    cells: pl.DataFrame | None = None,
) -> Section:
    """What matters in the section, its table, one line per indicator, its chart (from
    :func:`topic_figures`) and one source line; ``cells``: the paper's table cells
    (:func:`~lacompare.tables.board_cells`), made once for every section."""
    name = ctx.name
    members = _section_members(rows, spec)
    if members.height == 0:
        return Section(spec.title, ())
    table = Table(
        _paper_table(members, f"{name}: {spec.title}", cells),
        caption=f"Table {number + 3}. {name}: {spec.title}",
        description=(
            f"One row per indicator: the period, {name}'s value, its "
            f"{'comparator group' if ctx.custom else 'statistical neighbours'}' average, "
            "England, national rank, quartile band, change from the previous year, direction "
            "and comparison with England."
        ),
    )
    blocks: list[Block] = [
        Paragraph(_section_paragraph(members, flagged, spec.title)),
        table,
        *(Paragraph(text, "item") for text in members.get_column("commentary")),
    ]
    if figure is not None:
        blocks.append(figure)
    blocks.append(Paragraph(_source_line(members, publication_dates(rows)), "note"))
    return Section(spec.title, tuple(blocks))


#: Periods a paper's trend charts show (trend_chart's own default).
TREND_PERIODS = 8


def topic_figures(
    ref: ReferenceData,
    rows: pl.DataFrame,
    sections: list[SectionSpec],
    ctx: PaperContext,
    flagged: pl.DataFrame,
) -> list[Figure | None]:
    """Each topic section's chart (None where it has none), numbered as the sections are,
    from one trend frame; each starts drawing at once, so a paper asks for them before it
    writes its tables and text."""
    trends = paper_trends(ref, rows, sections, ctx, flagged)
    return [
        _figure(ref, _section_members(rows, spec), spec, ctx, number, trends, flagged)
        for number, spec in enumerate(sections, start=1)
    ]


def paper_trends(
    ref: ReferenceData,
    rows: pl.DataFrame,
    sections: list[SectionSpec],
    ctx: PaperContext,
    flagged: pl.DataFrame,
) -> pl.DataFrame | None:
    """The trend data of every trend chart in the paper, in one pass of the engine per year
    (one pass per chart ran the engine eight times for each)."""
    wanted = [
        row["indicator_id"]
        for spec in sections
        if spec.chart != "neighbours"
        and (row := _chart_row(ref, _section_members(rows, spec), spec, flagged)) is not None
    ]
    if not wanted:
        return None
    return trend_data(
        ref,
        ctx.code,
        wanted,
        periods=TREND_PERIODS,
        neighbours=ctx.neighbours,
        period=ctx.year or "latest",
    )


def _section_members(rows: pl.DataFrame, spec: SectionSpec) -> pl.DataFrame:
    """The section's rows, in the spec's order."""
    order = {indicator: i for i, indicator in enumerate(spec.indicators)}
    return (
        rows.filter(pl.col("indicator_id").is_in(spec.indicators))
        .with_columns(_order=pl.col("indicator_id").replace_strict(order, default=None))
        .sort("_order")
        .drop("_order")
    )


def _section_paragraph(members: pl.DataFrame, flagged: pl.DataFrame, title: str) -> str:
    """What matters in a section, in a sentence or two: how the tested indicators compare,
    and which are flagged (by name)."""
    total = summary(members).filter(pl.col("topic") == "All").row(0, named=True)
    n = members.height
    parts = [f"{plural(n, 'indicator', 'indicators')} in this section"]
    if total["tested"]:
        verdicts = [
            f"{total[k]} {word}"
            for k, word in (("better", "better"), ("similar", "similar"), ("worse", "worse"))
            if total[k]
        ]
        if total["higher_or_lower"]:
            verdicts.append(f"{total['higher_or_lower']} higher or lower")
        parts.append(f"{total['tested']} tested against England ({', '.join(verdicts)})")
    else:
        parts.append("none could be tested against England")
    here = flagged.filter(
        pl.col("indicator_id").is_in(members.get_column("indicator_id").implode())
    )
    labels = dict(members.select("indicator_id", "indicator_label").iter_rows())
    if here.height:
        listed = "; ".join(
            f"{labels[i]} ({flag_words(f, t, o)})"
            for i, f, t, o in here.select("indicator_id", "flag", "tested", "is_old").iter_rows()
        )
        flagged_text = f"Flagged for attention: {listed}."
    else:
        flagged_text = "No indicator in it is flagged for attention."
    return f"{'; '.join(parts)}. {flagged_text}"


def _paper_table(rows: pl.DataFrame, title: str, cells: pl.DataFrame | None) -> TableModel:
    """The board table for a paper: rows in the paper's order, no groups (no merged cells),
    and only the notes a reader needs beside it (marks, local figures, small numbers, uneven
    bands); the source is one line per section, the methods in the appendix."""
    has_target = rows.get_column("target").is_not_null().any()
    columns = (*PAPER_COLUMNS, "target") if has_target else PAPER_COLUMNS
    model = board_frame(
        rows, title=title, columns=columns, group_by=None, keep_order=True, cells=cells
    )
    keep = tuple(
        note
        for note in model.notes
        if note.startswith(
            ("[", "Small numbers", "Quartile bands are uneven", "School absence", "Counts")
        )
    )
    return replace(model, notes=keep, source_notes=())


def publication_dates(rows: pl.DataFrame) -> pl.DataFrame:
    """(publication, released, next_release): one date of each per publication, from every
    row of the paper, so the section source lines, the Sources section and the title block's
    warning all say the same dates."""
    return (
        rows.filter(pl.col("publication").is_not_null())
        .group_by("publication")
        .agg(pl.col("released").max(), pl.col("next_release").max())
        .sort("publication")
    )


def _source_line(rows: pl.DataFrame, dates: pl.DataFrame) -> str:
    """One source line per section: its publications, with their release dates."""
    released = dict(dates.select("publication", "released").iter_rows())
    pubs = rows.get_column("publication").drop_nulls().unique().sort().to_list()
    named = [
        f"{p}" + (f" (updated {long_date(released[p])})" if released.get(p) else "") for p in pubs
    ]
    return (
        "Source: Department for Education, Local Authority Interactive Tool and Explore "
        f"Education Statistics: {'; '.join(named) or 'DfE statistics'}. Open Government "
        "Licence v3.0."
    )


def newer_figures(rows: pl.DataFrame, written: dt.date) -> str | None:
    """Where the paper is written after a source's next update was due, that DfE has
    probably published newer figures, and how to get them."""
    due = publication_dates(rows).filter(pl.col("next_release") < pl.lit(written))
    if due.height == 0:
        return None
    listed = "; ".join(
        f"{publication} (next update was due {long_date(when)})"
        for publication, when in due.select("publication", "next_release").iter_rows()
    )
    return (
        f"Newer figures are probably published: {listed}, before this paper was written. "
        "Update the data before the paper goes to the board (`lacompare data update`; see "
        "'Updating the data' in lacompare's README)."
    )


def _figure(
    ref: ReferenceData,
    members: pl.DataFrame,
    spec: SectionSpec,
    ctx: PaperContext,
    number: int,
    trends: pl.DataFrame | None,
    flagged: pl.DataFrame,
) -> Figure | None:
    """The section's chart and the sentence its alt text states, from the table's numbers."""
    name, model = ctx.name, ctx.neighbours
    group = "comparator group" if ctx.custom else "statistical neighbours"
    row = _chart_row(ref, members, spec, flagged)
    if row is None:
        return None
    from lacompare import charts

    if spec.chart == "neighbours":
        chart = charts.neighbour_spec_from_row(ref, row, neighbours=model, source=False)
        kind = "Bar chart"
        shows = f"{name} and its {group} for {row['period_text']}, best first"
    else:
        if trends is None:
            trends = trend_data(
                ref, row["area_code"], [row["indicator_id"]], periods=TREND_PERIODS,
                neighbours=model, period=ctx.year or "latest",
            )  # fmt: skip
        chart = charts.trend_spec_from_data(
            trends.filter(pl.col("indicator_id") == row["indicator_id"]),
            neighbours=model,
            source=False,
        )
        kind = "Line chart"
        shows = f"{name}, its region, its {group}' average and England over time"
    alt = f"{kind} of {row['indicator_label']}: {shows}. {finding(row)}"
    return Figure(
        charts.PrintDrawing(lambda _: chart, TEXT_WIDTH),
        alt=alt,
        caption=f"Figure {number + 1}. {row['indicator_label']}: {name} compared",
    )


def _chart_row(
    ref: ReferenceData, members: pl.DataFrame, spec: SectionSpec, flagged: pl.DataFrame
) -> dict | None:
    """The row a section charts (never a count; None when the section has no chart): the
    indicator the paper's author named; else the section's first flagged row (in the
    exceptions' order: what the board should look at first); else the built-in paper's
    default; else the row furthest from England on the worse side."""
    if spec.chart == "none":
        return None
    chartable = members.filter(
        pl.col("la_value").is_not_null(),
        pl.col("unit") != "count",
        pl.col("sn_average").is_not_null() | pl.col("england_value").is_not_null(),
    )
    if chartable.height == 0:
        return None
    named = (
        ref.find_indicator(spec.chart_indicator)["indicator_id"]
        if spec.chart_indicator is not None
        else None
    )
    order = {i: n for n, i in enumerate(flagged.get_column("indicator_id").to_list())}
    england = pl.coalesce("england_exact_value", "england_value")
    worse_by = (
        pl.when(pl.col("polarity") == "high")
        .then(england - pl.col("la_value"))
        .when(pl.col("polarity") == "low")
        .then(pl.col("la_value") - england)
        .otherwise(None)
        / england.abs()
    )
    ranked = chartable.with_columns(
        _named=pl.col("indicator_id") == pl.lit(named),
        _flag_order=pl.col("indicator_id").replace_strict(order, default=None),
        _worse_by=worse_by.fill_nan(None),
    )
    keys = ["_flag_order", "_named", "_worse_by"]
    descending = [False, True, True]
    if spec.chart_named and named is not None:
        keys, descending = ["_named", *keys[:1], *keys[2:]], [True, False, True]
    return ranked.sort(keys, descending=descending, nulls_last=True).row(0, named=True)


def finding(row: dict[str, Any]) -> str:
    """What a chart shows, in the table's rounded figures: "At 31 March 2025 Derby's rate,
    88 per 10,000, is below its neighbours' average of 92 and above England's 67."."""
    texts = pl.select(
        la=format_value(pl.lit(row["la_value"]), pl.lit(row["unit"]), row["decimals"]),
        sn=format_value(pl.lit(row["sn_average"]), pl.lit(row["unit"]), row["decimals"]),
        england=format_value(pl.lit(row["england_value"]), pl.lit(row["unit"]), row["decimals"]),
    ).row(0, named=True)
    what = {"percent": "percentage"}.get(row["unit"], "rate" if "rate" in row["unit"] else "value")
    if row["unit"].startswith("rate_per_"):  # "88 per 10,000": a rate says what it is per
        per = pl.select(unit_label(pl.lit(row["unit"]))).item()
        texts = {key: f"{text} {per}" for key, text in texts.items()}
    parts = []
    for label, key, value in (
        ("its neighbours' average of", "sn", row["sn_average"]),
        ("England's", "england", row["england_value"]),
    ):
        if value is None:
            continue
        if texts[key] == texts["la"]:
            position = "level with"
        else:
            position = "above" if row["la_value"] > value else "below"
        parts.append(f"{position} {label} {texts[key]}")
    when = row.get("period_text") or row["period"]
    at = "At" if str(when)[:1].isdigit() and " to " not in str(when) else "In"
    return f"{at} {when} {row['area_name']}'s {what}, {texts['la']}, is {' and '.join(parts)}."
