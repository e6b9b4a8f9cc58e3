"""Build `function.zip`: the Lambda handler, the stdlib evaluator, the model as JSON, metadata.

Why this shape: the thesis's zip carried a pickled XGBoost model plus pandas and
scikit-learn (over 700 MB against Lambda's 250 MB limit). Here the zip holds four small text
files (plus the two modules' bytecode) and imports nothing outside the standard library.
Entries get a fixed date and metadata.json carries no build time, so the same model always
gives the same bytes (and the same SHA-256, which Lambda reports back).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import py_compile
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.formats import plain
from core.portable import evaluator
from core.portable.export import dumps, export_pipeline

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HANDLER_PATH = PROJECT_ROOT / "deployment" / "lambda_function.py"
EVALUATOR_PATH = Path(evaluator.__file__)
HANDLER = "lambda_function.lambda_handler"
ZIP_NAME = "function.zip"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)

#: Display names written to model_info.model_type (the thesis showed "XGBoost").
DISPLAY_NAMES = {"baseline": "Majority baseline", "logreg": "Logistic regression",
                 "rf": "Random forest", "xgb": "XGBoost", "lgbm": "LightGBM",
                 "mlp": "Neural network (MLP)", "router": "Objective router"}


@dataclass
class BuildResult:
    """What was built: the zip, its size and entries, and the model it carries."""

    path: str
    model_id: str
    model_type: str
    zip_bytes: int
    sha256: str
    files: list[dict[str, Any]] = field(default_factory=list)
    template: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def package_metadata(doc: dict[str, Any], *, model_id: str,
                     registry_metadata: dict[str, Any] | None = None,
                     region: str = "eu-west-1", architecture: str = "arm",
                     fallback_platform: str = "lambda") -> dict[str, Any]:
    """metadata.json for the zip: model_info fields, Lambda prices and the fallback route."""
    from core.decision import decision_threshold
    from core.pricing import get_prices

    meta = registry_metadata or {}
    prices = get_prices("aws-2026", region=region, architecture=architecture)
    metrics = meta.get("metrics") or {}
    return plain({
        "model_id": model_id,
        "model_type": DISPLAY_NAMES.get(doc["model_type"], doc["model_type"]),
        "model_kind": doc["model_type"],
        "test_accuracy": metrics.get("accuracy"),
        "training_date": meta.get("created_at"),
        "format_version": doc["format_version"],
        "input_features": doc["features"]["input_features"],
        "pricing": {"request_usd": prices.lambda_request_usd,
                    "gb_second_usd": prices.lambda_gb_second_usd,
                    "region": region, "architecture": architecture},
        "fallback_platform": fallback_platform,
        "decision_threshold": decision_threshold(meta),
    })


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _bytecode(source: Path, name: str) -> tuple[str, bytes]:
    """(zip path, checked-hash .pyc) for this interpreter's version.

    Lambda's code folder is read-only, so Python would recompile the sources on every cold
    start. A checked-hash pyc is used only while it matches the source byte for byte (an
    edit in the Lambda console falls back to the source), and only by the same Python
    minor version as the build (python3.11 in the template); otherwise it is ignored.
    """
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "out.pyc"
        py_compile.compile(str(source), cfile=str(target), dfile=name, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
        return importlib.util.cache_from_source(name), target.read_bytes()


def write_zip(doc: dict[str, Any], metadata: dict[str, Any], out_path: str | Path
              ) -> BuildResult:
    """Write handler, evaluator (+ their bytecode), model and metadata into a deflate-9 zip;
    returns sizes and the SHA-256."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    files = {
        "lambda_function.py": HANDLER_PATH.read_bytes(),
        "evaluator.py": EVALUATOR_PATH.read_bytes(),
        "model.json": dumps(doc).encode(),
        "metadata.json": json.dumps(metadata, indent=1, sort_keys=True).encode(),
    }
    for name, source in (("lambda_function.py", HANDLER_PATH),
                         ("evaluator.py", EVALUATOR_PATH)):
        pyc_name, data = _bytecode(source, name)
        files[pyc_name] = data
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=9) as zf:
        for name, data in files.items():
            zf.writestr(_entry(name), data, compresslevel=9)
    return BuildResult(path=str(out_path), model_id=str(metadata.get("model_id")),
                       model_type=str(metadata.get("model_type")),
                       zip_bytes=out_path.stat().st_size,
                       sha256=hashlib.sha256(out_path.read_bytes()).hexdigest(),
                       files=zip_contents(out_path))


def zip_contents(path: str | Path) -> list[dict[str, Any]]:
    """Name, size and compressed size of each entry."""
    with zipfile.ZipFile(path) as zf:
        return [{"name": i.filename, "bytes": i.file_size, "compressed_bytes": i.compress_size}
                for i in zf.infolist()]


def build_from_pipeline(pipeline: Any, out_dir: str | Path, *, model_id: str = "unsaved",
                        registry_metadata: dict[str, Any] | None = None,
                        region: str = "eu-west-1", architecture: str = "arm",
                        with_template: bool = True) -> BuildResult:
    """Export a fitted pipeline and write out_dir/function.zip (+ template.yaml)."""
    from core.decision import decision_threshold

    doc = export_pipeline(pipeline, metadata={
        "model_id": model_id, "decision_threshold": decision_threshold(registry_metadata)})
    meta = package_metadata(doc, model_id=model_id, registry_metadata=registry_metadata,
                            region=region, architecture=architecture)
    result = write_zip(doc, meta, Path(out_dir) / ZIP_NAME)
    if with_template:
        from core.deploy.sam import write_template

        result.template = str(write_template(out_dir))
    return result


def build_router(predictors: Any, out_dir: str | Path, *, objective: Any = None,
                 model_id: str = "unsaved", registry_metadata: dict[str, Any] | None = None,
                 region: str = "eu-west-1", architecture: str = "arm",
                 with_template: bool = True) -> BuildResult:
    """Export an objective router (its predictors + ``objective``, else the version's stored
    default) and write out_dir/function.zip (+ template.yaml)."""
    from core.objective.portable import export_router
    from core.objective.router import objective_for

    chosen = objective_for(objective, predictors, registry_metadata)
    doc = export_router(predictors, chosen, metadata={"model_id": model_id})
    meta = package_metadata(doc, model_id=model_id, registry_metadata=registry_metadata,
                            region=region, architecture=architecture)
    meta["objective"] = chosen.to_dict()
    result = write_zip(doc, meta, Path(out_dir) / ZIP_NAME)
    if with_template:
        from core.deploy.sam import write_template

        result.template = str(write_template(out_dir))
    return result


def build_lambda(ref: str, out_dir: str | Path, *, registry_root: str | Path | None = None,
                 region: str = "eu-west-1", architecture: str = "arm",
                 with_template: bool = True, objective: Any = None) -> BuildResult:
    """Build the zip for a registry version (id or alias champion/challenger); a router
    version (train-router) ships with ``objective`` (else its stored default)."""
    from core.objective.router import is_router
    from core.registry import Registry

    loaded = Registry(registry_root).load(ref)
    if is_router(loaded):
        return build_router(loaded.pipeline, out_dir, objective=objective,
                            model_id=loaded.model_id, registry_metadata=loaded.metadata,
                            region=region, architecture=architecture,
                            with_template=with_template)
    if objective is not None:
        from core.errors import UserError

        raise UserError(f"--objective needs a router version; {loaded.model_id} is a "
                        f"{loaded.metadata.get('model_type')} classifier (train one with "
                        "`python -m core train-router FILE`).")
    return build_from_pipeline(loaded.pipeline, out_dir, model_id=loaded.model_id,
                               registry_metadata=loaded.metadata, region=region,
                               architecture=architecture, with_template=with_template)
