"""Vega-Lite specs drawn as PNG in a worker process, while the paper's other parts are made.

vl-convert draws a chart with a JavaScript engine (Deno's V8) that holds Python's GIL for the
whole call and takes about half a second to start: in one process nothing overlaps it, and a
paper's seven charts were two of its five seconds. So the drawing runs in worker
processes of their own. :func:`start` launches them (a paper calls it first, so the engines
start while the comparison runs; ``lacompare paper`` before the library even loads, see
:mod:`lacompare._early`); :func:`png_later` sends a spec to the least busy and returns a
:class:`~concurrent.futures.Future` of the PNG. The workers live as long as this process (an
analyst's script making many papers starts the engines once) and are stopped at exit.

Each worker is run as ``python -P -c`` with only vl-convert imported: not lacompare, whose
import costs a second, and with no folder put first on its import path. Where no worker can
be started (no subprocesses allowed), or ``LACOMPARE_RENDER=inprocess`` is set, specs are drawn
in this process instead, as before.

Drawn charts are kept on disk (:func:`cache_dir`), named by the hash of what was drawn: the
spec, the scale and vl-convert's version. A paper made again (a title changed, another format
asked for) draws only the charts whose figures or words changed; the rest are read back, byte
for byte what would have been drawn. ``LACOMPARE_CHART_CACHE=off`` turns this off, and a
folder there puts the charts in it.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import threading
from collections import deque
from concurrent.futures import Future
from functools import cache, partial
from pathlib import Path
from typing import IO

from lacompare.errors import LacompareError

#: The worker: a spec's length and scale in, then (status, length) and the PNG or the message
#: out. Status 0 is a PNG, 1 an error, 2 "a glyph is missing from the embedded font".
#:
#: Run as ``-c _WORKER embedded``, it draws with vl-convert's own Liberation Sans, held in
#: memory, and no system font: fontdb reads a system font's file again for every glyph it
#: draws (about 80 file reads a label; a paper's seven charts took 1.6 s, 0.7 s this way, and
#: every Linux machine draws the same pixels). Linux's fontdb finds fonts through fontconfig, so a
#: fontconfig file naming one empty folder hides the system's; elsewhere it is ignored and the
#: system's fonts are used, as before. Before drawing a spec with a character outside ASCII the
#: worker checks that the font has its glyph (drawn alone, it is not the empty box); where one
#: is missing it answers status 2 and the spec is drawn by a worker with the system's fonts.
_WORKER = r"""
import json, os, shutil, struct, sys, tempfile
from xml.sax.saxutils import escape
EMBEDDED = sys.argv[1:] == ["embedded"]
if EMBEDDED:
    fonts = tempfile.mkdtemp(prefix="lacompare-fonts-")
    with open(os.path.join(fonts, "fonts.conf"), "w", encoding="utf-8") as conf:
        conf.write(f"<fontconfig><dir>{escape(fonts)}</dir></fontconfig>")
    os.environ["FONTCONFIG_FILE"] = os.path.join(fonts, "fonts.conf")
import vl_convert
read, write = sys.stdin.buffer, sys.stdout.buffer

def alone(code):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><text x="4" y="30" '
           f'font-family="sans-serif" font-size="24">&#{code};</text></svg>')
    return bytes(vl_convert.svg_to_png(svg))

# Start the engine and its fonts now, not at the first chart (fontdb reads its fonts once),
# and draw one small chart of every kind of mark the charts use: the engine compiles its code
# for them while the paper is still being made, and the first real chart is drawn a tenth
# faster (the seven charts of a paper by 50-120 ms).
WARM_UP = {
    "data": {"values": [{"x": 1, "y": 2, "t": "a"}, {"x": 2, "y": 3, "t": "b"}]},
    "title": {"text": "a", "subtitle": "b"},
    "encoding": {"x": {"field": "x", "type": "quantitative", "title": "x"},
                 "y": {"field": "y", "type": "quantitative", "title": "y"}},
    "layer": [
        {"mark": "rule"}, {"mark": "line"}, {"mark": {"type": "point", "filled": True}},
        {"mark": "bar", "encoding": {"color": {"field": "t", "type": "nominal"}}},
        {"mark": {"type": "text", "dx": 4}, "encoding": {"text": {"field": "t"}}},
    ],
}
vl_convert.vegalite_to_png(json.dumps(WARM_UP), scale=2)
if EMBEDDED:
    # A private-use character, which no font draws. Drawing it also loads the rasteriser's
    # fonts (svg_to_png's own), which must happen while the fontconfig file is still there.
    EMPTY_BOX, glyphs = alone(0xE000), {}
    shutil.rmtree(fonts, ignore_errors=True)

def characters(value, found):
    if isinstance(value, str):
        found.update(c for c in value if c > "~")
    elif isinstance(value, dict):
        for key, item in value.items():
            characters(key, found)
            characters(item, found)
    elif isinstance(value, list):
        for item in value:
            characters(item, found)
    return found

def missing(spec):
    if not EMBEDDED or spec.isascii() and "\\u" not in spec:
        return []
    found = characters(json.loads(spec), set())
    for c in found - glyphs.keys():
        glyphs[c] = c.isspace() or alone(ord(c)) != EMPTY_BOX
    return sorted(c for c in found if not glyphs[c])

while True:
    head = read.read(8)
    if len(head) < 8:
        break
    size, scale = struct.unpack(">If", head)
    spec = read.read(size).decode("utf-8")
    try:
        lacking = missing(spec)
        if lacking:
            out, status = " ".join(f"U+{ord(c):04X}" for c in lacking).encode(), 2
        else:
            out, status = bytes(vl_convert.vegalite_to_png(spec, scale=scale)), 0
    except Exception as error:
        out, status = f"{type(error).__name__}: {error}".encode("utf-8"), 1
    write.write(struct.pack(">BI", status, len(out)))
    write.write(out)
    write.flush()
"""


class RenderError(LacompareError):
    """A chart could not be drawn (the worker's own message is kept)."""


class _Worker:
    """One worker process and the specs sent to it, with their futures, oldest first.

    ``fonts`` is ``"embedded"`` (vl-convert's own font, see :data:`_WORKER`) or ``"system"``
    (the machine's fonts: for a spec with a character the embedded font cannot draw)."""

    def __init__(self, fonts: str = "embedded") -> None:
        self._stderr: IO[bytes] = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", _WORKER, fonts],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        #: The process that started it: a forked child must not write into its parent's
        #: pipes (answers would go to whichever process read first).
        self.owner = os.getpid()
        self._waiting: deque[tuple[Future[bytes], str, float]] = deque()
        self._lock = threading.Lock()
        # The answers are read as they come, so a large PNG never blocks the worker's pipe.
        threading.Thread(target=self._read_answers, name="lacompare-render", daemon=True).start()

    def alive(self) -> bool:
        """Running, and this process's own."""
        return self.owner == os.getpid() and self.process.poll() is None

    def waiting(self) -> int:
        """How many specs sent to it are not yet drawn."""
        return len(self._waiting)

    def send(self, spec: str, scale: float) -> Future[bytes]:
        data = spec.encode("utf-8")
        future: Future[bytes] = Future()
        with self._lock:
            stdin = self.process.stdin
            assert stdin is not None
            sent = (future, spec, scale)
            self._waiting.append(sent)
            try:
                stdin.write(struct.pack(">If", len(data), scale) + data)
                stdin.flush()
            except OSError as error:
                self._waiting.remove(sent)
                future.set_exception(RenderError(f"the chart worker stopped: {error}"))
        return future

    def _read_answers(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            head = stdout.read(5)
            if len(head) < 5:
                break
            status, size = struct.unpack(">BI", head)
            body = stdout.read(size)
            with self._lock:
                future, spec, scale = self._waiting.popleft()
            if status == _DRAWN:
                future.set_result(body)
            elif status == _GLYPH_MISSING:
                _with_system_fonts(spec, scale).add_done_callback(partial(_pass_on, to=future))
            else:
                future.set_exception(RenderError(f"the chart could not be drawn: {body.decode()}"))
        # The worker has gone: every spec still waiting fails, with what it said.
        self.process.wait()
        self._stderr.seek(0)
        said = self._stderr.read().decode("utf-8", "replace").strip()[-2000:]
        with self._lock:
            while self._waiting:
                self._waiting.popleft()[0].set_exception(
                    RenderError(
                        f"the chart worker stopped (exit status {self.process.returncode})"
                        + (f": {said}" if said else "")
                    )
                )

    def stop(self) -> None:
        if self.owner != os.getpid():
            return  # a forked child's copy: the parent stops its own worker
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


#: Workers drawing at once, at most: one core is left for the paper's own work, and each
#: engine costs half a second of a core to start (on two cores, one worker is as quick as two).
WORKERS = 2


def _worker_count() -> int:
    return max(1, min(WORKERS, (os.cpu_count() or 1) - 1))


_workers: list[_Worker] = []
_workers_lock = threading.Lock()
#: Set when a worker could not be started (no subprocesses allowed): charts are drawn here.
_no_subprocesses = threading.Event()


def _in_process() -> bool:
    return os.environ.get("LACOMPARE_RENDER", "").lower() == "inprocess"


def start() -> None:
    """Start the workers (and their JavaScript engines) now, where they are not running."""
    if _in_process():
        return
    with _workers_lock:
        _workers[:] = [worker for worker in _workers if worker.alive()]
        while len(_workers) < _worker_count():
            try:
                worker = _Worker()
            except OSError:
                _no_subprocesses.set()
                return  # no subprocesses here: draw in this process
            atexit.register(worker.stop)
            _workers.append(worker)


def png_later(spec: str, scale: float = 2.0) -> Future[bytes]:
    """The PNG of a Vega-Lite spec (JSON text) at ``scale``: the one kept from an earlier
    drawing of the same spec (:func:`cache_dir`), else drawn by the least busy worker (drawn
    here, at once, where there is none) and kept."""
    # A worker draws with its own font and this process with the system's: not the same PNG.
    # (Known without starting a worker: a chart kept from before needs none.)
    here = _in_process() or _no_subprocesses.is_set()
    key = _cache_key(spec, scale, "in this process" if here else "by a worker")
    kept = _kept(key)
    if kept is not None:
        future: Future[bytes] = Future()
        future.set_result(kept)
        return future
    worker = _least_busy()
    drawing = worker.send(spec, scale) if worker else _draw_here(spec, scale)
    if cache_dir() is None:
        return drawing
    drawn: Future[bytes] = Future()

    def kept_then_given(drawing: Future[bytes]) -> None:
        # Kept before it is given: whoever has the PNG may count on it being kept.
        error = drawing.exception()
        if error is not None:
            drawn.set_exception(error)
            return
        _keep(key, drawing.result())
        drawn.set_result(drawing.result())

    drawing.add_done_callback(kept_then_given)
    return drawn


def _least_busy() -> _Worker | None:
    """The running worker with the fewest specs waiting (started if need be); None where no
    worker can run."""
    start()
    with _workers_lock:
        running = [worker for worker in _workers if worker.alive()]
    return min(running, key=lambda worker: worker.waiting()) if running else None


def _draw_here(spec: str, scale: float) -> Future[bytes]:
    import vl_convert

    future: Future[bytes] = Future()
    try:
        future.set_result(bytes(vl_convert.vegalite_to_png(spec, scale=scale)))
    except Exception as error:  # the same error as the worker's, raised where it is awaited
        future.set_exception(RenderError(f"the chart could not be drawn: {error}"))
    return future


#: A worker's answers: a PNG, an error, or "the embedded font lacks a glyph" (see _WORKER).
_DRAWN, _FAILED, _GLYPH_MISSING = 0, 1, 2

_system_fonts: list[_Worker] = []


def _with_system_fonts(spec: str, scale: float) -> Future[bytes]:
    """Draw a spec with the machine's fonts: a character in it is not in vl-convert's own
    font. One such worker is started when first needed (rarely: a label in another script)."""
    with _workers_lock:
        _system_fonts[:] = [worker for worker in _system_fonts if worker.alive()]
        if not _system_fonts:
            try:
                worker = _Worker("system")
            except OSError:
                worker = None
            if worker is not None:
                atexit.register(worker.stop)
                _system_fonts.append(worker)
        chosen = _system_fonts[0] if _system_fonts else None
    return chosen.send(spec, scale) if chosen else _draw_here(spec, scale)


def _pass_on(source: Future[bytes], to: Future[bytes]) -> None:
    error = source.exception()
    if error is not None:
        to.set_exception(error)
    else:
        to.set_result(source.result())


# --------------------------------------------------------------------------------------------
# Charts kept between runs


#: The most charts kept; beyond it the least recently used go (a paper has about seven, of
#: 0.2 to 1 MB each).
CACHE_FILES = 400

_PNG_START = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"


def cache_dir() -> Path | None:
    """Where drawn charts are kept: ``LACOMPARE_CHART_CACHE`` (a folder, or ``off``), else
    ``$XDG_CACHE_HOME/lacompare/charts`` (``~/.cache/lacompare/charts``); None when off or
    when there is no home folder."""
    setting = os.environ.get("LACOMPARE_CHART_CACHE")
    if setting is not None:
        off = setting.strip().lower() in {"", "off", "0", "no", "false"}
        return None if off else Path(setting).expanduser()
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home folder to keep anything in
        return None
    return base / "lacompare" / "charts"


@cache
def _drawer_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vl-convert-python")
    except PackageNotFoundError:
        return "unknown"


def _cache_key(spec: str, scale: float, where: str) -> str:
    drawn_by = f"vl-convert {_drawer_version()}, scale {scale!r}, {where}\n"
    return hashlib.sha256((drawn_by + spec).encode("utf-8")).hexdigest()


def _kept(key: str) -> bytes | None:
    """The PNG kept under ``key``, if there is a whole one (a file cut short by a full disk
    or another program is drawn again, never used)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{key}.png"
    try:
        png = path.read_bytes()
        if not (png.startswith(_PNG_START) and png.endswith(_PNG_END)):
            return None
        os.utime(path)  # recently used: kept longest
    except OSError:
        return None
    return png


_pruned = False


def _keep(key: str, png: bytes) -> None:
    """Keep a drawn PNG under ``key``, written whole or not at all (another file's name,
    then renamed). Keeping is a saving, not a duty: a folder that cannot be written (read
    only, full) leaves the chart drawn and simply not kept."""
    global _pruned
    folder = cache_dir()
    if folder is None:
        return
    part: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as file:
            part = Path(file.name)
            file.write(png)
        os.replace(part, folder / f"{key}.png")
        part = None
        if not _pruned:
            _pruned = True
            _prune(folder)
    except OSError:
        if part is not None:
            part.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    """Remove the least recently used charts beyond :data:`CACHE_FILES`, once per process."""
    kept = sorted(folder.glob("*.png"), key=lambda path: path.stat().st_mtime, reverse=True)
    for path in kept[CACHE_FILES:]:
        path.unlink(missing_ok=True)


#: How long a chart may take to draw before the wait is given up (a chart takes well under a
#: second; a worker that hangs must not hang the paper).
TIMEOUT_SECONDS = 120.0


def wait_for(future: Future[bytes]) -> bytes:
    """The PNG, once drawn; a :class:`RenderError` if it takes over :data:`TIMEOUT_SECONDS`."""
    from concurrent.futures import TimeoutError as Timeout

    try:
        return future.result(timeout=TIMEOUT_SECONDS)
    except Timeout:
        raise RenderError(
            f"a chart was not drawn within {TIMEOUT_SECONDS:g} s; the drawing worker may have "
            "hung (LACOMPARE_RENDER=inprocess draws charts in this process instead)"
        ) from None
