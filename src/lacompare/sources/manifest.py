"""The manifest of sources (``manifest.toml`` beside this module): every file the reference
data is built from, where a person finds it, where it is downloaded from and the columns the
build reads. :func:`sources` reads it; :func:`required_columns` adds the columns the count
specifications read from each Explore Education Statistics file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from lacompare.sources.counts import COUNT_SPECS, POPULATION_0_17, EesCount

MANIFEST = Path(__file__).with_name("manifest.toml")
#: What every Explore Education Statistics open-data CSV carries (the area codes come from
#: these).
EES_GEOGRAPHY = ("time_period", "geographic_level", "old_la_code", "region_code", "region_name")


@dataclass(frozen=True)
class Source:
    file: str
    publisher: str
    title: str
    page: str
    url: str
    found_in: str
    licence: str
    kind: str
    columns: tuple[str, ...] = ()
    #: An EES publication whose latest release holds the file (found by ``release_file``, the
    #: start of its name: each release's file names carry its years).
    publication: str = ""
    release_file: str = ""
    #: Set where an update can go on without the file: what then happens.
    if_missing: str = ""

    @property
    def mirror(self) -> str:
        """Where a council's mirror keeps this file, under its root: the URL's host and path,
        or (no URL) the page's host and path and the file name."""
        if self.url:
            parts = urlsplit(self.url)
            return f"{parts.netloc}{parts.path}"
        parts = urlsplit(self.page)
        return f"{parts.netloc}{parts.path.rstrip('/')}/{Path(self.file).name}"


@cache
def sources() -> tuple[Source, ...]:
    data = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    return tuple(
        Source(**{**entry, "columns": tuple(entry.get("columns", ()))}) for entry in data["source"]
    )


def required_columns(source: Source) -> tuple[str, ...]:
    """The columns the build reads from the file: the manifest's, and for an EES CSV with
    area codes, the geography columns and every column a count specification reads."""
    needed = list(source.columns)
    name = Path(source.file).name
    counts = [POPULATION_0_17] + [
        part for spec in COUNT_SPECS for part in (spec.numerator, spec.denominator)
    ]
    for part in counts:
        if isinstance(part, EesCount) and part.file == name:
            columns = (part.column,) if isinstance(part.column, str) else part.column
            needed += [*columns, *part.filters]
    if needed and source.file.startswith("ees/") and source.kind == "csv":
        needed += [c for c in EES_GEOGRAPHY if c in ("time_period", "geographic_level")]
    return tuple(dict.fromkeys(needed))
