"""Bad input to core.io: a clear UserError that says what to do, or rows rejected with a reason."""

from __future__ import annotations

import gzip
import json
import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import UserError
from core.io import MAX_UPLOAD_BYTES, read_paths, read_uploads, write_table

HEADER = "request_id,platform,workload_type,latency_ms,payload_size_kb,http_status\n"


def _csv(tmp_path, body: str, name: str = "data.csv", header: str = HEADER):
    path = tmp_path / name
    path.write_text(header + body)
    return path


def _record(i: int, **kw) -> dict:
    base = {"request_id": f"r{i}", "platform": "lambda" if i % 2 else "ecs",
            "workload_type": "lightweight_api", "http_status": 200, "response_time_ms": 40 + i,
            "metrics": {"execution_time_ms": 10.0 + i}}
    return {**base, **kw}


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(UserError, match=r"empty.csv is empty\. Choose a file with a header"):
        read_paths([path])


def test_whitespace_only_upload():
    with pytest.raises(UserError, match="is empty"):
        read_uploads([("blank.jsonl", b"\n  \n")])


def test_png_renamed_csv(tmp_path):
    path = tmp_path / "chart.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(UserError, match=r"chart.csv is a PNG image, not a table. Choose a CSV"):
        read_paths([path])


def test_random_binary_renamed_csv(tmp_path):
    path = tmp_path / "blob.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(UserError, match="binary file"):
        read_paths([path])


def test_csv_with_no_usable_columns(tmp_path):
    path = _csv(tmp_path, "1,2,3\n4,5,6\n", header="a,b,c\n")
    with pytest.raises(UserError, match=r"no usable columns \(found: a, b, c\).*check the header"):
        read_paths([path])


def test_missing_workload_type(tmp_path):
    path = _csv(tmp_path, "r1,lambda,12\n", header="request_id,platform,latency_ms\n")
    with pytest.raises(UserError, match=r"no `workload_type` column.*rename the column"):
        read_paths([path])


def test_missing_latency(tmp_path):
    path = _csv(tmp_path, "r1,lambda,lightweight_api\n",
                header="request_id,platform,workload_type\n")
    with pytest.raises(UserError, match=r"no latency column.*Add `latency_ms`"):
        read_paths([path])


def test_row_level_rejections_with_reasons_and_lines(tmp_path):
    body = ("r1,lambda,lightweight_api,12.5,1,200\n"
            "r2,ecs,lightweight_api,fast,1,200\n"          # line 3: non-numeric latency
            "r3,ecs,lightweight_api,,1,200\n"              # line 4: NaN latency
            "r4,ecs,,30,1,200\n"                            # line 5: NaN workload
            "r5,lambda,lightweight_api,-4,1,200\n"         # line 6: negative
            "r6,lambda,lightweight_api,1000000,1,200\n"    # line 7: absurd (> 15 min)
            "r7,lambda,lightweight_api,20,-1,200\n"        # line 8: negative payload
            "r1,ecs,lightweight_api,20,1,200\n"            # line 9: duplicate id
            "r8,ecs,lightweight_api,NaN,1,200\n"           # line 10: NaN written out
            "r9,ecs,lightweight_api,20,1,200,extra\n"      # line 11: too many fields
            "r10,ecs,lightweight_api,25,1,500\n"           # line 12: error row, kept
            "r11,ecs,lightweight_api,25,99999999,200\n")   # line 13: absurd payload
    result = read_paths([_csv(tmp_path, body)])
    rejected = result.rejected.set_index("line")["reason"].to_dict()
    assert rejected == {3: "non-numeric latency_ms", 4: "missing latency",
                        5: "missing workload_type", 6: "negative latency_ms",
                        7: "latency_ms above 15 min", 8: "negative payload_size_kb",
                        9: "duplicate request_id", 10: "missing latency",
                        11: "wrong number of fields", 13: "payload_size_kb above 10 GB"}
    assert result.rejected.loc[result.rejected["line"] == 3, "raw"].item().startswith("r2,")
    assert result.frame["request_id"].tolist() == ["r1", "r10"]
    assert result.frame["is_error"].tolist() == [False, True]
    summary = result.summary()
    assert summary["rows_read"] == 12 and summary["rows_rejected"] == 10
    assert summary["rejected_by_reason"]["missing latency"] == 2
    assert summary["error_rows"] == 1


def test_duplicate_ids_across_files_keep_first(tmp_path):
    first = _csv(tmp_path, "r1,lambda,lightweight_api,10,1,200\n", name="a.csv")
    second = _csv(tmp_path, "r1,ecs,lightweight_api,20,1,200\nr2,ecs,lightweight_api,20,1,200\n",
                  name="b.csv")
    result = read_paths([first, second])
    assert result.frame["request_id"].tolist() == ["r1", "r2"]
    assert result.frame["platform"].tolist() == ["lambda", "ecs"]
    assert result.rejected[["line", "reason"]].values.tolist() == [[2, "duplicate request_id"]]


def test_one_platform_is_a_warning_not_an_error(tmp_path):
    result = read_paths([_csv(tmp_path, "r1,lambda,lightweight_api,10,1,200\n")])
    assert len(result.frame) == 1
    assert any("only one platform (lambda)" in w for w in result.summary()["warnings"])


def test_size_limit_refuses_before_reading(tmp_path):
    path = _csv(tmp_path, "r1,lambda,lightweight_api,10,1,200\n")
    with pytest.raises(UserError, match=r"above the size limit of 10 bytes.*--max-mb N"):
        read_paths([path], max_bytes=10)
    with pytest.raises(UserError, match=r"upload.csv is 16 bytes, above the size limit"):
        read_uploads([("upload.csv", b"x" * 16)], max_bytes=10)


def test_two_gigabyte_file_refused_by_size(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:  # sparse: takes no disk space
        handle.truncate(2 * 1024**3)
    assert os.path.getsize(path) > MAX_UPLOAD_BYTES
    with pytest.raises(UserError, match=r"huge.csv is 2,048.0 MB, above the size limit of "
                                        r"200.0 MB"):
        read_paths([path])


def test_gzip_bomb_refused(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(HEADER.encode() + b" " * 100_000))
    with pytest.raises(UserError, match=r"expands past 1,000 bytes .* raise --max-mb"):
        read_paths([path], max_bytes=1000)


def test_jsonl_with_one_broken_line(tmp_path):
    lines = [json.dumps(_record(i)) for i in range(1, 6)]
    lines[2] = lines[2][:-7]  # line 3 cut short
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = read_paths([path])
    assert result.frame["request_id"].tolist() == ["r1", "r2", "r4", "r5"]
    assert result.rejected[["line", "reason"]].values.tolist() == [[3, "invalid JSON"]]
    assert result.rejected["raw"].item() == lines[2]
    assert result.summary()["rejected_by_reason"] == {"invalid JSON": 1}


def test_jsonl_with_broken_first_line_and_a_non_object(tmp_path):
    lines = ['{"request_id": "r0", "workload_type"', *[json.dumps(_record(i)) for i in (1, 2)],
             "[1, 2]"]
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines))
    result = read_paths([path])
    assert len(result.frame) == 2
    assert result.rejected[["line", "reason"]].values.tolist() == [
        [1, "invalid JSON"], [4, "not a JSON object"]]


def test_broken_json_array(tmp_path):
    path = tmp_path / "data.json"
    path.write_text('[{"workload_type": "lightweight_api", "latency_ms": 1},')
    with pytest.raises(UserError, match=r"not valid JSON.*one record per line"):
        read_paths([path])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16",
                                      "utf-16-le"])
def test_encodings_decode(tmp_path, encoding):
    text = HEADER + "café-1,lambda,lightweight_api,10,1,200\nrésumé,ecs,lightweight_api,12,1,200\n"
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode(encoding))
    frame = read_paths([path]).frame
    assert frame["request_id"].tolist() == ["café-1", "résumé"]
    assert frame.columns[0] == "request_id"


def test_mixed_encodings_in_one_call(tmp_path):
    paths = []
    for i, encoding in enumerate(["utf-8-sig", "latin-1", "utf-16"]):
        path = tmp_path / f"f{i}.csv"
        path.write_bytes((HEADER + f"é{i},lambda,lightweight_api,10,1,200\n").encode(encoding))
        paths.append(path)
    assert read_paths(paths).frame["request_id"].tolist() == ["é0", "é1", "é2"]


def test_header_only_csv(tmp_path):
    with pytest.raises(UserError, match="No data rows"):
        read_paths([_csv(tmp_path, "")])


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        read_paths([tmp_path / "nope.csv"])
    (tmp_path / "notes.md").write_text("hi")
    with pytest.raises(UserError, match="No table files"):
        read_paths([tmp_path])


def test_corrupt_gzip_and_parquet(tmp_path):
    gz = tmp_path / "x.jsonl.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(UserError, match="cannot be decompressed"):
        read_paths([gz])
    pq = tmp_path / "x.parquet"
    pq.write_bytes(b"PAR1" + b"\x00" * 50)
    with pytest.raises(UserError, match="starts like Parquet but cannot be read"):
        read_paths([pq])


def test_write_table_needs_csv_or_parquet(tmp_path):
    with pytest.raises(UserError, match=r"must end in \.csv or \.parquet"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.xlsx")


def test_one_bad_file_among_good_ones_is_a_rejection_not_lost_work(tmp_path):
    """The good file still loads; the bad one is named in the rejected rows and a warning."""
    good = _csv(tmp_path, "r1,lambda,lightweight_api,10,1,200\n", name="good.csv")
    bad = tmp_path / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    result = read_paths([good, bad])
    assert result.frame["request_id"].tolist() == ["r1"]
    (row,) = result.rejected.to_dict("records")
    assert row["reason"] == "unreadable file"
    assert "photo.csv is a PNG image" in row["raw"]
    assert any("1 of 2 files could not be read" in w for w in result.warnings)


def test_only_bad_files_raise_the_first_error(tmp_path):
    bad = tmp_path / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match=r"None of the 2 files could be read"):
        read_paths([bad, empty])


def test_requests_without_latency_load_when_latency_is_not_needed(tmp_path):
    """Requests to predict have not run yet: no latency column, still a table."""
    path = tmp_path / "requests.csv"
    path.write_text("workload_type,payload_size_kb,time_window,load_pattern\n"
                    "lightweight_api,5,midday,low_load\n")
    with pytest.raises(UserError, match="no latency column"):
        read_paths([path])
    frame = read_paths([path], need_latency=False).frame
    assert frame["payload_size_kb"].tolist() == [5.0]
    assert frame["latency_ms"].isna().all()


def test_windows_line_endings_and_semicolon_decimal_commas(tmp_path):
    path = tmp_path / "excel.csv"
    text = HEADER.replace(",", ";") + "r1;lambda;lightweight_api;12,5;1;200\nr2;ecs;x;bad;1;200\n"
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    result = read_paths([path])
    assert result.frame["latency_ms"].tolist() == [12.5]
    assert result.rejected[["line", "reason", "raw"]].values.tolist() == [
        [3, "non-numeric latency_ms", "r2;ecs;x;bad;1;200"]]


def test_hidden_files_in_folders_are_ignored(tmp_path):
    _csv(tmp_path, "r1,lambda,lightweight_api,10,1,200\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "junk.csv").write_bytes(b"\x00\x01")
    assert len(read_paths([tmp_path]).frame) == 1


text_tokens = st.sampled_from([*'ab,;"\n\t{}[]:019.-e ',
    "workload_type", "latency_ms", "null", "NaN", "é", "\r\n", "-1", "1e9", "http_status"])
json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["workload_type", "latency_ms", "metrics", "request_id",
                         "http_status", "label", "platform", "timestamp", "x"]),
        inner, max_size=5),
    max_leaves=10)


def _never_a_traceback(data: bytes) -> None:
    try:
        result = read_uploads([("upload.csv", data)])
    except UserError:
        return
    summary = result.summary()
    assert summary["rows_read"] == summary["rows_accepted"] + summary["rows_rejected"]


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=200))
def test_any_bytes_load_or_give_a_user_error(data):
    _never_a_traceback(data)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(text_tokens, max_size=30).map("".join), max_size=5))
def test_any_csv_like_text_loads_or_gives_a_user_error(parts):
    _never_a_traceback(("workload_type,latency_ms\n" + "".join(parts)).encode())


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(json_values, max_size=5), st.booleans())
def test_any_json_loads_or_gives_a_user_error(values, as_lines):
    text = "\n".join(json.dumps(v) for v in values) if as_lines else json.dumps(values)
    _never_a_traceback(text.encode())


def test_file_where_no_line_parses(tmp_path):
    path = tmp_path / "pretty.jsonl"
    path.write_text(json.dumps(_record(1), indent=2))
    with pytest.raises(UserError, match=r"No record of .*pretty.jsonl could be read: \d+ "
                                        r"rejected, the first at line 1 \(invalid JSON\)"):
        read_paths([path])


def test_json_columns_of_unequal_length(tmp_path):
    path = tmp_path / "cols.json"
    path.write_text('{\n "workload_type": ["a", "b"],\n "latency_ms": [1]\n}')
    with pytest.raises(UserError, match=r"lists of equal length.*JSON Lines"):
        read_paths([path])


def test_leading_blank_lines_and_all_rows_rejected(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('\n\n\n\n{"workload_type": "a", "latency_ms": 1}\n')
    assert len(read_paths([path]).frame) == 1
    bad = [("bad.csv", b"workload_type,latency_ms\nx,\ny,-1\n")]
    result = read_uploads(bad, allow_empty=True)
    assert result.frame.empty and result.summary()["rejected_by_reason"] == {
        "missing latency": 1, "negative latency_ms": 1}
    with pytest.raises(UserError, match=r"No usable rows in bad.csv: all 2 records were "
                                        r"rejected \(most often: missing latency, e.g. line 2\)"):
        read_uploads(bad)


def test_one_file_with_utf8_and_latin1_lines(tmp_path):
    path = tmp_path / "appended.csv"
    path.write_bytes(HEADER.encode() + "café,lambda,lightweight_api,10,1,200\n".encode()
                     + "résumé,ecs,lightweight_api,12,1,200\n".encode("latin-1"))
    assert read_paths([path]).frame["request_id"].tolist() == ["café", "résumé"]
