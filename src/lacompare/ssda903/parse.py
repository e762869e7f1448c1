"""Text 903 tables -> typed tables, with every value that cannot be read listed.

A date is read from ``dd/mm/yyyy`` (the 903 layout), ``dd/mm/yy`` (some exports write the
year in two digits), ``yyyy-mm-dd`` or an Excel date cell; a date that does not exist
(``31/02/2026``) is an error naming its file, row, column and value. Codes are checked against
DfE's lists (:data:`~lacompare.ssda903.layout.CODE_LISTS`): a bad episode code stops the
figures (it decides who is counted), a bad outcome code is a warning and counts as not known.
"""

from __future__ import annotations

import polars as pl

from lacompare.ssda903.layout import CODE_LISTS, OC2_FLAGS, TABLES
from lacompare.ssda903.read import ROW, Extract

#: The columns of the problems frame every check returns.
PROBLEM_COLUMNS = {
    "table": pl.String,
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "severity": pl.String,
}

#: Values each table must have on every row (without them the row cannot be placed).
REQUIRED: dict[str, tuple[str, ...]] = {
    "header": ("CHILD",),
    "episodes": ("CHILD", "DECOM"),
    "uasc": ("CHILD",),
    "oc2": ("CHILD",),
    "oc3": ("CHILD", "DOB"),
    "missing": ("CHILD",),
}

DATE_RULE = "is a real date written dd/mm/yyyy (or yyyy-mm-dd)"


def parse_date(text: pl.Expr) -> pl.Expr:
    """A 903 date from its text: dd/mm/yyyy, dd/mm/yy, yyyy-mm-dd (with any midnight time an
    Excel cell carries). Anything else, or a day that does not exist, is null."""
    return (
        pl.when(text.str.contains(r"^\d{1,2}/\d{1,2}/\d{4}$"))
        .then(text.str.strptime(pl.Date, "%d/%m/%Y", strict=False))
        .when(text.str.contains(r"^\d{1,2}/\d{1,2}/\d{2}$"))
        .then(text.str.strptime(pl.Date, "%d/%m/%y", strict=False))
        .when(text.str.contains(r"^\d{4}-\d{2}-\d{2}([ T]00:00(:00(\.0+)?)?)?$"))
        .then(text.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        .otherwise(None)
    )


def problems_frame(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """One problems frame (:data:`PROBLEM_COLUMNS`) from any number of parts."""
    empty = pl.DataFrame(schema=PROBLEM_COLUMNS)
    return pl.concat([empty, *(f.select(list(PROBLEM_COLUMNS)) for f in frames)])


def flag(
    frame: pl.DataFrame,
    failing: pl.Expr,
    *,
    table: str,
    file: str,
    column: str,
    rule: str | pl.Expr,
    severity: str,
    value: pl.Expr | None = None,
) -> pl.DataFrame:
    """The rows of ``frame`` where ``failing`` holds, as problems (a date shown dd/mm/yyyy)."""
    if value is None:
        value = (
            pl.col(column).dt.strftime("%d/%m/%Y")
            if frame.schema.get(column) == pl.Date
            else pl.col(column)
        )
    return frame.filter(failing.fill_null(False)).select(
        table=pl.lit(table),
        file=pl.lit(file),
        row=pl.col(ROW),
        column=pl.lit(column),
        value=value.cast(pl.String),
        rule=rule if isinstance(rule, pl.Expr) else pl.lit(rule),
        severity=pl.lit(severity),
    )


def parse_extract(extract: Extract) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """The typed tables (dates as dates, SDQ scores as numbers, bad outcome codes as null) and
    every value-level problem found in them."""
    typed: dict[str, pl.DataFrame] = {}
    found: list[pl.DataFrame] = []
    for name, text in extract.tables.items():
        file = extract.files[name]
        frame, problems = _parse_table(name, text, file)
        typed[name] = frame
        found.extend(problems)
    return typed, problems_frame(found)


def _parse_table(
    name: str, text: pl.DataFrame, file: str
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    table = TABLES[name]
    raw = text.with_columns(pl.col(c).alias(f"_raw_{c}") for c in table.dates)
    frame = raw.with_columns(parse_date(pl.col(c)).alias(c) for c in table.dates)
    problems = [
        flag(
            frame,
            pl.col(f"_raw_{c}").is_not_null() & pl.col(c).is_null(),
            table=name,
            file=file,
            column=c,
            rule=DATE_RULE,
            severity="error",
            value=pl.col(f"_raw_{c}"),
        )
        for c in table.dates
    ]
    problems += [
        flag(
            frame,
            pl.col(f"_raw_{c}" if c in table.dates else c).is_null(),
            table=name,
            file=file,
            column=c,
            rule="is given (the row cannot be placed without it)",
            severity="error",
            value=pl.lit(""),
        )
        for c in REQUIRED.get(name, ())
    ]
    for (table_name, column), (codes, severity) in CODE_LISTS.items():
        if table_name != name:
            continue
        bad = pl.col(column).is_not_null() & ~pl.col(column).is_in(sorted(codes))
        problems.append(
            flag(
                frame,
                bad,
                table=name,
                file=file,
                column=column,
                rule=_code_rule(codes, severity),
                severity=severity,
            )
        )
        if severity == "warning":  # a bad outcome code is not known, never a guess
            frame = frame.with_columns(
                pl.when(bad).then(None).otherwise(pl.col(column)).alias(column)
            )
    frame, extra = _table_specific(name, frame, file)
    problems += extra
    return frame.drop(f"_raw_{c}" for c in table.dates), problems


def _code_rule(codes: frozenset[str], severity: str) -> str:
    listed = ", ".join(sorted(codes))
    tail = "" if severity == "error" else "; counted as not known"
    return f"is one of DfE's codes ({listed}){tail}"


def _table_specific(
    name: str, frame: pl.DataFrame, file: str
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """SDQ scores as whole numbers 0-40 and OC2 flags as booleans (ACCOM's two characters are
    its code list)."""
    problems: list[pl.DataFrame] = []
    if name == "oc2":
        score = pl.col("SDQ_SCORE").cast(pl.Float64, strict=False)
        valid = score.is_not_null() & (score == score.floor()) & score.is_between(0, 40)
        problems.append(
            flag(
                frame,
                pl.col("SDQ_SCORE").is_not_null() & ~valid,
                table=name,
                file=file,
                column="SDQ_SCORE",
                rule="is a whole number from 0 to 40; counted as not known",
                severity="warning",
            )
        )
        frame = frame.with_columns(
            pl.when(valid).then(score.cast(pl.Int64)).otherwise(None).alias("SDQ_SCORE"),
            *(
                pl.col(f).replace_strict({"0": False, "1": True}, default=None).alias(f)
                for f in OC2_FLAGS
            ),
        )
    return frame, problems
