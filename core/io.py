"""Read load-test logs (CSV, JSON, JSONL, Parquet, gzip of these, Artillery) -> canonical table.

The file type comes from the content (gzip and Parquet magic bytes, a leading `[`/`{` for
JSON, else CSV), not only from the extension, so renamed files still load and images
renamed `.csv` get a clear message. Every input record ends up either in `frame` or in
`rejected` with its line number and a reason: nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from core.artillery import (
    LINE,
    Rejects,
    arrow_jsonl_bytes,
    flatten,
    parse_json_document,
    parse_jsonl,
)
from core.canonical import canonicalise, row_problems
from core.cost_profile import fill_missing_cost
from core.errors import UserError

MAX_UPLOAD_BYTES: int = 200 * 1024**2
#: Longest line (characters) read as one record: a request is a few hundred; a longer line is
#: rejected before it is parsed, so one huge line cannot take the memory of the whole file.
MAX_LINE_CHARS = 1_000_000
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".jsonl", ".ndjson", ".parquet", ".pq")
REJECTED_COLUMNS = ("source", "line", "reason", "raw")
_MAGIC = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"%PDF": "a PDF document", b"PK\x03\x04": "a zip archive (or an Excel .xlsx workbook)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office document", b"\x7fELF": "a program",
    b"BZh": "a bzip2 archive", b"\xfd7zXZ": "an xz archive", b"SQLite format 3": "a database",
}


@dataclass
class IngestResult:
    """The canonical table, the rejected records and what was read.

    `rejected` has columns source, line, reason, raw. `line` is the 1-based line in the file
    for CSV and JSON Lines, the 1-based record position for JSON documents and Parquet.
    Error responses (HTTP >= 400) are rows of `frame` with `is_error` set, not rejections.
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame
    files: list[str]
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """Counts for the page and `ingest --json`: read, accepted, rejected per reason."""
        reasons = self.rejected["reason"].value_counts()
        return {
            "files": len(self.files),
            "rows_read": len(self.frame) + len(self.rejected),
            "rows_accepted": len(self.frame),
            "rows_rejected": len(self.rejected),
            "rejected_by_reason": {str(k): int(v) for k, v in reasons.items()},
            "error_rows": int(self.frame["is_error"].sum()) if len(self.frame) else 0,
            "warnings": list(self.warnings),
        }


def read_paths(paths: Sequence[str | Path], *, max_bytes: int = MAX_UPLOAD_BYTES,
               need_latency: bool = True, allow_empty: bool = False) -> IngestResult:
    """Read files and directories (recursively: table files only) into one canonical table.

    `need_latency=False` reads requests that have not run yet (to predict or explain them).
    One unreadable file among several is reported as a rejection; the others still load.
    No usable row at all is a UserError with the commonest reason (`allow_empty=True`
    returns the empty table with its rejections instead, e.g. to write them out).
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    try:
        files, skipped = _expand(paths)
        for path in files:
            _check_size(str(path), path.stat().st_size, max_bytes)
    except OSError as exc:
        raise UserError(f"{exc.filename or 'An input'} cannot be read ({exc.strerror or exc}); "
                        "check the path and its permissions.") from None
    warnings = []
    if skipped:
        names = ", ".join(p.name for p in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        warnings.append(f"skipped {len(skipped)} file(s) in folders that are not tables "
                        f"(by extension): {names}")
    return _ingest([(str(p), _reader(p)) for p in files], max_bytes, warnings, need_latency,
                   allow_empty)


def read_uploads(files: Sequence[tuple[str, bytes]], *, max_bytes: int = MAX_UPLOAD_BYTES,
                 need_latency: bool = True, allow_empty: bool = False) -> IngestResult:
    """Read uploaded files given as (name, content) pairs, e.g. from st.file_uploader."""
    if not files:
        raise UserError("No files given: upload at least one CSV, JSON, JSONL or Parquet file.")
    for name, data in files:
        _check_size(name, len(data), max_bytes)
    return _ingest([(name, _const(data)) for name, data in files], max_bytes, [], need_latency,
                   allow_empty)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV or Parquet, chosen by the file extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise UserError(f"Output file {path} must end in .csv or .parquet (got '{suffix}'); "
                        "choose one of these extensions.")
    try:
        if path.is_dir():
            raise UserError(f"Output {path} is a folder; give a file name ending in {suffix}.")
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
    except OSError as exc:
        raise UserError(f"Cannot write {path} ({exc.strerror or exc}); choose a file in a "
                        "folder you can write to.") from None
    return path


def _const(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _reader(path: Path) -> Callable[[], bytes]:
    """Read a file when its turn comes; an unreadable one is a UserError, not a crash."""
    def load() -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise UserError(f"{path} cannot be read ({exc.strerror or exc}); check its "
                            "permissions.") from None
    return load


def _expand(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path]]:
    files: list[Path] = []
    skipped: list[Path] = []
    if not paths:
        raise UserError("No input paths given: pass one or more files or folders.")
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue  # hidden files and folders (.git, .DS_Store ...)
                name = child.name.lower().removesuffix(".gz")
                (files if name.endswith(TABLE_SUFFIXES) else skipped).append(child)
        elif path.is_file():
            files.append(path)
        else:
            raise UserError(f"Input {path} does not exist; check the path (relative paths "
                            f"start at {Path.cwd()}).")
    if not files:
        raise UserError(f"No table files (.csv, .json, .jsonl, .parquet, or .gz of these) "
                        f"found in {', '.join(map(str, paths))}.")
    return files, skipped


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise UserError(
            f"{name} is {_mb(size)}, above the size limit of {_mb(max_bytes)}. Split the file, "
            "or raise the limit (`ingest --max-mb N`, or the size limit on the Data page).")


def _mb(size: int) -> str:
    return f"{size / 1024**2:,.1f} MB" if size >= 1024**2 else f"{size:,} bytes"


def _ingest(sources: list[tuple[str, Callable[[], bytes]]], max_bytes: int,
            warnings: list[str], need_latency: bool = True,
            allow_empty: bool = False) -> IngestResult:
    frames, rejected, failures = [], [], []
    seen_ids: set[str] = set()
    for name, load in sources:
        try:
            frame, rejects = _read_file(name, load, max_bytes, seen_ids, need_latency)
        except UserError as exc:
            if len(sources) == 1:
                raise
            failures.append(exc)  # keep the other files: the bad one becomes a rejection
            rejected.append({"source": name, "line": pd.NA,
                             "reason": "unreadable file", "raw": str(exc)})
            continue
        frames.append(frame)
        rejected.extend({"source": name, **r} for r in rejects)
    if not frames:
        raise UserError(f"None of the {len(sources)} files could be read; the first: "
                        f"{failures[0]}")
    if failures:
        warnings = [*warnings, f"{len(failures)} of {len(sources)} files could not be read "
                    "and were skipped (see the rejected rows, reason 'unreadable file')"]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    rejected_frame = pd.DataFrame(rejected, columns=list(REJECTED_COLUMNS))
    rejected_frame["line"] = rejected_frame["line"].astype("Int64")
    if frame.empty and rejected_frame.empty:
        raise UserError(f"No data rows in {', '.join(n for n, _ in sources)}: the files have a "
                        "header or structure but no records. Choose files with data.")
    if frame.empty and not allow_empty:
        reasons = rejected_frame["reason"].value_counts()
        first = rejected_frame[rejected_frame["reason"] == reasons.index[0]].iloc[0]
        where = "" if pd.isna(first["line"]) else f", e.g. line {int(first['line'])}"
        raise UserError(f"No usable rows in {_names(sources)}: all {len(rejected_frame):,} "
                        f"records were rejected (most often: {reasons.index[0]}{where}). Fix "
                        "the file, or see every reason with `python -m core ingest FILE --out "
                        "table.csv --rejected rejected.csv`.")
    frame, cost_note = _fill_cost(frame)
    warnings = warnings + ([cost_note] if cost_note else []) + _data_warnings(frame)
    return IngestResult(frame, rejected_frame, [n for n, _ in sources], warnings)


def _names(sources: list[tuple[str, Callable[[], bytes]]]) -> str:
    names = [Path(n).name for n, _ in sources]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _read_file(name: str, load: Callable[[], bytes], max_bytes: int, seen_ids: set[str],
               need_latency: bool = True) -> tuple[pd.DataFrame, Rejects]:
    """One file -> canonical rows and its rejected records; `seen_ids` grows by its ids."""
    rejects = Rejects()
    raw, lines = _parse(name, load, max_bytes, rejects)
    if raw.empty and rejects:
        first = rejects[0]
        raise UserError(f"No record of {name} could be read: {len(rejects):,} rejected, the "
                        f"first at line {first['line']} ({first['reason']}). Check that it holds "
                        "one JSON object per line, or one JSON document in a .json file.")
    frame, originals = canonicalise(raw, name, need_latency=need_latency)
    del raw
    reason = row_problems(frame, originals, need_latency=need_latency)
    ids = frame["request_id"].to_numpy(dtype=object, na_value=None)
    seen_before = np.fromiter((i in seen_ids for i in ids), bool, len(ids))
    dup = (ids != None) & (pd.Series(ids).duplicated().to_numpy() | seen_before)  # noqa: E711
    reason[dup & reason.isna().to_numpy()] = "duplicate request_id"
    bad = reason.notna().to_numpy()
    if bad.any():
        numbers = frame.loc[bad, "source_line"].tolist()
        if lines is not None:
            raws = [lines[n - 1] for n in numbers]
        else:
            raws = frame.loc[bad].to_json(orient="records", lines=True,
                                          date_format="iso").splitlines()
        for number, why, text in zip(numbers, reason[bad].tolist(), raws, strict=True):
            rejects.add(number, why, text)
        frame = frame.loc[~bad].reset_index(drop=True)
    seen_ids.update(frame["request_id"].dropna().to_numpy(dtype=object))
    rejects.sort(key=lambda r: r["line"])
    return frame, rejects


def _parse(name: str, load: Callable[[], bytes | bytearray], max_bytes: int,
           rejects: Rejects) -> tuple[pd.DataFrame, Sequence[str] | None]:
    """Bytes -> flat frame with a `_line` column, and the text lines (None for Parquet/JSON).

    Memory: the file's bytes are the only full copy held while Arrow reads clean JSON Lines
    (no decoded text, no list of lines); other formats decode to text and drop the bytes.
    """
    data = load()
    gzipped = data[:2] == b"\x1f\x8b"
    if gzipped:
        data = _gunzip(name, data, max_bytes)
    if data[:4] == b"PAR1":
        return _read_parquet(name, data), None
    fast = _arrow_fast_path(name, data)
    if fast is not None:
        frame, lines = fast
        lines.release(lambda: _gunzip(name, load(), max_bytes) if gzipped else load())
        return frame, lines
    text = _decode(name, data)
    del data
    if not text.strip():
        raise UserError(f"{name} is empty. Choose a file with a header row and data rows "
                        "(CSV) or one JSON object per line (JSONL).")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = next(line for line in lines if line.strip()).lstrip()
    if first.startswith("["):
        return parse_json_document(_loads_document(name, text), rejects, name), None
    if first.startswith("{"):
        return _read_json_object_text(name, text, lines, rejects)
    return _read_csv(name, text, lines, rejects), lines


def _gunzip(name: str, data: bytes, limit: int) -> bytearray:
    """Decompress (several members too), stopping as soon as the output passes `limit`:
    the limit is on what is decompressed, so a small bomb never fills memory.

    Output goes in 16 MB steps into one buffer sized by the gzip trailer's length field (a
    hint: it can lie or wrap), so the file is never held twice while it grows."""
    hint = int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0
    out = bytearray(min(hint, limit + 1))  # calloc: untouched pages cost nothing
    size = 0
    while data:
        inflater = zlib.decompressobj(wbits=31)
        pending = data
        while True:
            try:
                chunk = inflater.decompress(pending, 1 << 24)
                if not inflater.unconsumed_tail and not inflater.eof:
                    chunk += inflater.flush()
            except zlib.error as exc:
                raise UserError(f"{name} looks gzipped but cannot be decompressed ({exc}); "
                                "re-create the .gz file or upload it uncompressed.") from None
            if size + len(chunk) <= len(out):
                out[size:size + len(chunk)] = chunk
            else:
                del out[size:]
                out += chunk
            size += len(chunk)
            if size > limit:
                del out
                raise UserError(f"{name} expands past {_mb(limit)} when decompressed; raise "
                                "--max-mb (or the size limit on the Data page), or split it.")
            pending = inflater.unconsumed_tail
            if not pending:
                break
        if not inflater.eof:
            raise UserError(f"{name} looks gzipped but cannot be decompressed (the data ends "
                            "early); re-create the .gz file or upload it uncompressed.")
        data = inflater.unused_data if inflater.unused_data[:2] == b"\x1f\x8b" else b""
    del out[size:]
    return out


class ByteLines:
    """Line n (0-based, as text) of a file's bytes, found on demand: the raw text of the few
    rejected records without splitting the whole file into a list of lines."""

    def __init__(self, data: bytes | bytearray, chunk: int = 1 << 24):
        self.data: bytes | bytearray | None = data
        self._reload: Callable[[], bytes | bytearray] | None = None
        view = np.frombuffer(data, dtype=np.uint8)
        # In chunks: a whole-file comparison would allocate one bool per byte of the file.
        self.ends = np.concatenate([np.flatnonzero(view[i:i + chunk] == 10) + i
                                    for i in range(0, len(view), chunk)] or [np.zeros(0, int)])

    def longest(self) -> int:
        """Length of the longest line, in bytes."""
        bounds = np.concatenate([[-1], self.ends, [len(self.data)]])
        return int(np.diff(bounds).max()) - 1

    def __len__(self) -> int:
        return len(self.ends) + 1

    def release(self, reload: Callable[[], bytes | bytearray]) -> None:
        """Drop the file's bytes (the largest thing held while the table is built); `reload`
        reads them again if a rejected record's text is ever asked for."""
        self.data, self._reload = None, reload

    def __getitem__(self, index: int) -> str:
        if self.data is None and self._reload is not None:
            self.data = self._reload()
        assert self.data is not None
        start = 0 if index == 0 else int(self.ends[index - 1]) + 1
        end = int(self.ends[index]) if index < len(self.ends) else len(self.data)
        return bytes(self.data[start:end]).decode("utf-8", errors="replace").rstrip("\r")


def _arrow_fast_path(name: str, data: bytes | bytearray
                     ) -> tuple[pd.DataFrame, ByteLines] | None:
    """Clean JSON Lines (first line one object, no blank lines, UTF-8) read by Arrow straight
    from the bytes; None hands the file to the text readers (which also find what is wrong)."""
    if data[:1] != b"{" or data[:3] == b"\xef\xbb\xbf":
        return None
    newline = data.find(b"\n")
    if newline < 0 or newline > MAX_LINE_CHARS:
        return None
    try:
        first = json.loads(bytes(data[:newline]))
    except (ValueError, RecursionError):
        return None
    if type(first) is not dict:
        return None
    lines = ByteLines(data)
    if lines.longest() > MAX_LINE_CHARS:
        return None  # the text reader rejects the long lines one by one
    frame = arrow_jsonl_bytes(data, lines.ends)
    return None if frame is None else (frame, lines)


def _read_parquet(name: str, data: bytes) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises many types for corrupt files
        raise UserError(f"{name} starts like Parquet but cannot be read ({exc}); "
                        "re-export it, or save it as CSV.") from None
    frame = frame.reset_index(drop=True)
    frame[LINE] = range(1, len(frame) + 1)
    return flatten(frame)


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes that are not UTF-8 as Windows-1252 (a superset of Latin-1)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return bad.decode("cp1252", errors="replace"), error.end


_CP1252_FALLBACK = "core.io.cp1252"
codecs.register_error(_CP1252_FALLBACK, _cp1252_bytes)


def _decode(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM or zero-byte pattern); bytes that are not
    UTF-8 are read as Windows-1252, so a file with lines in both encodings still decodes."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise UserError(f"{name} is {what}, not a table. Choose a CSV, JSON, JSONL or "
                            "Parquet file (export spreadsheets as CSV first).")
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    zeros_odd, zeros_even = head[1::2].count(0), head[0::2].count(0)
    if zeros_odd > len(head) // 4 and zeros_even <= zeros_odd // 8:
        return data.decode("utf-16-le", errors="replace")
    if zeros_even > len(head) // 4 and zeros_odd <= zeros_even // 8:
        return data.decode("utf-16-be", errors="replace")
    if b"\x00" in head:
        raise UserError(f"{name} is a binary file, not text. Choose a CSV, JSON, JSONL or "
                        "Parquet file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # Latin-1/Windows-1252, or logs appended in two encodings
        text = data.decode("utf-8-sig", errors=_CP1252_FALLBACK)
    controls = sum(ch < " " and ch not in "\t\r\n" for ch in text[:4096])
    if controls > len(text[:4096]) // 20:
        raise UserError(f"{name} is a binary file, not text. Choose a CSV, JSON, JSONL or "
                        "Parquet file.")
    return text


def _loads_document(name: str, text: str) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        raise UserError(f"{name} is JSON nested too deeply to read; flatten the records "
                        "(one level of nesting, like Artillery's metrics, is fine).") from None
    except ValueError as exc:
        raise UserError(f"{name} is not valid JSON ({exc}). Fix the file, or write one "
                        "record per line (JSON Lines) so that good lines still load.") from None


def _read_json_object_text(name: str, text: str, lines: list[str],
                           rejects: Rejects) -> tuple[pd.DataFrame, list[str] | None]:
    """`{` first: JSON Lines when the first line is a whole object, else one JSON document."""
    start = next(i for i, line in enumerate(lines) if line.strip())
    first = None
    if len(lines[start]) <= MAX_LINE_CHARS:
        try:
            first = json.loads(lines[start])
        except (ValueError, RecursionError):
            first = None
    single_line = not any(line.strip() for line in lines[start + 1:])
    jsonl_name = name.lower().removesuffix(".gz").endswith((".jsonl", ".ndjson"))
    if first is None and not jsonl_name and (single_line or len(lines[start]) <= MAX_LINE_CHARS):
        try:
            doc = json.loads(text)
        except RecursionError:
            raise UserError(f"{name} is JSON nested too deeply to read; flatten the records "
                            "(one level of nesting, like Artillery's metrics, is fine).") from None
        except ValueError:
            doc = None  # not one document: read line by line, so good lines still load
        if doc is not None:
            return parse_json_document(doc, rejects, name), None
    if single_line and isinstance(first, dict):
        frame = parse_json_document(first, rejects, name)
        return frame, (lines if len(frame) <= 1 else None)
    return parse_jsonl(lines, rejects, text), lines


def _read_csv(name: str, text: str, lines: list[str], rejects: Rejects) -> pd.DataFrame:
    """CSV with exact 1-based line numbers; records with the wrong field count are rejected."""
    header_line = next(line for line in lines if line.strip())
    longest = max(map(len, lines))
    if longest > MAX_LINE_CHARS:
        number = next(i for i, line in enumerate(lines, 1) if len(line) == longest)
        raise UserError(f"{name}: line {number} is {longest:,} characters long (limit "
                        f"{MAX_LINE_CHARS:,}); this is not a table of requests. Check the file.")
    sep = max(",;\t|", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    spans: list[tuple[int, int]] = []  # (first, last) line of each good record, 1-based
    end = 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header, header_span = row, (start, end)
            elif len(row) != len(header):
                rejects.add(start, "wrong number of fields", "\n".join(lines[start - 1:end]))
            else:
                spans.append((start, end))
    except csv.Error as exc:
        raise UserError(f"{name}: cannot read as CSV at line {end + 1} ({exc}). Check quotes "
                        "and the delimiter, or save it again as CSV (UTF-8).") from None
    body = text
    if rejects:  # drop the rejected records so that pandas sees only good ones
        body = "\n".join("\n".join(lines[a - 1:b]) for a, b in [header_span, *spans])
    try:  # `;` files come from locales that write decimal commas
        frame = pd.read_csv(io.StringIO(body), sep=sep, low_memory=False,
                            decimal="," if sep == ";" else ".")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise UserError(f"{name}: cannot read as CSV ({exc}). Check the header row and the "
                        "delimiter, or save it again as CSV (UTF-8).") from None
    starts = [a for a, _ in spans]
    if len(frame) != len(starts):  # pandas disagreed with the csv module: number rows
        starts = list(range(2, len(frame) + 2))
    frame[LINE] = starts
    return frame


def _fill_cost(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Fill missing cost_usd by the default cost profile (core.cost_profile)."""
    # Pricing never reads the ids or file names: leave those (the largest text columns) out
    # of the copy it makes, then put the cost column back.
    bystanders = [c for c in ("request_id", "source_file") if c in frame.columns]
    filled = fill_missing_cost(frame.drop(columns=bystanders))
    notes = " ".join(filled.attrs.get("cost_notes", [])) or None
    if not bystanders:
        return filled, notes
    frame = frame.copy(deep=False)
    frame["cost_usd"] = filled["cost_usd"].to_numpy()
    frame.attrs.update(filled.attrs)
    return frame, notes


def _data_warnings(frame: pd.DataFrame) -> list[str]:
    warnings = []
    platforms = sorted(set(frame["platform"].dropna().unique()) - {"unknown"})
    paired = any(str(c).startswith("lambda_") for c in frame.columns)
    if len(platforms) == 1 and not paired:
        other = "ECS" if platforms[0] == "lambda" else "Lambda"
        warnings.append(f"only one platform ({platforms[0]}) in the data: labels compare "
                        f"Lambda with ECS, so add logs of {other} to label these rows.")
    return warnings
