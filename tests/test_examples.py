"""Every example runs as a user runs it and writes its files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script: str, tmp_path: Path) -> None:
    args = [sys.executable, str(EXAMPLES / script)]
    takes_out = "--out" in (EXAMPLES / script).read_text()
    if takes_out:
        args += ["--out", str(tmp_path)]
    run = subprocess.run(args, capture_output=True, text=True, cwd=EXAMPLES, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "wrote" in run.stdout
    if takes_out:
        assert any(tmp_path.iterdir())
