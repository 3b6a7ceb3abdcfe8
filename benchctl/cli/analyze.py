"""`benchctl analyze roofline`: MobileNetV4's roofline model (Eq. 1) over the exported ONNX graph,
swept over the ridge point, against latencies measured on a device."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from benchctl.cli._options import DbOpt, JsonOpt
from benchctl.cli._output import Table, emit_json, out, styled
from benchctl.errors import ConfigError

app = typer.Typer(help="Analyses from the seed papers.", no_args_is_help=True)


def _measured(
    db: str | None, device: str, runtime: str | None, threads: str | None
) -> dict[str, float]:
    """Median ms of the newest valid run of each model on the device (one runtime)."""
    from benchctl.results.frame import model_dicts
    from benchctl.results.store import ResultStore

    rows = model_dicts(
        ResultStore.open(db, create=False), device=device, runtime=runtime, compute_facts=False
    )
    if threads is not None:
        if threads != "default" and not threads.isdigit():
            raise ConfigError(f"--threads {threads!r}: a number or 'default'")
        wanted = None if threads == "default" else int(threads)
        rows = [r for r in rows if r["threads"] == wanted]
    runtimes = sorted({r["runtime"] for r in rows})
    if len(runtimes) > 1:
        raise ConfigError(
            f"{device} has results from several runtimes ({', '.join(runtimes)}); "
            "pick one with --runtime"
        )
    out: dict[str, float] = {}
    for r in rows:
        if r["model"] in out:
            raise ConfigError(
                f"several results for {r['model']} on {device} (other thread counts or input "
                "sizes); pick with --threads"
            )
        out[r["model"]] = r["latency_median_ms"]
    return out


@app.command("roofline")
def roofline_cmd(
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Model(s); default: every model measured on --device."),
    ] = None,
    device: Annotated[
        str, typer.Option("--device", "-d", help="Device whose measured latencies to rank.")
    ] = "host",
    runtime: Annotated[
        str | None, typer.Option("--runtime", "-r", help="Runtime of the measured latencies.")
    ] = None,
    threads: Annotated[
        str | None,
        typer.Option("--threads", help="Measured runs with this thread count (or 'default')."),
    ] = None,
    bytes_per_element: Annotated[
        int | None,
        typer.Option(
            "--bytes-per-element",
            help="Model a deployed precision (1 int8, 2 fp16); default: the graph's dtypes.",
        ),
    ] = None,
    step: Annotated[float, typer.Option("--step", help="Ridge-point step (MACs/byte).")] = 10.0,
    layers: Annotated[
        int, typer.Option("--layers", help="Print this many layers (most MACs first) per model.")
    ] = 0,
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also plot the sweep (PNG or SVG).")
    ] = None,
    measured_runs: Annotated[
        list[str] | None,
        typer.Option(
            "--measured",
            help="A profiled run (run --profile): Eq. 1 per layer beside its measured per-layer "
            "times, rank correlation and the worst layers. Repeatable.",
        ),
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Per-layer MACs and bytes, Eq. 1 from 0 to 500 MACs/byte, predicted vs measured ranks."""
    if measured_runs:
        _measured_layers(measured_runs, bytes_per_element, step, layers or 5, output, db, json_)
        return
    from benchctl import config
    from benchctl.analysis.roofline import PAPER, graph_layers, ridge_points, summary, sweep
    from benchctl.cli._progress import progress_bar
    from benchctl.harness.convert import get_artifact
    from benchctl.harness.convert.cache import ArtifactCache

    if bytes_per_element is not None and bytes_per_element < 1:
        raise ConfigError(f"--bytes-per-element must be ≥ 1, got {bytes_per_element}")
    if layers < 0:
        raise ConfigError(f"--layers must be ≥ 0, got {layers}")
    points = ridge_points(step)
    measured = _measured(db, device, runtime, threads)
    names = list(dict.fromkeys(model or sorted(measured)))
    if not names:
        raise ConfigError(f"no valid results on {device!r}; name models with --model")
    per_model = {}
    cache = ArtifactCache(config.artifacts_dir())
    with progress_bar("profiling ONNX graphs", len(names), json_=json_) as bar:
        for name in names:
            bar.describe(f"artifact for {name}")
            artifact = get_artifact(name, "onnx", cache, on_stage=bar.describe)
            bar.step(f"profiling {name}")
            per_model[name] = graph_layers(artifact.path, bytes_per_element=bytes_per_element)
    rows = sweep(per_model, measured, points)
    scored = [r for r in rows if r.rho is not None]
    best = max(scored, key=lambda r: r.rho) if scored else None
    if output is not None:
        from benchctl.results.plot import roofline_figure, save

        save(roofline_figure(rows, title=f"Eq. 1 vs measured latency on {device}"), output)
    if json_:
        emit_json(
            {
                "method": PAPER,
                "device": device,
                "bytes_per_element": bytes_per_element,
                "models": {
                    m: {
                        **summary(ls),
                        "measured_median_ms": measured.get(m),
                        "layers": [
                            {
                                "name": x.name,
                                "op": x.op_type,
                                "macs": x.macs,
                                "weight_bytes": x.weight_bytes,
                                "activation_bytes": x.activation_bytes,
                                "intensity": x.intensity,
                            }
                            for x in ls
                        ],
                    }
                    for m, ls in per_model.items()
                },
                "sweep": [
                    {
                        "ridge_point": r.ridge_point,
                        "predicted": r.predicted,
                        "memory_bound_fraction": r.memory_bound,
                        "rank": r.ranks(),
                        "rho": r.rho,
                        "p_value": r.p_value,
                    }
                    for r in rows
                ],
                "best_ridge_point": None if best is None else best.ridge_point,
                "out": None if output is None else str(output),
            }
        )
        return
    table = Table(
        "model",
        "layers",
        "MACs (M)",
        "weights (MB)",
        "activations (MB)",
        "MACs/byte",
        f"measured ms ({device})",
    )
    for m, ls in per_model.items():
        s = summary(ls)
        ms = measured.get(m)
        table.add_row(
            m,
            str(s["layers"]),
            f"{s['macs_m']:.2f}",
            f"{s['weight_mb']:.3f}",
            f"{s['activation_mb']:.3f}",
            f"{s['intensity']:.1f}",
            "—" if ms is None else f"{ms:.3f}",
        )
    out.print(table)
    shown = [r for r in rows if r.ridge_point % 50 == 0 or r is best]
    sweep_table = Table("ridge point", "predicted order (fastest first)", "ρ vs measured", "p")
    for r in shown:
        sweep_table.add_row(
            f"{r.ridge_point:g}" + (" ★" if r is best else ""),
            " < ".join(r.ranks()),
            "—" if r.rho is None else f"{r.rho:+.2f}",
            "—" if r.p_value is None else f"{r.p_value:.2g}",
        )
    out.print(sweep_table)
    if best is None:
        out.print("[dim]ranks need measured latencies for ≥ 3 of these models on this device[/]")
    else:
        out.print(f"best agreement at RP = {best.ridge_point:g} MACs/byte (ρ = {best.rho:+.2f})")
    for m, ls in per_model.items():
        if not layers:
            break
        lt = Table(
            "layer",
            "op",
            "MACs",
            "weights (B)",
            "activations (B)",
            "memory-bound above RP",
            title=f"{m}: {layers} layers with most MACs",
        )
        for x in sorted(ls, key=lambda x: -x.macs)[:layers]:
            lt.add_row(
                x.name,
                x.op_type,
                f"{x.macs:,.0f}",
                f"{x.weight_bytes:,.0f}",
                f"{x.activation_bytes:,.0f}",
                f"{x.intensity:.1f}",
            )
        out.print(lt)
    if output is not None:
        out.print(f"wrote {output}")


def _measured_layers(
    run_ids: list[str],
    bytes_per_element: int | None,
    step: float,
    worst: int,
    output: Path | None,
    db: str | None,
    json_: bool,
) -> None:
    """`--measured RUN`: each profiled run's operators against Eq. 1 on its model's ONNX graph."""
    from benchctl import config
    from benchctl.analysis.measured import measured_roofline
    from benchctl.analysis.roofline import PAPER, graph_layers, ridge_points
    from benchctl.cli._progress import progress_bar
    from benchctl.harness.convert import get_artifact
    from benchctl.harness.convert.cache import ArtifactCache
    from benchctl.results import profiles
    from benchctl.results.store import ResultStore, check_run_id_prefix

    for run_id in run_ids:
        check_run_id_prefix(run_id)
    if bytes_per_element is not None and bytes_per_element < 1:
        raise ConfigError(f"--bytes-per-element must be ≥ 1, got {bytes_per_element}")
    ridge_points(step)  # a bad --step fails before any work
    store = ResultStore.open(db, create=False)
    cache = ArtifactCache(config.artifacts_dir())
    results = []
    with progress_bar("comparing layers", len(run_ids), json_=json_) as bar:
        for run_id in run_ids:
            row = store.run(run_id)
            prof = profiles.load(store, row.run_id)
            if not prof.timed:
                raise ConfigError(
                    f"run {row.run_id[:12]}'s profile ({prof.profiler}) has placement only; "
                    "profile it on onnxruntime or torch to compare per layer"
                )
            bar.describe(f"ONNX graph of {row.model_name}")
            art = cache.find(row.artifact_sha256) if row.artifact_format == "onnx" else None
            if art is None:
                art = get_artifact(row.model_name, "onnx", cache, on_stage=bar.describe)
            graph = graph_layers(art.path, bytes_per_element=bytes_per_element)
            results.append(
                measured_roofline(row.run_id, row.model_name, graph, art.path, prof.operators, step)
            )
            bar.step(f"compared {row.model_name}")
    if output is not None:
        from benchctl.results.plot import measured_roofline_figure, save

        save(measured_roofline_figure(results), output)
    if json_:
        emit_json(
            {
                "method": PAPER,
                "bytes_per_element": bytes_per_element,
                "runs": [
                    {
                        "run_id": r.run_id,
                        "model": r.model,
                        "operators_matched": sum(1 for g in r.groups if g.layers),
                        "unmatched_operators": r.unmatched_ops,
                        "unmatched_layers": r.unmatched_layers,
                        "best_ridge_point": r.best.ridge_point if r.best else None,
                        "best_rho": r.best.rho if r.best else None,
                        "rho_macs_only": r.sweep[0].rho,
                        "sweep": [
                            {"ridge_point": a.ridge_point, "rho": a.rho, "p_value": a.p_value}
                            for a in r.sweep
                        ],
                        "worst_layers": r.worst(worst),
                    }
                    for r in results
                ],
                "out": None if output is None else str(output),
            }
        )
        return
    summary = Table(
        "run",
        "model",
        "operators matched",
        "ρ (MACs only)",
        "best RP",
        "ρ at best RP",
        "p",
        title="Eq. 1 per layer vs measured per-operator time (Spearman ρ over layers)",
    )
    for r in results:
        best = r.best
        summary.add_row(
            r.run_id[:12],
            r.model,
            f"{sum(1 for g in r.groups if g.layers)} (+{len(r.unmatched_ops)} not in the graph)",
            "—" if r.sweep[0].rho is None else f"{r.sweep[0].rho:+.2f}",
            "—" if best is None else f"{best.ridge_point:g}",
            "—" if best is None else f"{best.rho:+.2f}",
            "—" if best is None or best.p_value is None else f"{best.p_value:.2g}",
        )
    out.print(summary)
    for r in results:
        table = Table(
            "operator",
            "op type",
            "layers",
            "measured ms",
            "measured %",
            "predicted %",
            "measured / predicted",
            title=f"{r.model} {r.run_id[:12]}: where the roofline is most wrong "
            f"(RP {r.best.ridge_point if r.best else 0:g})",
        )
        for w in r.worst(worst):
            table.add_row(
                w["operator"],
                w["op_type"],
                ", ".join(w["layers"]),
                f"{w['measured_ms']:.3f}",
                f"{w['measured_share'] * 100:.2f}",
                f"{w['predicted_share'] * 100:.2f}",
                f"{w['ratio']:.2f}×",
            )
        out.print(table)
        if r.unmatched_ops:
            out.print(styled(f"not in the ONNX graph: {', '.join(r.unmatched_ops)}", "dim"))
    if output is not None:
        out.print(f"wrote {output}")
