"""What the numbers say: sentences, red-red flags, neighbour-model changes and a summary.

Everything here is built from the comparison rows alone, never from a template that could
contradict them: each sentence uses the same half-up rounded figures the board table shows, and
its comparison words come from ``vs_england``, ``vs_sn`` and ``direction``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from lacompare._cells import STATUS_MARKS, said_comparator, said_value
from lacompare.compare import compare
from lacompare.errors import InvalidArgumentError, user_facing
from lacompare.exception_rules import exceptions, flag_expr
from lacompare.format import format_change, format_value
from lacompare.outcomes import SUMMARY_COUNTS, outcome
from lacompare.periods import period_text
from lacompare.reference import ReferenceData
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
    """One board-paper line for one comparison row (with its display texts, as
    :func:`commentary` adds them), saying what the table's figures mean: "Re-referrals within
    12 months of a previous referral: 23.1% in 2024-25, similar to England (22.6%); higher
    than its statistical neighbours' average (20.1%), significantly, which is worse; up 0.6 points
    on 2023-24, not a significant change."

    A difference is called better or worse only where it was tested; an untested one is
    higher or lower, "not tested". Counts ("Number of children looked after") get their level
    and change only: an LA's count beside England's total says nothing about the LA."""
    name = row.get("indicator_label") or row["indicator_name"]
    when = row.get("period_text") or row["period"]
    if row["la_value"] is None:
        meaning = STATUS_MARKS.get(row["la_status"], ("", "not published"))[1]
        local = "local figure" if row.get("la_local") else "published figure"
        at = f"for {when}" if when is not None else "for any period"
        return f"{name}: no {local} for {row['area_name']} {at} ({meaning})."
    local = " (local figure, not yet published)" if row.get("la_local") else ""
    first = f"{name}: {row['la_text']}{_in(when)}{local}"
    if row["unit"] == "count":
        # An LA's count set beside England's total or a neighbour's count says nothing about
        # the LA: counts are described by their level and change only.
        change = _change(row)
        return first + (f"; {change}" if change else "") + "."
    parts = [_against(row, "England"), _against(row, "neighbours"), _change(row)]
    said = "; ".join(p for p in parts if p)
    return f"{first}, {said}." if said else f"{first}."


def _in(when: str | None) -> str:
    """ " at 31 March 2025", " in 2024-25", " in the year to 30 September 2025": a date
    takes "at", a year "in"."""
    if when is None:
        return ""
    return f" {'at' if _is_date(when) else 'in'} {_the(when)}"


def _is_date(when: str) -> bool:
    return when[:1].isdigit() and " " in when.split("(")[0].strip() and " to " not in when


def _the(when: str) -> str:
    """ "the year to 30 September 2025" where the period is a year to a date."""
    return f"the {when}" if when.startswith("year to") else when


def _against(row: Mapping[str, Any], benchmark: str) -> str | None:
    """How the LA stands against England or its neighbours, in words that say whether the
    difference was tested."""
    if benchmark == "England":
        value, shown, verdict = row["england_value"], row["england_text"], row["vs_england"]
        strong = row.get("vs_england_998") == verdict
        label, possessive = "England", "England's"
        if row.get("england_flag"):
            return f"England's published figure ({shown}) is implausible and is not compared"
    else:
        value, shown, verdict = row["sn_average"], row["sn_text"], row["vs_sn"]
        strong = row.get("vs_sn_998") == verdict
        if str(row.get("sn_model") or "").startswith("custom"):
            label, possessive = "its comparator group", "its comparator group's average of"
        else:
            label, possessive = "its statistical neighbours", "its neighbours' average of"
        # The test pools the neighbours; the figure shown is their average (LAIT's).
        shown = f"average {shown}"
    if value is None:
        return None
    la = row["la_value"]
    if verdict == "similar":
        return f"similar to {label} ({shown})"
    if verdict in DIFFERENCE_VERDICTS:
        higher = la > value
        level = ", also at 99.8% confidence" if strong else ""
        words = f"significantly {'higher' if higher else 'lower'} than {label} ({shown}{level})"
        return words + (f", which is {verdict}" if verdict in {"better", "worse"} else "")
    # Not tested: say where the LA sits, from the displayed figures, and that it was not tested.
    figure = shown.removeprefix("average ")
    plain = row.get("england_plain" if benchmark == "England" else "sn_plain", figure)
    if row.get("la_plain", row["la_text"]) == plain:
        return f"the same as {possessive} {figure} when rounded (not tested)"
    return f"{'above' if la > value else 'below'} {possessive} {figure} (not tested)"


def _change(row: Mapping[str, Any]) -> str | None:
    """The change from the previous period, in the table's figures, tested where it could be."""
    if row["change_text"] is None or row["previous_period"] is None:
        return None
    before = row.get("previous_period_text") or row["previous_period"]
    change = row["change_from_previous"]
    if not any(digit in row["change_text"] for digit in "123456789"):  # 0 when rounded
        moved = f"{'unchanged' if change == 0 else 'virtually unchanged'} on {_the(before)}"
    else:
        moved = (
            f"{'up' if change > 0 else 'down'} {row['change_text'].lstrip('+-')} on {_the(before)}"
        )
    tested = row.get("change_vs_previous", "not compared")
    if tested == "similar":
        return f"{moved}, not a significant change"
    if tested in {"better", "worse"}:
        return f"{moved}, significantly {'better' if tested == 'better' else 'worse'}"
    if tested in {"higher", "lower"}:
        return f"{moved}, a significant change"
    if row["polarity"] != "neutral" and row["direction"] in {"improving", "worsening"}:
        return f"{moved} (not tested)"
    return moved


def _texts(comparison: pl.DataFrame) -> pl.DataFrame:
    """The display texts the board table shows, beside the raw values."""
    unit, decimals = pl.col("unit"), pl.col("decimals")
    # An own figure carries [L] wherever it is said, and its comparators say their year.
    return comparison.with_columns(
        # The figures as the table shows them, for "the same when rounded".
        la_plain=format_value(pl.col("la_value"), unit, decimals),
        england_plain=format_value(pl.col("england_value"), unit, decimals),
        sn_plain=format_value(pl.col("sn_average"), unit, decimals),
        la_text=said_value(),
        england_text=said_comparator(pl.col("england_value")),
        sn_text=said_comparator(pl.col("sn_average")),
        change_text=format_change(pl.col("change_from_previous"), unit, decimals),
        period_text=period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot")),
        previous_period_text=period_text(
            pl.col("previous_period"), pl.col("period_type"), pl.col("snapshot")
        ),
    )


# --------------------------------------------------------------------------------------------
# Red-red and green-green


@user_facing
def flags(comparison: pl.DataFrame) -> pl.DataFrame:
    """``comparison`` with ``flag`` (the exception rule, :func:`lacompare.exceptions`),
    ``red_red`` (significantly worse than England and worse than the previous period, tested
    where the change can be) and ``green_green`` (significantly better than England and
    better than the previous period, likewise)."""
    improved = (pl.col("change_vs_previous") == "better") | (
        (pl.col("change_vs_previous") == "not compared") & (pl.col("direction") == "improving")
    )
    return comparison.with_columns(flag=flag_expr()).with_columns(
        red_red=(pl.col("flag") == "red-red").fill_null(False),
        green_green=((pl.col("vs_england") == "better") & improved).fill_null(False),
    )


@user_facing
def red_red(comparison: pl.DataFrame) -> pl.DataFrame:
    """The rows that are significantly worse than England and getting worse."""
    return flags(comparison).filter("red_red").drop("flag", "red_red", "green_green")


@user_facing
def green_green(comparison: pl.DataFrame) -> pl.DataFrame:
    """The rows that are significantly better than England and improving."""
    return flags(comparison).filter("green_green").drop("flag", "red_red", "green_green")


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
def summary(comparison: pl.DataFrame, by: str = "topic") -> pl.DataFrame:
    """Counts of indicators by ``by`` (a column; LAIT's topic by default), with a total row:
    ``indicators`` = no figure + small number + older figure + not tested + tested, and
    tested = better + similar + worse + higher or lower (against England;
    :data:`SUMMARY_COUNTS`). Also the neighbour verdicts (``sn_better``, ``sn_similar``,
    ``sn_worse``) and ``flagged`` (the exception rule)."""
    if by not in comparison.columns:
        raise InvalidArgumentError(f"by must be a column of the comparison, not {by!r}")
    rows = flags(comparison).with_columns(_outcome=outcome())
    counted = (
        ~pl.col("small_number")
        & ~pl.col("is_old").fill_null(False)
        & pl.col("la_value").is_not_null()
    )
    counts = (
        rows.group_by(by)
        .agg(
            indicators=pl.len(),
            **{name: (pl.col("_outcome") == name).sum() for name in SUMMARY_COUNTS},
            tested=pl.col("_outcome")
            .is_in(["better", "similar", "worse", "higher_or_lower"])
            .sum(),
            sn_better=((pl.col("vs_sn") == "better") & counted).sum(),
            sn_similar=((pl.col("vs_sn") == "similar") & counted).sum(),
            sn_worse=((pl.col("vs_sn") == "worse") & counted).sum(),
            flagged=pl.col("flag").is_not_null().sum(),
            red_red=pl.col("red_red").sum(),
            green_green=pl.col("green_green").sum(),
        )
        .sort(by)
    )
    total = counts.select(pl.lit("All").alias(by), pl.exclude(by).sum())
    return pl.concat([counts, total], how="vertical_relaxed")


@user_facing
def summary_paragraph(comparison: pl.DataFrame, *, flagged: pl.DataFrame | None = None) -> str:
    """One paragraph for the front of a board paper, for one LA: what was tested and how it
    came out, and every flagged indicator (no paper says there is nothing to worry about while
    a row is flagged). ``flagged``: :func:`lacompare.exceptions` of these rows, where the
    caller has it already (a paper computes it once)."""
    names = comparison.get_column("area_name").unique().to_list()
    if len(names) != 1:
        raise InvalidArgumentError(
            f"summary_paragraph describes one local authority; these rows hold {len(names)}. "
            "Filter the comparison to one LA first (or use summary(), which counts any rows)."
        )
    name = names[0]
    total = summary(comparison).filter(pl.col("topic") == "All").row(0, named=True)
    n = comparison.height
    with_figure = n - total["no_figure"]
    have = (
        f"{name} has a figure for all {n} indicators in this paper"
        if with_figure == n
        else f"{name} has a figure for {with_figure} of the {n} indicators in this paper"
    )
    if flagged is None:
        flagged = exceptions(comparison)
    labels = dict(comparison.select("indicator_id", "indicator_label").iter_rows())
    text = [
        f"{have}. {_counted(total)}",
    ]
    if flagged.height:
        listed = "; ".join(
            f"{labels[i]} ({flag_words(f, t, o)})"
            for i, f, t, o in flagged.select("indicator_id", "flag", "tested", "is_old").iter_rows()
        )
        text.append(
            f"{_count(flagged.height, 'indicator is', 'indicators are')} flagged for the "
            f"board's attention: {listed}."
        )
    else:
        text.append("No indicator is flagged by the exception rule (see Methods).")
    return " ".join(text)


#: A flag in words, for summaries.
FLAG_WORDS = {
    "red-red": "red-red: worse than England and worsening",
    "worse-than-both": "worse than England and its neighbours",
    "watch": "worse than England by value, in the worst quarter and worsening",
}


def flag_words(flag: str, tested: bool, old: bool, separator: str = ",") -> str:
    """A flagged row's flag in words: an older figure is watched on its value and trend
    (it has no quarter), and an untested one says so."""
    words = (
        "an older figure, worse than England by value and worsening"
        if flag == "watch" and old
        else FLAG_WORDS[flag]
    )
    return words + ("" if tested else f"{separator} not tested")


def _counted(total: Mapping[str, Any]) -> str:
    """ "Of the 9 tested against England, 4 are better, 4 similar and 1 worse; 12 could not be
    tested and 2 rest on small numbers." """
    tested = total["tested"]
    if tested == 0:
        out = "No indicator could be tested against England"
    elif tested == 1:
        verdict = (
            next(v for v in ("better", "similar", "worse") if total[v])
            if (total["better"] or total["similar"] or total["worse"])
            else "higher or lower (no better direction)"
        )
        out = f"The one indicator tested against England is {verdict}"
    else:
        parts = [
            f"{_none(total['better'])} {'is' if total['better'] == 1 else 'are'} better",
            f"{_none(total['similar'])} similar",
            f"{_none(total['worse'])} worse",
        ]
        if total["higher_or_lower"]:
            parts.append(f"{total['higher_or_lower']} higher or lower (no better direction)")
        out = (
            f"Of the {_count(tested, 'indicator', 'indicators')} tested against England, "
            f"{', '.join(parts[:-1])} and {parts[-1]}"
        )
    rest = []
    if total["not_tested"]:
        rest.append(f"{total['not_tested']} could not be tested")
    if total["small_number"]:
        small = total["small_number"]
        said = "rests on a small number and is" if small == 1 else "rest on small numbers and are"
        rest.append(f"{small} {said} not counted")
    if total["old_figure"]:
        old = total["old_figure"]
        rest.append(
            f"{old} {'is an older figure' if old == 1 else 'are older figures'} (not counted)"
        )
    if not rest:
        return out + "."
    listed = rest[0] if len(rest) == 1 else f"{', '.join(rest[:-1])} and {rest[-1]}"
    return out + f"; {listed}."


def _none(n: int) -> str:
    return "none" if n == 0 else str(n)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
