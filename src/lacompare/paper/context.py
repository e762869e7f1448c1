"""The paper's context and rows: the authority, comparators and year resolved once, and the
one comparison every section reads."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from lacompare._expr import fmt
from lacompare.commentary import (
    commentary,
    flags,
)
from lacompare.compare import (
    comparator_codes,
    compare,
    group_members,
)
from lacompare.errors import InvalidArgumentError
from lacompare.paper.model import PaperContext
from lacompare.periods import period_text
from lacompare.reference import ReferenceData


def own_inspection(ref: ReferenceData, code: str) -> dt.date | None:
    """The date the LA's latest Ofsted inspection began, as the reference data hold it."""
    if ref.ofsted is None:
        return None
    found = ref.ofsted.filter(pl.col("area_code") == code).get_column("inspection_date")
    return found[0] if found.len() else None


def context(
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
        dfe_number=area["old_la_code"],
        region_code=area["region_code"],
        inspection=own_inspection(ref, code),
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


def paper_rows(
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


def quality_beside(flagged: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
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
            # A rate's population, and a rule the figure is defined by (PROPOSED where DfE's
            # guide could not be confirmed), are definitions, not warnings: Appendix C says them.
            .list.eval(
                pl.element().filter(
                    ~pl.element().str.starts_with("rate per 10,000")
                    & ~pl.element().str.starts_with("PROPOSED")
                )
            )
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


def written_date(written: object) -> dt.date:
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
