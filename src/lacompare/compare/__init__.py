"""The comparison engine: every local authority against England, its region and its statistical
neighbours, for every indicator at once.

One vectorised pipeline (:func:`compare_all`) computes all LAs; :func:`compare` is the same
pipeline filtered to one LA. The rules are LAIT's (``R/fn_analysis.R``,
``R/lait_modules/mod_la_lvl_table.R`` in dfe-analytical-services/local-authority-interactive-tool):

- **SN average**: mean of the neighbours that have a value for the period (unweighted), with
  R's two-pass mean so it matches LAIT to the last bit in practice;
- **national rank**: among local authorities with a value for the period, polarity-aware (1 is
  best), ties take the lowest rank (R ``rank(ties.method = "min")``); no rank without polarity;
- **quartile band**: cut points are R's default ``quantile()`` (type 7) of all LAs' values for the
  period; A = best quarter for the polarity (low polarity: A = [Q0, Q25], B = (Q25, Q50], ...);
  none for neutral polarity or measures LAIT marks No_Quartile;
- **change from previous**: the LA's value minus its value for the period one year earlier
  (only between consecutive years);
- **region**: the LA's region; for London boroughs LAIT compares with Inner or Outer London,
  falling back to London where that has no value.

Significance against England and the SN average follows Fingertips (see :mod:`lacompare.stats`).

The engine is one lazy polars query assembled in :func:`~lacompare.compare.engine._compare`
from stage functions over LazyFrames, each keyed by the observations' Enum codes (never cast to
text until the rows are written out), one module a stage:

- :mod:`~lacompare.compare.arguments`: what was asked (indicators, period, neighbour model or
  comparator group) checked, and the LAs and groups it covers;
- :mod:`~lacompare.compare.chosen`: which period each LA shows, its previous and comparator
  periods;
- :mod:`~lacompare.compare.national`: ranks and quartile bands, England's, the region's and
  the LA's own values;
- :mod:`~lacompare.compare.neighbours`: the SN average and the pooled neighbour group;
- :mod:`~lacompare.compare.significance`: intervals, both levels of verdict, overdispersion;
- :mod:`~lacompare.compare.history`: sparkline series, change and gaps in children;
- :mod:`~lacompare.compare.trends`: trend data for charts and trend tables;
- :mod:`~lacompare.compare.keys`: what the stages share; the largest joins run on one integer
  per (area, indicator, period) row (:func:`~lacompare.compare.keys.row_key`).
"""

from lacompare.compare.arguments import (
    comparator_codes,
    group_label,
    group_members,
    model_only,
    select_indicators,
)
from lacompare.compare.engine import COMPARISON_COLUMNS, compare, compare_all
from lacompare.compare.history import GAP_MIN_CHILDREN
from lacompare.compare.keys import ENGINE, ENGLAND, Neighbours, Period
from lacompare.compare.significance import SMALL_DENOMINATOR, SMALL_EVENTS
from lacompare.compare.trends import trend_data

__all__ = [
    "COMPARISON_COLUMNS",
    "ENGINE",
    "ENGLAND",
    "GAP_MIN_CHILDREN",
    "SMALL_DENOMINATOR",
    "SMALL_EVENTS",
    "Neighbours",
    "Period",
    "comparator_codes",
    "compare",
    "compare_all",
    "group_label",
    "group_members",
    "model_only",
    "select_indicators",
    "trend_data",
]
