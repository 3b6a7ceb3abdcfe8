"""The device lab: Celery workers on lab hosts, one queue per device, results in a shared database.

    benchctl lab worker --device pixel8 --broker redis://lab:6379/0 --db postgresql://…/bench
    benchctl run --device pixel8 --model mobileone_s0 --lab redis://lab:6379/0

A worker consumes only its device's queue (`benchctl.device.<name>`), one job at a time
(`worker_concurrency=1`, `worker_prefetch_multiplier=1`, late acks), over outbound connections to
the broker and the database only. A job is a `RunRequest` as a dict; the worker runs
`harness.run.run_benchmark` against its own device inventory and writes into its `--db`.

Health lives in Redis keys beside the queues (docs/lab.md), not in Celery's event heartbeat, so
`benchctl lab status` reads them without a broadcast and a client waiting on a job notices a dead
worker within one TTL:

    benchctl:lab:devices                   set of device names that have had a worker
    benchctl:lab:device:<name>:heartbeat   JSON (host, pid, token, since, beat_at, db); TTL 3 × beat
    benchctl:lab:device:<name>:job         JSON of the job running now (task id, model, since)
    benchctl:lab:device:<name>:failures    consecutive device faults (reset by an ok run)
    benchctl:lab:device:<name>:offline     JSON (since, failures, last error) once failures ≥ N

Celery, kombu and redis are imported only inside functions (`pip install 'benchctl[lab]'`).
"""

from __future__ import annotations

from benchctl.errors import BenchError


class LabError(BenchError):
    """The lab cannot take or finish a job as asked (no worker, device offline, broker down)."""

    exit_code = 2
