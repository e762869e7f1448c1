"""Small polars expression helpers shared by every stage."""

from __future__ import annotations

import polars as pl


def fmt(template: str, *args: pl.Expr | str) -> pl.Expr:
    """``template`` with each ``{}`` filled by the next expression (a name is a column), null
    where any part is null: what ``pl.format`` does, built on ``pl.concat_str``.

    Why not ``pl.format``: in polars 1.x/2.1 it can panic ("assertion failed: i <
    self.len()") on a frame filtered out of a sorted, shifted one, as data-to-insight's
    fake SSDA903 extract showed; ``concat_str`` on the same columns does not.
    """
    pieces = template.split("{}")
    if len(pieces) != len(args) + 1:
        raise ValueError(f"{template!r} has {len(pieces) - 1} placeholders for {len(args)} values")
    parts: list[pl.Expr] = []
    for piece, arg in zip(pieces, [*args, None], strict=True):
        if piece:
            parts.append(pl.lit(piece))
        if arg is not None:
            parts.append((pl.col(arg) if isinstance(arg, str) else arg).cast(pl.String))
    return pl.concat_str(parts, ignore_nulls=False) if parts else pl.lit("")


def word_for(number: pl.Expr, words: tuple[str, ...]) -> pl.Expr:
    """``words[number]`` on every row (null where the number is null): a choice among a few
    fixed words worked out as a number and worded once, which costs a fraction of a chain of
    ``when(...).then(pl.lit(word))`` over every row (each branch a column of strings)."""
    return pl.lit(pl.Series(words, dtype=pl.String)).gather(number)
