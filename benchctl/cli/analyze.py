"""`benchctl analyze roofline`: MobileNetV4's roofline model (Eq. 1) over the exported ONNX graph,
swept over the ridge point, against latencies measured on a device. The reports themselves (what
is computed, the JSON, the tables) are `benchctl.analysis.roofline_report`'s."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from benchctl.cli._options import DbOpt, JsonOpt
from benchctl.cli.show_report import FormatOpt, check_format, show
from benchctl.errors import ConfigError

app = typer.Typer(help="Analyses from the seed papers.", no_args_is_help=True)


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
    fmt: FormatOpt = "text",
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Per-layer MACs and bytes, Eq. 1 from 0 to 500 MACs/byte, predicted vs measured ranks."""
    check_format(fmt)
    if measured_runs:
        _measured_layers(
            measured_runs, bytes_per_element, step, layers or 5, output, db, json_, fmt
        )
        return
    from benchctl import config
    from benchctl.analysis.roofline import ridge_points
    from benchctl.analysis.roofline_report import RooflineReport, measured_latencies, onnx_graphs
    from benchctl.cli._progress import progress_bar
    from benchctl.harness.convert.cache import ArtifactCache
    from benchctl.results.store import ResultStore

    if bytes_per_element is not None and bytes_per_element < 1:
        raise ConfigError(f"--bytes-per-element must be ≥ 1, got {bytes_per_element}")
    if layers < 0:
        raise ConfigError(f"--layers must be ≥ 0, got {layers}")
    points = ridge_points(step)
    measured = measured_latencies(ResultStore.open(db, create=False), device, runtime, threads)
    names = list(dict.fromkeys(model or sorted(measured)))
    if not names:
        raise ConfigError(f"no valid results on {device!r}; name models with --model")
    cache = ArtifactCache(config.artifacts_dir())
    with progress_bar("profiling ONNX graphs", len(names), json_=json_) as bar:
        graphs = onnx_graphs(
            names, cache, bytes_per_element=bytes_per_element, describe=bar.describe, step=bar.step
        )
    report = RooflineReport.of(
        graphs,
        measured,
        points,
        device=device,
        bytes_per_element=bytes_per_element,
        layers=layers,
        out=output,
    )
    if output is not None:
        from benchctl.results.plot import save

        save(report.figure(), output)
    show(report, json_, fmt)


def _measured_layers(
    run_ids: list[str],
    bytes_per_element: int | None,
    step: float,
    worst: int,
    output: Path | None,
    db: str | None,
    json_: bool,
    fmt: str,
) -> None:
    """`--measured RUN`: each profiled run's operators against Eq. 1 on its model's ONNX graph."""
    from benchctl import config
    from benchctl.analysis.roofline import ridge_points
    from benchctl.analysis.roofline_report import MeasuredRooflineReport, measured_runs
    from benchctl.cli._progress import progress_bar
    from benchctl.harness.convert.cache import ArtifactCache
    from benchctl.results.store import ResultStore, check_run_id_prefix

    for run_id in run_ids:
        check_run_id_prefix(run_id)
    if bytes_per_element is not None and bytes_per_element < 1:
        raise ConfigError(f"--bytes-per-element must be ≥ 1, got {bytes_per_element}")
    ridge_points(step)  # a bad --step fails before any work
    store = ResultStore.open(db, create=False)
    cache = ArtifactCache(config.artifacts_dir())
    with progress_bar("comparing layers", len(run_ids), json_=json_) as bar:
        results = measured_runs(
            store,
            run_ids,
            cache,
            bytes_per_element=bytes_per_element,
            step=step,
            describe=bar.describe,
            done=bar.step,
        )
    report = MeasuredRooflineReport(results, bytes_per_element, worst=worst, out=output)
    if output is not None:
        from benchctl.results.plot import save

        save(report.figure(), output)
    show(report, json_, fmt)
