"""Models trained as tasks on a Dask cluster (train --scheduler) match the local runner."""

import json
import subprocess
import sys

import pytest

from core.cli import train as train_cli
from core.parallel import local_cluster
from core.synth import generate
from core.training import train_and_compare


@pytest.fixture(scope="module")
def scheduler():
    cluster = local_cluster(2)
    yield cluster.scheduler_address
    cluster.close()


@pytest.mark.slow
def test_dask_training_gives_the_local_runners_results(scheduler):
    frame = generate("variance", rows=800, seed=2)
    kinds = ["baseline", "logreg", "rf"]
    local = train_and_compare(frame, models=kinds, cv=2, seed=0)
    remote = train_and_compare(frame, models=kinds, cv=2, seed=0, scheduler=scheduler)
    for kind in kinds:
        assert remote.results[kind].status == "ok"
        assert remote.results[kind].metrics == local.results[kind].metrics
        assert remote.results[kind].cv_scores == local.results[kind].cv_scores
    assert remote.best == local.best
    assert local.scheduler is None and local.to_json()["scheduler"] is None
    assert remote.scheduler == {"address": scheduler, "workers": 2}


@pytest.mark.slow
def test_train_cli_takes_a_scheduler(scheduler, tmp_path):
    data = tmp_path / "v.csv"
    generate("variance", rows=500, seed=1).to_csv(data, index=False)
    proc = subprocess.run([sys.executable, "-m", "core", "train", str(data), "--models",
                           "logreg", "--cv", "0", "--no-save", "--scheduler", scheduler,
                           "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["models"]["logreg"]["status"] == "ok"
    assert doc["scheduler"]["address"] == scheduler
    assert f"trained on the Dask cluster at {scheduler} (2 workers)" in train_cli.render(
        {**doc, "warnings": []})


def test_the_train_page_trains_on_a_cluster_and_says_so(scheduler, app_test, monkeypatch,
                                                        tmp_path):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    at = app_test("pages/train.py", dataset=generate("variance", rows=400, seed=3),
                  dataset_name="demo")
    at.run()
    at.multiselect(key="train_models").set_value(["baseline", "logreg"])
    at.number_input(key="train_cv").set_value(0)
    at.text_input(key="train_scheduler").input(scheduler)
    at.button(key="train_go").click().run(timeout=180)
    assert not at.exception and not at.error
    run = at.session_state["train_run"]
    assert run.scheduler["address"] == scheduler
    assert all(r.ok for r in run.results.values())


def test_an_unreachable_cluster_on_the_train_page_is_an_error_box(app_test):
    at = app_test("pages/train.py", dataset=generate("variance", rows=300, seed=3),
                  dataset_name="demo")
    at.run()
    at.text_input(key="train_scheduler").input("tcp://127.0.0.1:1")
    at.button(key="train_go").click().run(timeout=120)
    assert not at.exception
    assert any("No Dask scheduler answers" in e.value for e in at.error)
    assert "train_run" not in at.session_state
