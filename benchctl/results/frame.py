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

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchctl.errors import UnknownNameError
from benchctl.results.accuracy import AccuracyTable, load_accuracy
from benchctl.results.export import CSV_COLUMNS, run_to_dict
from benchctl.results.measured import source_text
from benchctl.results.regress.history import settings_of
from benchctl.results.regress.settings import RegressConfig, load_config
from benchctl.results.regress.validity import check_row, needs_samples
from benchctl.results.schema import RunRow
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

GROUP_FIELDS = (
    "model_name",
    "artifact_format",
    "precision",
    "device_name",
    "runtime",
    "accelerator_requested",
    "threads",
)

ProgressFn = Callable[[str], None]

# Every run is read without ORM objects and without the columns that neither `run_to_dict`, the
# validity gate nor the grouping read: the result document (the bulk of a row) and the version,
# host and device documents (JSON decoded per run: most of the read's time). Every other column
# stays, so a column `run_to_dict` starts to read (a new statistic) is read with no edit here.
UNREAD = frozenset(
    {
        "result",
        "versions",
        "host",
        "device_facts",
        "model_source_hash",
        "protocol_version",
        "clock",
        "warmup_total_ns",
        "started_at",
        "finished_at",
    }
)
ROW_COLUMNS = tuple(c.name for c in RunRow.__table__.columns if c.name not in UNREAD)
# Documents that most runs of a series hold verbatim: decoded once per distinct text (`rows`).
SHARED = ("device_class", "input_shape", "spec")
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
            art = self.store.artifact(sha256)
            self.cache[sha256] = art.parity if art else None
        return self.cache[sha256]


def _with_validity(
    store: ResultStore, rows: Iterable[Any], config: RegressConfig
) -> Iterator[tuple[Any, bool, str]]:
    """(row, valid, reasons) for each row, in order. Rows go `BATCH` at a time; of each batch,
    only the ok runs without the harness's drift check have their samples read (the gate's
    fallback), so no more than one batch of samples is held."""
    batch: list[Any] = []

    def flush() -> Iterator[tuple[Any, bool, str]]:
        unread = [r.run_id for r in batch if r.status == "ok" and needs_samples(r.environment)]
        samples = dict(store.samples_of(unread)) if unread else {}
        for row in batch:
            v = check_row(row, samples.get(row.run_id), settings_of(row, config))
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
        for row in store.rows(ROW_COLUMNS, model=model, device=device, shared=SHARED)  # newest 1st
        if not runtime or row.runtime == runtime
    )
    for row, valid, reasons in _with_validity(store, rows, config):
        group = (*(getattr(row, f) for f in GROUP_FIELDS), tuple(row.input_shape))
        entry = chosen.setdefault(
            group, {"row": None, "valid": False, "reasons": "", "n": 0, "medians": []}
        )
        entry["n"] += valid
        if valid and row.median_ns is not None:
            entry["medians"].append(row.median_ns / 1e6)
        if entry["row"] is None or (valid and not entry["valid"]):  # the newest valid one wins
            entry.update(row=row, valid=valid, reasons=reasons)
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
