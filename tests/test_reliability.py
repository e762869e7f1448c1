"""The catalogue of bad inputs: every one gives a lacompare error naming what is wrong (file,
row, column, rule), or, where the input is legitimate but incomplete, an explicit status that
reaches the table's notes. Nothing is dropped, zeroed or clamped silently.

docs/reliability.md lists the same cases with what the user sees.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lacompare
from lacompare.cli import main as cli
from lacompare.errors import (
    AmbiguousAreaError,
    DataValidationError,
    InvalidArgumentError,
    LacompareError,
    PredecessorAreaError,
    SourceFileError,
    UnknownAreaError,
    UnknownIndicatorError,
)
from lacompare.export import ExportError
from lacompare.local import local_figures, read_local_figures
from lacompare.reference import FRAMES, ReferenceData, default_reference_path
from lacompare.schemas import NeighboursSchema, validate
from lacompare.sources import ees_observations, read_ees, read_lait_long
from lacompare.tables import model_of


@dataclass
class Case:
    """One bad input: ``act(ref, tmp_path)`` must raise ``error`` matching ``message``, or
    (``error`` None) return something ``check`` accepts."""

    id: str
    act: Callable[[lacompare.ReferenceData, Path], Any]
    error: type[Exception] | None = None
    message: str = ""
    check: Callable[[Any], bool] | None = None


def csv_file(tmp: Path, text: str | bytes, name: str = "figures.csv") -> Path:
    path = tmp / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def local(ref: lacompare.ReferenceData, figures: Any, **kw: Any) -> lacompare.ReferenceData:
    """Add figures; files name their own area, dicts are Derby's."""
    default = None if isinstance(figures, Path) else "Derby"
    return ref.with_local(figures, la=kw.pop("la", default), **kw)


def statuses_of(ref: lacompare.ReferenceData, value: str) -> tuple[list[str], str]:
    """(the checker's notes, the status the figure is stored with) for a symbol."""
    figure = {"CareLeaverEET": value, "period": "2026"}
    rows = lacompare.check_local_figures(ref, figure, la="Derby")
    stored = local_figures(ref, figure, la="Derby")
    assert stored["value"][0] is None  # a symbol is never turned into a number
    return rows.filter(pl.col("severity") == "info")["rule"].to_list(), stored["status"][0]


def shown_status(ref: lacompare.ReferenceData, value: str) -> tuple[str, list[str]]:
    """The LA cell and notes of a board table for a local figure given as ``value``."""
    with_figure = local(ref, {"CareLeaverEET": value, "period": "2026"})
    rows = lacompare.compare(with_figure, "Derby", indicators="CareLeaverEET", period=2026)
    model = model_of(lacompare.board_table(rows))
    return model.frame["la"][0], list(model.notes)


def bad_reference_dir(tmp: Path, corrupt: Callable[[Path], None]) -> Path:
    for name in FRAMES:
        (tmp / f"{name}.parquet").write_bytes(
            (default_reference_path() / f"{name}.parquet").read_bytes()
        )
    corrupt(tmp)
    return tmp


def board(ref: lacompare.ReferenceData) -> Any:
    return lacompare.board_table(lacompare.compare(ref, "Derby", indicators="LAC"))


HEADER = "area,indicator,period,value\n"
FIGURE_CSV = HEADER + "Derby,LAC,2026,70\n"
NOTE_CSV = "area,indicator,period,value,note\nDerby,LAC,2026,70,Café – £5 checked\n"
FIGURE_ROWS = [{"area": "Derby", "indicator": "LAC", "period": "2026", "value": 70}]


def added(ref: lacompare.ReferenceData, la: str = "Derby") -> float | None:
    """The LAC figure for 2026 an LA shows once local figures are added."""
    row = lacompare.compare(ref, la, indicators="LAC", period=2026).row(0, named=True)
    assert row["la_status"] == "local"
    value: float | None = row["la_value"]
    return value


def noted(ref: lacompare.ReferenceData, path: Path) -> str:
    """The note column of a local-figures file, as read."""
    note: str = read_local_figures(path).get_column("note")[0]
    local(ref, path)  # and the figures load
    return note


def xlsx_file(tmp: Path, name: str) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["area", "indicator", "period", "value"])
    sheet.append(["Derby", "LAC", "2026", 70])
    path = tmp / name
    book.save(path)
    return path


def zip_file(tmp: Path) -> Path:
    import zipfile

    path = tmp / "figures.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("figures.csv", FIGURE_CSV)
    return path


def parquet_file(tmp: Path) -> Path:
    path = tmp / "figures.csv"
    pl.DataFrame(FIGURE_ROWS).write_parquet(path)
    return path


def custom_notes(ref: lacompare.ReferenceData, group: list[str]) -> tuple[str, int, str]:
    rows = lacompare.compare(ref, "Derby", indicators="LAC", neighbours=group)
    notes = " ".join(model_of(lacompare.board_table(rows)).source_notes)
    return rows["sn_model"][0], rows["sn_count"][0], notes


EES_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,count\n"
)
EES_ROW = (
    "2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,831,"
    "E06000015,Derby,"
)

GSS = {
    "c": "suppressed",
    "x": "not_available",
    "z": "not_applicable",
    "low": "low",
    "k": "low",
    "u": "unreliable",
    ":": "not_available",
    "..": "not_available",
    "-": "not_available",
}


def _workbook_title(ref: lacompare.ReferenceData, tmp: Path, title: str) -> str:
    """The title cell of a board table saved as .xlsx, as Excel stores it."""
    import openpyxl

    rows = lacompare.compare(ref, "Derby", indicators=["LAC"])
    path = lacompare.save(lacompare.board_table(rows, title=title), tmp / "t.xlsx")
    sheet = openpyxl.load_workbook(path).active
    return str(sheet.cell(1, 1).value)


def _concurrent_saves(ref: lacompare.ReferenceData, tmp: Path) -> bool:
    """Eight processes save one path at once while this one reads it: every read is whole,
    every save succeeds and no temporary file is left."""
    import subprocess
    import sys

    script = (
        "import sys, lacompare\n"
        "ref = lacompare.load_reference()\n"
        "rows = lacompare.compare(ref, 'Derby', indicators=['LAC'])\n"
        "for i in range(4):\n"
        "    lacompare.save(lacompare.board_table(rows, title=f'writer {sys.argv[1]} {i}'), "
        "sys.argv[2])\n"
    )
    target = tmp / "shared.html"
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(n), str(target)]) for n in range(8)
    ]
    reads = []
    while any(w.poll() is None for w in writers):
        if target.exists():
            reads.append(target.read_text(encoding="utf-8"))
    codes = [w.wait() for w in writers]
    reads.append(target.read_text(encoding="utf-8"))
    whole = all(text.rstrip().endswith("</html>") for text in reads)
    leftovers = [p.name for p in tmp.iterdir() if p.name != "shared.html"]
    return codes == [0] * 8 and whole and not leftovers


def _ees_percent_file(tmp: Path) -> Path:
    header = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,percent"
    )
    row = "2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,831,"
    return csv_file(tmp, f"{header}\n{row}E06000015,Derby,12.5%\n{row}E06000015,Derby,n/a\n")


def _extract(tmp: Path) -> Path:
    import ssda903_fixture

    return ssda903_fixture.write(tmp / "extract")


def _with_episode(tmp: Path, line: str) -> Path:
    folder = _extract(tmp)
    episodes = folder / "episodes.csv"
    episodes.write_text(episodes.read_text() + line + "\n")
    return folder


def _unlinked(folder: Path, name: str) -> Path:
    (folder / name).unlink()
    return folder


def _copied(folder: Path, name: str, to: str) -> Path:
    (folder / to).write_bytes((folder / name).read_bytes())
    return folder


def _table_of_lac(ref: lacompare.ReferenceData, **options: Any) -> Any:
    return lacompare.board_table(lacompare.compare(ref, "Derby", indicators=["LAC"]), **options)


#: Issue 23's cases: local figures that could be silently wrong, saves that could lose data,
#: and inputs that crashed or gave unclear messages.
ISSUE_23_CASES = [
    Case(
        "local-dated-on-a-published-snapshot",
        lambda r, t: local(r, {"LAC": 50, "as_at": "2025-03-31"}),
        DataValidationError,
        "already published",
    ),
    Case(
        "local-slash-label-of-a-published-year",
        lambda r, t: local(r, {"CareLeaverEET": 50, "period": "2023/24"}),
        DataValidationError,
        "already published",
    ),
    Case(
        "local-period-and-as-at-disagree",
        lambda r, t: local(
            r, [{"indicator": "ReReferral", "period": "2026", "as_at": "2016-03-06", "value": 20}]
        ),
        DataValidationError,
        "agrees with as_at",
    ),
    Case(
        "local-symbol-stays-local-and-leaves-others-alone",
        lambda r, t: lacompare.compare_all(
            local(r, {"ReReferral": "c", "as_at": "2026-03-06"}),
            indicators=["ReReferral"],
            period="lait_latest",
        ),
        check=lambda rows: rows.filter(pl.col("la_value").is_not_null()).height >= 140,
    ),
    Case(
        "local-file-area-disagrees-with-la",
        lambda r, t: r.with_local(
            csv_file(t, "area,indicator,period,value\nNottingham,LAC,2026,50\n"), la="Derby"
        ),
        DataValidationError,
        "agrees with la=",
    ),
    Case(
        "local-two-las-in-one-file",
        lambda r, t: (
            r.with_local(
                csv_file(
                    t, "area,indicator,period,value\nNottingham,LAC,2026,50\nDerby,LAC,2026,60\n"
                )
            ).local
        ),
        check=lambda layer: layer.get_column("area_code").n_unique() == 2,
    ),
    Case(
        "local-value-contradicts-its-counts",
        lambda r, t: local(
            r,
            [
                {
                    "indicator": "ReReferral",
                    "period": "2026",
                    "value": 5,
                    "numerator": 900,
                    "denominator": 1000,
                }
            ],
        ),
        DataValidationError,
        "numerator / denominator",
    ),
    Case(
        "local-span-runs-backwards",
        lambda r, t: local(r, {"CareLeaverEET": 50, "period": "2026-25"}),
        DataValidationError,
        "runs forward",
    ),
    Case(
        "paper-written-as-text",
        lambda r, t: (
            lacompare.board_paper(
                r, "Rutland", "headline", written="2026-11-25", charts=False
            ).written
        ),
        check=lambda day: str(day) == "2026-11-25",
    ),
    Case(
        "paper-written-not-a-date",
        lambda r, t: lacompare.board_paper(r, "Rutland", "headline", written="yesterday"),
        InvalidArgumentError,
        "written must be a date",
    ),
    Case(
        "paper-la-not-in-the-model",
        lambda r, t: lacompare.board_paper(r, "Cumberland", "headline", neighbours="2021"),
        UnknownAreaError,
        "2021 model",
    ),
    Case(
        "paper-spec-sections-not-sections",
        lambda r, t: lacompare.board_paper(
            r,
            "Derby",
            lacompare.PaperSpec(name="x", title="x", sections=(1, 2)),  # type: ignore[arg-type]
        ),
        InvalidArgumentError,
        "SectionSpec",
    ),
    Case(
        "paper-period-with-no-figures",
        lambda r, t: lacompare.board_paper(r, "Derby", "headline", period=2030),
        InvalidArgumentError,
        "none of the indicators has a figure for 2030",
    ),
    Case(
        "compare-neighbours-none",
        lambda r, t: lacompare.compare(r, "Derby", neighbours=None),  # type: ignore[arg-type]
        InvalidArgumentError,
        "neighbours must be",
    ),
    Case(
        "compare-history-as-text",
        lambda r, t: lacompare.compare(r, "Derby", history="5"),  # type: ignore[arg-type]
        InvalidArgumentError,
        "history must be a whole number",
    ),
    Case(
        "board-group-by-unknown",
        lambda r, t: _table_of_lac(r, group_by="colour"),
        InvalidArgumentError,
        "group_by must be",
    ),
    Case(
        "trend-table-periods-zero",
        lambda r, t: lacompare.trend_table(r, "Derby", ["LAC"], periods=0),
        InvalidArgumentError,
        "periods must be at least 1",
    ),
    Case(
        "save-a-frame",
        lambda r, t: lacompare.save(lacompare.compare(r, "Derby"), t / "x.html"),
        ExportError,
        "not a polars DataFrame",
    ),
    Case(
        "title-with-a-control-character",
        lambda r, t: lacompare.save(_table_of_lac(r, title="A\x07B"), t / "x.docx"),
        InvalidArgumentError,
        "control character",
    ),
    Case(
        "title-longer-than-word-allows",
        lambda r, t: lacompare.save(_table_of_lac(r, title="x" * 300), t / "x.docx"),
        InvalidArgumentError,
        "at most 255",
    ),
    Case(
        "xlsx-title-that-is-a-formula",
        lambda r, t: _workbook_title(r, t, '=HYPERLINK("http://x","click")'),
        check=lambda cell: not cell.startswith(("=", "+", "-", "@")),
    ),
    Case(
        "csv-ragged-row",
        lambda r, t: local(r, csv_file(t, "indicator,period,value\nLAC,2026,50\nLAC,2026,5,9,9\n")),
        SourceFileError,
        "line 3 has 5 fields",
    ),
    Case(
        "manifest-truncated",
        lambda r, t: (
            lacompare.load_reference(
                bad_reference_dir(t, lambda d: (d / "manifest.json").write_text('{"rows": {'))
            ).manifest
        ),
        SourceFileError,
        "manifest",
    ),
    Case(
        "saves-of-one-path-by-8-processes",
        _concurrent_saves,
        check=lambda ok: ok is True,
    ),
    Case(
        "cli-format-empty",
        lambda r, t: cli(["report", "--la", "Derby", "--format", "", "--out", str(t)]),
        check=lambda code: code == 1,
    ),
    Case(
        "cli-date-empty",
        lambda r, t: cli(["paper", "--la", "Derby", "--date", "", "--out", str(t)]),
        check=lambda code: code == 1,
    ),
    Case(
        "cli-areas-unknown-neighbour-model",
        lambda r, t: cli(["areas", "--neighbours", "2019"]),
        check=lambda code: code == 1,
    ),
    Case(
        "cli-out-is-a-file",
        lambda r, t: cli(["report", "--la", "Derby", "--out", str(csv_file(t, "x", "f.txt"))]),
        check=lambda code: code == 1,
    ),
    Case(
        "ees-percent-written-with-a-sign",
        lambda r, t: cli(["validate", str(_ees_percent_file(t))]),
        check=lambda code: code == 1,
    ),
]

#: An SSDA903 extract an analyst could plausibly get wrong.
SSDA903_CASES = [
    Case(
        "903-folder-without-episodes",
        lambda r, t: lacompare.figures_from_903(
            _unlinked(_extract(t), "episodes.csv"), la="Derby", year=2026, ref=r
        ),
        SourceFileError,
        r"no episodes table \(episodes.csv\)",
    ),
    Case(
        "903-impossible-date",
        lambda r, t: lacompare.figures_from_903(
            _with_episode(t, "C99,30/02/2026,S,C2,N1,U1,PR1,,,,,,"), la="Derby", year=2026, ref=r
        ),
        DataValidationError,
        "column 'DECOM': value '30/02/2026' breaks the rule: DECOM is a real date",
    ),
    Case(
        "903-code-in-lower-case",
        lambda r, t: lacompare.figures_from_903(
            _with_episode(t, "C99,01/05/2025,S,c2,N1,U1,PR1,,,,,,"), la="Derby", year=2026, ref=r
        ),
        DataValidationError,
        "column 'LS': value 'c2'",
    ),
    Case(
        "903-year-the-extract-does-not-cover",
        lambda r, t: lacompare.figures_from_903(_extract(t), la="Derby", year=2015, ref=r),
        DataValidationError,
        "no episode begins or ends in 2014-15",
    ),
    Case(
        "903-year-to-come",
        lambda r, t: lacompare.figures_from_903(_extract(t), la="Derby", year=2031, ref=r),
        InvalidArgumentError,
        "has not begun",
    ),
    Case(
        "903-year-as-a-span",
        lambda r, t: lacompare.figures_from_903(
            _extract(t),
            la="Derby",
            year="2025-26",  # type: ignore[arg-type]
            ref=r,
        ),
        InvalidArgumentError,
        "year",
    ),
    Case(
        "903-a-pdf-instead-of-a-folder",
        lambda r, t: lacompare.figures_from_903(
            csv_file(t, b"%PDF-1.4", "extract.pdf"), la="Derby", year=2026, ref=r
        ),
        SourceFileError,
        "not a folder of CSV files",
    ),
    Case(
        "903-two-episodes-files",
        lambda r, t: lacompare.figures_from_903(
            _copied(_extract(t), "episodes.csv", "episodes_2025.csv"), la="Derby", year=2026, ref=r
        ),
        SourceFileError,
        "hold the episodes table",
    ),
    Case(
        "903-cli-year-missing",
        lambda r, t: cli(
            ["paper", "--la", "Derby", "--ssda903", str(_extract(t)), "--out", str(t)]
        ),
        check=lambda code: code == 1,
    ),
]

CASES: list[Case] = [
    # -- areas ---------------------------------------------------------------------------
    Case(
        "la-unknown",
        lambda r, t: lacompare.compare(r, "Nowhereshire"),
        UnknownAreaError,
        "no area matches 'Nowhereshire'",
    ),
    Case(
        "la-misspelt",
        lambda r, t: lacompare.compare(r, "Derbyy"),
        UnknownAreaError,
        "did you mean 'Derby'",
    ),
    Case(
        "la-predecessor",
        lambda r, t: lacompare.compare(r, "Cumbria"),
        PredecessorAreaError,
        "replaced by Cumberland and Westmorland and Furness",
    ),
    Case(
        "ons-code-wrong-shape",
        lambda r, t: lacompare.compare(r, "E0600015"),
        UnknownAreaError,
        "no area matches 'E0600015'",
    ),
    Case(
        "ons-code-unknown",
        lambda r, t: lacompare.compare(r, "E06999999"),
        UnknownAreaError,
        "no area matches",
    ),
    Case(
        "la-is-a-region",
        lambda r, t: lacompare.compare(r, "East Midlands"),
        UnknownAreaError,
        "not a local authority",
    ),
    Case(
        "la-none",
        lambda r, t: lacompare.compare(r, None),
        UnknownAreaError,
        "no area matches None",
    ),
    # -- indicators, periods, neighbours --------------------------------------------------
    Case(
        "indicator-unknown",
        lambda r, t: lacompare.compare(r, "Derby", indicators="nope_x"),
        UnknownIndicatorError,
        "no indicator or topic matches 'nope_x'",
    ),
    Case(
        "indicator-wrong-type",
        lambda r, t: lacompare.compare(r, "Derby", indicators=5),
        InvalidArgumentError,
        "indicators must be an indicator id, LAIT code or topic name",
    ),
    Case(
        "period-unknown-word",
        lambda r, t: lacompare.compare(r, "Derby", period="last"),
        InvalidArgumentError,
        "period must be 'latest', 'lait_latest', a year such as 2016, or a period label",
    ),
    Case(
        "period-year-without-data",
        lambda r, t: lacompare.compare(r, "Derby", indicators="LAC", period=1999),
        InvalidArgumentError,
        "period=1999: none of the indicators has a figure for 1999",
    ),
    Case(
        "period-year-without-a-value-for-the-la",
        lambda r, t: lacompare.compare(r, "Derby", indicators="CPPlans2yrsActive", period=2017).row(
            0, named=True
        ),
        check=lambda row: row["la_value"] is None and row["la_status"] == "not_available",
    ),
    Case(
        "history-zero",
        lambda r, t: lacompare.compare(r, "Derby", history=0),
        InvalidArgumentError,
        "history must be at least 1",
    ),
    Case(
        "sn-model-unknown",
        lambda r, t: lacompare.compare(r, "Derby", neighbours="2019"),
        UnknownAreaError,
        "no statistical-neighbour model '2019'",
    ),
    Case(
        "sn-custom-unknown-area",
        lambda r, t: lacompare.compare(r, "Derby", neighbours=["Leicester", "Nowhere"]),
        UnknownAreaError,
        "custom comparator group: no area matches 'Nowhere'",
    ),
    Case(
        "sn-custom-region",
        lambda r, t: lacompare.compare(r, "Derby", neighbours=["London"]),
        UnknownAreaError,
        "custom comparator group: London is not a local authority",
    ),
    Case(
        "sn-group-names-itself",
        lambda r, t: validate(
            r.neighbours.filter(pl.col("area_code") == "E06000015").with_columns(
                neighbour_code=pl.lit("E06000015")
            ),
            NeighboursSchema,
            name="neighbours",
        ),
        DataValidationError,
        "column 'neighbour_code', rule 'not the area itself'",
    ),
    Case(
        "sn-group-of-nine",
        lambda r, t: validate(
            r.neighbours.filter(pl.col("area_code") == "E06000015").head(9),
            NeighboursSchema,
            name="neighbours",
        ),
        DataValidationError,
        "column 'neighbour_rank', rule 'each group has ranks 1..10'",
    ),
    # -- local figures: values ------------------------------------------------------------
    Case(
        "percent-over-100",
        lambda r, t: local(r, {"ReReferral": 140, "period": "2026"}),
        DataValidationError,
        "row 1, column 'value': is within the range",
    ),
    Case(
        "negative-count",
        lambda r, t: local(r, {"LACnum": -5, "period": "2026"}),
        DataValidationError,
        "row 1, column 'value': is within the range",
    ),
    Case(
        "numerator-over-denominator",
        lambda r, t: local(
            r,
            [
                {
                    "indicator": "ReReferral",
                    "period": "2026",
                    "value": 50,
                    "numerator": 10,
                    "denominator": 5,
                }
            ],
        ),
        DataValidationError,
        "column 'numerator': is at most the denominator",
    ),
    Case(
        "value-nan",
        lambda r, t: local(r, {"LAC": "nan", "period": "2026"}),
        DataValidationError,
        "column 'value': is a number or a published symbol",
    ),
    Case(
        "value-inf",
        lambda r, t: local(r, {"LAC": "inf", "period": "2026"}),
        DataValidationError,
        "column 'value': is a number or a published symbol",
    ),
    Case(
        "value-empty-string",
        lambda r, t: local(r, {"LAC": "", "period": "2026"}),
        DataValidationError,
        "column 'value': is a number or a published symbol",
    ),
    Case(
        "value-whitespace-padded",
        lambda r, t: lacompare.compare(
            local(r, {"LAC": " 73 ", "period": "2026"}), "Derby", indicators="LAC"
        ).row(0, named=True),
        check=lambda row: row["la_value"] == 73.0 and row["la_status"] == "local",
    ),
    Case(
        "symbol-unknown",
        lambda r, t: local(r, {"LAC": "n/a", "period": "2026"}),
        DataValidationError,
        "is a number or a published symbol",
    ),
    *[
        Case(
            f"gss-symbol-{name}",
            lambda r, t, s=symbol: statuses_of(r, s),
            check=lambda found, s=symbol: (
                found == ([f"published symbol: {GSS[s]} (kept as no value, never 0)"], GSS[s])
            ),
        )
        for name, symbol in [
            ("c", "c"),
            ("x", "x"),
            ("z", "z"),
            ("low", "low"),
            ("k", "k"),
            ("u", "u"),
            ("colon", ":"),
            ("dots", ".."),
            ("dash", "-"),
        ]
    ],
    Case(
        "gss-symbol-reaches-footnotes",
        lambda r, t: shown_status(r, "c"),
        check=lambda shown: (
            shown[0] == "[c] [L]" and any(n.startswith("[c] suppressed") for n in shown[1])
        ),
    ),
    Case(
        "duplicate-rows",
        lambda r, t: local(r, [{"indicator": "LAC", "period": "2026", "value": 70}] * 2),
        DataValidationError,
        "appears once per area and period",
    ),
    Case(
        "period-does-not-parse",
        lambda r, t: local(r, {"LAC": 70, "period": "16-17"}),
        DataValidationError,
        "column 'period': is a year \\(2026\\) or a year span",
    ),
    Case(
        "date-does-not-parse",
        lambda r, t: local(r, {"LAC": 70, "as_at": "06/03/2017"}),
        DataValidationError,
        "column 'as_at': is a date written YYYY-MM-DD",
    ),
    Case(
        "local-unknown-indicator",
        lambda r, t: local(r, {"Nope": 1, "period": "2026"}),
        DataValidationError,
        "column 'indicator': is an indicator id or LAIT code",
    ),
    Case(
        "local-repeats-published",
        lambda r, t: local(r, {"LAC": 88, "period": "2025"}),
        DataValidationError,
        "is not a period DfE has already published for this authority \\(2025: 88\\)",
    ),
    # -- local figures: files ------------------------------------------------------------
    Case(
        "csv-missing-column",
        lambda r, t: local(r, csv_file(t, "area,indicator,period\nDerby,LAC,2026\n")),
        DataValidationError,
        "row 1, column 'value'",
    ),
    Case(
        "csv-extra-column",
        lambda r, t: local(r, csv_file(t, HEADER.strip() + ",colour\nDerby,LAC,2026,70,red\n")),
        SourceFileError,
        "unexpected column\\(s\\) \\['colour'\\]",
    ),
    Case(
        "csv-wrong-delimiter",
        lambda r, t: local(r, csv_file(t, "area;indicator;period;value\nDerby;LAC;2026;70\n")),
        SourceFileError,
        "unexpected column",
    ),
    Case(
        "csv-utf8-bom",
        lambda r, t: local(r, csv_file(t, "\ufeff" + HEADER + "Derby,LAC,2026,70\n")),
        check=lambda ref: isinstance(ref, ReferenceData),
    ),
    Case(
        "csv-windows-line-endings",
        lambda r, t: local(r, csv_file(t, (HEADER + "Derby,LAC,2026,70\n").replace("\n", "\r\n"))),
        check=lambda ref: isinstance(ref, ReferenceData),
    ),
    Case(
        "csv-latin1-bytes",
        lambda r, t: local(
            r, csv_file(t, HEADER.encode() + "Derbé,LAC,2026,70\n".encode("latin-1"))
        ),
        DataValidationError,
        "row 1, column 'area': is a current local authority",
    ),
    Case(
        "csv-truncated-last-line",
        lambda r, t: local(r, csv_file(t, HEADER + "Derby,LAC,2026,70\nDerby,CIN,2026")),
        LacompareError,
        "row 2|could not be read",
    ),
    Case(
        "csv-empty-file",
        lambda r, t: local(r, csv_file(t, "")),
        LacompareError,
        "the file is empty",
    ),
    Case(
        "csv-header-only",
        lambda r, t: local(r, csv_file(t, HEADER)),
        DataValidationError,
        "no figures given",
    ),
    Case(
        "csv-file-missing",
        lambda r, t: local(r, t / "nope.csv"),
        SourceFileError,
        "nope.csv: file not found",
    ),
    # -- text encodings and file types (local figures; the same reader serves every CSV) ---
    Case(
        "csv-utf16-le-bom",
        lambda r, t: added(local(r, csv_file(t, (FIGURE_CSV).encode("utf-16")))),
        check=lambda value: value == 70.0,
    ),
    Case(
        "csv-utf16-be-bom",
        lambda r, t: added(local(r, csv_file(t, b"\xfe\xff" + FIGURE_CSV.encode("utf-16-be")))),
        check=lambda value: value == 70.0,
    ),
    Case(
        "csv-utf8-no-bom-accents",
        lambda r, t: noted(r, csv_file(t, NOTE_CSV.encode("utf-8"))),
        check=lambda note: note == "Café – £5 checked",
    ),
    Case(
        "csv-windows-1252",
        lambda r, t: noted(r, csv_file(t, NOTE_CSV.encode("cp1252"))),
        check=lambda note: note == "Café – £5 checked",
    ),
    Case(
        "csv-utf16-without-bom",
        lambda r, t: local(r, csv_file(t, FIGURE_CSV.encode("utf-16-le"))),
        SourceFileError,
        "UTF-16 text without a byte-order mark.*CSV UTF-8",
    ),
    Case(
        "csv-undecodable-bytes",
        lambda r, t: local(r, csv_file(t, HEADER.encode() + b"Derby,LAC,2026,7\x81\n")),
        SourceFileError,
        "line 2 \\(byte 45\\) is neither UTF-8 nor Windows-1252 text.*CSV UTF-8",
    ),
    Case(
        "csv-is-binary",
        lambda r, t: local(r, csv_file(t, b"\x00\x01\x02\x03binary" * 20)),
        SourceFileError,
        "contains binary data \\(NUL bytes\\), so it is not a CSV text file",
    ),
    Case(
        "xlsx-given-as-figures",
        lambda r, t: added(local(r, xlsx_file(t, "figures.xlsx"))),
        check=lambda value: value == 70.0,
    ),
    Case(
        "xlsx-saved-as-csv",
        lambda r, t: local(r, xlsx_file(t, "figures.csv")),
        check=lambda ref: isinstance(ref, ReferenceData),
    ),
    Case(
        "xlsx-where-ees-csv-expected",
        lambda r, t: read_ees(xlsx_file(t, "ees.csv"), ["count"]),
        SourceFileError,
        "this looks like an Excel workbook \\(.xlsx\\), not a CSV file.*CSV UTF-8",
    ),
    Case(
        "zip-where-csv-expected",
        lambda r, t: local(r, zip_file(t)),
        SourceFileError,
        "this looks like a zip archive, not a CSV file; unzip it",
    ),
    Case(
        "parquet-where-csv-expected",
        lambda r, t: local(r, parquet_file(t)),
        SourceFileError,
        "this looks like a parquet file, not a CSV file",
    ),
    Case(
        "pdf-where-csv-expected",
        lambda r, t: local(r, csv_file(t, b"%PDF-1.7\n%binary")),
        SourceFileError,
        "this looks like a PDF document",
    ),
    # -- local figures as Python containers ------------------------------------------------
    Case(
        "figures-polars-frame",
        lambda r, t: added(local(r, pl.DataFrame(FIGURE_ROWS))),
        check=lambda value: value == 70.0,
    ),
    Case(
        "figures-pandas-frame",
        lambda r, t: added(local(r, pd.DataFrame(FIGURE_ROWS))),
        check=lambda value: value == 70.0,
    ),
    Case(
        "figures-list-of-dicts",
        lambda r, t: added(local(r, FIGURE_ROWS)),
        check=lambda value: value == 70.0,
    ),
    Case(
        "figures-dict-indicator-to-value",
        lambda r, t: added(local(r, {"LAC": 70, "period": "2026"})),
        check=lambda value: value == 70.0,
    ),
    Case(
        "figures-dict-of-columns",
        lambda r, t: added(
            local(r, {"indicator": ["LAC"], "period": ["2026"], "value": [70]}, la="Derby")
        ),
        check=lambda value: value == 70.0,
    ),
    Case(
        "figures-dict-of-columns-ragged",
        lambda r, t: local(r, {"indicator": ["LAC", "CIN"], "period": ["2026"], "value": [70]}),
        SourceFileError,
        "the columns have different lengths",
    ),
    Case(
        "figures-dict-mixed",
        lambda r, t: local(r, {"LAC": [70, 71], "period": "2026"}),
        SourceFileError,
        "a dict mixes lists and single values.*Accepted: a CSV",
    ),
    Case(
        "figures-wrong-type",
        lambda r, t: local(r, 70),
        SourceFileError,
        "cannot read a int; accepted: a CSV or Excel \\(.xlsx\\) file path; a polars or pandas",
    ),
    Case(
        "figures-empty-list",
        lambda r, t: local(r, []),
        SourceFileError,
        "cannot read a list \\(it is empty\\); accepted",
    ),
    Case(
        "figures-frame-with-lists",
        lambda r, t: local(r, pl.DataFrame({"indicator": ["LAC"], "value": [[70, 71]]})),
        SourceFileError,
        "column 'value' holds lists",
    ),
    # -- comparator groups ---------------------------------------------------------------
    Case(
        "sn-custom-empty",
        lambda r, t: lacompare.compare(r, "Derby", neighbours=[]),
        InvalidArgumentError,
        "custom comparator group: the list is empty",
    ),
    Case(
        "sn-custom-repeats-a-member",
        lambda r, t: lacompare.compare(r, "Derby", neighbours=["Leicester", "Leicester"]),
        InvalidArgumentError,
        "'Leicester' and 'Leicester' both name Leicester. Each authority may be listed once",
    ),
    Case(
        "sn-custom-name-and-code-of-one-la",
        lambda r, t: lacompare.compare(r, "Derby", neighbours=["Nottingham", 892, "E06000018"]),
        InvalidArgumentError,
        "'Nottingham' and 892 and 'E06000018' all name Nottingham",
    ),
    Case(
        "sn-custom-mixes-names-and-codes",
        lambda r, t: lacompare.compare(
            r, "Derby", indicators="LAC", neighbours=["Nottingham", 856, "E10000007"]
        ).row(0, named=True),
        check=lambda row: row["sn_model"] == "custom group of 3" and row["sn_count"] == 3,
    ),
    Case(
        "sn-custom-includes-the-la",
        lambda r, t: custom_notes(r, ["Derby", "Nottingham", "Leicester"]),
        check=lambda shown: (
            shown[0] == "custom group of 3, itself excluded"
            and shown[1] == 2
            and "(group of 3, itself excluded)" in shown[2]
        ),
    ),
    Case(
        "sn-custom-predecessor",
        lambda r, t: lacompare.compare(r, "Derby", neighbours=["Cumbria"]),
        PredecessorAreaError,
        "custom comparator group: Cumbria .* replaced by Cumberland",
    ),
    # -- dates and magnitudes of local figures ---------------------------------------------
    Case(
        "figure-dated-in-the-future",
        lambda r, t: local(r, {"LAC": 70, "as_at": "2099-03-06"}),
        DataValidationError,
        "column 'as_at': is not after today",
    ),
    Case(
        "figure-for-a-year-to-come",
        lambda r, t: local(r, {"LAC": 70, "period": "2099"}),
        DataValidationError,
        "column 'period': is not a period still to come",
    ),
    Case(
        "figure-before-the-series",
        lambda r, t: local(r, {"LAC": 70, "period": "2005"}),
        DataValidationError,
        "column 'period': is not before the indicator's published series \\(from 2016\\)",
    ),
    Case(
        "figure-100-times-too-big",
        lambda r, t: local(r, {"LAC": 34_300, "period": "2026"}),
        DataValidationError,
        "column 'value': is within 10 times the largest value any local authority has "
        "published for the indicator \\(343.0\\); check the unit",
    ),
    # -- names people use ------------------------------------------------------------------
    *[
        Case(
            f"la-written-as-{slug}",
            lambda r, t, q=query: r.find_area(q)["name"],
            check=lambda name, n=name: name == n,
        )
        for slug, query, name in [
            ("short-southend", "Southend", "Southend-on-Sea"),
            ("short-telford", "Telford", "Telford and Wrekin"),
            ("ampersand", "Windsor & Maidenhead", "Windsor and Maidenhead"),
            (
                "royal-borough-of",
                "Royal Borough of Windsor and Maidenhead",
                "Windsor and Maidenhead",
            ),
            ("st-without-dot", "St Helens", "St. Helens"),
            ("saint", "Saint Helens", "St. Helens"),
            ("no-hyphens", "Stoke on Trent", "Stoke-on-Trent"),
            ("city-council", "Derby City Council", "Derby"),
            ("without-city-of", "Bristol", "Bristol, City of"),
            ("without-county-of", "Herefordshire", "Herefordshire"),
            ("county-prefix", "County Durham", "Durham"),
            ("abbreviation-hull", "Hull", "Kingston Upon Hull, City of"),
            ("abbreviation-bcp", "BCP", "Bournemouth, Christchurch and Poole"),
        ]
    ],
    Case(
        "la-name-ambiguous",
        lambda r, t: lacompare.compare(r, "Kingston"),
        AmbiguousAreaError,
        "'Kingston' could be any of 2 areas: 'Kingston upon Thames', 'Kingston Upon Hull, City "
        "of'; give more of the name",
    ),
    Case(
        "la-suggestion-ranks-near-matches",
        lambda r, t: lacompare.compare(r, "Kingston upon Hul"),
        UnknownAreaError,
        "did you mean 'Kingston upon Hull, City of', ",
    ),
    Case(
        "local-figure-area-short-name",
        lambda r, t: added(
            local(r, csv_file(t, HEADER + "Southend,LAC,2026,70\n")), la="Southend-on-Sea"
        ),
        check=lambda value: value == 70.0,
    ),
    Case(
        "local-figure-area-ambiguous",
        lambda r, t: local(r, csv_file(t, HEADER + "Kingston,LAC,2026,70\n")),
        DataValidationError,
        "row 1, column 'area': is a current local authority: 'Kingston' could be any of 2",
    ),
    # -- empty selections ------------------------------------------------------------------
    Case(
        "indicators-empty-list",
        lambda r, t: lacompare.compare(r, "Derby", indicators=[]),
        InvalidArgumentError,
        "indicators=\\[\\] selects nothing",
    ),
    Case(
        "indicators-empty-tuple",
        lambda r, t: lacompare.compare_all(r, indicators=()),
        InvalidArgumentError,
        "indicators=\\(\\) selects nothing",
    ),
    Case(
        "neighbour-table-indicator-list",
        lambda r, t: lacompare.neighbour_table(r, "Derby", []),
        UnknownIndicatorError,
        "an indicator is named by its id, LAIT code or name \\(text\\), not \\[\\]",
    ),
    # -- published sources ---------------------------------------------------------------
    Case(
        "parquet-not-parquet",
        lambda r, t: lacompare.load_reference(
            bad_reference_dir(t, lambda d: (d / "observations.parquet").write_text("not parquet"))
        ),
        SourceFileError,
        "observations.parquet: not a readable parquet file",
    ),
    Case(
        "reference-dir-missing",
        lambda r, t: lacompare.load_reference(t / "none"),
        SourceFileError,
        "reference data directory not found",
    ),
    Case(
        "ees-missing-column",
        lambda r, t: read_ees(csv_file(t, "time_period\n2025\n"), ["count"]),
        SourceFileError,
        "missing column\\(s\\)",
    ),
    Case(
        "ees-unknown-symbol",
        lambda r, t: read_ees(csv_file(t, EES_HEADER + EES_ROW + "??\n"), ["count"]),
        DataValidationError,
        "column 'count' has 1 value\\(s\\) that are neither",
    ),
    Case(
        "ees-mixed-period-types",
        lambda r, t: ees_observations(
            csv_file(
                t,
                EES_HEADER
                + EES_ROW
                + "5\n"
                + EES_ROW.replace("2025,Reporting year", "202425,Financial year")
                + "6\n",
            ),
            "x",
            value="count",
            areas=r.areas,
        ),
        DataValidationError,
        "mixes \\['Financial year', 'Reporting year'\\]",
    ),
    Case(
        "lait-bad-value",
        lambda r, t: read_lait_long(_lait_file(t, "abc"), r.areas, r.indicators),
        DataValidationError,
        "column 'Values' has 1 value\\(s\\).*'abc'",
    ),
    Case(
        "lait-bad-period",
        lambda r, t: read_lait_long(_lait_file(t, "5", years="FY16"), r.areas, r.indicators),
        DataValidationError,
        "column 'Years' has 1 period label\\(s\\) that do not parse",
    ),
    # -- tables and files ----------------------------------------------------------------
    Case(
        "board-two-las",
        lambda r, t: lacompare.board_table(lacompare.compare_all(r, indicators="LAC").head(2)),
        InvalidArgumentError,
        "one local authority",
    ),
    Case(
        "board-no-rows",
        lambda r, t: lacompare.board_table(lacompare.compare(r, "Derby", indicators="LAC").head(0)),
        InvalidArgumentError,
        "the comparison has no rows, so there is nothing to show",
    ),
    Case(
        "board-unknown-column",
        lambda r, t: lacompare.board_table(
            lacompare.compare(r, "Derby", indicators="LAC"), columns=["colour"]
        ),
        InvalidArgumentError,
        "unknown board column",
    ),
    Case(
        "save-folder-missing",
        lambda r, t: lacompare.save(board(r), t / "no" / "t.html"),
        ExportError,
        "does not exist",
    ),
    Case(
        "save-file-exists",
        lambda r, t: lacompare.save(board(r), csv_file(t, "keep me", "t.html"), overwrite=False),
        ExportError,
        "the file exists and overwrite=False",
    ),
    Case(
        "save-unsupported-format",
        lambda r, t: lacompare.save(board(r), t / "t.gif"),
        ExportError,
        "cannot save a table as '.gif'",
    ),
    Case(
        "save-path-not-text",
        lambda r, t: lacompare.save(board(r), 42),
        ExportError,
        "save\\(\\) needs a file path such as 'derby.docx', not 42",
    ),
    Case(
        "injection-html",
        lambda r, t: lacompare.board_table(
            lacompare.compare(r, "Derby", indicators="LAC").with_columns(
                indicator_name=pl.lit("<script>x()</script>"),
                indicator_label=pl.lit("<script>x()</script>"),
            )
        ).as_raw_html(),
        check=lambda html: "<script>x()" not in html and "&lt;script&gt;" in html,
    ),
    # -- the command line ----------------------------------------------------------------
    Case(
        "cli-unknown-la",
        lambda r, t: cli(["report", "--la", "Derbyy", "--out", str(t)]),
        check=lambda code: code == 1,
    ),
    Case(
        "cli-bad-format",
        lambda r, t: cli(["report", "--la", "Derby", "--format", "gif", "--out", str(t)]),
        check=lambda code: code == 1,
    ),
    Case(
        "cli-validate-missing-file",
        lambda r, t: cli(["validate", str(t / "none.csv")]),
        check=lambda code: code == 1,
    ),
    Case(
        "cli-region-is-not-a-region",
        lambda r, t: cli(["batch", "--region", "Derby", "--out", str(t)]),
        check=lambda code: code == 1,
    ),
    *ISSUE_23_CASES,
    *SSDA903_CASES,
]


def _lait_file(tmp: Path, value: str, years: str = "2025") -> Path:
    path = tmp / "bds.parquet"
    pl.DataFrame(
        {
            "Short Desc": ["LAC"],
            "Data item": [None],
            "Years": [years],
            "LA and Regions": ["Derby"],
            "Values": [value],
            "LA Number": [831.0],
            "Region": ["East Midlands"],
        },
        schema_overrides={"Data item": pl.String},
    ).write_parquet(path)
    return path


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(
    case: Case, ref: lacompare.ReferenceData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each case gives its error (or result), and every message it raises or the command
    line prints is plain (:func:`_assert_plain`)."""
    if case.error is None:
        result = case.act(ref, tmp_path)
        assert case.check is not None and case.check(result), result
    else:
        with pytest.raises(case.error, match=case.message) as raised:
            case.act(ref, tmp_path)
        assert isinstance(raised.value, LacompareError)
        _assert_plain(case.id, str(raised.value))
    _assert_plain(case.id, capsys.readouterr().err)


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root, which can write into read-only folders",
)
def test_save_into_read_only_folder(ref, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="not writable"):
            lacompare.save(board(ref), folder / "t.html")
    finally:
        folder.chmod(0o700)


# -- properties of the engine (fixed, bounded profile: runs in CI in seconds) ---------------


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_shuffling_rows_changes_nothing(ref, seed: int) -> None:
    shuffled_rows = ref.observations.sample(fraction=1.0, shuffle=True, seed=seed)
    shuffled = ReferenceData(ref.indicators, shuffled_rows, ref.areas, ref.neighbours).validate()
    topic = "Child Protection"
    assert lacompare.compare_all(shuffled, indicators=topic).equals(
        lacompare.compare_all(ref, indicators=topic)
    )


@settings(max_examples=4, deadline=None)
@given(index=st.integers(min_value=0, max_value=150))
def test_an_unrelated_la_never_changes_another_las_sn_average(ref, index: int) -> None:
    members = set(ref.neighbours_of("Derby").get_column("neighbour_code")) | {"E06000015"}
    candidates = [c for c in ref.local_authorities()["area_code"] if c not in members]
    other = candidates[index % len(candidates)]
    without = ReferenceData(
        ref.indicators,
        ref.observations.filter(pl.col("area_code") != other),
        ref.areas,
        ref.neighbours,
    )
    before = lacompare.compare(ref, "Derby", indicators="Children Looked After")["sn_average"]
    after = lacompare.compare(without, "Derby", indicators="Children Looked After")["sn_average"]
    assert before.equals(after)


def test_sn_average_between_min_and_max(ref) -> None:
    rows = lacompare.compare_all(ref, indicators="Children Looked After").drop_nulls("sn_average")
    assert (
        (rows["sn_min"] <= rows["sn_average"] + 1e-9)
        & (rows["sn_average"] <= rows["sn_max"] + 1e-9)
    ).all()


def test_random_junk_never_escapes_as_a_bare_error(ref) -> None:
    """Any junk handed to the public API comes back as a LacompareError."""
    junk = [None, 3.5, [], {}, object(), "", " ", "\x00", ("a",), b"bytes"]
    rng = random.Random(7)
    calls = [
        lambda x: lacompare.compare(ref, x),
        lambda x: lacompare.compare(ref, "Derby", indicators=x),
        lambda x: lacompare.compare(ref, "Derby", period=x),
        lambda x: lacompare.board_table(x),
        lambda x: lacompare.save(board(ref), x),
        lambda x: ref.with_local(x, la="Derby"),
        lambda x: lacompare.trend_chart(ref, "Derby", x),
    ]
    for call in calls:
        for value in rng.sample(junk, 5):
            try:
                call(value)
            except LacompareError:
                pass


def _library_exception_names() -> set[str]:
    """Every exception class polars and pandera define (what a message must never name)."""
    import inspect

    import pandera.errors
    import polars.exceptions

    return {
        name
        for module in (polars.exceptions, pandera.errors)
        for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, BaseException)
    }


def _assert_plain(case_id: str, text: str) -> None:
    """A message is plain: no polars or pandera exception name, no raw bytes, no traceback."""
    import re

    forbidden = re.compile(r"\b(?:" + "|".join(sorted(_LIBRARY_NAMES)) + r")\b")
    assert not forbidden.search(text), (case_id, text)
    assert "Traceback" not in text, (case_id, text)
    assert "\ufffd" not in text and "\\x" not in text and "b'" not in text, (case_id, text)


_LIBRARY_NAMES = _library_exception_names()


def test_the_leak_check_knows_the_library_exceptions() -> None:
    assert {"ComputeError", "ColumnNotFoundError", "SchemaError"} <= _LIBRARY_NAMES
    with pytest.raises(AssertionError):
        _assert_plain("example", "polars.exceptions.ComputeError: failed")
