"""Registry: round trip, aliases, checksum refusal, atomic save, thesis export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core import registry as reg_mod
from core.errors import UserError
from core.registry import Registry
from core.training import make_pipeline

FEATURES = ["workload_type", "payload_size_kb"]


def _frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    work = rng.choice(["lightweight_api", "heavy_processing"], n)
    payload = rng.uniform(1, 100, n)
    label = ((payload > 50) ^ (work == "heavy_processing")).astype(int)
    return pd.DataFrame({"workload_type": work, "payload_size_kb": payload,
                         "label": pd.array(label, dtype="Int64")})


@pytest.fixture
def registry(tmp_path, monkeypatch) -> Registry:
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    return Registry()


@pytest.fixture
def fitted():
    frame = _frame()
    pipe = make_pipeline("logreg", FEATURES, seed=0).fit(frame, frame["label"].astype(int))
    return pipe, frame


def _save(registry, pipe, frame, model_type="logreg") -> str:
    return registry.save(pipe, model_type=model_type, metrics={"accuracy": 0.9, "f1": 0.8},
                         features=FEATURES, train_frame=frame, seed=0)


def test_root_defaults_to_env(registry, tmp_path):
    assert registry.root == tmp_path / "models"


def test_save_load_round_trip_predicts_the_same(registry, fitted):
    pipe, frame = fitted
    model_id = _save(registry, pipe, frame)
    assert model_id.startswith("logreg-") and len(model_id.split("-")[-1]) == 6
    loaded = registry.load(model_id)
    assert loaded.model_id == model_id
    np.testing.assert_allclose(loaded.pipeline.predict_proba(frame), pipe.predict_proba(frame))
    meta = loaded.metadata
    assert meta["model_type"] == "logreg" and meta["seed"] == 0
    assert meta["training_data"]["rows"] == len(frame)
    assert len(meta["training_data"]["sha256"]) == 64
    assert meta["feature_transform"]["input_features"] == FEATURES
    assert "scikit-learn" in meta["library_versions"]
    listing = registry.list()
    assert listing["model_id"].tolist() == [model_id]
    assert listing["accuracy"].iloc[0] == pytest.approx(0.9)


def test_aliases_resolve_and_move(registry, fitted):
    pipe, frame = fitted
    first, second = _save(registry, pipe, frame), _save(registry, pipe, frame, "rf")
    registry.set_alias("champion", first)
    registry.set_alias("challenger", second)
    assert registry.resolve("champion") == first
    registry.set_alias("champion", second)
    assert registry.load("champion").model_id == second
    assert registry.aliases() == {"champion": second, "challenger": second}
    with pytest.raises(UserError, match="not allowed"):
        registry.set_alias("production", first)


def test_unknown_reference_is_a_user_error(registry):
    with pytest.raises(UserError, match="not in the registry"):
        registry.load("xgb-20260101T000000-000000")
    with pytest.raises(UserError, match="No model is marked 'champion'"):
        registry.resolve("champion")


@pytest.mark.parametrize("name", [reg_mod.MODEL_FILE, reg_mod.METADATA_FILE])
def test_tampered_file_is_refused_before_unpickling(registry, fitted, monkeypatch, name):
    pipe, frame = fitted
    model_id = _save(registry, pipe, frame)
    path = registry.root / model_id / name
    path.write_bytes(path.read_bytes() + b"tampered")
    monkeypatch.setattr(reg_mod.joblib, "load",
                        lambda *a, **k: pytest.fail("unpickled a tampered file"))
    with pytest.raises(UserError, match="checksum"):
        registry.load(model_id)


def test_rewritten_checksum_file_does_not_help(registry, fitted):
    pipe, frame = fitted
    model_id = _save(registry, pipe, frame)
    folder = registry.root / model_id
    (folder / reg_mod.MODEL_FILE).write_bytes(b"not a pickle")
    sums = json.loads((folder / reg_mod.CHECKSUM_FILE).read_text())
    sums[reg_mod.MODEL_FILE] = reg_mod.sha256_file(folder / reg_mod.MODEL_FILE)
    (folder / reg_mod.CHECKSUM_FILE).write_text(json.dumps(sums))
    with pytest.raises(UserError, match="checksum"):
        registry.load(model_id)


@pytest.mark.parametrize("step", ["dump", "rename"])
def test_crash_mid_save_leaves_no_half_version(registry, fitted, monkeypatch, step):
    pipe, frame = fitted

    def boom(*a, **k):
        raise OSError("disk full (injected)")

    if step == "dump":
        monkeypatch.setattr(reg_mod, "_write_bytes", boom)
    else:
        monkeypatch.setattr(reg_mod.os, "rename", boom)
    with pytest.raises(OSError, match="injected"):
        _save(registry, pipe, frame)
    leftovers = [p.name for p in registry.root.iterdir() if p.name != reg_mod.INDEX_FILE]
    assert not [n for n in leftovers if not n.endswith(("-wal", "-shm", "-journal"))]
    assert registry.list().empty


def test_bundle_and_thesis_export(registry, fitted, tmp_path):
    import io
    import zipfile

    pipe, frame = fitted
    model_id = _save(registry, pipe, frame)
    names = zipfile.ZipFile(io.BytesIO(registry.bundle(model_id))).namelist()
    assert f"{model_id}/{reg_mod.MODEL_FILE}" in names
    paths = registry.export_thesis(model_id, tmp_path / "thesis")
    assert {p.name for p in paths.values()} == {
        "variance_model_best.pkl", "feature_columns.json", "model_metadata.json"}
    columns = json.loads(paths["feature_columns"].read_text())
    assert columns == pipe.named_steps["features"].feature_names_out_
    thesis = zipfile.ZipFile(io.BytesIO(registry.thesis_bundle(model_id))).namelist()
    assert sorted(thesis) == ["feature_columns.json", "model_metadata.json",
                              "variance_model_best.pkl"]


def test_delete_removes_version_and_alias(registry, fitted):
    pipe, frame = fitted
    model_id = _save(registry, pipe, frame)
    registry.set_alias("champion", model_id)
    registry.delete("champion")
    assert registry.list().empty and registry.aliases() == {}
    assert not (registry.root / model_id).exists()


# -- keyed checksums and trust (issue 14) --------------------------------------------------

def test_key_is_created_once_outside_the_registry_with_private_mode(registry, fitted, tmp_path,
                                                                    monkeypatch):
    key_file = tmp_path / "keys" / "registry.key"
    monkeypatch.setenv(reg_mod.KEY_ENV, str(key_file))
    pipe, frame = fitted
    model_id = Registry(registry.root).save(pipe, model_type="logreg", metrics={},
                                            features=FEATURES, train_frame=frame, seed=0)
    assert key_file.is_file() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    before = key_file.read_text()
    Registry(registry.root).load(model_id)
    assert key_file.read_text() == before
    sums = json.loads((registry.root / model_id / reg_mod.CHECKSUM_FILE).read_text())
    assert sums["algorithm"] == "hmac-sha256" and before.strip() not in json.dumps(sums)


def test_key_inside_the_registry_folder_is_refused(registry, fitted, monkeypatch):
    pipe, frame = fitted
    monkeypatch.setenv(reg_mod.KEY_ENV, str(registry.root / "registry.key"))
    with pytest.raises(UserError, match="inside the registry folder"):
        _save(Registry(registry.root), pipe, frame)


def test_copied_registry_needs_explicit_trust(registry, fitted, tmp_path, monkeypatch):
    pipe, frame = fitted
    model_id = _save(registry, pipe, frame)
    monkeypatch.setenv(reg_mod.KEY_ENV, str(tmp_path / "other-machine.key"))
    other = Registry(registry.root)
    monkeypatch.setattr(reg_mod.joblib, "load",
                        lambda *a, **k: pytest.fail("unpickled an untrusted version"))
    with pytest.raises(UserError, match=r"signed with another key.*core trust"):
        other.load(model_id)
    monkeypatch.undo()
    monkeypatch.setenv(reg_mod.KEY_ENV, str(tmp_path / "other-machine.key"))
    assert other.trust() == [model_id]
    np.testing.assert_allclose(other.load(model_id).pipeline.predict_proba(frame),
                               pipe.predict_proba(frame))


def test_unkeyed_checksums_of_an_older_registry_are_refused_until_trusted(registry, fitted):
    pipe, frame = fitted
    model_id = _save(registry, pipe, frame)
    folder = registry.root / model_id
    plain = {name: reg_mod.sha256_file(folder / name)
             for name in (reg_mod.MODEL_FILE, reg_mod.METADATA_FILE)}
    (folder / reg_mod.CHECKSUM_FILE).write_text(json.dumps(plain))  # the format-1 layout
    with pytest.raises(UserError, match="without a keyed checksum"):
        registry.load(model_id)
    registry.trust([model_id])
    assert registry.load(model_id).model_id == model_id


def test_trust_refuses_files_that_changed_since_they_were_recorded(registry, fitted):
    pipe, frame = fitted
    model_id = _save(registry, pipe, frame)
    (registry.root / model_id / reg_mod.MODEL_FILE).write_bytes(b"not a pickle")
    with pytest.raises(UserError, match="not trusted"):
        registry.trust()


def test_index_row_and_folder_must_agree(registry, fitted):
    pipe, frame = fitted
    first, second = _save(registry, pipe, frame), _save(registry, pipe, frame)
    # Swap a whole signed folder in under another id: its checksums no longer match the
    # index row; copy the row's hashes too and metadata.json still names the other version.
    import shutil
    import sqlite3

    shutil.rmtree(registry.root / second)
    shutil.copytree(registry.root / first, registry.root / second)
    with pytest.raises(UserError, match=r"checksum of metadata\.json does not match"):
        registry.load(second)
    with sqlite3.connect(registry.root / reg_mod.INDEX_FILE) as con:
        con.execute("UPDATE versions SET model_sha256=(SELECT model_sha256 FROM versions "
                    "WHERE model_id=?), metadata_sha256=(SELECT metadata_sha256 FROM versions "
                    "WHERE model_id=?) WHERE model_id=?", (first, first, second))
    with pytest.raises(UserError, match=r"metadata\.json names another version"):
        registry.load(second)
    shutil.rmtree(registry.root / first)
    with pytest.raises(UserError, match="folder is missing"):
        registry.load(first)


def test_reading_a_missing_registry_does_not_create_it(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(UserError, match="does not exist"):
        Registry(missing, create=False)
    assert not missing.exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="not a model registry"):
        Registry(tmp_path / "empty", create=False)
    assert not (tmp_path / "empty" / reg_mod.INDEX_FILE).exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is a file"):
        Registry(tmp_path / "file")
