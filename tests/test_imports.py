"""Imports run one way: no module of lacompare imports, at load time, a module that imports
it back (the flow sources -> schemas -> reference -> compare -> tables -> export)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "lacompare"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _load_time_imports(path: Path) -> set[str]:
    """The lacompare modules a file imports at its top level, including those under ``if
    TYPE_CHECKING`` (a type-only import is a dependency too: the two modules cannot be read
    apart); an import inside a function runs later and is left out."""
    found: set[str] = set()
    body = ast.parse(path.read_text(encoding="utf-8")).body
    type_only = [
        n
        for b in body
        if isinstance(b, ast.If) and "TYPE_CHECKING" in ast.unparse(b.test)
        for n in b.body
    ]
    for node in [*body, *type_only]:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("lacompare"):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("lacompare")}
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported in _load_time_imports(path):
            # "from lacompare.x import y": the module x (y may be a function of it).
            while imported not in modules and "." in imported:
                imported = imported.rsplit(".", 1)[0]
            if imported in modules and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_cycle() -> None:
    graph = _graph()
    assert {"lacompare.schemas", "lacompare.reference"} <= graph[
        "lacompare.compare.engine"
    ]  # edges seen
    # The package re-exports its API, so every module's parent package is left out: a
    # module importing "lacompare" itself would be the cycle.
    for name, targets in graph.items():
        assert "lacompare" not in targets or name == "lacompare", name
    inner = {n: {t for t in ts if t != "lacompare"} for n, ts in graph.items() if n != "lacompare"}
    assert _cycle(inner) is None, _cycle(inner)


def test_the_cycle_check_can_fail() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _loaded_after(command: list[str], tmp_path: Path) -> set[str]:
    """The top-level packages loaded by ``lacompare COMMAND`` run in a fresh process."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from lacompare.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "LACOMPARE_CHART_CACHE": "off"}
    done = subprocess.run(
        [sys.executable, "-c", code, *command, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_commands_load_only_what_they_use(tmp_path: Path) -> None:
    """A board table needs neither the chart nor the Word stack; a paper draws its charts
    from Vega-Lite specs in a worker and never loads Altair (a third of a second), and writes
    its own tables, never loading great_tables (a seventh)."""
    table = _loaded_after(["report", "--la", "Derby", "--format", "html"], tmp_path)
    assert {"polars", "great_tables"} <= table
    assert not table & {"altair", "vl_convert", "docx"}, table & {"altair", "vl_convert", "docx"}
    paper = _loaded_after(
        ["paper", "--la", "Rutland", "--paper", "headline", "--format", "docx,html"], tmp_path
    )
    assert "docx" in paper and not paper & {"altair", "great_tables"}


def test_the_paper_command_starts_its_chart_engine_before_the_library_loads() -> None:
    """Run as the console script with `paper`, the package starts the drawing worker before
    it imports polars and the rest (lacompare._early); any other way, it starts nothing."""
    import json
    import subprocess
    import sys

    from lacompare._early import draws_charts

    code = (
        "import json, subprocess, sys\n"
        "sys.argv[0] = sys.argv.pop(1)\n"
        "started = []\n"
        "popen = subprocess.Popen.__init__\n"
        "def watched(self, *args, **kwargs):\n"
        "    started.append('polars' in sys.modules)\n"
        "    popen(self, *args, **kwargs)\n"
        "subprocess.Popen.__init__ = watched\n"
        "import lacompare\n"
        "from lacompare import _render\n"
        "print(json.dumps([started, len(_render._workers)]))\n"
    )

    def started(*argv: str) -> list[object]:
        done = subprocess.run(
            [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True
        )
        return list(json.loads(done.stdout.strip().splitlines()[-1]))

    assert started("/home/analyst/.venv/bin/lacompare", "paper", "--la", "Derby") == [[False], 1]
    assert started("/home/analyst/.venv/bin/lacompare", "report", "--la", "Derby") == [[], 0]
    assert started("/home/analyst/.venv/bin/lacompare", "paper", "--help") == [[], 0]
    assert started("my_script.py", "paper") == [[], 0]
    assert draws_charts(["C:\\Users\\a\\Scripts\\lacompare.exe", "paper", "--la", "Derby"])
    assert not draws_charts(["lacompare"])
