"""The exceptions lacompare raises.

Every error a user can trigger is a :class:`LacompareError`, so scripts can catch one class.
Messages name the file, row, column and rule wherever those exist.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import re
from collections.abc import Callable, Iterable, Iterator
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
        except (LacompareError, KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except OSError as error:
            raise SourceFileError(f"{function.__name__}: {error}") from error
        # The net: see the docstring. BaseException, since a panic inside polars' engine
        # (pyo3's PanicException) is not an Exception.
        except BaseException as error:
            raise InvalidArgumentError(
                f"{function.__name__}() could not use its input: {plain_reason(error)}"
            ) from error

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def reading(file: object, step: str) -> Iterator[None]:
    """Any failure nobody foresaw while ``step`` reads a user's ``file`` (a 903 extract, local
    figures, a spec, reference data) becomes a :class:`SourceFileError` naming the file and
    the step, with the original attached for a bug report: never a raw traceback or an
    engine panic. lacompare's own errors pass through unchanged."""
    try:
        yield
    except (LacompareError, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:
        raise SourceFileError(
            f"{file}: {step} failed unexpectedly ({plain_reason(error)}). This is a fault in "
            "lacompare, not necessarily in the file: please report it with the file's layout "
            "(the original error is attached)"
        ) from error


# --------------------------------------------------------------------------------------------
# Arguments: checked where they come in, so a mistake is named, not caught by the net


def whole_number(name: str, value: object, *, minimum: int = 1) -> int:
    """``value`` as a whole number of at least ``minimum``, or an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(
            f"{name} must be a whole number ({minimum} or more), not {value!r}"
        )
    if value < minimum:
        raise InvalidArgumentError(f"{name} must be at least {minimum}, not {value}")
    return value


#: Characters a Word or XML document cannot hold (C0 controls other than tab and newline, DEL,
#: lone surrogates, U+FFFE/U+FFFF), and the bidirectional controls that make text display in
#: another order than it is stored (the "Trojan source" trick): neither belongs in a title.
#: As a pattern polars' (Rust) regex also reads: its strings are UTF-8, so hold no surrogates.
CONTROL_PATTERN = (
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{FFFE}\x{FFFF}\x{202A}-\x{202E}\x{2066}-\x{2069}]"
)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def control_character(text: str) -> str | None:
    """Where ``text`` holds a character a document must not ("U+0007 at position 12"), or
    None."""
    bad = _CONTROL.search(text)
    if bad is None:
        return None
    kind = "a bidirectional control" if "\u202a" <= bad.group() <= "\u2069" else "a control"
    return f"{kind} character (U+{ord(bad.group()):04X}) at position {bad.start() + 1}"


def plain_text(name: str, value: object, *, max_length: int | None = None) -> str:
    """``value`` as text a document can hold: a string without control characters (a bell or
    NUL pasted from another system, a right-to-left override), at most ``max_length``
    characters. Markup in it stays text: every writer escapes it for where it lands."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be text, not {value!r}")
    bad = control_character(value)
    if bad:
        raise InvalidArgumentError(f"{name} holds {bad}; use plain text")
    if max_length is not None and len(value) > max_length:
        raise InvalidArgumentError(
            f"{name} is {len(value)} characters; at most {max_length} fit (a document "
            "title is limited to 255 by Word)"
        )
    return value
