"""Models trained as tasks on a Dask cluster (train --scheduler) match the local runner."""

import json
import subprocess
import sys

import pytest

from core.synth import generate
from core.training import train_and_compare


@pytest.fixture(scope="module")
def scheduler():
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None)
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


@pytest.mark.slow
def test_train_cli_takes_a_scheduler(scheduler, tmp_path):
    data = tmp_path / "v.csv"
    generate("variance", rows=500, seed=1).to_csv(data, index=False)
    proc = subprocess.run([sys.executable, "-m", "core", "train", str(data), "--models",
                           "logreg", "--cv", "0", "--no-save", "--scheduler", scheduler,
                           "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["models"]["logreg"]["status"] == "ok"
