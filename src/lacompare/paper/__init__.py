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
:func:`lacompare.save` writes the paper (:mod:`lacompare.paper.export`).

The package, in the order a paper is built:

- :mod:`~lacompare.paper.spec`: what a paper holds (built-in papers, a user's TOML spec);
- :mod:`~lacompare.paper.context`: the authority, comparators and year resolved once, and the
  one comparison every section reads;
- :mod:`~lacompare.paper.front` (title block, key messages, since the last paper),
  :mod:`~lacompare.paper.summary` (summary, exceptions, spine chart),
  :mod:`~lacompare.paper.ofsted`, :mod:`~lacompare.paper.topics` (one section per topic) and
  :mod:`~lacompare.paper.appendices` (neighbours, definitions, methods, own figures, sources):
  the parts, each a function of the rows and the context;
- :mod:`~lacompare.paper.build`: :func:`board_paper`, the parts in order;
- :mod:`~lacompare.paper.model`: the blocks a paper is made of; :mod:`~lacompare.paper.export`
  writes them to Word, HTML and PDF.

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

from lacompare.paper.build import board_paper
from lacompare.paper.model import (
    AUTHOR_PLACEHOLDER,
    BoardPaper,
    Drawn,
    Figure,
    PaperContext,
    Paragraph,
    Section,
    Table,
)
from lacompare.paper.spec import PAPERS, PaperSpec, SectionSpec, read_spec
from lacompare.paper.topics import finding

__all__ = [
    "AUTHOR_PLACEHOLDER",
    "PAPERS",
    "BoardPaper",
    "Drawn",
    "Figure",
    "PaperContext",
    "PaperSpec",
    "Paragraph",
    "Section",
    "SectionSpec",
    "Table",
    "board_paper",
    "finding",
    "read_spec",
]
