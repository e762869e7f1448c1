"""Where updated reference data lives: the user's data folder, never the installed package.

An update is built and validated into a folder of its own under ``<data folder>/updates/``;
``active.json`` lists the updates in the order they were made active, the last being the one
in use. Switching is one atomic rename of that small file, so an interrupted update leaves
the data in use untouched; a lock file keeps two updates from running at once.
:func:`lacompare.load_reference` loads the active update when it reads back and validates,
else the data embedded in the package.

The data folder is ``LACOMPARE_DATA`` if set, else platformdirs' user data folder for
lacompare (``~/.local/share/lacompare`` on Linux).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lacompare.errors import LacompareError, SourceFileError

DATA_ENV = "LACOMPARE_DATA"
ACTIVE = "active.json"
LOCK = ".lock"
UPDATES = "updates"


def data_home() -> Path:
    """The user's lacompare data folder (``LACOMPARE_DATA``, else platformdirs')."""
    given = os.environ.get(DATA_ENV, "").strip()
    if given:
        return Path(given).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("lacompare", appauthor=False))


def history(home: Path | None = None) -> list[str]:
    """The updates in the order they were made active (the last is in use)."""
    file = (home or data_home()) / ACTIVE
    if not file.is_file():
        return []
    try:
        names = json.loads(file.read_text(encoding="utf-8")).get("history", [])
    except (OSError, ValueError, AttributeError) as error:
        raise SourceFileError(
            f"{file}: not readable ({error}); `lacompare data reset` returns to the embedded data"
        ) from None
    return [str(n) for n in names]


def active_update(home: Path | None = None) -> Path | None:
    """The folder of the update in use, or None (the embedded data)."""
    home = home or data_home()
    names = history(home)
    if not names:
        return None
    folder = home / UPDATES / names[-1]
    return folder if folder.is_dir() else None


def _write_history(home: Path, names: list[str]) -> None:
    """Replace ``active.json`` in one atomic rename."""
    home.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".active-", suffix=".json", dir=home)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"history": names}, out, indent=2)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, home / ACTIVE)


@contextmanager
def locked(home: Path | None = None) -> Iterator[Path]:
    """Hold the data folder's lock (another update, rollback or reset is refused meanwhile)."""
    home = home or data_home()
    home.mkdir(parents=True, exist_ok=True)
    lock = home / LOCK
    try:
        handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise LacompareError(
            f"{lock}: another lacompare update is running (started "
            f"{_lock_started(lock)}); wait for it, or delete the file if it was interrupted"
        ) from None
    try:
        os.write(
            handle, f"{os.getpid()} {dt.datetime.now().isoformat(timespec='seconds')}".encode()
        )
        os.close(handle)
        yield home
    finally:
        lock.unlink(missing_ok=True)


def _lock_started(lock: Path) -> str:
    try:
        return lock.read_text(encoding="utf-8").split(" ", 1)[1]
    except (OSError, IndexError):
        return "at an unknown time"


def new_update_folder(home: Path) -> Path:
    """A fresh, empty folder name for an update (not yet created)."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    folder = home / UPDATES / f"{stamp}-{os.getpid()}"
    return folder


def activate(home: Path, folder: Path) -> None:
    """Make ``folder`` (under ``updates/``) the data in use."""
    _write_history(home, [*history(home), folder.name])


def rollback(home: Path | None = None) -> Path | None:
    """Return to the update in use before this one (or the embedded data); the one left is
    removed. Returns the folder now in use, or None for the embedded data."""
    with locked(home) as home:
        names = history(home)
        if not names:
            raise LacompareError("no update to roll back: the embedded data is in use")
        left = names.pop()
        _write_history(home, names)
        shutil.rmtree(home / UPDATES / left, ignore_errors=True)
        return active_update(home)


def reset(home: Path | None = None) -> int:
    """Return to the data embedded in the package; every update is removed. Returns how
    many there were."""
    with locked(home) as home:
        names = history(home)
        _write_history(home, [])
        shutil.rmtree(home / UPDATES, ignore_errors=True)
        return len(names)


def describe(folder: Path | None, manifest: dict[str, Any]) -> list[str]:
    """Which data is in use, in lines for the command line and ``ref.release``."""
    lines = [f"data in use: {'an update, ' + str(folder) if folder else 'the embedded data'}"]
    if manifest.get("updated_at"):
        lines.append(f"updated: {manifest['updated_at']} from {manifest.get('updated_from', '?')}")
    years = manifest.get("years_covered")
    if years:
        lines.append(f"years covered: {years[0]} to {years[1]}")
    for name, facts in sorted((manifest.get("sources") or {}).items()):
        digest = str(facts.get("sha256", ""))[:16]
        how = (manifest.get("fetched") or {}).get(name)
        lines.append(
            f"  {name}: sha256 {digest}..., {facts.get('bytes', 0):,} bytes"
            + (f", {how}" if how else "")
        )
    return lines
