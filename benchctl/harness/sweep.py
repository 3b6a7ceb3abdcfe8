"""Many runs in one go: models × runtimes on one device, each a stored run or a status row.

A sweep writes its plan and every finished combination to `<home>/sweeps/<sweep_id>.json`
(atomically, after each run), so an interrupted sweep (Ctrl-C, a killed host) resumes where it
stopped: finished combinations are skipped, the unfinished one is run again from scratch (it
stored nothing, as any interrupted run).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchctl import config
from benchctl.errors import BenchError, ConfigError
from benchctl.harness.devicelock import DeviceBusyError
from benchctl.harness.run import RunHooks, RunPlan, RunRequest, RunSettings, resolve, run_benchmark
from benchctl.results.store import ResultStore
from benchctl.runner import contract


@dataclass
class SweepPlan:
    """Models × runtimes with one set of run settings, and what has finished so far."""

    sweep_id: str
    models: list[str]
    runtimes: list[str]
    settings: RunSettings = field(default_factory=RunSettings)
    created_at: str = ""
    done: dict[str, dict[str, Any]] = field(default_factory=dict)  # "model|runtime" → outcome
    # Each combination resolved once, when the sweep is planned; in memory only (a resumed sweep
    # resolves each remaining combination as it comes to run).
    plans: dict[str, RunPlan] = field(default_factory=dict, repr=False, compare=False)

    @property
    def device(self) -> str:
        return self.settings.device

    def request(self, model: str, runtime: str) -> RunRequest:
        """The one place a sweep turns its settings into a run: every setting travels."""
        return RunRequest.of(self.settings, model=model, runtime=runtime)

    def plan(self, model: str, runtime: str) -> RunPlan:
        """The combination's resolved plan (resolved now if the sweep was resumed)."""
        found = self.plans.get(f"{model}|{runtime}")
        return found if found is not None else resolve(self.request(model, runtime))

    def combinations(self) -> list[tuple[str, str]]:
        return [(m, r) for m in self.models for r in self.runtimes]

    def remaining(self) -> list[tuple[str, str]]:
        return [(m, r) for m, r in self.combinations() if f"{m}|{r}" not in self.done]

    def to_json(self) -> dict[str, Any]:
        return {
            "sweep_id": self.sweep_id,
            "models": self.models,
            "runtimes": self.runtimes,
            "settings": self.settings.to_json(),
            "created_at": self.created_at,
            "done": self.done,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> SweepPlan:
        doc = dict(doc)
        if "settings" in doc:
            settings = RunSettings.from_json(doc.pop("settings"))
        else:  # a sweep saved before settings were one object: they were top-level keys
            names = {f.name for f in fields(RunSettings)}
            settings = RunSettings.from_json({k: doc.pop(k) for k in list(doc) if k in names})
        return cls(**doc, settings=settings)


def select_models(spec: str) -> list[str]:
    """`seed`, `all`, or a comma list of names and shell patterns, in the order given."""
    from benchctl.models import get_model_spec, list_models

    if spec == "seed":
        return list_models(role="seed")
    if spec == "all":
        return list_models()
    out: list[str] = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        if any(c in part for c in "*?["):
            matched = list_models(part, include_test=True)
            if not matched:
                raise ConfigError(f"no model matches {part!r}; see: benchctl models list")
            out.extend(m for m in matched if m not in out)
        else:
            get_model_spec(part)  # unknown names fail with close matches
            if part not in out:
                out.append(part)
    return out


def runtimes_available_here() -> list[str]:
    """Runtimes whose backend and accelerator this machine's runner can use (`--runtime all`)."""
    from benchctl.harness.runtimes import RUNTIMES
    from benchctl.runner.run import capabilities

    usable = {
        (r["backend"], acc)
        for r in capabilities()["runtimes"]
        if r["available"]
        for acc in r.get("accelerators", [])
    }
    return [
        name
        for name in RUNTIMES.names()
        if (RUNTIMES.get(name).backend, RUNTIMES.get(name).accelerator) in usable
    ]


def sweeps_dir() -> Path:
    return config.home() / "sweeps"


def runtimes_named(text: str, device: str) -> list[str]:
    """`--runtimes`: a comma list, or `all` (those available on this machine, so host only)."""
    if text != "all":
        return [r.strip() for r in text.split(",") if r.strip()]
    if device != "host":
        raise ConfigError(
            "--runtimes all means the runtimes available on this machine; "
            "name the runtimes for another device"
        )
    return runtimes_available_here()


def plan_sweep(
    models: list[str],
    runtimes: list[str],
    settings: RunSettings | None = None,
    **changes: Any,
) -> SweepPlan:
    """Resolve every combination up front (one bad name or setting fails the sweep before any
    work); the plans are kept for `run_sweep`.

    `settings` (default: RunSettings()) with `changes` (RunSettings fields) applied.
    """
    if not models or not runtimes:
        raise ConfigError("a sweep needs at least one model and one runtime")
    plan = SweepPlan(
        sweep_id=uuid.uuid4().hex[:12],
        models=models,
        runtimes=runtimes,
        settings=replace(settings or RunSettings(), **changes),
        created_at=datetime.now(UTC).isoformat(),
    )
    for model, runtime in plan.combinations():
        plan.plans[f"{model}|{runtime}"] = resolve(plan.request(model, runtime))
    return plan


def save(plan: SweepPlan) -> Path:
    path = sweeps_dir() / f"{plan.sweep_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    contract.write_atomic(path, plan.to_json())
    return path


def load(sweep_id: str) -> SweepPlan:
    if not sweep_id.isalnum():
        raise ConfigError(f"{sweep_id!r} is not a sweep id")
    path = sweeps_dir() / f"{sweep_id}.json"
    if not path.is_file():
        known = sorted(p.stem for p in sweeps_dir().glob("*.json")) if sweeps_dir().is_dir() else []
        raise ConfigError(
            f"no sweep {sweep_id!r} in {sweeps_dir()}; known: {', '.join(known) or 'none'}"
        )
    return SweepPlan.from_json(contract.read(path))


def run_sweep(
    plan: SweepPlan,
    store: ResultStore,
    hooks: RunHooks | None = None,
    on_done: Callable[[str, str, dict[str, Any]], None] | None = None,
) -> SweepPlan:
    """Run every remaining combination; each outcome is saved before the next one starts.

    A busy device with `wait_for_device=False` (`--no-wait`) stops the sweep (DeviceBusyError,
    nothing stored for that combination), which `--resume` continues later."""
    save(plan)
    for model, runtime in plan.remaining():
        try:
            rec = run_benchmark(plan.plan(model, runtime), store, hooks).record
            row = store.run(rec.run_id)  # the stored row's statistics, not a second computation
            result = {
                "run_id": rec.run_id,
                "status": rec.status,
                "error_code": rec.error_code,
                "error_message": rec.error_message,
                "median_ns": row.median_ns,
            }
        except DeviceBusyError:
            raise  # not this combination's failure: every next one would be refused alike
        except BenchError as exc:  # the sweep boundary: one combination's failure is a row
            result = {
                "run_id": None,
                "status": "error",
                "error_code": type(exc).__name__,
                "error_message": str(exc),
                "median_ns": None,
            }
        plan.done[f"{model}|{runtime}"] = result
        save(plan)
        if on_done is not None:
            on_done(model, runtime, result)
    return plan
