"""lacompare: benchmark an English local authority's children's services against England, its
region and its DfE statistical neighbours, and turn that into tables for a board paper.

The flow, one module per step::

    sources -> schemas -> reference (load) -> compare -> tables / charts -> export

Quick start::

    import lacompare
    ref = lacompare.load_reference()          # embedded, validated DfE/LAIT data
    ref.find_area("Derby")                    # or 831, or "E06000015"
    ref.search_indicators("looked after rate")
    derby = lacompare.compare(ref, "Derby")   # every indicator vs England, region, SNs

This year's own figures, from the LA's SSDA903 extract, beside the published ones::

    own = lacompare.figures_from_903("903_extract/", la="Derby", year=2026)
    lacompare.compare(ref.with_local(own), "Derby")   # 2025-26 figures marked [L]

and from its CIN census return (children in need, child protection)::

    cin = lacompare.figures_from_cin("cin_2026.xml", year=2026, previous="cin_2025.xml")
"""

# First: `lacompare paper` starts its chart engine before the imports below (lacompare._early).
from lacompare import _early, stats  # noqa: F401
from lacompare.cin import CinWarning, figures_from_cin
from lacompare.commentary import (
    commentary,
    compare_neighbour_models,
    flags,
    green_green,
    model_change_note,
    neighbour_model_change,
    red_red,
    sentence,
    summary,
    summary_paragraph,
)
from lacompare.compare import compare, compare_all, select_indicators
from lacompare.coverage import coverage, coverage_summary
from lacompare.errors import (
    DataValidationError,
    InvalidArgumentError,
    LacompareError,
    PredecessorAreaError,
    SourceFileError,
    UnknownAreaError,
    UnknownIndicatorError,
)
from lacompare.exception_rules import exceptions
from lacompare.export import BrowserMissingError, ExportError, save
from lacompare.inspection import cross_check_inspection, load_inspection_figures
from lacompare.local import check_local_figures
from lacompare.paper import PAPERS, BoardPaper, PaperSpec, board_paper, read_spec
from lacompare.reference import ReferenceData, load_reference
from lacompare.schemas import (
    AreasSchema,
    ComparisonSchema,
    IndicatorsSchema,
    NeighboursSchema,
    ObservationsSchema,
)
from lacompare.ssda903 import Ssda903Warning, check_903, figures_from_903
from lacompare.tables import (
    Palette,
    TableModel,
    board_frame,
    board_table,
    neighbour_table,
    trend_table,
)

__version__ = "0.1.0"

__all__ = [
    "PAPERS",
    "AreasSchema",
    "BoardPaper",
    "BrowserMissingError",
    "CinWarning",
    "ComparisonSchema",
    "DataValidationError",
    "ExportError",
    "IndicatorsSchema",
    "InvalidArgumentError",
    "LacompareError",
    "NeighboursSchema",
    "ObservationsSchema",
    "Palette",
    "PaperSpec",
    "PredecessorAreaError",
    "ReferenceData",
    "SourceFileError",
    "Ssda903Warning",
    "TableModel",
    "UnknownAreaError",
    "UnknownIndicatorError",
    "__version__",
    "board_frame",
    "board_paper",
    "board_table",
    "check_903",
    "check_local_figures",
    "commentary",
    "compare",
    "compare_all",
    "compare_neighbour_models",
    "coverage",
    "coverage_summary",
    "cross_check_inspection",
    "exceptions",
    "figures_from_903",
    "figures_from_cin",
    "flags",
    "green_green",
    "load_inspection_figures",
    "load_reference",
    "model_change_note",
    "neighbour_chart",
    "neighbour_model_change",
    "neighbour_table",
    "read_spec",
    "red_red",
    "save",
    "select_indicators",
    "sentence",
    "spine_chart",
    "stats",
    "summary",
    "summary_paragraph",
    "trend_chart",
    "trend_charts",
    "trend_table",
]


def __getattr__(name: str) -> object:
    # Charts import Altair, which is slow to import; load them only when asked for.
    if name in {"neighbour_chart", "spine_chart", "trend_chart", "trend_charts"}:
        from lacompare import charts

        return getattr(charts, name)
    raise AttributeError(f"module 'lacompare' has no attribute {name!r}")
