"""Every bad input of issue 14's probe, as a corpus: exit 2 (or the documented success), exactly
one stderr line, no traceback, no file contents echoed, nothing written outside tmp_path.

Cases run in-process through `core.cli.dispatch.main` (fast); the two that are about memory
(the gzip bomb, 50M simulated requests) run in a child process whose peak RSS is read back.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.cli.dispatch import main

ROOT = Path(__file__).resolve().parents[1]
SECRET = "SECRET-LINE root:x:0:0:root:/root:/bin/bash"
DEEP = "[" * 100_000 + "]" * 100_000
HUGE_INT = "1" + "0" * 5000


@dataclass
class Case:
    """argv (built from the corpus folder), the exit code, what stderr must and must not say."""

    argv: Callable[[Path], list[str]]
    code: int = 2
    says: str = ""
    never: tuple[str, ...] = ()
    not_created: Callable[[Path], list[Path]] = field(default=lambda c: [])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Small files every case may point at (read-only for the cases)."""
    from core.synth import generate

    c = tmp_path_factory.mktemp("corpus")
    frame = generate("variance", rows=200, seed=0)
    frame.to_csv(c / "table.csv", index=False)
    frame[frame["platform"] == "lambda"].to_csv(c / "lambda_only.csv", index=False)
    blank = frame.copy()
    for col in blank.columns:
        blank[col] = float("nan")
    blank.to_csv(c / "all_nan.csv", index=False)
    (c / "secret.txt").write_text(SECRET + "\nsecond line of a private file\n")
    (c / "folder").mkdir()
    for i in range(3):
        (c / "folder" / f"f{i}.csv").write_text(SECRET + "\n")
    (c / "a_file").write_text("not a folder")
    (c / "dir.csv").mkdir()
    records = [json.dumps({"workload_type": "lightweight_api", "latency_ms": 100 + i,
                           "platform": "lambda", "payload_size_kb": 1})
               for i in range(5)]
    long_line = json.dumps({"workload_type": "lightweight_api", "blob": "x" * 2_000_000})
    (c / "one_long_line.jsonl").write_text("\n".join([*records[:2], long_line,
                                                      *records[2:]]) + "\n")
    (c / "only_long_line.jsonl").write_text(long_line + "\n")
    (c / "deep.json").write_text(DEEP)
    (c / "deep.jsonl").write_text('{"a": ' + DEEP + "}\n")
    scen = c / "scenarios"
    scen.mkdir()
    for name, text in {
        "deep.json": '{"mix": ' + DEEP + "}",
        "huge_int.json": '{"requests": ' + HUGE_INT + "}",
        "from_secret.json": json.dumps({"mix": {"from_data": str(c / "secret.txt")}}),
        "trace_secret.json": json.dumps({"traffic": {"kind": "trace",
                                                     "file": str(c / "secret.txt")}}),
        "trace_folder.json": json.dumps({"traffic": {"kind": "trace",
                                                     "file": str(c / "folder")}}),
        "from_folder.json": json.dumps({"mix": {"from_data": str(c / "folder")}}),
    }.items():
        (scen / name).write_text(text)
    (scen / "latin1.json").write_bytes(b'{"region": "eu-west-1", "x": "caf\xe9"}')
    (c / "event_latin1.json").write_bytes(b'{"workload_type": "caf\xe9"}')
    (c / "event_deep.json").write_text(DEEP)
    _handler_zip(c / "loops.zip", "def lambda_handler(event, context):\n    while True:\n"
                                  "        pass\n")
    bomb = c / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("lambda_function.py", "def lambda_handler(e, c):\n    return {}\n")
        with zf.open("padding.bin", "w", force_zip64=True) as out:
            block = bytes(1 << 20)
            for _ in range(260):
                out.write(block)
    return c


def _handler_zip(path: Path, source: str) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("lambda_function.py", source)


LONG = "n" * 300
CASES: dict[str, Case] = {
    # -- ingest -------------------------------------------------------------------------
    "ingest_all_nan_table": Case(lambda c: ["ingest", str(c / "all_nan.csv"), "--out",
                                            "out.csv"], says="No usable rows",
                                 not_created=lambda c: [Path("out.csv")]),
    "label_all_nan_table": Case(lambda c: ["label", str(c / "all_nan.csv"), "--out",
                                           "l.csv"], says="No usable rows",
                                not_created=lambda c: [Path("l.csv")]),
    "train_all_nan_table": Case(lambda c: ["train", str(c / "all_nan.csv"), "--no-save"],
                                says="No usable rows"),
    "ingest_one_huge_line_is_rejected_rest_loads": Case(
        lambda c: ["ingest", str(c / "one_long_line.jsonl"), "--out", "out.csv"], code=0),
    "ingest_only_a_huge_line": Case(lambda c: ["ingest", str(c / "only_long_line.jsonl"),
                                               "--out", "out.csv"], says="longer than"),
    "ingest_deep_json_document": Case(lambda c: ["ingest", str(c / "deep.json"), "--out",
                                                 "out.csv"], says="nested too deeply"),
    "ingest_deep_jsonl_line": Case(lambda c: ["ingest", str(c / "deep.jsonl"), "--out",
                                              "out.csv"], says="nested too deeply"),
    "ingest_name_over_255": Case(lambda c: ["ingest", str(c / LONG), "--out", "out.csv"],
                                 says="longer than 255"),
    "ingest_out_name_over_255": Case(lambda c: ["ingest", str(c / "table.csv"), "--out",
                                                LONG + ".csv"], says="longer than 255"),
    "ingest_out_into_a_file": Case(lambda c: ["ingest", str(c / "table.csv"), "--out",
                                              str(c / "a_file" / "out.csv")],
                                   says="is a file, not a folder"),
    "ingest_out_is_a_folder": Case(lambda c: ["ingest", str(c / "table.csv"), "--out",
                                              str(c / "dir.csv")], says="is a folder"),
    "ingest_rejected_into_a_file": Case(lambda c: ["ingest", str(c / "table.csv"), "--out",
                                                   "out.csv", "--rejected",
                                                   str(c / "a_file" / "r.csv")],
                                        says="is a file, not a folder"),
    "ingest_out_wrong_suffix": Case(lambda c: ["ingest", str(c / "table.csv"), "--out",
                                               "out.xlsx"], says="must end in .csv"),
    "ingest_max_mb_zero": Case(lambda c: ["ingest", str(c / "table.csv"), "--out", "o.csv",
                                          "--max-mb", "0"], says="--max-mb"),
    "ingest_missing_input": Case(lambda c: ["ingest", str(c / "missing.csv"), "--out",
                                            "o.csv"], says="does not exist"),
    # -- simulate scenarios -----------------------------------------------------------------
    "simulate_deep_config": Case(lambda c: ["simulate", "--config",
                                            str(c / "scenarios" / "deep.json")],
                                 says="nested too deeply"),
    "simulate_5000_digit_integer": Case(lambda c: ["simulate", "--config",
                                                   str(c / "scenarios" / "huge_int.json")],
                                        says="5,001 digits"),
    "simulate_non_utf8_config": Case(lambda c: ["simulate", "--config",
                                                str(c / "scenarios" / "latin1.json")],
                                     says="not UTF-8"),
    "simulate_config_is_a_folder": Case(lambda c: ["simulate", "--config", str(c / "folder")],
                                        says="folder"),
    "simulate_from_data_private_file": Case(
        lambda c: ["simulate", "--config", str(c / "scenarios" / "from_secret.json")],
        never=("SECRET", "root:x"), says="could not be read as a load-test table"),
    "simulate_trace_private_file": Case(
        lambda c: ["simulate", "--config", str(c / "scenarios" / "trace_secret.json")],
        never=("SECRET", "root:x"), says="could not be read as a load-test table"),
    "simulate_trace_folder_refused_before_reading": Case(
        lambda c: ["simulate", "--config", str(c / "scenarios" / "trace_folder.json")],
        never=("SECRET",), says="is a folder, not a file"),
    "simulate_from_data_folder": Case(
        lambda c: ["simulate", "--config", str(c / "scenarios" / "from_folder.json")],
        never=("SECRET",), says="is a folder, not a file"),
    "simulate_requests_zero": Case(lambda c: ["simulate", "--requests", "0"]),
    "simulate_seed_minus_1": Case(lambda c: ["simulate", "--data", str(c / "table.csv"),
                                             "--seed", "-1"], says="between 0 and"),
    "label_margin_out_of_range": Case(lambda c: ["label", str(c / "table.csv"), "--out",
                                                 "l.csv", "--margin", "-1"], says="--margin"),
    "label_out_into_a_file": Case(lambda c: ["label", str(c / "table.csv"), "--out",
                                             str(c / "a_file" / "l.csv")], says="is a file"),
    # -- seeds and ranges -------------------------------------------------------------------
    "train_seed_minus_1": Case(lambda c: ["train", str(c / "table.csv"), "--seed", "-1"],
                               says="between 0 and 4294967295"),
    "train_seed_2_32": Case(lambda c: ["train", str(c / "table.csv"), "--seed", "4294967296"],
                            says="between 0 and 4294967295"),
    "report_seed_minus_1": Case(lambda c: ["report", "--out", "rep", "--seed", "-1"],
                                not_created=lambda c: [Path("rep")]),
    "explain_seed_2_32": Case(lambda c: ["explain", "champion", "--data",
                                         str(c / "table.csv"), "--seed", str(2**32)]),
    "demo_data_seed_minus_1": Case(lambda c: ["demo-data", "--out", "demo", "--seed", "-1"],
                                   not_created=lambda c: [Path("demo")]),
    "diagnose_seed_2_32": Case(lambda c: ["diagnose", str(c / "table.csv"), "--seed",
                                          str(2**32)], says="between 0 and"),
    "build_lambda_out_is_a_file": Case(lambda c: ["build-lambda", "champion", "--out",
                                                  str(c / "a_file")], says="is a file"),
    "train_jobs_minus_3_does_not_hang": Case(lambda c: ["train", str(c / "table.csv"),
                                                        "--jobs", "-3"], says="--jobs"),
    "train_jobs_0": Case(lambda c: ["train", str(c / "table.csv"), "--jobs", "0"]),
    "train_search_minus_1": Case(lambda c: ["train", str(c / "table.csv"), "--search", "-1"],
                                 says="--search"),
    "train_models_empty": Case(lambda c: ["train", str(c / "table.csv"), "--models", ""],
                               says="at least one"),
    "train_models_unknown": Case(lambda c: ["train", str(c / "table.csv"), "--models", "svm"]),
    "train_cv_1": Case(lambda c: ["train", str(c / "table.csv"), "--cv", "1"]),
    "train_file_is_missing": Case(lambda c: ["train", str(c / "nope.csv")]),
    "train_registry_into_a_file": Case(lambda c: ["train", str(c / "table.csv"), "--registry",
                                                  str(c / "a_file" / "models")],
                                       says="is a file, not a folder"),
    "train_registry_is_a_file": Case(lambda c: ["train", str(c / "table.csv"), "--registry",
                                                str(c / "a_file")], says="is a file"),
    # -- registry readers never create folders ------------------------------------------------
    "predict_missing_registry": Case(
        lambda c: ["predict", "champion", "--data", str(c / "table.csv"), "--registry",
                   "nonexistent"], says="does not exist",
        not_created=lambda c: [Path("nonexistent")]),
    "predict_registry_is_a_file": Case(
        lambda c: ["predict", "champion", "--data", str(c / "table.csv"), "--registry",
                   str(c / "a_file")], says="is a file"),
    "predict_empty_folder_is_not_a_registry": Case(
        lambda c: ["predict", "champion", "--data", str(c / "table.csv"), "--registry",
                   str(c / "folder")], says="not a model registry",
        not_created=lambda c: [c / "folder" / "index.sqlite"]),
    # -- report -----------------------------------------------------------------------------
    "report_all_nan_prints_no_progress_bar": Case(
        lambda c: ["report", "--out", "rep", "--data", str(c / "all_nan.csv"), "--no-static"]),
    "report_out_is_a_file": Case(lambda c: ["report", "--out", str(c / "a_file")],
                                 says="is a file"),
    # -- invoke -----------------------------------------------------------------------------
    "invoke_deep_event": Case(lambda c: ["invoke", str(c / "loops.zip"), "--event", DEEP],
                              says="nested too deeply"),
    "invoke_deep_event_file": Case(lambda c: ["invoke", str(c / "loops.zip"), "--event",
                                              str(c / "event_deep.json")],
                                   says="nested too deeply"),
    "invoke_non_utf8_event_file": Case(lambda c: ["invoke", str(c / "loops.zip"), "--event",
                                                  str(c / "event_latin1.json")],
                                       says="not UTF-8"),
    "invoke_huge_integer_event": Case(lambda c: ["invoke", str(c / "loops.zip"), "--event",
                                                 '{"payload_size_kb": ' + HUGE_INT + "}"],
                                      says="digits"),
    "invoke_event_is_a_folder": Case(lambda c: ["invoke", str(c / "loops.zip"), "--event",
                                                str(c / "folder")], says="is a folder"),
    "invoke_zip_is_a_folder": Case(lambda c: ["invoke", str(c / "folder"), "--event", "{}"],
                                   says="is a folder"),
    "invoke_handler_never_returns": Case(
        lambda c: ["invoke", str(c / "loops.zip"), "--event", "{}", "--timeout", "1"],
        says="did not return within 1 s", never=("import sys", "_RUNNER", "json.dumps")),
    "invoke_zip_expands_past_lambda_limit": Case(
        lambda c: ["invoke", str(c / "bomb.zip"), "--event", "{}"], says="expands past 250 MB"),
    # -- documented successes -----------------------------------------------------------------
    "label_warnings_are_one_line_each": Case(
        lambda c: ["label", str(c / "lambda_only.csv"), "--out", "labelled.csv"], code=0),
}


@pytest.fixture
def project_snapshot():
    """The project's data, models and build folders as they were (names and mtimes)."""
    def snap() -> dict[str, float]:
        out = {}
        for name in ("models", "data", "build"):
            folder = ROOT / name
            if folder.is_dir():
                out.update({str(p): p.stat().st_mtime for p in folder.iterdir()})
        return out
    before = snap()
    yield
    assert snap() == before, "a case wrote into the project folder"


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_exits_2_with_one_line(name, corpus, tmp_path, monkeypatch, capsys,
                                         project_snapshot):
    case = CASES[name]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    code = main(case.argv(corpus))
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == case.code, err
    assert "Traceback" not in err and "internal error" not in err
    if case.code == 2:
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        assert len(lines[0]) < 1000
    else:  # a success may warn, one line per warning, never a source line
        assert all(line.startswith(("warning: ", "[")) for line in lines), err
    assert case.says in err
    for text in case.never:
        assert text not in err and text not in out
    for path in case.not_created(corpus):
        assert not (tmp_path / path if not path.is_absolute() else path).exists()


def test_huge_line_is_one_rejection_and_the_rest_loads(corpus, tmp_path, capsys):
    assert main(["ingest", str(corpus / "one_long_line.jsonl"), "--out",
                 str(tmp_path / "o.csv"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows_accepted"] == 5 and doc["rows_rejected"] == 1
    assert list(doc["rejected_by_reason"]) == ["line longer than 1,000,000 characters"]


def test_model_kinds_spelled_out_match_the_zoo():
    from core.cli.args import MODEL_KINDS
    from core.training.zoo import ESTIMATORS

    assert set(MODEL_KINDS) == set(ESTIMATORS)


# -- memory: run in a child process, read its peak RSS --------------------------------------

# The child's own peak: VmHWM of its memory map. Not ru_maxrss: Linux keeps the high-water
# mark of the memory the child had before exec, which is the forking pytest worker's.
_CHILD = """
import sys
from core.cli.dispatch import main
code = main(sys.argv[2:])
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
with open(sys.argv[1], "w") as fh:
    fh.write(peak)
sys.exit(code)
"""


def _child(argv: list[str], cwd: Path) -> tuple[int, str, float]:
    """Exit code, stderr and the child's own peak memory in MB (its RUSAGE_SELF)."""
    peak_file = cwd / "peak_kb.txt"
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(peak_file), *argv],
                          capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(cwd)})
    return proc.returncode, proc.stderr, int(peak_file.read_text()) / 1024


def _gzip_bomb(path: Path, expanded: int) -> None:
    """A gzip of `expanded` bytes of a repeated CSV row, written in 1 MB steps (~1 MB file)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    row = b"lightweight_api,1,100\n" * ((1 << 20) // 22)
    with open(path, "wb") as out:
        out.write(packer.compress(b"workload_type,payload_size_kb,latency_ms\n"))
        done = 0
        while done < expanded:
            out.write(packer.compress(row))
            done += len(row)
        out.write(packer.flush())


def test_gzip_bomb_refused_with_bounded_memory(tmp_path):
    bomb = tmp_path / "bomb.csv.gz"
    _gzip_bomb(bomb, 1024**3)
    assert bomb.stat().st_size < 8 * 1024**2
    code, err, peak_mb = _child(["ingest", str(bomb), "--out", "o.csv"], tmp_path)
    assert code == 2 and err.strip().count("\n") == 0, err
    assert "expands past 200.0 MB when decompressed; raise --max-mb" in err
    assert peak_mb < 1024, f"peak {peak_mb:.0f} MB"
    assert not (tmp_path / "o.csv").exists()


def test_fifty_million_requests_refused_up_front_with_the_memory_needed(tmp_path):
    code, err, peak_mb = _child(["simulate", "--requests", "50000000"], tmp_path)
    assert code == 2 and err.strip().count("\n") == 0, err
    assert "would need about" in err and "GB" in err and "Lower --requests" in err
    assert peak_mb < 1024


def test_gzip_helper_writes_valid_gzip(tmp_path):
    path = tmp_path / "x.csv.gz"
    _gzip_bomb(path, 1 << 20)
    assert gzip.decompress(path.read_bytes()).startswith(b"workload_type,")


# -- scenarios from the browser: data only -----------------------------------------------------

def _private_file(tmp_path: Path) -> Path:
    path = tmp_path / "private.csv"
    path.write_text(SECRET + "\nworkload_type,latency_ms\nlightweight_api,100\n")
    return path


@pytest.mark.parametrize("make", [
    lambda p: json.dumps({"mix": {"from_data": str(p)}}),
    lambda p: json.dumps({"traffic": {"kind": "trace", "file": str(p)}}),
    lambda p: str(p),                      # text that is not JSON is never looked up as a path
    lambda p: str(p.parent / "missing.json"),
])
def test_browser_scenario_never_reads_or_probes_a_file(tmp_path, monkeypatch, make):
    from core.errors import UserError
    from core.simulate import scenario as scenario_mod

    private = _private_file(tmp_path)
    monkeypatch.setattr(scenario_mod, "_read_table",
                        lambda *a, **k: pytest.fail("read a file named in a browser scenario"))
    monkeypatch.setattr(scenario_mod, "_read_scenario_file",
                        lambda *a, **k: pytest.fail("looked up browser text as a path"))
    with pytest.raises(UserError) as err:
        scenario_mod.load_scenario(make(private).encode(), allow_files=False)
    assert "SECRET" not in str(err.value) and "root:" not in str(err.value)


def test_from_data_true_takes_the_callers_dataset():
    import pandas as pd

    from core.errors import UserError
    from core.simulate.scenario import load_scenario

    frame = pd.DataFrame({"workload_type": ["lightweight_api"] * 3 + ["heavy_processing"],
                          "payload_size_kb": [1.0, 1.0, 5.0, 4096.0]})
    sc = load_scenario(b'{"mix": {"from_data": true}}', data=frame, allow_files=False)
    assert sc.to_json()["mix"] == {"heavy_processing": 0.25, "lightweight_api": 0.75}
    # self-contained: reloading the saved JSON needs neither the frame nor a file
    assert load_scenario(json.dumps(sc.to_json()), allow_files=False).to_json() == sc.to_json()
    with pytest.raises(UserError, match="no dataset is loaded"):
        load_scenario({"mix": {"from_data": True}})


@pytest.mark.parametrize(("spec", "match"), [
    ({"requests": 10**5000}, "about 5,001 digits"),
    ({"seed": 10**30}, "about 31 digits"),
    ({"mix": json.loads("[" * 80 + "]" * 80)}, "nested more than 64"),
    (b'{"region": "caf\xe9"}', "not UTF-8"),
    ('{"requests": ' + HUGE_INT + "}", "5,001 digits"),
])
def test_scenario_numbers_depth_and_encoding_are_bounded(spec, match):
    from core.errors import UserError
    from core.simulate.scenario import load_scenario

    with pytest.raises(UserError, match=match):
        load_scenario(spec)


def test_memory_guard_names_the_need_and_the_way_out(monkeypatch):
    from core.errors import UserError
    from core.simulate import scenario as scenario_mod

    monkeypatch.setenv("ROUTING_LAB_SIM_MEMORY_MB", "1024")
    with pytest.raises(UserError, match=r"about 1\.9 GB .* Lower --requests .* to 2,04"):
        scenario_mod.check_memory(5_000_000)
    scenario_mod.check_memory(1_000_000)  # fits: no error


def test_page_refuses_a_path_reading_scenario_without_its_contents(app_test, tmp_path):
    private = _private_file(tmp_path)
    at = app_test("pages/simulate.py")
    at.run()
    uploads = {json.dumps({"mix": {"from_data": str(private)}}): "cannot name a file",
               json.dumps({"traffic": {"kind": "trace", "file": str(private)}}):
                   "names a file on the server",
               str(private): "not valid JSON"}
    for i, (text, says) in enumerate(uploads.items()):
        at.get("file_uploader")[0].set_value((f"s{i}.json", text.encode(),
                                              "application/json")).run()
        assert not at.exception
        assert any(says in e.value for e in at.error), [e.value for e in at.error]
        shown = " ".join(str(el.value) for kind in ("error", "warning", "info", "markdown",
                                                    "caption", "code", "text", "json")
                         for el in at.get(kind))
        assert "SECRET" not in shown and "root:x" not in shown


def test_rejected_line_text_comes_back_after_the_bytes_were_released(tmp_path):
    """Clean JSON Lines go through Arrow and the file's bytes are dropped; a rejected record's
    raw text is read again from the (gzipped) file, exactly."""
    from core.io import read_paths

    lines = [json.dumps({"request_id": f"r{i}", "workload_type": "lightweight_api",
                         "platform": "lambda", "latency_ms": -1 if i == 3 else 100 + i,
                         "payload_size_kb": 1}) for i in range(1, 8)]
    path = tmp_path / "run.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    result = read_paths([path])
    assert len(result.frame) == 6
    assert result.rejected[["line", "raw"]].values.tolist() == [[3, lines[2]]]


def test_type_change_part_way_stays_on_the_block_reader(tmp_path):
    """memory_used_mb is text in Lambda logs and a number in ECS logs: concatenated, every
    record still loads with its own line number."""
    from core.io import read_paths

    rows = [{"request_id": f"r{i}", "workload_type": "lightweight_api",
             "platform": "lambda" if i < 300 else "ecs", "latency_ms": 100 + i,
             "payload_size_kb": 1,
             "metrics": {"memory_used_mb": str(i) if i < 300 else float(i)}}
            for i in range(600)]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    frame = read_paths([path]).frame
    assert len(frame) == 600 and frame["source_line"].tolist() == list(range(1, 601))
