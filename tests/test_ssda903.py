"""Figures from an SSDA903 extract: the hand-made extract's answers child by child, the
identities that must hold on generated extracts, errors that name file, row, column and value,
and the figures flowing through the local layer into comparisons."""

from __future__ import annotations

import shutil
import warnings
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

import lacompare
import ssda903_fixture as fixture
from lacompare.errors import DataValidationError, InvalidArgumentError, SourceFileError
from lacompare.ssda903 import RULE_VERSION, Ssda903Warning, check_903, derive_903, figures_from_903
from lacompare.ssda903.care import (
    CollectionYear,
    age_at,
    at_year_end,
    care_episodes,
    ceases_in_year,
    starts_in_year,
)
from lacompare.ssda903.parse import parse_date, parse_extract
from lacompare.ssda903.read import read_extract
from lacompare.ssda903.synthetic import synthetic_903, write_synthetic_903


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture.write(tmp_path_factory.mktemp("extract"))


@pytest.fixture(scope="module")
def figures(ref: lacompare.ReferenceData, extract: Path) -> pl.DataFrame:
    return derive_903(extract, la="Derby", year=2026, ref=ref).figures


def _counts(frame: pl.DataFrame) -> dict[str, tuple[int, int | None]]:
    return {
        i: (n, d)
        for i, n, d in frame.select("indicator_id", "numerator", "denominator").iter_rows()
    }


# -- the hand-made extract ------------------------------------------------------------------


def test_population_is_derbys_mid_2024_estimate(ref: lacompare.ReferenceData) -> None:
    assert ref.child_population("Derby") == (2024, fixture.POPULATION)


def test_every_indicator_matches_the_hand_worked_answer(figures: pl.DataFrame) -> None:
    got = _counts(figures)
    wrong = {i: (got.get(i), want) for i, want in fixture.EXPECTED.items() if got.get(i) != want}
    assert not wrong, wrong
    assert set(got) == set(fixture.EXPECTED)


def test_values_round_half_up_to_one_decimal(figures: pl.DataFrame) -> None:
    values = dict(figures.select("indicator_id", "value").iter_rows())
    assert {i: values[i] for i in fixture.EXPECTED_VALUES} == fixture.EXPECTED_VALUES
    # A count's value is the count itself.
    assert values["lacnum"] == 22 and values["nocareleavers"] == 5


def test_frame_carries_the_rule_version_status_period_and_area(figures: pl.DataFrame) -> None:
    assert figures.get_column("status").unique().to_list() == ["local"]
    assert figures.get_column("rule_version").unique().to_list() == [RULE_VERSION]
    assert figures.get_column("period").unique().to_list() == ["2026"]
    assert figures.get_column("area").unique().to_list() == ["Derby"]


def test_notes_name_the_population_and_the_values_counted_as_not_known(
    figures: pl.DataFrame,
) -> None:
    notes = dict(figures.select("indicator_id", "note").iter_rows())
    assert "ONS mid-2024 estimate (62,113)" in notes["lac"]
    assert "SDQ_SCORE" in notes["emotional_lac"] and "row 7" in notes["emotional_lac"]
    assert "ACCOM" in notes["careleaveracc"] and "oc2" not in notes["careleaveracc"]
    # C30's child with no oc2 row is counted as not done: every OC2 figure's note says so.
    assert "1 child(ren) in the OC2 cohort have no oc2 row" in notes["lachealthpct"]


def test_check_lists_warnings_and_notes_with_file_row_and_column(
    ref: lacompare.ReferenceData, extract: Path
) -> None:
    problems = check_903(extract, la="Derby", year=2026, ref=ref)
    assert problems.filter(pl.col("severity") == "error").height == 0
    rows = {(r["file"], r["row"], r["column"], r["value"]) for r in problems.iter_rows(named=True)}
    assert ("oc2.csv", 7, "SDQ_SCORE", "41") in rows  # C21's 41
    assert ("oc2.csv", 17, "CHILD", "C03") in rows  # not in the cohort: ignored
    assert ("oc3.csv", 10, "ACCOM", "Z11") in rows
    warned = problems.filter(pl.col("severity") == "warning").get_column("rule").to_list()
    assert "1 child(ren) in the OC2 cohort have no oc2 row" in " ".join(warned)  # C30


def test_figures_warn_once_with_the_count_of_notes(
    ref: lacompare.ReferenceData, extract: Path
) -> None:
    with pytest.warns(Ssda903Warning, match="check_903"):
        figures_from_903(extract, la="Derby", year=2026, ref=ref)


def test_files_are_found_by_their_columns_not_their_names(
    ref: lacompare.ReferenceData, tmp_path: Path, figures: pl.DataFrame
) -> None:
    folder = fixture.write(
        tmp_path, names={"episodes": "Mosaic_export_3", "oc3": "leavers", "header": "children"}
    )
    (folder / "notes.csv").write_text("a,b\n1,2\n")
    derived = derive_903(folder, la="Derby", year=2026, ref=ref)
    assert _counts(derived.figures) == _counts(figures)
    assert "notes.csv" in derived.problems.get_column("file").to_list()  # listed as not read


def test_a_workbook_with_one_sheet_per_table_gives_the_same_figures(
    ref: lacompare.ReferenceData, tmp_path: Path, figures: pl.DataFrame
) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, frame in enumerate(fixture.tables().values()):
        sheet = book.create_sheet(f"Sheet{number + 1}")
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            sheet.append([_cell(v) for v in row])
    path = tmp_path / "extract.xlsx"
    book.save(path)
    assert _counts(derive_903(path, la="Derby", year=2026, ref=ref).figures) == _counts(figures)


def _cell(value: str | None) -> object:
    """Dates as real Excel dates, as an LA's workbook holds them."""
    if value and len(value) == 10 and value[2] == "/" and value[5] == "/":
        day, month, year = (int(p) for p in value.split("/"))
        return date(year, month, day)
    return value or None


def test_dates_are_read_in_every_form_a_903_export_writes() -> None:
    text = pl.Series(
        [
            "01/04/2025",
            "1/4/2025",
            "01/04/25",
            "2025-04-01",
            "2025-04-01 00:00:00",
            "31/02/2026",
            "tomorrow",
        ]
    )
    got = pl.select(parse_date(pl.lit(text))).to_series().to_list()
    assert got == [date(2025, 4, 1)] * 5 + [None, None]


def test_age_is_completed_years_with_birthdays_on_the_day() -> None:
    dobs = pl.Series([date(2016, 3, 31), date(2016, 4, 1), date(2008, 2, 29)])
    ages = pl.select(age_at(pl.lit(dobs), date(2026, 3, 31))).to_series().to_list()
    assert ages == [10, 9, 18]


# -- errors name the file, the row, the column and the value --------------------------------


def test_a_folder_without_episodes_is_an_error_naming_the_file_and_columns(
    ref: lacompare.ReferenceData, extract: Path, tmp_path: Path
) -> None:
    shutil.copytree(extract, tmp_path / "x")
    (tmp_path / "x" / "episodes.csv").unlink()
    with pytest.raises(SourceFileError, match=r"episodes\.csv.*DECOM"):
        figures_from_903(tmp_path / "x", la="Derby", year=2026, ref=ref)


@pytest.mark.parametrize(
    ("line", "column", "value", "rule"),
    [
        ("C99,31/02/2026,S,C2,N1,U1,PR1,,,,,,", "DECOM", "31/02/2026", "real date"),
        ("C99,01/05/2025,S,C2,N1,U1,PR1,2025-13-01,E4A,,,,", "DEC", "2025-13-01", "real date"),
        (
            "C99,01/05/2025,S,C2,N1,U1,PR1,01/04/2025,E4A,,,,",
            "DEC",
            "01/04/2025",
            "on or after DECOM",
        ),
        ("C99,01/05/2025,S,XX,N1,U1,PR1,,,,,,", "LS", "XX", "DfE's codes"),
        ("C99,01/05/2025,S,C2,N1,U1,PR1,01/06/2025,X1,,,,", "REC", "X1", "followed by an episode"),
        ("C99,01/05/2025,S,C2,N1,U1,PR1,01/06/2025,,,,,", "REC", None, "is given when DEC is"),
        ("C01,01/02/2020,P,C2,N1,U2,PR1,,,,,,", "DECOM", "01/02/2020", "two episodes at once"),
    ],
)
def test_an_impossible_episode_is_an_error_naming_file_row_column_value(
    ref: lacompare.ReferenceData,
    extract: Path,
    tmp_path: Path,
    line: str,
    column: str,
    value: str | None,
    rule: str,
) -> None:
    shutil.copytree(extract, tmp_path / "x")
    episodes = tmp_path / "x" / "episodes.csv"
    rows = episodes.read_text().splitlines()
    episodes.write_text("\n".join([*rows, line]) + "\n")
    with pytest.raises(DataValidationError) as caught:
        figures_from_903(tmp_path / "x", la="Derby", year=2026, ref=ref)
    message = str(caught.value)
    assert f"episodes.csv, row {len(rows) + 1}, column {column!r}" in message, message
    assert rule in message
    if value:
        assert repr(value) in message


def test_overlapping_episodes_name_the_earlier_row(
    ref: lacompare.ReferenceData, extract: Path, tmp_path: Path
) -> None:
    shutil.copytree(extract, tmp_path / "x")
    episodes = tmp_path / "x" / "episodes.csv"
    text = episodes.read_text().replace(
        "C24,02/10/2023,S,C2,N1,U1,PR1,,", "C24,02/10/2023,S,C2,N1,U1,PR1,01/07/2025,E4A"
    )
    episodes.write_text(text + "C24,01/06/2025,S,C2,N1,U2,PR1,,,,,,\n")
    with pytest.raises(DataValidationError, match=r"must not overlap"):
        figures_from_903(tmp_path / "x", la="Derby", year=2026, ref=ref)


def test_a_year_the_extract_does_not_cover_is_named(
    ref: lacompare.ReferenceData, extract: Path
) -> None:
    with pytest.raises(DataValidationError, match=r"no episode begins or ends in 2010-11"):
        figures_from_903(extract, la="Derby", year=2011, ref=ref)
    with pytest.raises(InvalidArgumentError, match=r"has not begun"):
        figures_from_903(extract, la="Derby", year=2030, ref=ref)


# -- into the local layer and the comparison ------------------------------------------------


def test_the_frame_flows_through_with_local_into_compare(
    ref: lacompare.ReferenceData, figures: pl.DataFrame
) -> None:
    local = ref.with_local(figures)
    derby = lacompare.compare(local, "Derby")
    lac = derby.filter(pl.col("indicator_id") == "lac").row(0, named=True)
    assert lac["la_local"] and lac["period"] == "2026" and lac["la_value"] == 3.5
    assert lac["comparator_period"] == "2025"
    shown = derby.filter(pl.col("la_local")).get_column("indicator_id").to_list()
    assert set(shown) == set(fixture.EXPECTED)
    assert local.local is not None and local.local.get_column("note").drop_nulls().len() > 0


# -- identities on generated extracts ---------------------------------------------------------


@pytest.fixture(scope="module")
def generated() -> dict[str, pl.DataFrame]:
    return parse_extract(read_extract(_written(synthetic_903(children=600, seed=11))))[0]


_TMP: list[Path] = []


def _written(tables: dict[str, pl.DataFrame]) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="lacompare-903-"))
    _TMP.append(folder)
    for name, frame in tables.items():
        frame.write_csv(folder / f"{name}.csv")
    return folder


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_children_at_31_march_are_last_years_plus_starts_less_ceases(
    generated: dict[str, pl.DataFrame], year: int
) -> None:
    care = care_episodes(generated["episodes"])
    now, before = CollectionYear(year), CollectionYear(year - 1)
    at_end = at_year_end(care, now).height
    at_start = at_year_end(care, before).height
    periods_started = starts_in_year(care, now).get_column("periods").sum()
    periods_ended = ceases_in_year(care, now).get_column("ceases").sum()
    assert at_end == at_start + periods_started - periods_ended
    assert periods_started > 20 and periods_ended > 20  # the identity is not vacuous


def test_generated_figures_are_consistent_with_each_other(ref: lacompare.ReferenceData) -> None:
    folder = write_synthetic_903(_written({}) / "x", children=800, seed=5)
    values = dict(
        derive_903(folder, la="Derby", year=2026, ref=ref)
        .figures.select("indicator_id", "numerator")
        .iter_rows()
    )
    ceased = values["lacceased"]
    reasons = ["no_of_lac_adopted", "lac_ceased_sgo"]
    assert sum(values[r] for r in reasons) <= ceased
    assert (
        values["no_of_lac_adopted"]
        == values["lacnum_adopt_appunop"] + values["lacnum_adopt_consentdisp"]
    )
    assert values["unacc_asylmn_seek_childn"] <= values["lacnum"]
    assert (
        values["careleavereetnum"] + values["careleavers_la_notintouch"] <= values["nocareleavers"]
    )
    assert values["lac_longstablenum"] <= values["lacnum"]


def test_generator_is_seeded_and_its_extract_passes_every_rule(
    ref: lacompare.ReferenceData,
) -> None:
    first, again = synthetic_903(children=300, seed=7), synthetic_903(children=300, seed=7)
    assert all(first[t].equals(again[t]) for t in first)
    assert not synthetic_903(children=300, seed=8)["episodes"].equals(first["episodes"])
    problems = check_903(_written(first), la="Derby", year=2026, ref=ref)
    assert problems.filter(pl.col("severity") == "error").height == 0


def test_a_local_figure_for_a_published_year_is_refused(ref: lacompare.ReferenceData) -> None:
    folder = write_synthetic_903(_written({}) / "y", children=300, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Ssda903Warning)
        published_year = figures_from_903(folder, la="Derby", year=2025, ref=ref)
    with pytest.raises(DataValidationError, match="already published"):
        ref.with_local(published_year)


def test_one_year_tables_of_another_year_are_not_used(ref: lacompare.ReferenceData) -> None:
    """A five-year extract whose oc2, oc3 and missing tables are 2025-26's: asked for 2024-25,
    the episode figures are produced and those tables' figures are not, saying why."""
    folder = write_synthetic_903(_written({}) / "z", children=600, seed=4)
    derived = derive_903(folder, la="Derby", year=2025, ref=ref)
    produced = set(derived.figures.get_column("indicator_id"))
    assert {"lacnum", "lacceased", "lacstable_2016on", "lac_longstablepct"} <= produced
    assert not produced & {"lachealthpct", "emotional_lac", "careleavereet", "children_missing"}
    notes = " ".join(derived.problems.get_column("rule").to_list())
    assert "the oc2 table does not look like 2024-25's" in notes
    assert "the oc3 table does not look like 2024-25's" in notes
    this_year = set(derive_903(folder, la="Derby", year=2026, ref=ref).figures["indicator_id"])
    assert {"lachealthpct", "careleavereet", "children_missing"} <= this_year


def test_a_later_episode_changes_nothing_in_the_year(
    ref: lacompare.ReferenceData, extract: Path, tmp_path: Path, figures: pl.DataFrame
) -> None:
    """An extract taken after the year holds episodes that begin after 31 March: they count
    for nothing in the year, and the small one-year tables are still this year's."""
    shutil.copytree(extract, tmp_path / "x")
    episodes = tmp_path / "x" / "episodes.csv"
    episodes.write_text(episodes.read_text() + "C40,15/04/2026,S,C2,N1,U1,PR1,,,,,,\n")
    assert _counts(derive_903(tmp_path / "x", la="Derby", year=2026, ref=ref).figures) == _counts(
        figures
    )
