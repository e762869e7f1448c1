"""The ``lacompare paper`` command's chart engine, started before the library loads.

The command spends its first half second importing polars, pandera, great_tables and the rest
of lacompare; the drawing worker (:mod:`lacompare._render`) needs about as long to start its
JavaScript engine and uses none of them. So when this process is the ``lacompare`` console
script running ``paper``, importing the package starts the worker first (the import below
is the first thing ``lacompare/__init__.py`` does), and the charts are drawn as soon as their
specs are ready rather than half a second later. Imported any other way (a script, the tests,
``lacompare report``) it does nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

#: The console script's name, as the installer writes it on each system.
COMMAND_NAMES = frozenset({"lacompare", "lacompare.exe", "lacompare-script.py"})


def draws_charts(argv: Sequence[str]) -> bool:
    """Whether ``argv`` is the ``lacompare paper`` command making a paper (not its help)."""
    name = argv[0].replace("\\", "/").rsplit("/", 1)[-1] if argv else ""  # Windows' too
    if len(argv) < 2 or name not in COMMAND_NAMES or argv[1] != "paper":
        return False
    return not any(arg in {"-h", "--help"} for arg in argv[2:])


if draws_charts(getattr(sys, "argv", None) or []):  # embedded interpreters may have none
    from lacompare import _render

    _render.start()
