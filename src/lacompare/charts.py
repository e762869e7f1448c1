"""Charts for board papers (Altair / Vega-Lite, rendered to PNG and SVG by vl-convert).

- :func:`trend_chart`: the LA against its region, its statistical neighbours' average and
  England over the years (LAIT's LA view);
- :func:`neighbour_chart`: the LA among its neighbours, sorted, with the SN average and England
  as reference lines;
- :func:`trend_charts`: a small multiple of trend charts for several indicators.

Why Altair: it is declarative (the chart is data + encodings, easy to test), works in notebooks,
and vl-convert renders PNG and SVG with no browser (a Rust binary inside a PyPI wheel). The
series keep the same colour, symbol and dash in every chart, colours come from the Analysis
Function's colour-blind-safe palette, and a missing year is a gap in the line, never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from lacompare.compare import Neighbours, compare, group_label, model_only, trend_data
from lacompare.errors import user_facing
from lacompare.format import format_value, unit_label
from lacompare.reference import ReferenceData

#: Analysis Function categorical palette (colour-blind safe): dark blue, turquoise, dark pink,
#: orange. The LA is always the dark blue, solid line with circles.
SERIES_STYLE: dict[str, tuple[str, str, list[int]]] = {
    "la": ("#12436D", "circle", []),
    "region": ("#28A197", "square", [6, 3]),
    "sn": ("#801650", "diamond", [2, 2]),
    "england": ("#F46A25", "triangle-up", [8, 3, 2, 3]),
}
SOURCE = "Source: DfE Local Authority Interactive Tool and Explore Education Statistics (OGL v3.0)"
WIDTH, HEIGHT = 520, 260


@user_facing
def trend_chart(
    ref: ReferenceData,
    la: str | int,
    indicator: str,
    periods: int = 8,
    *,
    neighbours: Neighbours = "2025",
) -> alt.LayerChart | alt.FacetChart:
    """The LA, its region, SN average and England over the last ``periods`` periods of one
    indicator. Points carry their values in tooltips and accessible labels; a year without a
    published value breaks the line."""
    data = trend_data(ref, la, [indicator], periods=periods, neighbours=neighbours)
    return _trend(data, group_label(neighbours))


@user_facing
def trend_charts(
    ref: ReferenceData,
    la: str | int,
    indicators: Sequence[str],
    periods: int = 8,
    *,
    neighbours: str = "2025",
    columns: int = 2,
) -> alt.VConcatChart:
    """A small multiple: one trend chart per indicator, ``columns`` across."""
    data = trend_data(ref, la, list(indicators), periods=periods, neighbours=neighbours)
    charts = [
        _trend(
            data.filter(pl.col("indicator_id") == indicator_id),
            group_label(neighbours),
            width=WIDTH * 2 // (columns + 1),
            height=HEIGHT * 3 // 4,
        )
        for indicator_id in data.get_column("indicator_id").unique(maintain_order=True)
    ]
    rows = [alt.hconcat(*charts[i : i + columns]) for i in range(0, len(charts), columns)]
    return alt.vconcat(*rows).properties(
        title=alt.TitleParams(
            SOURCE, anchor="start", orient="bottom", fontSize=10, fontWeight="normal"
        )
    )


def _trend(
    data: pl.DataFrame, group: str, *, width: int = WIDTH, height: int = HEIGHT
) -> alt.LayerChart | alt.FacetChart:
    first = data.row(0, named=True)
    name, unit = first["indicator_name"], first["unit"]
    la_name = data.filter(pl.col("series") == "la").get_column("series_name")[0]
    periods = data.sort("slot").get_column("period").unique(maintain_order=True).to_list()
    order = [
        data.filter(pl.col("series") == key).get_column("series_name")[0]
        for key in SERIES_STYLE
        if data.filter(pl.col("series") == key).height
    ]
    keys = [key for key in SERIES_STYLE if data.filter(pl.col("series") == key).height]
    shown = (
        data.with_columns(
            label=format_value(pl.col("value"), pl.col("unit"), pl.col("decimals")).fill_null(
                "no published value"
            )
        )
        .with_columns(
            # What a screen reader says for each point: "Derby, 2025: 88.0".
            description=pl.concat_str("series_name", pl.lit(", "), "period", pl.lit(": "), "label")
        )
        .select("period", "slot", "series_name", "value", "label", "status", "description")
        .to_dicts()
    )

    def series_scale(channel: type, style: int, **extra: object) -> object:
        """The series' colour, shape or dash: the same in every chart (SERIES_STYLE)."""
        scale = alt.Scale(domain=order, range=[SERIES_STYLE[k][style] for k in keys])
        return channel("series_name:N", sort=order, scale=scale, **extra)

    colour = series_scale(alt.Color, 0, title=None, legend=alt.Legend(orient="bottom", columns=4))
    x = alt.X("period:O", title=None, sort=periods, axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=_axis_title(unit), scale=alt.Scale(zero=False))
    # A null breaks the line (a gap): it is never drawn as zero nor bridged over.
    lines = (
        alt.Chart(alt.Data(values=shown))
        .mark_line(invalid="break-paths-filter-domains", strokeWidth=2.5)
        .encode(x=x, y=y, color=colour, strokeDash=series_scale(alt.StrokeDash, 2, legend=None))
    )
    points = (
        alt.Chart(alt.Data(values=shown))
        .transform_filter("datum.value != null")
        .mark_point(filled=True, size=60)
        .encode(
            x=x,
            y=y,
            color=colour,
            shape=series_scale(alt.Shape, 1, legend=None),
            tooltip=[
                alt.Tooltip("series_name:N", title="Series"),
                alt.Tooltip("period:O", title="Period"),
                alt.Tooltip("label:N", title="Value"),
            ],
            description=alt.Description("description:N"),
        )
    )
    return alt.layer(lines, points).properties(
        width=width,
        height=height,
        title=alt.TitleParams(
            text=name,
            subtitle=[
                f"{la_name} compared with its region, statistical neighbours "
                f"({group}) and England, {periods[0]} to {periods[-1]}",
                SOURCE,
            ],
            anchor="start",
        ),
    )


@user_facing
def neighbour_chart(
    ref: ReferenceData,
    la: str | int,
    indicator: str,
    *,
    period: int | str = "latest",
    neighbours: str = "2025",
) -> alt.LayerChart | alt.FacetChart:
    """The LA among its statistical neighbours for one period: bars sorted best first by
    polarity (highest first without one), the LA highlighted, the SN average and England as
    labelled reference lines. A neighbour with no published value is listed with no bar."""
    neighbours = model_only("neighbour_chart", neighbours)
    row = compare(
        ref,
        la,
        indicators=[indicator],
        period=period,  # type: ignore[arg-type]
        neighbours=neighbours,
    ).row(0, named=True)
    members = ref.neighbours_of(row["area_code"], neighbours)
    codes = [row["area_code"], *members.get_column("neighbour_code").to_list()]
    values = ref.observations.filter(
        pl.col("indicator_id") == row["indicator_id"],
        pl.col("period") == row["period"],
        pl.col("area_code").cast(pl.String).is_in(codes),
    ).select(
        area_code=pl.col("area_code").cast(pl.String),
        value="value",
        status=pl.col("status").cast(pl.String),
    )
    bars = (
        pl.DataFrame({"area_code": codes})
        .join(ref.areas.select("area_code", "name"), on="area_code")
        .join(values, on="area_code", how="left")
        .with_columns(
            selected=pl.col("area_code") == row["area_code"],
            label=format_value(pl.col("value"), pl.lit(row["unit"]), row["decimals"]).fill_null(
                "no published value"
            ),
        )
        .sort("value", descending=row["polarity"] != "low", nulls_last=True)
    )
    order = bars.get_column("name").to_list()
    base = alt.Chart(alt.Data(values=bars.to_dicts()))
    y = alt.Y("name:N", sort=order, title=None)
    chart = base.mark_bar().encode(
        x=alt.X("value:Q", title=_axis_title(row["unit"])),
        y=y,
        color=alt.condition(
            "datum.selected", alt.value(SERIES_STYLE["la"][0]), alt.value("#BFBFBF")
        ),
        tooltip=[alt.Tooltip("name:N", title="Area"), alt.Tooltip("label:N", title="Value")],
        description=alt.Description("label:N"),
    )
    text = base.mark_text(align="left", dx=4).encode(x=alt.X("value:Q"), y=y, text="label:N")
    references = [
        ("Statistical neighbour average", row["sn_average"], "sn"),
        ("England", row["england_value"], "england"),
    ]
    rules = []
    for (label, value, key), at in zip(references, ("top", "bottom"), strict=True):
        if value is None:
            continue
        shown = format_value(pl.lit(value), pl.lit(row["unit"]), row["decimals"])
        text_value = pl.select(shown).item()
        reference = alt.Chart(
            alt.Data(values=[{"value": value, "label": f"{label}: {text_value}"}])
        )
        rules.append(
            reference.mark_rule(
                color=SERIES_STYLE[key][0], strokeDash=SERIES_STYLE[key][2] or [1, 0], strokeWidth=2
            ).encode(x="value:Q", description=alt.Description("label:N"))
        )
        rules.append(
            reference.mark_text(
                align="left",
                dx=3,
                dy=-6 if at == "top" else 14,
                color=SERIES_STYLE[key][0],
                fontWeight="bold",
            ).encode(
                x="value:Q",
                y=alt.value(0) if at == "top" else alt.value(24 * len(order)),
                text="label:N",
            )
        )
    return alt.layer(chart, text, *rules).properties(
        width=WIDTH,
        height=24 * len(order),
        title=alt.TitleParams(
            text=f"{row['indicator_name']}, {row['period']}",
            subtitle=[
                f"{row['area_name']} and its statistical neighbours (model {neighbours}), "
                "best first"
                if row["polarity"] != "neutral"
                else f"{row['area_name']} and its statistical neighbours (model "
                f"{neighbours}), highest first",
                SOURCE,
            ],
            anchor="start",
        ),
    )


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
