"""JSON and Artillery JSONL request logs -> one flat frame per file.

Artillery writes one JSON object per line with a nested `metrics` object whose keys differ
by platform (Lambda: `cold_start`, memory as strings; ECS: `cpu_percent`), an empty
`metrics` on HTTP 500 lines, and folders/files named after the run
(`<time_window>_<load_pattern>/<platform>_<workload>_<date>.jsonl`). This module only
parses and flattens; `core.io` maps the columns onto the canonical table.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePath

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import json as pa_json

from core.errors import UserError
from core.schema import LOAD_PATTERNS, PLATFORMS, TIME_WINDOWS, WORKLOADS

#: Lines parsed per batch: bounds the memory held by Python dicts on large files.
CHUNK_LINES = 5000
LINE = "_line"
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")

_FILE_NAME = re.compile(
    r"^(?P<platform>[a-z]+)_(?P<workload>[a-z_]+?)_(?P<date>\d{4}-\d{2}-\d{2})(?:\..*)?$")


#: Raw text kept per rejected record: enough to see and fix it, bounded for huge lines.
MAX_RAW_CHARS = 10_000
#: Longest JSON Lines line parsed as a record (core.io.MAX_LINE_CHARS is the same number).
MAX_LINE_CHARS = 1_000_000
#: Nesting of objects flattened into `a.b.c` columns (Artillery nests one level).
MAX_NESTING = 8


class Rejects(list):
    """Rejected records of one file: dicts with line, reason and raw text."""

    def add(self, line: int, reason: str, raw: str) -> None:
        if len(raw) > MAX_RAW_CHARS:
            raw = raw[:MAX_RAW_CHARS] + f"... ({len(raw):,} characters in all)"
        self.append({"line": line, "reason": reason, "raw": raw})


def parse_jsonl(lines: list[str], rejects: Rejects, text: str | None = None) -> pd.DataFrame:
    """Parse JSON Lines; broken or non-object lines go to `rejects` with their line number.

    A clean file (no blank lines; given as `text` too) goes through Arrow's JSON reader,
    several times faster; on any problem the line-by-line reader takes over.
    """
    too_long = max(map(len, lines), default=0) > MAX_LINE_CHARS
    fast = _arrow_jsonl(text) if text is not None and not too_long else None
    if fast is not None:
        return fast
    frames = []
    for start in range(0, len(lines), CHUNK_LINES):
        chunk = lines[start:start + CHUNK_LINES]
        numbers = [start + i + 1 for i, text in enumerate(chunk) if text.strip()]
        if too_long:
            for n in [n for n in numbers if len(chunk[n - start - 1]) > MAX_LINE_CHARS]:
                rejects.add(n, f"line longer than {MAX_LINE_CHARS:,} characters",
                            chunk[n - start - 1])
            numbers = [n for n in numbers if len(chunk[n - start - 1]) <= MAX_LINE_CHARS]
        texts = [chunk[n - start - 1] for n in numbers]
        records = _loads_batch(texts)
        if records is None:
            records, numbers = _loads_each(texts, numbers, rejects)
        if records:
            frames.append(records_frame(records, numbers))
    if not frames:
        return pd.DataFrame({LINE: pd.Series([], dtype="int64")})
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _arrow_jsonl(text: str) -> pd.DataFrame | None:
    body = text.rstrip()
    if not body or body[:1].isspace() or _BLANK_LINE.search(body):
        return None
    data = body.encode("utf-8")
    if nested_deeper_than(data, MAX_NESTING):
        return None
    return _arrow_table(pa.py_buffer(data), body.count("\n") + 1)


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nested_deeper_than(data: bytes | bytearray, limit: int) -> bool:
    """True when brackets nest deeper than `limit` anywhere (brackets inside strings count
    too, so it may say True for a harmless file: then the careful reader takes it).

    Why: Arrow's JSON reader recurses per level and crashes the process on a line nested
    100,000 deep; this check keeps such input away from it (about 1 s per GB)."""
    brackets = data.translate(None, _NOT_BRACKETS)
    if not brackets:
        return False
    codes = np.frombuffer(brackets, dtype=np.uint8)
    depth = np.cumsum(np.where((codes == 91) | (codes == 123), 1, -1), dtype=np.int64)
    return bool(depth.max() > limit)


def arrow_jsonl_bytes(data: bytes | bytearray, ends: np.ndarray | None = None,
                      block_bytes: int = 1 << 20) -> pd.DataFrame | None:
    """Clean UTF-8 JSON Lines read by Arrow from the bytes themselves (no copy, no decoded
    text); None when they are not clean (blank, broken or deeply nested lines...), and the
    careful text reader takes the file.

    One Arrow pass first; when a column changes type part-way (Lambda logs write
    `memory_used_mb` as a string, ECS logs as a number, and files get concatenated), the
    file is read in ~1 MB blocks of whole lines instead, each by Arrow or, for the block
    where the type changes, by `json`. `ends` are the newline offsets (core.io.ByteLines).
    """
    end = len(data)
    while end and data[end - 1] in b" \t\r\n":
        end -= 1
    if not end or _BLANK_LINE_BYTES.search(data, 0, end) or b"\r" in data:
        return None
    if nested_deeper_than(data, MAX_NESTING):
        return None
    view = memoryview(data)
    lines = data.count(b"\n", 0, end) + 1
    whole = _arrow_table(pa.py_buffer(view[:end]), lines)
    if whole is not None or ends is None:
        return whole
    line_ends = np.append(ends[ends < end], end)  # exclusive end of each line
    starts = np.concatenate([[0], line_ends[:-1] + 1])
    frames: list[pd.DataFrame] = []
    i = 0
    while i < lines:
        j = int(np.searchsorted(line_ends, starts[i] + block_bytes, side="right"))
        j = min(max(j, i + 1), lines)
        if not _read_lines(view, starts, line_ends, i, j, frames):
            return None
        i = j
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _read_lines(view: memoryview, starts: np.ndarray, line_ends: np.ndarray, i: int, j: int,
                frames: list[pd.DataFrame], smallest: int = 64) -> bool:
    """Lines [i, j) into `frames`: Arrow, else halves (a type change sits in one half), else
    `json` for a few lines; False when they are not clean JSON objects."""
    block = view[int(starts[i]):int(line_ends[j - 1])]
    frame = _arrow_table(pa.py_buffer(block), j - i)
    if frame is not None:
        frame[LINE] = np.arange(i + 1, j + 1)
        frames.append(frame)
        return True
    if j - i > smallest:
        middle = (i + j) // 2
        return (_read_lines(view, starts, line_ends, i, middle, frames, smallest)
                and _read_lines(view, starts, line_ends, middle, j, frames, smallest))
    try:
        records = _loads_batch(bytes(block).decode("utf-8").split("\n"))
    except UnicodeDecodeError:
        return False
    if records is None:
        return False
    frames.append(records_frame(records, list(range(i + 1, j + 1))))
    return True


_BLANK_LINE_BYTES = re.compile(rb"\n[ \t\r]*\n")


def _arrow_table(buffer: pa.Buffer, lines: int) -> pd.DataFrame | None:
    try:  # lines over the 1 MB block fail here and go to the line-by-line reader
        table = pa_json.read_json(pa.BufferReader(buffer))
    except (pa.ArrowException, ValueError):
        return None  # broken line, mixed types, huge line...: the line-by-line reader decides
    if table.num_rows != lines:
        return None
    depth = 0
    while any(pa.types.is_struct(f.type) for f in table.schema):
        depth += 1
        if depth > MAX_NESTING:
            return None
        table = table.flatten()
    frame = table.to_pandas()
    del table
    frame[LINE] = np.arange(1, len(frame) + 1)
    return frame


def _loads_batch(texts: list[str]) -> list[dict] | None:
    """One C-level parse of a whole batch; None when any line is not a JSON object."""
    try:
        records = json.loads("[" + ",".join(texts) + "]")
    except (ValueError, RecursionError):
        return None
    if len(records) != len(texts) or not all(type(r) is dict for r in records):
        return None
    return records


def _loads_each(texts: list[str], numbers: list[int],
                rejects: Rejects) -> tuple[list[dict], list[int]]:
    records, kept = [], []
    for text, number in zip(texts, numbers, strict=True):
        try:
            record = json.loads(text)
        except ValueError:
            rejects.add(number, "invalid JSON", text)
            continue
        except RecursionError:
            rejects.add(number, "JSON nested too deeply", text)
            continue
        if type(record) is not dict:
            rejects.add(number, "not a JSON object", text)
            continue
        records.append(record)
        kept.append(number)
    return records, kept


def parse_json_document(doc: object, rejects: Rejects, name: str) -> pd.DataFrame:
    """A whole JSON document: array of records, dict of columns, `{"data": [...]}`, one record.

    The `line` of a record is its 1-based position in the array.
    """
    if isinstance(doc, dict):
        for key in ("records", "data", "rows", "items"):
            if isinstance(doc.get(key), list) and "columns" not in doc:
                return parse_json_document(doc[key], rejects, name)
        if isinstance(doc.get("columns"), list) and isinstance(doc.get("data"), list):
            frame = pd.DataFrame(doc["data"], columns=doc["columns"])
            frame[LINE] = range(1, len(frame) + 1)
            return flatten(frame)
        if doc and all(isinstance(v, list | dict) for v in doc.values()):
            try:
                frame = pd.DataFrame(doc).reset_index(drop=True)
            except ValueError as exc:
                raise UserError(f"{name}: a JSON object of columns must hold lists of equal "
                                f"length ({exc}). Write one record per line (JSON Lines) "
                                "or an array of records instead.") from None
            frame[LINE] = range(1, len(frame) + 1)
            return flatten(frame)
        return records_frame([doc], [1])
    if isinstance(doc, list):
        records, numbers = [], []
        for i, item in enumerate(doc, start=1):
            if type(item) is dict:
                records.append(item)
                numbers.append(i)
            else:
                rejects.add(i, "not a JSON object", json.dumps(item))
        if records:
            return records_frame(records, numbers)
        return pd.DataFrame({LINE: pd.Series([], dtype="int64")})
    rejects.add(1, "not a JSON object", json.dumps(doc))
    return pd.DataFrame({LINE: pd.Series([], dtype="int64")})


def records_frame(records: list[dict], numbers: list[int]) -> pd.DataFrame:
    """Records -> frame with nested objects flattened to `parent.child` columns."""
    frame = pd.DataFrame.from_records(records)
    frame[LINE] = numbers
    return flatten(frame)


def flatten(frame: pd.DataFrame, _depth: int = 0) -> pd.DataFrame:
    """Expand columns holding dicts (e.g. Artillery `metrics`) into `parent.child` columns."""
    if _depth > MAX_NESTING:
        raise UserError(f"Records are nested more than {MAX_NESTING} levels deep (objects in "
                        "objects); flatten them (Artillery nests one level, `metrics`).")
    for col in [c for c in frame.columns if frame[c].dtype == object]:
        values = frame[col]
        nonnull = values.dropna()
        if nonnull.empty or not isinstance(nonnull.iloc[0], dict):
            continue
        dicts = [v if type(v) is dict else {} for v in values.tolist()]
        inner = pd.DataFrame.from_records(dicts, index=frame.index)
        if inner.shape[1]:
            inner = flatten(inner, _depth + 1).add_prefix(f"{col}.")
        frame = pd.concat([frame.drop(columns=[col]), inner], axis=1)
    return frame


def path_hints(source: str) -> dict[str, str]:
    """Values a log's folder and file name carry: time_window, load_pattern, platform, workload.

    Folder `<time_window>_<load_pattern>` and file `<platform>_<workload>_<YYYY-MM-DD>.jsonl`
    (the thesis's layout); only names that match the known vocabularies are used.
    """
    path = PurePath(source)
    hints: dict[str, str] = {}
    folder = path.parent.name
    for pattern in LOAD_PATTERNS:
        window = folder[: -len(pattern) - 1]
        if folder.endswith("_" + pattern) and window in TIME_WINDOWS:
            hints.update(time_window=window, load_pattern=pattern)
    match = _FILE_NAME.match(path.name)
    if match:
        if match["platform"] in (*PLATFORMS, "unknown"):
            hints["platform"] = match["platform"]
        if match["workload"] in WORKLOADS:
            hints["workload_type"] = match["workload"]
    return hints
