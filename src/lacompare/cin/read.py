"""Reading a CIN census return into flat text tables, with the streaming, hardened reader of
:mod:`lacompare._xml` (no DTD, no entity, no fetch): each ``Child`` is flattened as soon as it
has been read and then dropped, so memory holds the tables, not the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import polars as pl

from lacompare._xml import records
from lacompare._xml import text as _text
from lacompare.cin.layout import ELEMENTS, TABLES
from lacompare.errors import SourceFileError


@dataclass(frozen=True)
class CinReturn:
    """A return as read: its header and the flat tables (every value text, or null)."""

    source: Path
    collection: str | None
    year: str | None
    reference_date: str | None
    lea: str | None
    tables: dict[str, pl.DataFrame] = field(repr=False)


def read_return(source: str | Path) -> CinReturn:
    """The return at ``source`` as flat text tables (:data:`~lacompare.cin.layout.TABLES`).
    A file that is not XML, is not a CIN census return, or declares a DTD (an entity bomb or
    external entity) raises :class:`~lacompare.errors.SourceFileError` naming the file."""
    path = Path(source)
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
    header: dict[str, str | None] = {}
    for above, element in records(path, "Child", "a CIN census return"):
        if element.tag == "Child" and above[-1:] == ["Children"]:
            _flatten(element, rows)
        elif element.tag in ("CollectionDetails", "Source") and "Header" in above:
            header |= {child.tag: _text(child) for child in element}
    if not header.get("ReferenceDate") and not any(rows.values()):
        raise SourceFileError(
            f"{path}: not a CIN census return (no Message/Header/CollectionDetails/"
            "ReferenceDate and no Message/Children/Child)"
        )
    return CinReturn(
        source=path,
        collection=header.get("Collection"),
        year=header.get("Year"),
        reference_date=header.get("ReferenceDate"),
        lea=header.get("LEA"),
        tables={
            name: pl.DataFrame(
                rows[name], schema=dict.fromkeys(TABLES[name], pl.String), orient="row"
            )
            for name in TABLES
        },
    )


def _values(parent: Element | None, group: str) -> dict[str, str | None]:
    """The group's columns from ``parent``'s child elements (absent: None)."""
    found: dict[str, str | None] = dict.fromkeys(dict.fromkeys(ELEMENTS[group].values()))
    if parent is None:
        return found
    for element in parent:
        column = ELEMENTS[group].get(element.tag)
        if column is not None and found[column] is None:
            found[column] = _text(element)
    return found


def _flatten(child: Element, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """One Child into rows of every table (episodes, plans numbered from 1 within it)."""
    ids = _values(child.find("ChildIdentifiers"), "children")
    key = ids["child"]
    rows["children"].append(tuple(ids[c] for c in TABLES["children"]))
    for episode, details in enumerate(child.findall("CINdetails"), start=1):
        values = _values(details, "episodes")
        rows["episodes"].append((key, str(episode), *(values[c] for c in TABLES["episodes"][2:])))
        for group, tag in (
            ("assessments", "Assessments"),
            ("cin_plans", "CINPlanDates"),
            ("s47s", "Section47"),
        ):
            for node in details.findall(tag):
                values = _values(node, group)
                rows[group].append((key, str(episode), *(values[c] for c in TABLES[group][2:])))
        for plan, node in enumerate(details.findall("ChildProtectionPlans"), start=1):
            values = _values(node, "plans")
            rows["plans"].append(
                (key, str(episode), str(plan), *(values[c] for c in TABLES["plans"][3:]))
            )
            for review in node.iter("CPPreviewDate"):
                rows["reviews"].append((key, str(episode), str(plan), _text(review)))
