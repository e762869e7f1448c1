"""A paper saved with its data, and what changed since it.

``save(paper, "derby_cp_2026-09.data.parquet")`` writes the paper's rows (each indicator's
figure, period, verdict against England, flag, quartile band and target) with what the paper
was (LA, paper, date written, latest DfE release, neighbour model, Ofsted inspection) in the
file's metadata, versioned. ``board_paper(..., since=that_file)`` reads it back, checks it
is the same LA's same paper written earlier, and says what changed: figures DfE has newly
published, own figures replaced by published ones (and whether they agreed), flags raised and
cleared, verdicts that changed, quartile bands that moved, targets newly met or missed, and an
Ofsted inspection since.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lacompare.errors import InvalidArgumentError, SourceFileError
from lacompare.format import format_value

#: The layout of a paper's data file; a file of another version is refused, not misread.
DATA_VERSION = 1
_KEY = "lacompare_paper_data"

#: The paper's row columns a data file keeps, with their types.
DATA_COLUMNS: dict[str, Any] = {
    "indicator_id": pl.String,
    "indicator_label": pl.String,
    "unit": pl.String,
    "decimals": pl.Int32,
    "period": pl.String,
    "period_text": pl.String,
    "la_value": pl.Float64,
    "la_local": pl.Boolean,
    "vs_england": pl.String,
    "flag": pl.String,
    "quartile_band": pl.String,
    "target_status": pl.String,
    "released": pl.Date,
}


@dataclass(frozen=True)
class PaperData:
    """A saved paper: what it was, and its rows."""

    la_code: str
    la_name: str
    paper: str
    written: dt.date
    model: str
    inspection: dt.date | None
    rows: pl.DataFrame


def write_paper_data(paper: Any, path: Path) -> None:
    """The paper's rows and what it was, as parquet (see the module doc)."""
    rows = paper.comparison.select(
        pl.col(column).cast(dtype) for column, dtype in DATA_COLUMNS.items()
    )
    meta = {
        "version": DATA_VERSION,
        "la_code": paper.la_code,
        "la_name": paper.la_name,
        "paper": paper.paper,
        "written": paper.written.isoformat(),
        "model": paper.model,
        "inspection": None if paper.inspection is None else paper.inspection.isoformat(),
    }
    rows.write_parquet(path, metadata={_KEY: json.dumps(meta)})


def read_paper_data(path: str | Path) -> PaperData:
    """A paper's data file, checked: a lacompare paper data file of a version this
    lacompare reads, with every column it needs."""
    file = Path(path)
    try:
        metadata = pl.read_parquet_metadata(file)
        rows = pl.read_parquet(file)
    except FileNotFoundError:
        raise SourceFileError(f"{file}: no such paper data file") from None
    except Exception as error:  # polars raises several kinds for a file that is not parquet
        raise SourceFileError(f"{file}: not a paper data file ({error})") from None
    if _KEY not in metadata:
        raise SourceFileError(
            f"{file}: not a lacompare paper data file (save one with "
            "lacompare.save(paper, 'name.data.parquet') or --format ...,data)"
        )
    meta = json.loads(metadata[_KEY])
    if meta.get("version") != DATA_VERSION:
        raise SourceFileError(
            f"{file}: paper data version {meta.get('version')!r}; this lacompare reads "
            f"version {DATA_VERSION}"
        )
    missing = [c for c in DATA_COLUMNS if c not in rows.columns]
    if missing:
        raise SourceFileError(f"{file}: paper data without the column(s) {missing}")
    return PaperData(
        la_code=meta["la_code"],
        la_name=meta["la_name"],
        paper=meta["paper"],
        written=dt.date.fromisoformat(meta["written"]),
        model=meta["model"],
        inspection=dt.date.fromisoformat(meta["inspection"]) if meta["inspection"] else None,
        rows=rows.select(pl.col(c).cast(t) for c, t in DATA_COLUMNS.items()),
    )


def check_same_paper(before: PaperData, la_code: str, paper: str, written: dt.date) -> None:
    """The earlier paper is this LA's same paper, written before this one."""
    if before.la_code != la_code:
        raise InvalidArgumentError(
            f"since=: that paper is {before.la_name}'s ({before.la_code}), not this "
            "authority's; give the data file of this authority's last paper"
        )
    if before.paper != paper:
        raise InvalidArgumentError(
            f"since=: that file is the {before.paper!r} paper, not {paper!r}; give the last "
            "paper of the same kind"
        )
    if before.written >= written:
        raise InvalidArgumentError(
            f"since=: that paper was written on {before.written:%d %B %Y}, not before this "
            f"one ({written:%d %B %Y})"
        )


#: Each kind of change: its name, which rows (of this paper's joined to the last one's,
#: ``_before``) it holds, and how it is said. A rule table: one line of words per row.
_CHANGES: tuple[tuple[str, tuple[pl.Expr, ...], Callable[[dict[str, Any]], str]], ...] = (
    (
        "published",
        (
            ~pl.col("la_local"),
            pl.col("la_value").is_not_null(),
            pl.col("period") != pl.col("period_before"),
        ),
        lambda r: (
            f"{r['indicator_label']}: {r['_now']} for {r['period_text']}"
            + (f" (released {r['released']:%d %B %Y})" if r["released"] else "")
            + (f", after {r['_was']} for {r['period_text_before']}" if r["_was"] else "")
        ),
    ),
    (
        "own",
        (
            pl.col("la_local"),
            pl.col("la_value").is_not_null(),
            pl.col("period") != pl.col("period_before"),
        ),
        lambda r: (
            f"{r['indicator_label']}: {r['_now']} [L] for {r['period_text']}"
            + (f", after {r['_was']} for {r['period_text_before']}" if r["_was"] else "")
        ),
    ),
    (
        "replaced",
        (
            pl.col("la_local_before"),
            ~pl.col("la_local"),
            pl.col("period") == pl.col("period_before"),
        ),
        lambda r: (
            f"{r['indicator_label']}: DfE published {r['_now']} for {r['period_text']}, "
            + (
                "as the own figure said"
                if r["_now"] == r["_was"]
                else f"where the own figure said {r['_was']}"
            )
        ),
    ),
    (
        "flags_raised",
        (pl.col("flag").is_not_null(), pl.col("flag_before").is_null()),
        lambda r: f"{r['indicator_label']} ({r['flag']})",
    ),
    (
        "flags_cleared",
        (pl.col("flag").is_null(), pl.col("flag_before").is_not_null()),
        lambda r: f"{r['indicator_label']} (was {r['flag_before']})",
    ),
    (
        "verdicts",
        (
            pl.col("vs_england") != pl.col("vs_england_before"),
            pl.col("vs_england") != "not compared",
            pl.col("vs_england_before") != "not compared",
        ),
        lambda r: (
            f"{r['indicator_label']}: now {r['vs_england']} against England "
            f"(was {r['vs_england_before']})"
        ),
    ),
    (
        "bands",
        (
            pl.col("quartile_band").is_not_null(),
            pl.col("quartile_band_before").is_not_null(),
            pl.col("quartile_band") != pl.col("quartile_band_before"),
        ),
        lambda r: (
            f"{r['indicator_label']}: quartile {r['quartile_band_before']} to {r['quartile_band']}"
        ),
    ),
    (
        "targets",
        (
            pl.col("target_status").is_in(["met", "missed"]),
            pl.col("target_status") != pl.col("target_status_before").fill_null(""),
        ),
        lambda r: (
            f"{r['indicator_label']}: target now {r['target_status']}"
            + (f" (was {r['target_status_before']})" if r["target_status_before"] else "")
        ),
    ),
)


def changes(before: PaperData, now: pl.DataFrame) -> dict[str, list[str]]:
    """What changed between the earlier paper's rows and this paper's, in words, by kind
    (each list in the paper's order): ``published``, ``own``, ``replaced``, ``flags_raised``,
    ``flags_cleared``, ``verdicts``, ``bands``, ``targets`` (see :data:`_CHANGES`)."""
    after = now.select(pl.col(c).cast(t) for c, t in DATA_COLUMNS.items())
    both = after.join(before.rows, on="indicator_id", how="inner", suffix="_before")
    value = format_value(pl.col("la_value"), pl.col("unit"), pl.col("decimals"))
    was = format_value(pl.col("la_value_before"), pl.col("unit"), pl.col("decimals"))
    both = both.with_columns(_now=value, _was=was)
    return {
        kind: [words(row) for row in both.filter(*where).iter_rows(named=True)]
        for kind, where, words in _CHANGES
    }
