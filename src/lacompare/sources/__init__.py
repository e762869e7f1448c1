"""Readers for the published sources, turning them into lacompare's four frames.

- LAIT's long table (``bds_long_0.parquet``) and data dictionary -> observations, indicators;
- DfE's statistical-neighbour workbooks (``sn_*.xlsx``) -> neighbours;
- DfE Explore Education Statistics (EES) open-data CSVs -> area codes, and the numerators and
  denominators behind published rates and percentages (needed for confidence intervals);
- LAIT's ``la_code_list.xlsx`` -> LA types;
- Ofsted's inspection outcomes workbook (``.ods``) -> each LA's latest judgements.

:func:`build_reference` runs them all over a directory laid out like ``shared/data``
(``lait/`` and ``ees/``); ``scripts/build_reference_data.py`` writes the result to
``reference_data/``. Nothing here drops a row silently: a value that is not a number is either a
known symbol (kept as null with a status) or an error naming the file, row and column.
"""

from __future__ import annotations

from lacompare.sources._common import (
    _read_csv_text,
    _read_header,
    check_values,
    parse_values,
    published_decimals,
)
from lacompare.sources.areas import build_areas, read_ees_area_codes, read_la_types
from lacompare.sources.build import BuiltReference, build_reference
from lacompare.sources.counts import COUNT_SPECS, CountSpec, EesCount, LaitCount, attach_counts
from lacompare.sources.ees import (
    EES_STANDARD_COLUMNS,
    ees_observations,
    ees_period_label,
    read_ees,
)
from lacompare.sources.lait import (
    as_observations,
    indicator_slug,
    read_lait_dictionary,
    read_lait_long,
    unit_from_labels,
)
from lacompare.sources.neighbours import read_sn_workbook
from lacompare.sources.ofsted import OFSTED_FILE, OFSTED_SHEET, read_ofsted_judgements
from lacompare.vocab import SYMBOL_STATUS

__all__ = [
    "COUNT_SPECS",
    "EES_STANDARD_COLUMNS",
    "OFSTED_FILE",
    "OFSTED_SHEET",
    "SYMBOL_STATUS",
    "BuiltReference",
    "CountSpec",
    "EesCount",
    "LaitCount",
    "_read_csv_text",
    "_read_header",
    "as_observations",
    "attach_counts",
    "build_areas",
    "build_reference",
    "check_values",
    "ees_observations",
    "ees_period_label",
    "indicator_slug",
    "parse_values",
    "published_decimals",
    "read_ees",
    "read_ees_area_codes",
    "read_la_types",
    "read_lait_dictionary",
    "read_lait_long",
    "read_ofsted_judgements",
    "read_sn_workbook",
    "unit_from_labels",
]
