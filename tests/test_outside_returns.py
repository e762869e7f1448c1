"""Returns lacompare's authors did not write (issue 28, section 5).

data-to-insight's fake SSDA903 extract (the validator councils use; MIT) is read from
``../shared/outside/`` and never copied here: every year it covers gives figures or named
errors, never a panic or a traceback. The six-episode shape that made polars panic inside the
overlapping-episodes rule is kept as a test of its own (our own rows, the same shape).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.errors import DataValidationError, SourceFileError, reading

OUTSIDE = Path(__file__).resolve().parents[2] / "shared" / "outside" / "data-to-insight"


@pytest.fixture(scope="module")
def fake_903() -> Path:
    folder = OUTSIDE / "903"
    if not (folder / "episodes.csv").is_file():
        pytest.skip(f"data-to-insight's fake 903 extract not found at {folder} (../shared absent)")
    return folder


@pytest.mark.parametrize("year", [2015, 2016, 2017, 2018, 2019])
def test_fake_903_gives_named_errors_for_every_year(
    ref: lacompare.ReferenceData, fake_903: Path, year: int
) -> None:
    # Their extract holds deliberate errors: episodes that overlap (DfE rule 502) and X1
    # chains that break. Each must be named with file, row, column, value and rule.
    with pytest.raises(DataValidationError) as raised:
        lacompare.figures_from_903(fake_903, la="Derby", year=year, ref=ref)
    message = str(raised.value)
    assert "episodes.csv, row " in message and "column 'DECOM'" in message
    assert "breaks the rule: DECOM is on or after the end of the child's episode" in message
    assert "(DfE rule 502)" in message


def test_fake_903_check_lists_every_problem(ref: lacompare.ReferenceData, fake_903: Path) -> None:
    problems = lacompare.check_903(fake_903, la="Derby", year=2018, ref=ref)
    counts = dict(
        problems.group_by("severity", "column")
        .len()
        .select(pl.concat_str("severity", "column", separator=" "), "len")
        .iter_rows()
    )
    # What their data holds, as a council's analyst would act on it (recorded 2026-12-04):
    # 72 overlapping episodes, 12 broken X1 chains, 1,413 open episodes carrying a reason
    # for ending, 3 care leavers' accommodation codes not in DfE's list.
    assert counts == {
        "error DECOM": 72,
        "error REC": 12,
        "warning REC": 1413,
        "warning ACCOM": 3,
    }
    assert problems.filter(pl.col("row").is_null()).height == 0
    assert set(problems.get_column("file").to_list()) <= {"episodes.csv", "oc3.csv"}


@pytest.mark.parametrize("name", ["fake_903.xml"])
def test_fake_903_xml_is_refused_with_a_named_error(
    ref: lacompare.ReferenceData, name: str
) -> None:
    path = OUTSIDE / "903-xml" / name
    if not path.is_file():
        pytest.skip(f"{path} not found (../shared absent)")
    with pytest.raises(lacompare.LacompareError) as raised:
        lacompare.figures_from_903(path, la="Derby", year=2018, ref=ref)
    assert name in str(raised.value)


# The shape that made polars' str.format panic ("assertion failed: i < self.len()") in the
# overlapping-episodes rule: two children, one whose open episode carries a reason for ending
# and is followed by another, one whose third episode starts inside its second.
COLUMNS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST"
PANIC_EPISODES = f"""{COLUMNS},PL_POST,URN
900001,08/06/2016,P,L2,N1,T4,PR1,22/12/2017,X1,,DE1 1AA,DE1 2AA,
900001,22/12/2017,P,L2,N1,U5,PR1,,E3,,DE1 1AA,DE1 2AA,
900001,21/03/2018,S,J1,N1,A5,PR1,,X1,,DE1 1AA,DE1 2AA,
900002,29/08/2015,P,J2,N1,U5,PR1,05/08/2017,X1,,DE1 1AA,DE1 2AA,
900002,05/08/2017,P,J2,N1,U3,PR1,31/10/2017,E6,,DE1 1AA,DE1 2AA,
900002,29/07/2017,S,L3,N1,U6,PR1,,X1,,DE1 1AA,DE1 2AA,
"""
PANIC_HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
900001,1,01/01/2005,WBRI,A123456789012,,
900002,2,01/01/2004,WBRI,A123456789013,,
"""


def test_the_shape_that_made_polars_panic_gives_named_errors(
    ref: lacompare.ReferenceData, tmp_path: Path
) -> None:
    (tmp_path / "episodes.csv").write_text(PANIC_EPISODES, encoding="utf-8")
    (tmp_path / "header.csv").write_text(PANIC_HEADER, encoding="utf-8")
    problems = lacompare.check_903(tmp_path, la="Derby", year=2018, ref=ref)
    overlap = problems.filter(pl.col("rule").str.contains("must not overlap"))
    assert overlap.select("row", "value").rows() == [(7, "29/07/2017")]  # row 1 is the header
    assert "row 5, ending 05/08/2017" in overlap.get_column("rule")[0]
    with pytest.raises(DataValidationError, match=r"episodes.csv, row 7, column 'DECOM'"):
        lacompare.figures_from_903(tmp_path, la="Derby", year=2018, ref=ref)


def test_an_engine_panic_reaches_the_user_as_a_named_error(tmp_path: Path) -> None:
    """pyo3's PanicException is a BaseException: the net catches it and names the step."""
    panic = type("PanicException", (BaseException,), {})
    with pytest.raises(SourceFileError, match=r"extract\.csv: reading the 903 extract failed"):
        with reading(tmp_path / "extract.csv", "reading the 903 extract"):
            raise panic("assertion failed: i < self.len()")
    with pytest.raises(KeyboardInterrupt):
        with reading(tmp_path, "anything"):
            raise KeyboardInterrupt
