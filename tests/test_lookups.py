"""Finding areas and indicators by the names and codes analysts actually type."""

from __future__ import annotations

import pytest

import lacompare


@pytest.mark.parametrize(
    "query", ["Derby", "derby", " DERBY ", 831, "831", "E06000015", "e06000015"]
)
def test_find_derby_every_way(ref: lacompare.ReferenceData, query) -> None:
    area = ref.find_area(query)
    assert (area["area_code"], area["name"], area["old_la_code"]) == ("E06000015", "Derby", 831)
    assert area["region_name"] == "East Midlands"


def test_former_code_and_alternative_name(ref: lacompare.ReferenceData) -> None:
    assert ref.find_area("E08000016")["name"] == "Barnsley"  # code before the 2025 change
    assert ref.find_area("County Durham")["name"] == "Durham"  # EES spelling of LAIT's name
    assert ref.find_area("Kingston upon Hull, City of")["old_la_code"] == 810


def test_unknown_area_suggests(ref: lacompare.ReferenceData) -> None:
    with pytest.raises(lacompare.UnknownAreaError, match="did you mean 'Derby'"):
        ref.find_area("Derbyy")
    with pytest.raises(lacompare.UnknownAreaError, match="no area matches 999"):
        ref.find_area(999)
    with pytest.raises(lacompare.UnknownAreaError):
        ref.find_area("E99999999")


def test_predecessor_names_successors(ref: lacompare.ReferenceData) -> None:
    assert ref.find_area("Cumbria")["current"] is False  # still findable for history
    with pytest.raises(lacompare.PredecessorAreaError) as error:
        ref.find_area("Cumbria", current=True)
    assert "Cumberland and Westmorland and Furness" in str(error.value)
    with pytest.raises(lacompare.PredecessorAreaError, match="North Northamptonshire"):
        ref.area_code(928, current=True)
    with pytest.raises(lacompare.PredecessorAreaError, match="Bournemouth, Christchurch and Poole"):
        ref.neighbours_of("Poole")


def test_london_boroughs_have_inner_or_outer(ref: lacompare.ReferenceData) -> None:
    camden = ref.find_area("Camden")
    assert camden["region_code"] == "E12000007" and camden["sub_region_code"] == "E13000001"
    assert ref.find_area("Barnet")["sub_region_code"] == "E13000002"


def test_find_indicator(ref: lacompare.ReferenceData) -> None:
    by_code = ref.find_indicator("CPP_rate")
    assert by_code["indicator_id"] == "cpp_rate"
    assert ref.find_indicator("cpp_rate") == by_code
    assert by_code["unit"] == "rate_per_10000"
    lac = ref.find_indicator("LAC")
    # LAIT says one place; DfE publishes the series in whole numbers (88, 67).
    assert (lac["unit"], lac["polarity"], lac["decimals"]) == ("rate_per_10000", "neutral", 0)
    rereferral = ref.find_indicator("ReReferral")
    assert (rereferral["unit"], rereferral["polarity"]) == ("percent", "low")


def test_unknown_indicator_suggests(ref: lacompare.ReferenceData) -> None:
    with pytest.raises(lacompare.UnknownIndicatorError, match="did you mean 'cpp_rate'"):
        ref.find_indicator("cpp_rat")


def test_search_indicators(ref: lacompare.ReferenceData) -> None:
    found = ref.search_indicators("looked after rate")
    assert "lac" in found.get_column("indicator_id").to_list()
    assert ref.search_indicators("no such words here").height == 0
    assert "Children Looked After" in ref.topics()


def test_two_topic_measure_keeps_both(ref: lacompare.ReferenceData) -> None:
    row = ref.find_indicator("CINPermExclusion")
    assert row["topics"] == ["Children in Need", "All Pupil Absence & Exclusions"]
    assert row["quartiles"] is False  # LAIT marks it No_Quartile
