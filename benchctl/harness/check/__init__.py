"""`benchctl devices check NAME`: the first-contact walk, stage by stage, with a bug-report bundle.

`devices doctor` says what is missing; `devices check` goes further and *exercises* the path a
run takes (connect, facts, a 1 MiB round trip checked by sha256, the runner or the app, a no-op
spec, a few iterations of a tiny model per runtime, placement), so that a user who attaches a new
phone, board or GPU learns in one command where the path breaks, and can attach the bundle
(`--bundle FILE`: every stage, the facts, logs and the documents exchanged) to a bug report.

The walk is generic; what is specific to a transport kind lives in one module per kind
(`check/<transport>.py`), whose stages the kind's `check_stages` (transports/base.py:
TransportKind) returns to follow the common ones (`check/common.py`). A stage is a function of
a `CheckContext`; it records its outcome with `ctx.ok/warn/fail/skip` (or raises a
`BenchError`, recorded as a failure with the fix given by the stage's `fix`). A failed
*required* stage ends the walk: nothing after it can mean anything (no connection → no round
trip).
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

from benchctl import __version__
from benchctl.errors import BenchError
from benchctl.harness.devices import Device

Status = Literal["ok", "warn", "fail", "skip"]
STEP_TIMEOUT_S = 60.0


@dataclass
class StageResult:
    """What one stage found: its status, one line of detail, and what to do when it failed."""

    name: str
    status: Status
    detail: str
    fix: str | None = None
    seconds: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)


class _Recorded(Exception):
    """Raised by `ctx.fail(...)` inside a stage to stop that stage once its result is recorded."""


@dataclass(frozen=True)
class Stage:
    """One step of the walk. `required`: a failure ends the walk (later stages need it)."""

    name: str
    fn: Callable[[CheckContext], None]
    required: bool = False
    fix: str | None = None  # the fix shown when the stage raises an unexpected BenchError


@dataclass
class CheckContext:
    """Shared state of one walk: the device, its transport once connected, what stages learnt
    (`facts`, `state`), the results so far and the files that go into the bundle."""

    device: Device
    transport: Any = None
    facts: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)  # stage → later stage hand-offs
    results: list[StageResult] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    tiny_iterations: int = 20
    _current: str = ""
    _recorded: bool = False

    def _record(self, status: Status, detail: str, fix: str | None, data: dict[str, Any]) -> None:
        self.results.append(StageResult(self._current, status, detail, fix, 0.0, data))
        self._recorded = True

    def ok(self, detail: str, **data: Any) -> None:
        self._record("ok", detail, None, data)

    def warn(self, detail: str, fix: str | None = None, **data: Any) -> None:
        self._record("warn", detail, fix, data)

    def skip(self, detail: str, **data: Any) -> None:
        self._record("skip", detail, None, data)

    def fail(self, detail: str, fix: str | None = None, **data: Any) -> NoReturn:
        """Record a failure and end this stage (raises; the walk catches it)."""
        self._record("fail", detail, fix, data)
        raise _Recorded

    def attach(self, name: str, content: bytes | str | dict | list) -> None:
        """Add a file to the bug-report bundle (documents exchanged, logs, listings)."""
        if isinstance(content, (dict, list)):
            content = json.dumps(content, indent=2, default=str)
        if isinstance(content, str):
            content = content.encode()
        self.files[name] = content


@dataclass
class CheckReport:
    device: str
    transport: str
    results: list[StageResult]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(r.status == "fail" for r in self.results)

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "transport": self.transport,
            "benchctl": __version__,
            "ok": self.ok,
            "stages": [asdict(r) for r in self.results],
        }

    def write_bundle(self, path: Path) -> Path:
        """A zip of `check.json` and every attached file, for a bug report."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("check.json", json.dumps(self.to_json(), indent=2, default=str))
            for name, content in sorted(self.files.items()):
                zf.writestr(name, content)
        return path


def stages_for(device: Device) -> list[Stage]:
    """The common stages, then those of the device's transport kind (its `check_stages`)."""
    from benchctl.harness.check import common
    from benchctl.harness.devices import kind

    own = kind(device.transport).check_stages
    return [*common.stages(device), *(own(device) if own is not None else [])]


def run_check(
    device: Device,
    *,
    stages: list[Stage] | None = None,
    on_stage: Callable[[StageResult], None] | None = None,
    tiny_iterations: int = 20,
) -> CheckReport:
    """Walk every stage in order; a failed required stage skips the rest (said per stage)."""
    ctx = CheckContext(device, tiny_iterations=tiny_iterations)
    stopped_by: str | None = None
    try:
        for stage in stages if stages is not None else stages_for(device):
            ctx._current, ctx._recorded = stage.name, False
            t0 = time.monotonic()
            if stopped_by is not None:
                ctx.skip(f"not tried: {stopped_by} failed")
            else:
                try:
                    stage.fn(ctx)
                except _Recorded:
                    pass  # the stage recorded its own failure
                except BenchError as exc:
                    ctx._record("fail", str(exc), stage.fix, {})
                if not ctx._recorded:
                    ctx.ok("done")
                if stage.required and ctx.results[-1].status == "fail":
                    stopped_by = stage.name
            ctx.results[-1].seconds = round(time.monotonic() - t0, 3)
            if on_stage is not None:
                on_stage(ctx.results[-1])
    finally:
        if ctx.transport is not None:
            try:
                ctx.transport.close()
            except BenchError as exc:  # closing a broken link must not hide the report
                ctx.attach("close_error.txt", str(exc))
    return CheckReport(device.name, device.transport, ctx.results, ctx.files)
