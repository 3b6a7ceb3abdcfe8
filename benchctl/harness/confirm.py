"""Stage 2, confirmation on the device: run last-good (A) and candidate (B) interleaved, in blocks,
and test the block medians (anchors_regression.md §3.4; Pinpoint's three-way answer).

Blocks run in ABBA order (AB, BA, AB, …: interleaved, each arm leading half the time, so a slow
drift of the device during the session weighs on both arms alike), each block a full run (its own
warm-up, then `block_iterations` timed iterations) through `run_benchmark`. Block medians, not raw
iterations, are tested: iterations within a block are autocorrelated. Two-sided Mann–Whitney U
(exact when there are no ties):

- p ≤ `alpha` (0.01) and B slower by ≥ `rel_threshold` (5 %) → **confirmed**;
- p ≤ `alpha` and B faster by ≥ the threshold → **improved**;
- p ≤ `alpha` but the change is below the threshold → **noise** (real, but too small to report);
- `alpha` < p ≤ `unknown_p` (0.10) → run `extra_blocks` more per arm once and test again; still
  there → **suspicious**;
- p > `unknown_p` → **noise**: the nightly difference was not reproduced.

Blocks are stored in their own (scratch) database so they never join a series' nightly history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from benchctl.errors import BenchError, ConfigError
from benchctl.harness.run import RunRequest, run_benchmark
from benchctl.results.compare import mann_whitney_p
from benchctl.results.store import ResultStore

LABELS = ("confirmed", "suspicious", "noise", "improved")

BlockFn = Callable[[int, int, str], None]  # (block number, total blocks, arm)


@dataclass(frozen=True)
class ConfirmSettings:
    blocks: int = 10  # per arm
    extra_blocks: int = 10  # per arm, once, when the first test is inconclusive
    block_iterations: int = 100
    block_warmup: int = 10
    alpha: float = 0.01
    unknown_p: float = 0.10
    rel_threshold: float = 0.05

    def check(self) -> None:
        if self.blocks < 2 or self.block_iterations < 1 or self.extra_blocks < 0:
            raise ConfigError("--blocks must be ≥ 2, --block-iterations ≥ 1, --extra-blocks ≥ 0")
        if self.block_warmup < 0:
            raise ConfigError(f"--block-warmup must be ≥ 0, got {self.block_warmup}")
        if not 0 < self.alpha < self.unknown_p < 1:
            raise ConfigError("need 0 < alpha < unknown_p < 1")


@dataclass(frozen=True)
class Block:
    arm: str  # "A" or "B"
    index: int  # position in the session, from 0
    run_id: str
    median_ns: float
    artifact_sha256: str | None


@dataclass(frozen=True)
class Verdict:
    label: str
    p_value: float
    rel_change: float  # median of B's block medians / A's − 1
    reason: str


@dataclass
class Confirmation:
    label: str
    reason: str
    p_value: float
    rel_change: float
    median_a_ns: float
    median_b_ns: float
    rounds: int
    blocks: list[Block]
    settings: ConfirmSettings
    notes: list[str] = field(default_factory=list)

    def medians(self, arm: str) -> list[float]:
        return [b.median_ns for b in self.blocks if b.arm == arm]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["medians_a_ms"] = [x / 1e6 for x in self.medians("A")]
        d["medians_b_ms"] = [x / 1e6 for x in self.medians("B")]
        return d


def decide(a: list[float], b: list[float], s: ConfirmSettings) -> Verdict:
    """The three-way test on block medians (see the module doc); `unknown` means: collect more."""
    p = mann_whitney_p(a, b)
    rel = float(np.median(b) / np.median(a) - 1.0)
    if p <= s.alpha:
        if rel >= s.rel_threshold:
            return Verdict("confirmed", p, rel, f"B is {rel * 100:+.1f} % (p = {p:.2g})")
        if rel <= -s.rel_threshold:
            return Verdict("improved", p, rel, f"B is {rel * 100:+.1f} % (p = {p:.2g})")
        return Verdict(
            "noise",
            p,
            rel,
            f"a real difference of {rel * 100:+.1f} % (p = {p:.2g}), below the "
            f"{s.rel_threshold:.0%} threshold",
        )
    if p <= s.unknown_p:
        return Verdict("unknown", p, rel, f"{rel * 100:+.1f} %, p = {p:.2g}: inconclusive")
    return Verdict("noise", p, rel, f"{rel * 100:+.1f} %, p = {p:.2g}: no difference shown")


def _block(req: RunRequest, arm: str, index: int, store: ResultStore) -> Block:
    outcome = run_benchmark(req, store)
    row = store.run(outcome.record.run_id)
    if row.status != "ok" or row.median_ns is None:
        raise BenchError(
            f"confirmation block {index + 1} (arm {arm}) failed: {row.status} "
            f"{row.error_code or ''} {row.error_message or ''}".strip()
        )
    return Block(arm, index, row.run_id, row.median_ns, row.artifact_sha256)


def _session(
    a: RunRequest,
    b: RunRequest,
    pairs: int,
    start: int,
    total: int,
    store: ResultStore,
    on_block: BlockFn | None,
) -> list[Block]:
    out: list[Block] = []
    for i in range(pairs):
        order = (("A", a), ("B", b)) if (start // 2 + i) % 2 == 0 else (("B", b), ("A", a))
        for arm, req in order:
            index = start + len(out)
            if on_block is not None:
                on_block(index, total, arm)
            out.append(_block(req, arm, index, store))
    return out


def confirm(
    a: RunRequest,
    b: RunRequest,
    store: ResultStore,
    settings: ConfirmSettings | None = None,
    *,
    artifacts: tuple[str | None, str | None] = (None, None),
    on_block: BlockFn | None = None,
) -> Confirmation:
    """Run the interleaved A/B session and label it (blocks are stored in `store`).

    `artifacts`: the sha256 each arm is meant to reproduce (the stored runs'); requests from
    `request_from_run` pin them when they are still cached, and a note says when an arm ran
    another artifact."""
    s = settings or ConfirmSettings()
    s.check()
    arms = [replace(req, iterations=s.block_iterations, warmup=s.block_warmup) for req in (a, b)]
    total = 2 * s.blocks
    blocks = _session(arms[0], arms[1], s.blocks, 0, total, store, on_block)
    medians = {arm: [x.median_ns for x in blocks if x.arm == arm] for arm in "AB"}
    verdict = decide(medians["A"], medians["B"], s)
    rounds = 1
    if verdict.label == "unknown" and s.extra_blocks:
        total += 2 * s.extra_blocks
        blocks += _session(arms[0], arms[1], s.extra_blocks, len(blocks), total, store, on_block)
        medians = {arm: [x.median_ns for x in blocks if x.arm == arm] for arm in "AB"}
        verdict = decide(medians["A"], medians["B"], s)
        rounds = 2
    label = "suspicious" if verdict.label == "unknown" else verdict.label
    notes = []
    if arms[0] == arms[1]:
        notes.append("both arms are the same request: an A/A test of this session's noise")
    for arm, wanted in zip("AB", artifacts, strict=True):
        ran = {x.artifact_sha256 for x in blocks if x.arm == arm}
        if wanted is not None and ran != {wanted}:
            notes.append(
                f"arm {arm} ran artifact {', '.join(sorted(map(str, ran)))}, not the stored run's "
                f"{wanted}: this checkout builds a different artifact"
            )
    return Confirmation(
        label=label,
        reason=verdict.reason,
        p_value=verdict.p_value,
        rel_change=verdict.rel_change,
        median_a_ns=float(np.median(medians["A"])),
        median_b_ns=float(np.median(medians["B"])),
        rounds=rounds,
        blocks=blocks,
        settings=s,
        notes=notes,
    )


def request_from_run(row: Any) -> RunRequest:
    """The request that reproduces a stored run's setup (model, device, runtime, threads…)."""
    spec = row.spec or {}
    return RunRequest(
        model=row.model_name,
        device=row.device_name,
        runtime=row.runtime,
        threads=row.threads,
        batch=int(row.input_shape[0]) if row.input_shape else 1,
        seed=int(((spec.get("inputs") or {}).get("seed")) or 0),
        allow_fallback=bool((spec.get("backend") or {}).get("allow_fallback", False)),
        artifact_sha256=_cached(row.artifact_sha256),
    )


def _cached(sha256: str | None) -> str | None:
    """Pin the stored run's artifact when this project still has it; else today's build runs
    (and `confirm` notes that the arm ran another artifact)."""
    from benchctl import config
    from benchctl.harness.convert.cache import ArtifactCache

    if sha256 is None or ArtifactCache(config.artifacts_dir()).find(sha256) is None:
        return None
    return sha256
