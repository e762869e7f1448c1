"""The board paper: one LA's whole paper as content, ready to be written to Word, HTML or PDF.

:func:`board_paper` assembles, in order, a title block, the front-page summary (a paragraph and
the better / similar / worse counts), the LA's and its neighbours' latest Ofsted judgements, the
red-red indicators, one section per topic (its table, a sentence per indicator and a chart whose
alt text states the finding), the neighbour-model change, definitions, methods and sources.

Nothing here computes a statistic or formats a number of its own: rows come from
:func:`lacompare.compare`, tables from :func:`lacompare.tables.board_frame`, sentences from
:mod:`lacompare.commentary` and charts from :mod:`lacompare.charts`, so every number in the
paper is the one its tables show. :func:`lacompare.save` writes the paper
(:mod:`lacompare.paper_export`).

Papers are specified by :class:`PaperSpec`: the built-in ones (:data:`PAPERS`) come from the
presets, and :func:`read_spec` reads a user's own from TOML::

    title = "Placements and stability"
    neighbours = "2025"              # optional: "2025" or "2021"

    [[sections]]
    title = "Where children live"
    indicators = ["LAC", "LAC_Foster_Placements", "LACDistance"]
    chart = "trend"                  # optional: "trend" (default), "neighbours" or "none"
    chart_indicator = "LAC"          # optional: the first rate or percentage by default
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from lacompare.commentary import (
    commentary,
    flags,
    model_change_note,
    summary,
    summary_paragraph,
)
from lacompare.compare import compare, select_indicators
from lacompare.errors import InvalidArgumentError, SourceFileError, UnknownIndicatorError
from lacompare.format import format_value, unit_label
from lacompare.local import read_local_figures
from lacompare.presets import PAPER_SECTIONS
from lacompare.reference import ReferenceData
from lacompare.tables import MISSING, TableModel, _table_id, board_frame
from lacompare.vocab import OFSTED_JUDGEMENTS

#: The board table's columns in a paper: narrow enough for portrait A4.
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
CHART_KINDS = ("trend", "neighbours", "none")
AUTHOR_PLACEHOLDER = "[Author name, job title]"

# --------------------------------------------------------------------------------------------
# What a paper is made of


@dataclass(frozen=True)
class Paragraph:
    """Text. ``kind``: "text", "item" (one of a bulleted list) or "note" (small print)."""

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """A table with its caption (shown above it) and a description for screen readers."""

    model: TableModel
    caption: str
    description: str


@dataclass(frozen=True)
class Figure:
    """A chart as a PNG, with alt text stating its finding and a visible caption."""

    png: bytes
    alt: str
    caption: str


Block = Paragraph | Table | Figure


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class BoardPaper:
    """A whole board paper. Save it with :func:`lacompare.save` (``.docx``, ``.html``,
    ``.pdf``); read it as ``sections`` of headings and blocks."""

    title: str
    la_name: str
    la_code: str
    paper: str
    written: dt.date
    data_period: str
    author: str
    sections: tuple[Section, ...]
    comparison: pl.DataFrame = field(repr=False)

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def paragraphs(self) -> list[Paragraph]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Paragraph)]


# --------------------------------------------------------------------------------------------
# Paper specifications


@dataclass(frozen=True)
class SectionSpec:
    title: str
    indicators: tuple[str, ...]
    chart: str = "trend"
    chart_indicator: str | None = None


@dataclass(frozen=True)
class PaperSpec:
    """What a paper holds: its title, and either explicit ``sections`` or a flat list of
    ``indicators`` that becomes one section per topic (in the order the indicators are given)."""

    name: str
    title: str
    indicators: tuple[str, ...] = ()
    sections: tuple[SectionSpec, ...] = ()
    neighbours: str = "2025"


#: The built-in papers (sections from :data:`lacompare.presets.PAPER_SECTIONS`).
PAPERS: dict[str, PaperSpec] = {
    name: PaperSpec(
        name,
        title,
        sections=tuple(
            SectionSpec(section, tuple(indicators), chart, chart_indicator)
            for section, (indicators, chart, chart_indicator) in PAPER_SECTIONS[name].items()
        ),
    )
    for name, title in (
        (
            "corporate-parenting",
            "Corporate parenting committee: children looked after and care leavers",
        ),
        ("safeguarding", "Safeguarding partnership: help and protection"),
        ("headline", "Children's services: headline performance"),
    )
}

_SPEC_KEYS = {"title", "neighbours", "sections"}
_SECTION_KEYS = {"title", "indicators", "chart", "chart_indicator"}


def read_spec(path: str | Path, ref: ReferenceData | None = None) -> PaperSpec:
    """A paper specification from a TOML file (see the module docstring). A bad spec raises
    :class:`~lacompare.errors.InvalidArgumentError` naming the file, line and key; with
    ``ref``, every indicator is looked up too."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise SourceFileError(f"{source}: cannot read the paper spec ({error})") from None
    except UnicodeDecodeError:
        raise SourceFileError(f"{source}: not UTF-8 text; save the spec as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidArgumentError(f"{source}: not valid TOML ({error})") from None

    def fail(message: str, key: str, occurrence: int = 0) -> InvalidArgumentError:
        line = _line_of(text, key, occurrence)
        where = f"line {line}, " if line else ""
        return InvalidArgumentError(f"{source}: {where}key {key!r}: {message}")

    unknown = sorted(set(data) - _SPEC_KEYS)
    if unknown:
        raise fail(f"unknown key; a spec has {sorted(_SPEC_KEYS)}", unknown[0])
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise fail("required: the paper's title as text", "title")
    neighbours = str(data.get("neighbours", "2025"))
    if neighbours not in {"2021", "2025"}:
        raise fail(f"{neighbours!r} is not a neighbour model; use '2025' or '2021'", "neighbours")
    sections_data = data.get("sections")
    if not isinstance(sections_data, list) or not sections_data:
        raise fail("required: one or more [[sections]] tables", "sections")
    sections = []
    for number, entry in enumerate(sections_data):
        bad = sorted(set(entry) - _SECTION_KEYS)
        if bad:
            raise fail(f"unknown key in section {number + 1}; use {sorted(_SECTION_KEYS)}", bad[0])
        if not isinstance(entry.get("title"), str) or not entry["title"].strip():
            raise fail(f"section {number + 1} needs a title", "title", number + 1)
        indicators = entry.get("indicators")
        if (
            not isinstance(indicators, list)
            or not indicators
            or not all(isinstance(i, str) for i in indicators)
        ):
            raise fail(
                f"section {number + 1} needs a list of indicator codes", "indicators", number
            )
        chart = entry.get("chart", "trend")
        if chart not in CHART_KINDS:
            raise fail(f"{chart!r} is not a chart; use one of {list(CHART_KINDS)}", "chart")
        chart_indicator = entry.get("chart_indicator")
        if chart_indicator is not None and chart_indicator not in indicators:
            raise fail(
                f"{chart_indicator!r} is not one of the section's indicators", "chart_indicator"
            )
        if ref is not None:
            for indicator in indicators:
                try:
                    ref.find_indicator(indicator)
                except UnknownIndicatorError as error:
                    line = _line_of(text, indicator, 0, quoted=True)
                    raise InvalidArgumentError(
                        f"{source}: line {line}, key 'indicators': {error}"
                    ) from None
        sections.append(
            SectionSpec(entry["title"].strip(), tuple(indicators), chart, chart_indicator)
        )
    return PaperSpec(
        source.stem, data["title"].strip(), sections=tuple(sections), neighbours=neighbours
    )


def _line_of(text: str, key: str, occurrence: int = 0, *, quoted: bool = False) -> int | None:
    """The line (1-based) where ``key`` is set, its ``occurrence``-th time (or, ``quoted``, where
    the string appears in quotes)."""
    pattern = rf"[\"']{re.escape(key)}[\"']" if quoted else rf"^\s*{re.escape(key)}\s*="
    hits = [m.start() for m in re.finditer(pattern, text, flags=re.MULTILINE)]
    if not hits:
        return None
    return text.count("\n", 0, hits[min(occurrence, len(hits) - 1)]) + 1


# --------------------------------------------------------------------------------------------
# Building the paper


def board_paper(
    ref: ReferenceData,
    la: str | int,
    paper: str | PaperSpec | Path = "corporate-parenting",
    *,
    period: str | int = "latest",
    neighbours: str | None = None,
    local: Any = None,
    written: dt.date | None = None,
    author: str = AUTHOR_PLACEHOLDER,
) -> BoardPaper:
    """One LA's whole board paper.

    ``paper``: a built-in paper (``"corporate-parenting"``, ``"safeguarding"``,
    ``"headline"``), a :class:`PaperSpec`, or the path of a TOML spec. ``neighbours``
    overrides the spec's model; ``local`` adds the LA's own figures (as
    :meth:`ReferenceData.with_local`); ``written`` is the date printed on the paper (default
    today; fix it for byte-identical reruns).
    """
    spec = _spec(ref, paper)
    model = str(neighbours or spec.neighbours)
    if local is not None:
        # The figures' own area column wins: la= fills only rows without one, so a file of
        # several LAs' figures adds each to its own LA (and only this LA's reach the paper).
        figures = read_local_figures(local).drop("_la")
        named = figures.get_column("area").drop_nulls().len() == figures.height
        ref = ref.with_local(figures, la=None if named else la)
    area = ref.find_area(la, current=True)
    sections_spec = _sections(ref, spec)
    wanted = list(dict.fromkeys(i for s in sections_spec for i in s.indicators))
    rows = flags(
        commentary(
            compare(
                ref,
                area["area_code"],
                indicators=wanted,
                period=period,  # type: ignore[arg-type]
                neighbours=model,
            )
        )
    )
    name = area["name"]
    written = written or dt.date.today()
    periods = sorted(rows.get_column("period").drop_nulls().unique().to_list())
    data_period = (
        f"{periods[0]} to {periods[-1]}" if len(periods) > 1 else (periods or [MISSING])[0]
    )
    title = f"{name}: {spec.title}"
    sections = [
        _title_section(name, spec, written, data_period, author, model),
        _summary_section(rows, name, sections_spec),
        _ofsted_section(ref, area["area_code"], name, model),
        _red_red_section(rows, name),
    ]
    for number, section in enumerate(sections_spec, start=1):
        sections.append(_topic_section(ref, rows, section, name, model, number))
    sections += [
        _neighbour_section(ref, area["area_code"], name, model),
        _definitions_section(ref, rows),
        _methods_section(model),
        _sources_section(ref, rows, model),
    ]
    return BoardPaper(
        title=title,
        la_name=name,
        la_code=area["area_code"],
        paper=spec.name,
        written=written,
        data_period=data_period,
        author=author,
        sections=tuple(s for s in sections if s.blocks),
        comparison=rows,
    )


def _spec(ref: ReferenceData, paper: str | PaperSpec | Path) -> PaperSpec:
    if isinstance(paper, PaperSpec):
        return paper
    if isinstance(paper, Path) or str(paper).endswith(".toml"):
        return read_spec(paper, ref)
    if paper not in PAPERS:
        raise InvalidArgumentError(
            f"unknown paper {paper!r}; use one of {sorted(PAPERS)} or a .toml spec"
        )
    return PAPERS[paper]


def _sections(ref: ReferenceData, spec: PaperSpec) -> list[SectionSpec]:
    """The spec's sections, or one per topic of its indicators (in the order given)."""
    if spec.sections:
        return [
            replace(s, indicators=tuple(select_indicators(ref, list(s.indicators))))
            for s in spec.sections
        ]
    ids = select_indicators(ref, list(spec.indicators))
    topics = (
        pl.DataFrame({"indicator_id": ids})
        .with_row_index("order")
        .join(ref.indicators.select("indicator_id", "topic"), on="indicator_id")
        .sort("order")
    )
    grouped: dict[str, list[str]] = {}
    for topic, indicator_id in topics.select("topic", "indicator_id").iter_rows():
        grouped.setdefault(topic, []).append(indicator_id)
    return [SectionSpec(topic, tuple(members)) for topic, members in grouped.items()]


def _title_section(
    name: str, spec: PaperSpec, written: dt.date, data_period: str, author: str, model: str
) -> Section:
    return Section(
        "About this paper",
        (
            Paragraph(f"Local authority: {name}"),
            Paragraph(f"Paper: {spec.title}"),
            Paragraph(f"Date written: {_long_date(written)}"),
            Paragraph(f"Data: latest published figures, periods {data_period}"),
            Paragraph(f"Statistical neighbours: DfE model {model}"),
            Paragraph(f"Author: {author}"),
        ),
    )


def _summary_section(rows: pl.DataFrame, name: str, sections: list[SectionSpec]) -> Section:
    # Counted by the paper's own sections (in their order), not LAIT's topics.
    section_of = {i: s.title for s in sections for i in s.indicators}
    order = {s.title: n for n, s in enumerate(sections)} | {"All topics": len(sections)}
    rows = rows.with_columns(topic=pl.col("indicator_id").replace_strict(section_of))
    counts = summary(rows)
    in_paper = (
        rows.group_by("topic")
        .agg(
            in_paper=pl.len(),
            red_red=pl.col("red_red").sum(),
            green_green=pl.col("green_green").sum(),
        )
        .pipe(
            lambda by_topic: pl.concat(
                [
                    by_topic,
                    by_topic.select(pl.lit("All topics").alias("topic"), pl.exclude("topic").sum()),
                ],
                how="vertical_relaxed",
            )
        )
    )
    frame = (
        counts.join(in_paper, on="topic", how="right")
        .with_columns(
            england_tested=pl.sum_horizontal("england_better", "england_similar", "england_worse")
        )
        .select(
            pl.col("topic").alias("label"),
            *[
                pl.col(c).fill_null(0).cast(pl.String).alias(c)
                for c in (
                    "in_paper",
                    "indicators",
                    "england_tested",
                    "england_better",
                    "england_similar",
                    "england_worse",
                    "england_not_compared",
                    "sn_better",
                    "sn_similar",
                    "sn_worse",
                    "red_red",
                    "green_green",
                )
            ],
            pl.col("topic").replace_strict(order).alias("_order"),
        )
        .sort("_order")
        .drop("_order")
        .with_columns(pl.col("label").replace("All topics", "All sections"))
    )
    columns = {
        "in_paper": "In paper",
        "indicators": "With a figure",
        "england_tested": "Tested vs England",
        "england_better": "Better than England",
        "england_similar": "Similar to England",
        "england_worse": "Worse than England",
        "england_not_compared": "Not tested",
        "sn_better": "Better than SN average",
        "sn_similar": "Similar to SN average",
        "sn_worse": "Worse than SN average",
        "red_red": "Red-red",
        "green_green": "Better and improving",
    }
    model = TableModel(
        frame=frame,
        stub="label",
        stub_header="Section",
        columns=columns,
        title=f"{name}: indicators better, similar or worse than England and neighbours",
        bold_rows=(frame.height - 1,),
        notes=(
            "SN: statistical neighbours. Better, similar or worse: significance tests at 95% "
            "where DfE publishes the counts "
            "behind a figure; 'not tested' where it does not (see Methods). Indicators with no "
            "polarity that differ significantly are counted in neither better nor worse.",
        ),
        table_id=_table_id("paper-summary", name, *rows.get_column("indicator_id").to_list()),
    )
    return Section(
        "Summary",
        (
            Paragraph(summary_paragraph(rows)),
            Table(
                model,
                caption=f"Table 1. {name}: how many indicators are better, similar or worse",
                description=(
                    "Counts of indicators by section of this paper: in the paper, with a "
                    "published figure, and better, similar, worse or not tested against "
                    "England and against the "
                    "statistical neighbours' average, red-red and better and improving; the "
                    "last row totals all sections."
                ),
            ),
        ),
    )


def _ofsted_section(ref: ReferenceData, code: str, name: str, model: str) -> Section:
    if ref.ofsted is None:
        return Section("Ofsted judgements", (Paragraph("Ofsted judgements are not loaded."),))
    judged = ref.ofsted_judgements(code, neighbours=model)
    grade_columns = list(OFSTED_JUDGEMENTS)
    frame = judged.select(
        label=pl.col("name"),
        inspected=pl.col("inspection_date").map_elements(_long_date, return_dtype=pl.String),
        **{
            c: pl.col(c).fill_null(
                pl.when(pl.col("inspection_date").is_not_null())
                .then(pl.lit("Not judged separately (before 2023)"))
                .otherwise(pl.lit("No inspection listed"))
            )
            for c in grade_columns
        },
    ).with_columns(pl.col("inspected").fill_null(MISSING))
    columns = {
        "inspected": "Inspection began",
        "overall_effectiveness": "Overall effectiveness",
        "leaders": "Impact of leaders",
        "help_and_protection": "Children who need help and protection",
        "children_in_care": "Children in care",
        "care_leavers": "Care leavers",
    }
    own = judged.row(0, named=True)
    as_at = _long_date(ref.ofsted.get_column("as_at")[0])
    lines = []
    if own["overall_effectiveness"] is None:
        lines.append(f"Ofsted's list as at {as_at} holds no ILACS inspection of {name}.")
    else:
        lines.append(
            f"At its latest inspection under Ofsted's ILACS framework, which began on "
            f"{_long_date(own['inspection_date'])}, {name}'s children's services were judged "
            f"{own['overall_effectiveness']} overall."
        )
    neighbours = judged.slice(1)
    for grade in ("Outstanding", "Good", "Requires improvement to be good", "Inadequate"):
        names = neighbours.filter(pl.col("overall_effectiveness") == grade)
        if names.height:
            listed = _and_list(names.get_column("name").to_list())
            verb = "was" if names.height == 1 else "were"
            lines.append(f"{listed} {verb} judged {grade} overall.")
    table = TableModel(
        frame=frame,
        stub="label",
        stub_header="Local authority",
        columns=columns,
        title=f"Ofsted judgements: {name} and its statistical neighbours",
        bold_rows=(0,),
        notes=(
            f"{name} first, then its statistical neighbours (DfE model {model}), closest "
            "first. Care leavers have been judged separately since January 2023.",
        ),
        source_notes=(f"Source: {ref.ofsted.get_column('source')[0]}.",),
        table_id=_table_id("paper-ofsted", code, model),
    )
    return Section(
        "Ofsted judgements",
        (
            Paragraph(" ".join(lines[:1])),
            Paragraph(f"{name}'s statistical neighbours' latest judgements: " + " ".join(lines[1:]))
            if len(lines) > 1
            else Paragraph(f"No judgements are listed for {name}'s statistical neighbours."),
            Table(
                table,
                caption=f"Table 2. Ofsted judgements of {name} and its statistical neighbours",
                description=(
                    f"One row per local authority, {name} first: the date its latest "
                    "inspection began and the overall and four sub-judgements."
                ),
            ),
        ),
    )


def _red_red_section(rows: pl.DataFrame, name: str) -> Section:
    reds = rows.filter("red_red")
    heading = "Worse than England and worsening (red-red)"
    if reds.height == 0:
        return Section(
            heading,
            (
                Paragraph(
                    f"No indicator in this paper is both significantly worse than England and "
                    f"worse than in the previous period for {name}. Most indicators cannot be "
                    "tested (see the summary table), so read the topic tables as well."
                ),
            ),
        )
    model = _paper_table(reds, f"{name}: indicators worse than England and worsening")
    return Section(
        heading,
        (
            Paragraph(
                "These indicators are significantly worse than England and worse than in the "
                "previous period (their number is in the summary table):"
            ),
            *(Paragraph(text, "item") for text in reds.get_column("commentary")),
            Table(
                model,
                caption=f"Red-red indicators for {name}",
                description="The indicators worse than England and worsening, one per row.",
            ),
        ),
    )


def _topic_section(
    ref: ReferenceData,
    rows: pl.DataFrame,
    spec: SectionSpec,
    name: str,
    model: str,
    number: int,
) -> Section:
    order = {indicator: i for i, indicator in enumerate(spec.indicators)}
    members = (
        rows.filter(pl.col("indicator_id").is_in(spec.indicators))
        .with_columns(_order=pl.col("indicator_id").replace_strict(order, default=None))
        .sort("_order")
        .drop("_order")
    )
    if members.height == 0:
        return Section(spec.title, ())
    table = Table(
        _paper_table(members, f"{name}: {spec.title}"),
        caption=f"Table {number + 2}. {name}: {spec.title}",
        description=(
            f"One row per indicator: the period, {name}'s value, its statistical neighbours' "
            "average, England, national rank, quartile band, change from the previous year, "
            "direction and comparison with England."
        ),
    )
    blocks: list[Block] = [
        table,
        *(Paragraph(text, "item") for text in members.get_column("commentary")),
    ]
    figure = _figure(ref, members, spec, name, model, number)
    if figure is not None:
        blocks.append(figure)
    return Section(spec.title, tuple(blocks))


def _paper_table(rows: pl.DataFrame, title: str) -> TableModel:
    """The board table for a paper: portrait columns, rows in the paper's order, no groups (no
    merged cells), and only the notes a reader needs beside it (status marks and the source;
    the methods appendix explains the rest)."""
    model = board_frame(rows, title=title, columns=PAPER_COLUMNS, group_by=None, keep_order=True)
    marks = tuple(n for n in model.notes if n.startswith("["))
    return replace(model, notes=marks, source_notes=model.source_notes[:1])


def _figure(
    ref: ReferenceData,
    members: pl.DataFrame,
    spec: SectionSpec,
    name: str,
    model: str,
    number: int,
) -> Figure | None:
    """The section's chart and the sentence its alt text states, from the table's numbers."""
    if spec.chart == "none":
        return None
    chartable = members.filter(
        pl.col("la_value").is_not_null(),
        pl.col("unit") != "count",
        pl.col("sn_average").is_not_null() | pl.col("england_value").is_not_null(),
    )
    if spec.chart_indicator is not None:
        chosen = ref.find_indicator(spec.chart_indicator)["indicator_id"]
        chartable = chartable.filter(pl.col("indicator_id") == chosen)
    if chartable.height == 0:
        return None
    row = chartable.row(0, named=True)
    from lacompare import charts  # Altair loads only when a paper has charts

    if spec.chart == "neighbours":
        chart = charts.neighbour_chart(ref, row["area_code"], row["indicator_id"], neighbours=model)
        kind = "Bar chart"
        shows = f"{name} and its statistical neighbours in {row['period']}, best first"
    else:
        chart = charts.trend_chart(ref, row["area_code"], row["indicator_id"], neighbours=model)
        kind = "Line chart"
        shows = f"{name}, its region, its statistical neighbours' average and England over time"
    alt = f"{kind} of {row['indicator_name']}: {shows}. {finding(row)}"
    return Figure(
        png=charts.chart_to_png(chart),
        alt=alt,
        caption=f"Figure {number}. {row['indicator_name']}: {name} compared",
    )


def finding(row: dict[str, Any]) -> str:
    """What a chart shows, in the table's rounded figures: "In 2025 Derby's rate, 88.0 per
    10,000, is level with its neighbours' average of 88.0 and above England's 67.0."."""
    texts = pl.select(
        la=format_value(pl.lit(row["la_value"]), pl.lit(row["unit"]), row["decimals"]),
        sn=format_value(pl.lit(row["sn_average"]), pl.lit(row["unit"]), row["decimals"]),
        england=format_value(pl.lit(row["england_value"]), pl.lit(row["unit"]), row["decimals"]),
    ).row(0, named=True)
    what = {"percent": "percentage"}.get(row["unit"], "rate" if "rate" in row["unit"] else "value")
    if row["unit"].startswith("rate_per_"):  # "88.0 per 10,000": a rate says what it is per
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
    return (
        f"In {row['period']} {row['area_name']}'s {what}, {texts['la']}, is {' and '.join(parts)}."
    )


def _neighbour_section(ref: ReferenceData, code: str, name: str, model: str) -> Section:
    members = ref.neighbours_of(code, model)
    listed = _and_list(members.get_column("neighbour_name").to_list())
    blocks = [
        Paragraph(
            f"{name}'s statistical neighbours in DfE's {model} model, closest first: {listed}."
        )
    ]
    models = sorted(ref.neighbours.get_column("model").unique().to_list())
    if len(models) > 1 and model == models[-1]:
        blocks.append(Paragraph(model_change_note(ref, code, (models[-2], models[-1]))))
    return Section("Statistical neighbours", tuple(blocks))


def _definitions_section(ref: ReferenceData, rows: pl.DataFrame) -> Section:
    defined = (
        rows.select("indicator_id")
        .unique(maintain_order=True)
        .join(
            ref.indicators.select("indicator_id", "name", "description", "source", "source_url"),
            on="indicator_id",
        )
        .sort("name")
    )
    blocks = []
    for row in defined.iter_rows(named=True):
        description = (row["description"] or "No description published.").strip()
        link = f" Source: {row['source'] or 'DfE'}" + (
            f" ({row['source_url']})" if row["source_url"] else ""
        )
        blocks.append(Paragraph(f"{row['name']}: {description}{link}.", "item"))
    return Section("Appendix A: definitions", tuple(blocks))


def _methods_section(model: str) -> Section:
    return Section(
        "Appendix B: methods",
        tuple(
            Paragraph(text, "item")
            for text in (
                "Statistical neighbour average: the simple mean of the values of those of the "
                f"ten statistical neighbours (DfE model {model}) that have a figure for the "
                "period, as DfE's Local Authority Interactive Tool (LAIT) calculates it.",
                "National rank: among all local authorities with a value, 1 is best by the "
                "indicator's polarity; tied values share the lowest rank. Indicators with no "
                "polarity are not ranked.",
                "Quartile band: A is the best quarter of local authorities and D the worst, cut "
                "at the quartiles of all authorities' values (LAIT's method).",
                "Change from previous year: the latest period minus the one before; improving "
                "or worsening by the indicator's polarity.",
                "Compared with England: where DfE publishes the counts behind a percentage or "
                "rate, a 95% confidence interval is calculated (Wilson score for percentages; "
                "Byar's method, or exact Poisson below 10 events, for rates). If England's "
                "value lies inside it the difference is 'similar'; otherwise 'better' or "
                "'worse' by polarity ('higher' or 'lower' where neither direction is better), "
                "and '(99.8%)' where England's value lies outside the 99.8% interval too. "
                "Counts are used only where they reproduce the published figure to its "
                "decimals. Other indicators are 'not tested'. This is the method of the Office "
                "for Health Improvement and Disparities' Fingertips tool. School absence rates "
                "are tested on sessions (half-days), as Fingertips tests pupil absence; a "
                "pupil's sessions are not independent, so those intervals are narrow.",
                "Red-red: significantly worse than England and worse than the previous period.",
                "Rounding: figures are rounded half up (2.5 becomes 3) to the decimals DfE "
                "publishes, only for display; every comparison uses the unrounded values.",
                "Counts (numbers of children) are described by their level and change only: "
                "they are not set against England's total or other authorities' counts.",
            )
        ),
    )


def _sources_section(ref: ReferenceData, rows: pl.DataFrame, model: str) -> Section:
    periods = ", ".join(sorted(rows.get_column("period").drop_nulls().unique().to_list()))
    items = [
        "Department for Education, Local Authority Interactive Tool (LAIT) data "
        f"(bds_long) and Explore Education Statistics open data; periods used: {periods}.",
        f"Department for Education, children's services statistical neighbours, model {model}.",
    ]
    if ref.ofsted is not None:
        items.append(f"{ref.ofsted.get_column('source')[0]} (Ofsted, official statistics).")
    items.append(
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Produced with lacompare."
    )
    return Section("Sources", tuple(Paragraph(text, "item") for text in items))


def _long_date(day: dt.date | None) -> str | None:
    return None if day is None else f"{day.day} {day:%B %Y}"


def _and_list(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
