"""Every word a board paper says, for tests that read a paper as its reader would."""

from __future__ import annotations

import lacompare
from lacompare.paper import Figure, Paragraph, Table
from lacompare.tables import body_rows


def paper_text(paper: lacompare.BoardPaper) -> str:
    """The title, headings, paragraphs, table captions, header rows, cells ("label | cell |
    ...") and notes, and each figure's alt text and caption, one per line."""
    out = [paper.title]
    for section in paper.sections:
        out.append(section.heading)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                out.append(block.text)
            elif isinstance(block, Table):
                out.append(block.caption)
                model = block.model
                out.append(" | ".join([model.stub_header, *model.columns.values()]))
                out += [" | ".join([label, *cells]) for *_, label, cells in body_rows(model)]
                out += [*model.notes, *model.source_notes]
            elif isinstance(block, Figure):
                out += [block.alt, block.caption]
    return "\n".join(out)
