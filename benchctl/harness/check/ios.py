"""`devices check` for iPhones and iPads: what a run through the companion app needs, in order.

After the common stages (connect; facts, which through lockdown already prove the phone is
paired; a 1 MiB round trip by sha256, which for ios goes through the app's own container via
house_arrest, so it also proves the app is installed and development-signed):

1. developer mode (`amfi developer-mode-status`, or devicectl's device properties);
2. developer disk image mounted (`mounter list`: Developer, or Personalized on iOS 17+);
3. tunnel on iOS 17+: a `pymobiledevice3 remote tunneld` serving the phone (without it every
   developer call builds its own tunnel: slow, a warning);
4. the app and its version (`apps query`);
5. a no-op spec: a one-byte model and a spec naming the backend `noop`, launched like a run; the
   app must read the spec, check the model's sha256, and answer `unsupported_backend` /
   UNKNOWN_BACKEND in a result that validates — launch, arguments, paths and the result
   document, with no Core ML in the way;
6. 20 iterations of a tiny Core ML model (test_mobileone) per compute unit (cpu, gpu, ane, all),
   as real runs stored in a throw-away database inside the bundle's temp folder, never the
   project's; each unit's status, actual unit and planned share go into the stage's data;
7. the bundle: every document exchanged is attached (`devices check NAME --bundle FILE`).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchctl.errors import BenchError, TransportError
from benchctl.harness.check import STEP_TIMEOUT_S, CheckContext, Stage
from benchctl.harness.devices import Device

TUNNEL_MIN_IOS = 17
TINY_MODEL = "test_mobileone"
COMPUTE_UNITS = ("coreml-cpu", "coreml-gpu", "coreml-ane", "coreml")  # cpu, gpu, ane, all
LAUNCH_TIMEOUT_S = 180.0
INSTALL_FIX = (
    "build and install the companion app (ios_app/README.md: xcodegen generate, xcodebuild "
    "archive with your team, then pymobiledevice3 apps install BenchApp.ipa)"
)


def stages(device: Device) -> list[Stage]:
    return [
        Stage("developer mode", developer_mode, required=True),
        Stage("developer image", developer_image, required=True),
        Stage("tunnel", tunnel),
        Stage("app", app, required=True),
        Stage("no-op spec", noop_spec, required=True),
        Stage("tiny model per compute unit", tiny_model),
    ]


def _ios_major(ctx: CheckContext) -> int | None:
    version = str(ctx.facts.get("os_version") or "")
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def developer_mode(ctx: CheckContext) -> None:
    mode = ctx.transport.developer_mode()
    if mode is None:
        mode = ctx.facts.get("developer_mode")  # devicectl's deviceProperties
    fix = "pymobiledevice3 amfi enable-developer-mode (then confirm on the phone and reboot)"
    if mode is None:
        ctx.warn("the tool cannot tell whether Developer Mode is on", fix)
    elif not mode:
        ctx.fail("Developer Mode is off", fix)
    else:
        ctx.ok("on")


def developer_image(ctx: CheckContext) -> None:
    mounted = ctx.transport.developer_image_mounted()
    if mounted is None:
        ctx.skip(f"{ctx.transport.tool} mounts it itself (Xcode)")
    elif not mounted:
        ctx.fail("no developer disk image is mounted", "pymobiledevice3 mounter auto-mount")
    else:
        ctx.ok("mounted")


def tunnel(ctx: CheckContext) -> None:
    major = _ios_major(ctx)
    if major is not None and major < TUNNEL_MIN_IOS:
        ctx.skip(f"iOS {major} needs no tunnel")
        return
    if ctx.transport.tool != "pymobiledevice3":
        ctx.skip("devicectl uses CoreDevice's own tunnel")
        return
    if ctx.transport.tunneld_serves():
        ctx.ok("a pymobiledevice3 tunneld serves this phone (developer calls use --tunnel)")
        return
    ctx.warn(
        f"iOS {major or '17+'}: no tunneld serves this phone; every developer call (each "
        "pid poll) builds its own tunnel",
        "sudo pymobiledevice3 remote tunneld (leave it running)",
    )


def app(ctx: CheckContext) -> None:
    installed, version = ctx.facts.get("app_installed"), ctx.facts.get("app_version")
    if installed is False:
        ctx.fail(f"{ctx.transport.app} is not installed", INSTALL_FIX)
    if installed is None:
        ctx.warn(f"{ctx.transport.tool} cannot list apps; the round trip reached its container")
        return
    ctx.ok(f"{ctx.transport.app} {version or '(version unknown)'}", version=version)


def _noop_spec(run_id: str, model_sha: str) -> dict[str, Any]:
    from benchctl.runner import contract

    example = Path(contract.__file__).with_name("examples") / "spec.json"
    spec = json.loads(example.read_text())
    spec.update(run_id=run_id, created_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"))
    spec["model"] = {"path": "model.bin", "format": "mlpackage", "sha256": model_sha}
    spec["backend"] = {"name": "noop", "accelerator": "cpu"}
    spec["timing"] = {"warmup_iters": 0, "iters": 1}
    spec["output"] = {"result_path": "result.json"}
    contract.validate("spec", spec)
    return spec


def noop_spec(ctx: CheckContext) -> None:
    """Launch the app on a spec it must refuse without running anything, and read its answer."""
    from benchctl.harness.lifecycle import app_target
    from benchctl.runner import contract

    t = ctx.transport
    run_id = uuid.uuid4().hex
    remote = t.workdir(run_id)
    payload = b"benchctl devices check"
    spec = _noop_spec(run_id, "sha256:" + hashlib.sha256(payload).hexdigest())
    ctx.attach("noop/spec.json", spec)
    with tempfile.TemporaryDirectory(prefix="benchctl-check-") as tmp:
        model, spec_path, result = (Path(tmp) / n for n in ("model.bin", "spec.json", "r.json"))
        model.write_bytes(payload)
        spec_path.write_text(json.dumps(spec))
        try:
            t.push(model, posixpath.join(remote, "model.bin"), timeout=STEP_TIMEOUT_S)
            t.push(spec_path, posixpath.join(remote, "spec.json"), timeout=STEP_TIMEOUT_S)
            done = t.launch_app(
                app_target(ctx.device),
                posixpath.join(remote, "spec.json"),
                timeout=LAUNCH_TIMEOUT_S,
            )
            ctx.attach(
                "noop/launch.txt", f"{done.returncode}\n{done.stdout_tail}{done.stderr_tail}"
            )
            if done.timed_out:
                ctx.fail(f"the app did not exit within {LAUNCH_TIMEOUT_S:.0f} s", INSTALL_FIX)
            if not t.exists(posixpath.join(remote, "result.json")):
                ctx.fail(
                    f"the app exited ({done.returncode}) without writing result.json",
                    "open the app by hand once (it shows what it read), then check again",
                )
            t.pull(posixpath.join(remote, "result.json"), result, timeout=STEP_TIMEOUT_S)
            doc = json.loads(result.read_text())
        except (TransportError, ValueError) as exc:
            ctx.fail(f"no-op spec: {exc}", "see the message; then check again")
        finally:
            try:
                t.cleanup(remote)
            except TransportError as exc:
                ctx.attach("noop/cleanup.txt", str(exc))
    ctx.attach("noop/result.json", doc)
    try:
        contract.validate("result", doc)
    except Exception as exc:  # the contract's own ValidationError, whatever its class
        ctx.fail(f"the app's result is not a valid benchctl.result: {exc}", "report this bundle")
    code = (doc.get("error") or {}).get("code")
    if doc.get("run_id") != run_id:
        ctx.fail(f"the result names run {doc.get('run_id')}, not {run_id}", "report this bundle")
    if (doc["status"], code) != ("unsupported_backend", "UNKNOWN_BACKEND"):
        ctx.fail(
            f"expected unsupported_backend/UNKNOWN_BACKEND, got {doc['status']}/{code}: "
            f"{(doc.get('error') or {}).get('message', '')}",
            "report this bundle",
        )
    runner = doc.get("runner") or {}
    ctx.ok(
        f"{runner.get('name')} {runner.get('version')} read the spec, checked the model and "
        "refused the noop backend",
        runner=runner,
    )


def tiny_model(ctx: CheckContext) -> None:
    """`tiny_iterations` timed iterations of test_mobileone per compute unit, as real runs into a
    throw-away database (the project's results are never touched)."""
    from benchctl.harness.run import RunRequest, run_benchmark
    from benchctl.results.store import ResultStore

    outcomes: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="benchctl-check-db-") as tmp:
        store = ResultStore.open(f"sqlite:///{Path(tmp) / 'check.sqlite'}")
        for runtime in COMPUTE_UNITS:
            if runtime not in ctx.device.runtimes:
                outcomes[runtime] = {
                    "status": "not tried",
                    "error": f"{runtime} is not in {ctx.device.name}'s runtimes "
                    f"({', '.join(ctx.device.runtimes)})",
                }
                continue
            req = RunRequest(
                model=TINY_MODEL,
                device=ctx.device.name,
                runtime=runtime,
                iterations=ctx.tiny_iterations,
                warmup=2,
                max_total_s=120.0,
            )
            try:
                rec = run_benchmark(req, store).record
            except BenchError as exc:
                outcomes[runtime] = {"status": "error", "error": str(exc)}
                continue
            plan = ((rec.result or {}).get("runtime") or {}).get("plan_summary") or {}
            outcomes[runtime] = {
                "status": rec.status,
                "error": f"{rec.error_code}: {rec.error_message}" if rec.error_code else None,
                "accelerator_actual": rec.accelerator_actual,
                "iterations": len(rec.samples or []),
                "median_ms": (sorted(rec.samples)[len(rec.samples) // 2] / 1e6)
                if rec.samples
                else None,
                "requested_share": plan.get("requested_share"),
                "below_floor": plan.get("below_floor"),
            }
    ctx.attach("tiny_model.json", outcomes)
    ok = [r for r, o in outcomes.items() if o["status"] == "ok"]
    summary = ", ".join(f"{r}: {o['status']}" for r, o in outcomes.items())
    if len(ok) == len(outcomes):
        low = [r for r in ok if outcomes[r].get("below_floor")]
        if low:
            ctx.warn(summary, f"few operations planned on the unit for {', '.join(low)}")
        else:
            ctx.ok(summary, units=outcomes)
    elif ok:
        ctx.warn(summary, "see tiny_model.json in the bundle for each unit's error", units=outcomes)
    else:
        first = next(iter(outcomes.values()))
        ctx.fail(f"{summary} ({first.get('error')})", "report this bundle", units=outcomes)
