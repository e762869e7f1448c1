"""Charts drawn in the worker process (lacompare._render): the same PNG as drawn here, errors
named, a worker that dies replaced, the in-process path where no worker may run, and drawn
charts kept between runs."""

from __future__ import annotations

import json
import os
import sys
import threading

import pytest
import vl_convert

from lacompare import _render
from lacompare._render import RenderError

SPEC = json.dumps(
    {
        "data": {"values": [{"year": 2020 + i, "value": v} for i, v in enumerate([5, 7, 6, 9])]},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal"},
            "y": {"field": "value", "type": "quantitative"},
        },
        "title": "Children looked after",
    }
)


@pytest.fixture(autouse=True)
def nothing_kept(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are of drawing: every chart is drawn, none read back from the cache (the
    cache's own tests give it a folder)."""
    if "kept" not in request.fixturenames:
        monkeypatch.setenv("LACOMPARE_CHART_CACHE", "off")


def own_font_pngs(specs: list[str], scale: float) -> list[bytes]:
    """The specs drawn by vl-convert in a fresh process that sees no system font (Linux's
    fontdb finds fonts through fontconfig): with vl-convert's own Liberation Sans only."""
    import subprocess
    import sys

    script = (
        "import json, os, sys, tempfile\n"
        "folder = tempfile.mkdtemp()\n"
        "conf = os.path.join(folder, 'fonts.conf')\n"
        "open(conf, 'w').write(f'<fontconfig><dir>{folder}</dir></fontconfig>')\n"
        "os.environ['FONTCONFIG_FILE'] = conf\n"
        "import vl_convert\n"
        "specs, scale = json.load(sys.stdin)\n"
        "for spec in specs:\n"
        "    png = bytes(vl_convert.vegalite_to_png(spec, scale=scale))\n"
        "    sys.stdout.buffer.write(len(png).to_bytes(4, 'big') + png)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps([specs, scale]).encode(),
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    out, pngs = done.stdout, []
    while out:
        size = int.from_bytes(out[:4], "big")
        pngs.append(out[4 : 4 + size])
        out = out[4 + size :]
    return pngs


def pixel_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


needs_fontconfig = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="vl-convert finds system fonts through fontconfig only on Linux",
)


@needs_fontconfig
def test_the_worker_draws_in_vl_converts_own_font() -> None:
    drawn = _render.png_later(SPEC, scale=2).result(timeout=60)
    assert drawn.startswith(b"\x89PNG")
    assert [drawn] == own_font_pngs([SPEC], 2)
    # Laid out as drawn here with the system's fonts (Liberation Sans has Arial's metrics).
    assert pixel_size(drawn) == pixel_size(bytes(vl_convert.vegalite_to_png(SPEC, scale=2)))
    assert _render._workers and all(worker.alive() for worker in _render._workers)


def test_answers_come_back_in_the_order_sent() -> None:
    specs = [SPEC.replace("Children looked after", f"Chart {i}") for i in range(4)]
    futures = [_render.png_later(spec, scale=1) for spec in specs]
    drawn = [future.result(timeout=60) for future in futures]
    assert drawn == [_render.png_later(spec, scale=1).result(timeout=60) for spec in specs]
    assert len(set(drawn)) == 4


def titled(title: str) -> str:
    return SPEC.replace("Children looked after", title)


def test_a_character_vl_converts_font_lacks_is_drawn_with_the_systems_fonts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_render, "_system_fonts", [])
    # ◀ (U+25C0) and an emoji (beyond the BMP, a surrogate pair in JSON) are not in it.
    for spec in (titled("◀ worse"), titled("Children \N{GRINNING FACE}")):
        drawn = _render.png_later(spec).result(timeout=60)
        assert drawn == bytes(vl_convert.vegalite_to_png(spec, scale=2))  # the system's fonts
    assert len(_render._system_fonts) == 1
    _render._system_fonts[0].stop()


@needs_fontconfig
def test_characters_vl_converts_font_has_stay_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_render, "_system_fonts", [])
    spec = titled("≈ ½ better ► é – £")
    drawn = _render.png_later(spec).result(timeout=60)
    assert [drawn] == own_font_pngs([spec], 2)
    assert _render._system_fonts == []
    # Each is drawn as its glyph, not the empty box of a character the font lacks.
    boxes = _render.png_later(titled("\ue000 \ue000 better \ue000 \ue000 \ue000 \ue000")).result(
        timeout=60
    )
    assert drawn != boxes


def test_a_spec_that_cannot_be_drawn_is_named_and_the_worker_goes_on() -> None:
    bad = _render.png_later('{"mark": "no-such-mark", "data": {"values": []}}')
    with pytest.raises(RenderError, match="could not be drawn"):
        bad.result(timeout=60)
    assert _render.png_later(SPEC).result(timeout=60).startswith(b"\x89PNG")


def test_a_worker_that_dies_fails_what_waits_and_a_new_one_starts() -> None:
    _render.start()
    worker = _render._workers[0]
    worker.process.kill()
    worker.process.wait()
    with pytest.raises(RenderError, match="stopped"):
        worker.send(SPEC, 1.0).result(timeout=60)
    # The next chart starts a new worker rather than failing.
    assert _render.png_later(SPEC).result(timeout=60).startswith(b"\x89PNG")
    assert worker not in _render._workers
    assert len(_render._workers) == _render._worker_count()


def test_in_process_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LACOMPARE_RENDER", "inprocess")
    monkeypatch.setattr(_render, "_workers", [])
    future = _render.png_later(SPEC)
    assert future.done()  # drawn here, at once
    assert future.result() == bytes(vl_convert.vegalite_to_png(SPEC, scale=2))
    assert _render._workers == []
    with pytest.raises(RenderError, match="could not be drawn"):
        _render.png_later('{"mark": "no-such-mark"}').result()


def test_no_subprocesses_allowed_draws_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError("subprocesses are not allowed here")

    monkeypatch.setattr(_render, "_workers", [])
    monkeypatch.setattr(_render, "_no_subprocesses", threading.Event())
    monkeypatch.setattr(_render.subprocess, "Popen", refused)
    assert _render.png_later(SPEC).result() == bytes(vl_convert.vegalite_to_png(SPEC, scale=2))
    assert _render._no_subprocesses.is_set()  # kept charts are then known as drawn here


def test_a_paper_returns_while_its_charts_draw_and_its_file_holds_them(ref, tmp_path) -> None:
    import zipfile

    import lacompare
    from lacompare.charts import PrintDrawing
    from lacompare.paper import Drawn, Figure

    paper = lacompare.board_paper(ref, "Rutland", "headline", written="2026-11-25")
    figures = paper.figures()
    assert figures and all(isinstance(f.drawing, PrintDrawing) for f in figures)
    path = lacompare.save(paper, tmp_path / "rutland.docx")
    media = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/media/")]
    assert len(media) == len(figures)
    # A figure drawn elsewhere is given as Drawn(png, font_px).
    drawn = Figure(Drawn(figures[0].png, figures[0].font_px), alt="a", caption="b")
    assert drawn.png == figures[0].png and drawn.font_px == figures[0].font_px


def test_a_chart_that_never_comes_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import Future

    monkeypatch.setattr(_render, "TIMEOUT_SECONDS", 0.05)
    with pytest.raises(RenderError, match=r"not drawn within 0.05 s"):
        _render.wait_for(Future())


def test_a_forked_child_starts_its_own_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    _render.start()
    inherited = list(_render._workers)
    assert inherited
    # As in a child forked after the workers started: the parent's workers are not its own.
    monkeypatch.setattr(_render.os, "getpid", lambda: -1)
    assert not any(worker.alive() for worker in inherited)
    assert _render.png_later(SPEC).result(timeout=60).startswith(b"\x89PNG")
    assert all(worker not in inherited for worker in _render._workers)
    own = list(_render._workers)
    monkeypatch.undo()
    for worker in own:  # started under the stand-in pid: stopped here, by hand
        worker.owner = os.getpid()
        worker.stop()


# --------------------------------------------------------------------------------------------
# Charts kept between runs


@pytest.fixture
def kept(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A cache folder of the test's own, and a count of the charts actually drawn."""
    folder = tmp_path / "charts"
    monkeypatch.setenv("LACOMPARE_CHART_CACHE", str(folder))
    drawn: list[str] = []
    send, draw_here = _render._Worker.send, _render._draw_here

    def sent(worker, spec: str, scale: float):  # type: ignore[no-untyped-def]
        drawn.append(spec)
        return send(worker, spec, scale)

    def here(spec: str, scale: float):  # type: ignore[no-untyped-def]
        drawn.append(spec)
        return draw_here(spec, scale)

    monkeypatch.setattr(_render._Worker, "send", sent)
    monkeypatch.setattr(_render, "_draw_here", here)
    return folder, drawn


def test_a_chart_drawn_once_is_read_back_the_same(kept) -> None:
    folder, drawn = kept
    first = _render.png_later(SPEC).result(timeout=60)
    again = _render.png_later(SPEC).result(timeout=60)
    assert again == first
    assert len(drawn) == 1
    assert len(list(folder.glob("*.png"))) == 1
    assert not list(folder.glob("*.part"))
    # Another scale, or another spec, is another drawing.
    _render.png_later(SPEC, scale=1).result(timeout=60)
    _render.png_later(SPEC.replace("Children", "Young people")).result(timeout=60)
    assert len(drawn) == 3


def test_a_kept_chart_needs_no_worker(kept, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _render.png_later(SPEC).result(timeout=60)

    def started() -> None:
        pytest.fail("a worker was started for a chart that is kept")

    monkeypatch.setattr(_render, "start", started)
    assert _render.png_later(SPEC).result(timeout=60) == first


def test_a_damaged_kept_chart_is_drawn_again(kept) -> None:
    folder, drawn = kept
    whole = _render.png_later(SPEC).result(timeout=60)
    (path,) = folder.glob("*.png")
    path.write_bytes(whole[: len(whole) // 2])  # cut short, as by a full disk
    assert _render.png_later(SPEC).result(timeout=60) == whole
    assert len(drawn) == 2
    assert path.read_bytes() == whole


def test_errors_are_not_kept(kept) -> None:
    folder, drawn = kept
    bad = '{"mark": "no-such-mark", "data": {"values": []}}'
    for _ in range(2):
        with pytest.raises(RenderError):
            _render.png_later(bad).result(timeout=60)
    assert len(drawn) == 2 and not list(folder.glob("*"))


def test_a_folder_that_cannot_be_written_only_costs_the_saving(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LACOMPARE_CHART_CACHE", str(blocker / "charts"))
    for _ in range(2):
        assert _render.png_later(SPEC).result(timeout=60).startswith(b"\x89PNG")


def test_off_or_no_home_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in ("off", "0", "", "No"):
        monkeypatch.setenv("LACOMPARE_CHART_CACHE", setting)
        assert _render.cache_dir() is None
    monkeypatch.delenv("LACOMPARE_CHART_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert str(_render.cache_dir()) == "/somewhere/cache/lacompare/charts"

    def no_home() -> None:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(_render.Path, "home", no_home)
    assert _render.cache_dir() is None


def test_only_the_most_recently_used_are_kept(kept, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _ = kept
    monkeypatch.setattr(_render, "CACHE_FILES", 2)
    monkeypatch.setattr(_render, "_pruned", False)
    folder.mkdir()
    for i in range(3):  # three kept from an earlier run, oldest first
        old = folder / f"{i}.png"
        old.write_bytes(b"")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    _render.png_later(SPEC).result(timeout=60)
    names = {p.name for p in folder.glob("*.png")}
    assert len(names) == 2 and "2.png" in names  # the new chart and the newest old one


def test_a_paper_made_again_draws_nothing_and_is_the_same(ref, kept, tmp_path) -> None:
    import zipfile

    import lacompare

    _, drawn = kept
    papers, draws = [], []
    for run in ("first", "again"):
        paper = lacompare.board_paper(ref, "Rutland", "headline", written="2026-11-25")
        path = lacompare.save(paper, tmp_path / f"{run}.docx")
        with zipfile.ZipFile(path) as docx:
            papers.append({n: docx.read(n) for n in docx.namelist() if "media" in n})
        draws.append(len(drawn))
    assert papers[0] == papers[1] and papers[0]
    assert draws[0] >= len(papers[0]) and draws[1] == draws[0]  # the second paper drew none
