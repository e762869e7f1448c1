"""Board-paper tables from comparison rows (great_tables).

:func:`board_frame` turns comparison rows into the display model: every number already rounded
half-up and formatted, a verdict and its symbol per row, status marks, and the footnotes and
source notes they need. :func:`board_table` renders that model as a ``great_tables.GT``. No
statistics happen here: everything shown comes from :mod:`lacompare.compare`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl
from great_tables import GT, loc, style
from great_tables._text import BaseText

from lacompare.format import format_change, format_value

#: Column key -> header. The default board table shows all of them, in this order.
BOARD_COLUMNS: dict[str, str] = {
    "period": "Period",
    "la": "{la}",
    "sn_average": "Statistical neighbours",
    "england": "England",
    "region": "Region",
    "rank": "National rank",
    "quartile_band": "Quartile (A best)",
    "change": "Change from previous year",
    "direction": "Direction",
    "vs_england": "Compared with England",
}

#: Marks put after a value, and what each means (footnotes explain the ones a table uses).
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
    "local_unvalidated": ("[L]", "local unvalidated figure, not yet published by DfE"),
}


@dataclass(frozen=True)
class Palette:
    """Colours for good / similar / bad cells. The default pairs blue with orange (readable
    with the common colour-vision deficiencies, and dark text on all three passes WCAG AA);
    every coloured cell also carries a symbol and a word, so the table reads in greyscale."""

    better: str = "#cce3f5"
    similar: str = "#eeeeee"
    worse: str = "#fbd9b5"
    text: str = "#0b0c0c"
    header: str = "#1d3557"
    header_text: str = "#ffffff"
    font: tuple[str, ...] = ("Arial", "Helvetica", "sans-serif")


#: Verdict -> (symbol, word, palette field). Higher / lower (no polarity) are not shaded.
VERDICT_STYLE: dict[str, tuple[str, str, str | None]] = {
    "better": ("▲", "Better", "better"),
    "worse": ("▼", "Worse", "worse"),
    "similar": ("●", "Similar", "similar"),
    "higher": ("↑", "Higher", None),
    "lower": ("↓", "Lower", None),
    "not compared": ("–", "Not compared", None),
    "improving": ("▲", "Improving", "better"),
    "worsening": ("▼", "Worsening", "worse"),
    "no change": ("●", "No change", "similar"),
    "not rated": ("–", "Not rated", None),
}


@dataclass(frozen=True)
class BoardModel:
    """What a board table shows: the display frame plus its texts. Exporters (Word, Excel)
    render this same model, so every format shows the same numbers and notes."""

    frame: pl.DataFrame
    columns: dict[str, str]
    title: str
    subtitle: str | None
    footnotes: list[str] = field(default_factory=list)
    source_notes: list[str] = field(default_factory=list)
    group_by: str | None = "topic"
    table_id: str = "lacompare-table"


def board_frame(
    comparison: pl.DataFrame,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    columns: Sequence[str] | None = None,
    group_by: str | None = "topic",
) -> BoardModel:
    """The display model of a board table (see :class:`BoardModel`) for one LA's rows."""
    areas = comparison.get_column("area_name").unique().to_list()
    if len(areas) != 1:
        raise ValueError(
            f"a board table shows one local authority; these rows hold {len(areas)} "
            f"({', '.join(sorted(areas)[:5])}). Filter the comparison first."
        )
    la = areas[0]
    wanted = list(columns) if columns is not None else list(BOARD_COLUMNS)
    unknown = [c for c in wanted if c not in BOARD_COLUMNS]
    if unknown:
        raise ValueError(f"unknown board column(s) {unknown}; choose from {list(BOARD_COLUMNS)}")

    decimals = pl.col("decimals")
    unit = pl.col("unit")
    frame = (
        comparison.with_columns(
            label=pl.col("indicator_name"),
            la=_with_mark(format_value(pl.col("la_value"), unit, decimals), pl.col("la_status")),
            sn_average=format_value(pl.col("sn_average"), unit, decimals),
            england=format_value(pl.col("england_value"), unit, decimals),
            region=format_value(pl.col("region_value"), unit, decimals),
            rank=pl.when(pl.col("national_rank").is_not_null()).then(
                pl.format("{} of {}", pl.col("national_rank"), pl.col("rank_of"))
            ),
            change=format_change(pl.col("change_from_previous"), unit, decimals),
            direction_text=_verdict_text(pl.col("direction")),
            vs_england_text=_verdict_text(pl.col("vs_england")),
        )
        .with_columns(
            # Missing cells say so in the table, never a blank that reads as zero.
            pl.col("sn_average", "england", "region", "rank", "change", "quartile_band").fill_null(
                "–"
            ),
            period=pl.col("period").fill_null("–"),
        )
        .sort(pl.col("topic"), pl.col("indicator_name"))
    )
    statuses = frame.get_column("la_status").unique().to_list()
    footnotes = [
        f"{mark} {meaning}"
        for status, (mark, meaning) in STATUS_MARKS.items()
        if status in statuses
    ]
    if (frame.get_column("vs_england") == "not compared").any():
        footnotes.append(
            "Compared with England: similar when England's value lies inside "
            f"{la}'s 95% confidence interval, otherwise better or worse by the indicator's "
            "polarity (Wilson score interval for percentages, Byar's or exact Poisson for "
            "rates; Fingertips' method). 'Not compared' where no counts are published to give "
            "an interval."
        )
    if (frame.get_column("quartile_band") != "–").any():
        footnotes.append(
            "Quartile: A is the best quarter of all local authorities for the indicator's "
            "polarity, D the worst (LAIT's banding); ranks are 1 = best."
        )
    models = comparison.get_column("sn_model").drop_nulls().unique().to_list()
    periods = ", ".join(sorted(frame.get_column("period").unique().to_list()))
    source_notes = [
        "Source: Department for Education, Local Authority Interactive Tool (LAIT) data and "
        f"Explore Education Statistics; periods shown: {periods}. Open Government Licence v3.0.",
        "Statistical neighbours: DfE children's services statistical neighbour "
        + (f"model {', '.join(models)}" if models != ["custom"] else "group chosen by the user")
        + " (simple average of the neighbours with a value). England and region values are "
        "for the same period as the local authority's.",
    ]
    header = dict(BOARD_COLUMNS)
    header["la"] = la
    digest = hashlib.sha1(
        "|".join([la, title or "", *wanted, *frame.get_column("indicator_id")]).encode()
    ).hexdigest()[:10]
    return BoardModel(
        frame=frame,
        columns={key: header[key] for key in wanted},
        title=title or f"{la}: how it compares",
        subtitle=subtitle,
        footnotes=footnotes,
        source_notes=source_notes,
        group_by=group_by,
        table_id=f"lacompare-{digest}",
    )


def board_table(
    comparison: pl.DataFrame,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    columns: Sequence[str] | None = None,
    group_by: str | None = "topic",
    palette: Palette | None = None,
) -> GT:
    """A board-paper table for one LA: one row per indicator, grouped by topic.

    Columns (choose with ``columns``, keys of :data:`BOARD_COLUMNS`): the LA's value with any
    status mark, SN average, England, region, national rank ("96 of 152"), quartile band,
    change from the previous year, direction and the comparison with England. Numbers are
    rounded half-up to each indicator's decimals; good / bad cells are shaded by polarity and
    carry a symbol and a word. ``palette`` takes an organisation's colours.
    """
    model = board_frame(
        comparison, title=title, subtitle=subtitle, columns=columns, group_by=group_by
    )
    return render_board(model, palette or Palette())


def render_board(model: BoardModel, palette: Palette) -> GT:
    """The great_tables rendering of a :class:`BoardModel`."""
    shown = [
        {"direction": "direction_text", "vs_england": "vs_england_text"}.get(key, key)
        for key in model.columns
    ]
    data = model.frame.select(
        "label",
        *([model.group_by] if model.group_by else []),
        *shown,
        "direction",
        "vs_england",
    )
    table = GT(
        data,
        rowname_col="label",
        groupname_col=model.group_by,
        id=model.table_id,
    )
    labels: dict[str, str | BaseText] = {
        {"direction": "direction_text", "vs_england": "vs_england_text"}.get(key, key): text
        for key, text in model.columns.items()
    }
    table = (
        table.tab_header(title=model.title, subtitle=model.subtitle)
        .cols_label(cases=dict(labels))
        .cols_hide(["direction", "vs_england"])
        .cols_align(
            "right",
            columns=[
                c
                for c in shown
                if c not in {"direction_text", "vs_england_text", "quartile_band", "period"}
            ],
        )
        .tab_stubhead("Indicator")
        .opt_table_font(font=list(palette.font))
        .tab_options(
            column_labels_background_color=palette.header,
            column_labels_font_weight="bold",
            heading_title_font_size="16px",
            table_font_color=palette.text,
            row_group_font_weight="bold",
        )
        .tab_style(style.text(color=palette.header_text), loc.column_labels())
    )
    for column, key in (("vs_england_text", "vs_england"), ("direction_text", "direction")):
        if column not in shown:
            continue
        for verdict, (_, _, colour_field) in VERDICT_STYLE.items():
            if colour_field is None:
                continue
            rows = model.frame.with_row_index().filter(pl.col(key) == verdict)["index"].to_list()
            if rows:
                table = table.tab_style(
                    style.fill(color=getattr(palette, colour_field)),
                    loc.body(columns=column, rows=rows),
                )
    for note in model.footnotes:
        table = table.tab_source_note(note)
    for note in model.source_notes:
        table = table.tab_source_note(note)
    return table


def _verdict_text(verdict: pl.Expr) -> pl.Expr:
    """ "▲ Better", "● Similar", ... : a symbol and a word, readable without colour."""
    mapping = {key: f"{symbol} {word}" for key, (symbol, word, _) in VERDICT_STYLE.items()}
    return verdict.replace_strict(mapping, default=None)


def _with_mark(text: pl.Expr, status: pl.Expr) -> pl.Expr:
    """The value followed by its status mark ("45.6 [p]"); the mark alone where there is no
    value ("[c]"); plain published figures carry no mark."""
    mark = status.replace_strict({s: m for s, (m, _) in STATUS_MARKS.items()}, default=None)
    return (
        pl.when(text.is_null())
        .then(mark.fill_null("–"))
        .when(mark.is_null())
        .then(text)
        .otherwise(pl.concat_str(text, pl.lit(" "), mark))
    )
