"""The appendices: the neighbour model, definitions, methods, the LA's own figures and
sources."""

from __future__ import annotations

import polars as pl

from lacompare._expr import fmt
from lacompare.commentary import model_change_note
from lacompare.exception_rules import FLAGS
from lacompare.paper.model import PaperContext, Paragraph, Section, Table
from lacompare.paper.topics import publication_dates
from lacompare.paper.words import and_list, long_date
from lacompare.periods import period_text
from lacompare.reference import ReferenceData
from lacompare.sources.lait import POLARITY_RESERVATIONS
from lacompare.tables import MISSING, TableModel, _table_id

# --------------------------------------------------------------------------------------------
# The appendices


def neighbour_section(ref: ReferenceData, ctx: PaperContext) -> Section:
    name, listed = ctx.name, and_list(list(ctx.group_names))
    if ctx.custom:
        return Section(
            "Comparator group",
            (
                Paragraph(
                    f"{name} is compared with a comparator group of the council's own choosing "
                    f"({len(ctx.group_names)} authorities), in place of DfE's statistical "
                    f"neighbours: {listed}. The group's average is the simple mean of its "
                    "members' figures, and the pooled test takes them together, by the same "
                    "rules as for statistical neighbours."
                ),
            ),
        )
    model = ctx.model
    blocks = [
        Paragraph(
            f"{name}'s statistical neighbours in DfE's {model} model, closest first: {listed}."
        )
    ]
    if ctx.year is not None and int(model) > ctx.year:
        blocks.append(
            Paragraph(
                f"This paper reports {ctx.year_text} with today's model ({model}): the "
                f"neighbours DfE names now, which may differ from those it named in "
                f"{ctx.year_text}."
            )
        )
    models = sorted(ref.neighbours.get_column("model").unique().to_list())
    if len(models) > 1 and model == models[-1]:
        try:
            blocks.append(Paragraph(model_change_note(ref, ctx.code, (models[-2], models[-1]))))
        except Exception:  # an LA new since the earlier model has no change to describe
            blocks.append(Paragraph(f"{name} is not in DfE's {models[-2]} model."))
    return Section("Statistical neighbours", tuple(blocks))


def definitions_section(ref: ReferenceData, rows: pl.DataFrame, order: list[str]) -> Section:
    """The paper's own indicators only, in the paper's order, as one compact table: label,
    what it counts (with where it is published) and period (never a page of pasted text)."""
    position = {indicator: n for n, indicator in enumerate(order)}
    defined = (
        rows.select("indicator_id", "period_text", "la_local", "area_name")
        .unique(subset="indicator_id", maintain_order=True)
        .sort(pl.col("indicator_id").replace_strict(position, default=len(position)))
        .join(
            ref.indicators.select(
                "indicator_id",
                "label",
                "name",
                "definition",
                "description",
                "publication",
                "lait_code",
            ),
            on="indicator_id",
            maintain_order="left",
        )
        .with_columns(
            what=pl.coalesce("definition", _first_sentences(pl.col("description"))).fill_null(
                "No definition published."
            )
            # A reservation about LAIT's direction is said where the indicator is defined.
            + pl.col("lait_code").replace_strict(
                {c: f" Direction: {r}." for c, r in POLARITY_RESERVATIONS.items()}, default=""
            )
            # Where it is published, in the same cell (a Source column wrapped to five lines);
            # the LA's own figure comes from the LA.
            + pl.when(pl.col("la_local"))
            .then(
                fmt(
                    " Here: {}'s own figure [L] (Appendix C); DfE publishes it in {}.",
                    "area_name",
                    pl.col("publication").fill_null("its statistics"),
                )
            )
            .otherwise(
                fmt(" Published in: {}.", pl.col("publication").fill_null("DfE statistics"))
            ),
            period=pl.col("period_text").fill_null(MISSING),
        )
    )
    model = TableModel(
        frame=defined.select(label="label", what="what", period="period"),
        stub="label",
        stub_header="Indicator",
        columns={"what": "What it counts, and where it is published", "period": "Period"},
        title="Definitions of the indicators in this paper",
        table_id=_table_id("paper-definitions", *defined.get_column("indicator_id").to_list()),
    )
    return Section(
        "Appendix A: definitions",
        (
            Table(
                model,
                caption="Table A1. Definitions of the indicators in this paper",
                description=(
                    "One row per indicator in this paper, in the paper's order: its label, what "
                    "it counts and the publication it comes from, and the period shown."
                ),
            ),
        ),
    )


def _first_sentences(text: pl.Expr, limit: int = 320) -> pl.Expr:
    """A published description cut to whole sentences within ``limit`` characters."""
    tidy = text.str.replace_all(r"\s+", " ").str.strip_chars()
    cut = tidy.str.slice(0, limit)
    ends = cut.str.extract(r"^(.*[.!?])\s", 1)
    return pl.when(tidy.str.len_chars() <= limit).then(tidy).otherwise(pl.coalesce(ends, cut))


def methods_section(ref: ReferenceData, rows: pl.DataFrame, ctx: PaperContext) -> Section:
    group = (
        f"authorities in the council's comparator group ({len(ctx.group_names)})"
        if ctx.custom
        else f"ten statistical neighbours (DfE model {ctx.model})"
    )
    # Named by their labels, as the paper names them (never a raw LAIT code).
    labels = dict(
        ref.indicators.join(rows.select("indicator_id"), on="indicator_id", how="semi")
        .select("lait_code", "label")
        .iter_rows()
    )
    overrides = "; ".join(
        f"{labels[code]}: {reason}"
        for code, reason in POLARITY_RESERVATIONS.items()
        if code in labels
    )
    return Section(
        "Appendix B: methods",
        tuple(
            Paragraph(text, "item")
            for text in (*_comparison_methods(ctx, group), *_reading_methods(ctx, overrides))
        ),
    )


def _comparison_methods(ctx: PaperContext, group: str) -> tuple[str, ...]:
    """How the authority is compared: averages, ranks and bands, the tests and their counts."""
    return (
        f"{'Comparator group' if ctx.custom else 'Statistical neighbour'} average: the "
        f"simple mean of the values of those of the {group} that have a figure for the "
        "period, as DfE's Local Authority Interactive Tool (LAIT) calculates it.",
        "National rank: among all local authorities with a value, 1 is best by the "
        "indicator's polarity; tied values share the lowest rank and are shown with "
        "'=' ('=26 of 151'). Quartile band: A is the best quarter of local authorities "
        "and D the worst, cut at the quartiles of all authorities' values (LAIT's "
        "method); where many authorities tie the bands hold unequal numbers, and the "
        "table says so. Indicators with no better direction are not ranked.",
        "Compared with England: where DfE publishes the numbers behind a percentage or "
        "rate, a 95% confidence interval is calculated (Wilson's score method for "
        "percentages; Byar's method, or the exact Poisson interval below 10 events, for "
        "rates; Public Health England's PHEindicatormethods). If England's value lies "
        "inside it the difference is 'similar'; otherwise 'better' or 'worse' by the "
        "indicator's direction ('higher' or 'lower' where neither is better), with "
        "'(99.8%)' where England lies outside the 99.8% interval too: the method of the "
        "Office for Health Improvement and Disparities' Fingertips tool. England's own "
        "unrounded value (from its counts) is used for the test; the table shows "
        "DfE's published figure.",
        "Counts are used only in years when they reproduce, at the precision DfE "
        "publishes, the published figures of at least 90% of local authorities, and "
        "only where they reproduce the authority's own figure; other figures are 'not "
        "tested'. Ratios of full-time-equivalent staff (social worker turnover, agency "
        "and vacancy rates) are not counts of people and are never tested.",
        "School absence counted in half-day sessions: a pupil's sessions are not "
        "independent trials, so councils' session rates spread far wider than chance "
        "alone allows. The intervals are widened by the overdispersion factor (the "
        "mean square of the councils' winsorised z-scores; Spiegelhalter, Stat Med "
        "2005), as on PHE's funnel plots: a difference counts only if it is larger than "
        "that spread. Persistent absence is counted in pupils and tested directly.",
        "Compared with the statistical neighbours (in sentences and the summary): the "
        "authority against the neighbours taken together (their numerators summed over "
        "their denominators), where every neighbour has counts: Newcombe's hybrid score "
        "interval for the difference of two percentages (Stat Med 1998), the "
        "conditional binomial test for two rates. The average shown is LAIT's mean.",
        "Change from the previous year: the period shown minus the year before. Where "
        "both years have counts the change is tested at 95% by the same two-sample "
        "methods ('No significant change' when the interval includes no change); "
        "otherwise the direction is LAIT's and says 'not tested'. The two years share "
        "many children, so the test is conservative.",
    )


def _reading_methods(ctx: PaperContext, overrides: str) -> tuple[str, ...]:
    """How the paper reads its figures: flags, small numbers, the year, rounding, counts."""
    return (
        "Exceptions: an indicator is flagged by the first of these that holds. "
        + " ".join(f"'{flag}': {words}." for flag, words in FLAGS.items())
        + " 'Watch' applies whether or not the difference from England could be "
        "tested; the exceptions table says which were. Flags are listed tested and "
        "significant first, then current untested ones, then older figures, each "
        "group by how far the figure is from England's.",
        "Small numbers: a percentage of fewer than 20 children, or a rate from fewer "
        "than 10 events, is shown with its counts ('19 of 19'), and is not ranked, "
        "banded or counted better or worse in the summary.",
        (
            f"Year reported: every figure is {ctx.year_text}'s (or the period DfE "
            f"publishes for {ctx.year_text}); where the authority has no figure for it "
            "the row says so, and no earlier year's figure is put in its place."
            if ctx.year_text
            else "Older figures: where an authority's latest figure is older than the "
            "latest year other authorities have, its period says '(latest)', it is not "
            "ranked or banded against a later year's field, the summary lists it apart "
            "and does not count it better or worse, and an exception names its age."
        ),
        "Rounding: figures are rounded half up (2.5 becomes 3) to the decimals DfE "
        "publishes for the series, only for display; every comparison uses the "
        "unrounded values.",
        "Counts (numbers of children) are described by their level and change only: "
        "they are not set against England's total or other authorities' counts.",
        "Implausible published figures: an England figure far outside the range of "
        "every authority's (more than the whole range beyond it) is shown but not used "
        "as a benchmark.",
        *(
            [f"Polarity follows LAIT's for every indicator; a reservation: {overrides}."]
            if overrides
            else []
        ),
    )


def local_figures_section(ref: ReferenceData, rows: pl.DataFrame, name: str) -> Section:
    """Where each of the LA's own figures came from, by which rules, and what a reader should
    know of it (the population a rate used, values counted as not known)."""
    shown = rows.filter(pl.col("la_local"))
    if ref.local is None or shown.height == 0:
        return Section("Appendix C: own figures", ())
    layer = ref.local.filter(pl.col("area_code") == shown.get_column("area_code")[0])
    described = (
        shown.select("indicator_id", "period", "indicator_label", "period_type", "snapshot")
        .join(
            layer.select("indicator_id", "period", "source", "rule_version", "note"),
            on=["indicator_id", "period"],
        )
        .with_columns(when=period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot")))
    )
    origins = described.select("source", "rule_version").unique().sort("source")
    blocks = [
        Paragraph(
            f"{name}'s own figures are marked [L]: they are not yet published by DfE, and are "
            "compared with the latest published England, region and neighbour figures. "
            + " ".join(
                f"From {source}" + (f", derived by {rules}." if rules else ".")
                for source, rules in origins.iter_rows()
            )
        )
    ]
    blocks += [
        Paragraph(f"{label} ({when}): {note}.", "item")
        for label, when, note in described.filter(pl.col("note").is_not_null())
        .select("indicator_label", "when", "note")
        .iter_rows()
    ]
    return Section("Appendix C: own figures", tuple(blocks))


def sources_section(ref: ReferenceData, rows: pl.DataFrame, ctx: PaperContext) -> Section:
    pubs = (
        rows.filter(~pl.col("la_local"))  # DfE's publications: the LA's own figures are apart
        .group_by("publication")
        .agg(periods=pl.col("period_text").drop_nulls().unique().sort())
        .join(publication_dates(rows), on="publication", how="left")
        .select("publication", "released", "next_release", "periods")
        .sort("publication", nulls_last=True)
    )
    items = []
    for publication, released, next_release, periods in pubs.iter_rows():
        when = f"; updated in LAIT {long_date(released)}" if released else ""
        upcoming = f"; next update due {long_date(next_release)}" if next_release else ""
        items.append(
            f"Department for Education, {publication or 'statistics'} (via LAIT and Explore "
            f"Education Statistics){when}{upcoming}; periods used: {', '.join(periods)}."
        )
    if not ctx.custom:
        items.append(
            "Department for Education, children's services statistical neighbours, model "
            f"{ctx.model}."
        )
    if ref.ofsted is not None:
        items.append(f"{ref.ofsted.get_column('source')[0]} (Ofsted, official statistics).")
    if rows.get_column("la_local").any():
        items.append(
            f"{rows.get_column('area_name')[0]}'s own figures, not yet published (marked [L]; "
            "see Appendix C)."
        )
    items.append(
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Produced with lacompare."
    )
    return Section("Sources", tuple(Paragraph(text, "item") for text in items))
