"""Host side of a finished run: validate the pulled result and assemble the `RunRecord`.

Nothing in a result document is trusted before it passes the JSON Schema and the cross-checks
here (run id, model hash, sample count, backend, accelerator, warm-up); the summary is
recomputed from the samples by the store.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from benchctl.errors import ContractError
from benchctl.harness import contract


def check_result(doc: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """Return the result document if it is valid for this spec, else raise ContractError."""
    try:
        contract.validate("result", doc)
    except contract.ContractViolation as exc:
        raise ContractError(str(exc)) from None
    if doc["run_id"] != spec["run_id"]:
        raise ContractError(f"result is for run {doc['run_id']}, expected {spec['run_id']}")
    _check_beyond_schema(doc)
    if doc["status"] == "ok":
        if doc["model_sha256"] != spec["model"]["sha256"]:
            raise ContractError("result ran a model whose sha256 differs from the spec's")
        n, want = len(doc["timing_ns"]["samples"]), spec["timing"]["iters"]
        if spec["timing"].get("target_ci") is not None:  # a CI target: at least `iters`
            most = spec["timing"].get("max_iters", 10_000_000)
            if not want <= n <= most:
                raise ContractError(
                    f"result says ok with {n} samples; the spec asked for {want} to {most}"
                )
        elif n != want:
            raise ContractError(f"result says ok with {n} samples; the spec asked for {want}")
        _check_ran_what_was_asked(doc, spec)
    return doc


def _check_ran_what_was_asked(doc: dict[str, Any], spec: dict[str, Any]) -> None:
    """An ok result must come from the requested backend and accelerator: a runner (or an app)
    that fell back silently must not land its numbers in the requested series."""
    asked, ran = spec["backend"], doc["runtime"]
    if ran["backend"] != asked["name"]:
        raise ContractError(
            f"result ran backend {ran['backend']!r}; the spec asked for {asked['name']!r}"
        )
    if ran["accelerator_requested"] != asked["accelerator"]:
        raise ContractError(
            f"result requested accelerator {ran['accelerator_requested']!r}; "
            f"the spec asked for {asked['accelerator']!r}"
        )
    actual = ran["accelerator_actual"]
    if actual is not None and actual != asked["accelerator"] and not asked.get("allow_fallback"):
        raise ContractError(
            f"result ran on {actual!r} instead of {asked['accelerator']!r} and "
            "the spec did not allow fallback"
        )
    warmup = doc["timing_ns"]["warmup"]["count"]
    if warmup != spec["timing"]["warmup_iters"]:
        raise ContractError(
            f"result warmed up {warmup} times; the spec asked for {spec['timing']['warmup_iters']}"
        )


# What the JSON Schema cannot say (or says only when optional format checkers are installed).
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_INT64_MAX = 2**63 - 1


def _check_beyond_schema(doc: dict[str, Any]) -> None:
    if doc["version"] not in contract.SUPPORTED_VERSIONS:
        raise ContractError(
            f"result is contract version {doc['version']}; this benchctl reads "
            f"{list(contract.SUPPORTED_VERSIONS)}: upgrade benchctl on the host"
        )
    for name in ("started_at", "finished_at"):
        value = doc[name]
        try:
            ok = bool(_RFC3339.match(value)) and parse_time(value) is not None
        except ValueError:
            ok = False
        if not ok:
            raise ContractError(f"result {name} {value[:40]!r} is not an RFC 3339 date-time")
    stack: list[Any] = [doc]
    while stack:  # no integer may overflow the database's 64-bit columns
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > _INT64_MAX:
            raise ContractError(f"result holds the integer {str(node)[:30]}…, beyond 64 bits")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def without_samples(doc: dict[str, Any]) -> dict[str, Any]:
    """The result document minus its samples (they are stored once, compressed, elsewhere) and
    its profile's operators and partitions (stored once, in the profiles tables)."""
    out = dict(doc)
    if isinstance(out.get("timing_ns"), dict):
        out["timing_ns"] = {k: v for k, v in out["timing_ns"].items() if k != "samples"}
    if isinstance(out.get("profile"), dict):
        out["profile"] = {
            k: v for k, v in out["profile"].items() if k not in ("operators", "partitions")
        }
    return out
