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

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lacompare
from lacompare.cli import main as cli
from lacompare.errors import (
    DataValidationError,
    InvalidArgumentError,
    LacompareError,
    PredecessorAreaError,
    SourceFileError,
    UnknownAreaError,
    UnknownIndicatorError,
)
from lacompare.export import ExportError
from lacompare.local import local_observations
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
    stored = local_observations(ref, figure, la="Derby")
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
        "period must be 'latest', 'lait_latest' or a year",
    ),
    Case(
        "period-year-without-data",
        lambda r, t: lacompare.compare(r, "Derby", indicators="LAC", period=1999).row(
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
        check=lambda row: row["la_value"] == 73.0 and row["la_status"] == "local_unvalidated",
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
            shown[0] == "[c]" and any(n.startswith("[c] suppressed") for n in shown[1])
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
        "column 'period': parses as a period label",
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
        "repeat 1 published row",
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
        "could not be read as CSV|no figures given",
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
        "hold 0",
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
        InvalidArgumentError,
        "save\\(\\) could not use its input",
    ),
    Case(
        "injection-html",
        lambda r, t: lacompare.board_table(
            lacompare.compare(r, "Derby", indicators="LAC").with_columns(
                indicator_name=pl.lit("<script>x()</script>")
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
def test_bad_input(case: Case, ref: lacompare.ReferenceData, tmp_path: Path) -> None:
    if case.error is None:
        result = case.act(ref, tmp_path)
        assert case.check is not None and case.check(result), result
        return
    with pytest.raises(case.error, match=case.message) as raised:
        case.act(ref, tmp_path)
    assert isinstance(raised.value, LacompareError)


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
