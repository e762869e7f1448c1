"""The text of each kind of table cell, as polars expressions over comparison rows.

Every format (great_tables HTML, Word, Excel, LaTeX, the paper's sentences) shows these same
texts, so a figure reads the same wherever it appears: numbers rounded half-up to the
decimals DfE publishes, periods as a reader says them ("31 March 2025", "2024-25"), marks for
statuses, a symbol and a word for every verdict (never colour alone).
"""

from __future__ import annotations

import polars as pl

from lacompare._expr import fmt
from lacompare.format import format_gap, format_number, format_value
from lacompare.periods import period_text
from lacompare.vocab import DIFFERENCE_VERDICTS

MISSING = "–"

#: Marks put after a value, and what each means (a table's notes explain the ones it uses).
STATUS_MARKS: dict[str, tuple[str, str]] = {
    "provisional": ("[p]", "provisional figure"),
    "revised": ("[r]", "revised figure"),
    "final": ("[f]", "final figure"),
    "outturn": ("[o]", "finance outturn"),
    "suppressed": ("[c]", "suppressed to protect confidentiality"),
    "not_available": ("[x]", "not available"),
    "not_applicable": ("[z]", "not applicable"),
    "low": ("[low]", "rounds to zero but is not zero"),
    "unreliable": ("[u]", "too unreliable to publish"),
    "local": ("[L]", "the authority's own figure, not yet published by DfE"),
}

#: Verdict -> (symbol, word, palette field). Higher / lower (no polarity) are not shaded.
VERDICT_STYLE: dict[str, tuple[str, str, str | None]] = {
    "better": ("▲", "Better", "better"),
    "worse": ("▼", "Worse", "worse"),
    "similar": ("●", "Similar", "similar"),
    "higher": ("↑", "Higher", None),
    "lower": ("↓", "Lower", None),
    "not compared": ("–", "Not tested", None),
}

#: The direction of change, by the tested change (Newcombe / conditional binomial, 95%) where
#: it could be tested, else LAIT's untested label -> (text, palette field).
DIRECTION_STYLE: dict[str, tuple[str, str | None]] = {
    "better": ("▲ Improving", "better"),
    "worse": ("▼ Worsening", "worse"),
    "similar": ("● No significant change", None),
    "higher": ("↑ Up", None),
    "lower": ("↓ Down", None),
    "improving": ("△ Improving, not tested", None),
    "worsening": ("▽ Worsening, not tested", None),
    "no change": ("No change", None),
    "not rated": (MISSING, None),
}


def period_cell() -> pl.Expr:
    """The period as a reader says it; an old figure says it is the LA's latest ("2020-21
    (latest)"); a local figure says it is the LA's own ("31 March 2026 (local)")."""
    text = period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot"))
    return (
        pl.when(pl.col("la_local"))
        .then(pl.concat_str(text, pl.lit(" (local)")))
        .when(pl.col("is_old").fill_null(False))
        .then(pl.concat_str(text, pl.lit(" (latest)")))
        .otherwise(text)
        .fill_null(MISSING)
    )


def value_cell() -> pl.Expr:
    """The LA's value with its status marks ("45.6 [p]", "[c] [L]"); a small number shows its
    counts beside it ("100% (19 of 19)")."""
    text = with_mark(
        format_value(pl.col("la_value"), pl.col("unit"), pl.col("decimals")),
        pl.col("la_status"),
        pl.col("la_local"),
    )
    counts = fmt(
        " ({} of {})",
        _thousands(pl.col("la_numerator")),
        _thousands(pl.col("la_denominator")),
    )
    return pl.when(pl.col("small_number")).then(pl.concat_str(text, counts)).otherwise(text)


def neighbours_cell() -> pl.Expr:
    """The neighbours' average; "(7 of 10)" where not every neighbour has a figure."""
    text = format_value(pl.col("sn_average"), pl.col("unit"), pl.col("decimals"))
    partial = pl.col("sn_count") < pl.col("sn_size")
    return (
        pl.when(partial & text.is_not_null())
        .then(fmt("{} ({} of {})", text, pl.col("sn_count"), pl.col("sn_size")))
        .otherwise(text)
        .fill_null(MISSING)
    )


def gap_cell() -> pl.Expr:
    """The gap to England in children, signed and rounded as :func:`format_gap` says it
    ("+130", "-7"), "–" where withheld."""
    gap = pl.col("gap_england")
    text = format_gap(gap).str.replace(r"^about ", "").str.replace(r" (more|fewer)$", "")
    sign = pl.when(gap > 0).then(pl.lit("+")).when(gap < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return (
        pl.when(gap.is_null())
        .then(pl.lit(MISSING))
        .when(text == "no more and no fewer")
        .then(pl.lit("0"))
        .otherwise(pl.concat_str(sign, text))
    )


def rank_cell() -> pl.Expr:
    """ "26 of 151", "=26 of 151" when another authority shares the rank; none for a small
    number or a local figure (too few to rank, or not part of the published field)."""
    shown = pl.col("national_rank").is_not_null() & ~pl.col("small_number")
    tie = pl.when(pl.col("rank_tied")).then(pl.lit("=")).otherwise(pl.lit(""))
    return (
        pl.when(shown)
        .then(fmt("{}{} of {}", tie, pl.col("national_rank"), pl.col("rank_of")))
        .otherwise(pl.lit(MISSING))
    )


def quartile_cell() -> pl.Expr:
    return (
        pl.when(pl.col("small_number"))
        .then(pl.lit(MISSING))
        .otherwise(pl.col("quartile_band"))
        .fill_null(MISSING)
    )


def direction_key() -> pl.Expr:
    """The key of :data:`DIRECTION_STYLE` for each row: the tested change, else LAIT's."""
    tested = pl.col("change_vs_previous")
    return pl.when(tested != "not compared").then(tested).otherwise(pl.col("direction"))


def direction_cell() -> pl.Expr:
    return direction_key().replace_strict(
        {key: text for key, (text, _) in DIRECTION_STYLE.items()}, default=MISSING
    )


def verdict_text(verdict: pl.Expr, at_998: pl.Expr | None = None) -> pl.Expr:
    """ "▲ Better", "● Similar", ... : a symbol and a word, readable without colour; with the
    99.8% verdict, a difference significant at both levels reads "▲ Better (99.8%)"."""
    mapping = {key: f"{symbol} {word}" for key, (symbol, word, _) in VERDICT_STYLE.items()}
    text = verdict.replace_strict(mapping, default=None)
    if at_998 is None:
        return text
    return (
        pl.when(at_998.is_in(sorted(DIFFERENCE_VERDICTS)))
        .then(pl.concat_str(text, pl.lit(" (99.8%)")))
        .otherwise(text)
    )


def england_verdict_cell() -> pl.Expr:
    """The comparison with England; where England's published value is implausible, why it
    was not used."""
    return (
        pl.when(pl.col("england_flag").is_not_null())
        .then(pl.lit("– Not tested (England's value implausible)"))
        .otherwise(verdict_text(pl.col("vs_england"), pl.col("vs_england_998")))
    )


def with_mark(text: pl.Expr, status: pl.Expr, local: pl.Expr | None = None) -> pl.Expr:
    """The value followed by its status mark ("45.6 [p]"); the mark alone where there is no
    value ("[c]"); plain published figures carry no mark. A local figure is marked [L]
    whatever else it is (a local "c" reads "[c] [L]")."""
    mark = status.replace_strict({s: m for s, (m, _) in STATUS_MARKS.items()}, default=None)
    if local is not None:
        local_mark = pl.when(local & (status != "local")).then(pl.lit("[L]"))
        mark = pl.concat_str(mark, local_mark, separator=" ", ignore_nulls=True).replace("", None)
    return (
        pl.when(text.is_null())
        .then(mark.fill_null(MISSING))
        .when(mark.is_null())
        .then(text)
        .otherwise(pl.concat_str(text, pl.lit(" "), mark))
    )


def _thousands(value: pl.Expr) -> pl.Expr:
    return format_number(value, 0)


def said_value() -> pl.Expr:
    """The LA's figure as a sentence says it: an own figure carries [L] ("74% [L]")."""
    text = format_value(pl.col("la_value"), pl.col("unit"), pl.col("decimals"))
    return pl.when(pl.col("la_local").fill_null(False)).then(fmt("{} [L]", text)).otherwise(text)


def said_comparator(value: pl.Expr) -> pl.Expr:
    """A benchmark as a sentence says it; beside an own figure it names its own (earlier,
    published) period: "9% in 2024-25", "69% at 31 March 2025"."""
    text = format_value(value, pl.col("unit"), pl.col("decimals"))
    against = period_text(pl.col("comparator_period"), pl.col("period_type"), pl.col("snapshot"))
    at = pl.when(pl.col("snapshot")).then(pl.lit(" at ")).otherwise(pl.lit(" in "))
    return (
        pl.when(pl.col("la_local").fill_null(False))
        .then(pl.concat_str(text, at, against))
        .otherwise(text)
    )
