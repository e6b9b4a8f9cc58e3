"""Models trained as tasks on a Dask cluster (`train --scheduler ADDRESS`).

Why beside the process runner: on one machine the runner's own processes can be stopped at a
time limit; on a cluster the data (the rows encoded once, or the frame) is sent to the workers
once and each model is one task.
Same task, same seed, same result as the local runner. A model over its time limit, or a
cancelled run, is reported as such at once; Dask cannot stop a task that already started, so
the worker finishes it in the background and its result is dropped.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from core.parallel import client, describe
from core.training.result import ModelResult

POLL_S = 0.2


def train_task(task: dict[str, Any], rows: Any, y: Any, rows_key: str = "frame") -> tuple:
    """One model on a worker: ('result', dict) or ('error', message, traceback). `rows` is
    the task's `rows_key`: the raw frame, or the rows encoded once by the run ("x")."""
    from threadpoolctl import threadpool_limits

    from core.training.worker import run_model

    try:
        with threadpool_limits(limits=1):
            return ("result", run_model({**task, rows_key: rows, "y": y}, lambda _e: None))
    except Exception as exc:  # reported; the other models go on
        return ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())


def schedule(tasks: dict[str, dict[str, Any]], scheduler: str, time_limit_s: float | None,
             cancel: Any, notify: Callable[[dict[str, Any]], None],
             finished: Callable[[ModelResult], None],
             to_result: Callable[[str, tuple, float], ModelResult]) -> tuple[bool, dict]:
    """Run every task on the cluster; returns (cancelled, what ran them)."""
    from distributed import wait

    shared = next(iter(tasks.values()))
    with client(scheduler) as dask_client:
        rows_key = "frame" if "frame" in shared else "x"
        rows = dask_client.scatter(shared[rows_key], broadcast=True)
        y = dask_client.scatter(shared["y"], broadcast=True)
        started = time.perf_counter()
        futures = {}
        for kind, task in tasks.items():
            light = {k: v for k, v in task.items() if k not in (rows_key, "y")}
            futures[dask_client.submit(train_task, light, rows, y, rows_key, pure=False,
                                       key=f"train-{kind}-{time.time_ns()}")] = kind
            notify({"event": "started", "model": kind})
        pending = dict(futures)
        while pending:
            try:
                done, _ = wait(list(pending), timeout=POLL_S, return_when="FIRST_COMPLETED")
            except TimeoutError:  # none finished within the poll: check limits, wait again
                done = set()
            for future in done:
                kind = pending.pop(future)
                finished(to_result(kind, future.result(), time.perf_counter() - started))
            elapsed = time.perf_counter() - started
            over = time_limit_s is not None and elapsed > time_limit_s
            if (cancel is not None and cancel.is_set()) or over:
                for future, kind in list(pending.items()):
                    future.cancel()
                    status = "timed_out" if over else "cancelled"
                    error = (f"Stopped after the time limit of {time_limit_s:g} s." if over
                             else "Cancelled while training.")
                    finished(ModelResult(kind, status, elapsed_s=elapsed, error=error))
                    pending.pop(future)
                if not over:
                    return True, describe(dask_client)
        return False, describe(dask_client)
