"""JSON from people and uploads, parsed with limits: depth, integer size, UTF-8, size.

Why: `json.loads` turns a deeply nested document into a RecursionError, a 5,000-digit
integer into a ValueError about Python's int limit, and undecodable bytes into a
UnicodeDecodeError: internal errors for what is simply bad input. Scenarios, events and
`--objective` style arguments go through `loads`, which raises `UserError` with the reason
and never quotes the text it was given (it may be a file's contents).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.errors import UserError

#: Deeper than any real scenario or event (those nest 3 levels); far below the recursion limit.
MAX_DEPTH = 64
#: An integer with more digits than this is not a setting anyone means (2**64 has 20).
MAX_INT_DIGITS = 40
#: Scenarios and events are small; a trace inline in a scenario stays well below this.
MAX_TEXT_BYTES = 64 * 1024**2


class _IntTooLong(Exception):
    pass


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _IntTooLong(len(text.lstrip("-")))
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > 400:  # "1" + 5,000 zeros + ".0" parses, slowly: refuse like an integer
        raise _IntTooLong(len(text))
    return float(text)


def depth(value: Any) -> int:
    """Nesting depth of lists and dicts (a scalar is 0), computed without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children
                     if isinstance(child, dict | list))
    return deepest


def decode(data: bytes, what: str) -> str:
    """Bytes -> text; UserError naming `what` when they are not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{what} is not UTF-8 text (undecodable byte at position "
                        f"{exc.start}); save it as UTF-8 JSON.") from None


def loads(text: str | bytes, what: str, *, max_depth: int = MAX_DEPTH,
          max_bytes: int = MAX_TEXT_BYTES) -> Any:
    """Parse JSON text with depth, integer-size and size limits; UserError on bad input."""
    size = len(text)
    if size > max_bytes:
        raise UserError(f"{what} is {size / 1024**2:,.1f} MB, above the {max_bytes // 1024**2} "
                        "MB limit for JSON settings; make it smaller.")
    if isinstance(text, bytes | bytearray):
        text = decode(bytes(text), what)
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float)
    except _IntTooLong as exc:
        raise UserError(f"{what} holds a number with {exc.args[0]:,} digits; numbers may have "
                        f"at most {MAX_INT_DIGITS} digits. Fix that value.") from None
    except RecursionError:
        raise UserError(f"{what} is nested too deeply to read (limit {max_depth} levels); "
                        "flatten it.") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{what} is not valid JSON ({exc.msg} at line {exc.lineno} column "
                        f"{exc.colno}); fix the JSON syntax.") from None
    except ValueError as exc:  # e.g. a number json cannot convert
        raise UserError(f"{what} is not valid JSON ({type(exc).__name__}); fix it.") from None
    if depth(value) > max_depth:
        raise UserError(f"{what} is nested more than {max_depth} levels deep; flatten it.")
    return value


def read_file(path: str | Path, what: str, *, max_bytes: int = MAX_TEXT_BYTES) -> Any:
    """A JSON file on this machine: a file (not a folder), at most `max_bytes`, UTF-8."""
    path = Path(path)
    try:
        if not path.exists():
            raise UserError(f"{what} {str(path)[:200]!r} does not exist; check the path.")
        if not path.is_file():
            raise UserError(f"{what} {str(path)[:200]!r} is not a file (a folder?); give the "
                            "path of a JSON file.")
        size = path.stat().st_size
        if size > max_bytes:
            raise UserError(f"{what} {path.name!r} is {size / 1024**2:,.1f} MB, above the "
                            f"{max_bytes // 1024**2} MB limit for JSON settings.")
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{what} {str(path)[:200]!r} cannot be read ({exc.strerror or exc}); "
                        "check the path and its permissions.") from None
    return loads(data, f"{what} {path.name!r}", max_bytes=max_bytes)
