"""The front of the paper: the title block, the key messages, and what changed since the last
paper."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from lacompare.commentary import (
    flag_words,
    summary,
)
from lacompare.format import format_change, format_value
from lacompare.outcomes import outcome
from lacompare.paper.model import Block, PaperContext, Paragraph, Section
from lacompare.paper.spec import PaperSpec
from lacompare.paper.topics import newer_figures
from lacompare.paper.words import and_list, label_period, long_date, plural
from lacompare.reference import ReferenceData
from lacompare.since import changes, check_same_paper, read_paper_data
from lacompare.tables import MISSING


def since_section(
    ref: ReferenceData, rows: pl.DataFrame, ctx: PaperContext, spec: PaperSpec, since: object
) -> Section:
    """What changed since the LA's last paper of this kind (its data file)."""
    before = read_paper_data(since)  # type: ignore[arg-type]
    check_same_paper(before, ctx.code, spec.name, ctx.written)
    found = changes(before, rows)
    words = {
        "published": "Newly published by DfE",
        "own": "The council's own figures for a new period (not yet published, [L])",
        "replaced": "Own figures now published",
        "flags_raised": "Newly flagged for attention",
        "flags_cleared": "No longer flagged",
        "verdicts": "Changed against England",
        "bands": "Moved a quarter or more among authorities",
        "targets": "Targets newly met or missed",
    }
    blocks: list[Block] = [
        Paragraph(
            f"Since the last paper, written on {long_date(before.written)}: "
            + (
                f"{plural(sum(len(v) for v in found.values()), 'change', 'changes')}, "
                "listed by kind below."
                if any(found.values())
                else "no figure, flag, verdict, quartile band or target has changed."
            )
        )
    ]
    for key, heading in words.items():
        if found[key]:
            blocks.append(Paragraph(f"{heading}: " + "; ".join(found[key]) + ".", "item"))
    inspection = ctx.inspection
    if inspection is not None and (before.inspection is None or inspection > before.inspection):
        blocks.append(
            Paragraph(
                f"Ofsted has inspected {ctx.name} since: the inspection began on "
                f"{long_date(inspection)} (see Ofsted judgements)."
            )
        )
    return Section(f"Since the last paper ({long_date(before.written)})", tuple(blocks))


# --------------------------------------------------------------------------------------------
# The front of the paper


def periods_line(rows: pl.DataFrame) -> str:
    """Every period the paper's figures come from, named as a reader says them, most
    indicators first: "31 March 2025 (11 indicators), 2024-25 (9), 2024/25 (academic year)
    (2), 2020-21 (1)"."""
    counts = (
        rows.filter(pl.col("la_value").is_not_null())
        .group_by("period_text")
        .agg(n=pl.len(), end=pl.col("period").max())
        # period_text last: two periods can end together (2021-22 and 2021/22 academic year)
        .sort(["n", "end", "period_text"], descending=[True, True, False])
    )
    parts = [
        f"{text} ({n} indicator{'s' if n != 1 else ''})" if i == 0 else f"{text} ({n})"
        for i, (text, n, _) in enumerate(counts.iter_rows())
    ]
    return ", ".join(parts) or MISSING


def title_section(
    ref: ReferenceData, rows: pl.DataFrame, ctx: PaperContext, spec: PaperSpec, author: str
) -> Section:
    name = ctx.name
    local = rows.filter(pl.col("la_local"), pl.col("la_value").is_not_null())
    published = rows.filter(~pl.col("la_local"), pl.col("la_value").is_not_null())
    data = []
    if ctx.year_text:
        data.append(
            f"Year reported: {ctx.year_text}, as asked for (not the latest figures); the "
            "previous year, ranks and comparisons are of that year too"
        )
    if published.height:
        data.append(f"Figures: published figures for {periods_line(published)}")
    if local.height:
        sources = _local_sources(ref, ctx.code, local)
        data.append(
            f"{'Figures: ' if not published.height else ''}{name}'s own figures, not yet "
            f"published, for {periods_line(local)}"
            + (f", from {sources}" if sources else "")
            + ": marked [L] and compared with the latest published figures before them"
            + (
                "; no published figure of this authority's is in the paper"
                if not published.height
                else ""
            )
        )
    if not published.height and not local.height:
        data.append("Figures: none")
    releases = _releases(rows)
    return Section(
        "About this paper",
        (
            Paragraph(f"Local authority: {name}"),
            Paragraph(f"Paper: {spec.title}"),
            Paragraph(f"Date written: {long_date(ctx.written)}"),
            *(Paragraph(text) for text in data),
            Paragraph(f"Published data as released by DfE up to {releases}{_updated(ref)}")
            if releases
            else Paragraph("Published data: DfE, as held in the data this paper was built from"),
            # (a paper about an earlier year is not out of date when DfE publishes a later one)
            *(
                (Paragraph(newer),)
                if ctx.year is None and (newer := newer_figures(rows, ctx.written))
                else ()
            ),
            Paragraph(f"Compared with: {_group_line(ctx)}"),
            Paragraph(f"Author: {author}"),
        ),
    )


def _group_line(ctx: PaperContext) -> str:
    """Who the authority is compared with, and, for a year asked for, that a DfE model is
    today's: "statistical neighbours (DfE's 2025 model; today's model, applied to 2018-19)"."""
    if ctx.custom:
        return f"your comparator group ({len(ctx.group_names)} authorities): " + and_list(
            list(ctx.group_names)
        )
    if ctx.year is not None and int(ctx.model) > ctx.year:
        return (
            f"statistical neighbours (DfE's {ctx.model} model, published after "
            f"{ctx.year_text}: today's neighbours, applied to {ctx.year_text}'s figures)"
        )
    return f"statistical neighbours (DfE's {ctx.model} model)"


def _local_sources(ref: ReferenceData, code: str, local: pl.DataFrame) -> str:
    """Where the paper's own figures come from ("SSDA903 extract_2026"), as given."""
    if ref.local is None:
        return ""
    used = (
        ref.local.with_columns(pl.col("area_code", "indicator_id", "period").cast(pl.String))
        .join(
            local.select(pl.col("indicator_id", "period").cast(pl.String)),
            on=["indicator_id", "period"],
            how="semi",
        )
        .filter(pl.col("area_code") == code)
    )
    names = used.get_column("source").drop_nulls().unique(maintain_order=True).to_list()
    return and_list([str(n) for n in names])


def _releases(rows: pl.DataFrame) -> str | None:
    """The latest release date among the paper's indicators ("1 November 2025")."""
    latest = rows.get_column("released").max() if "released" in rows.columns else None
    return long_date(latest) if latest else None  # type: ignore[arg-type]


def key_messages_section(
    ref: ReferenceData,
    rows: pl.DataFrame,
    flagged: pl.DataFrame,
    ctx: PaperContext,
    spec: PaperSpec,
) -> Section:
    """The paper's purpose and three to five key messages, each with its number: the
    counts, the flagged rows, notable improvements, old figures, the inspection."""
    name = ctx.name
    purpose = spec.purpose or f"reports on {spec.title.lower()}"
    messages = [_counts_message(rows, ctx)]
    labels = dict(rows.select("indicator_id", "indicator_label").iter_rows())
    reasons = dict(flagged.select("indicator_id", "reason").iter_rows())
    for indicator_id, flag, tested, old in (
        flagged.select("indicator_id", "flag", "tested", "is_old").head(2).iter_rows()
    ):
        words = flag_words(flag, tested, old, separator=";")
        messages.append(
            f"For attention: {labels[indicator_id]}: {reasons[indicator_id]} ({words})."
        )
    if flagged.height > 2:
        messages.append(
            f"{flagged.height - 2} more indicator{'s are' if flagged.height > 3 else ' is'} "
            "flagged (see Exceptions)."
        )
    if flagged.height == 0:
        messages.append(
            "No indicator is flagged by the exception rule: none is significantly worse than "
            "England and worsening, or in the worst quarter and worsening."
        )
    missed = _targets_missed(rows)
    if missed:
        messages.append(missed)
    improved = rows.filter((pl.col("change_vs_previous") == "better") | pl.col("green_green")).head(
        2
    )
    for row in improved.iter_rows(named=True):
        messages.append(f"Improving: {row['commentary']}")
    old = rows.filter(outcome() == "old_figure")
    if old.height:
        listed = ", ".join(label_period(r) for r in old.iter_rows(named=True))
        than = (
            f"{ctx.year_text}, the year this paper reports"
            if ctx.year_text
            else "the latest year other authorities have"
        )
        messages.append(
            f"{plural(old.height, 'figure is', 'figures are')} older than {than}: {listed}."
        )
    inspection = _ofsted_message(ref, ctx)
    if inspection and len(messages) < 5:
        messages.append(inspection)
    return Section(
        "Purpose and key messages",
        (
            Paragraph(
                f"This paper {purpose}, comparing {name} with England, its region and its "
                f"{ctx.group} on {ctx.figures}."
            ),
            *(Paragraph(text, "item") for text in messages[:5]),
        ),
    )


def _improvement(row: dict[str, Any]) -> str:
    """ "Children under 16 in care 2.5 years or more ... (%): up 11 points to 75% at 31 March
    2025, a significant improvement; better than England (69%)." """
    texts = (
        pl.DataFrame([row])
        .select(
            la=format_value(pl.col("la_value"), pl.col("unit"), pl.col("decimals")),
            change=format_change(
                pl.col("change_from_previous"), pl.col("unit"), pl.col("decimals")
            ),
            england=format_value(pl.col("england_value"), pl.col("unit"), pl.col("decimals")),
        )
        .row(0, named=True)
    )
    moved = "up" if (row["change_from_previous"] or 0) > 0 else "down"
    against = {
        "better": f"; better than England ({texts['england']})",
        "similar": f"; similar to England ({texts['england']})",
        "worse": f"; still worse than England ({texts['england']})",
    }.get(row["vs_england"], "")
    change = (texts["change"] or "").lstrip("+-")
    return (
        f"{row['indicator_label']}: {moved} {change} to {texts['la']} "
        f"({row['period_text']}), a significant improvement{against}."
    )


def _targets_missed(rows: pl.DataFrame) -> str | None:
    """The council's targets missed, each with its figure: a key message."""
    missed = rows.filter(pl.col("target_status") == "missed").select(
        "indicator_label",
        figure=format_value(pl.col("la_value"), pl.col("unit"), pl.col("decimals")),
        target=format_value(pl.col("target"), pl.col("unit"), pl.col("decimals")),
    )
    if missed.height == 0:
        return None
    listed = "; ".join(
        f"{label} ({figure} against a target of {target})"
        for label, figure, target in missed.iter_rows()
    )
    noun = "target" if missed.height == 1 else "targets"
    return f"Missed the council's own {noun}: {listed}."


def targets_summary(rows: pl.DataFrame) -> str | None:
    """How the council's targets stand: "Of the 3 targets set, 1 is met, none near and 2
    missed." """
    status = rows.get_column("target_status").drop_nulls().to_list()
    if not status:
        return None
    counts = {word: status.count(word) for word in ("met", "near", "missed", "no figure")}
    text = (
        f"Of the council's {plural(len(status), 'target', 'targets')} in this paper, "
        f"{counts['met'] or 'none'} met, {counts['near'] or 'none'} near (within the tolerance "
        f"set) and {counts['missed'] or 'none'} missed"
    )
    if counts["no figure"]:
        text += f"; {counts['no figure']} for a period with no figure yet"
    return text + "."


def _counts_message(rows: pl.DataFrame, ctx: PaperContext) -> str:
    total = summary(rows).filter(pl.col("topic") == "All").row(0, named=True)
    tested = total["tested"]
    if tested == 0:
        return _none_tested(rows, ctx)
    return (
        f"Of the {rows.height} indicators, {tested} could be tested against England: "
        f"{total['better']} better, {total['similar']} similar and "
        f"{total['worse'] or 'none'} worse"
        + (
            f" ({total['higher_or_lower']} more "
            f"{'is' if total['higher_or_lower'] == 1 else 'are'} higher or lower, with no "
            "better direction)"
            if total["higher_or_lower"]
            else ""
        )
        + "."
    )


def _none_tested(rows: pl.DataFrame, ctx: PaperContext) -> str:
    """One sentence saying why no figure could be tested, in place of "0 could be tested"."""
    with_value = rows.filter(pl.col("la_value").is_not_null())
    when = f" for {ctx.year_text}" if ctx.year_text else ""
    if with_value.height == 0:
        return f"{ctx.name} has no figure{when} for any indicator in this paper."
    if with_value.filter(pl.col("la_local")).height == with_value.height:
        reason = (
            f"all {with_value.height} of {ctx.name}'s figures are its own, which carry no "
            "published England figure for their year to be tested against"
        )
    elif with_value.get_column("la_numerator").null_count() == with_value.height:
        reason = (
            f"DfE does not publish, or lacompare does not accept{when}, the counts behind "
            "these figures (counts are used only in years they reproduce 90% of authorities' "
            "published figures; see Methods)"
        )
    else:
        reason = "each figure is a small number, an older figure or has no better direction"
    return (
        f"No indicator of the {rows.height} could be tested against England{when}: "
        f"{reason}. The tables still show each figure and its trend."
    )


def year_end(ctx: PaperContext) -> dt.date | None:
    """The end of the year a paper reports (31 March of the year asked for), or None."""
    return None if ctx.year is None else dt.date(ctx.year, 3, 31)


def _ofsted_message(ref: ReferenceData, ctx: PaperContext) -> str | None:
    if ref.ofsted is None:
        return None
    own = ref.ofsted_judgements(ctx.code, neighbours=None).row(0, named=True)
    if own["overall_effectiveness"] is None:
        return None
    end = year_end(ctx)
    if end is not None and own["inspection_date"] > end:
        return (
            f"Ofsted's latest judgement of {ctx.name}, {own['overall_effectiveness']} overall, "
            f"is from an inspection in {own['inspection_date'].year}, after {ctx.year_text}: "
            "it does not describe the year this paper reports."
        )
    return (
        f"Ofsted judged {ctx.name}'s children's services {own['overall_effectiveness']} "
        f"overall at the inspection that began on {long_date(own['inspection_date'])}."
    )


def _updated(ref: ReferenceData) -> str:
    """Where the data came from, when it is an update (``lacompare data update``), not the
    data lacompare embeds."""
    release = ref.release
    if release["data"] != "update" or not release.get("updated_at"):
        return ""
    day = dt.date.fromisoformat(str(release["updated_at"])[:10])
    return f" (the data updated on {long_date(day)}: `lacompare data` says from what)"
