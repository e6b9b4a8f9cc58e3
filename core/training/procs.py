"""The fork server that starts each model's process, and starting it early.

Why its own light module: the server imports the model libraries (2-3 s) in the background;
started before this process imports scikit-learn (`core.training` starts it when
`train_and_compare` is first asked for), both imports run at once on two cores.
"""

from __future__ import annotations

import multiprocessing as mp

CTX = mp.get_context("forkserver")
#: Imported once by the fork server, so each model's process starts warm.
PRELOAD = ["core.training.worker", "sklearn.ensemble", "sklearn.neural_network", "xgboost",
           "lightgbm", "threadpoolctl"]
CTX.set_forkserver_preload(PRELOAD)


def start() -> None:
    """Start the fork server now if it is not running (returns at once; safe to call often)."""
    from multiprocessing import forkserver

    forkserver.ensure_running()
