"""Updating the reference data from newer published files, into the user's data folder.

:func:`update` fetches every source (:mod:`lacompare.fetch`: from a folder laid out as
``lait/`` and ``ees/``, a council's mirror, or DfE's addresses), builds and validates the
reference data into a new update folder (:mod:`lacompare.store`) and switches to it
atomically: any failure (a file missing, unreadable or renamed, a figure
that fails validation) stops the update and leaves the data in use exactly as it was.
:func:`changes` says what the new data changes: new periods, values revised (the largest
first, the user's LA first), indicators added or withdrawn, neighbour models, Ofsted
judgements.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

import lacompare.store as store
from lacompare.reference import (
    MANIFEST,
    ReferenceData,
    default_reference_path,
    load_reference,
    write_reference,
)


@dataclass(frozen=True)
class Update:
    """An update made: where it is, and the data before and after."""

    folder: Path
    before: ReferenceData
    after: ReferenceData


def update(
    home: Path | None = None,
    *,
    folder: Path | None = None,
    mirror: str | None = None,
    timeout: float = 30.0,
) -> Update | None:
    """Fetch every source (from ``folder``, a council's ``mirror``, else DfE's addresses),
    check each, build and validate, and switch to the new data; None when no source has
    changed since the data in use (nothing is built)."""
    from lacompare.fetch import fetch_all, sha256

    with store.locked(home) as home:
        staging = home / f".sources.new-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            fetched = fetch_all(staging, home=home, folder=folder, mirror=mirror, timeout=timeout)
            kept = home / "sources"
            got = [f for f, how in fetched.how.items() if not how.startswith("not available")]
            unchanged = store.active_update(home) is not None and all(
                (kept / file).is_file() and sha256(kept / file) == sha256(staging / file)
                for file in got
            )
            if unchanged:
                return None
            made = _build_and_switch(
                staging, home, str(folder or mirror or "DfE's addresses"), fetched.how
            )
            _keep_sources(staging, kept)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return made


def _keep_sources(staging: Path, kept: Path) -> None:
    """The files just used, kept for the next update (files with no download address)."""
    aside = kept.with_name(f".sources.old-{os.getpid()}")
    if kept.exists():
        os.replace(kept, aside)
    shutil.copytree(staging, kept)
    shutil.rmtree(aside, ignore_errors=True)


def _build_and_switch(
    source: Path, home: Path, origin: str, how: dict[str, str] | None = None
) -> Update:
    """Build and validate from ``source`` into a new update folder, then switch to it."""
    before = load_reference()
    folder = store.new_update_folder(home)
    building = folder.with_name(f".{folder.name}.building")
    try:
        # The hand-kept files the package carries (curated wording, inspection figures).
        building.mkdir(parents=True)
        for kept in default_reference_path().iterdir():
            if kept.is_file() and kept.suffix != ".parquet" and kept.name != MANIFEST:
                shutil.copy2(kept, building / kept.name)
        write_reference(
            source,
            building,
            keep=before,
            extra={
                "updated_at": dt.datetime.now().isoformat(timespec="seconds"),
                "updated_from": origin,
                # Each file: fetched now, unchanged since the last download, or kept.
                "fetched": how or {},
            },
        )
        building.rename(folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    store.activate(home, folder)
    return Update(folder, before, load_reference(folder, validate=False))


def changes(before: ReferenceData, after: ReferenceData, la: str | int | None = None) -> list[str]:
    """What the new data changes, in lines: indicators added or withdrawn, new periods by
    topic, values revised (how many, the largest; ``la``'s first), neighbour models and
    Ofsted judgements."""
    indicators = _indicators(before, after)
    keyed = [
        ref.observations.select(
            pl.col("indicator_id", "area_code", "period").cast(pl.String), "value"
        )
        for ref in (before, after)
    ]
    joined = keyed[0].join(
        keyed[1], on=["indicator_id", "area_code", "period"], how="full", suffix="_new",
        coalesce=True,
    )  # fmt: skip
    periods = _new_periods(keyed, after)
    added = joined.filter(pl.col("value").is_null(), pl.col("value_new").is_not_null())
    revised = _revised(joined, after, la)
    others = _neighbours_and_ofsted(before, after)
    lines = [*indicators, *periods, f"values newly published: {added.height:,}", *revised, *others]
    # Each part's first line is its count; any line past it names a change.
    if not (added.height or others or len(indicators) > 1 or len(periods) > 1 or len(revised) > 1):
        lines.append("no changes: the new data equals the data before")
    return lines


def _indicators(before: ReferenceData, after: ReferenceData) -> list[str]:
    old, new = (set(r.indicators.get_column("indicator_id").to_list()) for r in (before, after))
    lines = [f"indicators added: {len(new - old)}, withdrawn: {len(old - new)}"]
    lines += [f"  added: {i}" for i in sorted(new - old)[:20]]
    lines += [f"  withdrawn: {i}" for i in sorted(old - new)[:20]]
    return lines


def _new_periods(keyed: list[pl.DataFrame], after: ReferenceData) -> list[str]:
    fresh = (
        keyed[1]
        .join(keyed[0], on=["indicator_id", "period"], how="anti")
        .select("indicator_id", "period")
        .unique()
        .join(after.indicators.select(pl.col("indicator_id").cast(pl.String), "topic"),
              on="indicator_id")
        .group_by("topic")
        .agg(pl.len().alias("n"), pl.col("period").unique().sort().alias("periods"))
        .sort("topic")
    )  # fmt: skip
    lines = [f"new periods: {fresh.get_column('n').sum():,} (indicator x period)"]
    for topic, n, periods in fresh.iter_rows():
        lines.append(f"  {topic}: {n} ({', '.join(periods[:4])})")
    return lines


def _revised(joined: pl.DataFrame, after: ReferenceData, la: str | int | None) -> list[str]:
    revised = joined.filter(
        pl.col("value").is_not_null(),
        pl.col("value_new").is_not_null(),
        pl.col("value") != pl.col("value_new"),
    ).with_columns(change=(pl.col("value_new") - pl.col("value")).abs())
    lines = [f"values revised: {revised.height:,}"]
    if revised.height == 0:
        return lines
    names = after.areas.select(pl.col("area_code").cast(pl.String), "name")
    shown = revised.join(names, on="area_code", how="left")
    if la is not None:
        code = after.area_code(la)
        own = shown.filter(pl.col("area_code") == code).sort("change", descending=True)
        lines.append(f"  {after.find_area(code)['name']}: {own.height} revised")
        lines += [_revision(row) for row in own.head(10).iter_rows(named=True)]
    largest = shown.sort("change", descending=True).head(5)
    lines.append("  the largest revisions:")
    lines += [_revision(row) for row in largest.iter_rows(named=True)]
    return lines


def _revision(row: dict) -> str:
    return (
        f"    {row['indicator_id']}, {row['name'] or row['area_code']}, {row['period']}: "
        f"{row['value']:g} -> {row['value_new']:g}"
    )


def _neighbours_and_ofsted(before: ReferenceData, after: ReferenceData) -> list[str]:
    lines = []
    old_models = set(before.neighbours.get_column("model").unique().to_list())
    new_models = set(after.neighbours.get_column("model").unique().to_list())
    if new_models - old_models:
        lines.append(f"new neighbour model(s): {', '.join(sorted(new_models - old_models))}")
    if before.ofsted is not None and after.ofsted is not None:
        columns = ["area_code", "inspection_date"]
        newer = after.ofsted.select(columns).join(before.ofsted.select(columns), on=columns,
                                                  how="anti")  # fmt: skip
        if newer.height:
            lines.append(f"Ofsted judgements: {newer.height} new inspection(s)")
    return lines
