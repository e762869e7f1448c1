"""What a paper is made of: its blocks, sections and the whole paper, and the context one
paper is written in (the authority, its comparators, the year), resolved once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from lacompare._office import PORTRAIT_WIDTH
from lacompare.paper.words import plural
from lacompare.tables import TableModel

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


class Drawing(Protocol):
    """A chart drawn, or being drawn (:class:`lacompare.charts.PrintDrawing`): ``result()``
    gives (PNG, smallest font in CSS pixels), waiting for it if need be."""

    def result(self) -> tuple[bytes, float]: ...


@dataclass(frozen=True)
class Drawn:
    """A chart already drawn."""

    png: bytes
    font_px: float

    def result(self) -> tuple[bytes, float]:
        return self.png, self.font_px


@dataclass(frozen=True)
class Figure:
    """A chart as a PNG, with alt text stating its finding and a visible caption.

    The PNG may still be being drawn, in the drawing worker (:mod:`lacompare._render`), when
    :func:`board_paper` returns: reading ``png`` or ``font_px`` waits for it, so a paper's
    Word file is written while its last charts are drawn."""

    drawing: Drawing
    alt: str
    caption: str
    #: Width on the page as a share of the text width: the whole width, as the chart's text
    #: is sized for (see ``font_px``).
    width: float = 1.0

    @property
    def png(self) -> bytes:
        return self.drawing.result()[0]

    @property
    def font_px(self) -> float:
        """The chart's smallest text in CSS pixels; at the placed width it is at least 9 pt."""
        return self.drawing.result()[1]


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
    #: The DfE (LAIT) number, e.g. 831, and the ONS code of the region.
    dfe_number: int | None
    region_code: str | None
    #: The date the LA's latest Ofsted inspection began, as the reference data hold it.
    inspection: dt.date | None
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
            return f"comparator group ({plural(len(self.group_names), 'authority', 'authorities')})"
        return f"statistical neighbours (DfE's {self.model} model)"

    @property
    def year_text(self) -> str | None:
        """The year asked for as a reader says it ("2018-19"), or None."""
        return None if self.year is None else f"{self.year - 1}-{self.year % 100:02d}"

    @property
    def figures(self) -> str:
        """ "the latest figures", or "figures for 2018-19" for a year asked for."""
        return "the latest figures" if self.year is None else f"figures for {self.year_text}"


#: The width a paper's charts are placed at, in points: A4 less its margins (Word and PDF).
TEXT_WIDTH = PORTRAIT_WIDTH
