"""The benchmarks measure what a user's install does.

The development environment also holds pandas, numpy and hypothesis (for the tests); pandera
imports them when it finds them, which costs time and memory a user's install (lacompare's
dependencies only) never pays. Code run in a fresh process for a measurement starts with
:data:`AS_A_USER`, which makes those packages look not installed.
"""

from __future__ import annotations

#: Development-only packages that a user's install does not have.
NOT_INSTALLED = ("pandas", "numpy", "hypothesis")

AS_A_USER = f"""
import sys
class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {set(NOT_INSTALLED)!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, _NotInstalled())
"""
