"""Read the deployed function's own log lines back into a request table.

The handler (deployment/lambda_function.py) prints one JSON object per request:
`{"level", "event": "route", "status", "platform", "lambda_probability", "time",
"request": {model inputs}, ...}`. CloudWatch keeps them as they are; an export to S3 is gzip
text with each line prefixed by its ingestion time (`2025-11-23T08:01:02.345Z {...}`), and
`aws logs filter-log-events` / Logs Insights give JSON objects whose `message` holds the line.
All three are read here, plus Lambda's own START / END / REPORT lines, which are skipped.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError

#: Columns the log table gets besides the request fields.
LOG_COLUMNS = ("timestamp", "platform", "lambda_probability", "status", "fallback")
_LAMBDA_LINES = ("START ", "END ", "REPORT ", "INIT_START", "INIT_REPORT", "EXTENSION",
                 "TELEMETRY")
#: Decompressed size of one log file above which it is refused (memory stays bounded).
MAX_LOG_BYTES = 2 * 1024**3
#: Bytes read to decide whether a file is a function log (the first lines).
_SNIFF = 64 * 1024


def _gunzip(name: str, data: bytes, limit: int) -> bytes:
    """Decompress every gzip member, stopping once the output passes `limit` (a small
    bomb never fills memory)."""
    parts, size = [], 0
    while data:
        inflater = zlib.decompressobj(wbits=31)
        pending = data
        try:
            while not inflater.eof:
                chunk = inflater.decompress(pending, 1 << 24)
                pending = inflater.unconsumed_tail
                size += len(chunk)
                if size > limit:
                    raise UserError(f"{name} expands past {limit // 1024**2:,} MB when "
                                    "decompressed; export a shorter time range.")
                parts.append(chunk)
                if not chunk and not pending:
                    raise UserError(f"{name}: the gzip file is cut short; export the logs "
                                    "again.")
        except zlib.error as exc:
            raise UserError(f"{name}: a damaged gzip file ({exc}); export the logs "
                            "again.") from None
        data = inflater.unused_data
    return b"".join(parts)


def _text(name: str, data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(name, data, MAX_LOG_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{name}: not UTF-8 text; CloudWatch exports are UTF-8 JSON "
                        "lines.") from None


def _record(line: str) -> tuple[dict | None, str | None]:
    """(route record, the time CloudWatch stamped on it) for one log line, else (None, None)."""
    line = line.strip()
    if not line or line.startswith(_LAMBDA_LINES):
        return None, None
    stamp = None
    if not line.startswith("{"):  # "2025-11-23T08:01:02.345Z {json}" (S3 export)
        head, sep, rest = line.partition(" ")
        if not sep or not rest.lstrip().startswith("{"):
            return None, None
        stamp, line = head, rest.strip()
    try:
        obj = json.loads(line)
    except ValueError:
        return None, None
    if not isinstance(obj, dict):
        return None, None
    if isinstance(obj.get("message"), str) and obj.get("event") != "route":
        # filter-log-events / Insights: the handler's line is the message
        inner, inner_stamp = _record(obj["message"])
        ts = obj.get("timestamp")
        if inner is not None and isinstance(ts, int | float) and not isinstance(ts, bool):
            inner_stamp = inner_stamp or pd.Timestamp(int(ts), unit="ms", tz="UTC").isoformat()
        return inner, inner_stamp
    if obj.get("event") != "route":
        return None, None
    return obj, stamp


def _sniff(raw: Any) -> bool:
    text = raw.read(_SNIFF).decode("utf-8", errors="replace")
    lines = text.splitlines()[:-1] if len(text) >= _SNIFF else text.splitlines()
    return any(_record(line)[0] is not None for line in lines[:200])


def is_function_log(source: str | Path | bytes) -> bool:
    """True when the first log lines (of a file, or of uploaded bytes) are the handler's
    route records."""
    try:
        if isinstance(source, bytes):
            fh: Any = io.BytesIO(source)
        else:
            path = Path(source)
            if not path.is_file():
                return False
            fh = path.open("rb")
        with fh:
            head = fh.read(2)
            fh.seek(0)
            return _sniff(gzip.GzipFile(fileobj=fh) if head == b"\x1f\x8b" else fh)
    except (OSError, EOFError):
        return False


def read_function_log(path: str | Path) -> pd.DataFrame:
    """One row per routed request: the model inputs it was sent, the platform it got, the
    probability, its time, its status; bad requests (400) keep only their status."""
    path = Path(path)
    return parse_function_log(path.name, path.read_bytes())


def parse_function_log(name: str, data: bytes) -> pd.DataFrame:
    """read_function_log for bytes (an upload)."""
    rows = []
    for line in _text(name, data).splitlines():
        rec, stamp = _record(line)
        if rec is None:
            continue
        request = rec.get("request") if isinstance(rec.get("request"), dict) else {}
        row = dict(request)
        # The request's own timestamp is a model input; the log time is when it was routed.
        row["routed_at"] = rec.get("time") or stamp
        row["platform"] = rec.get("platform")
        row["lambda_probability"] = rec.get("lambda_probability")
        row["status"] = rec.get("status")
        row["fallback"] = bool(rec.get("fallback", False))
        rows.append(row)
    if not rows:
        raise UserError(f"{name}: no route records found; expected the function's JSON "
                        "log lines (one per request, with \"event\": \"route\").")
    frame = pd.DataFrame(rows)
    frame["routed_at"] = pd.to_datetime(frame["routed_at"], utc=True, errors="coerce",
                                        format="ISO8601")
    frame["lambda_probability"] = pd.to_numeric(frame["lambda_probability"], errors="coerce")
    frame["status"] = pd.to_numeric(frame["status"], errors="coerce").astype("Int64")
    if "timestamp" not in frame.columns:
        frame["timestamp"] = frame["routed_at"]
    frame["platform"] = frame["platform"].where(frame["lambda_probability"].notna(), np.nan)
    return frame
