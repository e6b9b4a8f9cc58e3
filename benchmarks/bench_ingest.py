"""Ingest ~100,000 Artillery records: core.io.read_paths vs pandas read_json + json_normalize.

The real logs in ../shared/data/artillery (28k lines) are replicated into a temp dir, with
the request ids made unique per copy, keeping the `<time_window>_<load_pattern>/` folders.
Goals (issue 3): time ratio <= 1.5, peak memory < 5x the size of the files.

Then (issue 14) one ~100 MB .jsonl.gz of the same real-shaped records: the peak memory of
ingesting it (resident set of a fresh process, above its level after imports) as a ratio to
the file's decompressed size. Goal < 3.

Run: .venv/bin/python benchmarks/bench_ingest.py [--copies 4] [--repeat 3] [--gzip-mb 100]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import multiprocessing
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.io import read_paths  # noqa: E402

ARTILLERY = ROOT.parent / "shared" / "data" / "artillery"


def build(out: Path, copies: int) -> list[Path]:
    """Write each real log `copies` times over (unique ids) as plain .jsonl files."""
    files = []
    for src in sorted(ARTILLERY.rglob("*.jsonl*")):
        opener = gzip.open if src.suffix == ".gz" else open
        with opener(src, "rt", encoding="utf-8") as handle:
            lines = [line.rstrip("\n") for line in handle if line.strip()]
        folder = out / src.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / src.name.removesuffix(".gz")
        with open(dest, "w", encoding="utf-8") as handle:
            for copy in range(copies):
                tag = f'"request_id":"req{copy}_'
                handle.writelines(line.replace('"request_id":"req_', tag) + "\n"
                                  for line in lines)
        files.append(dest)
    return files


def reference(files: list[Path]) -> pd.DataFrame:
    """What a notebook does: read_json(lines=True), then json_normalize the nested metrics."""
    frames = []
    for path in files:
        frame = pd.read_json(path, lines=True)
        metrics = pd.json_normalize(frame.pop("metrics").tolist()).add_prefix("metrics.")
        frames.append(frame.join(metrics))
    return pd.concat(frames, ignore_index=True)


def ours(files: list[Path]) -> pd.DataFrame:
    return read_paths(files).frame


def best_time(fn, files: list[Path], repeat: int) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        rows = len(fn(files))
        best = min(best, time.perf_counter() - start)
    return best, rows


def _measure(name: str, files: list[Path]) -> int:
    fn = {"ours": ours, "reference": reference}[name]
    fn(files[:1])  # imports and caches outside the measurement
    gc.collect()
    pool = pa.default_memory_pool()
    arrow_before = pool.max_memory() or 0
    tracemalloc.start()
    fn(files)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak + max(0, (pool.max_memory() or 0) - arrow_before)


def peak_bytes(name: str, files: list[Path]) -> int:
    """Peak of Python/numpy allocations (tracemalloc) plus the Arrow pool's peak.

    Measured in a fresh process each, since the Arrow pool's peak cannot be reset.
    """
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_measure, (name, files))


def build_gzip(out: Path, target_mb: float) -> tuple[Path, int, int]:
    """One .jsonl.gz of the real records repeated (unique ids) until it is ~target_mb MB.

    Returns the path, its decompressed size and the number of records."""
    lines = []
    for src in sorted(ARTILLERY.rglob("*.jsonl*")):
        opener = gzip.open if src.suffix == ".gz" else open
        with opener(src, "rt", encoding="utf-8") as handle:
            lines += [line.rstrip("\n") for line in handle if line.strip()]
    path = out / "big.jsonl.gz"
    raw = rows = copy = 0
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=6) as gz:
        while fh.tell() < target_mb * 1024**2:
            tag = f'"request_id":"req{copy}_'
            block = "".join(line.replace('"request_id":"req_', tag) + "\n"
                            for line in lines).encode()
            gz.write(block)
            raw, rows, copy = raw + len(block), rows + len(lines), copy + 1
    return path, raw, rows


def _rss_peak(path: str, max_bytes: int) -> tuple[int, int, float]:
    """In a fresh process: RSS after imports, peak RSS while ingesting, seconds."""
    ours([Path(__file__).resolve().parents[1] / "data" / "variance.csv"])  # warm imports
    gc.collect()
    base = _current_rss()
    start = time.perf_counter()
    rows = len(read_paths([path], max_bytes=max_bytes).frame)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return base, max(peak, base), elapsed if rows else float("nan")


def _current_rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def gzip_peak(target_mb: float) -> None:
    """Issue 14's figure: peak memory of ingesting a ~100 MB gzip / its decompressed size."""
    with tempfile.TemporaryDirectory() as tmp:
        path, raw, rows = build_gzip(Path(tmp), target_mb)
        packed = path.stat().st_size
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            base, peak, elapsed = pool.apply(_rss_peak, (str(path), raw + 1024**2))
    mb = 1024**2
    used = peak - base
    print(f"gzip: {packed / mb:.1f} MB file, {raw / mb:.1f} MB decompressed, {rows:,} records; "
          f"ingest {elapsed:.1f} s")
    print(f"peak memory of ingest (RSS above {base / mb:.0f} MB after imports): {used / mb:.0f} "
          f"MB = {used / raw:.2f}x the decompressed size (goal < 3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gzip-mb", type=float, default=100.0,
                        help="size of the gzip for the memory figure (0 skips it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp), args.copies)
        size = sum(p.stat().st_size for p in files)
        ours(files[:2])  # warm imports (pricing, pyarrow) outside the timings
        ref_s, ref_rows = best_time(reference, files, args.repeat)
        our_s, our_rows = best_time(ours, files, args.repeat)
        our_peak = peak_bytes("ours", files)
        ref_peak = peak_bytes("reference", files)
    mb = 1024**2
    print(f"input: {our_rows:,} records in {len(files)} files, {size / mb:.1f} MB "
          f"(reference read {ref_rows:,})")
    print(f"time: core.io.read_paths {our_s:.3f} s ({our_rows / our_s:,.0f} rows/s); "
          f"read_json+json_normalize {ref_s:.3f} s; ratio {our_s / ref_s:.2f} (goal <= 1.5)")
    print(f"peak memory: core.io {our_peak / mb:.1f} MB = {our_peak / size:.2f}x file size "
          f"(goal < 5x); reference {ref_peak / mb:.1f} MB = {ref_peak / size:.2f}x; "
          f"ratio {our_peak / ref_peak:.2f}")
    if args.gzip_mb > 0:
        gzip_peak(args.gzip_mb)


if __name__ == "__main__":
    main()
