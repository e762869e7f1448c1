"""Property tests of the engine's rules: ranks, R type-7 quartiles and bands."""

from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lacompare.compare.national import _quartile_band, _type7_quantile

values = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.0, 1.5, 23.0, 23.1]),  # repeats, to exercise ties
    min_size=1,
    max_size=60,
)


def r_type7(xs: list[float], p: float) -> float:
    """R quantile.default(type = 7), written out from its source."""
    x = sorted(xs)
    index = 1 + (len(x) - 1) * p
    lo, hi = math.floor(index), math.ceil(index)
    q = x[lo - 1]
    h = index - lo
    if index > lo and x[hi - 1] != q:
        q = (1 - h) * q + h * x[hi - 1]
    return q


def bands(xs: list[float], polarity: str) -> pl.DataFrame:
    frame = pl.DataFrame({"value": xs, "polarity": [polarity] * len(xs), "quartiles": True})
    cuts = frame.select(_sorted=pl.col("value").sort().implode(), _n=pl.len()).select(
        q1=_type7_quantile(0.25), median=_type7_quantile(0.5), q3=_type7_quantile(0.75)
    )
    return frame.join(cuts, how="cross").with_columns(band=_quartile_band())


@settings(max_examples=300, deadline=None)
@given(values)
def test_type7_matches_r(xs: list[float]) -> None:
    out = bands(xs, "low").row(0, named=True)
    assert out["q1"] == r_type7(xs, 0.25)
    assert out["median"] == r_type7(xs, 0.5)
    assert out["q3"] == r_type7(xs, 0.75)


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from(["low", "high"]))
def test_bands_are_monotone_in_value(xs: list[float], polarity: str) -> None:
    out = bands(xs, polarity).sort("value")
    order = "ABCD" if polarity == "low" else "DCBA"
    ranks = [order.index(b) for b in out.get_column("band")]
    assert ranks == sorted(ranks)  # never better for a worse value
    # Equal values always share a band.
    assert out.group_by("value").agg(pl.col("band").n_unique())["band"].max() == 1


def test_lait_band_vectors() -> None:
    # LAIT tests/testthat/test-fn_analysis.R with cut points {0, 25, 50, 75, 100}.
    frame = pl.DataFrame(
        {
            "value": [10.0, 30, 60, 80, 25, 50, 75, 100, 10, 80],
            "polarity": ["low"] * 8 + ["high"] * 2,
            "quartiles": True,
            "q1": 25.0,
            "median": 50.0,
            "q3": 75.0,
        }
    )
    got = frame.select(_quartile_band()).to_series().to_list()
    assert got == ["A", "B", "C", "D", "A", "B", "C", "D", "D", "A"]
    neutral = frame.with_columns(polarity=pl.lit("neutral")).select(_quartile_band())
    assert neutral.to_series().null_count() == frame.height
    no_quartile = frame.with_columns(quartiles=False).select(_quartile_band())
    assert no_quartile.to_series().null_count() == frame.height


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from(["low", "high"]))
def test_rank_is_polarity_consistent_permutation(xs: list[float], polarity: str) -> None:
    frame = pl.DataFrame({"value": xs})
    ranked = frame.with_columns(
        rank=pl.col("value").rank("min", descending=polarity == "high").cast(pl.Int32)
    )
    for value, rank in ranked.iter_rows():
        better = sum(1 for v in xs if (v > value if polarity == "high" else v < value))
        assert rank == better + 1  # R rank(ties.method = "min")
    # Without ties the ranks are exactly 1..n.
    if len(set(xs)) == len(xs):
        assert sorted(ranked["rank"]) == list(range(1, len(xs) + 1))
