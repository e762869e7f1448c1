"""Reading the XML returns councils send DfE (the CIN census, the SSDA903), safely.

The files are parsed by :mod:`defusedxml` (expat underneath) with DTDs forbidden: a return
never has one, so an entity bomb, an external entity or a network fetch is refused at its
first line, before anything is expanded. Records are handed over one at a time and then
cleared, so memory holds what the caller keeps, not the document.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from lacompare.errors import SourceFileError


def records(path: Path, record: str, kind: str) -> Iterator[tuple[list[str], Element]]:
    """Each complete element of the file, as (the tags above it, the element), ending with
    every ``record`` element (a child, say); a ``record`` is cleared once the caller has
    had it. ``kind`` names the file in errors ("a CIN census return")."""
    if not path.is_file():
        raise SourceFileError(f"{path}: no such file ({kind}, an XML file)")
    stack: list[str] = []
    try:
        for event, element in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                stack.append(element.tag)
                continue
            stack.pop()
            yield stack, element
            if element.tag == record:
                element.clear()
    except DefusedXmlException as error:
        raise SourceFileError(
            f"{path}: refused: the file declares a DTD or entities ({type(error).__name__}); "
            f"{kind} has none, and lacompare never expands entities or fetches anything a file "
            "names"
        ) from None
    except ParseError as error:
        raise SourceFileError(f"{path}: not a well-formed XML file ({error})") from None


def text(element: Element | None) -> str | None:
    """An element's text, stripped; absent or empty is None."""
    if element is None or element.text is None:
        return None
    return element.text.strip() or None
