"""Build `model.tar.gz` for SageMaker: model files at the root, code/ with inference.py.

Seed 004 lost four endpoint recreations to a wrong tarball layout and a pinned numpy that
could not read a pickle. Here the model is JSON, the code is the standard-library
evaluator, and code/requirements.txt has nothing to pin.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

from core.deploy.lambda_pkg import EVALUATOR_PATH, PROJECT_ROOT, package_metadata
from core.errors import UserError
from core.portable.export import dumps, export_pipeline

INFERENCE_PATH = PROJECT_ROOT / "deployment" / "sagemaker" / "inference.py"
TARBALL_NAME = "model.tar.gz"
REQUIREMENTS = (
    "# No third-party packages: the model is JSON evaluated by code/evaluator.py with the\n"
    "# Python standard library (3.9 or newer), so there is no version to pin and no pickle\n"
    "# to break. Any SageMaker Python container (sklearn, pytorch, ...) can serve it.\n"
)


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    tar.addfile(info, io.BytesIO(data))


def write_tarball(doc: dict[str, Any], metadata: dict[str, Any], out_path: str | Path
                  ) -> dict[str, Any]:
    """model.json + metadata.json at the root, code/{inference.py, evaluator.py,
    requirements.txt}; returns path, size and member names."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    members = {
        "model.json": dumps(doc).encode(),
        "metadata.json": json.dumps(metadata, indent=1, sort_keys=True).encode(),
        "code/inference.py": INFERENCE_PATH.read_bytes(),
        "code/evaluator.py": EVALUATOR_PATH.read_bytes(),
        "code/requirements.txt": REQUIREMENTS.encode(),
    }
    with tarfile.open(out_path, "w:gz", compresslevel=9) as tar:
        for name, data in members.items():
            _add(tar, name, data)
    return {"path": str(out_path), "tarball_bytes": out_path.stat().st_size,
            "model_id": metadata.get("model_id"), "model_type": metadata.get("model_type"),
            "members": [{"name": n, "bytes": len(d)} for n, d in members.items()]}


def build_from_pipeline(pipeline: Any, out_dir: str | Path, *, model_id: str = "unsaved",
                        registry_metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """Export a fitted pipeline to out_dir/model.tar.gz."""
    doc = export_pipeline(pipeline, metadata={"model_id": model_id})
    meta = package_metadata(doc, model_id=model_id, registry_metadata=registry_metadata)
    return write_tarball(doc, meta, Path(out_dir) / TARBALL_NAME)


def build_sagemaker(ref: str, out_dir: str | Path, *,
                    registry_root: str | Path | None = None) -> dict[str, Any]:
    """model.tar.gz for a registry version (id or alias)."""
    from core.registry import Registry

    loaded = Registry(registry_root).load(ref)
    if loaded.metadata.get("model_type") == "router":
        raise UserError(f"{loaded.model_id} is an objective router (per-platform predictors); "
                        "the SageMaker tarball holds classifiers. Ship the router with "
                        "`python -m core build-lambda`, or pick a classifier version.")
    return build_from_pipeline(loaded.pipeline, out_dir, model_id=loaded.model_id,
                               registry_metadata=loaded.metadata)
