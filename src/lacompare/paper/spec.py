"""Paper specifications: the built-in papers and a user's own, read from TOML."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from lacompare.compare import select_indicators
from lacompare.errors import (
    InvalidArgumentError,
    SourceFileError,
    UnknownIndicatorError,
    control_character,
    plain_text,
    user_facing,
)
from lacompare.presets import PAPER_SECTIONS
from lacompare.reference import ReferenceData

CHART_KINDS = ("trend", "neighbours", "none")


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
    spec_text(data["title"], "title", fail, TITLE_LENGTH)
    neighbours = str(data.get("neighbours", "2025"))
    if neighbours not in {"2021", "2025"}:
        raise fail(f"{neighbours!r} is not a neighbour model; use '2025' or '2021'", "neighbours")
    purpose = data.get("purpose", "")
    if not isinstance(purpose, str):
        raise fail("the paper's purpose as text ('reports on ...')", "purpose")
    spec_text(purpose, "purpose", fail, 1000)
    sections_data = data.get("sections")
    if not isinstance(sections_data, list) or not sections_data:
        raise fail("required: one or more [[sections]] tables", "sections")
    sections = [
        _read_section(entry, number, fail, text, source, ref)
        for number, entry in enumerate(sections_data)
    ]
    check_sections_once(sections, fail)
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
    spec_text(entry["title"], "title", fail, TITLE_LENGTH, number + 1)
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


def spec_text(text: str, key: str, fail: Any, max_length: int, occurrence: int = 0) -> None:
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


def check_sections_once(sections: list[SectionSpec], fail: Any) -> None:
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


def paper_spec(ref: ReferenceData, paper: object) -> PaperSpec:
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


def section_specs(ref: ReferenceData, spec: PaperSpec) -> list[SectionSpec]:
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
