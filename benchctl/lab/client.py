"""The client side: enqueue a run on a device's queue, stream its progress, wait for the row."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchctl.lab import LabError, health

ProgressFn = Callable[[dict[str, Any]], None]
QUEUE_BUDGET_S = 3600.0  # waiting behind other jobs for the device, on top of the run's own time


@dataclass
class LabOutcome:
    task_id: str
    run_id: str
    status: str
    database: str
    row: dict[str, Any]


def submit_and_wait(
    request: dict[str, Any],
    broker: str,
    db_url: str | None = None,
    on_progress: ProgressFn | None = None,
    *,
    timeout: float | None = None,
    poll_s: float = 0.2,
) -> LabOutcome:
    """Run `request` (a RunRequest as a dict) on its device's lab worker and wait for the result.

    Refuses at once (LabError, exit 2) when no worker serves the device or it is offline. While
    waiting, `on_progress` sees each new task state ({"stage"} or {"stage", "phase", "done",
    "total"}); a worker whose heartbeat stops is noticed within one TTL. With `db_url`, the
    stored row is read back from that database (the lab's shared one) before returning.
    """
    from benchctl.harness.run import LOAD_BUDGET_S
    from benchctl.lab.celery_app import TASK_NAME, make_app, state_reader
    from benchctl.lab.jobs import queue_name, request_from_dict

    request = {**request, "run_id": request.get("run_id") or uuid.uuid4().hex}
    req = request_from_dict(request)
    r = health.connect(broker)
    _check_device(r, req.device, broker)
    app = make_app(broker)
    states = state_reader(app, broker)
    task_id = app.send_task(TASK_NAME, args=[request], queue=queue_name(req.device)).id
    limit = timeout if timeout is not None else req.max_total_s + LOAD_BUDGET_S + QUEUE_BUDGET_S
    deadline = time.monotonic() + limit
    next_beat_check = time.monotonic() + 2.0
    seen: Any = None
    try:
        while True:
            meta = states.get_task_meta(task_id)
            state, info = meta["status"], meta["result"]
            if state == "SUCCESS":
                doc = info
                break
            if state == "FAILURE":
                raise LabError(f"the lab worker for {req.device!r} failed: {info!r}")
            if on_progress is not None:
                event = info if state == "PROGRESS" else {"stage": state.lower()}
                if isinstance(event, dict) and event != seen:
                    seen = event
                    on_progress(dict(event))
            now = time.monotonic()
            if now >= next_beat_check:
                next_beat_check = now + 2.0
                if not r.exists(health.key(req.device, "heartbeat")):
                    raise LabError(
                        f"the worker for {req.device!r} stopped (no heartbeat) before the job "
                        f"finished; restart it and run again (job {task_id})"
                    )
            if now > deadline:
                app.control.revoke(task_id)
                raise LabError(f"no result from the lab after {limit:.0f} s (job {task_id})")
            time.sleep(poll_s)
    except KeyboardInterrupt:
        app.control.revoke(task_id)  # a queued job is dropped; one already running is kept
        raise
    if doc.get("refused"):
        raise LabError(f"the lab refused the job: {doc['refused']}")
    outcome = LabOutcome(
        task_id=task_id,
        run_id=doc["run_id"],
        status=doc["status"],
        database=doc["database"],
        row=doc["row"],
    )
    if db_url is not None:
        from benchctl.results.sync import open_store

        stored = open_store(db_url, create=False, role="--db").run(outcome.run_id)
        if stored.status != outcome.status:
            raise LabError(f"run {outcome.run_id} in {db_url} says {stored.status!r}")
    return outcome


def _check_device(r: Any, device: str, broker: str) -> None:
    state = health.device_state(r, device)
    if state["offline"]:
        mark = state["offline"]
        raise LabError(
            f"device {device!r} is offline after {mark['failures']} consecutive failures "
            f"(last: {mark['last_error']}); fix it, then restart its worker: "
            f"benchctl lab worker --device {device} --broker {broker} --db …"
        )
    if not state["alive"]:
        raise LabError(
            f"no lab worker serves device {device!r} (no heartbeat in {broker}); on its lab host "
            f"run: benchctl lab worker --device {device} --broker {broker} --db …"
        )


def lab_status(broker: str, device: str | None = None) -> list[dict[str, Any]]:
    """Every device that has had a worker (or just `device`), with its queue length."""
    from benchctl.lab.jobs import queue_name

    r = health.connect(broker)
    names = [device] if device else health.known_devices(r)
    out = []
    for name in names:
        state = health.device_state(r, name)
        state["queued"] = int(r.llen(queue_name(name)))
        out.append(state)
    return out
