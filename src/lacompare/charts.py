"""Charts for board papers (Vega-Lite, rendered to PNG and SVG by vl-convert).

- :func:`trend_chart`: the LA against its region, its statistical neighbours' average and
  England over the years (LAIT's LA view);
- :func:`neighbour_chart`: the LA among its neighbours, sorted, with the SN average and England
  as reference lines;
- :func:`trend_charts`: a small multiple of trend charts for several indicators.

Why Vega-Lite: it is declarative (the chart is data + encodings, easy to test), and vl-convert
renders PNG and SVG with no browser (a Rust binary inside a PyPI wheel). Each chart is built as
its Vega-Lite spec, a plain dict (``*_spec``): a paper sends those to be drawn and never loads
Altair, whose import alone costs a third of a second. The public functions give the same spec as
an Altair chart (:func:`_altair`), for notebooks and for saving. The series keep the same
colour, symbol and dash in every chart, colours come from the Analysis Function's
colour-blind-safe palette, and a missing year is a gap in the line, never a zero.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import polars as pl

from lacompare._cells import said_value
from lacompare._expr import fmt
from lacompare.compare import Neighbours, compare, group_label, group_members, trend_data
from lacompare.errors import InvalidArgumentError, user_facing, whole_number
from lacompare.format import format_value, unit_label
from lacompare.outcomes import outcome
from lacompare.periods import period_short, period_text, periods_phrase
from lacompare.reference import ReferenceData

if TYPE_CHECKING:
    import altair as alt

#: A Vega-Lite spec (JSON-ready dict).
Spec = dict[str, Any]

#: Analysis Function categorical palette (colour-blind safe): dark blue, turquoise, dark pink,
#: orange. The LA is always the dark blue, solid line with circles. Lines and marks are at
#: least 3:1 against white (WCAG 1.4.11); text drawn in a series' colour uses its darker
#: twin in :data:`TEXT_COLOURS` (at least 4.5:1).
SERIES_STYLE: dict[str, tuple[str, str, list[int]]] = {
    "la": ("#12436D", "circle", []),
    "region": ("#28A197", "square", [6, 3]),
    "sn": ("#801650", "diamond", [2, 2]),
    "england": ("#F46A25", "triangle-up", [8, 3, 2, 3]),
}
TEXT_COLOURS: dict[str, str] = {
    "la": "#12436D",
    "region": "#1F7A72",
    "sn": "#801650",
    "england": "#B3441A",
}
#: Text and marks that belong to no series (GOV.UK's text colour).
INK = "#0b0c0c"
#: Other authorities' bars: mid grey, 3.7:1 against white.
OTHER_LA = "#858585"
SOURCE = "Source: DfE Local Authority Interactive Tool and Explore Education Statistics (OGL v3.0)"
WIDTH, HEIGHT = 520, 260


# --------------------------------------------------------------------------------------------
# Vega-Lite specs, written as Altair writes them (so they draw alike, to the byte)

#: The schema a top-level spec names, and the view default it carries, as Altair 6 writes them.
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
_TYPES = {"N": "nominal", "Q": "quantitative", "O": "ordinal"}


def _field(shorthand: str, **props: Any) -> Spec:
    """An encoding of a field, from Altair's shorthand: ``"value:Q"``."""
    name, kind = shorthand.split(":")
    return {"field": name, "type": _TYPES[kind], **props}


def _layer_of(values: list[dict[str, Any]], mark: Spec, encoding: Spec, **extra: Any) -> Spec:
    """One layer: inline data, a mark (its type first) and the encodings."""
    return {"data": {"values": values}, "mark": mark, "encoding": encoding, **extra}


def _top_level(spec: Spec) -> Spec:
    """A whole chart: the spec with the schema and view default at its top."""
    view = {"continuousHeight": 300, "continuousWidth": 300}
    return {"$schema": VEGA_LITE_SCHEMA, "config": {"view": view}, **spec}


def _altair(spec: Spec) -> Any:
    """A spec as the Altair chart its top level is (a layer, concatenation or single view),
    for notebooks, ``save`` and anything else Altair does; not validated again."""
    import altair as alt

    kinds = (
        ("layer", alt.LayerChart),
        ("vconcat", alt.VConcatChart),
        ("hconcat", alt.HConcatChart),
        ("facet", alt.FacetChart),
    )
    for key, kind in kinds:
        if key in spec:
            return kind.from_dict(spec, validate=False)
    return alt.Chart.from_dict(spec, validate=False)


@user_facing
def trend_chart(
    ref: ReferenceData,
    la: str | int,
    indicator: str,
    periods: int = 8,
    *,
    neighbours: Neighbours = "2025",
    source: bool = True,
) -> alt.LayerChart:
    """The LA, its region, SN average and England over the last ``periods`` periods of one
    indicator. Points carry their values in tooltips and accessible labels; a year without a
    published value breaks the line; an axis that does not start at zero says so.
    ``source=False`` leaves out the source line (a board paper gives one per section)."""
    data = trend_data(ref, la, [indicator], periods=periods, neighbours=neighbours)
    return trend_chart_from_data(data, neighbours=neighbours, source=source)


def trend_chart_from_data(
    data: pl.DataFrame, *, neighbours: Neighbours = "2025", source: bool = True
) -> alt.LayerChart:
    """:func:`trend_chart` from one indicator's rows of
    :func:`lacompare.compare.trend_data` already computed (a paper computes its charts'
    trend data in one pass)."""
    return _altair(trend_spec_from_data(data, neighbours=neighbours, source=source))


def trend_spec_from_data(
    data: pl.DataFrame, *, neighbours: Neighbours = "2025", source: bool = True
) -> Spec:
    """The Vega-Lite spec of :func:`trend_chart_from_data` (a paper draws it as it is)."""
    return _top_level(_trend(data, group_label(neighbours), source=source))


@user_facing
def trend_charts(
    ref: ReferenceData,
    la: str | int,
    indicators: Sequence[str],
    periods: int = 8,
    *,
    neighbours: Neighbours = "2025",
    columns: int = 2,
) -> alt.VConcatChart:
    """A small multiple: one trend chart per indicator, ``columns`` across."""
    whole_number("columns", columns)
    data = trend_data(ref, la, list(indicators), periods=periods, neighbours=neighbours)
    charts = [
        _trend(
            data.filter(pl.col("indicator_id") == indicator_id),
            group_label(neighbours),
            width=WIDTH * 2 // (columns + 1),
            height=HEIGHT * 3 // 4,
            source=False,
        )
        for indicator_id in data.get_column("indicator_id").unique(maintain_order=True)
    ]
    rows = [{"hconcat": charts[i : i + columns]} for i in range(0, len(charts), columns)]
    title = {
        "text": SOURCE,
        "anchor": "start",
        "fontSize": 10,
        "fontWeight": "normal",
        "orient": "bottom",
    }
    return _altair(_top_level({"vconcat": rows, "title": title}))


def _trend(
    data: pl.DataFrame,
    group: str,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    source: bool = True,
) -> Spec:
    """One indicator's trend chart: a layer of lines and points (and the marks below)."""
    first = data.row(0, named=True)
    name, unit = first["indicator_label"], first["unit"]
    la_name = data.filter(pl.col("series") == "la").get_column("series_name")[0]
    data = data.with_columns(
        axis_label=period_short(pl.col("period"), pl.col("period_type"), pl.col("snapshot"))
    )
    periods = data.sort("slot").get_column("axis_label").unique(maintain_order=True).to_list()
    keys = [key for key in SERIES_STYLE if data.filter(pl.col("series") == key).height]
    order = [data.filter(pl.col("series") == key).get_column("series_name")[0] for key in keys]
    shown = _trend_points(data)

    def series_scale(style: int, **extra: Any) -> Spec:
        """The series' colour, shape or dash: the same in every chart (SERIES_STYLE)."""
        scale = {"domain": order, "range": [SERIES_STYLE[k][style] for k in keys]}
        return _field("series_name:N", sort=order, scale=scale, **extra)

    colour = series_scale(0, title=None, legend={"orient": "bottom", "columns": 4})
    x = _field("period:O", title=None, sort=periods, axis={"labelAngle": 0})
    low = data.get_column("value").min()
    truncated = low is not None and float(low) > 0  # type: ignore[arg-type]
    y = _field("value:Q", title=_axis_title(unit), scale={"zero": False})
    # A null breaks the line (a gap): it is never drawn as zero nor bridged over.
    lines = _layer_of(
        shown,
        {"type": "line", "invalid": "break-paths-filter-domains", "strokeWidth": 2.5},
        {"x": x, "y": y, "color": colour, "strokeDash": series_scale(2, legend=None)},
    )
    tooltip = [
        _field("series_name:N", title="Series"),
        _field("period:O", title="Period"),
        _field("label:N", title="Value"),
    ]
    points = _layer_of(
        shown,
        {"type": "point", "filled": True, "opacity": 1, "size": 60},
        {
            "x": x,
            "y": y,
            "color": colour,
            "shape": series_scale(1, legend=None),
            "tooltip": tooltip,
            "description": _field("description:N"),
        },
        transform=[{"filter": "datum.value != null"}],
    )
    layers = [lines, points]
    subtitle = [
        f"{la_name} compared with its region, statistical neighbours ({group}) and England, "
        f"{periods[0]} to {periods[-1]} ({periods_phrase(first['period_type'], first['snapshot'])})"
    ]
    if truncated:
        # The axis does not start at zero: say so, and mark the break at its foot.
        subtitle.append("The vertical axis does not start at zero (marked ≈ at its foot).")
        layers.append(_axis_break(height))
    own = [point for point in shown if point["status"] == "local" and point["value"] is not None]
    if own:
        layers += _own_figure_marks(own, x, y)
        when = ", ".join(sorted({str(point["period"]) for point in own}))
        subtitle.append(
            f"{when}: {la_name}'s own figure, not yet published by DfE (ringed, [L]); the "
            "others are not yet published for it."
        )
    if source:
        subtitle.append(SOURCE)
    return {
        "layer": layers,
        "height": height,
        "title": {"text": name, "anchor": "start", "subtitle": subtitle},
        "width": width,
    }


def _trend_points(data: pl.DataFrame) -> list[dict[str, Any]]:
    """Each point of a trend chart with its label and what a screen reader says for it."""
    return (
        data.with_columns(
            label=format_value(pl.col("value"), pl.col("unit"), pl.col("decimals")).fill_null(
                "no published value"
            )
        )
        .with_columns(
            # What a screen reader says for each point: "Derby, Mar 2025: 88".
            description=pl.concat_str(
                "series_name", pl.lit(", "), "axis_label", pl.lit(": "), "label"
            )
        )
        .select("axis_label", "slot", "series_name", "value", "label", "status", "description")
        .rename({"axis_label": "period"})
        .to_dicts()
    )


def _axis_break(height: int) -> Spec:
    """The ≈ at the foot of a vertical axis that does not start at zero."""
    mark = {
        "type": "text",
        "align": "center",
        "baseline": "middle",
        "fontSize": 14,
        "fontWeight": "bold",
    }
    return _layer_of(
        [{"mark": "≈"}],
        mark,
        {"x": {"value": 7}, "y": {"value": height - 1}, "text": _field("mark:N")},
    )


def _own_figure_marks(own: list[dict[str, Any]], x: Spec, y: Spec) -> list[Spec]:
    """The LA's own, unpublished figure: ringed and marked, never passed off as DfE's."""
    ink = {"value": INK}
    return [
        _layer_of(
            own,
            {"type": "point", "filled": False, "shape": "circle", "size": 260, "strokeWidth": 1.5},
            {"x": x, "y": y, "color": ink},
        ),
        _layer_of(
            own,
            {"type": "text", "dy": -15, "fontWeight": "bold"},
            {"x": x, "y": y, "text": {"value": "[L]"}, "color": ink},
        ),
    ]


def _group_words(neighbours: Neighbours) -> str:
    """ "statistical neighbours (model 2025)", "comparator group (5 authorities)"."""
    if isinstance(neighbours, str | int):
        return f"statistical neighbours (model {neighbours})"
    return f"comparator group ({len(list(neighbours))} authorities)"


@user_facing
def neighbour_chart(
    ref: ReferenceData,
    la: str | int,
    indicator: str,
    *,
    period: int | str = "latest",
    neighbours: Neighbours = "2025",
    source: bool = True,
) -> alt.LayerChart:
    """The LA among its statistical neighbours (a DfE model, or a custom comparator group)
    for one period: a bar each, sorted best first by polarity (highest first without one),
    the LA's bar dark blue, then the neighbours' average and England as bars of their own,
    each bar labelled with its value (at its end; inside a long bar where a percentage axis,
    which stops at 100, leaves no room). A neighbour with no published value is listed with
    no bar."""
    if isinstance(neighbours, int) and not isinstance(neighbours, bool):
        neighbours = str(neighbours)
    row = compare(
        ref,
        la,
        indicators=[indicator],
        period=period,  # type: ignore[arg-type]
        neighbours=neighbours,
    ).row(0, named=True)
    return neighbour_chart_from_row(ref, row, neighbours=neighbours, source=source)


def neighbour_chart_from_row(
    ref: ReferenceData,
    row: dict[str, Any],
    *,
    neighbours: Neighbours = "2025",
    source: bool = True,
) -> alt.LayerChart:
    """:func:`neighbour_chart` from the LA's comparison row already computed (a paper's rows
    come from one pass of the engine)."""
    return _altair(neighbour_spec_from_row(ref, row, neighbours=neighbours, source=source))


def neighbour_spec_from_row(
    ref: ReferenceData,
    row: dict[str, Any],
    *,
    neighbours: Neighbours = "2025",
    source: bool = True,
) -> Spec:
    """The Vega-Lite spec of :func:`neighbour_chart_from_row` (a paper draws it as it is)."""
    if isinstance(neighbours, int) and not isinstance(neighbours, bool):
        neighbours = str(neighbours)
    bars = _neighbour_bars(ref, row, neighbours)
    order = bars.get_column("name").to_list()
    colours = {"la": SERIES_STYLE["la"][0], "neighbour": OTHER_LA}
    colours |= {k: SERIES_STYLE[k][0] for k in ("sn", "england")}
    every_bar = bars.to_dicts()
    y = _field("name:N", sort=order, title=None)
    top = max((v for v in bars.get_column("value").to_list() if v is not None), default=1.0)
    # Room beyond the longest bar for its label; a percentage axis never passes 100, so a
    # label that would not fit beyond its bar goes inside it.
    end = min(top * 1.18, 100.0) if row["unit"] == "percent" else top * 1.18
    inside = end * 0.85
    bars = bars.with_columns(inside=pl.col("value").fill_null(0) > inside)
    x = _field("value:Q", title=_axis_title(row["unit"]), scale={"domain": [0, end], "nice": False})
    colour = _field(
        "kind:N",
        scale={"domain": list(colours), "range": list(colours.values())},
        legend=None,
    )
    tooltip = [_field("name:N", title="Area"), _field("label:N", title="Value")]
    chart = _layer_of(
        every_bar,
        {"type": "bar"},
        {
            "x": x,
            "y": y,
            "color": colour,
            "tooltip": tooltip,
            "description": _field("label:N"),
        },
    )
    text = _layer_of(
        bars.filter(~pl.col("inside")).to_dicts(),
        {"type": "text", "align": "left", "color": "#0b0c0c", "dx": 4},
        {"x": x, "y": y, "text": _field("label:N")},
    )
    within = bars.filter(pl.col("inside"))
    if within.height:
        # On the bar: white on the dark blue and plum, near-black on the grey and orange
        # (each at least 4.5:1).
        within = within.with_columns(
            ink=pl.when(pl.col("kind").is_in(["la", "sn"]))
            .then(pl.lit("#ffffff"))
            .otherwise(pl.lit("#0b0c0c"))
        )
        on_bar = _layer_of(
            within.to_dicts(),
            {"type": "text", "align": "right", "dx": -4, "fontWeight": "bold"},
            {"x": x, "y": y, "text": _field("label:N"), "color": _field("ink:N", scale=None)},
        )
        text = {"layer": [text, on_bar]}
    when = period_text(
        pl.lit(row["comparator_period"]), pl.lit(row["period_type"]), pl.lit(row["snapshot"])
    )
    subtitle = _neighbour_subtitle(row, neighbours, source)
    return _top_level(
        {
            "layer": [chart, text],
            "height": 22 * len(order),
            "title": {
                "text": f"{row['indicator_label']}, {pl.select(when).item()}",
                "anchor": "start",
                "subtitle": subtitle,
            },
            "width": WIDTH,
        }
    )


# --------------------------------------------------------------------------------------------
# Spine chart

#: Verdict -> (marker shape, colour, legend word): polarity-aware, so "better" is always to
#: the right; colour is never the only cue (shape and the text column say it too).
#: Keyed by :func:`lacompare.outcomes.outcome`, the classification Table 1 counts, so the
#: chart and its alt text count exactly as the paper's summary does.
SPINE_MARKERS: dict[str, tuple[str, str, str]] = {
    "better": ("triangle-right", "#12436D", "Better than England"),
    "similar": ("circle", "#505A5F", "Similar to England"),
    "worse": ("triangle-left", "#B3441A", "Worse than England"),
    "higher_or_lower": ("diamond", "#801650", "Higher or lower (no better direction)"),
    "not_tested": ("square", "#6F777B", "Not tested"),
    "small_number": ("triangle-down", "#6F777B", "Small number (not counted)"),
    "old_figure": ("cross", "#6F777B", "Older figure (not counted)"),
}
SPINE_RANGE = "#D9D9D9"  # the range of all authorities (a background, not a data mark)
SPINE_MIDDLE = "#8D9AA1"  # the middle half (Q1 to Q3)


def _neighbour_bars(
    ref: ReferenceData, row: dict[str, Any], neighbours: Neighbours
) -> pl.DataFrame:
    """A bar each for the LA (its own figure, marked [L], where it has one) and its
    neighbours, best first by polarity, then the neighbours' average and England (not for a
    count), each with its value as the chart labels it."""
    members = group_members(ref, row["area_code"], neighbours)
    codes = [row["area_code"], *members.get_column("neighbour_code").to_list()]
    values = ref.observations.filter(
        pl.col("indicator_id") == row["indicator_id"],
        pl.col("period") == row["comparator_period"],
        pl.col("area_code").cast(pl.String).is_in(codes),
    ).select(
        area_code=pl.col("area_code").cast(pl.String),
        value="value",
        status=pl.col("status").cast(pl.String),
    )
    people = (
        pl.DataFrame({"area_code": codes})
        .join(ref.areas.select("area_code", "name"), on="area_code")
        .join(values, on="area_code", how="left")
        .with_columns(
            kind=pl.when(pl.col("area_code") == row["area_code"])
            .then(pl.lit("la"))
            .otherwise(pl.lit("neighbour"))
        )
    )
    if row["la_local"]:  # the LA's own figure, against its neighbours' published ones
        own_period = pl.select(
            period_text(pl.lit(row["period"]), pl.lit(row["period_type"]), pl.lit(row["snapshot"]))
        ).item()
        people = people.with_columns(
            value=pl.when(pl.col("kind") == "la").then(row["la_value"]).otherwise("value"),
            name=pl.when(pl.col("kind") == "la")
            .then(fmt("{}, {} [L]", "name", pl.lit(own_period)))
            .otherwise("name"),
        )
    people = people.sort("value", descending=row["polarity"] != "low", nulls_last=True)
    benchmarks = pl.DataFrame(
        {
            "name": ["Neighbours' average", "England"],
            "value": [row["sn_average"], row["england_value"]],
            "kind": ["sn", "england"],
        },
        schema={"name": pl.String, "value": pl.Float64, "kind": pl.String},
    )
    if row["unit"] == "count":  # a count is never set beside England's total
        benchmarks = benchmarks.filter(pl.col("kind") != "england")
    bars = pl.concat([people.select("name", "value", "kind"), benchmarks]).with_columns(
        label=format_value(pl.col("value"), pl.lit(row["unit"]), row["decimals"]).fill_null(
            "no published value"
        ),
    )
    return bars


def _neighbour_subtitle(row: dict[str, Any], neighbours: Neighbours, source: bool) -> list[str]:
    """What the neighbour chart shows, in order, whose figures, and the source."""
    subtitle = [
        f"{row['area_name']} and its {_group_words(neighbours)}, "
        + ("best first" if row["polarity"] != "neutral" else "highest first")
        + (
            ", then the neighbours' average"
            if row["unit"] == "count"
            else ", then the neighbours' average and England"
        )
    ]
    if row["la_local"]:
        subtitle.append(
            f"{row['area_name']}'s bar is its own figure, not yet published by DfE ([L]); the "
            "others are the latest published."
        )
    if source:
        subtitle.append(SOURCE)
    return subtitle


def spine_frame(comparison: pl.DataFrame) -> pl.DataFrame:
    """One row per indicator the spine chart can place: the range of all LAs, the middle half
    and the LA's value, each on a scale where England is 0.5 and the authority furthest from
    England is at 0 or 1, flipped for low polarity so better is always to the right."""
    england = pl.coalesce("england_exact_value", "england_value")
    reach = pl.max_horizontal(
        (pl.col("national_max") - england).abs(), (england - pl.col("national_min")).abs()
    )
    sign = pl.when(pl.col("polarity") == "low").then(-1.0).otherwise(1.0)

    def place(value: pl.Expr) -> pl.Expr:
        return 0.5 + sign * (value - england) / (2 * reach)

    unit, decimals = pl.col("unit"), pl.col("decimals")
    placed = comparison.filter(
        # England's value is an average of authorities only for these (a count is a total).
        ~pl.col("unit").is_in(["count", "fte", "currency"]),
        pl.col("la_value").is_not_null(),
        pl.col("national_min").is_not_null(),
        england.is_not_null(),
        pl.col("england_flag").is_null(),
        reach > 0,
    ).with_columns(
        low=place(pl.col("national_min")),
        high=place(pl.col("national_max")),
        q_low=place(pl.col("q1")),
        q_high=place(pl.col("q3")),
        la=place(pl.col("la_value")),
        verdict=outcome(),
        # An own figure carries [L] here as in every table and sentence.
        la_text=said_value()
        if "la_local" in comparison.columns
        else format_value(pl.col("la_value"), unit, decimals),
        england_text=format_value(pl.col("england_value"), unit, decimals),
        label=pl.col("indicator_label"),
    )
    return placed.with_columns(
        # Low polarity flips the scale: each band's ends in left-to-right order.
        start=pl.min_horizontal("low", "high"),
        end=pl.max_horizontal("low", "high"),
        q_start=pl.min_horizontal("q_low", "q_high"),
        q_end=pl.max_horizontal("q_low", "q_high"),
    ).select(
        "indicator_id",
        "label",
        "start",
        "end",
        "q_start",
        "q_end",
        "la",
        "verdict",
        "la_text",
        "england_text",
        "small_number",
        own=pl.col("la_local").fill_null(False) if "la_local" in comparison.columns else False,
    )


def spine_counts(placed: pl.DataFrame) -> dict[str, int]:
    """How many of the spine chart's indicators (:func:`spine_frame`) sit in each band
    ("Better than England", ...), for its alt text, in the legend's order."""
    words = [SPINE_MARKERS[verdict][2] for verdict in placed.get_column("verdict").to_list()]
    return {word: words.count(word) for word in _spine_legend() if word in words}


def _spine_legend() -> list[str]:
    """The marker words, once each, in :data:`SPINE_MARKERS` order."""
    return list(dict.fromkeys(word for _, _, word in SPINE_MARKERS.values()))


@user_facing
def spine_chart(
    comparison: pl.DataFrame, *, title: str | None = None, font: float = 12.0
) -> alt.LayerChart:
    """Fingertips' spine chart of one LA's comparison: for each indicator, the range of all
    local authorities (light grey, lowest to highest) with the middle half shaded darker,
    England as the centre line, and the LA's value as a marker whose shape and colour say
    better, similar, worse or not tested against England; the LA's and England's values in
    text beside it. Polarity-aware: better is always to the right. Indicators with no figure,
    or no range of authorities to place them in, are left out (the caption should say so).
    ``font``: the text size in CSS pixels (labels wrap onto two lines rather than being cut).
    """
    return _altair(spine_spec(comparison, title=title, font=font))


def spine_spec(
    comparison: pl.DataFrame,
    *,
    title: str | None = None,
    font: float = 12.0,
    placed: pl.DataFrame | None = None,
) -> Spec:
    """The Vega-Lite spec of :func:`spine_chart` (a paper draws it as it is); ``placed``: the
    comparison's :func:`spine_frame`, where the caller has it already."""
    import textwrap

    frame = spine_frame(comparison) if placed is None else placed
    if frame.height == 0:
        raise InvalidArgumentError(
            "spine_chart: none of these rows has a figure with a range of authorities to place "
            "it in (rates, percentages and scores with national figures)"
        )
    la = comparison.get_column("area_name").unique().to_list()
    name = la[0] if len(la) == 1 else "the authority"
    rows = frame.to_dicts()
    # Long labels wrap onto two lines at most ("|" marks the break), never cut short.
    chars = max(SPINE_LABEL_CHARS, -(-max(len(r["label"]) for r in rows) // 2) + 3)
    for row in rows:
        row["marker"] = SPINE_MARKERS[row["verdict"]][2]
        row["label"] = "|".join(textwrap.wrap(row["label"], chars))
    lines = max(r["label"].count("|") + 1 for r in rows)
    row_height = round(font * 1.1 * lines + font * 0.4)
    bar = round(font * 0.9)
    order = [r["label"] for r in rows]
    axis = {"labelExpr": "split(datum.label, '|')", "labelFontSize": font, "labelLimit": 0}
    y = _field("label:N", sort=order, title=None, axis=axis)
    x_scale = {"domain": [0, 1], "nice": False}
    whole = _layer_of(
        rows,
        {"type": "bar", "color": SPINE_RANGE, "height": bar},
        {"x": _field("start:Q", scale=x_scale, axis=None), "x2": {"field": "end"}, "y": y},
    )
    middle = _layer_of(
        rows,
        {"type": "bar", "color": SPINE_MIDDLE, "height": bar},
        {"x": _field("q_start:Q"), "x2": {"field": "q_end"}, "y": y},
    )
    england = _layer_of(
        [{"x": 0.5}],
        {"type": "rule", "color": "#0b0c0c", "strokeWidth": 2},
        {"x": _field("x:Q", scale=x_scale)},
    )
    points = _spine_markers(rows, y, font, name)
    texts = _spine_texts(rows, y, font, name, row_height * len(rows))
    spec: Spec = {
        "layer": [whole, middle, england, points, *texts],
        "height": row_height * len(rows),
        "width": SPINE_WIDTH,
    }
    if title != "":  # "": a paper's caption and opening paragraph say it instead
        spec["title"] = {
            "text": title or f"{name}: where each indicator sits among all local authorities",
            "anchor": "start",
            "subtitle": [
                "Grey bar: lowest to highest authority; darker: the middle half; line: England. "
                "Better is to the right.",
            ],
        }
    return _top_level(spec)


SPINE_WIDTH = 240
#: Characters per line of a spine chart's indicator labels (longer ones wrap).
SPINE_LABEL_CHARS = 40


def _spine_markers(rows: list[dict[str, Any]], y: Spec, font: float, name: str) -> Spec:
    """The LA's marker on each spine: shape and colour both say better, similar, worse or
    not tested (never colour alone)."""
    markers = sorted(
        {v[2] for v in SPINE_MARKERS.values()},
        key=list(dict.fromkeys(v[2] for v in SPINE_MARKERS.values())).index,
    )
    shapes = {v[2]: v[0] for v in SPINE_MARKERS.values()}
    colours = {v[2]: v[1] for v in SPINE_MARKERS.values()}
    legend = {"columns": 2, "orient": "bottom", "title": None}
    return _layer_of(
        rows,
        {
            "type": "point",
            "filled": True,
            "size": 90 * (font / 10) ** 2,
            "stroke": "#ffffff",
            "strokeWidth": 0.8,
        },
        {
            "x": _field("la:Q"),
            "y": y,
            "shape": _field(
                "marker:N",
                scale={"domain": markers, "range": [shapes[m] for m in markers]},
                legend=legend,
            ),
            "color": _field(
                "marker:N",
                scale={"domain": markers, "range": [colours[m] for m in markers]},
                legend=dict(legend),
            ),
            "description": _field("marker:N"),
            "tooltip": [
                _field("label:N", title="Indicator"),
                _field("la_text:N", title=name),
                _field("england_text:N", title="England"),
                _field("marker:N", title="Compared with England"),
            ],
        },
    )


def _spine_texts(
    rows: list[dict[str, Any]], y: Spec, font: float, name: str, height: float
) -> list[Spec]:
    """The LA's and England's values in two columns with their headers, and which way is
    better under the bars."""
    # The two value columns, as wide as their longest text ("12,345.6" or the LA's name).
    first, second = SPINE_WIDTH + font, SPINE_WIDTH + font * 6.5
    column = {"type": "text", "align": "left", "color": "#0b0c0c", "fontSize": font}
    values = _layer_of(
        rows, dict(column), {"x": {"value": first}, "y": y, "text": _field("la_text:N")}
    )
    englands = _layer_of(
        rows, dict(column), {"x": {"value": second}, "y": y, "text": _field("england_text:N")}
    )
    headers = _layer_of(
        [{"x": first, "text": name[:12]}, {"x": second, "text": "England"}],
        {
            "type": "text",
            "align": "left",
            "baseline": "bottom",
            "dy": -4,
            "fontSize": font,
            "fontWeight": "bold",
        },
        {"x": _field("x:Q", scale=None), "y": {"value": 0}, "text": _field("text:N")},
    )
    # Which way is better, under the bars (never over a label).
    ends = [
        _layer_of(
            [{"text": text}],
            {
                "type": "text",
                "align": align,
                "baseline": "top",
                "dy": 4,
                "fontSize": font,
                "fontWeight": "bold",
            },
            {"x": {"value": x}, "y": {"value": height}, "text": _field("text:N")},
        )
        for text, x, align in (("◄ worse", 0, "left"), ("better ►", SPINE_WIDTH, "right"))
    ]
    return [values, englands, headers, *ends]


def _axis_title(unit: str) -> str:
    label = pl.select(unit_label(pl.lit(unit))).item()
    return {"%": "Per cent", "per 10,000": "Rate per 10,000 children"}.get(
        label, label.capitalize()
    )


def chart_to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG text (vl-convert; no browser)."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(chart.to_json()))


def chart_to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes (vl-convert; no browser)."""
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(chart.to_json(), scale=scale))


# --------------------------------------------------------------------------------------------
# Print: every chart's smallest text at least 9 pt where the paper places it

#: The smallest text a printed board paper carries, in points (board packs are printed).
PRINT_MIN_PT = 9.0
#: Every font size a Vega-Lite spec can hold.
_FONT_KEYS = ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize")


def legible(chart: Spec, font_px: float) -> Spec:
    """The chart's Vega-Lite spec (a copy: the chart is left as it was) with no text smaller
    than ``font_px`` CSS pixels: every font size in it raised to at least that, and the
    defaults (axes, legends, titles, text marks) set to it, so nothing is left at Vega's
    10 px."""

    def raise_fonts(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _FONT_KEYS and isinstance(value, int | float) and value < font_px:
                    node[key] = font_px
                else:
                    raise_fonts(value)
        elif isinstance(node, list):
            for item in node:
                raise_fonts(item)

    spec = copy.deepcopy(chart)
    raise_fonts(spec)
    _wrap_titles(spec, font_px)
    config = spec.setdefault("config", {})
    # Axis labels that would collide at the larger size are thinned, never overprinted.
    config.setdefault("axisX", {}).update({"labelOverlap": True})
    for part, sizes in {
        "axis": {"labelFontSize": font_px, "titleFontSize": font_px},
        "legend": {"labelFontSize": font_px, "titleFontSize": font_px, "labelLimit": 0},
        "title": {"fontSize": font_px * 1.25, "subtitleFontSize": font_px},
        "text": {"fontSize": font_px},
    }.items():
        config.setdefault(part, {}).update(sizes)
    return spec


def _wrap_titles(spec: dict, font_px: float) -> None:
    """Title and subtitle lines wrapped to the plot's width (at about 0.55 em a character),
    so larger text makes a chart taller, not wider."""
    import textwrap

    given = spec.get("width")
    width = float(given) if isinstance(given, int | float) else float(WIDTH)
    chars = max(30, int(width / (font_px * 0.55)))
    title = spec.get("title")
    if not isinstance(title, dict):
        return
    for key, size in (("text", font_px * 1.25), ("subtitle", font_px)):
        lines = title.get(key)
        if lines is None:
            continue
        lines = [lines] if isinstance(lines, str) else list(lines)
        per_line = max(24, int(chars * font_px / size))
        title[key] = [part for line in lines for part in textwrap.wrap(line, per_line) or [""]]


class PrintDrawing:
    """A chart being drawn for print at ``placed_pt`` points wide (by the worker process of
    :mod:`lacompare._render`, while the caller goes on); :meth:`result` waits for it.
    ``build(font_px)`` makes the chart's spec for a font size; the font grows until the smallest
    text, scaled to the placed width, is at least :data:`PRINT_MIN_PT` (larger text widens a
    chart, so this takes a step or two)."""

    def __init__(self, build: Callable[[float], Spec], placed_pt: float) -> None:
        self._build, self._placed_pt = build, placed_pt
        self._font = 12.0
        self._png = self._draw()
        self._result: tuple[bytes, float] | None = None

    def _draw(self) -> Future[bytes]:
        import json

        from lacompare import _render

        spec = json.dumps(legible(self._build(self._font), self._font))
        return _render.png_later(spec, scale=2)

    def result(self) -> tuple[bytes, float]:
        """(PNG at twice its CSS pixels, the smallest font in CSS pixels), kept once known."""
        import math
        import struct

        from lacompare import _render

        if self._result is not None:
            return self._result
        for _ in range(6):
            png = _render.wait_for(self._png)
            css_width = struct.unpack(">I", png[16:20])[0] / 2
            if self._font * self._placed_pt / css_width >= PRINT_MIN_PT:
                self._result = (png, self._font)
                return self._result
            self._font = math.ceil(PRINT_MIN_PT * css_width / self._placed_pt * 10) / 10 + 0.3
            self._png = self._draw()
        raise InvalidArgumentError(
            f"the chart cannot be drawn with {PRINT_MIN_PT:g} pt text in {self._placed_pt:.0f} pt"
        )
