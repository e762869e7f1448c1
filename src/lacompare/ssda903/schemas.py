"""Pandera schemas (polars backend) for the typed 903 tables and for the figures they give.

The tables are checked twice on purpose: :mod:`~lacompare.ssda903.parse` and
:mod:`~lacompare.ssda903.rules` report each bad value with its file and row for a person to
fix; these schemas are the contract the measures rely on once those checks pass (dates are
dates, episode codes are DfE's, SDQ scores are 0-40, OC2 items are yes / no / not known).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lacompare.own_figures import OwnFiguresSchema
from lacompare.ssda903.layout import (
    ACCOM,
    ACTIV,
    IN_TOUCH,
    LEGACY_ACTIV,
    LEGACY_PLACE,
    LEGACY_REC,
    LS,
    MISSING,
    PLACE,
    REC,
    RNE,
)

_CHILD_LENGTH = {"min_value": 1}


class HeaderSchema(pa.DataFrameModel):
    CHILD: str = pa.Field(str_length=_CHILD_LENGTH, unique=True)
    DOB: pl.Date = pa.Field(nullable=True)

    class Config:
        strict = False


class EpisodesSchema(pa.DataFrameModel):
    CHILD: str = pa.Field(str_length=_CHILD_LENGTH)
    DECOM: pl.Date
    DEC: pl.Date = pa.Field(nullable=True)
    RNE: str = pa.Field(nullable=True, isin=sorted(RNE))
    LS: str = pa.Field(nullable=True, isin=sorted(LS))
    REC: str = pa.Field(nullable=True, isin=sorted(REC | LEGACY_REC))
    PLACE: str = pa.Field(nullable=True, isin=sorted(PLACE | LEGACY_PLACE))

    class Config:
        strict = False

    @pa.dataframe_check(name="DEC: on or after DECOM")
    @classmethod
    def ends_after_start(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("DEC").is_null() | (pl.col("DEC") >= pl.col("DECOM")))


class UascSchema(pa.DataFrameModel):
    CHILD: str = pa.Field(str_length=_CHILD_LENGTH, unique=True)
    DUC: pl.Date = pa.Field(nullable=True)

    class Config:
        strict = False


class Oc2Schema(pa.DataFrameModel):
    CHILD: str = pa.Field(str_length=_CHILD_LENGTH, unique=True)
    SDQ_SCORE: pl.Int64 = pa.Field(nullable=True, ge=0, le=40)
    CONVICTED: pl.Boolean = pa.Field(nullable=True)
    HEALTH_CHECK: pl.Boolean = pa.Field(nullable=True)
    IMMUNISATIONS: pl.Boolean = pa.Field(nullable=True)
    TEETH_CHECK: pl.Boolean = pa.Field(nullable=True)
    HEALTH_ASSESSMENT: pl.Boolean = pa.Field(nullable=True)
    SUBSTANCE_MISUSE: pl.Boolean = pa.Field(nullable=True)

    class Config:
        strict = False


class Oc3Schema(pa.DataFrameModel):
    CHILD: str = pa.Field(str_length=_CHILD_LENGTH, unique=True)
    DOB: pl.Date
    IN_TOUCH: str = pa.Field(nullable=True, isin=sorted(IN_TOUCH))
    ACTIV: str = pa.Field(nullable=True, isin=sorted(ACTIV | LEGACY_ACTIV))
    ACCOM: str = pa.Field(nullable=True, isin=sorted(ACCOM))

    class Config:
        strict = False


class MissingSchema(pa.DataFrameModel):
    CHILD: str = pa.Field(str_length=_CHILD_LENGTH)
    MISSING: str = pa.Field(nullable=True, isin=sorted(MISSING))
    MIS_START: pl.Date = pa.Field(nullable=True)

    class Config:
        strict = False


TABLE_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "header": HeaderSchema,
    "episodes": EpisodesSchema,
    "uasc": UascSchema,
    "oc2": Oc2Schema,
    "oc3": Oc3Schema,
    "missing": MissingSchema,
}


#: The figures' frame, shared with the CIN census return's.
Ssda903FiguresSchema = OwnFiguresSchema
