"""The exceptions lacompare raises.

Every error a user can trigger is a :class:`LacompareError`, so scripts can catch one class.
Messages name the file, row, column and rule wherever those exist.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar


class LacompareError(Exception):
    """Base class of every error lacompare raises on purpose."""


class DataValidationError(LacompareError, ValueError):
    """A frame broke one or more rules of its schema.

    ``failures`` is a polars DataFrame with one row per broken rule:
    ``frame``, ``column``, ``rule``, ``count`` (rows failing), ``examples`` (first few
    failing values) and ``rows`` (first few row numbers, 0-based within the frame).
    """

    def __init__(self, message: str, failures: object | None = None) -> None:
        super().__init__(message)
        self.failures = failures


class SourceFileError(LacompareError, ValueError):
    """A source file could not be read or does not have the expected layout."""


class UnknownAreaError(LacompareError, LookupError):
    """An area name or code that matches no area; the message suggests close matches."""


class AmbiguousAreaError(UnknownAreaError):
    """A name that fits more than one area ("Kingston"); the message lists the candidates."""


class PredecessorAreaError(UnknownAreaError):
    """An area that no longer exists (e.g. Cumbria); the message names its successors."""


class UnknownIndicatorError(LacompareError, LookupError):
    """An indicator id, LAIT code or topic that matches nothing; suggests close matches."""


def suggest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Closest matches to ``word`` among ``choices``, case-insensitively, best first."""
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=0.6)
    # Prefix matches help with short typing ("Derb") that difflib scores low.
    prefix = [c for c in by_lower if c.startswith(word.lower()) and c not in close]
    return [by_lower[c] for c in (close + prefix)[:n]]


class InvalidArgumentError(LacompareError, ValueError):
    """An argument a function cannot use (a wrong type, an unknown option)."""


F = TypeVar("F", bound=Callable[..., Any])


def plain_reason(error: BaseException) -> str:
    """The first line of an unexpected error, without the names of polars' or pandera's
    exception classes (the reader needs what was wrong, not the library's internals)."""
    text = str(error).strip()
    first = text.splitlines()[0].strip() if text else ""
    first = re.sub(r"\b(?:polars|pandera)(?:\.\w+)*\.", "", first)
    first = re.sub(r"\b[A-Z]\w*(?:Error|Exception|Errors)\b:?\s*", "", first).strip()
    return first or "its input is not in a form it can use"


def user_facing(function: F) -> F:
    """Make every failure of a public function a :class:`LacompareError` that names it.

    The functions check what users give them and raise lacompare errors with the file, row,
    column and rule; this is the net below those checks, so that a case nobody foresaw still
    reaches the user as one clear error (with the original chained for a bug report), never a
    bare KeyError or a polars traceback.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except LacompareError:
            raise
        except OSError as error:
            raise SourceFileError(f"{function.__name__}: {error}") from error
        except Exception as error:  # the net: see the docstring
            raise InvalidArgumentError(
                f"{function.__name__}() could not use its input: {plain_reason(error)}"
            ) from error

    return wrapper  # type: ignore[return-value]
