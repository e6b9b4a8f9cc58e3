"""Deployment history: one JSON line per deploy, promote or rollback (dry runs included).

Kept next to the model registry ($ROUTING_LAB_MODELS/deployments.jsonl) because a
deployment is about a registry version; append-only, so concurrent writers cannot corrupt
earlier lines.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

HISTORY_FILE = "deployments.jsonl"


def history_path(root: str | Path | None = None) -> Path:
    """deployments.jsonl in the registry root (default: $ROUTING_LAB_MODELS or models/)."""
    from core.registry import default_root

    return Path(root if root is not None else default_root()) / HISTORY_FILE


def record(entry: dict[str, Any], root: str | Path | None = None) -> dict[str, Any]:
    """Append one entry (a timestamp is added); returns what was written."""
    path = history_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **entry}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, default=str) + "\n")
    return line


def read(root: str | Path | None = None) -> list[dict[str, Any]]:
    """All entries, newest first (unreadable lines are skipped)."""
    path = history_path(root)
    if not path.is_file():
        return []
    out = []
    for text in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(text))
        except ValueError:
            continue
    return out[::-1]
