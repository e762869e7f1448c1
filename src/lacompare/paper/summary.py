"""The summary, the exceptions and the spine chart."""

from __future__ import annotations

import polars as pl

from lacompare._expr import fmt
from lacompare.commentary import (
    summary,
    summary_paragraph,
)
from lacompare.exception_rules import FLAGS
from lacompare.format import format_value
from lacompare.outcomes import outcome
from lacompare.paper.front import periods_line, targets_summary
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
from lacompare.paper.words import label_period, plural
from lacompare.tables import MISSING, TableModel, _table_id, local_note


def summary_section(
    rows: pl.DataFrame, flagged: pl.DataFrame, ctx: PaperContext, sections: list[SectionSpec]
) -> Section:
    """The paragraph, the periods the paper holds, older figures, and counts per section that
    add up (in paper = no figure + small number + older figure + not tested + tested; tested
    = better +
    similar + worse + higher or lower)."""
    name = ctx.name
    model = _summary_table(rows, ctx, sections)
    old = rows.filter(outcome() == "old_figure")
    targets = targets_summary(rows)
    blocks: list[Block] = [
        Paragraph(summary_paragraph(rows, flagged=flagged)),
        *((Paragraph(targets),) if targets else ()),
        Paragraph(f"Periods of the figures in this paper: {periods_line(rows)}."),
    ]
    if old.height:
        blocks.append(
            Paragraph(
                f"Older figures (the latest {name} has, while other authorities have later "
                f"ones): {'; '.join(label_period(r) for r in old.iter_rows(named=True))}."
            )
        )
    local = rows.filter(pl.col("la_local"))
    if local.height:
        blocks.append(Paragraph(local_note(local, name)))
    blocks.append(
        Table(
            model,
            caption=f"Table 1. {name}: indicators by section and how they compare with England",
            description=(
                "One row per section of this paper and a total: how many indicators it holds, "
                "how many have no figure, rest on small numbers or could not be tested, and how "
                "many of the tested are better, similar, worse, or higher or lower than "
                "England; and how many are flagged for attention."
            ),
        )
    )
    return Section("Summary", tuple(blocks))


def _summary_table(
    rows: pl.DataFrame, ctx: PaperContext, sections: list[SectionSpec]
) -> TableModel:
    """Table 1: the counts per section and in all, each row adding up."""
    name = ctx.name
    section_of = {i: s.title for s in sections for i in s.indicators}
    order = {s.title: n for n, s in enumerate(sections)} | {"All": len(sections)}
    by_section = rows.with_columns(section=pl.col("indicator_id").replace_strict(section_of))
    counts = summary(by_section, by="section")
    columns = {
        "indicators": "Indicators",
        "no_figure": "No figure",
        "small_number": "Small number",
        "old_figure": "Older figure",
        "not_tested": "Not tested",
        "better": "Better",
        "similar": "Similar",
        "worse": "Worse",
        "higher_or_lower": "Higher or lower",
        "flagged": "Flagged",
    }
    frame = (
        counts.with_columns(_order=pl.col("section").replace_strict(order))
        .sort("_order")
        .select(
            label=pl.col("section").replace("All", "All sections"),
            **{key: pl.col(key).cast(pl.String) for key in columns},
        )
    )
    model = TableModel(
        frame=frame,
        stub="label",
        stub_header="Section",
        columns=columns,
        title=f"{name}: indicators by section and how they compare with England",
        bold_rows=(frame.height - 1,),
        notes=(
            "Each row adds up: Indicators = No figure + Small number + Older figure + Not "
            "tested + Better + Similar + Worse + Higher or lower. Better, similar and worse are "
            "significance tests against England at 95% where DfE publishes the counts behind a "
            "figure; higher or lower where the indicator has no better direction; small numbers "
            "(fewer than 20 children, or 10 events) and older figures ("
            + (
                f"older than {ctx.year_text}, the year reported"
                if ctx.year_text
                else "the authority's latest is older than other authorities'"
            )
            + ") are not counted either way. Flagged: by the exception rule (see Exceptions "
            "and Methods).",
        ),
        table_id=_table_id("paper-summary", name, *rows.get_column("indicator_id").to_list()),
    )
    return model


def spine_section(rows: pl.DataFrame, name: str, sections: list[SectionSpec]) -> Section:
    """Fingertips' spine chart of every indicator that can be placed among all authorities,
    in the paper's order."""
    from lacompare import charts

    order = {i: n for n, i in enumerate(i for s in sections for i in s.indicators)}
    rows = rows.sort(pl.col("indicator_id").replace_strict(order, default=len(order)))
    spine = charts.spine_frame(rows)
    if spine.height == 0:  # nothing a spine chart can place
        return Section("At a glance", ())
    counts = charts.spine_counts(spine)
    placed = sum(counts.values())
    own = int(spine.get_column("own").sum())
    own_words = (
        f" [L] marks the {plural(own, 'figure', 'figures')} that {'is' if own == 1 else 'are'} "
        f"{name}'s own, not yet published by DfE, placed among the authorities' latest "
        "published figures."
        if own
        else ""
    )
    listed = ", ".join(f"{n} {word[0].lower()}{word[1:]}" for word, n in counts.items())
    left_out = rows.height - placed
    alt = (
        f"Spine chart of {placed} indicators for {name}, each placed among all local "
        f"authorities with England as the centre line and better to the right: {listed}."
        + (
            f" {left_out} indicator{'s are' if left_out != 1 else ' is'} not shown (no figure, "
            "or a count with no average to place it against)."
            if left_out
            else ""
        )
        + own_words
    )
    return Section(
        "At a glance",
        (
            Paragraph(
                "Each row is one indicator. The grey bar runs from the lowest to the highest "
                "local authority, the darker part is the middle half of authorities, and the "
                f"line is England. The marker is {name}: its shape and colour say whether it is "
                "better, similar or worse than England, or was not tested. Better is always to "
                "the right, whichever way the indicator runs." + own_words
            ),
            Figure(
                charts.PrintDrawing(
                    lambda font: charts.spine_spec(rows, font=font, title="", placed=spine),
                    TEXT_WIDTH,
                ),
                alt=alt,
                caption=f"Figure 1. Spine chart: {name} among all local authorities",
            ),
        ),
    )


def _no_flags(rows: pl.DataFrame, name: str) -> str:
    """What "nothing flagged" means, in the rule's own words, and how much of the paper the
    rule could not see (counted as Table 1 counts)."""
    total = summary(rows).filter(pl.col("topic") == "All").row(0, named=True)
    unseen = total["not_tested"] + total["small_number"] + total["old_figure"]
    rule = "; ".join(f"{flag}: {words}" for flag, words in FLAGS.items())
    text = f"No indicator in this paper is flagged for {name} by the exception rule ({rule})."
    if unseen:
        text += (
            f" {plural(unseen, 'indicator', 'indicators')} of {rows.height} could not be tested "
            "against England (not tested, a small number or an older figure): read the topic "
            "tables for them as well."
        )
    return text


#: The exceptions table's flag for a row flagged only because it misses the council's target.
MISSED_TARGET = "missed-target"


def _with_missed_targets(rows: pl.DataFrame, flagged: pl.DataFrame) -> pl.DataFrame:
    """The exception rule's rows, each missing its target saying so, then the rows that miss
    the council's target without being flagged by the rule: a missed target is a reason of
    its own, beside the rule, not in its place."""
    missed = rows.filter(pl.col("target_status") == "missed").select(
        "indicator_id",
        _target=fmt(
            "missed the council's target of {}{}",
            format_value(pl.col("target"), pl.col("unit"), pl.col("decimals")),
            pl.when(pl.col("target_source").is_not_null())
            .then(fmt(" ({})", "target_source"))
            .otherwise(pl.lit("")),
        ),
        _figure=fmt(
            "{} against the council's target of {}{}",
            format_value(pl.col("la_value"), pl.col("unit"), pl.col("decimals")),
            format_value(pl.col("target"), pl.col("unit"), pl.col("decimals")),
            pl.when(pl.col("target_source").is_not_null())
            .then(fmt(" ({})", "target_source"))
            .otherwise(pl.lit("")),
        ),
        _tested=pl.col("vs_england") != "not compared",
    )
    if missed.height == 0:
        return flagged
    marked = flagged.join(
        missed.select("indicator_id", "_target"), on="indicator_id", how="left",
        maintain_order="left",
    ).with_columns(
        reason=pl.when(pl.col("_target").is_not_null())
        .then(fmt("{}; {}", "reason", "_target"))
        .otherwise("reason")
    ).drop("_target")  # fmt: skip
    only = missed.join(flagged, on="indicator_id", how="anti")
    extra = rows.join(only, on="indicator_id", how="semi").select(
        "area_code", "area_name", "indicator_id", "indicator_name"
    ).join(only, on="indicator_id", maintain_order="left").select(
        *marked.columns[:4],
        flag=pl.lit(MISSED_TARGET),
        tested="_tested",
        is_old=pl.lit(False),
        reason="_figure",
    )  # fmt: skip
    return pl.concat([marked, extra.select(marked.columns)], how="vertical_relaxed")


def exceptions_section(rows: pl.DataFrame, flagged: pl.DataFrame, name: str) -> Section:
    """Every flagged row, tested ones first, with "not tested" in words; never a claim that
    nothing needs attention while a row is flagged."""
    heading = "Exceptions: indicators for attention"
    flagged = _with_missed_targets(rows, flagged)
    if flagged.height == 0:
        return Section(
            heading,
            (Paragraph(_no_flags(rows, name)),),
        )
    labels = dict(rows.select("indicator_id", "indicator_label").iter_rows())
    periods = dict(rows.select("indicator_id", "period_text").iter_rows())
    frame = flagged.select(
        label=pl.col("indicator_id").replace_strict(labels),
        period=pl.col("indicator_id").replace_strict(periods).fill_null(MISSING),
        flag=pl.col("flag").replace_strict(
            {k: k.capitalize() for k in FLAGS} | {MISSED_TARGET: "Missed target"}
        ),
        tested=pl.when("tested").then(pl.lit("Yes")).otherwise(pl.lit("Not tested")),
        reason="reason",
        indicator_id="indicator_id",
    )
    model = TableModel(
        frame=frame,
        stub="label",
        stub_header="Indicator",
        columns={
            "period": "Period",
            "flag": "Flag",
            "tested": "vs England tested",
            "reason": "Why",
        },
        title=f"{name}: indicators flagged for attention",
        notes=tuple(f"{flag.capitalize()}: {meaning}." for flag, meaning in FLAGS.items())
        + (
            (
                "Missed target: the council's own target for the figure is missed (listed "
                "beside the exception rule, not in its place).",
            )
            if (flagged.get_column("flag") == MISSED_TARGET).any()
            else ()
        ),
        table_id=_table_id("paper-exceptions", name, *frame.get_column("indicator_id").to_list()),
    )
    return Section(
        heading,
        (
            Paragraph(
                f"{plural(flagged.height, 'indicator is', 'indicators are')} flagged by the "
                "exception rule (see Methods), tested ones first. Where the difference from "
                "England could not be tested, the table says so: the flag then rests on the "
                "figures and the ranking alone."
            ),
            Table(
                model,
                caption=f"Table 2. {name}: indicators flagged for attention",
                description=(
                    "One row per flagged indicator, tested ones first: its period, the flag, "
                    "whether its difference from England was tested, and why it is flagged."
                ),
            ),
        ),
    )
