"""Stored results as pandas DataFrames: the Python side of `benchctl export` and `benchctl plot`.

Two shapes:

- `runs_frame`: one row per stored run (the `export csv` columns) plus its validity;
- `models_frame`: one row per model × format × precision × device × runtime (and accelerator,
  threads, input shape, which also separate results), from the newest *valid* run of each, joined
  with accuracy, params and MACs (counted by the zoo's one counter at the run's input size, and
  the papers' published numbers beside them).

Accuracy, and where it comes from (`accuracy_kind`, `accuracy_source`): the user's file when one
is given and has a row for the result (`file`); else the top-1 `benchctl eval` measured for the
run's very artifact sha256 (`measured`: a full dataset before a `--limit` subset, then the
newest); else the paper's ImageNet top-1 for the architecture (`paper`), which says nothing about
the weights that were benchmarked (random ones, unless `--weights` was given).

Invalid runs (validity gate of `results.regress.validity`) are never chosen while a valid one
exists; with `include_invalid=True` a combination with no valid run shows its newest run, marked.
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchctl.errors import UnknownNameError
from benchctl.results.accuracy import AccuracyTable, load_accuracy
from benchctl.results.export import (
    COMPUTED,
    CSV_COLUMNS,
    ROW_COLUMNS,
    RUN_KEYS,
    SHARED,
    run_to_dict,
    run_values,
)
from benchctl.results.measured import source_text
from benchctl.results.regress.history import settings_of
from benchctl.results.regress.settings import RegressConfig, load_config
from benchctl.results.regress.validity import STORED_DRIFT_COLUMNS, check_row, needs_samples
from benchctl.results.stats import STATISTICS
from benchctl.results.store import ResultStore

if TYPE_CHECKING:
    import pandas as pd

RUN_COLUMNS = (*CSV_COLUMNS, "valid", "invalid_reasons")

MODEL_COLUMNS = (
    "model",
    "format",
    "precision",
    "device",
    "device_cpu",
    "runtime",
    "accelerator",
    "threads",
    "input_shape",
    "latency_min_ms",
    "latency_median_ms",
    "latency_p90_ms",
    "iterations",
    "parity_passed",
    "parity_max_rel",
    "accuracy_top1",
    "accuracy_source",
    "accuracy_kind",
    "accuracy_top5",
    "accuracy_samples",
    "params_m",
    "macs_m",
    "facts_counter",
    "published_params_m",
    "published_macs_m",
    "published_ops",
    "published_top1",
    "published_source",
    "artifact_sha256",
    "run_id",
    "created_at",
    "valid",
    "invalid_reasons",
    "valid_runs",
    "series_median_ms",
)

# Each column's Parquet type (`export.write_parquet`; a column not named here is text).
RUN_TYPES: dict[str, str] = {
    **dict.fromkeys(("threads", "iterations", "warmup"), "int"),
    **{s.key: "int" if s.type is int else "float" for s in STATISTICS},
    **dict.fromkeys(COMPUTED | {"parity_max_rel", "others_cpu_share"}, "float"),
    **dict.fromkeys(("parity_passed", "noisy", "valid"), "bool"),
}
MODEL_TYPES: dict[str, str] = {
    **dict.fromkeys(("threads", "iterations", "accuracy_samples", "valid_runs"), "int"),
    **dict.fromkeys(
        (
            "latency_min_ms",
            "latency_median_ms",
            "latency_p90_ms",
            "parity_max_rel",
            "accuracy_top1",
            "accuracy_top5",
            "params_m",
            "macs_m",
            "published_params_m",
            "published_macs_m",
            "published_top1",
            "series_median_ms",
        ),
        "float",
    ),
    **dict.fromkeys(("parity_passed", "valid"), "bool"),
}

GROUP_FIELDS = (
    "model_name",
    "artifact_format",
    "precision",
    "device_name",
    "runtime",
    "accelerator_requested",
    "threads",
)

_GROUP = operator.attrgetter(*GROUP_FIELDS)  # one C call per run
# What the scan of every run reads for `model_dicts`: its group, the validity gate's inputs
# (`check_row`, `settings_of`), the median; the chosen runs are then read whole (ROW_COLUMNS).
SCAN_COLUMNS = (
    "run_id",
    *GROUP_FIELDS,
    "input_shape",
    "status",
    "sample_count",
    "iterations_requested",
    "accelerator_actual",
    "environment",
    "median_ns",
    *STORED_DRIFT_COLUMNS,
)

ProgressFn = Callable[[str], None]

BATCH = 500


class _Measured:
    """The measured accuracy of each artifact (`benchctl eval`), looked up once per sha256."""

    def __init__(self, store: ResultStore) -> None:
        self.store = store
        self.cache: dict[str, Any] = {}

    def get(self, sha256: str | None) -> Any:
        if not sha256:
            return None
        if sha256 not in self.cache:
            rows = self.store.accuracies(artifact_sha256=sha256)  # newest first
            full = [r for r in rows if r.sample_limit is None]
            self.cache[sha256] = full[0] if full else rows[0] if rows else None
        return self.cache[sha256]


class _Parities:
    def __init__(self, store: ResultStore) -> None:
        self.store = store
        self.cache: dict[str, dict[str, Any] | None] = {}

    def get(self, sha256: str | None) -> dict[str, Any] | None:
        if not sha256:
            return None
        if sha256 not in self.cache:
            self.cache[sha256] = self.store.artifact_parity(sha256)
        return self.cache[sha256]


def _with_validity(
    store: ResultStore, rows: Iterable[Any], config: RegressConfig
) -> Iterator[tuple[Any, bool, str]]:
    """(row, valid, reasons) for each row, in order. Rows go `BATCH` at a time; of each batch,
    only the runs `needs_samples` names (ok, with neither the harness's drift check nor the one
    stored at ingest) have their samples read, so no more than one batch of samples is held."""
    batch: list[Any] = []

    def flush() -> Iterator[tuple[Any, bool, str]]:
        each = [(row, settings_of(row, config)) for row in batch]
        unread = [row.run_id for row, s in each if needs_samples(row, s)]
        samples = dict(store.samples_of(unread)) if unread else {}
        for row, s in each:
            v = check_row(row, samples.get(row.run_id), s)
            yield row, v.valid, "; ".join(v.reasons)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield from flush()
    yield from flush()


def run_dicts(
    store: ResultStore,
    *,
    model: str | None = None,
    device: str | None = None,
    status: str | None = None,
    config: RegressConfig | None = None,
) -> list[dict[str, Any]]:
    """One flat dict per run (`export csv` columns + validity), oldest first."""
    return list(iter_run_dicts(store, model=model, device=device, status=status, config=config))


def iter_run_dicts(
    store: ResultStore,
    *,
    model: str | None = None,
    device: str | None = None,
    status: str | None = None,
    config: RegressConfig | None = None,
) -> Iterator[dict[str, Any]]:
    """`run_dicts` one at a time, for a writer that streams them (`export csv`): rows are read
    a batch at a time, so memory stays bounded however many runs the database holds. The
    detector config is read here, before the first row (a bad one fails before any output)."""
    config = config or load_config()
    parities = _Parities(store)
    rows = store.rows(
        ROW_COLUMNS, model=model, device=device, status=status, oldest_first=True, shared=SHARED
    )

    def dicts() -> Iterator[dict[str, Any]]:
        for row, valid, reasons in _with_validity(store, rows, config):
            d = run_to_dict(row, parities.get(row.artifact_sha256))
            d["valid"], d["invalid_reasons"] = valid, reasons
            if row.status == "ok":  # the gate's verdict, with the same settings as `valid`
                d["noisy"] = "noisy:" in d["invalid_reasons"]
            yield d

    return dicts()


# `run_values` picked into the `CSV_COLUMNS` order (one C call per run), and where `noisy` is.
_PICK = operator.itemgetter(*(RUN_KEYS.index(c) for c in CSV_COLUMNS))
_NOISY = RUN_COLUMNS.index("noisy")
# The `RUN_COLUMNS` that only ever hold a number, a bool or None (never text).
NUMBER_COLUMNS = COMPUTED | {"valid"}


def iter_run_values(
    store: ResultStore,
    *,
    model: str | None = None,
    device: str | None = None,
    status: str | None = None,
    config: RegressConfig | None = None,
) -> Iterator[list[Any]]:
    """`iter_run_dicts` as lists of the `RUN_COLUMNS` values in their order, for the exports of
    every run (`export csv|parquet`), which then build no dict per run. The config is read
    before the first row, as there."""
    config = config or load_config()
    parities = _Parities(store)
    rows = store.rows(
        ROW_COLUMNS, model=model, device=device, status=status, oldest_first=True, shared=SHARED
    )

    def values() -> Iterator[list[Any]]:
        for row, valid, reasons in _with_validity(store, rows, config):
            cells = [*_PICK(run_values(row, parities.get(row.artifact_sha256))), valid, reasons]
            if row.status == "ok":  # the gate's verdict, as `iter_run_dicts` gives it
                cells[_NOISY] = "noisy:" in reasons
            yield cells

    return values()


def runs_frame(store: ResultStore, **filters: Any) -> pd.DataFrame:
    """`run_dicts` as a DataFrame with the `RUN_COLUMNS` columns."""
    import pandas as pd

    return pd.DataFrame(run_dicts(store, **filters), columns=list(RUN_COLUMNS))


def _published(model: str) -> dict[str, Any] | None:
    """The zoo's published facts for `model`; None for a name the zoo does not know."""
    from benchctl.models import get_model_spec

    try:
        fact = get_model_spec(model).primary
    except UnknownNameError:
        return None
    if fact is None:
        return {}
    return {
        "published_params_m": fact.params_m,
        "published_macs_m": fact.macs_m,
        "published_ops": fact.ops_display or None,
        "published_top1": float(fact.top1) if fact.top1 else None,
        "published_source": fact.source,
    }


def _facts(
    model: str, input_shape: list[int], compute: bool, progress: ProgressFn | None
) -> dict[str, Any]:
    """Published and (when `compute`) counted params/MACs at the run's input size."""
    published = _published(model)
    if published is None or not compute:
        return published or {}
    from benchctl.models import computed_facts

    if progress is not None:
        progress(f"counting params and MACs of {model}")
    size = None
    if len(input_shape) == 4:  # N, C, H, W: count at the run's own C, H, W
        size = (int(input_shape[1]), int(input_shape[2]), int(input_shape[3]))
    counted = computed_facts(model, size)
    return {
        **published,
        "params_m": counted.params_m,
        "macs_m": counted.macs_m,
        "facts_counter": counted.counter,
    }


def model_dicts(
    store: ResultStore,
    *,
    model: str | None = None,
    device: str | None = None,
    runtime: str | None = None,
    accuracy: AccuracyTable | Path | None = None,
    compute_facts: bool = True,
    include_invalid: bool = False,
    config: RegressConfig | None = None,
    progress: ProgressFn | None = None,
) -> list[dict[str, Any]]:
    """One dict per model × format × precision × device × runtime (see the module doc)."""
    config = config or load_config()
    table = load_accuracy(accuracy) if isinstance(accuracy, Path) else accuracy
    parities = _Parities(store)
    measured = _Measured(store)
    chosen: dict[tuple[Any, ...], dict[str, Any]] = {}
    rows = (
        row
        for row in store.rows(SCAN_COLUMNS, model=model, device=device, shared=SHARED)  # newest 1st
        if not runtime or row.runtime == runtime
    )
    for row, valid, reasons in _with_validity(store, rows, config):
        group = (*_GROUP(row), tuple(row.input_shape))
        entry = chosen.get(group)
        if entry is None:  # one per combination: bounded by series, not by runs
            entry = chosen[group] = {
                "row": None, "valid": False, "reasons": "", "n": 0, "medians": array("d")
            }  # fmt: skip
        entry["n"] += valid
        if valid and row.median_ns is not None:
            entry["medians"].append(row.median_ns / 1e6)  # 8 bytes a valid run
        if entry["row"] is None or (valid and not entry["valid"]):  # the newest valid one wins
            entry.update(row=row, valid=valid, reasons=reasons)
    # The chosen runs, with every column `run_to_dict` reads (the scan read only its own).
    full = {
        r.run_id: r
        for r in store.rows(
            ROW_COLUMNS, run_ids=[e["row"].run_id for e in chosen.values()], shared=SHARED
        )
    }
    for entry in chosen.values():
        entry["row"] = full[entry["row"].run_id]
    facts_cache: dict[tuple[str, tuple[int, ...]], dict[str, Any]] = {}
    out = []
    for entry in chosen.values():
        row = entry["row"]
        if not entry["valid"] and not include_invalid:
            continue
        key = (row.model_name, tuple(row.input_shape))
        if key not in facts_cache:
            facts_cache[key] = _facts(
                row.model_name, list(row.input_shape), compute_facts, progress
            )
        run = run_to_dict(row, parities.get(row.artifact_sha256))
        d: dict[str, Any] = dict.fromkeys(MODEL_COLUMNS)
        d.update(
            model=row.model_name,
            format=row.artifact_format,
            precision=row.precision,
            device=row.device_name,
            device_cpu=run["device_cpu"],
            runtime=row.runtime,
            accelerator=row.accelerator_requested,
            threads=row.threads,
            input_shape=run["input_shape"],
            latency_min_ms=run["min_ms"],
            latency_median_ms=run["median_ms"],
            latency_p90_ms=run["p90_ms"],
            iterations=row.sample_count,
            parity_passed=run["parity_passed"],
            parity_max_rel=run["parity_max_rel"],
            artifact_sha256=row.artifact_sha256,
            run_id=row.run_id,
            created_at=run["created_at"],
            valid=entry["valid"],
            invalid_reasons=entry["reasons"] or None,
            valid_runs=entry["n"],
            series_median_ms=float(np.median(entry["medians"])) if entry["medians"] else None,
        )
        d.update(facts_cache[key])
        own = None
        if table is not None:
            own = table.lookup(
                row.model_name,
                fmt=row.artifact_format,
                precision=row.precision,
                sha256=row.artifact_sha256,
            )
        ours = measured.get(row.artifact_sha256)
        if own is not None and table is not None:
            d["accuracy_top1"], d["accuracy_source"] = own.top1, f"file:{table.source}"
            d["accuracy_kind"] = "file"
        elif ours is not None:
            d.update(
                accuracy_top1=ours.top1,
                accuracy_top5=ours.top5,
                accuracy_samples=ours.num_samples,
                accuracy_source=source_text(ours),
                accuracy_kind="measured",
            )
        elif d["published_top1"] is not None:
            d["accuracy_top1"] = d["published_top1"]
            d["accuracy_source"] = f"paper: {d['published_source']}"
            d["accuracy_kind"] = "paper"
        out.append(d)
    out.sort(key=lambda d: (d["device"], d["runtime"], d["model"], d["format"], d["precision"]))
    return out


def models_frame(store: ResultStore, **options: Any) -> pd.DataFrame:
    """`model_dicts` as a DataFrame with the `MODEL_COLUMNS` columns."""
    import pandas as pd

    return pd.DataFrame(model_dicts(store, **options), columns=list(MODEL_COLUMNS))
