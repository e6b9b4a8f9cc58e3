"""Dask as the one engine for parallel work: a local cluster sized to the machine, or an
existing cluster by address; results in submission order; progress from the futures.

Why Dask: the same call runs on a laptop (LocalCluster, one process per core) and on a
cluster (`--scheduler tcp://host:8786`), and a seeded task gives the same result wherever it
runs. ``scheduler="local"`` runs the tasks one by one in this process (no Dask): the
reference the parallel runs must reproduce.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from core.errors import UserError

LOCAL = "local"
Progress = Callable[[float, str], None]


def default_workers() -> int:
    """One worker per core this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def _quiet_dask_logs() -> None:
    """distributed sets its logger to INFO on import: a cluster's start, connections and
    shutdown would print some forty lines around a one-line progress bar."""
    logging.getLogger("distributed").setLevel(logging.WARNING)


def local_cluster(workers: int | None = None) -> Any:
    """A distributed.LocalCluster on 127.0.0.1: `workers` single-threaded processes (one per
    core by default), no dashboard, and the scheduler's small HTTP server on a free port (its
    default 8787 is taken by any other cluster on the machine). Close it, or use `with`."""
    from distributed import LocalCluster

    _quiet_dask_logs()
    return LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                        processes=True, host="127.0.0.1", dashboard_address=None,
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


@contextmanager
def client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A dask.distributed Client: connected to ``scheduler`` (an address), or to a new
    LocalCluster of ``workers`` single-threaded processes on 127.0.0.1 (closed on exit)."""
    from distributed import Client

    if scheduler:
        _quiet_dask_logs()  # (a local cluster quiets them itself)
        from distributed.comm import get_address_host_port

        try:  # checked before any connection: a Client would start its IO loop first
            get_address_host_port(scheduler)
        except ValueError as exc:  # not an address at all ("missing port number", ...)
            raise UserError(f"{scheduler!r} is not a Dask scheduler address ({exc}): give "
                            "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786.") from None
        try:
            dask_client = Client(scheduler, timeout="5s")
        except (OSError, TimeoutError) as exc:
            raise UserError(f"No Dask scheduler answers at {scheduler!r} ({exc}). Start one "
                            "(`dask scheduler` and `dask worker ADDRESS`) or drop --scheduler "
                            "to use a local cluster.") from None
        try:
            yield dask_client
        finally:
            dask_client.close()
        return
    cluster = local_cluster(workers)
    dask_client = Client(cluster)
    try:
        yield dask_client
    finally:
        dask_client.close()
        cluster.close()


def describe(dask_client: Any) -> dict[str, Any]:
    """What ran the work: scheduler address and worker count (the CLI's "scheduler")."""
    info = dask_client.scheduler_info()
    return {"address": dask_client.scheduler.address, "workers": len(info.get("workers", {}))}


def map_ordered(fn: Callable[..., Any], items: Sequence[Any], *, scheduler: str | None = None,
                workers: int | None = None, shared: dict[str, Any] | None = None,
                on_progress: Progress | None = None) -> tuple[list[Any], dict[str, Any]]:
    """``[fn(item, **shared) for item in items]`` on Dask (or here, for ``scheduler="local"``),
    in the order of ``items``; ``shared`` objects are sent to the workers once.

    Returns the results and a description of what ran them.
    """
    progress = on_progress or (lambda _f, _m: None)
    shared = shared or {}
    total = len(items)
    if scheduler == LOCAL:
        out = []
        for i, item in enumerate(items):
            out.append(fn(item, **shared))
            progress((i + 1) / total, f"{i + 1}/{total} done")
        return out, {"address": LOCAL, "workers": 1}
    from distributed import as_completed

    with client(scheduler, workers) as dask_client:
        scattered = {k: dask_client.scatter(v, broadcast=True) for k, v in shared.items()}
        futures = dask_client.map(fn, list(items), pure=False, **scattered)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * total
        for done, future in enumerate(as_completed(futures), start=1):
            results[index[future.key]] = future.result()
            progress(done / total, f"{done}/{total} done")
        return results, describe(dask_client)
