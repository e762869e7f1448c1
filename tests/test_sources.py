"""Readers: published symbols, period labels, EES files, and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lacompare.errors import DataValidationError, SourceFileError
from lacompare.periods import check_period_labels, period_label_status, period_year
from lacompare.sources import check_values, parse_values, read_ees


def parse(raw: list[str]) -> pl.DataFrame:
    value, status = parse_values(pl.col("raw"))
    return pl.DataFrame({"raw": raw}).with_columns(_value=value, status=status)


def test_symbols_become_null_with_status() -> None:
    symbols = ["c", "x", "z", "low", "k", "u", ":", "..", "-", " C "]
    out = parse(symbols)
    assert out.get_column("_value").null_count() == len(symbols)
    assert out.get_column("status").to_list() == [
        "suppressed",
        "not_available",
        "not_applicable",
        "low",
        "low",
        "unreliable",
        "not_available",
        "not_available",
        "not_available",
        "suppressed",
    ]


def test_numbers_parse_and_padding_is_trimmed() -> None:
    out = parse(["12.5", " 7 ", "0", "4.7980000000000002E-2"])
    assert out.get_column("_value").to_list() == [12.5, 7.0, 0.0, 0.04798]
    assert out.get_column("status").null_count() == 4


@pytest.mark.parametrize("bad", ["nan", "inf", "", "twelve", "?", "1,234"])
def test_unknown_values_are_errors_naming_row_and_column(bad: str) -> None:
    out = parse(["1", bad])
    with pytest.raises(DataValidationError) as error:
        check_values(out, "raw", "status", source="file.csv")
    message = str(error.value)
    assert "file.csv" in message and "column 'raw'" in message and "row 1" in message


def test_period_labels() -> None:
    labels = [
        "2016",
        "2016-17",
        "2016/17",
        "2014-16",
        "2021/22-23/24",
        "2018 (Rev)",
        "2025 (prov)",
        "2025 (Prov)",
        "2020 (Final)",
        "2016-17 (OT)",
        "0",
    ]
    frame = pl.DataFrame({"p": labels})
    check_period_labels(frame, "p", source="t")
    out = frame.select(year=period_year(pl.col("p")), status=period_label_status(pl.col("p")))
    assert out.get_column("year").to_list() == [
        2016,
        2016,
        2016,
        2014,
        2021,
        2018,
        2025,
        2025,
        2020,
        2016,
        0,
    ]
    assert out.get_column("status").to_list() == [
        "published",
        "published",
        "published",
        "published",
        "published",
        "revised",
        "provisional",
        "provisional",
        "final",
        "outturn",
        "published",
    ]


@pytest.mark.parametrize("bad", ["16-17", "2016 (draft)", "FY2016", "", "2016 ("])
def test_bad_period_label_names_row(bad: str) -> None:
    with pytest.raises(DataValidationError, match=r"column 'p'.*row 1"):
        check_period_labels(pl.DataFrame({"p": ["2016", bad]}), "p", source="t")


EES_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,count\n"
)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "ees.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_read_ees_resolves_area_codes_and_symbols(tmp_path: Path) -> None:
    text = (
        "\ufeff"
        + EES_HEADER
        + "2025,Reporting year,National,E92000001,England,,,,,,100\r\n"
        + "2025,Reporting year,Regional,E92000001,England,E12000004,East Midlands,,,,c\r\n"
        + "2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,831,"
        "E06000015,Derby, 7 \r\n"
    )
    out = read_ees(write(tmp_path, text), ["count"])
    assert out.get_column("area_code").to_list() == ["E92000001", "E12000004", "E06000015"]
    assert out.get_column("count").to_list() == [100.0, None, 7.0]
    assert out.get_column("year").to_list() == [2025, 2025, 2025]


def test_read_ees_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, "time_period,geographic_level\n2025,National\n")
    with pytest.raises(SourceFileError, match=r"ees.csv: missing column\(s\)"):
        read_ees(path, ["count"])


def test_read_ees_unknown_symbol(tmp_path: Path) -> None:
    text = EES_HEADER + "2025,Reporting year,National,E92000001,England,,,,,,n/a\n"
    with pytest.raises(DataValidationError, match=r"ees.csv: column 'count'.*row 0 'n/a'"):
        read_ees(write(tmp_path, text), ["count"])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="file not found"):
        read_ees(tmp_path / "nope.csv", ["count"])


def test_ees_period_labels() -> None:
    from lacompare.sources import ees_period_label

    frame = pl.DataFrame(
        {
            "t": ["2025", "2024", "202425", "202324", "2025"],
            "i": ["Reporting year", "Calendar year", "Financial year", "Academic year", "Week 12"],
        }
    )
    out = frame.select(ees_period_label(pl.col("t"), pl.col("i"))).to_series().to_list()
    assert out == ["2025", "2024", "2024-25", "2023/24", None]


def test_ees_observations_from_a_real_download(ref, shared_data: Path) -> None:
    from lacompare.sources import ees_observations

    observations = ees_observations(
        shared_data / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "rereferral",
        value="rereferral_percent",
        numerator="rereferral_count",
        denominator="referral_count",
        areas=ref.areas,
    )
    derby = observations.filter(pl.col("area_code") == "E06000015", pl.col("period") == "2025")
    assert derby.select("value", "numerator", "denominator").row(0) == (23.1, 823.0, 3557.0)
    # Suppressed figures stay null with their status; none became zero.
    assert set(observations.filter(pl.col("value").is_null())["status"]) <= {
        "suppressed",
        "not_available",
        "unreliable",
        "low",
        "not_applicable",
    }
    # Barnsley's rows under its pre-2025 ONS code are filed under today's code.
    assert observations.filter(pl.col("area_code") == "E08000038").height > 10


def test_ees_observations_rejects_unknown_areas(ref, tmp_path: Path) -> None:
    from lacompare.sources import ees_observations

    text = (
        EES_HEADER + "2025,Reporting year,Local authority,E92000001,England,E12000004,"
        "East Midlands,999,E06999999,Nowhere,5\n"
    )
    with pytest.raises(DataValidationError, match=r"column 'new_la_code'.*rows 1"):
        ees_observations(write(tmp_path, text), "x", value="count", areas=ref.areas)
