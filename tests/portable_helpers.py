"""Small synthetic request frames and fitted pipelines shared by the portable/deploy tests."""

from __future__ import annotations

import urllib.request
from functools import cache

import numpy as np
import pandas as pd

from core.schema import LOAD_PATTERNS, TIME_WINDOWS, WORKLOADS

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern", "timestamp"]
KINDS = ("baseline", "logreg", "rf", "xgb", "lgbm", "mlp")


def request_frame(rows: int = 500, seed: int = 0) -> pd.DataFrame:
    """Canonical-column frame whose label depends on payload, workload and hour (noisy)."""
    rng = np.random.default_rng(seed)
    workload = rng.choice(WORKLOADS, rows)
    payload = rng.choice([0.5, 1, 5, 10, 50, 100, 250, 500, 1000, 2048.0], rows) * \
        rng.uniform(0.8, 1.25, rows)
    start = pd.Timestamp("2025-11-23T00:00:00Z")
    stamps = start + pd.to_timedelta(rng.integers(0, 7 * 86400, rows), unit="s")
    hour = stamps.hour.to_numpy()
    score = (np.log1p(payload) * -0.6 + (workload == "lightweight_api") * 1.2
             + np.sin(hour / 24 * 2 * np.pi) + rng.normal(0, 0.8, rows) + 2.0)
    return pd.DataFrame({
        "workload_type": workload,
        "payload_size_kb": payload.round(3),
        "time_window": rng.choice(TIME_WINDOWS, rows),
        "load_pattern": rng.choice(LOAD_PATTERNS, rows),
        "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "label": (score > 0).astype(int),
    })


@cache
def fitted(kind: str, features: tuple[str, ...] = tuple(FEATURES), **params):
    """A fitted pipeline from core.training's zoo (cached per kind)."""
    from core.training import make_pipeline

    frame = request_frame()
    pipe = make_pipeline(kind, list(features), seed=0, params=params or None)
    return pipe.fit(frame, frame["label"])


def moto_endpoint(monkeypatch, region: str = "eu-west-1"):
    """Start a moto server on a free 127.0.0.1 port with dummy credentials in the
    environment (never in code); returns (server, url). The caller stops the server."""
    from moto.server import ThreadedMotoServer

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": region}.items():
        monkeypatch.setenv(key, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    # moto keeps its state per process: start every test from an empty account
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"),
                           timeout=30).close()
    return server, url


def lambda_role(url: str, region: str = "eu-west-1") -> str:
    """An IAM role in the moto account that Lambda may assume."""
    import json

    import boto3

    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]})
    iam = boto3.client("iam", endpoint_url=url, region_name=region)
    return iam.create_role(RoleName="router-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
