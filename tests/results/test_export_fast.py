"""The exports of every run take fast paths (issue 19): values without a dict per run, `ns_to_ms`
without `round` where it cannot change the value, CSV cells checked for formulas only where text
can be, Parquet in row groups with declared types, the models scan on fewer columns. Each gives
the answer of the plain path."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchctl.results import frame
from benchctl.results.export import (
    RUN_KEYS,
    ns_to_ms,
    run_to_dict,
    write_csv,
    write_csv_values,
    write_parquet,
)
from benchctl.results.stats import STATISTICS
from benchctl.results.store import ResultStore
from benchctl.results.testing import make_record

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DRIFT = {"host": {"drift": {"change": 0.2, "flagged": True}, "warnings": []}}
STATS = [s for s in STATISTICS if s.unit == "ns"]
NOISY = {"contention": {"others_cpu_share": 0.6, "noisy": True}, "stopped_by": "ci"}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ResultStore:
    s = ResultStore.open(f"sqlite:///{tmp_path_factory.mktemp('fast') / 'r.sqlite'}")
    rng = np.random.default_rng(0)
    runs = [
        {},  # ok, no recorded drift check: the gate reads its samples
        {"environment": DRIFT, "threads": 2, "load_ns": 12_345_678, "peak_rss_bytes": 3 << 20},
        {"environment": NOISY, "model_name": "=HYPERLINK(1)", "device_name": "+phone"},
        {"status": "error", "error_code": "-E", "error_message": "@boom", "samples": []},
        {"spec": {"placement": {"cpus": [0, 1, 2]}}, "accelerator_actual": "cpu"},
    ]
    for i, extra in enumerate(runs):
        samples = extra.pop("samples", [int(x) for x in rng.lognormal(14, 0.1, 60)])
        record = make_record(
            run_id=f"{i:032x}",
            created_at=T0 + timedelta(minutes=i),
            samples=samples,
            **({"iterations_requested": len(samples)} if samples else {}),
            **extra,
        )
        s.ingest(record)
    return s


def test_ms_skips_round_only_where_round_changes_nothing():
    rng = random.Random(0)
    values = [0, 1, -3, 2**41 - 1, 2**41, 2**41 + 0.5, 1e300, 0.1, -0.0, 12.125, 3.0625]
    for _ in range(5_000):
        values.append(rng.randrange(2**42))
        values.append(rng.randrange(2**44) / 8)  # medians of integers and finer
        values.append(rng.uniform(0, 2**42))  # means, deviations
    for v in values:
        assert repr(ns_to_ms(v)) == repr(round(v / 1e6, 9)), v
    assert ns_to_ms(None) is None


def test_the_statistics_in_run_values_are_rounded_as_ns_to_ms(store):
    row = next(store.rows(frame.ROW_COLUMNS, shared=frame.SHARED))
    rng = random.Random(1)
    for _ in range(300):
        times = [rng.choice([rng.randrange(2**42) / 8, rng.uniform(0, 2**43), None]) for _ in STATS]
        fake = row._replace(**{s.column: t for s, t in zip(STATS, times, strict=True)})
        d = run_to_dict(fake)
        for s, t in zip(STATS, times, strict=True):
            assert repr(d[s.key]) == repr(None if t is None else round(t / 1e6, 9)), (s.key, t)


def test_run_values_are_run_to_dicts_values(store):
    for row in store.rows(frame.ROW_COLUMNS, shared=frame.SHARED):
        d = run_to_dict(row, {"passed": True, "max_rel": 1e-6})
        assert list(d) == list(RUN_KEYS)
        orm = run_to_dict(store.run(row.run_id), {"passed": True, "max_rel": 1e-6})
        assert d == orm  # the named tuple and the ORM row give one dict


def test_the_runs_csv_from_values_is_the_csv_of_dicts(store):
    dicts, values = io.StringIO(), io.StringIO()
    write_csv(frame.iter_run_dicts(store), dicts, frame.RUN_COLUMNS)
    write_csv_values(frame.iter_run_values(store), values, frame.RUN_COLUMNS, frame.NUMBER_COLUMNS)
    assert values.getvalue() == dicts.getvalue()
    text = values.getvalue()
    assert "'=HYPERLINK(1)" in text and "'+phone" in text and "'-E" in text
    assert "0-2" in text or "0,1,2" in text  # the pinned CPUs, formatted


def test_parquet_in_row_groups_of_one_is_the_one_table(store, tmp_path):
    rows = list(frame.iter_run_values(store))
    one, many = tmp_path / "one.parquet", tmp_path / "many.parquet"
    write_parquet(rows, one, frame.RUN_COLUMNS, frame.RUN_TYPES)
    write_parquet(iter(rows), many, frame.RUN_COLUMNS, frame.RUN_TYPES, batch=1)
    assert pq.ParquetFile(many).metadata.num_row_groups == len(rows) == 5
    a, b = pq.read_table(one), pq.read_table(many)
    assert a.equals(b) and a.schema.names == list(frame.RUN_COLUMNS)
    assert a.column("model").to_pylist()[2] == "=HYPERLINK(1)"  # data, not neutralised
    assert a.schema.field("rss_after_load_mb").type == pa.float64()  # None but one: declared
    assert a.schema.field("threads").type == pa.int64()  # None in most rows, still integers
    assert a.column("threads").to_pylist() == [None, 2, None, None, None]
    assert a.column("valid").to_pylist() == [r[-2] for r in rows]


def test_an_empty_parquet_export_keeps_its_columns(tmp_path):
    path = tmp_path / "empty.parquet"
    write_parquet([], path, ("a", "b"), {"b": "float"})
    table = pq.read_table(path)
    assert table.num_rows == 0 and table.schema == pa.schema(
        [("a", pa.large_string()), ("b", pa.float64())]
    )


def test_a_value_parquet_cannot_type_is_one_clear_error(tmp_path):
    from benchctl.errors import ConfigError

    with pytest.raises(ConfigError, match="column 'b' as double"):
        write_parquet([["x", "not a number"]], tmp_path / "bad.parquet", ("a", "b"), {"b": "float"})


def test_the_models_scan_chooses_the_runs_the_full_read_would(store, monkeypatch):
    got = frame.model_dicts(store, compute_facts=False, include_invalid=True)
    m = [d for d in got if d["model"] == "m" and d["threads"] is None]
    assert [d["run_id"] for d in m] == [f"{4:032x}"]  # the newest valid one of its group
    assert m[0]["latency_median_ms"] == run_to_dict(store.run(f"{4:032x}"))["median_ms"]
    assert next(d for d in got if d["model"] == "=HYPERLINK(1)")["valid"] is False
    monkeypatch.setattr(frame, "SCAN_COLUMNS", frame.ROW_COLUMNS)  # the scan reads every column
    assert frame.model_dicts(store, compute_facts=False, include_invalid=True) == got


def test_rows_with_a_limit_are_the_newest_first_rows(store):
    every = [r.run_id for r in store.rows(("run_id",))]
    assert [r.run_id for r in store.rows(("run_id",), limit=2)] == every[:2]
    assert [r.run_id for r in store.rows(("run_id",), limit=0)] == every  # 0: no limit
    assert [r.run_id for r in store.rows(("run_id",), oldest_first=True, limit=1)] == every[-1:]


def _random_column(rng: random.Random, kind: str, n: int) -> list:
    """n values of one declared kind, None among them, with the edge values of each type."""
    edges = {
        "int": [0, -1, 2**63 - 1, -(2**63), 1 << 40],
        "float": [
            0.0,
            -0.0,
            float("nan"),
            float("inf"),
            -float("inf"),
            5e-324,
            1.7976931348623157e308,
        ],
        "bool": [True, False],
        "": ["", "é", "=SUM(A1)", "a\r\nb", "\U0001f600", "x" * 300],
    }[kind]
    draw = {
        "int": lambda: rng.randrange(-(2**63), 2**63),
        "float": lambda: rng.uniform(-1e12, 1e12),
        "bool": lambda: rng.random() < 0.5,
        "": lambda: "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(8))),
    }[kind]
    return [rng.choice([None, rng.choice(edges), draw(), draw()]) for _ in range(n)]


def test_columns_built_without_pandas_are_pyarrows_own_arrays(tmp_path):
    """Each column the writer builds without `pyarrow.array` reads back as pyarrow's own array
    of the same values: the same type, nulls and values (NaN compared by repr)."""
    arrow = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "": pa.large_string()}
    rng = random.Random(2)
    path = tmp_path / "c.parquet"
    for _ in range(200):
        kind = rng.choice(list(arrow))
        values = _random_column(rng, kind, rng.randrange(0, 40))
        write_parquet([[v] for v in values], path, ("c",), {"c": kind})
        got = pq.read_table(path).column("c").combine_chunks()
        want = pa.array(values, type=arrow[kind])
        assert got.type == want.type and got.null_count == want.null_count
        assert list(map(repr, got.to_pylist())) == list(map(repr, want.to_pylist())), values


def test_values_of_another_type_get_pyarrows_verdict(tmp_path):
    """A value nanoarrow would take on its own terms (a text in a bool column, which it reads
    as True; an int in a float one) goes to `pyarrow.array`: the same file or the same error."""
    from benchctl.errors import ConfigError

    cases = [
        ("bool", ["yes", True], None),  # pyarrow refuses a text as a bool
        ("bool", [1, None], None),
        ("float", [3, 0.5, None], [3.0, 0.5, None]),  # an int in a float column: pyarrow's 3.0
        ("float", [2**63, 0.5], None),
        ("int", [2**63], None),  # past int64: was an OverflowError traceback
        ("int", [True], None),
        ("", ["\ud800"], None),  # a lone surrogate (JSON can hold one): was a traceback
        ("", [b"raw"], ["raw"]),
    ]
    for kind, values, want in cases:
        path = tmp_path / "c.parquet"
        if want is None:
            with pytest.raises(ConfigError, match="cannot write column 'c'"):
                write_parquet([[v] for v in values], path, ("c",), {"c": kind})
        else:
            write_parquet([[v] for v in values], path, ("c",), {"c": kind})
            assert pq.read_table(path).column("c").to_pylist() == want


def test_a_parquet_export_does_not_import_pandas(tmp_path):
    """pyarrow's pandas shim imports pandas on its first `pyarrow.array` of Python values
    (about 0.4 s of an export of every run); the writer's columns never get there."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from benchctl.results.export import write_parquet\n"
        "rows = [[1, 2.5, True, 'x'], [None, None, None, None]]\n"
        f"write_parquet(rows, Path({str(tmp_path / 'p.parquet')!r}), 'abcd',"
        " {'a': 'int', 'b': 'float', 'c': 'bool'})\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
    assert pq.read_table(tmp_path / "p.parquet").to_pylist()[0] == {
        "a": 1, "b": 2.5, "c": True, "d": "x"
    }  # fmt: skip


def test_csv_values_are_neutralised_as_write_csv_neutralises_dicts():
    """`write_csv_values` (lists, number columns unchecked) against `write_csv` (dicts,
    `csv_cell`'s rule) on random rows: every formula start at a cell's beginning, the same
    characters after a newline inside a cell, numbers, None; one and no text columns too."""
    rng = random.Random(3)
    pieces = ["=", "+", "-", "@", "\t", "\r", "\n", "a", "é", " ", "\r\n=", "\n-1", '"', ","]
    values = [None, 0, -1.5, True, 2**70, "", "plain"]

    def cell():
        if rng.random() < 0.3:
            return rng.choice(values)
        return "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 5)))

    for columns, numbers in [(("a", "b", "c", "d"), {"d"}), (("a", "n"), {"n"}), (("n",), {"n"})]:
        for _ in range(60):
            rows = [[cell() for _ in columns] for _ in range(rng.randrange(0, 6))]
            for row in rows:  # a number column holds numbers
                for i, name in enumerate(columns):
                    if name in numbers:
                        row[i] = rng.choice([None, 1, -2.5])
            dicts = [dict(zip(columns, row, strict=True)) for row in rows]
            got, want = io.StringIO(), io.StringIO()
            write_csv_values([list(r) for r in rows], got, columns, numbers)
            write_csv(dicts, want, columns)
            assert got.getvalue() == want.getvalue(), rows


def test_an_artifacts_parity_read_without_the_orm_is_its_rows(store):
    shas = {r.artifact_sha256 for r in store.rows(("artifact_sha256",))}
    parities = {sha: store.artifact_parity(sha) for sha in shas}
    assert parities == {sha: store.artifact(sha).parity for sha in shas}
    assert any(p is not None for p in parities.values())  # the sample artifact records one
    assert store.artifact_parity("sha256:" + "0" * 64) is None  # no such artifact
