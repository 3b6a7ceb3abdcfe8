"""Verification: computed params and MACs against every published row, with pass/fail.

Tolerances are 2 % for params and 5 % for MACs, or half a unit of the last printed digit when
that is larger: a published "0.2 G" only says the count lies in [0.15, 0.25) G, and failing it
for being 7 % off would test the paper's rounding, not the architecture. A printed number known
not to reproduce carries its reason in `published.csv` (`*_exception`) and shows as "exception",
never as a pass; tolerances are never widened per model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from benchctl.models._facts import ComputedFacts, computed_facts
from benchctl.models._published import PublishedFact
from benchctl.models._registry import ModelSpec, get_model_spec

PARAMS_TOLERANCE = 0.02
MACS_TOLERANCE = 0.05

Status = Literal["pass", "fail", "exception", "no data", "error"]


@dataclass(frozen=True)
class Check:
    """One metric of one published row against the computed value (both in millions)."""

    metric: Literal["params", "macs"]
    published: float
    published_text: str  # as printed, with the paper's unit and label
    computed: float
    tolerance: float  # absolute, in millions: max(relative tolerance, half a printed unit)
    status: Literal["pass", "fail", "exception"]
    reason: str = ""  # the documented exception, when there is one
    stale_exception: bool = False  # documented as not reproducing, yet within tolerance
    by_rounding: bool = False  # passes only thanks to the printed number's coarse precision

    @property
    def rel_diff(self) -> float:
        return (self.computed - self.published) / self.published

    def to_dict(self) -> dict[str, Any]:
        return {
            "published": self.published,
            "published_text": self.published_text,
            "computed": round(self.computed, 4),
            "rel_diff": round(self.rel_diff, 5),
            "tolerance": round(self.tolerance, 5),
            "status": self.status,
            "reason": self.reason or None,
            "stale_exception": self.stale_exception,
            "by_rounding": self.by_rounding,
        }


@dataclass(frozen=True)
class VerifyRow:
    """One model against one published row (or the model alone when nothing is published)."""

    model: str
    role: str
    fact: PublishedFact | None
    computed: ComputedFacts | None
    params: Check | None = None
    macs: Check | None = None
    error: str = ""

    @property
    def status(self) -> Status:
        if self.error:
            return "error"
        checks = [c for c in (self.params, self.macs) if c is not None]
        if not checks:
            return "no data"
        if any(c.status == "fail" for c in checks):
            return "fail"
        if any(c.status == "exception" for c in checks):
            return "exception"
        return "pass"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "role": self.role,
            "status": self.status,
            "source": None
            if self.fact is None
            else {"paper": self.fact.paper, "table": self.fact.table, "seed": self.fact.seed},
            "resolution": None if self.computed is None else self.computed.resolution,
            "params": None if self.params is None else self.params.to_dict(),
            "macs": None if self.macs is None else self.macs.to_dict(),
            "computed": None if self.computed is None else self.computed.to_dict(),
            "error": self.error or None,
        }


def _check(
    metric: Literal["params", "macs"],
    published: float,
    text: str,
    half_ulp: float,
    computed: float,
    rel_tol: float,
    exception: str,
) -> Check:
    tolerance = max(rel_tol * abs(published), half_ulp)
    diff = abs(computed - published)
    if diff <= tolerance + 1e-9:
        return Check(
            metric,
            published,
            text,
            computed,
            tolerance,
            "pass",
            exception,
            stale_exception=bool(exception),
            by_rounding=diff > rel_tol * abs(published) + 1e-9,
        )
    status: Literal["fail", "exception"] = "exception" if exception else "fail"
    return Check(metric, published, text, computed, tolerance, status, exception)


def check_fact(fact: PublishedFact, facts: ComputedFacts) -> tuple[Check | None, Check | None]:
    """Compare one published row with computed facts (already at the row's resolution)."""
    params = macs = None
    if fact.params_m is not None:
        params = _check(
            "params",
            fact.params_m,
            f"{fact.params_text} M",
            fact.params_half_ulp_m,
            facts.params_m,
            PARAMS_TOLERANCE,
            fact.params_exception,
        )
    if fact.macs_m is not None:
        macs = _check(
            "macs",
            fact.macs_m,
            fact.ops_display,
            fact.macs_half_ulp_m,
            facts.macs_m,
            MACS_TOLERANCE,
            fact.ops_exception,
        )
    return params, macs


def verify_model(model: str | ModelSpec, *, use_cache: bool = True) -> list[VerifyRow]:
    """Every published row of `model` checked at the resolution that row states."""
    spec = get_model_spec(model) if isinstance(model, str) else model
    rows: list[VerifyRow] = []
    facts_rows = [f for f in spec.published if f.params_m is not None or f.macs_m is not None]
    try:
        if not facts_rows:
            facts = computed_facts(spec, use_cache=use_cache)
            return [VerifyRow(spec.name, spec.role, None, facts)]
        for fact in facts_rows:
            size = spec.input_size
            if fact.resolution is not None:
                size = (spec.input_size[0], fact.resolution, fact.resolution)
            computed = computed_facts(spec, size, use_cache=use_cache)
            params, macs = check_fact(fact, computed)
            rows.append(VerifyRow(spec.name, spec.role, fact, computed, params, macs))
    except Exception as exc:  # the sweep boundary: a model that fails to build is a row
        rows.append(
            VerifyRow(spec.name, spec.role, None, None, error=f"{type(exc).__name__}: {exc}")
        )
    return rows


def verify_models(
    names: Iterable[str],
    *,
    use_cache: bool = True,
    on_model: Callable[[str], None] | None = None,
) -> list[VerifyRow]:
    """`verify_model` over many models; `on_model(name)` is called after each (progress bars)."""
    rows: list[VerifyRow] = []
    for name in names:
        rows.extend(verify_model(name, use_cache=use_cache))
        if on_model is not None:
            on_model(name)
    return rows


def status_counts(rows: Iterable[VerifyRow]) -> dict[str, int]:
    """Row counts per status (`models verify` exits 1 when any is "fail" or "error")."""
    out: dict[str, int] = {}
    for r in rows:
        out[r.status] = out.get(r.status, 0) + 1
    return out
