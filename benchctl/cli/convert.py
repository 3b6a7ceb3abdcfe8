"""`benchctl convert`: build a model and convert it to one or more targets (no device)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from benchctl.cli._options import JsonOpt, WeightsOpt
from benchctl.cli._output import Table, emit_json, err, out, styled


def convert_command(
    model: Annotated[str, typer.Option("--model", "-m", help="Registered model name.")],
    to: Annotated[
        str,
        typer.Option(
            "--to", help="Comma-separated targets (see: benchctl runtimes targets), or 'all'."
        ),
    ] = "onnx",
    batch: Annotated[int, typer.Option("--batch", help="Batch size of the input.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed for weights and inputs.")] = 0,
    calibration_images: Annotated[
        Path | None,
        typer.Option(
            "--calibration-images",
            help="Folder of images for full-integer quantization (default: seeded random data).",
        ),
    ] = None,
    weights: WeightsOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Convert a model to artifact formats; each target's result (or failure) is one row."""
    from benchctl import config
    from benchctl.errors import BenchError, ConfigError
    from benchctl.harness.convert import ArtifactCache, LazyBuild, get_artifact
    from benchctl.harness.convert.targets import TARGETS, get_target
    from benchctl.models import get_model_spec

    get_model_spec(model)
    from benchctl.harness.limits import INT32_MAX, check_count, check_integer

    check_count("--batch", batch, high=INT32_MAX)
    check_integer("--seed", seed)
    targets = TARGETS.names() if to == "all" else [t.strip() for t in to.split(",") if t.strip()]
    for name in targets:
        get_target(name)  # every name is checked before any work
    if weights is not None:
        from benchctl.models.weights import check_weights_path

        weights = check_weights_path(weights)
    cache = ArtifactCache(config.artifacts_dir())
    build = LazyBuild(model, batch, seed, weights)
    rows: list[dict[str, Any]] = []
    with err.status("converting", spinner="dots") if not json_ and err.is_terminal else _null():
        for name in targets:
            t0 = time.perf_counter()
            try:
                art = get_artifact(
                    model,
                    name,
                    cache,
                    batch=batch,
                    seed=seed,
                    build=build,
                    calibration_dir=calibration_images,
                    weights=weights,
                )
                rows.append(
                    {
                        "target": name,
                        "status": "ok",
                        "format": art.format,
                        "precision": art.options.get("precision"),
                        "size_bytes": art.size_bytes,
                        "sha256": art.sha256,
                        "parity": art.parity,
                        "reused": art.reused,
                        "path": str(art.path),
                        "seconds": time.perf_counter() - t0,
                        "notes": art.options.get("notes"),
                    }
                )
            except ConfigError:
                raise  # bad input (weights that do not fit): one line, exit 2
            except BenchError as exc:  # a failed conversion is a row, not the end of the command
                rows.append(
                    {
                        "target": name,
                        "status": "conversion_failed",
                        "error": str(exc),
                        "seconds": time.perf_counter() - t0,
                    }
                )
    if json_:
        emit_json({"model": model, "artifacts": rows})
    else:
        out.print(_table(model, rows))
    if any(r["status"] != "ok" for r in rows):
        raise typer.Exit(3)


def _parity_text(parity: dict[str, Any] | None) -> str:
    if not parity:
        return "—"
    if parity.get("passed") is None:
        return f"not checked: {parity.get('reason', '')}"
    verdict = "ok" if parity["passed"] else "FAILED"
    return f"{verdict} (max rel {parity['max_rel']:.1e}, cos {parity['cosine']:.5f})"


def _table(model: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(
        "target",
        "status",
        "size",
        "parity",
        "sha256 / error",
        "time",
        title=f"{model}: artifacts",
        show_lines=False,
    )
    for r in rows:
        if r["status"] == "ok":
            size = f"{r['size_bytes'] / 1e6:.2f} MB"
            cached = " (cached)" if r["reused"] else ""
            table.add_row(
                r["target"],
                styled("ok" + cached, "green"),
                size,
                _parity_text(r["parity"]),
                r["sha256"],
                f"{r['seconds']:.1f} s",
            )
        else:
            table.add_row(
                r["target"], styled("failed", "red"), "—", "—", r["error"], f"{r['seconds']:.1f} s"
            )
    return table


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
