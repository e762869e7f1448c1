"""Board-paper tables: LAIT's three views as great_tables tables, over one table model.

Each builder turns engine rows into a :class:`TableModel` (display texts already rounded half-up,
the cells to shade, the notes to print, the unrounded values behind them) and renders it with
great_tables. The exporters in :mod:`lacompare.export` write the same model to Word, Excel,
LaTeX and CSV, so every format shows the same numbers and notes. No statistics happen here:
everything shown comes from :mod:`lacompare.compare`.

- :func:`board_table`: one LA, one row per indicator, grouped by topic (LAIT's stats table);
- :func:`neighbour_table`: one indicator, the LA and each statistical neighbour, sorted by value;
- :func:`trend_table`: one LA over several years with its region, SN average and England.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from lacompare._cells import (
    DIRECTION_STYLE,
    MISSING,
    STATUS_MARKS,
    VERDICT_STYLE,
    direction_cell,
    direction_key,
    england_verdict_cell,
    gap_cell,
    neighbours_cell,
    period_cell,
    quartile_cell,
    rank_cell,
    value_cell,
    with_mark,
)
from lacompare._expr import fmt
from lacompare.compare import (
    Neighbours,
    compare,
    compare_all,
    group_label,
    model_only,
    trend_data,
)
from lacompare.errors import InvalidArgumentError, plain_text, user_facing, whole_number
from lacompare.exception_rules import flag_expr

if TYPE_CHECKING:
    from great_tables import GT
from lacompare.format import format_change, format_number, format_value
from lacompare.periods import period_text
from lacompare.reference import ReferenceData

#: Board column key -> header: short words that never break inside a word in a narrow
#: column; :data:`COLUMN_GLOSSARY` gives each in full for the table's notes.
BOARD_COLUMNS: dict[str, str] = {
    "period": "Period",
    "la": "{la}",
    "trend": "Recent years",
    "sn_average": "Neighbours",
    "england": "England",
    "region": "Region",
    "rank": "Rank",
    "quartile_band": "Quartile",
    "change": "Change",
    "direction": "Direction",
    "vs_england": "vs England",
    # Not shown unless asked for (columns=[..., "gap_england"]): the gap in children.
    "gap_england": "Gap to England (children)",
    # The council's own target and whether it is met (ReferenceData.with_targets).
    "target": "Target",
}

#: What each board column shows, in full (the notes under a table, the paper's glossary).
COLUMN_GLOSSARY: dict[str, str] = {
    "period": "the period of the figure: a date for a count at a date, a year otherwise; "
    "'(latest)' where the authority's latest figure is older than others'",
    "sn_average": "the simple average of the statistical neighbours with a figure (LAIT's "
    "method); '(7 of 10)' where some have none",
    "rank": "national rank among local authorities, 1 best; '=' where tied",
    "quartile_band": "quartile band, A the best quarter of local authorities, D the worst",
    "change": "the change from the previous year",
    "direction": "the change from the previous year, tested at 95% where counts allow "
    "('not tested' otherwise)",
    "vs_england": "compared with England, tested at 95% (and 99.8%) where counts allow",
    "target": "the council's own target for the figure, and whether it is met, near (within "
    "its tolerance) or missed; '–' where none is set",
    "gap_england": "how many more (+) or fewer (-) children the authority's count is than "
    "England's rate would give on the same base, rounded (under 10 as it is, then to 5, then "
    "to 10); '–' where the counts are not known or the number is small",
}


@dataclass(frozen=True)
class Palette:
    """Colours for good / similar / bad cells and the header. The default pairs blue with
    orange (distinguishable with the common colour-vision deficiencies; dark text on every fill
    passes WCAG AA contrast); every coloured cell also carries a symbol and a word, so the table
    reads in greyscale print. Pass your organisation's colours to :func:`board_table`."""

    better: str = "#cce3f5"
    similar: str = "#eeeeee"
    worse: str = "#fbd9b5"
    highlight: str = "#fff2cc"
    text: str = "#0b0c0c"
    header: str = "#1d3557"
    header_text: str = "#ffffff"
    font: tuple[str, ...] = ("Arial", "Helvetica", "sans-serif")


@dataclass(frozen=True)
class TableModel:
    """Everything a rendered table shows, independent of the output format.

    ``frame`` holds one row per table row, in order: the stub column (row labels), the group
    column if any, and one text column per entry of ``columns`` (display key -> header).
    ``fills`` maps (row, display key) to a palette field; ``bold_rows`` are highlighted.
    ``numbers`` maps a display key to (raw column, decimals column) so spreadsheets can hold
    the unrounded number; ``raw`` holds the underlying values (unrounded) for CSV.
    """

    frame: pl.DataFrame
    stub: str
    stub_header: str
    columns: dict[str, str]
    title: str
    subtitle: str | None = None
    group: str | None = None
    fills: dict[tuple[int, str], str] = field(default_factory=dict)
    bold_rows: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    source_notes: tuple[str, ...] = ()
    numbers: dict[str, tuple[str, str]] = field(default_factory=dict)
    raw: pl.DataFrame = field(default_factory=pl.DataFrame)
    trend: str | None = None
    #: Display key -> column holding its text for formats without graphics (the sparkline
    #: becomes "77.9 → 67.6 → 46.7").
    texts: dict[str, str] = field(default_factory=dict)
    table_id: str = "lacompare-table"
    palette: Palette = field(default_factory=Palette)


# Rendered tables remember their model (by table id) so save() can write Word, Excel, LaTeX and
# CSV from the same content; bounded so batch runs do not accumulate memory.
_MODELS: OrderedDict[str, TableModel] = OrderedDict()
_MODELS_KEPT = 512


def model_of(table: GT) -> TableModel | None:
    """The :class:`TableModel` behind a table made by lacompare (None for other tables)."""
    table_id = table._options.table_id.value
    return _MODELS.get(str(table_id)) if table_id else None


def body_rows(model: TableModel) -> list[tuple[str, int | None, str, list[str]]]:
    """The table's body as text, in display order: ("group", None, name, []) for a group's
    heading and ("row", index, label, cells) for each row (what Word, Excel, LaTeX and the
    paper's HTML write)."""
    out: list[tuple[str, int | None, str, list[str]]] = []
    keys = list(model.columns)
    current = None
    for index, row in enumerate(model.frame.iter_rows(named=True)):
        if model.group and row[model.group] != current:
            current = row[model.group]
            out.append(("group", None, str(current), []))
        cells = [_cell_text(model, key, row) for key in keys]
        out.append(("row", index, str(row[model.stub]), cells))
    return out


def _cell_text(model: TableModel, key: str, row: dict[str, object]) -> str:
    value = row.get(model.texts.get(key, key))
    return "" if value is None else str(value)


#: The sparkline's drawing box (px) and margin.
_SPARK_WIDTH, _SPARK_HEIGHT, _SPARK_PAD = 100, 24, 3


def _sparkline(values: pl.Expr, label: pl.Expr, colour: str) -> pl.Expr:
    """Each row's list of values as an inline SVG line (a gap where a year has no value, a
    dot on every value), scaled to its own range, named for screen readers by ``label``
    ("Recent years: 77.9 → 67.6 → 46.7"). Built as polars string expressions, all rows at
    once: the cost of a few bytes of text, not of a plotting library."""
    inner_w, inner_h = _SPARK_WIDTH - 2 * _SPARK_PAD, _SPARK_HEIGHT - 2 * _SPARK_PAD
    v = pl.element()
    spread = v.max() - v.min()
    x = _SPARK_PAD + pl.int_range(pl.len()) * inner_w / pl.max_horizontal(pl.len() - 1, 1)
    y = (
        pl.when(spread > 0)
        .then(_SPARK_PAD + (v.max() - v) / spread * inner_h)
        .otherwise(_SPARK_HEIGHT / 2)  # a flat line through the middle
    )
    point = fmt("{} {}", x.round(1), y.round(1))
    step = pl.when(v.shift(1).is_null()).then(pl.lit("M")).otherwise(pl.lit("L"))
    path = values.list.eval(pl.when(v.is_not_null()).then(pl.concat_str(step, point)))
    dots = values.list.eval(
        pl.when(v.is_not_null()).then(
            fmt('<circle cx="{}" cy="{}" r="1.8"/>', x.round(1), y.round(1))
        )
    )
    return pl.concat_str(
        pl.lit(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_SPARK_WIDTH}" '
            f'height="{_SPARK_HEIGHT}" viewBox="0 0 {_SPARK_WIDTH} {_SPARK_HEIGHT}" '
            'role="img" aria-label="Recent years: '
        ),
        label,
        pl.lit('"><title>Recent years: '),
        label,
        pl.lit(f'</title><path fill="none" stroke="{colour}" stroke-width="1.5" d="'),
        path.list.drop_nulls().list.join(""),
        pl.lit(f'"/><g fill="{colour}">'),
        dots.list.drop_nulls().list.join(""),
        pl.lit("</g></svg>"),
    )


def render(model: TableModel) -> GT:
    """The great_tables rendering of a :class:`TableModel` (HTML, PNG, PDF). great_tables is
    imported here, by what makes a table: a board paper never loads it."""
    from great_tables import GT, loc, style

    palette = model.palette
    keys = list(model.columns)
    data = model.frame.select(model.stub, *([model.group] if model.group else []), *keys)
    sparkline = model.trend if model.trend in keys else None
    if sparkline:
        # Each row's recent years as a small inline SVG with its figures as the accessible name.
        text = model.texts.get(sparkline)
        label = pl.col(text) if text and text in model.frame.columns else pl.lit("")
        data = data.with_columns(
            model.frame.select(
                _sparkline(pl.col(sparkline), label, palette.header).alias(sparkline)
            )
        )
    table = GT(data, rowname_col=model.stub, groupname_col=model.group, id=model.table_id)
    table = (
        table.tab_header(title=model.title, subtitle=model.subtitle)
        .cols_label(cases=dict(model.columns))
        .tab_stubhead(model.stub_header)
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
    numeric = [k for k in keys if k in model.numbers or k in {"rank", "change"}]
    if numeric:
        table = table.cols_align("right", columns=numeric)
    if sparkline:
        # A formatter's output is written as markup (plain cells are escaped).
        table = table.fmt(lambda svg: svg, columns=sparkline)
    table = table.cols_width(cases={model.stub: "260px"})
    by_fill: dict[tuple[str, str], list[int]] = {}
    for (row, key), colour_field in model.fills.items():
        by_fill.setdefault((key, colour_field), []).append(row)
    for (key, colour_field), rows in sorted(by_fill.items()):
        table = table.tab_style(
            style.fill(color=getattr(palette, colour_field)),
            loc.body(columns=key, rows=sorted(rows)),
        )
    if model.bold_rows:
        table = table.tab_style(
            [style.text(weight="bold"), style.fill(color=palette.highlight)],
            loc.body(rows=list(model.bold_rows)),
        )
        table = table.tab_style(style.text(weight="bold"), loc.stub(rows=list(model.bold_rows)))
    for note in (*model.notes, *model.source_notes):
        table = table.tab_source_note(note)
    _MODELS[model.table_id] = model
    _MODELS.move_to_end(model.table_id)
    while len(_MODELS) > _MODELS_KEPT:
        _MODELS.popitem(last=False)
    return table


# --------------------------------------------------------------------------------------------
# Board table


@user_facing
def board_frame(
    comparison: pl.DataFrame,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    columns: Sequence[str] | str | None = None,
    group_by: str | None = "topic",
    sparkline_periods: int = 5,
    palette: Palette | None = None,
    highlight: str | None = None,
    notes: Sequence[str] = (),
    keep_order: bool = False,
    cells: pl.DataFrame | None = None,
) -> TableModel:
    """The :class:`TableModel` of a board table for one LA's comparison rows (in the order
    given with ``keep_order``, else alphabetically within each group), in four steps: the
    columns asked for, every cell's text, the rows' order and shading, and the notes.

    ``cells``: the :func:`board_cells` of these rows or of more of the same LA's (a paper makes
    them once for all its tables, as they are most of a table's time)."""
    la = _one_la(comparison)
    title, subtitle, extra_notes = _checked_texts(title, subtitle, notes)
    _check_board_options(comparison, group_by, sparkline_periods, palette, highlight)
    wanted, available, other_models = _board_columns(comparison, columns, sparkline_periods)
    frame = (
        _board_texts(comparison, sparkline_periods, other_models)
        if cells is None
        else _cells_of(comparison, cells)
    )
    frame, group_by = _board_order(frame, group_by, highlight, keep_order)
    header = dict(available) | {"la": la}
    return TableModel(
        frame=frame,
        stub="label",
        stub_header="Indicator",
        columns={key: header[key] for key in wanted},
        title=title or f"{la}: how it compares",
        subtitle=subtitle,
        group=group_by,
        fills=_board_fills(frame, wanted),
        notes=(
            *_board_notes(comparison, la, wanted, highlight, sparkline_periods),
            *extra_notes,
        ),
        source_notes=_source_notes(comparison),
        numbers=_number_columns(wanted)
        | {
            f"sn_average_{m}": (f"sn_average_{m}_value", "decimals")
            for m in other_models
            if f"sn_average_{m}" in wanted
        },
        raw=comparison.drop("recent_periods", "recent_values", strict=False),
        trend="trend" if "trend" in wanted else None,
        texts={"trend": "trend_text"},
        table_id=_table_id(
            "board", la, title or "", *wanted, *frame.get_column("indicator_id").to_list()
        ),
        palette=palette or Palette(),
    )


def _check_board_options(
    comparison: pl.DataFrame,
    group_by: object,
    sparkline_periods: object,
    palette: object,
    highlight: object,
) -> None:
    if group_by is not None and (
        not isinstance(group_by, str) or group_by not in comparison.columns
    ):
        raise InvalidArgumentError(
            f"group_by must be 'topic', None (no groups) or another column of the "
            f"comparison such as 'unit' or 'polarity', not {group_by!r}"
        )
    whole_number("sparkline_periods", sparkline_periods, minimum=0)
    if palette is not None and not isinstance(palette, Palette):
        raise InvalidArgumentError(f"palette must be a lacompare.Palette, not {palette!r}")
    if highlight not in {None, *HIGHLIGHTS}:
        raise InvalidArgumentError(
            f"highlight must be one of {sorted(HIGHLIGHTS)} or None, not {highlight!r}"
        )


def _board_columns(
    comparison: pl.DataFrame, columns: Sequence[str] | str | None, sparkline_periods: int
) -> tuple[list[str], dict[str, str], list[str]]:
    """(the column keys shown, every key's header, other neighbour models' keys): other
    models' averages (from compare_neighbour_models) get a column each."""
    columns = [columns] if isinstance(columns, str) else columns
    if columns is not None and (
        not isinstance(columns, Sequence) or not all(isinstance(c, str) for c in columns)
    ):
        raise InvalidArgumentError(f"columns must be a list of column keys, not {columns!r}")
    other_models = sorted(
        c.removeprefix("sn_average_")
        for c in comparison.columns
        if c.startswith("sn_average_") and c.removeprefix("sn_average_").isdigit()
    )
    available = dict(BOARD_COLUMNS)
    for model in other_models:
        available[f"sn_average_{model}"] = f"Neighbours ({model} model)"
    wanted = (
        list(columns)
        if columns is not None
        else [
            key
            for key in BOARD_COLUMNS
            for key in (
                [key, *[f"sn_average_{m}" for m in other_models]] if key == "sn_average" else [key]
            )
        ]
    )
    unknown = [c for c in wanted if c not in available]
    if unknown:
        raise InvalidArgumentError(
            f"unknown board column(s) {unknown}; choose from {list(available)}"
        )
    if sparkline_periods < 1 and "trend" in wanted:
        wanted.remove("trend")
    return wanted, available, other_models


def board_cells(comparison: pl.DataFrame, sparkline_periods: int = 5) -> pl.DataFrame:
    """Every board-table cell's text for these comparison rows (one LA's), beside the values
    and verdicts behind it: what :func:`board_frame` makes first, made once for several tables
    (``board_frame(rows, cells=...)``)."""
    _one_la(comparison)
    whole_number("sparkline_periods", sparkline_periods, minimum=0)
    _, _, other_models = _board_columns(comparison, None, sparkline_periods)
    return _board_texts(comparison, sparkline_periods, other_models)


def _cells_of(comparison: pl.DataFrame, cells: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``cells`` for the comparison's rows, in the comparison's order; refused
    where they are another LA's or lack one of its indicators."""
    if not isinstance(cells, pl.DataFrame) or "la" not in cells.columns:
        raise InvalidArgumentError("cells must be what lacompare.tables.board_cells returns")
    own = comparison.select("area_code", "indicator_id")
    keys = ["area_code", "indicator_id"]
    missing = own.join(cells, on=keys, how="anti").get_column("indicator_id").to_list()
    if missing:
        raise InvalidArgumentError(
            f"cells has no row for {missing} of this LA: make them from the same rows "
            "(board_cells(rows))"
        )
    return own.join(cells, on=keys, how="left", maintain_order="left")


def _board_texts(
    comparison: pl.DataFrame, sparkline_periods: int, other_models: list[str]
) -> pl.DataFrame:
    """Every cell's text (:mod:`lacompare._cells`), beside the values and verdicts behind it.
    One lazy query: these expressions are large and the frame small, so planning them once is
    most of the cost saved."""
    unit, decimals = pl.col("unit"), pl.col("decimals")
    trend_text = (
        comparison.lazy()
        .select("indicator_id", "decimals", "recent_values")
        .with_columns(pl.col("recent_values").list.tail(max(sparkline_periods, 1)))
        .explode("recent_values")
        .with_columns(
            text=format_number(pl.col("recent_values"), pl.col("decimals")).fill_null(MISSING)
        )
        .group_by("indicator_id", maintain_order=True)
        .agg(trend_text=pl.col("text").str.join(" → "))
    )
    is_count = pl.col("unit") == "count"
    return (
        comparison.lazy()
        .join(trend_text, on="indicator_id", how="left", maintain_order="left")
        .with_columns(
            sn_average_value=pl.col("sn_average"),
            flag=flag_expr(),
            direction_verdict=direction_key(),
            vs_england_verdict=pl.when(pl.col("england_flag").is_null()).then("vs_england"),
        )
        .with_columns(
            label=pl.col("indicator_label"),
            period=period_cell(),
            la=value_cell(),
            # A count (a number of children) is never set beside a total or an average of
            # other authorities' counts (see the note); a missing cell says so, never a blank
            # that could read as zero.
            sn_average=pl.when(is_count).then(pl.lit(MISSING)).otherwise(neighbours_cell()),
            england=pl.when(is_count)
            .then(pl.lit(MISSING))
            .otherwise(format_value(pl.col("england_value"), unit, decimals))
            .fill_null(MISSING),
            region=pl.when(is_count)
            .then(pl.lit(MISSING))
            .otherwise(format_value(pl.col("region_value"), unit, decimals))
            .fill_null(MISSING),
            rank=rank_cell(),
            quartile_band=quartile_cell(),
            change=format_change(pl.col("change_from_previous"), unit, decimals).fill_null(MISSING),
            direction=direction_cell(),
            vs_england=england_verdict_cell(),
            gap_england=gap_cell(),
            target=pl.col("target_text").fill_null(MISSING),
            trend=pl.col("recent_values").list.tail(max(sparkline_periods, 1)),
            **{f"sn_average_{m}_value": pl.col(f"sn_average_{m}") for m in other_models},
            **{
                f"sn_average_{m}": format_value(
                    pl.col(f"sn_average_{m}"), unit, decimals
                ).fill_null(MISSING)
                for m in other_models
            },
        )
        .collect(engine="in-memory")
    )


#: Rows a board table can list first, and the group name they are listed under.
HIGHLIGHTS: dict[str, str] = {
    "red-red": "Red-red: worse than England and getting worse",
    "green-green": "Green-green: better than England and improving",
}


def _board_order(
    frame: pl.DataFrame, group_by: str | None, highlight: str | None, keep_order: bool
) -> tuple[pl.DataFrame, str | None]:
    """Rows in order: highlighted rows first (red-red by the exception rule, or green-green),
    then by group and, unless ``keep_order``, indicator name."""
    if highlight:
        first = (
            pl.col("flag") == "red-red"
            if highlight == "red-red"
            else (pl.col("vs_england_verdict") == "better")
            & pl.col("direction_verdict").is_in(["better", "improving"])
        ).fill_null(False)
        group_by = group_by or "topic"
        frame = frame.with_columns(
            _first=first,
            **{
                group_by: pl.when(first)
                .then(pl.lit(HIGHLIGHTS[highlight]))
                .otherwise(pl.col(group_by))
            },
        )
    else:
        frame = frame.with_columns(_first=pl.lit(False))
    keys = [pl.col("_first"), *([pl.col(group_by)] if group_by else [])]
    if not keep_order:
        keys.append(pl.col("label"))
    ordered = frame.sort(keys, descending=[True] + [False] * (len(keys) - 1), maintain_order=True)
    return ordered, group_by


def _board_fills(frame: pl.DataFrame, wanted: Sequence[str]) -> dict[tuple[int, str], str]:
    """Shaded cells: tested verdicts and tested changes (better / similar / worse), and the best
    and worst quartile bands as LAIT colours them; never a small number's band. Every shaded
    cell also carries a symbol and a word."""
    fills: dict[tuple[int, str], str] = {}
    verdict_colours = {k: c for k, (_, _, c) in VERDICT_STYLE.items() if c}
    direction_colours = {k: c for k, (_, c) in DIRECTION_STYLE.items() if c}
    for key, column, colours in (
        ("vs_england", "vs_england_verdict", verdict_colours),
        ("direction", "direction_verdict", direction_colours),
    ):
        if key not in wanted:
            continue
        for row, verdict in enumerate(frame.get_column(column).to_list()):
            if verdict in colours:
                fills[(row, key)] = colours[verdict]
    if "quartile_band" in wanted:
        for row, band in enumerate(frame.get_column("quartile_band").to_list()):
            if band in {"A", "D"}:
                fills[(row, "quartile_band")] = "better" if band == "A" else "worse"
    return fills


def _board_notes(
    comparison: pl.DataFrame,
    la: str,
    wanted: Sequence[str],
    highlight: str | None,
    sparkline_periods: int,
) -> list[str]:
    """The notes a reader needs under the table: what each mark and column means, how the
    comparisons were made, and what the table cannot show."""
    statuses = set(comparison.get_column("la_status").to_list())
    notes = [
        f"{mark} {meaning}"
        for status, (mark, meaning) in STATUS_MARKS.items()
        if status in statuses and status != "local"  # explained in full below
    ]
    local = comparison.filter(pl.col("la_local"))
    if local.height:
        notes.append(local_note(local, la))
        mixed = mixed_note(comparison, la)
        if mixed:
            notes.append(mixed)
    glossary = [f"{BOARD_COLUMNS[k]}: {COLUMN_GLOSSARY[k]}" for k in wanted if k in COLUMN_GLOSSARY]
    if glossary:
        notes.append("Columns. " + "; ".join(glossary) + ".")
    if "vs_england" in wanted:
        tested = comparison.filter(pl.col("vs_england") != "not compared").height
        notes.append(
            "vs England: similar when England's value lies inside "
            f"{la}'s 95% confidence interval, otherwise better or worse by the indicator's "
            "polarity (Wilson score interval for percentages, Byar's or exact Poisson for "
            "rates: Fingertips' method); '(99.8%)' where England's value lies outside the "
            "99.8% interval too; higher / lower where the indicator has no polarity; "
            "'Not tested' where no counts are published that reproduce the figure. "
            f"{tested} of {comparison.height} rows were tested."
        )
        if comparison.get_column("overdispersion").is_not_null().any():
            notes.append(
                "School absence counted in half-day sessions: a pupil's sessions are not "
                "independent, so these intervals are widened by the spread seen between "
                "councils (overdispersion, as on PHE's funnel plots)."
            )
    if (comparison.get_column("unit") == "count").any():
        notes.append(
            "Counts (numbers of children) are shown without England, regional or neighbour "
            "figures: a total for England or a region is not comparable with one authority's "
            "count; rates and percentages compare authorities of different sizes."
        )
    if comparison.get_column("small_number").any():
        notes.append(
            "Small numbers: a percentage of fewer than 20 children, or a rate from fewer than "
            "10, is shown with its counts and is not ranked, banded or counted in summaries."
        )
    uneven = comparison.filter(~pl.col("small_number"), (pl.col("band_share") - 0.25).abs() > 0.05)
    if ("quartile_band" in wanted or "rank" in wanted) and uneven.height:
        listed = "; ".join(
            f"{name} (band {band}: {share:.0%} of authorities)"
            for name, band, share in uneven.select(
                "indicator_label", "quartile_band", "band_share"
            ).iter_rows()
        )
        notes.append(f"Quartile bands are uneven where many authorities tie: {listed}.")
    if highlight:
        label = HIGHLIGHTS[highlight].split(":")[0]
        notes.append(
            f"{label} rows are listed first: "
            + (
                "significantly worse than England and worse than the previous period (tested "
                "where counts allow)."
                if highlight == "red-red"
                else "significantly better than England and improving since the previous year."
            )
        )
    if "trend" in wanted:
        notes.append(
            f"Recent years: {la}'s values for up to {sparkline_periods} periods to the one "
            "shown; a gap is a year with no published value."
        )
    return notes


def local_note(local: pl.DataFrame, la: str) -> str:
    """What a reader needs to know of an LA's own figures: which, and against what."""
    shown = local.with_columns(
        when=period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot")),
        against=period_text(pl.col("comparator_period"), pl.col("period_type"), pl.col("snapshot")),
    )
    when = ", ".join(sorted(set(shown.get_column("when").drop_nulls().to_list())))
    against = ", ".join(sorted(set(shown.get_column("against").drop_nulls().to_list())))
    return (
        f"[L] {la}'s own figures, not yet published by DfE (local figures for {when}); they "
        "are compared with the latest published England, region and neighbour figures before "
        f"them ({against or 'none published'}) and are not ranked."
    )


def mixed_note(comparison: pl.DataFrame, la: str) -> str | None:
    """Where a table mixes the LA's own figures with published ones, say which years each
    row type is, so a reader does not read the columns as one year."""
    local = comparison.filter(pl.col("la_local"), pl.col("la_value").is_not_null())
    published = comparison.filter(~pl.col("la_local"), pl.col("la_value").is_not_null())
    if not (local.height and published.height):
        return None

    def years(rows: pl.DataFrame) -> str:
        texts = rows.select(
            period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot"))
        ).to_series()
        return ", ".join(sorted(set(texts.drop_nulls().to_list())))

    return (
        f"[L] This table mixes {la}'s own figures ({years(local)}, marked [L]) with its "
        f"published ones ({years(published)}): read each row's period."
    )


@user_facing
def board_table(
    comparison: pl.DataFrame,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    columns: Sequence[str] | None = None,
    group_by: str | None = "topic",
    sparkline_periods: int = 5,
    palette: Palette | None = None,
    highlight: str | None = None,
    notes: Sequence[str] = (),
) -> GT:
    """A board-paper table for one LA: one row per indicator, grouped by topic.

    Columns (choose with ``columns``, keys of :data:`BOARD_COLUMNS`): the LA's value with any
    status mark, a sparkline of recent years, SN average, England, region, national rank
    ("96 of 152"), quartile band, change from the previous year, direction and the comparison
    with England. Numbers are rounded half-up to each indicator's decimals; good / bad cells
    are shaded by polarity and carry a symbol and a word. ``palette`` takes your colours;
    ``highlight="red-red"`` (or ``"green-green"``) lists those rows first; ``notes`` adds
    footnotes (e.g. :func:`lacompare.commentary.model_change_note`). Rows from
    :func:`~lacompare.commentary.compare_neighbour_models` get a column per other SN model.
    """
    return render(
        board_frame(
            comparison,
            title=title,
            subtitle=subtitle,
            columns=columns,
            group_by=group_by,
            sparkline_periods=sparkline_periods,
            palette=palette,
            highlight=highlight,
            notes=notes,
        )
    )


# --------------------------------------------------------------------------------------------
# Statistical-neighbour table


@user_facing
def neighbour_table(
    ref: ReferenceData,
    la: str | int,
    indicator: str,
    *,
    period: int | str = "latest",
    neighbours: str = "2025",
    palette: Palette | None = None,
) -> GT:
    """LAIT's statistical-neighbour view for one indicator: the LA and each of its neighbours
    (with closeness) sorted best first by polarity (highest first without one), then the SN
    average, region and England; the LA's row highlighted."""
    neighbours = model_only("neighbour_table", neighbours)
    code = ref.area_code(la, current=True)
    indicator_id = ref.find_indicator(indicator)["indicator_id"]
    members = ref.neighbours_of(code, neighbours)
    la_row = compare(
        ref,
        code,
        indicators=[indicator_id],
        period=period,  # type: ignore[arg-type]
        neighbours=neighbours,
    ).row(0, named=True)
    shown_period = la_row["period"]
    field_rows = compare_all(
        ref,
        indicators=[indicator_id],
        period=period  # type: ignore[arg-type]
        if period != "latest"
        else "lait_latest",
    ).filter(pl.col("area_code").is_in([code, *members.get_column("neighbour_code").to_list()]))
    frame = _neighbour_rows(ref, la_row, members, field_rows)
    selected = frame.with_row_index().filter(pl.col("area_code") == code)["index"].to_list()
    la_name = la_row["area_name"]
    return render(
        TableModel(
            frame=frame,
            stub="name",
            stub_header="Area",
            columns={
                "shown": la_row["indicator_name"],
                "rank": "National rank",
                "quartile_band": "Quartile (A best)",
                "closeness": "Closeness",
            },
            title=f"{la_name} and its statistical neighbours",
            subtitle=f"{la_row['indicator_name']}, {shown_period}",
            bold_rows=tuple(selected),
            notes=(
                f"Neighbours: DfE statistical neighbour model {neighbours}, closest first in "
                "the model; sorted here best first.",
            ),
            source_notes=_source_notes(field_rows.filter(pl.col("area_code") == code)),
            numbers={"shown": ("value", "decimals")},
            raw=frame.select(
                "name",
                "area_code",
                "value",
                "status",
                "national_rank",
                "rank_of",
                "quartile_band",
                "closeness",
            ),
            table_id=_table_id("neighbours", code, indicator_id, str(shown_period), neighbours),
            palette=palette or Palette(),
        )
    )


# --------------------------------------------------------------------------------------------
# Trend table


@user_facing
def trend_table(
    ref: ReferenceData,
    la: str | int,
    indicators: str | Sequence[str],
    *,
    periods: int = 5,
    neighbours: Neighbours = "2025",
    palette: Palette | None = None,
) -> GT:
    """LAIT's LA view across years: for each indicator, the LA, its region, its statistical
    neighbours' average and England over the last ``periods`` periods, with the change from
    the previous year (consecutive years only)."""
    whole_number("periods", periods)
    code = ref.area_code(la, current=True)
    latest = compare(ref, code, indicators=indicators, neighbours=neighbours, history=periods)
    ids = latest.get_column("indicator_id").to_list()
    long = trend_data(ref, code, ids, periods=periods, neighbours=neighbours).with_columns(
        text=with_mark(
            format_value(pl.col("value"), pl.col("unit"), pl.col("decimals")),
            pl.col("status").fill_null("not_available"),
        ),
    )
    wide = _trend_wide(long)
    slot_columns = [str(i) for i in range(periods) if str(i) in wide.columns]
    wide = wide.with_columns(pl.col(slot_columns).fill_null(MISSING))
    labels = long.group_by("slot").agg(pl.col("period").unique().sort())
    header = {str(slot): " / ".join(names) for slot, names in labels.iter_rows()}
    columns = {key: header.get(key, MISSING) for key in slot_columns}
    columns["change_text"] = "Change from previous year"
    la_name = latest.get_column("area_name")[0]
    la_rows = tuple(wide.with_row_index().filter(pl.col("series") == "la")["index"].to_list())
    return render(
        TableModel(
            frame=wide,
            stub="label",
            stub_header="Area",
            group="indicator_name",
            columns=columns,
            title=f"{la_name} over time",
            subtitle=f"Last {periods} periods, with region, statistical neighbours "
            f"({group_label(neighbours)}) and England",
            bold_rows=la_rows,
            notes=(
                "Change from previous year: the latest period minus the one before, only "
                "where the two are consecutive years.",
            ),
            source_notes=_source_notes(latest),
            numbers={key: (f"{key}_value", "decimals") for key in slot_columns}
            | {"change_text": ("change", "decimals")},
            raw=long.select(
                "indicator_id", "indicator_name", "series", "period", "value", "status"
            ),
            table_id=_table_id("trend", code, str(periods), str(neighbours), *ids),
            palette=palette or Palette(),
        )
    )


# --------------------------------------------------------------------------------------------


def _trend_wide(long: pl.DataFrame) -> pl.DataFrame:
    """One row per indicator and series (LA, region, SN, England), a column per period slot
    (text and value), and the change between the last two periods where consecutive."""
    last_two = (
        long.sort("slot")
        .group_by("indicator_id", "series")
        .agg(pl.col("value").tail(2), pl.col("year").tail(2))
    )
    change = last_two.with_columns(
        change=pl.when(
            (pl.col("year").list.len() == 2)
            & (pl.col("year").list.last() - pl.col("year").list.first() == 1)
        ).then(pl.col("value").list.last() - pl.col("value").list.first())
    ).select("indicator_id", "series", "change")
    return (
        long.pivot(on="slot", index=["indicator_id", "series"], values="text", sort_columns=True)
        .join(
            long.pivot(
                on="slot", index=["indicator_id", "series"], values="value", sort_columns=True
            ),
            on=["indicator_id", "series"],
            suffix="_value",
        )
        .join(change, on=["indicator_id", "series"])
        .join(
            long.select(
                "indicator_id", "series", "indicator_name", "unit", "decimals", label="series_name"
            ).unique(["indicator_id", "series"]),
            on=["indicator_id", "series"],
        )
        .with_columns(
            order=pl.col("series").replace_strict({"la": 0, "region": 1, "sn": 2, "england": 3}),
            change_text=format_change(
                pl.col("change"), pl.col("unit"), pl.col("decimals")
            ).fill_null(MISSING),
        )
        .sort("indicator_name", "order")
    )


def _neighbour_rows(
    ref: ReferenceData, la_row: dict[str, Any], members: pl.DataFrame, field_rows: pl.DataFrame
) -> pl.DataFrame:
    """The LA and its neighbours at the LA's period, best first, with rank, band and
    closeness; then the SN average, region and England."""
    code, shown_period = la_row["area_code"], la_row["period"]
    indicator_id = la_row["indicator_id"]
    # Neighbours' values for the LA's period (not each neighbour's own latest).
    values = ref.observations.filter(
        pl.col("indicator_id") == indicator_id, pl.col("period") == shown_period
    ).select(
        area_code=pl.col("area_code").cast(pl.String),
        value="value",
        status=pl.col("status").cast(pl.String),
    )
    ranks = field_rows.filter(pl.col("period") == shown_period).select(
        "area_code", "national_rank", "rank_of", "quartile_band"
    )
    people = (
        pl.DataFrame({"area_code": [code], "closeness": [f"{la_row['area_name']} (selected)"]})
        .vstack(
            members.select("neighbour_code", "closeness")
            .rename({"neighbour_code": "area_code"})
            .with_columns(pl.col("closeness").fill_null(MISSING))
        )
        .join(ref.areas.select("area_code", "name"), on="area_code")
        .join(values, on="area_code", how="left")
        .join(ranks, on="area_code", how="left")
        .with_columns(status=pl.col("status").fill_null("not_available"))
    )
    descending = la_row["polarity"] != "low"
    people = people.sort("value", descending=descending, nulls_last=True)
    summary = pl.DataFrame(
        {
            "name": ["Statistical neighbour average", la_row["region_name"] or "Region", "England"],
            "value": [la_row["sn_average"], la_row["region_value"], la_row["england_value"]],
            "closeness": ["", "", ""],
            "status": ["published", "published", "published"],
        },
        schema={
            "name": pl.String,
            "value": pl.Float64,
            "closeness": pl.String,
            "status": pl.String,
        },
    )
    unit, decimals = la_row["unit"], la_row["decimals"]
    return pl.concat([people, summary], how="diagonal_relaxed").with_columns(
        shown=with_mark(
            format_value(pl.col("value"), pl.lit(unit), decimals),
            pl.col("status"),
        ),
        rank=pl.when(pl.col("national_rank").is_not_null())
        .then(fmt("{} of {}", pl.col("national_rank"), pl.col("rank_of")))
        .otherwise(pl.lit(MISSING)),
        quartile_band=pl.col("quartile_band").fill_null(MISSING),
        decimals=pl.lit(decimals, pl.Int32),
    )


def _checked_texts(
    title: object, subtitle: object, notes: object
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """A table's title (at most 255 characters: Word's limit for a document title), subtitle
    and notes as plain text (no control characters), or an error naming which."""
    if title is not None:
        title = plain_text("title", title, max_length=255)
    if subtitle is not None:
        subtitle = plain_text("subtitle", subtitle)
    if isinstance(notes, str):
        notes = (notes,)
    if not isinstance(notes, Sequence):
        raise InvalidArgumentError(f"notes must be a list of sentences, not {notes!r}")
    checked = tuple(plain_text(f"notes[{i}]", note) for i, note in enumerate(notes))
    return title, subtitle, checked  # type: ignore[return-value]


def _one_la(comparison: pl.DataFrame) -> str:
    areas = comparison.get_column("area_name").unique().sort().to_list()
    if len(areas) != 1:
        if not areas:
            raise InvalidArgumentError(
                "the comparison has no rows, so there is nothing to show (did a selection of "
                "indicators or a filter pick nothing?)"
            )
        raise InvalidArgumentError(
            f"a board table shows one local authority; these rows hold {len(areas)} "
            f"({', '.join(areas[:5])}). Filter the comparison first, or use compare()."
        )
    return str(areas[0])


def _source_notes(comparison: pl.DataFrame) -> tuple[str, ...]:
    periods = ", ".join(sorted(comparison.get_column("period").drop_nulls().unique().to_list()))
    models = sorted(comparison.get_column("sn_model").drop_nulls().unique().to_list())
    custom = [m for m in models if m.startswith("custom")]
    group = (
        f"DfE children's services statistical neighbour model {', '.join(models)}"
        if models and not custom
        else "a comparator group chosen by the user ("
        + "; ".join(m.removeprefix("custom ") for m in custom)
        + ")"
    )
    return (
        "Source: Department for Education, Local Authority Interactive Tool (LAIT) and "
        f"Explore Education Statistics; period(s) shown: {periods or MISSING}. "
        "Open Government Licence v3.0.",
        f"Statistical neighbours: {group}; simple average of the neighbours with a value. "
        "England and region values are for the period shown (for a local figure, the "
        "comparator period named).",
    )


def _number_columns(keys: Sequence[str]) -> dict[str, tuple[str, str]]:
    raw = {
        "la": "la_value",
        "sn_average": "sn_average_value",
        "england": "england_value",
        "region": "region_value",
        "change": "change_from_previous",
    }
    return {key: (raw[key], "decimals") for key in keys if key in raw}


def _table_id(*parts: str) -> str:
    return "lacompare-" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def _consecutive(earlier: str, later: str) -> bool:
    return int(later[:4]) - int(earlier[:4]) == 1
