"""Model store: every trained model is an immutable version folder plus a SQLite index.

Why keyed checksums: a joblib file is a pickle, and unpickling runs code. The registry only
loads files whose HMAC-SHA256 matches what it recorded when it wrote them, in the folder and
in the index, under a secret key kept outside the registry folder ($ROUTING_LAB_KEY_FILE, else
~/.config/routing-lab/registry.key, created on first use). Someone who can write `models/`
but not read the key cannot forge a version; a folder copied from another machine (another
key) is refused until its owner trusts it explicitly (`python -m core trust`).

Layout under the root (default $ROUTING_LAB_MODELS, else <project>/models):
    index.sqlite                   versions and aliases (champion, challenger)
    <model_id>/model.joblib        the fitted sklearn Pipeline
    <model_id>/metadata.json       model type, metrics, features, data hash, versions, seed
    <model_id>/checksums.json      HMAC-SHA256 (and plain SHA-256) of the two files above
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import platform
import secrets
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from core.errors import UserError
from core.formats import json_default

ROOT_ENV = "ROUTING_LAB_MODELS"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
CHECKSUM_FILE = "checksums.json"
INDEX_FILE = "index.sqlite"
ALIASES = ("champion", "challenger")
FORMAT_VERSION = 1
KEY_ENV = "ROUTING_LAB_KEY_FILE"
CHECKSUM_FORMAT = 2
_TRUST_HINT = ("If you trust this folder (you made it, or copied it from your own machine), "
               "sign it with this machine's key: `python -m core trust --registry {root}`.")
_TMP_PREFIX = ".tmp-"
_STALE_TMP_S = 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    model_id TEXT PRIMARY KEY, model_type TEXT NOT NULL, created_at TEXT NOT NULL,
    n_rows INTEGER, data_sha256 TEXT, accuracy REAL, f1 REAL, roc_auc REAL,
    model_sha256 TEXT NOT NULL, metadata_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT PRIMARY KEY, model_id TEXT NOT NULL REFERENCES versions(model_id),
    updated_at TEXT NOT NULL
);
"""


@dataclass
class LoadedModel:
    """A verified, unpickled version."""

    model_id: str
    pipeline: Any
    metadata: dict[str, Any]


def default_root() -> Path:
    """$ROUTING_LAB_MODELS, else <project>/models."""
    env = os.environ.get(ROOT_ENV)
    return Path(env) if env else PROJECT_ROOT / "models"


def key_path() -> Path:
    """$ROUTING_LAB_KEY_FILE, else ~/.config/routing-lab/registry.key."""
    env = os.environ.get(KEY_ENV)
    return Path(env) if env else Path.home() / ".config" / "routing-lab" / "registry.key"


def registry_key(root: Path | None = None) -> bytes:
    """The secret that signs versions, created (32 random bytes, mode 0600) on first use.

    Refused when it lies inside the registry folder `root`: a key next to the models
    protects nothing.
    """
    path = key_path()
    if root is not None:
        with contextlib.suppress(OSError):
            if path.resolve().is_relative_to(Path(root).resolve()):
                raise UserError(f"The registry key {path} is inside the registry folder "
                                f"{root}; keep it elsewhere (set ${KEY_ENV}).")
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        raise UserError(f"The registry key {path} cannot be read ({exc}); fix its "
                        f"permissions, or point ${KEY_ENV} at another file.") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return registry_key(root)
    except OSError as exc:
        raise UserError(f"Cannot create the registry key {path} ({exc.strerror or exc}); set "
                        f"${KEY_ENV} to a file you can write.") from None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key


def key_id(key: bytes) -> str:
    """A short public name of a key (not the key): tells which key signed a version."""
    return hashlib.sha256(b"routing-lab key id" + key).hexdigest()[:12]


def hmac_file(path: Path, key: bytes) -> str:
    """HMAC-SHA256 of a file's bytes."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            mac.update(block)
    return mac.hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's values and column names (row order matters)."""
    digest = hashlib.sha256()
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions that decide whether a pickle can be read back."""
    import importlib.metadata as im

    out = {"python": platform.python_version()}
    for dist in ("scikit-learn", "numpy", "pandas", "xgboost", "lightgbm", "joblib"):
        try:
            out[dist] = im.version(dist)
        except im.PackageNotFoundError:
            continue
    return out


def new_model_id(model_type: str, now: dt.datetime | None = None) -> str:
    """'xgb-20261123T181500-ab12cd': sortable by time, random suffix for uniqueness."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{model_type}-{now.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, indent=2, sort_keys=True, default=json_default).encode()


class Registry:
    """Versions on disk, an index in SQLite, aliases `champion` and `challenger`."""

    def __init__(self, root: str | Path | None = None, *, create: bool = True):
        """`create=False` for readers: a missing folder is an error, not a new registry."""
        self.root = Path(root) if root is not None else default_root()
        try:
            if not self.root.is_dir():
                if self.root.exists():
                    raise UserError(f"Registry {self.root} is a file, not a folder; give a "
                                    "registry folder (--registry DIR).")
                if not create:
                    raise UserError(f"Registry folder {self.root} does not exist; train a "
                                    "model first, or give an existing --registry DIR.")
                self.root.mkdir(parents=True, exist_ok=True)
            if not create and not (self.root / INDEX_FILE).is_file():
                raise UserError(f"{self.root} has no {INDEX_FILE}, so it is not a model "
                                "registry; train a model into it first, or give the right "
                                "--registry DIR.")
            with self._connect() as con:
                con.executescript(_SCHEMA)
        except OSError as exc:
            raise UserError(f"Registry folder {self.root} cannot be used ({exc.strerror or exc});"
                            " give a folder you can write to (--registry DIR).") from None
        except sqlite3.DatabaseError as exc:
            raise UserError(f"Registry index {self.root / INDEX_FILE} cannot be read ({exc}); "
                            "is it a registry folder?") from None
        self._sweep_stale_tmp()
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        """This machine's signing key (read or created on first use)."""
        if self._key is None:
            self._key = registry_key(self.root)
        return self._key

    # -- plumbing ----------------------------------------------------------------------------
    def _connect(self) -> contextlib.closing[sqlite3.Connection]:
        con = sqlite3.connect(self.root / INDEX_FILE, timeout=30, isolation_level=None)
        con.row_factory = sqlite3.Row
        return contextlib.closing(con)

    def _sweep_stale_tmp(self) -> None:
        """Remove temp folders that a crashed save left behind (old ones only)."""
        cutoff = time.time() - _STALE_TMP_S
        for path in self.root.glob(f"{_TMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if path.is_dir() and path.stat().st_mtime < cutoff:
                    shutil.rmtree(path, ignore_errors=True)

    def path(self, model_id: str) -> Path:
        """Folder of one version (after resolving aliases)."""
        return self.root / self.resolve(model_id)

    # -- writing -----------------------------------------------------------------------------
    def save(self, pipeline: Any, *, model_type: str, metrics: dict[str, Any],
             features: list[str], train_frame: pd.DataFrame, seed: int,
             extra: dict[str, Any] | None = None) -> str:
        """Write a new version atomically; returns its model id.

        Files go to a temp folder in the same root, are fsynced, then the folder is renamed
        into place inside an index transaction: a crash leaves either no trace or the
        whole version.
        """
        model_id = new_model_id(model_type)
        while (self.root / model_id).exists():
            model_id = new_model_id(model_type)
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        transform = getattr(pipeline, "named_steps", {}).get("features")
        metadata = {
            "format_version": FORMAT_VERSION,
            "model_id": model_id,
            "model_type": model_type,
            "created_at": created,
            "metrics": metrics,
            "features": list(features),
            "feature_names_out": list(getattr(transform, "feature_names_out_", [])),
            "feature_transform": transform.to_dict() if transform is not None else None,
            "training_data": {"sha256": frame_fingerprint(train_frame),
                              "rows": len(train_frame)},
            "library_versions": library_versions(),
            "seed": seed,
            "classes": [0, 1],
            "extra": extra or {},
        }
        tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{model_id}-", dir=self.root))
        final = self.root / model_id
        try:
            joblib.dump(pipeline, tmp / MODEL_FILE)
            with open(tmp / MODEL_FILE, "rb+") as fh:
                os.fsync(fh.fileno())
            _write_bytes(tmp / METADATA_FILE, _dumps(metadata))
            sums = self._sign(tmp)
            _write_bytes(tmp / CHECKSUM_FILE, _dumps(self._checksum_doc(tmp, sums)))
            _fsync_dir(tmp)
            with self._connect() as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    con.execute(
                        "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (model_id, model_type, created, len(train_frame),
                         metadata["training_data"]["sha256"], _num(metrics.get("accuracy")),
                         _num(metrics.get("f1")), _num(metrics.get("roc_auc")),
                         sums[MODEL_FILE], sums[METADATA_FILE]))
                    os.rename(tmp, final)
                    _fsync_dir(self.root)
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    if final.exists() and not tmp.exists():
                        shutil.rmtree(final, ignore_errors=True)
                    raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return model_id

    def set_alias(self, alias: str, model_id: str) -> None:
        """Point `champion` or `challenger` at a version."""
        if alias not in ALIASES:
            raise UserError(f"Alias {alias!r} is not allowed; use one of {list(ALIASES)}.")
        resolved = self.resolve(model_id)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as con:
            con.execute("INSERT INTO aliases VALUES (?,?,?) ON CONFLICT(alias) DO UPDATE "
                        "SET model_id=excluded.model_id, updated_at=excluded.updated_at",
                        (alias, resolved, now))

    def delete(self, ref: str) -> None:
        """Remove a version (and any alias pointing at it)."""
        model_id = self.resolve(ref)
        with self._connect() as con:
            con.execute("DELETE FROM aliases WHERE model_id=?", (model_id,))
            con.execute("DELETE FROM versions WHERE model_id=?", (model_id,))
        shutil.rmtree(self.root / model_id, ignore_errors=True)

    # -- reading -----------------------------------------------------------------------------
    def resolve(self, ref: str) -> str:
        """Model id for an id or an alias; UserError when unknown."""
        ref = str(ref).strip()
        with self._connect() as con:
            row = con.execute("SELECT model_id FROM aliases WHERE alias=?", (ref,)).fetchone()
            if row is not None:
                return row["model_id"]
            row = con.execute("SELECT model_id FROM versions WHERE model_id=?",
                              (ref,)).fetchone()
        if row is None:
            if ref in ALIASES:
                raise UserError(f"No model is marked {ref!r} yet in {self.root}; promote one "
                                "on the Train page or pass a model id.")
            known = self.list()["model_id"].tolist()[:5]
            raise UserError(f"Model {ref!r} is not in the registry at {self.root}; known ids "
                            f"include {known}. Train one on the Train page (or with "
                            "`python -m core train FILE`).")
        return row["model_id"]

    def metadata(self, ref: str) -> dict[str, Any]:
        """Verified metadata.json of a version (no unpickling)."""
        model_id = self.resolve(ref)
        self.verify(model_id, files=(METADATA_FILE,))
        return self._read_metadata(self.root / model_id)

    def _sign(self, folder: Path) -> dict[str, str]:
        """HMAC of the model and metadata files under this machine's key."""
        return {name: hmac_file(folder / name, self.key) for name in (MODEL_FILE, METADATA_FILE)}

    def _checksum_doc(self, folder: Path, sums: dict[str, str]) -> dict[str, Any]:
        return {"format": CHECKSUM_FORMAT, "algorithm": "hmac-sha256",
                "key_id": key_id(self.key), **sums,
                "sha256": {name: sha256_file(folder / name) for name in sums}}

    def _row(self, model_id: str) -> sqlite3.Row:
        with self._connect() as con:
            row = con.execute("SELECT * FROM versions WHERE model_id=?", (model_id,)).fetchone()
        if row is None:
            raise UserError(f"Model {model_id} has an alias but no version in the index at "
                            f"{self.root}; the registry disagrees with itself. Retrain it.")
        return row

    def _recorded(self, model_id: str) -> dict[str, Any]:
        folder = self.root / model_id
        if folder.is_symlink() or not folder.is_dir():
            raise UserError(f"Model {model_id} is in the index at {self.root} but its folder "
                            "is missing; the version is not loaded. Retrain it.")
        try:
            recorded = json.loads((folder / CHECKSUM_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            raise UserError(f"Model {model_id}: {CHECKSUM_FILE} is missing or unreadable "
                            f"({type(exc).__name__}); the version is not loaded. "
                            "Retrain it.") from None
        if not isinstance(recorded, dict):
            raise UserError(f"Model {model_id}: {CHECKSUM_FILE} is not what the registry "
                            "wrote; the version is not loaded. Retrain it.")
        return recorded

    def verify(self, ref: str, files: tuple[str, ...] = (METADATA_FILE, MODEL_FILE)) -> None:
        """Refuse a version whose index row, checksums.json and files disagree.

        The keyed checksum (HMAC) of each file must equal both the index's and the folder's
        record, checksums.json must be signed with this machine's key, and metadata.json must
        name this version and its model type. UserError says which check failed.
        """
        model_id = self.resolve(ref)
        folder = self.root / model_id
        row = self._row(model_id)
        recorded = self._recorded(model_id)
        hint = _TRUST_HINT.format(root=self.root)
        if recorded.get("format") != CHECKSUM_FORMAT:
            raise UserError(f"Model {model_id} was saved without a keyed checksum (an older "
                            f"registry, or files written by hand), so it is not loaded. {hint}")
        if recorded.get("key_id") != key_id(self.key):
            raise UserError(f"Model {model_id} was signed with another key (key id "
                            f"{str(recorded.get('key_id'))[:12]}, this machine's is "
                            f"{key_id(self.key)}): the folder was copied or changed, so it is "
                            f"not loaded. {hint}")
        expected = {MODEL_FILE: row["model_sha256"], METADATA_FILE: row["metadata_sha256"]}
        for name in files:
            path = folder / name
            actual = hmac_file(path, self.key) if path.is_file() else "missing"
            if not (hmac.compare_digest(actual, str(expected[name]))
                    and hmac.compare_digest(str(recorded.get(name)), str(expected[name]))):
                raise UserError(
                    f"Model {model_id}: checksum of {name} does not match what the registry "
                    f"wrote (expected {str(expected[name])[:12]}…, got {actual[:12]}…). The "
                    "file was changed or replaced, so it is not loaded. Retrain the model.")
        if METADATA_FILE in files:
            meta = self._read_metadata(folder)
            if meta.get("model_id") != model_id or meta.get("model_type") != row["model_type"]:
                raise UserError(f"Model {model_id}: metadata.json names another version "
                                f"({str(meta.get('model_id'))[:60]}); the index and the folder "
                                "disagree, so it is not loaded. Retrain the model.")

    @staticmethod
    def _read_metadata(folder: Path) -> dict[str, Any]:
        try:
            meta = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            meta = None
        if not isinstance(meta, dict):
            raise UserError(f"{folder.name}: metadata.json is unreadable; the version is not "
                            "loaded. Retrain the model.")
        return meta

    def trust(self, refs: list[str] | None = None) -> list[str]:
        """Sign versions with this machine's key (all by default): the explicit step that
        makes a copied or older registry loadable. A version is signed only when its files
        still match the plain SHA-256 it recorded (a damaged copy stays refused)."""
        ids = [self.resolve(r) for r in refs] if refs else self.list()["model_id"].tolist()
        signed = []
        for model_id in ids:
            folder = self.root / model_id
            recorded = self._recorded(model_id)
            plain = recorded.get("sha256") if recorded.get("format") == CHECKSUM_FORMAT \
                else recorded
            if not isinstance(plain, dict):
                plain = {}
            for name in (MODEL_FILE, METADATA_FILE):
                path = folder / name
                actual = sha256_file(path) if path.is_file() else "missing"
                if plain.get(name) != actual:
                    raise UserError(f"Model {model_id}: {name} does not match the SHA-256 "
                                    "recorded beside it, so it is not trusted. Retrain it or "
                                    "delete the version.")
            meta = self._read_metadata(folder)
            if meta.get("model_id") != model_id:
                raise UserError(f"Model {model_id}: metadata.json names another version; not "
                                "trusted.")
            sums = self._sign(folder)
            _write_bytes(folder / CHECKSUM_FILE, _dumps(self._checksum_doc(folder, sums)))
            with self._connect() as con:
                con.execute("UPDATE versions SET model_sha256=?, metadata_sha256=? "
                            "WHERE model_id=?", (sums[MODEL_FILE], sums[METADATA_FILE],
                                                 model_id))
            signed.append(model_id)
        return signed

    def load(self, ref: str) -> LoadedModel:
        """Verify checksums, then unpickle: only files this registry wrote are ever loaded."""
        model_id = self.resolve(ref)
        self.verify(model_id)
        folder = self.root / model_id
        metadata = self._read_metadata(folder)
        pipeline = joblib.load(folder / MODEL_FILE)
        return LoadedModel(model_id=model_id, pipeline=pipeline, metadata=metadata)

    def list(self) -> pd.DataFrame:
        """One row per version, newest first, with its aliases."""
        with self._connect() as con:
            rows = con.execute("SELECT * FROM versions ORDER BY created_at DESC, model_id DESC"
                               ).fetchall()
            aliases = con.execute("SELECT alias, model_id FROM aliases").fetchall()
        by_id: dict[str, list[str]] = {}
        for a in aliases:
            by_id.setdefault(a["model_id"], []).append(a["alias"])
        cols = ["model_id", "model_type", "created_at", "n_rows", "accuracy", "f1", "roc_auc",
                "aliases"]
        records = [{**{k: r[k] for k in cols[:-1]},
                    "aliases": ",".join(sorted(by_id.get(r["model_id"], [])))} for r in rows]
        return pd.DataFrame(records, columns=cols)

    def aliases(self) -> dict[str, str]:
        """alias -> model id."""
        with self._connect() as con:
            return {r["alias"]: r["model_id"]
                    for r in con.execute("SELECT alias, model_id FROM aliases")}

    # -- export ------------------------------------------------------------------------------
    def bundle(self, ref: str) -> bytes:
        """Zip of the version folder (for download)."""
        import io
        import zipfile

        model_id = self.resolve(ref)
        self.verify(model_id)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted((self.root / model_id).iterdir()):
                zf.write(path, f"{model_id}/{path.name}")
        return buf.getvalue()

    def thesis_bundle(self, ref: str) -> bytes:
        """Zip of the thesis layout (see `export_thesis`), for download."""
        import io
        import zipfile

        with tempfile.TemporaryDirectory() as tmp:
            paths = self.export_thesis(ref, tmp)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in paths.values():
                    zf.write(path, path.name)
        return buf.getvalue()

    def export_thesis(self, ref: str, out_dir: str | Path) -> dict[str, Path]:
        """The thesis notebook's layout: variance_model_best.pkl, feature_columns.json,
        model_metadata.json (so its downstream scripts keep working)."""
        loaded = self.load(ref)
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"model": out / "variance_model_best.pkl",
                 "feature_columns": out / "feature_columns.json",
                 "metadata": out / "model_metadata.json"}
        joblib.dump(loaded.pipeline, paths["model"])
        meta = loaded.metadata
        paths["feature_columns"].write_text(json.dumps(meta.get("feature_names_out") or
                                                       meta["features"], indent=2))
        thesis_meta = {
            "model_id": loaded.model_id,
            "model_type": meta["model_type"],
            "features": meta["features"],
            "feature_columns": meta.get("feature_names_out"),
            "metrics": meta["metrics"],
            "training_samples": meta["training_data"]["rows"],
            "created_at": meta["created_at"],
            "library_versions": meta["library_versions"],
            "note": "The .pkl holds the whole pipeline: it takes the raw request table.",
        }
        paths["metadata"].write_text(json.dumps(thesis_meta, indent=2, default=json_default))
        return paths


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if out == out else None
