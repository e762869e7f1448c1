"""The SSDA903 return as one XML file (the layout councils' systems send DfE): read with the
same hardened parser as the CIN census into the same tables as the CSV files (issue 30)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

import lacompare
from lacompare.ssda903.read import read_extract
from lacompare.ssda903.synthetic import write_903_xml, write_synthetic_903
from test_cin import BOMB

OUTSIDE = Path(__file__).resolve().parents[2] / "shared" / "outside" / "data-to-insight"


def _figures(source: Path, ref: lacompare.ReferenceData, year: int = 2026):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lacompare.Ssda903Warning)
        return lacompare.figures_from_903(source, la="Derby", year=year, ref=ref)


def test_the_xml_return_gives_the_same_figures_as_its_csv_files(
    tmp_path: Path, ref: lacompare.ReferenceData
) -> None:
    folder = write_synthetic_903(tmp_path / "csv", year=2026, children=600, seed=5)
    xml = write_903_xml(read_extract(folder).tables, tmp_path / "return.xml")
    from_csv, from_xml = _figures(folder, ref), _figures(xml, ref)
    assert from_csv.height >= 30
    # The same figures; only the notes' file names differ (oc2.csv / return.xml (OC2 elements)).
    assert_frame_equal(from_csv.drop("source", "note"), from_xml.drop("source", "note"))


def test_an_xml_error_names_the_element_and_its_place(
    tmp_path: Path, ref: lacompare.ReferenceData
) -> None:
    folder = write_synthetic_903(tmp_path / "csv", year=2026, children=50, seed=5)
    xml = write_903_xml(read_extract(folder).tables, tmp_path / "return.xml")
    text = xml.read_text()
    first = text.index("<DECOM>") + len("<DECOM>")
    xml.write_text(text[:first] + "31/02/2025" + text[first + 10 :])
    with pytest.raises(lacompare.DataValidationError) as raised:
        _figures(xml, ref)
    assert "return.xml (EPISODE elements), row 1, column 'DECOM': value '31/02/2025'" in str(
        raised.value
    )


def test_a_bomb_or_a_cin_return_is_refused(tmp_path: Path, ref: lacompare.ReferenceData) -> None:
    bomb = tmp_path / "903.xml"
    bomb.write_text(BOMB)
    with pytest.raises(lacompare.SourceFileError, match="refused: the file declares a DTD"):
        _figures(bomb, ref)
    other = tmp_path / "cin.xml"
    other.write_text("<Message><Header/><Children/></Message>")
    with pytest.raises(lacompare.SourceFileError, match="not an SSDA903 return"):
        _figures(other, ref)


@pytest.mark.skipif(
    not (OUTSIDE / "903-xml").is_dir(),
    reason="../shared/outside (data-to-insight's fake 903 XML return) is not beside the repository",
)
@pytest.mark.parametrize("year", [2016, 2017, 2018])
def test_data_to_insights_fake_xml_return(year: int, ref: lacompare.ReferenceData) -> None:
    path = OUTSIDE / "903-xml" / "fake_903.xml"
    try:
        figures = _figures(path, ref, year)
    except lacompare.LacompareError as error:
        assert "fake_903.xml" in str(error) and "rule" in str(error)
        assert "fault in lacompare" not in str(error)
    else:
        assert figures.height > 0
