"""The lacompare command line, run as a user runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lacompare.cli import main
from lacompare.reference import FRAMES, OPTIONAL_FRAMES, default_reference_path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lacompare.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_help_reads_like_a_recipe() -> None:
    out = run("--help")
    assert out.returncode == 0
    assert "lacompare report --la Derby --format html,docx,xlsx --out out/" in out.stdout
    for command in ("report", "batch", "indicators", "areas", "validate", "refresh"):
        assert command in out.stdout


def test_report_writes_each_format(tmp_path: Path) -> None:
    out = run("report", "--la", "Derby", "--format", "html,docx,xlsx", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".docx", ".html", ".xlsx"]


def test_report_unknown_la_suggests(tmp_path: Path) -> None:
    out = run("report", "--la", "Derbyy", "--out", str(tmp_path))
    assert out.returncode == 1
    assert "did you mean 'Derby'" in out.stderr
    assert not list(tmp_path.iterdir())


def test_report_predecessor_names_successors(tmp_path: Path) -> None:
    out = run("report", "--la", "Northamptonshire", "--out", str(tmp_path))
    assert out.returncode == 1
    assert "North Northamptonshire and West Northamptonshire" in out.stderr


def test_report_bad_format_and_topic(tmp_path: Path) -> None:
    assert (
        "unknown format"
        in run("report", "--la", "Derby", "--format", "gif", "--out", str(tmp_path)).stderr
    )
    assert (
        "did you mean"
        in run(
            "report", "--la", "Derby", "--topic", "Children Lookd After", "--out", str(tmp_path)
        ).stderr
    )


def test_batch_region_writes_every_la(tmp_path: Path) -> None:
    out = run(
        "batch", "--region", "East Midlands", "--format", "html", "--out", str(tmp_path),
        "--workers", "2",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert len(list(tmp_path.glob("*.html"))) == 10
    assert "10 of 10 LAs written" in out.stdout
    assert "10/10" in out.stderr  # the progress bar
    # Written by worker processes, the same bytes as one report written alone.
    alone = tmp_path / "alone"
    assert run("report", "--la", "Derby", "--format", "html", "--out", str(alone)).returncode == 0
    derby = "derby_headline.html"
    assert (tmp_path / derby).read_bytes() == (alone / derby).read_bytes()


def test_batch_reports_a_failure_and_writes_the_rest(tmp_path: Path) -> None:
    out = run(
        "batch",
        "--las",
        "Derby,Nowhere,Cumbria,Leicester",
        "--format",
        "html",
        "--out",
        str(tmp_path),
    )
    assert out.returncode == 1
    assert "2 of 4 LAs written" in out.stdout
    assert "FAILED Nowhere" in out.stdout and "FAILED Cumbria" in out.stdout
    assert len(list(tmp_path.glob("*.html"))) == 2


def test_validate_local_figures(tmp_path: Path) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text(
        "area,indicator,period,value\n"
        "E99999999,LAC,2026,70\n"  # bad code
        "Derby,cpp_rate,2026,53\n"
        "Derby,cpp_rate,2026,53\n"  # duplicate
        "Derby,ReReferral,2026,140\n"  # percent of 140
        "Derby,CareLeaverEET,2026,c\n"  # suppressed: legitimate
    )
    out = run("validate", str(figures))
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert any(":2: error: column 'area'" in line for line in lines)
    assert any(":4: error: column 'indicator'" in line and "duplicate" in line for line in lines)
    assert any(":5: error: column 'value' ('140')" in line for line in lines)
    assert any(":6: info: column 'value' ('c')" in line and "suppressed" in line for line in lines)
    assert not any(":6: error" in line for line in lines)


def test_validate_clean_file(tmp_path: Path) -> None:
    figures = tmp_path / "figures.csv"
    figures.write_text("indicator,as_at,value,numerator,denominator\nLAC,2017-03-06,73,427,58852\n")
    out = run("validate", str(figures), "--la", "Derby")
    assert out.returncode == 0, out.stdout
    assert "0 error(s)" in out.stdout


def test_validate_ees_download(tmp_path: Path) -> None:
    ees = tmp_path / "ees.csv"
    ees.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,count,rate_percent\n"
        "2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,831,"
        "E06000015,Derby,10,20\n"
        "2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,830,"
        "X1,Derbyshire,c,140\n"
        "2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,831,"
        "E06000015,Derby,10,20\n"
    )
    out = run("validate", str(ees))
    assert out.returncode == 1
    assert "column 'new_la_code' ('X1')" in out.stdout
    assert "duplicate" in out.stdout
    assert "a percentage within 0-100" in out.stdout
    assert ":3: info: column 'count' ('c')" in out.stdout


def test_indicators_and_areas_listings(capsys) -> None:
    assert main(["indicators", "re-referrals"]) == 0
    assert "rereferral" in capsys.readouterr().out
    assert main(["areas", "northamptonshire"]) == 0
    listing = capsys.readouterr().out
    assert "replaced by E06000061, E06000062" in listing
    assert "North Northamptonshire" in listing


def test_refresh_reproduces_the_committed_data(tmp_path: Path, shared_data: Path) -> None:
    target = tmp_path / "reference_data"
    target.mkdir()
    for name in (*FRAMES, *OPTIONAL_FRAMES):
        shutil.copy(default_reference_path() / f"{name}.parquet", target)
    shutil.copy(default_reference_path() / "manifest.json", target)
    out = run("refresh", "--from", str(shared_data), "--out", str(target))
    assert out.returncode == 0, out.stderr
    assert "no changes" in out.stdout
    for name in [*(f"{frame}.parquet" for frame in (*FRAMES, *OPTIONAL_FRAMES)), "manifest.json"]:
        built = (target / name).read_bytes()
        assert built == (default_reference_path() / name).read_bytes(), name


def test_no_command_prints_help(capsys) -> None:
    assert main([]) == 2
    assert "usage: lacompare" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["report"], ["batch", "--out", "x"], ["validate"]])
def test_missing_arguments_exit_with_usage(args: list[str]) -> None:
    out = run(*args)
    assert out.returncode == 2 and "usage:" in out.stderr


def test_figures_from_an_ssda903_extract(tmp_path: Path) -> None:
    import ssda903_fixture

    extract = ssda903_fixture.write(tmp_path / "extract")
    target = tmp_path / "figures.csv"
    out = run(
        "figures", "--ssda903", str(extract), "--la", "Derby", "--year", "2026",
        "--out", str(target),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "lacnum" in out.stdout and "22 / 62,113" in out.stdout  # the rate's counts
    assert "warning: oc2.csv, column SDQ_SCORE" in out.stdout
    assert f"wrote {target} (39 figures)" in out.stdout
    assert target.read_text().startswith("area,indicator_id,period,value,numerator,denominator")
    bad = run("figures", "--ssda903", str(tmp_path / "none"), "--la", "Derby", "--year", "2026")
    assert bad.returncode == 1 and "no such folder" in bad.stderr


def test_paper_with_own_figures_from_an_ssda903_extract(tmp_path: Path) -> None:
    import ssda903_fixture

    extract = ssda903_fixture.write(tmp_path / "extract")
    out = run(
        "paper", "--la", "Derby", "--ssda903", str(extract), "--year", "2026",
        "--format", "html", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    page = next((tmp_path / "out").glob("*.html")).read_text()
    assert "[L]" in page and "Appendix C: own figures" in page
    assert "lacompare SSDA903 definitions v1.1" in page
    no_year = run("paper", "--la", "Derby", "--ssda903", str(extract), "--out", str(tmp_path))
    assert no_year.returncode == 1 and "--ssda903 needs --year" in no_year.stderr
