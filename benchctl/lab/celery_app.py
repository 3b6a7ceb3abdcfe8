"""The Celery app: configured from a broker URL, one queue per device, one job at a time."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from benchctl.errors import BenchError
from benchctl.lab import health

if TYPE_CHECKING:
    from celery import Celery, Task

TASK_NAME = "benchctl.lab.run"
PROGRESS_EVERY_S = 0.1  # at most ten progress writes a second into the result backend


def make_app(broker: str, *, worker: dict[str, Any] | None = None) -> Celery:
    """A Celery app on `broker`. A worker's app (`worker`: device, db_url, offline_after, read by
    the task in the pool process) stores task states in the broker's Redis; a client's app only
    sends, and reads states with `state_reader` (no result subscriptions left to clean up)."""
    from benchctl.errors import DependencyMissingError

    health.check_broker_url(broker)
    try:
        from celery import Celery
    except ModuleNotFoundError:
        raise DependencyMissingError("the lab needs celery: pip install 'benchctl[lab]'") from None
    backend = broker if worker is not None else None
    app = Celery("benchctl", broker=broker, backend=backend, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        worker_concurrency=1,  # one job at a time per device …
        worker_prefetch_multiplier=1,  # … and no second job reserved behind it
        task_acks_late=True,
        task_track_started=True,
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        benchctl_worker=worker or {},
    )
    app.task(name=TASK_NAME, bind=True)(run_job)
    return app


def state_reader(app: Celery, broker: str) -> Any:
    """Reads task states (`get_task_meta(id)`) with plain GETs from the broker's Redis."""
    from celery.backends.redis import RedisBackend

    return RedisBackend(app=app, url=broker)


class _TaskHooks:
    """RunHooks that publish the stage and the iteration count as Celery task state."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self._stage = "starting"
        self._last = 0.0

    def stage(self, text: str) -> None:
        self._stage = text
        self.task.update_state(state="PROGRESS", meta={"stage": text})

    def progress(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        meta = {"stage": self._stage, "phase": phase, "done": done, "total": total}
        self.task.update_state(state="PROGRESS", meta=meta)


def run_job(task: Task, request: dict[str, Any]) -> dict[str, Any]:
    """The task: run one benchmark on this worker's device and store it in the worker's --db.

    Returns {"run_id", "status", "database", "row"}; a job the worker will not run returns
    {"refused": reason} (device offline, a name this lab host does not know, a bad job).
    """
    from benchctl.harness.run import run_benchmark
    from benchctl.lab.jobs import request_from_dict
    from benchctl.results.export import run_to_dict
    from benchctl.results.sync import open_store

    settings = task.app.conf.benchctl_worker
    device = settings["device"]
    r = health.connect(task.app.conf.broker_url)
    offline = r.get(health.key(device, "offline"))
    if offline:
        last = json.loads(offline).get("last_error")
        return {"refused": f"device {device!r} is offline (last: {last}); fix it and restart "
                f"its worker (benchctl lab worker --device {device} …)"}  # fmt: skip
    try:
        req = request_from_dict(request)
        if req.device != device:
            return {"refused": f"job for device {req.device!r} reached the worker of {device!r}"}
        store = open_store(settings["db_url"], create=True, role="--db")
    except BenchError as exc:
        return {"refused": str(exc)}
    job = {"task_id": task.request.id, "model": req.model, "since": time.time()}
    r.set(health.key(device, "job"), json.dumps(job), ex=int(req.max_total_s) + 900)
    try:
        outcome = run_benchmark(req, store, _TaskHooks(task))
    except BenchError as exc:  # names this lab host does not know: the request's fault
        return {"refused": str(exc)}
    except Exception as exc:
        health.record_outcome(
            r,
            device,
            fault="WORKER_EXCEPTION",
            message=repr(exc),
            offline_after=settings["offline_after"],
        )
        raise
    finally:
        r.delete(health.key(device, "job"))
    rec = outcome.record
    fault = (
        rec.error_code if rec.status != "ok" and rec.error_code in health.DEVICE_FAULTS else None
    )
    failures = health.record_outcome(
        r,
        device,
        fault=fault,
        message=rec.error_message or "",
        offline_after=settings["offline_after"],
    )
    row = store.run(rec.run_id)
    parity = outcome.artifact.parity if outcome.artifact else None
    return {
        "run_id": rec.run_id,
        "status": rec.status,
        "database": outcome.db_location,
        "consecutive_failures": failures,
        "row": json.loads(json.dumps(run_to_dict(row, parity), default=str)),
    }
