"""Small wording helpers shared by the paper's parts: dates, lists and plurals as a reader
says them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any


def label_period(row: dict[str, Any]) -> str:
    return f"{row['indicator_label']} ({row['period_text']})"


def long_date(day: dt.date | None) -> str | None:
    return None if day is None else f"{day.day} {day:%B %Y}"


def and_list(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
