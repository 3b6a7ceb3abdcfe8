"""Host side of a finished run: validate the pulled result and assemble the `RunRecord`.

Nothing in a result document is trusted before it passes the JSON Schema and the cross-checks
here (run id, model hash, sample count); the summary is recomputed from the samples by the store.
"""

from __future__ import annotations

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
    if doc["status"] == "ok":
        if doc["model_sha256"] != spec["model"]["sha256"]:
            raise ContractError("result ran a model whose sha256 differs from the spec's")
        n, want = len(doc["timing_ns"]["samples"]), spec["timing"]["iters"]
        if n != want:
            raise ContractError(f"result says ok with {n} samples; the spec asked for {want}")
    return doc


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def without_samples(doc: dict[str, Any]) -> dict[str, Any]:
    """The result document minus its samples (they are stored once, compressed, elsewhere)."""
    out = dict(doc)
    if isinstance(out.get("timing_ns"), dict):
        out["timing_ns"] = {k: v for k, v in out["timing_ns"].items() if k != "samples"}
    return out
