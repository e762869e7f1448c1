"""Fetching the published files (the manifest's sources) for an update, and checking each
before anything is built.

Each file comes from, in order of what was asked: a folder laid out as ``lait/`` and ``ees/``
(``--from``); a council's mirror, a folder or a web server holding each file at
``<mirror>/<source.mirror>`` (``--mirror``); else its download URL (httpx: timeouts, retries
with back-off on 429 and 5xx, ``If-None-Match`` / ``If-Modified-Since`` against the copy kept
from the last download, gzip). A file with no download URL (Explore Education Statistics gives
each release's files new identifiers) is taken from the copy kept from the last update.

Every file is checked: not an HTML page served in its place, the right kind (parquet, a
workbook, CSV), not cut short, the columns the build reads present (else the file, the
columns missing and those found), every row read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lacompare.errors import LacompareError, SourceFileError
from lacompare.sources.manifest import Source, required_columns, sources

RETRIES = 3
#: Statuses worth a retry (the server busy or failing), with back-off 1, 2, 4 s.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Fetched:
    """Where each file was put, and what happened to each (fetched / unchanged / kept)."""

    folder: Path
    how: dict[str, str]


def fetch_all(
    staging: Path,
    *,
    home: Path,
    folder: Path | None = None,
    mirror: str | None = None,
    timeout: float = 30.0,
) -> Fetched:
    """Every source into ``staging`` (``lait/``, ``ees/``), checked; raises naming the first
    file that cannot be had or fails its checks."""
    how = {}
    client = None
    releases: dict[str, dict] = {}  # each publication's latest release, fetched once
    try:
        for source in sources():
            target = staging / source.file
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.if_missing and not _obtainable(source, home, folder, mirror):
                how[source.file] = f"not available: {source.if_missing}"
                continue
            if folder is not None:
                how[source.file] = _copy(folder / source.file, target, "from the folder")
            elif mirror is not None and not _is_url(mirror):
                how[source.file] = _copy(Path(mirror) / source.mirror, target, "from the mirror")
            elif mirror is not None or source.url or source.publication:
                client = client or _client(timeout)
                url = (
                    f"{mirror.rstrip('/')}/{source.mirror}"
                    if mirror
                    else source.url or _release_file_url(client, source, releases)
                )
                how[source.file] = _download(client, url, target, home / "cache" / source.mirror)
            else:
                kept = home / "sources" / source.file
                if not kept.is_file():
                    raise SourceFileError(_no_url(source))
                how[source.file] = _copy(kept, target, "kept from the last update")
            check_file(target, source)
    finally:
        if client is not None:
            client.close()
    return Fetched(staging, how)


#: Explore Education Statistics' content API (the routes its own site reads);
#: ``LACOMPARE_EES_API`` points elsewhere (a proxy that forwards it).
EES_CONTENT_API = "https://content.explore-education-statistics.service.gov.uk/api"


def _ees_api() -> str:
    return os.environ.get("LACOMPARE_EES_API", "").rstrip("/") or EES_CONTENT_API


def _release_file_url(client, source: Source, releases: dict[str, dict]) -> str:  # type: ignore[no-untyped-def]
    """The download address of the source's file in its publication's latest release."""
    import httpx

    if source.publication not in releases:
        url = f"{_ees_api()}/publications/{source.publication}/releases/latest"
        host = urlsplit(url).netloc
        try:
            response = client.get(url, headers={"Accept": "application/json"})
        except httpx.TimeoutException:
            raise LacompareError(
                f"{url}: no answer from {host} within {client.timeout.read:g} s"
            ) from None
        except httpx.TransportError as error:
            raise LacompareError(f"{url}: could not reach {host} ({error})") from None
        if response.status_code != 200:
            raise SourceFileError(f"{url}: the server answered {response.status_code}")
        try:
            releases[source.publication] = response.json()
        except ValueError:
            raise SourceFileError(f"{url}: not the release's JSON") from None
    release = releases[source.publication]
    files = [f for f in release.get("downloadFiles") or [] if isinstance(f, dict)]
    found = [f for f in files if str(f.get("fileName", "")).startswith(source.release_file)]
    if not found:
        names = ", ".join(str(f.get("fileName")) for f in files) or "none"
        raise SourceFileError(
            f"{source.file}: the latest release of {source.publication} has no file whose name "
            f"starts {source.release_file!r} (its files: {names}); DfE may have renamed it"
        )
    return f"{_ees_api()}/releases/{release.get('id')}/files/{found[0].get('id')}"


def _obtainable(source: Source, home: Path, folder: Path | None, mirror: str | None) -> bool:
    """Whether the file can be had from where the update is asked to look (a web mirror is
    asked; a file a folder or mirror folder lacks, or one with no address and no kept copy,
    cannot)."""
    if folder is not None:
        return (folder / source.file).is_file()
    if mirror is not None:
        return _is_url(mirror) or (Path(mirror) / source.mirror).is_file()
    return bool(source.url or source.publication) or (home / "sources" / source.file).is_file()


def _no_url(source: Source) -> str:
    return (
        f"{source.file}: no download address is known for it (Explore Education Statistics "
        f"gives each release's files new identifiers) and no copy is kept from an earlier "
        f"update: download it from {source.page} into a folder laid out as lait/ and ees/ "
        "and use --from, or keep it on your mirror (--mirror)"
    )


def _is_url(text: str) -> bool:
    return urlsplit(text).scheme in ("http", "https")


def _copy(source: Path, target: Path, how: str) -> str:
    if not source.is_file():
        raise SourceFileError(f"{source}: not found ({how})")
    shutil.copyfile(source, target)
    return how


def _client(timeout: float):  # type: ignore[no-untyped-def]  # httpx loads only to download
    import httpx

    from lacompare import __version__

    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        headers={"User-Agent": f"lacompare/{__version__}", "Accept-Encoding": "gzip"},
    )


def _download(client, url: str, target: Path, cache: Path) -> str:  # type: ignore[no-untyped-def]
    """``url`` into ``target``; unchanged since the copy in ``cache`` (304) is not fetched."""
    import httpx

    meta_file = cache.with_name(cache.name + ".meta.json")
    headers = {}
    if cache.is_file() and meta_file.is_file():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
    host = urlsplit(url).netloc
    for attempt in range(RETRIES + 1):
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code in RETRY_STATUSES and attempt < RETRIES:
                    time.sleep(min(float(response.headers.get("Retry-After", 2**attempt)), 30))
                    continue
                if response.status_code == 304:
                    shutil.copyfile(cache, target)
                    return "unchanged (not fetched)"
                if response.status_code != 200:
                    raise SourceFileError(f"{url}: the server answered {response.status_code}")
                _stream(response, target, url)
                cache.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(target, cache)
                meta_file.write_text(
                    json.dumps(
                        {
                            "url": url,
                            "etag": response.headers.get("ETag"),
                            "last_modified": response.headers.get("Last-Modified"),
                        }
                    ),
                    encoding="utf-8",
                )
                return "fetched"
        except httpx.TimeoutException:
            if attempt == RETRIES:
                raise LacompareError(
                    f"{url}: no answer from {host} within {client.timeout.read:g} s"
                ) from None
        except httpx.TransportError as error:
            if attempt == RETRIES:
                raise LacompareError(f"{url}: could not reach {host} ({error})") from None
        time.sleep(2**attempt)
    raise LacompareError(f"{url}: {host} kept failing after {RETRIES} retries")


def _stream(response, target: Path, url: str) -> None:  # type: ignore[no-untyped-def]
    """The body into ``target``, with a progress line on a terminal."""
    expected = int(response.headers.get("Content-Length", 0) or 0)
    shown = sys.stderr.isatty()
    done = 0
    with target.open("wb") as out:
        for chunk in response.iter_bytes():
            out.write(chunk)
            done += len(chunk)
            if shown:
                share = f" {done * 100 // expected}%" if expected else ""
                print(f"\r  {Path(urlsplit(url).path).name}: {done / 1e6:.1f} MB{share}",
                      end="", file=sys.stderr)  # fmt: skip
    if shown:
        print(file=sys.stderr)


# --------------------------------------------------------------------------------------------
# Checks


def check_file(path: Path, source: Source) -> None:
    """The file is what the manifest says it is, whole, with the columns the build reads."""
    data = path.read_bytes()
    name = source.file
    if not data:
        raise SourceFileError(f"{name}: the file is empty")
    if data[:200].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise SourceFileError(
            f"{name}: an HTML page came instead of the file (an error page served as a "
            "success?); the file was not used"
        )
    if source.kind == "parquet":
        if not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
            raise SourceFileError(f"{name}: not a whole parquet file (cut short?)")
        _parquet_columns(path, source)
    elif source.kind in ("xlsx", "ods"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                if book.testzip() is not None:
                    raise zipfile.BadZipFile("a damaged member")
        except zipfile.BadZipFile as error:
            raise SourceFileError(f"{name}: not a whole {source.kind} workbook ({error})") from None
    else:
        _csv_rows(data, source)


def _parquet_columns(path: Path, source: Source) -> None:
    import polars as pl

    try:
        found = pl.read_parquet_schema(path)
    except Exception as error:  # polars' own errors for a damaged file
        raise SourceFileError(f"{source.file}: not a readable parquet file ({error})") from None
    _columns(source, list(found))


def _columns(source: Source, found: list[str]) -> None:
    missing = [c for c in required_columns(source) if c not in found]
    if missing:
        raise SourceFileError(
            f"{source.file}: the column(s) {missing} the build reads are missing (renamed by "
            f"DfE?); the file has {found}"
        )


def _csv_rows(data: bytes, source: Source) -> None:
    """Every row has the header's number of fields (a file cut short ends mid-row)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="strict")
    rows = csv.reader(io.StringIO(text))
    header = [c.strip() for c in next(rows, [])]
    _columns(source, header)
    width = len(header)
    for number, row in enumerate(rows, start=2):
        if row and len(row) != width and not (len(row) == width + 1 and row[-1] == ""):
            raise SourceFileError(
                f"{source.file}: row {number} has {len(row)} fields where the header has "
                f"{width} (the file is cut short or damaged)"
            )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
