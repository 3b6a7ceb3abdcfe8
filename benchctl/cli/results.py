"""`benchctl results …`: what the database holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from benchctl.cli._options import DbOpt, JsonOpt
from benchctl.cli._output import Table, cell, emit_json, out

app = typer.Typer(help="List and inspect stored runs.", no_args_is_help=True)


def _fmt(value: float | None) -> str:
    from benchctl.cli._output import people_ms

    return people_ms(value)


@app.command("list")
def list_cmd(
    model: Annotated[str | None, typer.Option("--model", "-m", help="Only this model.")] = None,
    device: Annotated[str | None, typer.Option("--device", "-d", help="Only this device.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only this status (ok, error…).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 50,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List stored runs, newest first."""
    from benchctl.cli.render import validity_tag
    from benchctl.harness.limits import check_count
    from benchctl.results.export import ROW_COLUMNS, SHARED, add_validity, run_to_dict
    from benchctl.results.regress.history import settings_of
    from benchctl.results.regress.settings import load_config
    from benchctl.results.regress.validity import needs_samples
    from benchctl.results.store import ResultStore

    check_count("--limit", limit, low=0)  # 0: no limit
    config = load_config()  # once, not once per run
    store = ResultStore.open(db, create=False)
    runs = list(
        store.rows(
            ROW_COLUMNS, model=model, device=device, status=status, limit=limit, shared=SHARED
        )
    )
    # One query for the samples the validity gate reads (`needs_samples`: ok runs with neither
    # the harness's drift check nor the one stored at ingest).
    wanted = [r.run_id for r in runs if needs_samples(r, settings_of(r, config))]
    samples = dict(store.samples_of(wanted))
    rows = []
    for run in runs:
        d = run_to_dict(run)
        add_validity(d, run, samples.get(run.run_id), config)
        rows.append(d)
    if json_:
        emit_json(rows)
        return
    table = Table(
        "run id",
        "created",
        "model",
        "device",
        "runtime",
        "status",
        "n",
        "min ms",
        "median ms",
        "p90 ms",
        "CV %",
        "validity",
        title=f"runs in {store.location}",
    )
    for r in rows:
        cv = "—" if r["cv"] is None else f"{r['cv'] * 100:.1f}"
        table.add_row(
            r["run_id"][:12],
            (r["created_at"] or "")[:19],
            r["model"],
            r["device"],
            r["runtime"],
            r["status"],
            str(r["iterations"] or 0),
            _fmt(r["min_ms"]),
            _fmt(r["median_ms"]),
            _fmt(r["p90_ms"]),
            cv,
            validity_tag(r),
        )
    out.print(table)


@app.command("show")
def show_cmd(
    run_id: Annotated[str, typer.Argument(help="Run id or a unique prefix of it.")],
    samples: Annotated[
        bool, typer.Option("--samples", help="Include the raw samples (ns) in --json.")
    ] = False,
    ops: Annotated[
        bool,
        typer.Option("--ops", help="Also the run's per-operator profile (run --profile)."),
    ] = False,
    top: Annotated[int, typer.Option("--top", help="With --ops: operators shown.")] = 25,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Show one run with every statistic recomputed from its raw samples."""
    from benchctl.cli.render import run_table
    from benchctl.results.export import add_validity, run_to_dict
    from benchctl.results.store import ResultStore, check_run_id_prefix

    check_run_id_prefix(run_id)
    store = ResultStore.open(db, create=False)
    row = store.run(run_id)
    art = store.artifact(row.artifact_sha256) if row.artifact_sha256 else None
    doc = run_to_dict(row, art.parity if art else None)
    from benchctl.results.measured import row_to_dict

    if row.artifact_sha256:
        doc["accuracy"] = [
            row_to_dict(a) for a in store.accuracies(artifact_sha256=row.artifact_sha256)
        ]
    profile = None
    if ops:
        from benchctl.results import profiles

        profile = profiles.load(store, row.run_id).to_dict()
        doc["profile"] = profile
    add_validity(doc, row, store.samples(row.run_id) if row.status == "ok" else None)
    if json_:
        doc["spec"] = row.spec
        doc["versions"] = row.versions
        doc["host"] = row.host
        doc["environment"] = row.environment
        if samples:
            doc["samples_ns"] = store.samples(row.run_id)
        emit_json(doc)
        return
    out.print(run_table(doc, db_location=store.location))
    if profile is not None:
        from benchctl.cli._render_profile import profile_tables

        out.print(profile_tables(profile, top=top))


@app.command("accuracy")
def accuracy_cmd(
    model: Annotated[str | None, typer.Option("--model", "-m", help="Only this model.")] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Measured accuracies (benchctl eval), newest first: artifacts and their PyTorch reference."""
    from benchctl.results.measured import row_to_dict
    from benchctl.results.store import ResultStore

    store = ResultStore.open(db, create=False)
    rows = [row_to_dict(a) for a in store.accuracies(model=model)]
    if json_:
        emit_json(rows)
        return
    table = Table(
        "created",
        "model",
        "target",
        "runtime",
        "dataset",
        "images",
        "top-1 %",
        "top-5 %",
        "Δ vs PyTorch",
        "artifact sha256",
        title=f"measured accuracy in {store.location}",
    )
    for r in rows:
        delta = r["top1_delta"]
        table.add_row(
            (r["created_at"] or "")[:19],
            r["model"],
            r["target"],
            f"{r['runtime']} {r['runtime_version'] or ''}",
            r["dataset"],
            f"{r['num_samples']}" + (f" of {r['dataset_size']}" if r["sample_limit"] else ""),
            f"{r['top1']:.2f}",
            "—" if r["top5"] is None else f"{r['top5']:.2f}",
            "reference" if delta is None else f"{delta + 0.0:+.2f}",
            (r["artifact_sha256"] or "")[:19] or "(module)",
        )
    out.print(table)


@app.command("import")
def import_cmd(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Run folders (.benchctl/runs/<id>/), record.json files, or result.json files "
            "whose run's record is beside them or in this project's runs folder.",
            show_default=False,
        ),
    ],
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Store runs kept on disk: a run whose database write failed, or one copied from elsewhere.

    Every document is validated (like a fresh result) before anything is stored; a run already
    in the database is left as it is (idempotent on run id).
    """
    from benchctl.results import keep
    from benchctl.results.store import ResultStore

    records = [(path, keep.load(path)) for path in paths]  # all valid, or nothing stored
    store = ResultStore.open(db)
    done: list[dict[str, Any]] = []
    for path, record in records:
        stored = store.ingest(record)
        done.append(
            {
                "path": str(path),
                "run_id": record.run_id,
                "status": record.status,
                "stored": stored,
                "database": store.location,
            }
        )
    if json_:
        emit_json(done)
        return
    table = Table("run id", "status", "outcome", "from", title=f"imported into {store.location}")
    for d in done:
        table.add_row(
            cell(d["run_id"][:12]),
            cell(d["status"]),
            "stored" if d["stored"] else "already stored",
            cell(d["path"]),
        )
    out.print(table)
