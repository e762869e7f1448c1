"""The board paper: one LA's whole paper as content, ready to be written to Word, HTML or PDF.

:func:`board_paper` assembles, in order: a title block; the purpose and three to five key
messages; a placeholder for the author's recommendations; the summary (a paragraph, the
periods the paper holds, older figures, and counts that add up); a spine chart of every
indicator; the exceptions (every row the exception rule flags, tested ones first); the LA's
and its neighbours' latest Ofsted judgements; one section per topic (what matters, the table,
one line per indicator, a chart whose alt text states the finding, one source line); the
neighbour model; definitions, methods and sources.

Nothing here computes a statistic or formats a number of its own: rows come from
:func:`lacompare.compare`, flags from :mod:`lacompare.exception_rules`, tables from
:func:`lacompare.tables.board_frame`, sentences from :mod:`lacompare.commentary` and charts
from :mod:`lacompare.charts`, so every number in the paper is the one its tables show.
:func:`lacompare.save` writes the paper (:mod:`lacompare.paper_export`).

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

from lacompare._expr import fmt
from lacompare._office import PORTRAIT_WIDTH
from lacompare.commentary import (
    SUMMARY_COUNTS,
    commentary,
    flag_words,
    flags,
    model_change_note,
    summary,
    summary_paragraph,
)
from lacompare.compare import (
    comparator_codes,
    compare,
    group_members,
    select_indicators,
    trend_data,
)
from lacompare.errors import (
    InvalidArgumentError,
    SourceFileError,
    UnknownIndicatorError,
    control_character,
    plain_text,
    user_facing,
)
from lacompare.exception_rules import FLAGS, exceptions
from lacompare.format import format_change, format_value, unit_label
from lacompare.local import read_local_figures
from lacompare.outcomes import outcome
from lacompare.periods import period_text
from lacompare.presets import PAPER_SECTIONS
from lacompare.reference import ReferenceData
from lacompare.since import changes, check_same_paper, read_paper_data
from lacompare.sources.lait import POLARITY_RESERVATIONS
from lacompare.tables import MISSING, TableModel, _table_id, board_frame, local_note
from lacompare.vocab import OFSTED_JUDGEMENTS

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
CHART_KINDS = ("trend", "neighbours", "none")
AUTHOR_PLACEHOLDER = "[Author name, job title]"
RECOMMENDATIONS_PLACEHOLDER = (
    "[The author's recommendations to the committee: what members are asked to note, "
    "agree or decide.]"
)

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
    #: The chart's smallest text in CSS pixels; at the placed width it is at least 9 pt.
    font_px: float
    alt: str
    caption: str
    #: Width on the page as a share of the text width: the whole width, as the chart's text
    #: is sized for (see ``font_px``).
    width: float = 1.0


Block = Paragraph | Table | Figure


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    #: An HTML id for the section, unique in the paper.
    anchor: str = ""


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
    #: The neighbour model ("2025") or "custom", and the LA's latest Ofsted inspection as the
    #: paper knew it: kept in a paper's data file, for "since the last paper".
    model: str = "2025"
    inspection: dt.date | None = None

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def paragraphs(self) -> list[Paragraph]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Paragraph)]


@dataclass(frozen=True)
class PaperContext:
    """What one paper is about, resolved once at :func:`board_paper` and handed down: the
    authority, what it is compared with, the year asked for and the date written."""

    code: str
    name: str
    #: What compare() takes: a DfE model ("2025") or the codes of a comparator group.
    neighbours: str | tuple[str, ...]
    #: The comparators' names, closest first (a custom group in the order given).
    group_names: tuple[str, ...]
    #: The year asked for (period=2019), or None for each indicator's latest figure.
    year: int | None
    written: dt.date

    @property
    def custom(self) -> bool:
        return not isinstance(self.neighbours, str)

    @property
    def model(self) -> str:
        """The DfE model's name, or "custom" for a comparator group."""
        return self.neighbours if isinstance(self.neighbours, str) else "custom"

    @property
    def group(self) -> str:
        """The comparators as a sentence names them, after "its": "statistical neighbours
        (DfE's 2025 model)", "comparator group (5 authorities)"."""
        if self.custom:
            return (
                f"comparator group ({_plural(len(self.group_names), 'authority', 'authorities')})"
            )
        return f"statistical neighbours (DfE's {self.model} model)"

    @property
    def year_text(self) -> str | None:
        """The year asked for as a reader says it ("2018-19"), or None."""
        return None if self.year is None else f"{self.year - 1}-{self.year % 100:02d}"

    @property
    def figures(self) -> str:
        """ "the latest figures", or "figures for 2018-19" for a year asked for."""
        return "the latest figures" if self.year is None else f"figures for {self.year_text}"


# --------------------------------------------------------------------------------------------
# Paper specifications


@dataclass(frozen=True)
class SectionSpec:
    title: str
    indicators: tuple[str, ...]
    chart: str = "trend"
    chart_indicator: str | None = None
    #: The themes the section's indicators must belong to (built-in papers; see presets).
    themes: tuple[str, ...] = ()
    #: Whether ``chart_indicator`` was named by the paper's author (a TOML spec, or Python):
    #: it is then always charted; a built-in paper's is a default a flagged row overrides.
    chart_named: bool = True


@dataclass(frozen=True)
class PaperSpec:
    """What a paper holds: its title, and either explicit ``sections`` or a flat list of
    ``indicators`` that becomes one section per topic (in the order the indicators are given)."""

    name: str
    title: str
    indicators: tuple[str, ...] = ()
    sections: tuple[SectionSpec, ...] = ()
    neighbours: str = "2025"
    #: What the paper is for, in one sentence after "This paper ...".
    purpose: str = ""
    #: The council's targets for the paper (a file path, or rows as dicts), or None.
    targets: Any = None


_PURPOSES = {
    "corporate-parenting": "reports how well the council looks after the children in its care "
    "and supports its care leavers",
    "safeguarding": "reports on help and protection for children: referrals, assessments, "
    "section 47 enquiries and child protection plans",
    "headline": "summarises children's services performance across help and protection, "
    "children in care, care leavers and the social work workforce",
}

#: The built-in papers (sections from :data:`lacompare.presets.PAPER_SECTIONS`).
PAPERS: dict[str, PaperSpec] = {
    name: PaperSpec(
        name,
        title,
        sections=tuple(
            SectionSpec(section, tuple(s.indicators), s.chart, s.chart_indicator, s.themes, False)
            for section, s in PAPER_SECTIONS[name].items()
        ),
        purpose=_PURPOSES[name],
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

_SPEC_KEYS = {"title", "neighbours", "sections", "purpose", "targets"}
_SECTION_KEYS = {"title", "indicators", "chart", "chart_indicator"}


@user_facing
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
        raise InvalidArgumentError(f"{source}: {_toml_problem(text, str(error))}") from None

    def fail(message: str, key: str, occurrence: int = 0) -> InvalidArgumentError:
        line = _line_of(text, key, occurrence)
        where = f"line {line}, " if line else ""
        return InvalidArgumentError(f"{source}: {where}key {key!r}: {message}")

    unknown = sorted(set(data) - _SPEC_KEYS)
    if unknown:
        raise fail(f"unknown key; a spec has {sorted(_SPEC_KEYS)}", unknown[0])
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise fail("required: the paper's title as text", "title")
    _spec_text(data["title"], "title", fail, TITLE_LENGTH)
    neighbours = str(data.get("neighbours", "2025"))
    if neighbours not in {"2021", "2025"}:
        raise fail(f"{neighbours!r} is not a neighbour model; use '2025' or '2021'", "neighbours")
    purpose = data.get("purpose", "")
    if not isinstance(purpose, str):
        raise fail("the paper's purpose as text ('reports on ...')", "purpose")
    _spec_text(purpose, "purpose", fail, 1000)
    sections_data = data.get("sections")
    if not isinstance(sections_data, list) or not sections_data:
        raise fail("required: one or more [[sections]] tables", "sections")
    sections = [
        _read_section(entry, number, fail, text, source, ref)
        for number, entry in enumerate(sections_data)
    ]
    _check_sections_once(sections, fail)
    return PaperSpec(
        source.stem,
        data["title"].strip(),
        sections=tuple(sections),
        neighbours=neighbours,
        purpose=purpose.strip(),
        targets=_spec_targets(data.get("targets"), source, fail),
    )


def _spec_targets(given: object, source: Path, fail: Any) -> Any:
    """A spec's ``targets``: a file beside the spec (``targets = "targets.csv"``) or rows
    (``[[targets]]`` tables with indicator, target and the optional columns)."""
    if given is None:
        return None
    if isinstance(given, str):
        path = (source.parent / given).resolve()
        if not path.is_file():
            raise fail(f"{given!r}: no such file beside the spec ({path})", "targets")
        return path
    if isinstance(given, list) and given and all(isinstance(row, dict) for row in given):
        columns = sorted({key for row in given for key in row})
        return {c: [None if row.get(c) is None else str(row[c]) for row in given] for c in columns}
    raise fail(
        'a targets file name (targets = "targets.csv") or [[targets]] tables with '
        "indicator and target",
        "targets",
    )


def _toml_problem(text: str, error: str) -> str:
    """A TOML error as a user reads it: a control character typed into a value is named with
    its key, line and position (TOML itself refuses it before lacompare sees the value)."""
    found = re.search(r"Illegal character '(.+?)' \(at line (\d+), column (\d+)\)", error)
    if not found:
        return f"not valid TOML ({error})"
    line, column = int(found.group(2)), int(found.group(3))
    lines = text.splitlines()
    key = lines[line - 1].split("=", 1)[0].strip() if 0 < line <= len(lines) else "?"
    character = found.group(1).encode().decode("unicode_escape")
    code = f"U+{ord(character):04X}" if len(character) == 1 else found.group(1)
    return (
        f"line {line}, key {key!r}: holds a control character ({code}) at column {column}; "
        "use plain text"
    )


def _read_section(
    entry: object,
    number: int,
    fail: Any,
    text: str,
    source: Path,
    ref: ReferenceData | None,
) -> SectionSpec:
    """One [[sections]] table, every key checked."""
    if not isinstance(entry, dict):
        raise fail(
            f"section {number + 1} is {entry!r}, not a table: write each section as "
            "[[sections]] with title and indicators",
            "sections",
        )
    bad = sorted(set(entry) - _SECTION_KEYS)
    if bad:
        raise fail(f"unknown key in section {number + 1}; use {sorted(_SECTION_KEYS)}", bad[0])
    if not isinstance(entry.get("title"), str) or not entry["title"].strip():
        raise fail(f"section {number + 1} needs a title", "title", number + 1)
    _spec_text(entry["title"], "title", fail, TITLE_LENGTH, number + 1)
    indicators = entry.get("indicators")
    if (
        not isinstance(indicators, list)
        or not indicators
        or not all(isinstance(i, str) for i in indicators)
    ):
        raise fail(f"section {number + 1} needs a list of indicator codes", "indicators", number)
    chart = entry.get("chart", "trend")
    if chart not in CHART_KINDS:
        raise fail(f"{chart!r} is not a chart; use one of {list(CHART_KINDS)}", "chart")
    chart_indicator = entry.get("chart_indicator")
    if chart_indicator is not None and chart_indicator not in indicators:
        raise fail(f"{chart_indicator!r} is not one of the section's indicators", "chart_indicator")
    if ref is not None:
        for indicator in indicators:
            try:
                ref.find_indicator(indicator)
            except UnknownIndicatorError as error:
                line = _line_of(text, indicator, 0, quoted=True)
                raise InvalidArgumentError(
                    f"{source}: line {line}, key 'indicators': {error}"
                ) from None
    return SectionSpec(entry["title"].strip(), tuple(indicators), chart, chart_indicator)


#: The longest title a spec may give: a Word document's title property holds 255 characters,
#: and the LA's name is put before the paper's.
TITLE_LENGTH = 200


def _spec_text(text: str, key: str, fail: Any, max_length: int, occurrence: int = 0) -> None:
    """A title or purpose a document can hold: no control or bidirectional-override character
    (refused here, naming it, rather than when Word is written), and not too long. Markup is
    not refused: it is text, and every writer escapes it for where it lands."""
    bad = control_character(text)
    if bad:
        raise fail(f"holds {bad}; use plain text", key, occurrence)
    if len(text.strip()) > max_length:
        raise fail(
            f"is {len(text.strip()):,} characters; at most {max_length} fit", key, occurrence
        )


def _check_sections_once(sections: list[SectionSpec], fail: Any) -> None:
    """A section title, and an indicator, appear once in a paper: a repeat would give two
    sections the same anchor and count a row twice in the summary."""
    titles = [s.title for s in sections]
    for number, title in enumerate(titles):
        if titles.index(title) != number:
            raise fail(
                f"section {number + 1} repeats the title {title!r}; give each section its own",
                "title",
                number,
            )
    seen: dict[str, str] = {}
    for section in sections:
        for indicator in section.indicators:
            key = indicator.lower()
            if key in seen:
                raise fail(
                    f"{indicator!r} is in section {seen[key]!r} and again in {section.title!r}; "
                    "an indicator appears in one section",
                    "indicators",
                )
            seen[key] = section.title


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
    spec = _spec(ref, paper)
    written = _written(written)
    author = plain_text("author", author or AUTHOR_PLACEHOLDER, max_length=200)
    if local is not None:
        # The figures' own area column wins: la= fills only rows without one, so a file of
        # several LAs' figures adds each to its own LA (and only this LA's reach the paper).
        figures = read_local_figures(local).drop("_la")
        named = figures.get_column("area").drop_nulls().len() == figures.height
        ref = ref.with_local(figures, la=None if named else la)
    for given in (spec.targets, targets):  # the spec's, then the call's
        if given is not None:
            ref = ref.with_targets(given, la=la)
    ctx = _context(ref, la, spec.neighbours if neighbours is None else neighbours, period, written)
    sections_spec = _sections(ref, spec)
    wanted = list(dict.fromkeys(i for s in sections_spec for i in s.indicators))
    rows = _paper_rows(ref, ctx, wanted, period)
    flagged = _quality_beside(exceptions(rows), rows)
    parts = [
        _title_section(ref, rows, ctx, spec, author),
        _key_messages_section(ref, rows, flagged, ctx, spec),
        *((_since_section(ref, rows, ctx, spec, since),) if since is not None else ()),
        Section("Recommendations", (Paragraph(RECOMMENDATIONS_PLACEHOLDER),)),
        _summary_section(rows, ctx, sections_spec),
        # The exceptions before the spine chart: what the board looks at first, and the
        # full-page chart then starts a page instead of leaving the summary's half empty.
        _exceptions_section(rows, flagged, ctx.name),
        _spine_section(rows, ctx.name, sections_spec) if charts else Section("At a glance", ()),
        _ofsted_section(ref, ctx),
    ]
    trends = _paper_trends(ref, rows, sections_spec, ctx, flagged) if charts else None
    for number, section in enumerate(sections_spec, start=1):
        parts.append(
            _topic_section(ref, rows, flagged, section, ctx, number, charts=charts, trends=trends)
        )
    parts += [
        _neighbour_section(ref, ctx),
        _definitions_section(ref, rows, wanted),
        _methods_section(ref, rows, ctx),
        _local_figures_section(ref, rows, ctx.name),
        _sources_section(ref, rows, ctx),
    ]
    return BoardPaper(
        title=f"{ctx.name}: {spec.title}" + (f", {ctx.year_text}" if ctx.year_text else ""),
        la_name=ctx.name,
        la_code=ctx.code,
        paper=spec.name,
        written=written,
        data_period=_periods_line(rows),
        author=author,
        sections=_with_anchors(tuple(s for s in parts if s.blocks)),
        comparison=rows,
        model=ctx.model,
        inspection=_own_inspection(ref, ctx.code),
    )


def _own_inspection(ref: ReferenceData, code: str) -> dt.date | None:
    """The date the LA's latest Ofsted inspection began, as the reference data hold it."""
    if ref.ofsted is None:
        return None
    found = ref.ofsted.filter(pl.col("area_code") == code).get_column("inspection_date")
    return found[0] if found.len() else None


def _since_section(
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
            f"Since the last paper, written on {_long_date(before.written)}: "
            + (
                f"{_plural(sum(len(v) for v in found.values()), 'change', 'changes')}, "
                "listed by kind below."
                if any(found.values())
                else "no figure, flag, verdict, quartile band or target has changed."
            )
        )
    ]
    for key, heading in words.items():
        if found[key]:
            blocks.append(Paragraph(f"{heading}: " + "; ".join(found[key]) + ".", "item"))
    inspection = _own_inspection(ref, ctx.code)
    if inspection is not None and (before.inspection is None or inspection > before.inspection):
        blocks.append(
            Paragraph(
                f"Ofsted has inspected {ctx.name} since: the inspection began on "
                f"{_long_date(inspection)} (see Ofsted judgements)."
            )
        )
    return Section(f"Since the last paper ({_long_date(before.written)})", tuple(blocks))


def _context(
    ref: ReferenceData, la: str | int, neighbours: object, period: object, written: dt.date
) -> PaperContext:
    """The paper's authority, comparators and year, resolved once. ``neighbours`` is a DfE
    model ("2025") or the council's own comparator group (a list, or text "A, B, C" as the
    command line gives it); the authority itself may not be in its own group."""
    area = ref.find_area(la, current=True)
    code = area["area_code"]
    models = ref.neighbours.get_column("model").unique().to_list()
    if isinstance(neighbours, str) and "," in neighbours:
        neighbours = [part.strip() for part in neighbours.split(",") if part.strip()]
    if isinstance(neighbours, int | str) and not isinstance(neighbours, bool):
        if str(neighbours) not in models:
            raise InvalidArgumentError(
                f"neighbours={neighbours!r} is not a DfE model ({', '.join(sorted(models))}) "
                "or a comparator group: give the group as a list of authorities (names, DfE "
                'numbers or ONS codes), or on the command line as "Nottingham, 856, E06000016"'
            )
        group: str | tuple[str, ...] = str(neighbours)
    elif isinstance(neighbours, list | tuple):
        group = tuple(comparator_codes(ref, neighbours))
        if code in group:
            raise InvalidArgumentError(
                f"comparator group: {area['name']} is the authority the paper is about; its "
                "comparator group lists the other authorities it is compared with"
            )
    else:
        raise InvalidArgumentError(
            f"neighbours must be a DfE model ('2025') or a list of authorities, not {neighbours!r}"
        )
    members = group_members(ref, code, group)
    return PaperContext(
        code=code,
        name=area["name"],
        neighbours=group,
        group_names=tuple(members.get_column("neighbour_name").to_list()),
        year=_asked_year(period),
        written=written,
    )


def _asked_year(period: object) -> int | None:
    """The year a paper was asked for (2019 or "2019"), or None for the latest figures."""
    if isinstance(period, int) and not isinstance(period, bool):
        return period
    if isinstance(period, str) and re.fullmatch(r"\s*\d{4}\s*", period):
        return int(period)
    return None


def _paper_rows(
    ref: ReferenceData, ctx: PaperContext, wanted: list[str], period: str | int
) -> pl.DataFrame:
    """The paper's comparison rows, with sentences, flags and display texts; a period with no
    figure for any of the paper's indicators is refused (never a paper of empty rows)."""
    rows = flags(
        commentary(
            compare(
                ref,
                ctx.code,
                indicators=wanted,
                period=period,  # type: ignore[arg-type]
                neighbours=ctx.neighbours,
            )
        )
    ).with_columns(
        period_text=period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot"))
    )
    releases = ref.indicators.select("indicator_id", "publication", "released", "next_release")
    rows = rows.join(releases, on="indicator_id", how="left", maintain_order="left")
    rows = _with_quality(ref, ctx, rows)
    if rows.get_column("la_value").null_count() == rows.height:
        raise InvalidArgumentError(
            f"period={period!r}: {rows.get_column('area_name')[0]} has no figure for any of "
            f"the paper's {rows.height} indicators; choose another period, or 'latest'"
        )
    return rows


def _quality_beside(flagged: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """A flagged own figure's reason carries the data-quality warning that changes it, so
    the exceptions table and the key messages say it beside the figure too."""
    quality = rows.select("indicator_id", "quality").drop_nulls("quality")
    if quality.height == 0:
        return flagged
    return (
        flagged.join(quality, on="indicator_id", how="left", maintain_order="left")
        .with_columns(
            reason=pl.when(pl.col("quality").is_not_null())
            .then(fmt("{}; data quality: {}", "reason", "quality"))
            .otherwise("reason")
        )
        .drop("quality")
    )


def _with_quality(ref: ReferenceData, ctx: PaperContext, rows: pl.DataFrame) -> pl.DataFrame:
    """``quality``: the data-quality warnings on each own figure's note (what the LA's return
    got wrong that changes the figure, e.g. children with no health record counted as not
    done), said in the sentence that states the figure as well as in Appendix C."""
    if ref.local is None or "note" not in ref.local.columns:
        return rows.with_columns(quality=pl.lit(None, dtype=pl.String))
    notes = (
        ref.local.filter(pl.col("area_code").cast(pl.String) == ctx.code)
        .select(
            pl.col("indicator_id", "period").cast(pl.String),
            quality=pl.col("note")
            .str.split("; ")
            # A rate's population is a definition, not a warning.
            .list.eval(pl.element().filter(~pl.element().str.starts_with("rate per 10,000")))
            .list.join("; ")
            .replace("", None),
        )
        .drop_nulls("quality")
    )
    joined = rows.join(
        notes,
        left_on=[pl.col("indicator_id").cast(pl.String), pl.col("period").cast(pl.String)],
        right_on=["indicator_id", "period"],
        how="left",
        maintain_order="left",
    ).with_columns(quality=pl.when(pl.col("la_local")).then("quality"))
    return joined.with_columns(
        commentary=pl.when(pl.col("quality").is_not_null())
        .then(fmt("{} Data quality: {}.", "commentary", "quality"))
        .otherwise("commentary")
    )


def _written(written: object) -> dt.date:
    """The date written: a date, an ISO date text ("2026-11-25"), or today."""
    if written is None:
        return dt.date.today()
    if isinstance(written, dt.datetime):
        return written.date()
    if isinstance(written, dt.date):
        return written
    if isinstance(written, str):
        try:
            return dt.date.fromisoformat(written.strip())
        except ValueError:
            pass
    raise InvalidArgumentError(
        f"written must be a date (datetime.date(2026, 11, 25)) or text such as '2026-11-25', "
        f"not {written!r}"
    )


def _spec(ref: ReferenceData, paper: object) -> PaperSpec:
    if isinstance(paper, PaperSpec):
        return _checked_spec(paper)
    if isinstance(paper, Path) or (isinstance(paper, str) and paper.endswith(".toml")):
        return read_spec(paper, ref)
    if not isinstance(paper, str) or paper not in PAPERS:
        raise InvalidArgumentError(
            f"unknown paper {paper!r}; use one of {sorted(PAPERS)} or a .toml spec"
        )
    return PAPERS[paper]


def _checked_spec(spec: PaperSpec) -> PaperSpec:
    """A spec built in Python: sections are SectionSpecs and indicators are text."""
    bad = [s for s in spec.sections if not isinstance(s, SectionSpec)]
    if bad:
        raise InvalidArgumentError(
            f"PaperSpec {spec.name!r}: sections must be SectionSpec(title, indicators), not "
            f"{bad[0]!r}; e.g. sections=(SectionSpec('Children in care', ('LAC', 'LACnum')),)"
        )
    plain_text(f"PaperSpec {spec.name!r} title", spec.title, max_length=TITLE_LENGTH)
    plain_text(f"PaperSpec {spec.name!r} purpose", spec.purpose, max_length=1000)
    for section in spec.sections:
        plain_text(f"PaperSpec {spec.name!r} section title", section.title, max_length=TITLE_LENGTH)
    indicators = [i for s in spec.sections for i in s.indicators] + list(spec.indicators)
    wrong = [i for i in indicators if not isinstance(i, str)]
    if wrong or isinstance(spec.indicators, str):
        raise InvalidArgumentError(
            f"PaperSpec {spec.name!r}: indicators must be a list of ids or LAIT codes, not "
            f"{(wrong[0] if wrong else spec.indicators)!r}"
        )
    return spec


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


# --------------------------------------------------------------------------------------------
# The front of the paper


def _periods_line(rows: pl.DataFrame) -> str:
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


def _title_section(
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
        data.append(f"Figures: published figures for {_periods_line(published)}")
    if local.height:
        sources = _local_sources(ref, ctx.code, local)
        data.append(
            f"{'Figures: ' if not published.height else ''}{name}'s own figures, not yet "
            f"published, for {_periods_line(local)}"
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
            Paragraph(f"Date written: {_long_date(ctx.written)}"),
            *(Paragraph(text) for text in data),
            Paragraph(f"Published data as released by DfE up to {releases}")
            if releases
            else Paragraph("Published data: DfE, as held in the data this paper was built from"),
            # (a paper about an earlier year is not out of date when DfE publishes a later one)
            *(
                (Paragraph(newer),)
                if ctx.year is None and (newer := _newer_figures(rows, ctx.written))
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
        return f"your comparator group ({len(ctx.group_names)} authorities): " + _and_list(
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
    return _and_list([str(n) for n in names])


def _releases(rows: pl.DataFrame) -> str | None:
    """The latest release date among the paper's indicators ("1 November 2025")."""
    latest = rows.get_column("released").max() if "released" in rows.columns else None
    return _long_date(latest) if latest else None  # type: ignore[arg-type]


def _key_messages_section(
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
        listed = ", ".join(_label_period(r) for r in old.iter_rows(named=True))
        than = (
            f"{ctx.year_text}, the year this paper reports"
            if ctx.year_text
            else "the latest year other authorities have"
        )
        messages.append(
            f"{_plural(old.height, 'figure is', 'figures are')} older than {than}: {listed}."
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


def _targets_summary(rows: pl.DataFrame) -> str | None:
    """How the council's targets stand: "Of the 3 targets set, 1 is met, none near and 2
    missed." """
    status = rows.get_column("target_status").drop_nulls().to_list()
    if not status:
        return None
    counts = {word: status.count(word) for word in ("met", "near", "missed", "no figure")}
    text = (
        f"Of the council's {_plural(len(status), 'target', 'targets')} in this paper, "
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


def _year_end(ctx: PaperContext) -> dt.date | None:
    """The end of the year a paper reports (31 March of the year asked for), or None."""
    return None if ctx.year is None else dt.date(ctx.year, 3, 31)


def _ofsted_message(ref: ReferenceData, ctx: PaperContext) -> str | None:
    if ref.ofsted is None:
        return None
    own = ref.ofsted_judgements(ctx.code, neighbours=None).row(0, named=True)
    if own["overall_effectiveness"] is None:
        return None
    end = _year_end(ctx)
    if end is not None and own["inspection_date"] > end:
        return (
            f"Ofsted's latest judgement of {ctx.name}, {own['overall_effectiveness']} overall, "
            f"is from an inspection in {own['inspection_date'].year}, after {ctx.year_text}: "
            "it does not describe the year this paper reports."
        )
    return (
        f"Ofsted judged {ctx.name}'s children's services {own['overall_effectiveness']} "
        f"overall at the inspection that began on {_long_date(own['inspection_date'])}."
    )


def _label_period(row: dict[str, Any]) -> str:
    return f"{row['indicator_label']} ({row['period_text']})"


def _summary_section(rows: pl.DataFrame, ctx: PaperContext, sections: list[SectionSpec]) -> Section:
    """The paragraph, the periods the paper holds, older figures, and counts per section that
    add up (in paper = no figure + small number + older figure + not tested + tested; tested
    = better +
    similar + worse + higher or lower)."""
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
    old = rows.filter(outcome() == "old_figure")
    targets = _targets_summary(rows)
    blocks: list[Block] = [
        Paragraph(summary_paragraph(rows)),
        *((Paragraph(targets),) if targets else ()),
        Paragraph(f"Periods of the figures in this paper: {_periods_line(rows)}."),
    ]
    if old.height:
        blocks.append(
            Paragraph(
                f"Older figures (the latest {name} has, while other authorities have later "
                f"ones): {'; '.join(_label_period(r) for r in old.iter_rows(named=True))}."
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


def _spine_section(rows: pl.DataFrame, name: str, sections: list[SectionSpec]) -> Section:
    """Fingertips' spine chart of every indicator that can be placed among all authorities,
    in the paper's order."""
    from lacompare import charts  # Altair loads only when a paper has charts

    order = {i: n for n, i in enumerate(i for s in sections for i in s.indicators)}
    rows = rows.sort(pl.col("indicator_id").replace_strict(order, default=len(order)))
    if charts.spine_frame(rows).height == 0:  # nothing a spine chart can place
        return Section("At a glance", ())
    counts = charts.spine_counts(rows)
    placed = sum(counts.values())
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
    )
    return Section(
        "At a glance",
        (
            Paragraph(
                "Each row is one indicator. The grey bar runs from the lowest to the highest "
                "local authority, the darker part is the middle half of authorities, and the "
                f"line is England. The marker is {name}: its shape and colour say whether it is "
                "better, similar or worse than England, or was not tested. Better is always to "
                "the right, whichever way the indicator runs."
            ),
            Figure(
                *charts.print_png(
                    lambda font: charts.spine_chart(rows, font=font, title=""), TEXT_WIDTH
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
            f" {_plural(unseen, 'indicator', 'indicators')} of {rows.height} could not be tested "
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


def _exceptions_section(rows: pl.DataFrame, flagged: pl.DataFrame, name: str) -> Section:
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
                f"{_plural(flagged.height, 'indicator is', 'indicators are')} flagged by the "
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


# --------------------------------------------------------------------------------------------
# Ofsted, topics


def _ofsted_section(ref: ReferenceData, ctx: PaperContext) -> Section:
    if ref.ofsted is None:
        return Section("Ofsted judgements", (Paragraph("Ofsted judgements are not loaded."),))
    name, end = ctx.name, _year_end(ctx)
    judged = _inspected_areas(ref, ctx).join(ref.ofsted, on="area_code", how="left")
    grade_columns = list(OFSTED_JUDGEMENTS)
    after = pl.col("inspection_date") > pl.lit(end) if end is not None else pl.lit(False)
    frame = judged.select(
        "label",
        inspected=pl.col("inspection_date").map_elements(_long_date, return_dtype=pl.String)
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
                f"Judgements as at {_long_date(as_at)} (Ofsted's latest list in the data this "
                "paper was built from, which holds each authority's latest inspection only); "
                f"this paper was written on {_long_date(ctx.written)}. Check Ofsted's website "
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
        replaced = _and_list(heirs) if heirs else None
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
        return f"Ofsted's list as at {_long_date(as_at)} holds no ILACS inspection of {ctx.name}."
    end = _year_end(ctx)
    if end is not None and own["inspection_date"] > end:
        return (
            f"{ctx.name}'s children's services were judged {own['overall_effectiveness']} "
            f"overall at an inspection that began on {_long_date(own['inspection_date'])}, "
            f"after {ctx.year_text}, the year this paper reports: it is not the judgement in "
            f"force then, which the data this paper was built from do not hold."
        )
    return (
        f"At its latest inspection under Ofsted's ILACS framework, which began on "
        f"{_long_date(own['inspection_date'])}, {ctx.name}'s children's services were judged "
        f"{own['overall_effectiveness']} overall."
    )


def _neighbour_judgements(neighbours: pl.DataFrame, ctx: PaperContext) -> list[str]:
    """The comparators' overall judgements grouped by grade, then who was replaced, then
    (for a year asked for) how many inspections came after it."""
    lines = []
    for grade in ("Outstanding", "Good", "Requires improvement to be good", "Inadequate"):
        names = neighbours.filter(pl.col("overall_effectiveness") == grade)
        if names.height:
            listed = _and_list(names.get_column("label").str.replace(r" \(.*\)$", "").to_list())
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
    end = _year_end(ctx)
    if end is not None:
        later = neighbours.filter(pl.col("inspection_date") > pl.lit(end)).height
        if later:
            lines.append(
                f"{_plural(later, 'of these inspections was', 'of these inspections were')} "
                f"after {ctx.year_text}."
            )
    return lines


def _topic_section(
    ref: ReferenceData,
    rows: pl.DataFrame,
    flagged: pl.DataFrame,
    spec: SectionSpec,
    ctx: PaperContext,
    number: int,
    *,
    charts: bool = True,
    trends: pl.DataFrame | None = None,
) -> Section:
    """What matters in the section, its table, one line per indicator, a chart, and one
    source line (``trends``: the paper's trend data, computed once)."""
    name = ctx.name
    members = _section_members(rows, spec)
    if members.height == 0:
        return Section(spec.title, ())
    table = Table(
        _paper_table(members, f"{name}: {spec.title}"),
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
    figure = _figure(ref, members, spec, ctx, number, trends, flagged) if charts else None
    if figure is not None:
        blocks.append(figure)
    blocks.append(Paragraph(_source_line(members, _publication_dates(rows)), "note"))
    return Section(spec.title, tuple(blocks))


#: The width a paper's charts are placed at, in points: A4 less its margins (Word and PDF).
TEXT_WIDTH = PORTRAIT_WIDTH

#: Periods a paper's trend charts show (trend_chart's own default).
TREND_PERIODS = 8


def _paper_trends(
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
    parts = [f"{_plural(n, 'indicator', 'indicators')} in this section"]
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


def _paper_table(rows: pl.DataFrame, title: str) -> TableModel:
    """The board table for a paper: rows in the paper's order, no groups (no merged cells),
    and only the notes a reader needs beside it (marks, local figures, small numbers, uneven
    bands); the source is one line per section, the methods in the appendix."""
    has_target = rows.get_column("target").is_not_null().any()
    columns = (*PAPER_COLUMNS, "target") if has_target else PAPER_COLUMNS
    model = board_frame(rows, title=title, columns=columns, group_by=None, keep_order=True)
    keep = tuple(
        note
        for note in model.notes
        if note.startswith(
            ("[", "Small numbers", "Quartile bands are uneven", "School absence", "Counts")
        )
    )
    return replace(model, notes=keep, source_notes=())


def _publication_dates(rows: pl.DataFrame) -> pl.DataFrame:
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
        f"{p}" + (f" (updated {_long_date(released[p])})" if released.get(p) else "") for p in pubs
    ]
    return (
        "Source: Department for Education, Local Authority Interactive Tool and Explore "
        f"Education Statistics: {'; '.join(named) or 'DfE statistics'}. Open Government "
        "Licence v3.0."
    )


def _newer_figures(rows: pl.DataFrame, written: dt.date) -> str | None:
    """Where the paper is written after a source's next update was due, that DfE has
    probably published newer figures, and how to get them."""
    due = _publication_dates(rows).filter(pl.col("next_release") < pl.lit(written))
    if due.height == 0:
        return None
    listed = "; ".join(
        f"{publication} (next update was due {_long_date(when)})"
        for publication, when in due.select("publication", "next_release").iter_rows()
    )
    return (
        f"Newer figures are probably published: {listed}, before this paper was written. "
        "Update the data before the paper goes to the board (`lacompare refresh --from` a "
        "folder of DfE's latest downloads; see 'Updating the data' in lacompare's README)."
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
    from lacompare import charts  # Altair loads only when a paper has charts

    if spec.chart == "neighbours":
        chart = charts.neighbour_chart(
            ref,
            row["area_code"],
            row["indicator_id"],
            period=ctx.year or "latest",
            neighbours=model,
            source=False,
        )
        kind = "Bar chart"
        shows = f"{name} and its {group} for {row['period_text']}, best first"
    else:
        if trends is None:
            trends = trend_data(
                ref, row["area_code"], [row["indicator_id"]], periods=TREND_PERIODS,
                neighbours=model, period=ctx.year or "latest",
            )  # fmt: skip
        chart = charts.trend_chart_from_data(
            trends.filter(pl.col("indicator_id") == row["indicator_id"]),
            neighbours=model,
            source=False,
        )
        kind = "Line chart"
        shows = f"{name}, its region, its {group}' average and England over time"
    alt = f"{kind} of {row['indicator_label']}: {shows}. {finding(row)}"
    png, font = charts.print_png(lambda _: chart, TEXT_WIDTH)
    return Figure(
        png=png,
        font_px=font,
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


# --------------------------------------------------------------------------------------------
# The appendices


def _neighbour_section(ref: ReferenceData, ctx: PaperContext) -> Section:
    name, listed = ctx.name, _and_list(list(ctx.group_names))
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


def _definitions_section(ref: ReferenceData, rows: pl.DataFrame, order: list[str]) -> Section:
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


def _methods_section(ref: ReferenceData, rows: pl.DataFrame, ctx: PaperContext) -> Section:
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
            for text in (
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
        ),
    )


def _local_figures_section(ref: ReferenceData, rows: pl.DataFrame, name: str) -> Section:
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


def _sources_section(ref: ReferenceData, rows: pl.DataFrame, ctx: PaperContext) -> Section:
    pubs = (
        rows.filter(~pl.col("la_local"))  # DfE's publications: the LA's own figures are apart
        .group_by("publication")
        .agg(periods=pl.col("period_text").drop_nulls().unique().sort())
        .join(_publication_dates(rows), on="publication", how="left")
        .select("publication", "released", "next_release", "periods")
        .sort("publication", nulls_last=True)
    )
    items = []
    for publication, released, next_release, periods in pubs.iter_rows():
        when = f"; updated in LAIT {_long_date(released)}" if released else ""
        upcoming = f"; next update due {_long_date(next_release)}" if next_release else ""
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


def _long_date(day: dt.date | None) -> str | None:
    return None if day is None else f"{day.day} {day:%B %Y}"


def _and_list(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


__all__ = [
    "PAPERS",
    "SUMMARY_COUNTS",
    "BoardPaper",
    "Figure",
    "PaperSpec",
    "Paragraph",
    "Section",
    "SectionSpec",
    "Table",
    "board_paper",
    "finding",
    "read_spec",
]
