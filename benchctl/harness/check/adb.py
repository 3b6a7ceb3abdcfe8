"""`devices check` stages for Android phones (adb), after connect, facts and the 1 MiB round trip.

They walk what a first real run needs, one thing at a time, so a failure names its cause: the
companion app installed as a release build; its external folder made by the app itself and owned
by it (finding A6); the screen awake and unlocked (A13); one launch of the app on a no-op spec
(its model does not exist, so the app must answer MODEL_NOT_FOUND in a valid result document:
instrumentation, spec reading and result writing, without inference); the runtimes the app says
this phone offers (`-e capabilities`); a tiny model for a few iterations on each of them; and
where each one really ran (placement: "could not tell" is a warning, a fallback a failure).
"""

from __future__ import annotations

import json
import posixpath
import tempfile
import uuid
from pathlib import Path
from typing import Any

from benchctl.errors import BenchError, TransportError
from benchctl.harness.check import STEP_TIMEOUT_S, CheckContext, Stage
from benchctl.harness.devices import Device

TINY_MODEL = "test_mobileone"
LAUNCH_TIMEOUT_S = 180.0  # a cold app start, a first LiteRT load
# The app's accelerators → the runtime that requests each (npu/hexagon are the qnn unit again).
RUNTIME_FOR = {"cpu": "litert", "gpu": "litert-gpu", "nnapi": "litert-nnapi", "qnn": "litert-qnn"}


def stages(device: Device) -> list[Stage]:
    return [
        Stage("app", app_installed, required=True),
        Stage("app folder", app_folder, required=True),
        Stage("screen", screen, required=True),
        Stage("launch", launch_noop_spec, required=True),
        Stage("runtimes", runtimes, required=True),
        Stage("tiny model", tiny_model),
        Stage("placement", placement),
    ]


def _component(ctx: CheckContext) -> str:
    from benchctl.harness.lifecycle import app_target

    app = app_target(ctx.device)
    if app.launch == "instrument" and app.component:
        return app.component
    return f"{app.app_id}/.BenchInstrumentation"


def app_installed(ctx: CheckContext) -> None:
    from benchctl.harness.transports.adb import BUILD_RELEASE, RELEASE_APK

    install = f"{BUILD_RELEASE}; adb install -r -g {RELEASE_APK}"
    app = ctx.transport.app
    if not ctx.facts.get("app_installed"):
        ctx.fail(f"{app} is not installed", install)
    if ctx.facts.get("app_debuggable"):
        ctx.fail(f"{app} is a debuggable build (runs much slower; runs are refused)", install)
    version = ctx.facts.get("app_version") or "(version unknown)"
    ctx.ok(f"{app} {version}, release build", uid=ctx.facts.get("app_uid"))


def app_folder(ctx: CheckContext) -> None:
    try:
        found = ctx.transport.ensure_app_folder(timeout=LAUNCH_TIMEOUT_S)
    except TransportError as exc:
        ctx.fail(str(exc), "see the message; then run `benchctl devices check` again")
    if not found.get("checked"):
        ctx.warn(found.get("reason", "not checked"), "keep the default files root on a phone")
        return
    how = "made by the app just now" if found["prepared_by_app"] else "made earlier by the app"
    ctx.ok(f"{ctx.transport.app_folder} owned by the app (uid {found['owner_uid']}), {how}",
           **found)  # fmt: skip


def screen(ctx: CheckContext) -> None:
    from benchctl.harness.gating import GateRefused

    try:
        state = ctx.transport.wake_screen()
    except GateRefused as exc:
        ctx.fail(str(exc), "unlock the phone, or set its screen lock to None on a lab phone")
    ctx.transport.restore_screen(state)
    before = state.get("wakefulness_before") or "unknown"
    ctx.ok(f"awake (was {before}), keyguard {'up' if state['keyguard'].get('showing') else 'down'}",
           **state)  # fmt: skip


def launch_noop_spec(ctx: CheckContext) -> None:
    """The app on a spec whose model is missing: it must start, read the spec and write a
    valid result saying MODEL_NOT_FOUND, where the host can pull it."""
    from benchctl.harness.lifecycle import app_target
    from benchctl.runner import contract

    t = ctx.transport
    spec = contract.read(contract.EXAMPLES / "spec.json")
    spec["run_id"] = uuid.uuid4().hex
    spec["model"].update(path="no-such-model.tflite", format="tflite", name="devices-check")
    spec["backend"].update(name="litert", accelerator="cpu")
    spec["timing"].update(warmup_iters=0, iters=1)
    contract.validate("spec", spec)
    ctx.attach("launch/spec.json", spec)
    remote = t.workdir(f"devices-check-{spec['run_id'][:8]}")
    try:
        with tempfile.TemporaryDirectory(prefix="benchctl-check-") as tmp:
            local = Path(tmp) / "spec.json"
            local.write_text(json.dumps(spec))
            t.push(local, posixpath.join(remote, "spec.json"), timeout=STEP_TIMEOUT_S)
            done = t.launch_app(app_target(ctx.device), posixpath.join(remote, "spec.json"),
                                timeout=LAUNCH_TIMEOUT_S)  # fmt: skip
            ctx.attach("launch/instrumentation.txt", done.stdout_tail + done.stderr_tail)
            result_remote = posixpath.join(remote, "result.json")
            if not t.exists(result_remote):
                ctx.fail(
                    f"the app wrote no result (exit {done.returncode}): "
                    f"{(done.stdout_tail + done.stderr_tail).strip()[-300:]}",
                    "attach this bundle (--bundle) to a bug report; the app's log is in it",
                )
            t.pull(result_remote, Path(tmp) / "result.json", timeout=STEP_TIMEOUT_S)
            text = (Path(tmp) / "result.json").read_text(errors="replace")
    finally:
        ctx.attach("launch/logcat.txt", _logs(t))
        try:
            t.cleanup(remote)
        except TransportError as exc:
            ctx.attach("launch/cleanup.txt", str(exc))
    ctx.attach("launch/result.json", text)
    try:
        result = json.loads(text)
        contract.validate("result", result)
    except (ValueError, contract.ContractViolation) as exc:
        ctx.fail(f"the app's result is not a valid document: {exc}", "attach this bundle")
    code = (result.get("error") or {}).get("code")
    if result.get("run_id") != spec["run_id"] or code != "MODEL_NOT_FOUND":
        got = code or result.get("status")
        ctx.fail(
            f"expected MODEL_NOT_FOUND for run {spec['run_id']}, got {got}", "attach this bundle"
        )
    runner = result.get("runner", {})
    ctx.ok(f"{runner.get('name')} {runner.get('version')} answered a no-op spec (MODEL_NOT_FOUND)")


def _logs(t: Any) -> str:
    try:
        return t.logs(timeout=STEP_TIMEOUT_S)
    except TransportError as exc:
        return f"(could not read the device log: {exc})"


def runtimes(ctx: CheckContext) -> None:
    """What the app says this phone offers (`am instrument -e capabilities <path>`)."""
    from benchctl.harness.transports.adb import instrumentation_ok
    from benchctl.runner import contract

    t = ctx.transport
    remote = posixpath.join(t.capabilities.files_root, "capabilities.json")
    t.run(["mkdir", "-p", t.capabilities.files_root], timeout=STEP_TIMEOUT_S)
    done = t.run(["am", "instrument", "-w", "-r", "-e", "capabilities", remote, _component(ctx)],
                 timeout=LAUNCH_TIMEOUT_S)  # fmt: skip
    ctx.attach("capabilities/instrumentation.txt", done.stdout_tail)
    if done.timed_out or not instrumentation_ok(done.stdout_tail):
        ctx.fail(f"the app did not report its capabilities: {done.stdout_tail.strip()[-300:]}",
                 "update the app to this benchctl's android_app build")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="benchctl-check-") as tmp:
        t.pull(remote, Path(tmp) / "capabilities.json", timeout=STEP_TIMEOUT_S)
        text = (Path(tmp) / "capabilities.json").read_text(errors="replace")
    ctx.attach("capabilities/capabilities.json", text)
    try:
        doc = json.loads(text)
        contract.validate("capabilities", doc)
    except (ValueError, contract.ContractViolation) as exc:
        ctx.fail(f"the app's capabilities are not a valid document: {exc}", "attach this bundle")
    litert = next((r for r in doc["runtimes"] if r["backend"] == "litert"), None)
    if litert is None or not litert["available"]:
        reason = (litert or {}).get("reason_if_unavailable") or "no litert backend"
        ctx.fail(f"LiteRT is unavailable in the app: {reason}", "reinstall the release APK")
    offered = [RUNTIME_FOR[a] for a in litert["accelerators"] if a in RUNTIME_FOR]
    ctx.state["runtimes"] = offered
    ctx.ok(f"LiteRT {litert['version']}: {', '.join(offered)}", accelerators=litert["accelerators"])


class _NotStored:
    """A results store that keeps nothing: a check's tiny runs are not measurements."""

    location = "not stored (devices check)"

    def ingest(self, record: Any) -> bool:
        return False


def tiny_model(ctx: CheckContext) -> None:
    from benchctl.harness.run import RunRequest, run_benchmark

    offered = ctx.state.get("runtimes") or []
    # A phone's app runs only the runtimes its inventory entry names (run.resolve); the others
    # it offers are reported with the way to add them, not run.
    unlisted = [r for r in offered if r not in ctx.device.runtimes]
    offered = [r for r in offered if r in ctx.device.runtimes]
    if ctx.transport is not None:  # a run opens its own link; a USB phone allows one claim
        ctx.transport.close()
        ctx.transport = None
    rows: dict[str, dict[str, Any]] = {}
    for runtime in offered:
        req = RunRequest(model=TINY_MODEL, device=ctx.device.name, runtime=runtime,
                         iterations=ctx.tiny_iterations, warmup=2, max_total_s=120.0)  # fmt: skip
        try:
            rec = run_benchmark(req, _NotStored()).record  # type: ignore[arg-type]
        except BenchError as exc:
            rows[runtime] = {"status": "error", "error_code": "HARNESS_FAILED", "message": str(exc)}
            continue
        rows[runtime] = {
            "status": rec.status,
            "error_code": rec.error_code,
            "message": rec.error_message,
            "iterations": len(rec.samples),
            "accelerator_requested": rec.accelerator_requested,
            "accelerator_actual": rec.accelerator_actual,
            "median_ms": (sorted(rec.samples)[len(rec.samples) // 2] / 1e6)
            if rec.samples
            else None,
        }
    ctx.state["tiny"] = rows
    ctx.attach("tiny_model.json", rows)
    ok = [r for r, row in rows.items() if row["status"] == "ok"]
    bad = {r: row for r, row in rows.items() if row["status"] != "ok"}
    summary = ", ".join(
        f"{r} {row['median_ms']:.2f} ms" if row["status"] == "ok" else f"{r} {row['error_code']}"
        for r, row in rows.items()
    )
    add = (
        f"to try them too: benchctl devices remove {ctx.device.name}, then add it again with "
        + " ".join(f"--runtime {r}" for r in [*ctx.device.runtimes, *unlisted])
    )
    if unlisted:
        summary += f"; offered but not in {ctx.device.name}'s runtimes: {', '.join(unlisted)}"
    if not rows:
        ctx.fail(f"no runtime of {ctx.device.name}'s is offered by the app ({summary})", add)
    if not ok:
        ctx.fail(f"{TINY_MODEL} ran on no runtime: {summary}", "attach this bundle")
    if bad or unlisted:
        fix = "see tiny_model.json in the bundle for each failure" if bad else add
        ctx.warn(f"{TINY_MODEL} × {ctx.tiny_iterations}: {summary}", fix)
        return
    ctx.ok(f"{TINY_MODEL} × {ctx.tiny_iterations}: {summary}")


def placement(ctx: CheckContext) -> None:
    rows = {r: row for r, row in (ctx.state.get("tiny") or {}).items() if row["status"] == "ok"}
    if not rows:
        ctx.skip("no tiny run succeeded")
        return
    unknown = [r for r, row in rows.items() if row["accelerator_actual"] is None]
    moved = {
        r: row["accelerator_actual"]
        for r, row in rows.items()
        if row["accelerator_actual"] not in (None, row["accelerator_requested"])
    }
    said = ", ".join(f"{r} on {row['accelerator_actual'] or 'unknown'}" for r, row in rows.items())
    if moved:
        ctx.fail(f"ran elsewhere than asked: {said}", "attach this bundle")
    if unknown:
        ctx.warn(f"could not tell where {', '.join(unknown)} ran: {said}",
                 "attach this bundle; placement reads LiteRT's execution plan")  # fmt: skip
        return
    ctx.ok(said)
