"""Working days and months as the CIN definitions count them.

Working days: Monday to Friday, less England and Wales bank holidays, from the maintained
``holidays`` package (its England subdivision, which carries the one-off days such as the
state funeral of 19 September 2022 and the coronation of 8 May 2023). No LA closure days.
"""

from __future__ import annotations

from datetime import date

import polars as pl


def bank_holidays(first_year: int, last_year: int) -> list[date]:
    """England and Wales bank holidays (observed days) from ``first_year`` to ``last_year``."""
    import holidays  # only a CIN census return needs it, not every import of lacompare

    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return sorted(days)


def working_days(start: pl.Expr, end: pl.Expr, holidays: list[date]) -> pl.Expr:
    """Working days after ``start`` up to and including ``end`` (same day: 0). PROPOSED: the
    convention "after A, up to and including B" differs from counting [A, B) only when A or B
    is not a working day (``docs/cin_census.md``)."""
    # polars counts business days in [from, to): shifting both by a day gives (start, end].
    return pl.business_day_count(
        start.dt.offset_by("1d"), end.dt.offset_by("1d"), holidays=holidays
    )


def months_after(day: pl.Expr, months: int) -> pl.Expr:
    """The same day of the month ``months`` later, clamped to the month's end (31 December +
    3 months = 31 March; 30 November + 3 months = 28 or 29 February). PROPOSED where a
    boundary day matters."""
    return day.dt.offset_by(f"{months}mo")
