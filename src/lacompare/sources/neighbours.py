"""DfE's statistical-neighbour workbooks (``sn_*.xlsx``) -> the neighbours frame."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from lacompare.errors import DataValidationError, SourceFileError
from lacompare.sources._common import _read_excel

# --------------------------------------------------------------------------------------------
# Statistical neighbours


def read_sn_workbook(path: Path, model: str, areas: pl.DataFrame) -> pl.DataFrame:
    """A DfE statistical-neighbour workbook (sheet "LA SN Groups", header on the third row:
    ``LA num, LA Name, ..., SN1, SNP, ..., SN10, SNP``) -> the neighbours frame for ``model``."""
    frame = _read_excel(path, header_row=2)
    columns = frame.columns
    sn_cols = [c for c in columns if re.fullmatch(r"SN\d+", c)]
    if len(sn_cols) != 10 or "LA num" not in columns:
        raise SourceFileError(
            f"{path}: expected columns 'LA num' and SN1..SN10 on the third row, found {columns}"
        )
    # Each SNk is followed by its closeness column (SNP, de-duplicated by the reader).
    closeness_cols = [columns[columns.index(c) + 1] for c in sn_cols]
    numbers = frame.filter(pl.col("LA num").str.strip_chars().str.contains(r"^\d{3}$"))
    long = pl.concat(
        numbers.select(
            la=pl.col("LA num").str.strip_chars().cast(pl.Int32),
            neighbour=pl.col(sn).str.strip_chars().cast(pl.Int32, strict=False),
            closeness=pl.col(cp).str.strip_chars(),
            neighbour_rank=pl.lit(rank, pl.Int32),
            row=pl.int_range(pl.len()) + 4,  # spreadsheet row: three header rows, 1-based
        )
        for rank, (sn, cp) in enumerate(zip(sn_cols, closeness_cols, strict=True), start=1)
    )
    # An LA that did not exist when the model was made (Cumberland in the 2021 model) has a row
    # of "-": it has no group in that model. A partly blank row is an error below.
    no_group = long.group_by("la").agg(pl.col("neighbour").is_null().all().alias("blank"))
    long = long.join(no_group.filter(~pl.col("blank")), on="la", how="semi")
    code = dict(areas.select("old_la_code", "area_code").iter_rows())
    unknown = long.filter(
        ~pl.col("la").is_in(list(code)) | ~pl.col("neighbour").is_in(list(code)).fill_null(False)
    )
    if unknown.height:
        raise DataValidationError(
            f"{path}: {unknown.height} neighbour cell(s) name an LA number not in the areas frame, "
            f"e.g. {unknown.select('row', 'la', 'neighbour', 'neighbour_rank').head(5).rows()} "
            "(rule: every group and neighbour is a known local authority)"
        )
    return long.select(
        model=pl.lit(model),
        area_code=pl.col("la").replace_strict(code, return_dtype=pl.String),
        neighbour_code=pl.col("neighbour").replace_strict(code, return_dtype=pl.String),
        neighbour_rank="neighbour_rank",
        closeness=pl.col("closeness")
        .str.to_lowercase()
        .str.to_titlecase()
        .str.replace(r"^(\w+) (\w)", "$1 ${2}"),
    ).sort("model", "area_code", "neighbour_rank")
