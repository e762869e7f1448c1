"""Own CIN and child protection figures from a CIN census return (issue 30)."""

from __future__ import annotations

import time
import warnings
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import lacompare
from cin_hand_checked import CURRENT, EXPECTED, PREVIOUS
from lacompare.cin import CinWarning, figures_from_cin
from lacompare.cin.days import bank_holidays, working_days
from lacompare.cin.parse import typed_tables
from lacompare.cin.read import read_return
from lacompare.cin.synthetic import as_returned, simulate, write_return

OUTSIDE = Path(__file__).resolve().parents[2] / "shared" / "outside" / "data-to-insight" / "cin"
CENSUS = date(2026, 3, 31)


@pytest.fixture(scope="module")
def hand_checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cin")
    current = write_return(folder / "cin_2026.xml", CURRENT, census=CENSUS)
    previous = write_return(folder / "cin_2025.xml", PREVIOUS, census=date(2025, 3, 31))
    return current, previous


def _figures(path: Path, **kwargs: object) -> pl.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CinWarning)
        return figures_from_cin(path, year=2026, **kwargs)  # type: ignore[arg-type]


def _pairs(figures: pl.DataFrame) -> dict[str, tuple[int, int | None]]:
    return {
        row["indicator_id"]: (row["numerator"], row["denominator"])
        for row in figures.iter_rows(named=True)
    }


def test_a_hand_checked_return_gives_every_indicator(
    ref: lacompare.ReferenceData, hand_checked: tuple[Path, Path]
) -> None:
    current, previous = hand_checked
    figures = _figures(current, la="Derby", previous=previous, ref=ref)
    assert _pairs(figures) == EXPECTED
    assert len(EXPECTED) == 40
    row = figures.filter(pl.col("indicator_id") == "revcp").row(0, named=True)
    assert (row["value"], row["status"], row["area"], row["period"]) == (
        50.0,
        "local",
        "Derby",
        "2026",
    )
    assert "PROPOSED" in row["note"]
    rate = figures.filter(pl.col("indicator_id") == "cin").row(0, named=True)
    assert rate["value"] == round(12 * 10_000 / 62_113, 1)
    assert "rate per 10,000 children aged 0-17" in rate["note"]


def test_without_the_previous_return_the_look_back_says_so(
    ref: lacompare.ReferenceData, hand_checked: tuple[Path, Path]
) -> None:
    current, _ = hand_checked
    figures = _figures(current, ref=ref)  # la= left out: the LEA code (831) says Derby
    pairs = _pairs(figures)
    assert pairs["rereferral"] == (2, 15)  # K13's earlier referral is in last year's only
    note = figures.filter(pl.col("indicator_id") == "rereferral").get_column("note").item()
    assert "the look-back used the current return alone" in note
    assert figures.get_column("area").unique().to_list() == ["Derby"]


def test_the_missing_previous_plan_count_is_warned_in_the_notes(
    ref: lacompare.ReferenceData, hand_checked: tuple[Path, Path]
) -> None:
    current, previous = hand_checked
    with pytest.warns(CinWarning, match="1 warning"):
        figures = figures_from_cin(current, la="Derby", year=2026, previous=previous, ref=ref)
    note = figures.filter(pl.col("indicator_id") == "reregcpr").get_column("note").item()
    assert "NumberOfPreviousCPP" in note and "K6" in note


def test_the_figures_flow_into_the_comparison(
    ref: lacompare.ReferenceData, hand_checked: tuple[Path, Path]
) -> None:
    current, previous = hand_checked
    local = ref.with_local(_figures(current, la="Derby", previous=previous, ref=ref))
    rows = lacompare.compare(local, "Derby", indicators=["CIN", "ReReferral", "CPP_Num"])
    assert rows.get_column("la_local").all()
    assert set(rows.get_column("period").to_list()) == {"2026"}
    assert rows.filter(pl.col("indicator_id") == "rereferral").get_column("la_value").item() == 20.0


#: England and Wales bank holidays from GOV.UK (https://www.gov.uk/bank-holidays), the weekday
#: dates, 2022 to 2026, one-off days included.
GOV_UK = {
    date(2022, 1, 3), date(2022, 4, 15), date(2022, 4, 18), date(2022, 5, 2), date(2022, 6, 2),
    date(2022, 6, 3), date(2022, 8, 29), date(2022, 9, 19), date(2022, 12, 26),
    date(2022, 12, 27), date(2023, 1, 2), date(2023, 4, 7), date(2023, 4, 10), date(2023, 5, 1),
    date(2023, 5, 8), date(2023, 5, 29), date(2023, 8, 28), date(2023, 12, 25),
    date(2023, 12, 26), date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6),
    date(2024, 5, 27), date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26),
    date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26),
    date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1),
    date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31),
    date(2026, 12, 25), date(2026, 12, 28),
}  # fmt: skip


def test_bank_holidays_are_gov_uks() -> None:
    weekdays = {day for day in bank_holidays(2022, 2026) if day.weekday() < 5}
    assert weekdays == GOV_UK


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2022, 9, 16), date(2022, 9, 20), 1),  # the state funeral, Monday 19 September
        (date(2023, 5, 5), date(2023, 5, 9), 1),  # the coronation, Monday 8 May
        (date(2025, 7, 1), date(2025, 7, 1), 0),  # the same day
        (date(2025, 4, 11), date(2025, 6, 19), 45),  # across Easter and two May holidays
        (date(2025, 12, 24), date(2026, 1, 2), 4),  # Christmas, Boxing Day, New Year
        (date(2025, 3, 29), date(2025, 3, 31), 1),  # from a Saturday
    ],
)
def test_working_days(start: date, end: date, days: int) -> None:
    frame = pl.DataFrame({"a": [start], "b": [end]})
    counted = frame.select(working_days(pl.col("a"), pl.col("b"), bank_holidays(2022, 2026)))
    assert counted.item() == days


# --------------------------------------------------------------------------------------------
# Bad returns: a lacompare error naming what is wrong


def _one_child(tmp_path: Path, **episode: object) -> Path:
    base = {"referral": date(2025, 6, 1), "source": "1A", "need": "N1", "nfa": False}
    child = {"id": "BAD1", "birth": date(2015, 1, 1), "episodes": [base | episode]}
    return write_return(tmp_path / "return.xml", [child], census=CENSUS)


def test_a_file_that_is_not_xml_is_named(tmp_path: Path, ref: lacompare.ReferenceData) -> None:
    path = tmp_path / "return.xml"
    path.write_text("LAchildID,CINreferralDate\nA1,2025-06-01\n")
    with pytest.raises(lacompare.SourceFileError, match=r"return\.xml: not a well-formed XML"):
        figures_from_cin(path, la="Derby", year=2026, ref=ref)


def test_an_impossible_date_names_the_child_element_and_value(
    tmp_path: Path, ref: lacompare.ReferenceData
) -> None:
    path = _one_child(tmp_path)
    path.write_text(path.read_text().replace("2025-06-01", "2025-02-30"))
    with pytest.raises(lacompare.DataValidationError) as raised:
        figures_from_cin(path, la="Derby", year=2026, ref=ref)
    assert "child BAD1, CINreferralDate: value '2025-02-30'" in str(raised.value)
    assert "YYYY-MM-DD" in str(raised.value)


def test_an_unknown_reason_for_closure_is_refused(
    tmp_path: Path, ref: lacompare.ReferenceData
) -> None:
    path = _one_child(tmp_path, closure=date(2025, 9, 1), reason="RC10")
    with pytest.raises(
        lacompare.DataValidationError, match=r"ReasonForClosure: value 'RC10'.*RC1 to RC9"
    ):
        figures_from_cin(path, la="Derby", year=2026, ref=ref)


def test_a_return_for_another_year_names_both(tmp_path: Path, ref: lacompare.ReferenceData) -> None:
    path = _one_child(tmp_path)
    with pytest.raises(
        lacompare.DataValidationError, match=r"31 March 2026.*year=2025.*31 March 2025"
    ):
        figures_from_cin(path, la="Derby", year=2025, ref=ref)


def test_another_authoritys_return_is_refused(tmp_path: Path, ref: lacompare.ReferenceData) -> None:
    path = _one_child(tmp_path)
    with pytest.raises(lacompare.DataValidationError, match="Derby's \\(LEA 831\\), not Rutland's"):
        figures_from_cin(path, la="Rutland", year=2026, ref=ref)


@pytest.mark.parametrize(
    ("episode", "rule"),
    [
        ({"closure": date(2025, 5, 1), "reason": "RC1"}, "CINclosureDate is on or after"),
        ({"plans": [{"start": date(2025, 7, 1), "end": date(2025, 6, 1), "previous": 0}]},
         "CPPendDate is on or after CPPstartDate"),
        ({"icpc": date(2025, 6, 20), "s47s": [{"start": date(2025, 6, 2),
                                              "icpc": date(2025, 6, 20)}]},
         "recorded in Section47 or at CINdetails level"),
        ({"closure": date(2026, 4, 2), "reason": "RC1"}, "on or before the census date"),
    ],
)  # fmt: skip
def test_the_rules_that_change_the_figures(
    tmp_path: Path, ref: lacompare.ReferenceData, episode: dict, rule: str
) -> None:
    path = _one_child(tmp_path, **episode)
    with pytest.raises(lacompare.DataValidationError, match=rule):
        figures_from_cin(path, la="Derby", year=2026, ref=ref)


def test_a_child_twice_and_overlapping_episodes(
    tmp_path: Path, ref: lacompare.ReferenceData
) -> None:
    first = {"referral": date(2025, 6, 1), "source": "1A", "need": "N1", "nfa": False}
    second = first | {"referral": date(2025, 8, 1)}
    children = [
        {"id": "TWICE", "episodes": [first]},
        {"id": "TWICE", "episodes": [first]},
        {"id": "OVERLAP", "episodes": [first, second]},
    ]
    path = write_return(tmp_path / "r.xml", children, census=CENSUS)
    with pytest.raises(lacompare.DataValidationError) as raised:
        figures_from_cin(path, la="Derby", year=2026, ref=ref)
    assert "child TWICE, LAchildID" in str(raised.value)
    assert "child OVERLAP, CINreferralDate: value '2025-08-01'" in str(raised.value)


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID>
</ChildIdentifiers></Child></Children></Message>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE m [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&secret;</LAchildID>
</ChildIdentifiers></Child></Children></Message>
"""


@pytest.mark.parametrize("text", [BOMB, EXTERNAL], ids=["entity bomb", "external entity"])
def test_an_entity_bomb_is_refused_at_once(
    tmp_path: Path, ref: lacompare.ReferenceData, text: str
) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(text)
    started = time.perf_counter()
    with pytest.raises(lacompare.SourceFileError, match="refused: the file declares a DTD"):
        figures_from_cin(path, la="Derby", year=2026, ref=ref)
    assert time.perf_counter() - started < 1.0


# --------------------------------------------------------------------------------------------
# Generated returns: the counts hang together from one year to the next


def test_identities_between_two_years(tmp_path: Path, ref: lacompare.ReferenceData) -> None:
    world = simulate(2026, 1500, seed=11)
    paths = {
        year: write_return(tmp_path / f"{year}.xml", as_returned(world, year),
                           census=date(year, 3, 31))
        for year in (2025, 2026)
    }  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CinWarning)
        now = _pairs(figures_from_cin(paths[2026], year=2026, previous=paths[2025], ref=ref))
        before = _pairs(figures_from_cin(paths[2025], year=2025, ref=ref))
    # Non-NFA episodes opened and closed in the year, counted from the return's own tables.
    episodes = typed_tables(read_return(paths[2026]).tables)[0]["episodes"].filter(~pl.col("nfa"))
    in_year = pl.col("referral").is_between(date(2025, 4, 1), CENSUS)
    opened = episodes.filter(in_year).height
    closed = episodes.filter(pl.col("closure").is_between(date(2025, 4, 1), CENSUS)).height
    assert now["cin"][0] == before["cin"][0] + opened - closed
    assert now["cpp_num"][0] == before["cpp_num"][0] + now["cpp_abuse"][0] - now["deregcpr"][0]
    assert now["cin"][0] > 200 and now["cpp_num"][0] > 20  # a return of realistic size


# --------------------------------------------------------------------------------------------
# data-to-insight's fake returns (several hold deliberate errors)


@pytest.mark.skipif(
    not OUTSIDE.is_dir(),
    reason="../shared/outside (data-to-insight's fake CIN returns) is not beside the repository",
)
@pytest.mark.parametrize(
    "name", sorted(p.name for p in OUTSIDE.glob("*.xml")) if OUTSIDE.is_dir() else []
)
def test_data_to_insights_fake_returns(name: str, ref: lacompare.ReferenceData) -> None:
    path = OUTSIDE / name
    header = read_return(path)
    year = int((header.reference_date or "2024")[:4])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CinWarning)
            figures = figures_from_cin(path, year=year, ref=ref)
    except lacompare.LacompareError as error:
        message = str(error)
        assert str(path) in message
        assert "rule" in message  # what is wrong, and the rule it breaks
        assert "fault in lacompare" not in message
    else:
        assert figures.height > 0


# --------------------------------------------------------------------------------------------
# The command line


def test_lacompare_figures_from_a_cin_return(
    tmp_path: Path, hand_checked: tuple[Path, Path]
) -> None:
    from test_cli import run

    current, previous = hand_checked
    out = tmp_path / "figures.csv"
    done = run("figures", "--cin", str(current), "--previous", str(previous), "--year", "2026",
               "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Derby: own figures for the year to 31 March 2026" in done.stdout
    assert "warning: " in done.stdout and "1 warning(s)" in done.stdout
    written = pl.read_csv(out)
    assert written.height == 40
    assert (
        written.filter(pl.col("indicator_id") == "cp_conf_15days").row(0, named=True)["numerator"]
        == 2
    )
    other = run("figures", "--cin", str(current), "--la", "Rutland", "--year", "2026")
    assert other.returncode == 1 and "not Rutland's" in other.stderr


def test_a_paper_with_both_returns(tmp_path: Path, hand_checked: tuple[Path, Path]) -> None:
    import ssda903_fixture
    from test_cli import run

    current, previous = hand_checked
    extract = ssda903_fixture.write(tmp_path / "extract")
    done = run("paper", "--la", "Derby", "--paper", "headline", "--cin", str(current),
               "--previous", str(previous), "--ssda903", str(extract), "--year", "2026",
               "--format", "html,data", "--out", str(tmp_path), "--date", "2026-12-04")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = pl.read_parquet(next(tmp_path.glob("*.data.parquet")))
    local = rows.filter(pl.col("la_local")).get_column("indicator_id").to_list()
    assert "cin" in local and "cpp_rate" in local  # from the CIN return
    assert "lac" in local  # from the 903 extract
    page = next(tmp_path.glob("*.html")).read_text()
    assert "From CIN census return cin_2026.xml (2025-26)" in page
    assert "SSDA903" in page


def test_absent_closure_reason_and_an_early_review_are_warned(
    tmp_path: Path, ref: lacompare.ReferenceData
) -> None:
    """Elements the figures can do without reach the notes, not an error: a closed episode
    with no ReasonForClosure counts as ceased; a review before its plan began is left out."""
    child = {"id": "W1", "episodes": [
        {"referral": date(2025, 5, 1), "source": "1A", "need": "N1", "nfa": False,
         "closure": date(2025, 9, 1)},
        {"referral": date(2025, 10, 1), "source": "1A", "need": "N1", "nfa": False,
         "icpc": date(2025, 10, 2),
         "plans": [{"start": date(2025, 10, 2), "previous": 0,
                    "reviews": [date(2025, 10, 1)]}]}]}  # fmt: skip
    path = write_return(tmp_path / "w.xml", [child], census=CENSUS)
    with pytest.warns(CinWarning, match="2 warning"):
        figures = figures_from_cin(path, la="Derby", year=2026, ref=ref)
    pairs = _pairs(figures)
    assert pairs["cincease3_6"] == (1, 1)  # 1 May to 1 September: 4 months
    assert pairs["revcp"] == (0, 1)  # the early review does not count: none by 2 January
    notes = dict(figures.select("indicator_id", "note").iter_rows())
    assert "ReasonForClosure" in notes["cincease3_6"]
    assert "CPPreviewDate" in notes["revcp"]
