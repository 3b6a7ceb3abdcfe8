"""`benchctl eval`: measured top-1/top-5 of a model's artifacts on a labelled dataset, stored
beside their latency (see harness/evaluate)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from benchctl.cli._options import BatchOpt, DbOpt, JsonOpt, SeedOpt
from benchctl.cli._output import Table, emit_json, out, styled

if TYPE_CHECKING:
    from benchctl.harness.evaluate import EvalOutcome


def eval_command(
    model: Annotated[
        str,
        typer.Option(
            "--model", "-m", help="A zoo name (benchctl models list) or package.module:factory."
        ),
    ],
    dataset: Annotated[
        Path,
        typer.Option(
            "--dataset",
            help="An ImageFolder tree (DIR/<class>/<image>, classes in sorted order) or a CSV "
            "of path,label.",
        ),
    ],
    to: Annotated[
        str,
        typer.Option(
            "--to", help="Comma-separated targets to evaluate (see: benchctl runtimes targets)."
        ),
    ] = "onnx",
    weights: Annotated[
        Path | None,
        typer.Option(
            "--weights",
            help="Trained weights for a zoo model: a state dict, a safetensors file or a timm "
            "checkpoint.",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Evaluate N samples (a seeded choice).")
    ] = None,
    batch: BatchOpt = 1,
    loader_batch: Annotated[
        int, typer.Option("--loader-batch", help="Images preprocessed per step.")
    ] = 32,
    workers: Annotated[
        int, typer.Option("--workers", help="Data-loading worker processes (0: in this one).")
    ] = 0,
    seed: SeedOpt = 0,
    calibration_images: Annotated[
        Path | None,
        typer.Option(
            "--calibration-images",
            help="Folder of images for full-integer quantization (it may be the dataset).",
        ),
    ] = None,
    input_shape: Annotated[
        str | None,
        typer.Option("--input-shape", help="For a package.module:factory model: C,H,W."),
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Top-1/top-5 of each artifact and of the PyTorch reference, stored beside latency."""
    from benchctl.cli._progress import make_progress
    from benchctl.cli.run import _shape
    from benchctl.harness.evaluate import EvalRequest, check_request, evaluate
    from benchctl.results.store import ResultStore

    req = EvalRequest(
        model=model,
        dataset=dataset,
        targets=tuple(t.strip() for t in to.split(",") if t.strip()),
        weights=weights,
        limit=limit,
        batch=batch,
        loader_batch=loader_batch,
        workers=workers,
        seed=seed,
        calibration_dir=calibration_images,
        input_shape=_shape(input_shape),
    )
    check_request(req)  # bad names and numbers fail before the database is touched
    store = ResultStore.open(db)
    with make_progress(json_=json_) as progress:
        stage = progress.add_task("starting", total=None)
        images = None

        def on_progress(done: int, total: int) -> None:
            nonlocal images
            if images is None:
                images = progress.add_task("images", total=total)
            progress.update(images, completed=done)

        outcome = evaluate(
            req,
            store,
            on_stage=lambda text: progress.update(stage, description=text),
            on_progress=on_progress,
        )
    doc = outcome_to_dict(outcome)
    doc["database"] = store.location
    if json_:
        emit_json(doc)
    else:
        out.print(eval_table(doc))
    if any(r["status"] != "ok" for r in doc["results"]):
        raise typer.Exit(1)


def outcome_to_dict(outcome: EvalOutcome) -> dict[str, Any]:
    """The --json document: the dataset, the preprocessing, one entry per target."""
    ds = outcome.dataset
    results = []
    ref = outcome.results[0].record if outcome.results else None
    for r in outcome.results:
        rec = r.record
        entry: dict[str, Any] = {"target": r.target, "status": r.status, "error": r.error}
        if rec is not None:
            entry.update(
                runtime=rec.runtime,
                runtime_version=rec.runtime_version,
                format=rec.artifact_format,
                precision=rec.precision,
                top1=rec.top1,
                top5=rec.top5,
                correct1=rec.correct1,
                correct5=rec.correct5,
                top1_delta=None if ref is None or rec is ref else rec.top1 - ref.top1,
                artifact_sha256=rec.artifact_sha256,
                module_sha256=rec.module_sha256,
                key=rec.key(),
                seconds=rec.seconds,
                stored=r.stored,
                source=rec.source(),
            )
        elif r.artifact is not None:
            entry["artifact_sha256"] = r.artifact.sha256
        results.append(entry)
    return {
        "model": outcome.model,
        "dataset": {
            "name": ds.name,
            "path": str(ds.root),
            "layout": ds.layout,
            "sha256": ref.dataset_sha256 if ref else None,
            "size": outcome.dataset_size,
            "evaluated": len(ds.samples),
        },
        "preprocessing": outcome.preprocessing,
        "results": results,
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def eval_table(doc: dict[str, Any]) -> Table:
    from benchctl.harness.evaluate.preprocess import describe

    ds = doc["dataset"]
    table = Table(
        "target",
        "runtime",
        "status",
        "top-1 %",
        "top-5 %",
        "Δ top-1 vs PyTorch",
        "artifact sha256 / error",
        title=f"{doc['model']} on {ds['name']}: {ds['evaluated']} of {ds['size']} images; "
        f"{describe(doc['preprocessing'])}",
    )
    for r in doc["results"]:
        if r["status"] != "ok":
            table.add_row(
                r["target"], "—", styled(r["status"], "red"), "—", "—", "—", r["error"] or ""
            )
            continue
        delta = r["top1_delta"]
        table.add_row(
            r["target"],
            f"{r['runtime']} {r['runtime_version'] or ''}",
            styled("ok" + ("" if r["stored"] else " (already stored)"), "green"),
            _pct(r["top1"]),
            _pct(r["top5"]),
            "reference" if delta is None else f"{delta + 0.0:+.2f} points",
            r["artifact_sha256"] or f"module {r['module_sha256']}",
        )
    return table
