"""Replay the robustness probe (../shared/research/robustness_probe.md) on this machine and print,
per item, what happened now. Every item runs the real command line (`python -m benchctl …`) in a
fresh project folder under a temporary directory; nothing outside it is touched.

    .venv/bin/python scripts/robustness_report.py            # all replayable items
    .venv/bin/python scripts/robustness_report.py 3 4 16     # some

Items that need a device, a second concurrent run or minutes of runs (9, 10, 13-15, 19-21, 26, 30)
are covered by the test suite or other scripts; they are listed as such.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(tempfile.mkdtemp(prefix="benchctl-probe-"))
ENV = {k: v for k, v in os.environ.items() if not k.startswith("BENCHCTL_")}
ENV["BENCHCTL_CONFIG_DIR"] = str(ROOT / "config")
ENV["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])


def cli(*argv: str, cwd: Path = ROOT, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "benchctl", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**ENV, **(env or {})},
        timeout=600,
    )


def one_line(done, code: int = 2) -> tuple[bool, str]:
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    ok = done.returncode == code and len(lines) == 1 and "Traceback" not in done.stderr
    return ok, f"exit {done.returncode}: {lines[-1][:300] if lines else '(nothing)'}"


def item1() -> tuple[bool, str]:
    """The database deleted during a run: not reported as stored; the kept run imports."""
    code = (
        "import os,sys\n"
        "from benchctl.harness.run import RunRequest, run_benchmark\n"
        "from benchctl.results.store import ResultStore\n"
        "from benchctl.errors import NotStoredError\n"
        "db='gone.sqlite'; s=ResultStore.open(db)\n"
        "class H:\n"
        "  def stage(self,t):\n"
        "    if t.startswith('running on') and os.path.exists(db): os.unlink(db)\n"
        "  def progress(self,*a): pass\n"
        "try:\n  run_benchmark(RunRequest(model='test_mobileone',iterations=20,warmup=1),s,H())\n"
        "except NotStoredError as e: print(e.kept); print(e, e.hint, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=ENV
    )
    kept = done.stdout.strip()
    if not kept:
        return False, done.stderr[-300:]
    imported = cli("results", "import", kept, "--db", "again.sqlite", "--json")
    doc = json.loads(imported.stdout)[0] if imported.returncode == 0 else {}
    return bool(doc.get("stored")), f"{done.stderr.strip()[:160]} … import: {doc}"


def item2() -> tuple[bool, str]:
    """SQLite full: the run is kept and `results import` stores it."""
    code = (
        "import sqlite3,sys\n"
        "from sqlalchemy import event\n"
        "from benchctl.harness.run import RunRequest, run_benchmark\n"
        "from benchctl.results.store import ResultStore\n"
        "from benchctl.errors import NotStoredError\n"
        "s=ResultStore.open('full.sqlite')\n"
        "n=sqlite3.connect('full.sqlite').execute('pragma page_count').fetchone()[0]\n"
        "event.listen(s.engine,'connect',lambda c,r: c.execute(f'PRAGMA max_page_count={n}'))\n"
        "s.engine.dispose()\n"
        "try:\n  run_benchmark(RunRequest(model='test_mobileone',iterations=3000,warmup=1),s)\n"
        "except NotStoredError as e: print(e.kept); print(e, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=ENV
    )
    kept = done.stdout.strip()
    if not kept:
        return False, done.stderr[-300:]
    imported = cli("results", "import", kept, "--db", "roomy.sqlite")
    return imported.returncode == 0 and "stored" in imported.stdout, done.stderr.strip()[:200]


def _hostile_db() -> str:
    sys.path.insert(0, ENV["PYTHONPATH"])
    from benchctl.results.store import ResultStore
    from benchctl.results.testing import make_record

    db = str(ROOT / "hostile.sqlite")
    store = ResultStore.open(db)
    for i, name in enumerate(
        ["./[bold red]EVIL.onnx", "esc\x1b[2Jx", "=cmd|calc!A0", "<img src=x onerror=alert(1)>"]
    ):
        store.ingest(make_record(run_id=f"{i + 1:032x}", model_name=name))
    return db


def item3() -> tuple[bool, str]:
    db = _hostile_db()
    shown = cli("results", "list", "--db", db).stdout
    ok = "[bold red]EVIL" in shown.replace("\n", "") and "\x1b" not in shown
    return ok, "markup shown as text, ESC shown as \\x1b" if ok else shown[-300:]


def item4() -> tuple[bool, str]:
    db = _hostile_db()
    rows = list(csv.DictReader(io.StringIO(cli("export", "csv", "--db", db).stdout)))
    cells = [r["model"] for r in rows]
    ok = "'=cmd|calc!A0" in cells and not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    return ok, f"model cells: {cells}"


def item5() -> tuple[bool, str]:
    db = _hostile_db()
    md = cli("report", "nightly", "--db", db, "--format", "md").stdout
    ok = "<img" not in md and "&lt;img" in md
    return ok, "the Markdown report writes &lt;img …&gt;" if ok else md[-300:]


def item16() -> tuple[bool, str]:
    cases = [
        ("run", "--model", "test_mobileone", "--iterations", "99999999999999999999"),
        ("run", "--model", "test_mobileone", "--threads", "9" * 30),
        ("run", "--model", "test_mobileone", "--seed", "9" * 30),
        ("results", "list", "--db", "garbage://x/y"),
        ("results", "list", "--db", "mysql://u@h/db"),
    ]
    outcomes = [one_line(cli(*c)) for c in cases]
    home_file = ROOT / "a-file"
    home_file.write_text("")
    outcomes.append(
        one_line(cli("run", "--model", "test_mobileone", env={"BENCHCTL_HOME": str(home_file)}))
    )
    return all(o for o, _ in outcomes), " | ".join(t for _, t in outcomes)


def item17() -> tuple[bool, str]:
    cases = [
        ("--iterations", "1000000000"),
        ("--max-seconds", "nan"),
        ("--max-seconds", "inf"),
        ("--seed", "-1"),
    ]
    outcomes = [one_line(cli("run", "--model", "test_mobileone", *c)) for c in cases]
    return all(o for o, _ in outcomes), " | ".join(t for _, t in outcomes)


def item18() -> tuple[bool, str]:
    done = cli("run", "--model", "nope", "--json")
    doc = json.loads(done.stdout or "{}")
    ok = done.returncode == 2 and set(doc.get("error", {})) == {"code", "message", "hint"}
    return ok, f"exit {done.returncode}, stdout {json.dumps(doc)[:150]}"


def item22() -> tuple[bool, str]:
    (ROOT / "empty.onnx").write_bytes(b"")
    (ROOT / "dir.onnx").mkdir(exist_ok=True)
    a = one_line(cli("run", "--model", "empty.onnx"))
    b = one_line(cli("run", "--model", "dir.onnx"))
    return a[0] and b[0] and "empty" in a[1] and "folder" in b[1], f"{a[1]} | {b[1]}"


def item23() -> tuple[bool, str]:
    a = one_line(cli("db", "upgrade", "--db", "sqlite:////nonexistent/dir/x.sqlite"))
    b = one_line(cli("db", "upgrade", "--db", ":memory:"))
    ok = a[0] and b[0] and not Path("/nonexistent").exists() and not (ROOT / ":memory:").exists()
    return ok, f"{a[1]} | {b[1]}"


def item24() -> tuple[bool, str]:
    ok, text = one_line(cli("run", "--device", "iphone12", "--model", "mobileone_s0"))
    return ok and "devices add iphone12 --ios UDID" in text and "docs/devices.md" in text, text


def item25() -> tuple[bool, str]:
    """Progress in a CI log: a few plain lines with the phase and count."""
    done = cli("run", "--model", "test_mobileone", "-n", "400", "--warmup", "3")
    lines = done.stderr.splitlines()
    timed = [x for x in lines if "timed " in x]
    ok = done.returncode == 0 and 1 <= len(timed) <= 6 and "\r" not in done.stderr
    return ok, f"{len(lines)} lines, e.g. {timed[-1] if timed else '(none)'!r}"


def item27() -> tuple[bool, str]:
    """SIGINT says what was stopped and kept; the next run removes a dead run's leftovers."""
    import signal
    import time

    home = ROOT / ".benchctl"
    leftover = home / "runs" / "deadbeef"
    leftover.mkdir(parents=True, exist_ok=True)
    (leftover / "spec.json").write_text("{}")
    old = time.time() - 7200
    os.utime(leftover, (old, old))
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchctl", "run", "--model", "test_mobileone", "-n", "10000000",
         "--max-seconds", "120"],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if "running on" in line:
            break
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    last = rest.strip().splitlines()[-1] if rest.strip() else ""
    ok = proc.returncode == 130 and "stopped and not stored" in last and not leftover.exists()
    return ok, f"exit {proc.returncode}: {last[:200]}; leftover removed: {not leftover.exists()}"


def _tamper(corrupt_only: bool) -> tuple[bool, str]:
    first = json.loads(cli("run", "--model", "test_mobileone", "-n", "20", "--json").stdout)
    entry = next((ROOT / ".benchctl" / "artifacts").glob("*/artifact.json"))
    model = entry.parent / json.loads(entry.read_text())["path"]
    model.write_bytes(model.read_bytes() + b"\0tampered")
    if not corrupt_only:  # item 11: the recorded sha256 changed to match
        import hashlib

        meta = json.loads(entry.read_text())
        meta["sha256"] = hashlib.sha256(model.read_bytes()).hexdigest()
        entry.write_text(json.dumps(meta))
    done = cli("run", "--model", "test_mobileone", "-n", "20", "--json")
    second = json.loads(done.stdout)
    said = [second["artifact_rebuilt_because"]] if second.get("artifact_rebuilt_because") else []
    ok = (
        not second["artifact_reused"]
        and second["artifact_sha256"] == first["artifact_sha256"]
        and bool(said)
    )
    return ok, f"reused={second['artifact_reused']}; said: {said[0] if said else '(nothing)'}"


def item11() -> tuple[bool, str]:
    """Model file and recorded sha256 both changed: rebuilt, not reused with the old parity."""
    return _tamper(corrupt_only=False)


def item28() -> tuple[bool, str]:
    """A corrupted cache entry is rebuilt, and the run says so."""
    return _tamper(corrupt_only=True)


def item29() -> tuple[bool, str]:
    """Numbers for people in tables, exact in JSON; a runner's traceback is one line."""
    sys.path.insert(0, ENV["PYTHONPATH"])
    from benchctl.cli._output import people_ms
    from benchctl.harness.lifecycle import no_result_message
    from benchctl.harness.transports.base import Completed
    from benchctl.results.export import ns_to_ms

    crash = subprocess.run([sys.executable, "-c", "raise ValueError('x')"], capture_output=True,
                           text=True)  # fmt: skip
    msg = no_result_message(1, Completed(1, "", crash.stderr), ROOT / "crash")
    ok = (
        people_ms(0.0201) == "0.0201"
        and ns_to_ms(24_953_718.6) == 24.9537186
        and msg.endswith(f"(its whole output: {ROOT / 'crash' / 'runner.log'})")
        and "Traceback" not in msg
    )
    return ok, f"20 µs → {people_ms(0.0201)}; 24953718.6 ns → {ns_to_ms(24_953_718.6)}; {msg[:90]}"


ITEMS: dict[str, Callable[[], tuple[bool, str]]] = {
    "1": item1, "2": item2, "3": item3, "4": item4, "5": item5, "16": item16, "17": item17,
    "18": item18, "22": item22, "23": item23, "24": item24, "25": item25, "27": item27,
    "11": item11, "28": item28, "29": item29,
}  # fmt: skip
ELSEWHERE = {
    "6": "adbkey 0600: transports/adb.py chmod; doctor reports a looser key (tests: devices)",
    "19": "doctor hints: `ssh -p PORT`, libusb1 (harness/doctor.py)",
    "20": "ssh TimeoutError before OSError: 'no SSH answer within N s' (transports/ssh.py)",
    "21": "the transport is made before building (harness/run.py: _connect)",
}


def main(argv: list[str]) -> int:
    wanted = argv or list(ITEMS)
    failed = 0
    for key in wanted:
        try:
            ok, text = ITEMS[key]()
        except Exception as exc:  # a replay that breaks is a failed item, said as such
            ok, text = False, f"replay failed: {type(exc).__name__}: {exc}"
        failed += not ok
        print(f"item {key:>2}: {'PASS' if ok else 'FAIL'}  {text}", flush=True)
    if not argv:
        for key, text in ELSEWHERE.items():
            print(f"item {key:>2}: not replayed here; {text}")
    print(f"{len(wanted) - failed}/{len(wanted)} replayed items pass (work folder {ROOT})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
