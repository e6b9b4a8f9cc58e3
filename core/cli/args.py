"""Arguments several commands share, and the one validation layer for every argument.

Why argparse types: a bad value then fails while the command line is parsed, before any
file is read or model trained, with argparse's exit code 2 and one line naming the option.
Ranges (seeds, --jobs, --search, --models), paths (exists, file or folder, writable) and
JSON (depth and integer-size limits, via core.safejson) are all checked here, so commands
trust their `args`.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

MODEL_REF_HELP = "registry model id, or alias champion/challenger"
SEED_MAX = 2**32 - 1
#: core.training.zoo.ESTIMATORS, spelled out so `--help` does not import scikit-learn (a test
#: keeps the two in step).
MODEL_KINDS = ("baseline", "logreg", "rf", "xgb", "lgbm", "mlp")
TABLE_OUT_SUFFIXES = (".csv", ".parquet", ".pq")
NAME_MAX = 255

Bad = argparse.ArgumentTypeError


# -- numbers -------------------------------------------------------------------------------

def _int(text: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise Bad(f"{str(text)[:40]!r} is not a whole number") from None


def _float(text: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise Bad(f"{str(text)[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise Bad(f"{text!r} is not a finite number")
    return value


def seed(text: str) -> int:
    """A seed numpy accepts: 0 to 2**32 - 1."""
    value = _int(text)
    if not 0 <= value <= SEED_MAX:
        raise Bad(f"seed must be between 0 and {SEED_MAX} (2^32 - 1); got {value}")
    return value


def jobs(text: str) -> int:
    """Worker processes: 1 or more, or -1 for all cores."""
    value = _int(text)
    if value < 1 and value != -1:
        raise Bad(f"must be 1 or more worker processes, or -1 for all cores; got {value}")
    return value


def int_range(lo: int | None = None, hi: int | None = None) -> Callable[[str], int]:
    """A whole number within [lo, hi] (either bound may be open)."""
    def check(text: str) -> int:
        value = _int(text)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise Bad(f"must be {_bounds(lo, hi)}; got {value}")
        return value
    check.__name__ = "whole number"
    return check


def float_range(lo: float | None = None, hi: float | None = None, *,
                strict_lo: bool = False) -> Callable[[str], float]:
    """A finite number within [lo, hi] (`strict_lo`: above lo)."""
    def check(text: str) -> float:
        value = _float(text)
        low_bad = lo is not None and (value <= lo if strict_lo else value < lo)
        if low_bad or (hi is not None and value > hi):
            raise Bad(f"must be {_bounds(lo, hi, strict_lo)}; got {value:g}")
        return value
    check.__name__ = "number"
    return check


def _bounds(lo: float | None, hi: float | None, strict_lo: bool = False) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'above' if strict_lo else 'at least'} {lo:g}")
    if hi is not None:
        parts.append(f"at most {hi:g}")
    return " and ".join(parts)


def name_list(text: str) -> list[str]:
    """Comma-separated names, at least one."""
    items = [v.strip() for v in str(text).split(",") if v.strip()]
    if not items:
        raise Bad("give at least one name (comma-separated)")
    return items


def model_list(text: str) -> list[str]:
    """Comma-separated model kinds, at least one, each known."""
    items = [v.lower() for v in name_list(text)]
    unknown = [v for v in items if v not in MODEL_KINDS]
    if unknown:
        raise Bad(f"Unknown model {unknown[0]!r}; choose from {', '.join(MODEL_KINDS)}")
    return list(dict.fromkeys(items))


# -- paths ---------------------------------------------------------------------------------

def _stat(path: Path) -> os.stat_result | None:
    """os.stat, None when nothing is there; Bad for names the system refuses."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise Bad(f"{_show(path)}: a parent of this path is a file, not a folder") from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise Bad(f"{_show(path)}: a file or folder name is longer than {NAME_MAX} "
                      "characters; shorten it") from None
        raise Bad(f"{_show(path)}: {exc.strerror or exc}") from None


def _show(path: Path | str) -> str:
    text = str(path)
    return text if len(text) <= 80 else text[:60] + "…" + text[-15:]


def _check_names(path: Path) -> None:
    for part in path.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise Bad(f"{_show(path)}: a file or folder name is longer than {NAME_MAX} "
                      "characters; shorten it")


def _writable_parent(path: Path) -> None:
    """The nearest existing ancestor is a folder we may write into."""
    for parent in path.absolute().parents:
        st = _stat(parent)
        if st is None:
            continue
        if not parent.is_dir():
            raise Bad(f"{_show(path)}: {_show(parent)} is a file, not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise Bad(f"{_show(path)}: no permission to write in {_show(parent)}")
        return


def input_file(text: str) -> str:
    """An existing, readable file (a folder is refused before anything is read)."""
    path = Path(text)
    _check_names(path)
    st = _stat(path)
    if st is None:
        raise Bad(f"{_show(path)} does not exist (relative paths start at {_show(Path.cwd())})")
    if path.is_dir():
        raise Bad(f"{_show(path)} is a folder; give a file")
    if not path.is_file():
        raise Bad(f"{_show(path)} is not a regular file")
    if not os.access(path, os.R_OK):
        raise Bad(f"{_show(path)}: no permission to read it")
    return text


def input_path(text: str) -> str:
    """An existing file or folder."""
    path = Path(text)
    _check_names(path)
    if _stat(path) is None:
        raise Bad(f"{_show(path)} does not exist (relative paths start at {_show(Path.cwd())})")
    if not (path.is_dir() or path.is_file()):
        raise Bad(f"{_show(path)} is neither a file nor a folder")
    if not os.access(path, os.R_OK):
        raise Bad(f"{_show(path)}: no permission to read it")
    return text


def output_file(text: str, suffixes: tuple[str, ...] = ()) -> str:
    """A file we can create or replace: not a folder, parent folder writable."""
    path = Path(text)
    if not str(text).strip():
        raise Bad("give a file name")
    _check_names(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise Bad(f"{_show(path)} must end in {' or '.join(suffixes)}")
    st = _stat(path)
    if st is not None and path.is_dir():
        raise Bad(f"{_show(path)} is a folder; give a file name")
    _writable_parent(path)
    return text


def table_out(text: str) -> str:
    """A .csv or .parquet file to write."""
    return output_file(text, TABLE_OUT_SUFFIXES)


def output_dir(text: str) -> str:
    """A folder we can create or write into (an existing file is refused)."""
    path = Path(text)
    if not str(text).strip():
        raise Bad("give a folder")
    _check_names(path)
    st = _stat(path)
    if st is not None:
        if not path.is_dir():
            raise Bad(f"{_show(path)} is a file; give a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise Bad(f"{_show(path)}: no permission to write in it")
        return text
    _writable_parent(path)
    return text


def existing_dir(text: str) -> str:
    """A folder that already exists (e.g. a registry to read from)."""
    path = Path(text)
    _check_names(path)
    if _stat(path) is None:
        raise Bad(f"{_show(path)} does not exist; give an existing folder")
    if not path.is_dir():
        raise Bad(f"{_show(path)} is a file; give a folder")
    return text


def json_text(text: str) -> Any:
    """Inline JSON, parsed with core.safejson's depth and integer-size limits."""
    from core.errors import UserError
    from core.safejson import loads

    try:
        return loads(text, "the JSON value")
    except UserError as exc:
        raise Bad(str(exc)) from None


def json_file(text: str) -> Any:
    """A JSON file, checked as input_file, then parsed with core.safejson's limits."""
    from core.errors import UserError
    from core.safejson import read_file

    input_file(text)
    try:
        return read_file(text, "JSON file")
    except UserError as exc:
        raise Bad(str(exc)) from None


def json_or_file(text: str) -> Any:
    """JSON text when it starts with { or [, else the path of a JSON file."""
    if str(text).lstrip().startswith(("{", "[")):
        return json_text(text)
    return json_file(text)


# -- shared arguments ----------------------------------------------------------------------

def add_model_ref(parser: argparse.ArgumentParser, help: str = MODEL_REF_HELP) -> None:
    """The positional MODEL_ID (a version id or an alias)."""
    parser.add_argument("model_id", metavar="MODEL_ID", help=help)


def add_registry(parser: argparse.ArgumentParser, *, must_exist: bool = True) -> None:
    """--registry DIR: where models are stored (core.registry.default_root otherwise).

    Commands that only read models need an existing folder (a typo must not create an empty
    registry); commands that save models may create it.
    """
    parser.add_argument("--registry", metavar="DIR", type=existing_dir if must_exist
                        else output_dir,
                        help="registry folder (default: $ROUTING_LAB_MODELS or models/)")


def add_seed(parser: argparse.ArgumentParser, help: str = "seed of every random step") -> None:
    """--seed S in 0 .. 2**32 - 1."""
    parser.add_argument("--seed", type=seed, default=0, metavar="S",
                        help=f"{help} (0 to 2^32-1; default: %(default)s)")


def cv_folds(text: str) -> int:
    """Cross-validation folds: 0 (none) or 2 and more."""
    value = _int(text)
    if value < 0 or value == 1 or value > 100:
        raise Bad(f"use 0 (no cross-validation) or 2 to 100 folds; got {value}")
    return value


def add_seeds(parser: argparse.ArgumentParser, what: str) -> None:
    """--seeds N and --scheduler ADDRESS: Monte-Carlo seeds on Dask (simulate, report)."""
    parser.add_argument("--seeds", type=int_range(2, 10_000), metavar="N",
                        help=f"also {what} N seeds on Dask and add a 95 %% interval to "
                             "every simulated figure")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --seeds: an existing Dask scheduler (tcp://host:8786); "
                             "default: a local cluster, one worker per core; 'local' runs "
                             "the seeds one by one in this process")
