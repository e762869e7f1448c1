"""What the numbers say: sentences, red-red flags, neighbour-model changes and a summary.

Everything here is built from the comparison rows alone, never from a template that could
contradict them: each sentence uses the same half-up rounded figures the board table shows, and
its comparison words come from ``vs_england``, ``vs_sn`` and ``direction``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from lacompare.compare import compare
from lacompare.errors import InvalidArgumentError, user_facing
from lacompare.format import format_change, format_value
from lacompare.reference import ReferenceData
from lacompare.tables import STATUS_MARKS
from lacompare.vocab import DIFFERENCE_VERDICTS


@user_facing
def commentary(comparison: pl.DataFrame, *, style: str = "board") -> pl.DataFrame:
    """``comparison`` with a ``commentary`` column: one sentence per indicator (see
    :func:`sentence`). ``style="board"`` (the only style so far) writes full sentences."""
    if style != "board":
        raise InvalidArgumentError(f"unknown commentary style {style!r}; use 'board'")
    texts = _texts(comparison)
    sentences = [sentence(row) for row in texts.iter_rows(named=True)]
    return comparison.with_columns(commentary=pl.Series(sentences, dtype=pl.String))


def sentence(row: Mapping[str, Any]) -> str:
    """One board-paper sentence for one comparison row (with its display texts, as
    :func:`commentary` adds them), e.g. "Re-referrals ...: 23.1% in 2025, up 0.6 pp on the
    previous year (worsening). Similar to England (22.6%) and significantly higher than the
    statistical neighbour average (20.1%), which is worse; ranked 116 of 153 (quartile D)."
    Counts ("Number of children looked after") get their level and change only: an LA's count
    beside England's total or its neighbours' counts compares sizes, not performance."""
    name = row["indicator_name"]
    polarity = row["polarity"]
    if row["la_value"] is None:
        meaning = STATUS_MARKS.get(row["la_status"], ("", "not published"))[1]
        when = f"in {row['period']}" if row["period"] is not None else "for any period"
        return f"{name}: no published figure for {row['area_name']} {when} ({meaning})."
    local = " (local figure, not yet published)" if row["la_local"] else ""
    parts = [f"{name}: {row['la_text']} in {row['period']}{local}"]
    if row["change_text"] is not None and row["previous_period"] is not None:
        change = row["change_from_previous"]
        if not any(digit in row["change_text"] for digit in "123456789"):  # 0 when rounded
            exact = "unchanged" if change == 0 else "virtually unchanged"
            movement = f"{exact} on {row['previous_period']}"
        else:
            word = "up" if change > 0 else "down"
            movement = f"{word} {row['change_text'].lstrip('+-')} on {row['previous_period']}"
        if polarity != "neutral" and row["direction"] in {"improving", "worsening"}:
            movement += f" ({row['direction']})"
        parts[0] += f", {movement}"
    first = parts[0] + "."
    if row["unit"] == "count":
        # An LA's count set beside England's total or a neighbour's count says nothing about
        # the LA: counts are described by their level and change only.
        return first
    comparisons = []
    for label, verdict_key, text_key, value_key in (
        ("England", "vs_england", "england_text", "england_value"),
        ("the statistical neighbour average", "vs_sn", "sn_text", "sn_average"),
    ):
        if row[value_key] is None:
            continue
        comparisons.append(
            _position(
                row,
                label,
                row[verdict_key],
                row[text_key],
                row[value_key],
                strong=row.get(f"{verdict_key}_998") == row[verdict_key],
            )
        )
    second = ""
    if comparisons:
        text = "; ".join(comparisons)
        second = " " + text[0].upper() + text[1:]
    if row["national_rank"] is not None:
        band = f", quartile {row['quartile_band']}" if row["quartile_band"] else ""
        ranked = f"ranked {row['national_rank']} of {row['rank_of']} local authorities{band}"
        second = f"{second}; {ranked}" if second else f" It is {ranked}"
    if second:
        second += "."
    return first + second


def _position(
    row: Mapping[str, Any],
    label: str,
    verdict: str,
    shown: str,
    value: float,
    *,
    strong: bool = False,
) -> str:
    """ "similar to England (22.6%)", "significantly higher than England (67.0)", "higher than
    England (12.9%; not tested), which is worse"; ``strong`` (the 99.8% test agrees) adds
    "also at 99.8% confidence" to a significant difference."""
    polarity = row["polarity"]
    la_text, la_value = row["la_text"], row["la_value"]
    if verdict == "similar":
        return f"similar to {label} ({shown})"
    if verdict in DIFFERENCE_VERDICTS:
        higher = la_value > value
        level = "; also at 99.8% confidence" if strong else ""
        words = f"significantly {'higher' if higher else 'lower'} than {label} ({shown}{level})"
        if verdict in {"better", "worse"}:
            words += f", which is {verdict}"
        return words
    # Not tested: plain wording from the displayed figures, and say it was not tested.
    if la_text == shown:
        return f"the same as {label} when rounded ({shown}; not tested)"
    higher = la_value > value
    words = f"{'higher' if higher else 'lower'} than {label} ({shown}; not tested)"
    if polarity in {"high", "low"}:
        good = higher == (polarity == "high")
        words += f", which is {'better' if good else 'worse'}"
    return words


def _texts(comparison: pl.DataFrame) -> pl.DataFrame:
    """The display texts the board table shows, beside the raw values."""
    unit, decimals = pl.col("unit"), pl.col("decimals")
    return comparison.with_columns(
        la_text=format_value(pl.col("la_value"), unit, decimals),
        england_text=format_value(pl.col("england_value"), unit, decimals),
        sn_text=format_value(pl.col("sn_average"), unit, decimals),
        change_text=format_change(pl.col("change_from_previous"), unit, decimals),
    )


# --------------------------------------------------------------------------------------------
# Red-red and green-green


@user_facing
def flags(comparison: pl.DataFrame) -> pl.DataFrame:
    """``comparison`` with ``red_red`` (worse than England, significantly where tested, AND
    worsening since the previous period) and ``green_green`` (better AND improving)."""
    return comparison.with_columns(
        red_red=(pl.col("vs_england") == "worse") & (pl.col("direction") == "worsening"),
        green_green=(pl.col("vs_england") == "better") & (pl.col("direction") == "improving"),
    )


@user_facing
def red_red(comparison: pl.DataFrame) -> pl.DataFrame:
    """The rows that are worse than England and getting worse."""
    return flags(comparison).filter("red_red").drop("red_red", "green_green")


@user_facing
def green_green(comparison: pl.DataFrame) -> pl.DataFrame:
    """The rows that are better than England and improving."""
    return flags(comparison).filter("green_green").drop("red_red", "green_green")


# --------------------------------------------------------------------------------------------
# The 2021 and 2025 statistical-neighbour models


def neighbour_model_change(
    ref: ReferenceData, la: str | int, models: Sequence[str] = ("2021", "2025")
) -> dict[str, list[str]]:
    """Members that left and joined an LA's neighbour group between two models."""
    before, after = (set(ref.neighbours_of(la, m).get_column("neighbour_name")) for m in models)
    order = {m: ref.neighbours_of(la, m).get_column("neighbour_name").to_list() for m in models}
    return {
        "left": [n for n in order[models[0]] if n not in after],
        "joined": [n for n in order[models[1]] if n not in before],
        "stayed": [n for n in order[models[1]] if n in before],
    }


@user_facing
def compare_neighbour_models(
    ref: ReferenceData,
    la: str | int,
    indicators: str | Sequence[str] | None = None,
    models: Sequence[str] = ("2021", "2025"),
    **options: Any,
) -> pl.DataFrame:
    """The comparison for ``la`` under the last model, with each other model's SN average,
    count and verdict beside it (``sn_average_2021``, ...). The rows under each model come
    from the same engine; only the neighbour group differs."""
    *earlier, last = list(models)
    rows = compare(ref, la, indicators=indicators, neighbours=last, **options)
    for model in earlier:
        other = compare(ref, la, indicators=indicators, neighbours=model, **options).select(
            "indicator_id",
            pl.col("sn_average").alias(f"sn_average_{model}"),
            pl.col("sn_count").alias(f"sn_count_{model}"),
            pl.col("vs_sn").alias(f"vs_sn_{model}"),
        )
        rows = rows.join(other, on="indicator_id", how="left")
    return rows


def model_change_note(
    ref: ReferenceData, la: str | int, models: Sequence[str] = ("2021", "2025")
) -> str:
    """A footnote naming the change: "The 2025 model replaced Telford and Wrekin, ... with
    Southampton, ... (6 of 10 neighbours are in both)."."""
    change = neighbour_model_change(ref, la, models)
    name = ref.find_area(la)["name"]
    if not change["left"] and not change["joined"]:
        return (
            f"{name}'s statistical neighbours are the same in the {models[0]} and "
            f"{models[1]} models."
        )
    return (
        f"{name}'s statistical neighbours changed between the {models[0]} and {models[1]} "
        f"models: {', '.join(change['left'])} left; {', '.join(change['joined'])} joined "
        f"({len(change['stayed'])} of 10 are in both)."
    )


# --------------------------------------------------------------------------------------------
# Summary for the front of a board paper


@user_facing
def summary(comparison: pl.DataFrame) -> pl.DataFrame:
    """Counts of indicators better / similar / worse (or higher / lower, or not compared)
    than England and than the SN average, by topic, with a total row."""
    verdicts = ["better", "similar", "worse", "higher", "lower", "not compared"]
    rows = comparison.filter(pl.col("la_value").is_not_null())
    counts = (
        rows.group_by("topic")
        .agg(
            indicators=pl.len(),
            **{
                f"england_{v.replace(' ', '_')}": (pl.col("vs_england") == v).sum()
                for v in verdicts
            },
            **{f"sn_{v.replace(' ', '_')}": (pl.col("vs_sn") == v).sum() for v in verdicts},
        )
        .sort("topic")
    )
    total = counts.select(pl.lit("All topics").alias("topic"), pl.exclude("topic").sum())
    return pl.concat([counts, total], how="vertical_relaxed")


@user_facing
def summary_paragraph(comparison: pl.DataFrame) -> str:
    """One paragraph for the front of a board paper, from :func:`summary` and the flags."""
    la = comparison.get_column("area_name").unique().to_list()
    name = la[0] if len(la) == 1 else "The local authorities"
    total = summary(comparison).filter(pl.col("topic") == "All topics").row(0, named=True)
    tested = total["england_better"] + total["england_similar"] + total["england_worse"]
    flagged = flags(comparison)
    reds = flagged.filter("red_red").get_column("indicator_name").to_list()
    greens = flagged.filter("green_green").get_column("indicator_name").to_list()
    periods = sorted(comparison.get_column("period").drop_nulls().unique().to_list())
    text = [
        f"{name} has published figures for {total['indicators']} of the "
        f"{comparison.height} indicators in this paper (latest periods {', '.join(periods[-3:])}).",
        f"Where a significance test is possible ({tested} indicators), {name} is better than "
        f"England on {total['england_better']}, similar on {total['england_similar']} and "
        f"worse on {total['england_worse']};",
        f"against its statistical neighbours' average it is better on {total['sn_better']}, "
        f"similar on {total['sn_similar']} and worse on {total['sn_worse']}.",
    ]
    if reds:
        text.append(
            f"{len(reds)} indicator{'s are' if len(reds) != 1 else ' is'} worse than England and "
            f"worsening (red-red): {'; '.join(reds)}."
        )
    else:
        text.append("No indicator is both worse than England and worsening (no red-reds).")
    if greens:
        text.append(
            f"{len(greens)} {'are' if len(greens) != 1 else 'is'} better than England and "
            f"improving: {'; '.join(greens)}."
        )
    return " ".join(text)
