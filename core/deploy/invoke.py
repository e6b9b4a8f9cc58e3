"""Run the handler from a built zip in a clean interpreter, as Lambda would.

Why a subprocess with `python -I -S`: no site-packages and no project on sys.path, so a
stray `import numpy` (or anything outside the standard library) fails here exactly as it
would in the Lambda runtime, and the measured cold init is the real one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

from core.errors import UserError

#: Lambda's own limit on an unzipped deployment package: a zip that expands further is not a
#: function Lambda would run, and is refused before anything is written.
MAX_UNZIPPED_BYTES = 250 * 1024**2
MAX_ENTRIES = 10_000

#: Runs inside the clean interpreter: argv[1] = unpacked zip, stdin = JSON list of events.
_RUNNER = r"""
import sys, time
t_start = time.perf_counter()
raw = sys.stdin.buffer.read()
root = sys.argv[1]
sys.path.insert(0, root)
import io, contextlib
logs = io.StringIO()
before = set(sys.modules)
with contextlib.redirect_stdout(logs):
    t0 = time.perf_counter()
    import lambda_function
    init_ms = (time.perf_counter() - t0) * 1000.0
import json
events = json.loads(raw)

class Context:
    function_name = "local"
    memory_limit_in_mb = int(sys.argv[2])
    def __init__(self, i):
        self.aws_request_id = "local-%d" % i
    def get_remaining_time_in_millis(self):
        return 10000

responses, invoke_ms = [], []
with contextlib.redirect_stdout(logs):
    for i, event in enumerate(events):
        t0 = time.perf_counter()
        responses.append(lambda_function.lambda_handler(event, Context(i)))
        invoke_ms.append((time.perf_counter() - t0) * 1000.0)
allowed = set(sys.stdlib_module_names) | {"lambda_function", "evaluator", "__main__"}
third = sorted({m.split(".")[0] for m in set(sys.modules) - before} - allowed)
print(json.dumps({"responses": responses, "init_ms": init_ms, "invoke_ms": invoke_ms,
                  "logs": [l for l in logs.getvalue().splitlines() if l],
                  "third_party_modules": third, "python": sys.version.split()[0],
                  "sys_path_has_site_packages": any("site-packages" in p for p in sys.path)}))
"""


def parse_event(text_or_path: str) -> Any:
    """An event from a JSON string or a path to a JSON file (depth and size limits; errors
    never quote the file's contents)."""
    from core import safejson

    if text_or_path.strip().startswith(("{", "[")):
        return safejson.loads(text_or_path, "--event")
    return safejson.read_file(text_or_path, "--event file")


def unpack(zip_path: str | Path, target: str | Path) -> Path:
    """Extract a function zip (refusing entries that would escape the target)."""
    zip_path, target = Path(zip_path), Path(target)
    if not zip_path.is_file():
        raise UserError(f"Zip {zip_path} does not exist; build it with "
                        "`python -m core build-lambda MODEL_ID --out DIR`.")
    try:
        with zipfile.ZipFile(zip_path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise UserError(f"Zip {zip_path} has {len(infos):,} entries (limit "
                                f"{MAX_ENTRIES:,}); it is not a function.zip from build-lambda.")
            for info in infos:
                name = info.filename
                if name.startswith("/") or ".." in Path(name).parts:
                    raise UserError(f"Zip {zip_path} has an unsafe entry {name[:100]!r}; "
                                    "rebuild it.")
            declared = sum(info.file_size for info in infos)
            if declared > MAX_UNZIPPED_BYTES:
                raise UserError(_too_big(zip_path, declared))
            _extract(zf, infos, target, zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            RuntimeError, zlib.error) as exc:  # RuntimeError: an encrypted entry
        raise UserError(f"{zip_path} is not a readable zip file ({exc}); build one with "
                        "`python -m core build-lambda`.") from None
    if not (target / "lambda_function.py").is_file():
        raise UserError(f"Zip {zip_path} has no lambda_function.py at its root; it is not a "
                        "function.zip from build-lambda.")
    return target


def _too_big(zip_path: Path, size: int) -> str:
    return (f"Zip {zip_path} expands past {MAX_UNZIPPED_BYTES // 1024**2} MB (Lambda's limit "
            f"for an unzipped package; it declares {size / 1024**2:,.0f} MB); it is not a "
            "function.zip from build-lambda.")


def _extract(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], target: Path,
             zip_path: Path) -> None:
    """Extract entry by entry, counting the bytes actually written (sizes in the zip's
    directory can lie), and stop at MAX_UNZIPPED_BYTES."""
    written = 0
    for info in infos:
        dest = target / info.filename
        if info.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, open(dest, "wb") as out:
            while block := src.read(1 << 20):
                written += len(block)
                if written > MAX_UNZIPPED_BYTES:
                    raise UserError(_too_big(zip_path, written))
                out.write(block)


def run_unpacked(root: str | Path, events: list[Any], *, memory_mb: int = 512,
                 timeout_s: float = 60.0) -> dict[str, Any]:
    """Invoke the handler in `root` once per event in one clean interpreter."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _RUNNER, str(root), str(int(memory_mb))],
            input=json.dumps(events).encode(), capture_output=True, timeout=timeout_s,
            cwd=root, env={"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(int(memory_mb)),
                           "LAMBDA_TASK_ROOT": str(root), "TZ": "UTC"})
    except subprocess.TimeoutExpired:
        raise UserError(f"The handler did not return within {timeout_s:g} s and was stopped; "
                        "check it for an endless loop, or raise --timeout.") from None
    process_ms = (time.perf_counter() - started) * 1000.0
    if proc.returncode != 0:
        last = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise UserError(f"The handler crashed while loading in a clean interpreter: "
                        f"{last[0][:300]}. Rebuild the zip with build-lambda.")
    try:
        result = json.loads(proc.stdout.decode(errors="replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise UserError("The handler's process printed no result; rebuild the zip with "
                        "build-lambda.") from None
    result["process_ms"] = process_ms
    return result


def invoke_zip(zip_path: str | Path, events: list[Any], *, memory_mb: int = 512,
               timeout_s: float = 60.0) -> dict[str, Any]:
    """Unpack the zip to a temp dir and run the handler once per event (one interpreter).

    Returns responses, init_ms (import + model load), invoke_ms per event, process_ms (whole
    subprocess), the handler's log lines and any third-party modules it imported.
    """
    with tempfile.TemporaryDirectory(prefix="routing-lab-invoke-") as tmp:
        root = unpack(zip_path, Path(tmp) / "task")
        return run_unpacked(root, events, memory_mb=memory_mb, timeout_s=timeout_s)
