"""A run's complete record as a file (`runs/<id>/record.json`), so no measurement is lost.

Every run writes its `RunRecord` (samples included) beside its spec and result *before* the
database write. When that write fails — the database deleted or replaced during the run, the disk
full, the database locked past its timeout, the server gone — the file is the run, and
`benchctl results import PATH…` stores it later (idempotent on run id, validated like any result).

`import` also takes a `benchctl.result` document from elsewhere (pulled from a phone by hand,
copied from another machine) when the record of the run that asked for it is beside it or in this
project's `runs/<id>/`: the result is checked against that run's spec exactly as a fresh one is.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from benchctl import config
from benchctl.errors import ConfigError, ContractError
from benchctl.results.record import RunRecord
from benchctl.runner import contract

RECORD_SCHEMA = "benchctl.record"
RECORD_VERSION = 1
RECORD_FILE = "record.json"
_TIMES = ("created_at", "started_at", "finished_at")
# What a stored run's status may be: the result contract's statuses plus the host's own.
HOST_STATUSES = ("conversion_failed",)


def to_doc(record: RunRecord) -> dict[str, Any]:
    """The record as one JSON document (datetimes as ISO 8601)."""
    doc: dict[str, Any] = {"schema": RECORD_SCHEMA, "version": RECORD_VERSION}
    for f in fields(record):
        value = getattr(record, f.name)
        doc[f.name] = value.isoformat() if isinstance(value, datetime) else value
    return doc


def from_doc(doc: Any, where: str) -> RunRecord:
    """A `RunRecord` from a `benchctl.record` document, validated; ConfigError names `where`."""
    if not isinstance(doc, dict) or doc.get("schema") != RECORD_SCHEMA:
        raise ConfigError(f"{where} is not a benchctl run record")
    if doc.get("version") != RECORD_VERSION:
        raise ConfigError(
            f"{where} is run-record version {doc.get('version')!r}; this benchctl reads "
            f"{RECORD_VERSION}: upgrade benchctl"
        )
    names = {f.name for f in fields(RunRecord)}
    values = {k: v for k, v in doc.items() if k in names}
    try:
        for key in _TIMES:
            if values.get(key) is not None:
                values[key] = datetime.fromisoformat(values[key])
        record = RunRecord(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where} is not a valid run record ({exc})") from None
    _check(record, where)
    return record


def _check(record: RunRecord, where: str) -> None:
    """What ingest relies on: a run id, a known status, samples the contract allows, and for a
    record carrying a result, that result valid for the record's own spec."""
    from benchctl.harness.collect import check_result
    from benchctl.harness.run import RUN_ID

    if not isinstance(record.run_id, str) or not RUN_ID.fullmatch(record.run_id):
        raise ConfigError(f"{where}: run_id is not 32 lowercase hex digits")
    statuses = contract.schema("result")["properties"]["status"]["enum"]
    if record.status not in (*statuses, *HOST_STATUSES):
        raise ConfigError(f"{where}: unknown status {str(record.status)[:40]!r}")
    samples = record.samples
    if not isinstance(samples, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) for s in samples
    ):
        raise ConfigError(f"{where}: samples must be a list of integers (ns)")
    if record.result is not None:
        if not isinstance(record.spec, dict):
            raise ConfigError(f"{where}: a record with a result must carry its spec")
        full = dict(record.result)
        full["timing_ns"] = {**(full.get("timing_ns") or {}), "samples": samples}
        if "timing_ns" not in record.result:
            full.pop("timing_ns")
        try:
            check_result(full, record.spec)
        except ContractError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    elif samples:
        raise ConfigError(f"{where}: samples without the result they came from")


def write(record: RunRecord, run_dir: Path) -> Path:
    """Write the record atomically in `run_dir`; if that disk refuses (full, read-only), in the
    system's temporary folder instead. Returns where it is; OSError only if both refuse."""
    doc = to_doc(record)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        path = run_dir / RECORD_FILE
        contract.write_atomic(path, doc)
        return path
    except OSError as first:
        fallback = Path(tempfile.gettempdir()) / "benchctl-runs" / record.run_id
        try:
            fallback.mkdir(parents=True, exist_ok=True)
            path = fallback / RECORD_FILE
            contract.write_atomic(path, doc)
            return path
        except OSError:
            raise first from None
        finally:
            (run_dir / (RECORD_FILE + ".tmp")).unlink(missing_ok=True)


def load(path: Path) -> RunRecord:
    """The run a path holds: a run folder, a `record.json`, or a `result.json` whose run's
    record is beside it or in this project's runs folder."""
    if path.is_dir():
        if (path / RECORD_FILE).is_file():
            return load(path / RECORD_FILE)
        if (path / "result.json").is_file():
            return load(path / "result.json")
        raise ConfigError(f"{path} holds neither {RECORD_FILE} nor result.json")
    if not path.is_file():
        raise ConfigError(f"{path} does not exist")
    try:
        doc = contract.read(path)
    except (OSError, ValueError) as exc:  # ContractViolation is a ValueError
        raise ConfigError(f"{path} is not a JSON document ({str(exc)[:200]})") from None
    if isinstance(doc, dict) and doc.get("schema") == "benchctl.result":
        return _from_result(doc, path)
    return from_doc(doc, str(path))


def _from_result(doc: dict[str, Any], path: Path) -> RunRecord:
    from benchctl.harness.run import RUN_ID

    run_id = doc.get("run_id")
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        raise ConfigError(f"{path}: run_id is not 32 lowercase hex digits")
    candidates = [path.parent / RECORD_FILE, config.runs_dir() / run_id / RECORD_FILE]
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        raise ConfigError(
            f"{path} is a result for run {run_id}, whose record is neither beside it nor in "
            f"{config.runs_dir()}; import the run folder it came from"
        )
    record = from_doc(contract.read(found), str(found))
    if record.run_id != run_id or record.spec is None:
        raise ConfigError(f"{found} is not the record of run {run_id}")
    from benchctl.harness.collect import check_result, result_fields

    try:
        result = check_result(doc, record.spec)
    except ContractError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return replace(record, **result_fields(result, record.versions))


def import_command(path: Path, db: str | None) -> str:
    """The one line that stores a kept run later."""
    return "benchctl results import " + _quote(str(path)) + (f" --db {_quote(db)}" if db else "")


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def same_file(path: Path, identity: tuple[int, int] | None) -> bool:
    """Whether `path` is still the file whose (device, inode) was `identity`."""
    if identity is None:
        return True
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == identity
