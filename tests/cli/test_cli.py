"""The CLI end to end on the tiny model: run twice, list, show, export, and bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from benchctl.cli.app import app

runner = CliRunner()


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def benchctl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchctl", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_run_twice_then_list_show_and_export(isolated_project):
    first = json.loads(
        cli("run", "--model", "test_mobileone", "-n", "200", "--warmup", "5", "--json")
    )
    assert first["status"] == "ok" and first["iterations"] == 200
    assert first["artifact_reused"] is False and first["parity_passed"] is True
    assert first["database"] == str(isolated_project / ".benchctl" / "results.sqlite")
    second = json.loads(cli("run", "--model", "test_mobileone", "-n", "200", "--json"))
    assert second["artifact_reused"] is True
    assert second["artifact_sha256"] == first["artifact_sha256"]
    assert second["series_key"] == first["series_key"]

    listed = json.loads(cli("results", "list", "--json"))
    assert [r["run_id"] for r in listed] == [second["run_id"], first["run_id"]]

    shown = json.loads(cli("results", "show", first["run_id"][:8], "--json", "--samples"))
    assert len(shown["samples_ns"]) == 200
    assert shown["median_ms"] == first["median_ms"]

    rows = list(csv.DictReader(io.StringIO(cli("export", "csv"))))
    assert [r["run_id"] for r in rows] == [first["run_id"], second["run_id"]]
    for row, doc in zip(rows, (first, second), strict=True):
        for col in ("min_ms", "median_ms", "mean_ms", "p90_ms", "p99_ms", "std_ms", "cv"):
            assert float(row[col]) == doc[col], col
        assert row["iterations"] == "200" and row["artifact_sha256"] == doc["artifact_sha256"]

    table = cli("results", "show", first["run_id"])
    # the table rounds for people: 3 decimals from 1 ms up, 3 significant digits below
    median = first["median_ms"]
    shown_median = f"{median:.3f}" if median >= 1 else f"{median:#.3g}"
    assert shown_median in table and first["artifact_sha256"] in table


def test_run_prints_the_table_people_read(isolated_project):
    text = cli("run", "--model", "test_mobileone", "-n", "50", "--warmup", "2")
    for label in (
        "latency (ms)",
        "min",
        "median",
        "p99",
        "CV",
        "load / first inference",
        "artifact",
        "database",
        ".benchctl/results.sqlite",
    ):
        assert label in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "--model", "mobileone_sO"], "did you mean: mobileone_s"),
        (["run", "--model", "test_mobileone", "--device", "iphone13"], "unknown device 'iphone13'"),
        (
            ["run", "--model", "test_mobileone", "--runtime", "onnxruntim"],
            "did you mean: onnxruntime",
        ),
        (["run", "--model", "test_mobileone", "--iterations", "0"], "--iterations must be ≥ 1"),
        (["results", "show", "zz"], "not a run id"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args, expected):
    proc = benchctl(*args)
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # one message (rich may wrap it once)
    assert not os.path.exists(".benchctl/results.sqlite") or args[0] == "results"


def test_help_is_instant_because_nothing_heavy_is_imported():
    code = (
        "import sys\nfrom benchctl.cli.app import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'timm', 'onnxruntime', 'onnx', 'sqlalchemy', 'numpy', "
        "'pandas', 'matplotlib', 'scipy', 'celery', 'coremltools', 'ai_edge_litert', "
        "'litert_torch', 'asyncssh', 'psycopg', 'redis', 'jsonschema') "
        "if m in sys.modules]\nprint('HEAVY', heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_a_command_imports_its_own_module_only():
    """Sub-commands are built on first use (cli/app.COMMANDS): `results --help` imports none of
    the other command modules, and `--help` still lists every command."""
    from benchctl.cli.app import COMMANDS

    code = (
        "import sys\nfrom benchctl.cli.app import app\n"
        "try:\n    app(['results', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('benchctl.cli.')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    loaded = set(proc.stdout.split("LOADED", 1)[1].strip(" []\n").replace("'", "").split(", "))
    others = {m for m, _ in COMMANDS.values()} - {"benchctl.cli.results", "benchctl.cli.app"}
    assert "benchctl.cli.results" in loaded and not loaded & others, proc.stdout + proc.stderr
    listed = benchctl("--help").stdout
    assert all(f" {name} " in listed for name in COMMANDS), listed


def test_the_store_imports_numpy_only_to_compute():
    """The tables and the store (`db current`, `db push`) import no numpy or scipy: numpy comes
    with the first samples decoded or statistic computed. Nor do the migrations when Alembic
    loads them (it loads every revision to run any one: a push into a new database)."""
    code = (
        "import sys\nimport benchctl.results.schema, benchctl.results.store, "
        "benchctl.results.sync, benchctl.results.migrate as m\nm.known_revisions()\n"
        "from benchctl.results.store import decode_array, encode_samples\n"
        "print('BEFORE', [m for m in ('numpy', 'scipy') if m in sys.modules])\n"
        "print('AFTER', decode_array(encode_samples([3, 1])).tolist(), 'numpy' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    shown = proc.stdout + proc.stderr
    assert "BEFORE []" in proc.stdout and "AFTER [3, 1] True" in proc.stdout, shown


def test_module_entry_point_and_version():
    proc = benchctl("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("benchctl ")


def test_db_current_and_upgrade(isolated_project):
    doc = json.loads(cli("db", "upgrade", "--json"))
    from benchctl.results import migrate

    assert doc["from"] is None and doc["to"] == migrate.head()
    cur = json.loads(cli("db", "current", "--json"))
    assert cur["up_to_date"] is True and cur["current"] == doc["to"]


def test_devices_list_has_the_host():
    docs = json.loads(cli("devices", "list", "--json"))
    assert [d["name"] for d in docs] == ["host"]
    assert docs[0]["transport"] == "local" and docs[0]["hardware_class"]["cpu_count"] >= 1


def test_env_var_moves_the_database(isolated_project, monkeypatch):
    target = isolated_project / "elsewhere.sqlite"
    monkeypatch.setenv("BENCHCTL_DB", str(target))
    cli("db", "upgrade")
    assert target.is_file()


def test_validity_is_shown_beside_the_median_and_fail_invalid_exits_6(isolated_project):
    """Oversubscribed on purpose (2 threads pinned to one CPU): stored, ok, and invalid —
    said in the run table, the JSON, results list/show and the CSV; --fail-invalid exits 6."""
    args = ["run", "--model", "test_mobileone", "-n", "50", "--warmup", "2", "--cpus", "0"]
    from benchctl.errors import ConfigError

    refused = runner.invoke(app, [*args, "--threads", "2"])  # exit 2 through main()
    assert isinstance(refused.exception, ConfigError)
    assert "--allow-oversubscribe" in str(refused.exception)
    over = [*args, "--threads", "2", "--allow-oversubscribe"]
    table = runner.invoke(app, [*over, "--fail-invalid"])
    assert table.exit_code == 6, table.output
    assert "invalid" in table.stdout and "threads beyond cores" in table.stdout
    assert "CPUs 0" in table.stdout
    doc = json.loads(cli(*over, "--json"))
    assert doc["status"] == "ok" and doc["valid"] is False and doc["cpus"] == "0"
    assert "threads beyond cores: 2 threads on 1 CPUs" in doc["invalid_reasons"]
    assert isinstance(doc["noisy"], bool) and doc["others_cpu_share"] is not None
    listed = json.loads(cli("results", "list", "--json"))
    assert [r["valid"] for r in listed] == [False, False]
    assert "invalid" in cli("results", "list")
    shown = json.loads(cli("results", "show", doc["run_id"], "--json"))
    assert shown["invalid_reasons"] == doc["invalid_reasons"]
    assert shown["environment"]["host"]["drift"]["device_threshold"] is False  # host: default
    plot = runner.invoke(app, ["plot", "pareto", "--device", "host", "--out", "p.png"])
    assert isinstance(plot.exception, ConfigError)  # no valid results, and it says why
    assert "every run failed the validity gate" in str(plot.exception)
    assert "threads beyond cores" in str(plot.exception)
    rows = list(csv.DictReader(io.StringIO(cli("export", "csv"))))
    assert rows[-1]["valid"] == "False" and rows[-1]["cpus"] == "0"
    assert "threads beyond cores" in rows[-1]["invalid_reasons"]
    # pinning is part of the series key; the unpinned series keeps its own
    free = json.loads(cli("run", "--model", "test_mobileone", "-n", "50", "--json"))
    assert free["series_key"] != doc["series_key"] and free["cpus"] is None
