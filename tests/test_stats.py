"""Confidence intervals and the Fingertips comparison.

Expected values: R 4.2 (Debian r-base-core) evaluating the formulas of PHEindicatormethods
v2.1.0 R/utils.R (wilson_lower/upper, byars_lower/upper) and phe_rate's exact limits
(qchisq((1-conf)/2, 2x)/2, qchisq(conf+(1-conf)/2, 2x+2)/2), with R's own qnorm and qchisq,
for the inputs of PHEindicatormethods' tests/testthat/testByars.R (65, 1045, 1; 10 at 99.8%).
The exact limits for 0 and 1 events (3.6889; 0.0253 to 5.5716) are the classical Garwood
values printed in every table of Poisson confidence limits.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lacompare import stats

BYARS = [  # confidence, x, lower, upper
    (0.95, 65, 50.1631877104595, 82.8491385459398),
    (0.95, 1045, 982.593201807333, 1110.33121298565),
    (0.95, 1, 0.0130721329015044, 5.56375558247526),
    (0.95, 10, 4.78744991396756, 18.3914586057565),
    (0.998, 65, 42.8802614714802, 94.000290844318),
    (0.998, 1045, 947.940703561037, 1148.80616098803),
    (0.998, 10, 2.91631837469569, 24.1937249278805),
]
EXACT = [
    (0.95, 0, 0.0, 3.68887945411394),
    (0.95, 1, 0.0253178079842899, 5.5716433909389),
    (0.95, 5, 1.62348639011842, 11.6683320793227),
    (0.95, 9, 4.11537309737833, 17.0848034514192),
    (0.998, 0, 0.0, 6.90775527898214),
    (0.998, 1, 0.00100050033358353, 9.23341347645158),
    (0.998, 5, 0.739371731917833, 16.4547452036801),
    (0.998, 9, 2.45242440436378, 22.6573733090629),
]
WILSON = [  # confidence, x, n, lower, upper (0-1 scale)
    (0.95, 65, 100, 0.55254443296888, 0.736357517569025),
    (0.95, 0, 100, 0.0, 0.0369934982069857),
    (0.95, 100, 100, 0.963006501793014, 1.0),
    (0.95, 823, 3557, 0.217810327672166, 0.245518769649426),
    (0.95, 125, 237, 0.463935297092297, 0.590042120515352),
    (0.95, 1, 3, 0.0614919447203963, 0.792340399197952),
    (0.998, 65, 100, 0.495494657407045, 0.778354061408968),
    (0.998, 0, 100, 0.0, 0.0871709372799556),
    (0.998, 823, 3557, 0.210260770522372, 0.253927240644092),
    (0.998, 1, 3, 0.0298279281988914, 0.890487848940556),
]


def evaluate(expr: pl.Expr, **columns: list[float]) -> list[float | None]:
    return pl.DataFrame(columns).select(expr.alias("out")).get_column("out").to_list()


def test_z_values() -> None:
    assert stats.z_value(0.95) == pytest.approx(1.959963984540054, abs=1e-12)
    assert stats.z_value(99.8) == pytest.approx(3.090232306167813, abs=1e-12)
    with pytest.raises(ValueError, match="between 90 and 100"):
        stats.z_value(0.7)


@pytest.mark.parametrize(("confidence", "x", "lower", "upper"), BYARS)
def test_byars(confidence, x, lower, upper) -> None:
    x_col = pl.col("x")
    (got_lower,) = evaluate(stats.byars_lower(x_col, confidence), x=[float(x)])
    (got_upper,) = evaluate(stats.byars_upper(x_col, confidence), x=[float(x)])
    assert round(got_lower, 4) == round(lower, 4)
    assert round(got_upper, 4) == round(upper, 4)


def test_byars_lower_negative_is_null() -> None:
    # R gives -0.0028 for x = 1 at 99.8%; PHEindicatormethods sets it to NA.
    assert evaluate(stats.byars_lower(pl.col("x"), 0.998), x=[1.0, 0.0]) == [None, None]


@pytest.mark.parametrize(("confidence", "x", "lower", "upper"), EXACT)
def test_exact_poisson(confidence, x, lower, upper) -> None:
    (got_lower,) = evaluate(stats.exact_poisson_lower(pl.col("x"), confidence), x=[float(x)])
    (got_upper,) = evaluate(stats.exact_poisson_upper(pl.col("x"), confidence), x=[float(x)])
    assert got_lower == pytest.approx(lower, abs=5e-10)
    assert got_upper == pytest.approx(upper, abs=5e-10)


@pytest.mark.parametrize(("confidence", "x", "n", "lower", "upper"), WILSON)
def test_wilson(confidence, x, n, lower, upper) -> None:
    got_lower, got_upper = (
        evaluate(f(pl.col("x"), pl.col("n"), confidence), x=[float(x)], n=[float(n)])[0]
        for f in (stats.wilson_lower, stats.wilson_upper)
    )
    assert round(got_lower, 4 + 2) == round(lower, 4 + 2)  # 4 dp of a percentage
    assert round(got_upper, 4 + 2) == round(upper, 4 + 2)


def test_rate_switches_to_byars_at_ten() -> None:
    lower, upper = stats.rate_ci(pl.col("x"), pl.col("n"), 0.95, 100_000)
    frame = pl.DataFrame({"x": [9.0, 10.0], "n": [100_000.0, 100_000.0]})
    out = frame.select(lo=lower, hi=upper, method=stats.rate_ci_method(pl.col("x")))
    assert out.get_column("method").to_list() == ["Exact", "Byars"]
    assert out.get_column("lo").to_list() == pytest.approx([4.11537309737833, 4.78744991396756])


@pytest.mark.parametrize(
    ("value", "lower", "upper", "benchmark", "polarity", "verdict"),
    [
        (30, 25, 35, 35, "high", "similar"),  # benchmark on the limit: inclusive
        (30, 25, 35, 25, "low", "similar"),
        (30, 25, 35, 20, "high", "better"),
        (30, 25, 35, 20, "low", "worse"),
        (30, 25, 35, 40, "high", "worse"),
        (30, 25, 35, 40, "low", "better"),
        (30, 25, 35, 40, "neutral", "lower"),
        (30, 25, 35, 20, "neutral", "higher"),
        (30, None, None, 20, "high", "not compared"),
        (30, 25, 35, None, "high", "not compared"),
    ],
)
def test_fingertips_comparison(value, lower, upper, benchmark, polarity, verdict) -> None:
    frame = pl.DataFrame(
        {"v": [value], "lo": [lower], "hi": [upper], "b": [benchmark], "p": [polarity]},
        schema={
            "v": pl.Float64,
            "lo": pl.Float64,
            "hi": pl.Float64,
            "b": pl.Float64,
            "p": pl.String,
        },
    )
    out = frame.select(
        stats.compare_with_benchmark(
            pl.col("v"), pl.col("lo"), pl.col("hi"), pl.col("b"), pl.col("p")
        )
    ).item()
    assert out == verdict


@settings(max_examples=200, deadline=None)
@given(
    x=st.integers(min_value=0, max_value=5_000),
    n=st.integers(min_value=1, max_value=50_000),
    confidence=st.sampled_from([0.95, 0.998]),
)
def test_intervals_contain_the_estimate(x: int, n: int, confidence: float) -> None:
    x = min(x, n)
    frame = pl.DataFrame({"x": [float(x)], "n": [float(n)]})
    p_lo, p_hi = stats.proportion_ci(pl.col("x"), pl.col("n"), confidence, 100)
    r_lo, r_hi = stats.rate_ci(pl.col("x"), pl.col("n"), confidence, 10_000)
    out = frame.select(p_lo=p_lo, p_hi=p_hi, r_lo=r_lo, r_hi=r_hi).row(0, named=True)
    share, rate = x / n * 100, x / n * 10_000
    assert out["p_lo"] - 1e-9 <= share <= out["p_hi"] + 1e-9
    assert 0 <= out["p_lo"] and out["p_hi"] <= 100 + 1e-9
    assert (out["r_lo"] or 0) - 1e-9 <= rate <= out["r_hi"] + 1e-9


@settings(max_examples=100, deadline=None)
@given(
    share=st.floats(min_value=0.01, max_value=0.99), n=st.integers(min_value=20, max_value=5_000)
)
def test_intervals_narrow_as_the_denominator_grows(share: float, n: int) -> None:
    # The same proportion (and rate) from four times the denominator gives a narrower interval.
    frame = pl.DataFrame({"x": [share * n, share * 4 * n], "n": [float(n), 4.0 * n]})
    p_lo, p_hi = stats.proportion_ci(pl.col("x"), pl.col("n"))
    r_lo, r_hi = stats.rate_ci(pl.col("x"), pl.col("n"), multiplier=100)
    widths = frame.select(p=p_hi - p_lo, r=r_hi - r_lo)
    assert widths["p"][1] < widths["p"][0]
    assert widths["r"][1] < widths["r"][0]
