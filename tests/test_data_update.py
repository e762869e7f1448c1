"""Updating the reference data into the user's data folder, never the installed package
(issue 32, from a folder of DfE's downloads): checked first, switched atomically, the data
before kept for rollback; every failure leaves the data in use as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare import store
from lacompare.reference import default_reference_path

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason="../shared/data (DfE's downloads) is not beside the repository"
)


def _package_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(default_reference_path().iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data-home"
    monkeypatch.setenv("LACOMPARE_DATA", str(folder))
    return folder


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    """DfE's downloads, with Derby's children-in-care rate for 2025 revised from 88 to 99."""
    folder = tmp_path / "downloads"
    shutil.copytree(SHARED_DATA, folder)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    long = folder / "lait" / "bds_long_0.parquet"
    revised = (
        (pl.col("Short Desc") == "LAC")
        & (pl.col("LA and Regions") == "Derby")
        & (pl.col("Years") == "2025")
    )
    frame = pl.read_parquet(long)
    assert frame.filter(revised).get_column("Values").to_list() == ["88"]
    frame.with_columns(
        Values=pl.when(revised).then(pl.lit("99")).otherwise("Values")
    ).write_parquet(long)
    return folder


def _lacompare(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lacompare.cli", *args], capture_output=True, text=True,
        env=os.environ.copy(), check=False,
    )  # fmt: skip


def _derby_lac_in_a_new_process() -> float:
    code = (
        "import lacompare; r = lacompare.compare(lacompare.load_reference(), 'Derby', "
        "indicators=['LAC']); print(r.filter(r['period'] == '2025')['la_value'].item())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=os.environ.copy(), check=True)  # fmt: skip
    return float(done.stdout.strip())


def test_an_update_revises_a_figure_and_says_so(home: Path, downloads: Path) -> None:
    before = _package_digest()
    done = _lacompare("data", "update", "--from", str(downloads), "--la", "Derby")
    assert done.returncode == 0, done.stderr
    assert "values revised: 1" in done.stdout
    assert "lac, Derby, 2025: 88 -> 99" in done.stdout
    assert _derby_lac_in_a_new_process() == 99.0
    status = _lacompare("data")
    assert "data in use: an update" in status.stdout and str(home) in status.stdout
    assert _package_digest() == before, "the installed package's data never changes"
    # Rollback: the embedded data again; reset after a second update likewise.
    assert _lacompare("data", "rollback").returncode == 0
    assert _derby_lac_in_a_new_process() == 88.0
    assert _lacompare("data", "update", "--from", str(downloads)).returncode == 0
    assert "1 update(s) removed" in _lacompare("data", "reset").stdout
    assert _derby_lac_in_a_new_process() == 88.0
    assert _package_digest() == before


def test_a_truncated_file_or_a_renamed_column_changes_nothing(home: Path, downloads: Path) -> None:
    assert _lacompare("data", "update", "--from", str(downloads)).returncode == 0
    in_use = store.active_update()
    # A truncated download.
    ees = downloads / "ees" / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
    whole = ees.read_bytes()
    ees.write_bytes(whole[: len(whole) // 3])
    failed = _lacompare("data", "update", "--from", str(downloads))
    assert failed.returncode == 1 and ees.name in failed.stderr
    assert store.active_update() == in_use
    # A column DfE renamed.
    ees.write_bytes(whole.replace(b"time_period", b"period_of_time", 1))
    failed = _lacompare("data", "update", "--from", str(downloads))
    assert failed.returncode == 1
    assert ees.name in failed.stderr and "time_period" in failed.stderr
    assert store.active_update() == in_use
    assert _derby_lac_in_a_new_process() == 99.0  # the update before, still in use
    assert not list((home / store.UPDATES).glob(".*building"))


def test_two_updates_at_once_cannot_run(home: Path, downloads: Path) -> None:
    with store.locked():
        held = _lacompare("data", "update", "--from", str(downloads))
    assert held.returncode == 1 and "another lacompare update is running" in held.stderr
    assert store.active_update() is None


def test_a_damaged_update_falls_back_to_the_embedded_data(home: Path, downloads: Path) -> None:
    assert _lacompare("data", "update", "--from", str(downloads)).returncode == 0
    folder = store.active_update()
    assert folder is not None
    (folder / "observations.parquet").write_bytes(b"not parquet")
    with pytest.warns(UserWarning, match="could not be used"):
        ref = lacompare.load_reference()
    assert ref.release["data"] == "embedded"


# --------------------------------------------------------------------------------------------
# From a council's mirror: a web server (gzip, ETags) or a folder, laid out from
# `lacompare data sources --json`


def _lay_out(mirror: Path, downloads: Path) -> None:
    listed = json.loads(_lacompare("data", "sources", "--json").stdout)
    for source in listed:
        target = mirror / source["mirror"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(downloads / source["file"], target)


class _Server:
    """Python's http.server in a thread, serving a folder with ETags and gzip, counting the
    files it sends whole."""

    def __init__(self, root: Path) -> None:
        import gzip
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        sent: list[str] = []
        self.sent = sent

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = root / self.path.lstrip("/")
                if not path.is_file():
                    self.send_error(404)
                    return
                body = path.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                zipped = "gzip" in (self.headers.get("Accept-Encoding") or "")
                payload = gzip.compress(body) if zipped else body
                self.send_response(200)
                self.send_header("ETag", etag)
                if zipped:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                sent.append(self.path)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_an_update_from_a_web_mirror(home: Path, downloads: Path, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    _lay_out(mirror, downloads)
    server = _Server(mirror)
    try:
        done = _lacompare("data", "update", "--mirror", server.url, "--la", "Derby")
        assert done.returncode == 0, done.stderr
        assert "lac, Derby, 2025: 88 -> 99" in done.stdout
        assert len(server.sent) == 29  # every file, once
        assert _derby_lac_in_a_new_process() == 99.0
        # A second update fetches nothing (every ETag still matches) and builds nothing.
        again = _lacompare("data", "update", "--mirror", server.url)
        assert again.returncode == 0 and "nothing changed" in again.stdout
        assert len(server.sent) == 29
        # An HTML error page served as a success, a missing file: refused, nothing changes.
        in_use = store.active_update()
        page = mirror / json.loads(_lacompare("data", "sources", "--json").stdout)[1]["mirror"]
        page.write_text("<!DOCTYPE html><html><body>Service unavailable</body></html>")
        failed = _lacompare("data", "update", "--mirror", server.url)
        assert failed.returncode == 1 and "lait_data_dictionary.csv: an HTML page" in failed.stderr
        page.unlink()
        failed = _lacompare("data", "update", "--mirror", server.url)
        assert failed.returncode == 1 and "answered 404" in failed.stderr
        _lay_out(mirror, downloads)
        # A served file cut short, then an EES column renamed: refused, naming them.
        listed = json.loads(_lacompare("data", "sources", "--json").stdout)
        served = mirror / next(s["mirror"] for s in listed if "c4_children" in s["file"])
        whole = served.read_bytes()
        served.write_bytes(whole[: len(whole) // 2])
        failed = _lacompare("data", "update", "--mirror", server.url)
        assert failed.returncode == 1 and "c4_children_in_need" in failed.stderr
        served.write_bytes(whole.replace(b"geographic_level", b"geography_level", 1))
        failed = _lacompare("data", "update", "--mirror", server.url)
        assert failed.returncode == 1 and "'geographic_level'" in failed.stderr
        assert store.active_update() == in_use
        assert _derby_lac_in_a_new_process() == 99.0
    finally:
        server.close()


def test_an_update_from_a_mirror_folder(home: Path, downloads: Path, tmp_path: Path) -> None:
    mirror = tmp_path / "shared-drive"
    _lay_out(mirror, downloads)
    done = _lacompare("data", "update", "--mirror", str(mirror))
    assert done.returncode == 0, done.stderr
    assert _derby_lac_in_a_new_process() == 99.0
    ref = lacompare.load_reference()
    assert ref.release["data"] == "update" and ref.release["updated_from"] == str(mirror)
    paper = lacompare.board_paper(ref, "Derby", charts=False, written="2026-12-04")
    front = " ".join(p.text for p in paper.sections[0].blocks if hasattr(p, "text"))
    assert "the data updated on" in front


def test_with_no_network_the_update_names_the_host_and_changes_nothing(home: Path) -> None:
    started = time.perf_counter()
    failed = _lacompare("data", "update", "--timeout", "3")
    assert failed.returncode == 1
    assert "raw.githubusercontent.com" in failed.stderr
    assert time.perf_counter() - started < 60
    assert store.active_update() is None


def test_an_ees_file_is_found_in_its_publications_latest_release(
    home: Path, downloads: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EES gives each release's files new ids: the file is found by the start of its name in
    the latest release's downloadFiles, then fetched by its ids (a local server answering as
    EES's content API does)."""
    from lacompare.fetch import _client, _download, _release_file_url
    from lacompare.sources.manifest import sources

    source = next(s for s in sources() if s.file.startswith("ees/c1_"))
    api = tmp_path / "api"
    release = api / "publications" / source.publication / "releases" / "latest"
    release.parent.mkdir(parents=True)
    newer = "c1_children_in_need_referrals_and_rereferrals_2013_to_2026.csv"
    release.write_text(json.dumps({"id": "r-2026", "downloadFiles": [
        {"id": "f-b1", "fileName": "b1_children_in_need_2013_to_2026.csv"},
        {"id": "f-c1", "fileName": newer}]}))  # fmt: skip
    body = api / "releases" / "r-2026" / "files" / "f-c1"
    body.parent.mkdir(parents=True)
    shutil.copyfile(downloads / source.file, body)
    server = _Server(tmp_path)
    monkeypatch.setenv("LACOMPARE_EES_API", f"{server.url}/api")
    client = _client(5)
    try:
        url = _release_file_url(client, source, {})
        assert url == f"{server.url}/api/releases/r-2026/files/f-c1"
        target = tmp_path / "got.csv"
        assert _download(client, url, target, home / "cache" / "c1") == "fetched"
        assert target.read_bytes() == body.read_bytes()
        renamed = next(s for s in sources() if s.file.startswith("ees/d3_"))
        with pytest.raises(lacompare.SourceFileError, match="no file whose name starts 'd3_cpps"):
            _release_file_url(client, renamed, {})
    finally:
        client.close()
        server.close()


def test_an_update_goes_on_without_the_files_it_can_do_without(
    home: Path, downloads: Path, tmp_path: Path
) -> None:
    """Files with no download address that a mirror lacks: Ofsted's workbook (the judgements
    of the data in use are kept), the older workforce CSV and the wide neighbour groupings."""
    mirror = tmp_path / "mirror"
    _lay_out(mirror, downloads)
    listed = json.loads(_lacompare("data", "sources", "--json").stdout)
    optional = [s for s in listed if s["if_missing"]]
    assert "LA_Inspection_Outcomes_as_at_31_March_2025.ods" in {
        Path(s["file"]).name for s in optional
    }
    for source in optional:
        (mirror / source["mirror"]).unlink()
    done = _lacompare("data", "update", "--mirror", str(mirror))
    assert done.returncode == 0, done.stderr
    assert "Ofsted's judgements are kept from the data in use" in done.stdout
    ref = lacompare.load_reference()
    assert ref.release["data"] == "update"
    embedded = lacompare.load_reference(default_reference_path())
    assert ref.ofsted is not None and ref.ofsted.equals(embedded.ofsted)
    assert ref.areas.equals(embedded.areas)  # every authority's code as before
    assert _derby_lac_in_a_new_process() == 99.0
