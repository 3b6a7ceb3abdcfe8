"""`benchctl plot …`: accuracy-vs-latency Pareto plots and MACs/params-vs-latency scatter plots
(PNG or SVG by the --out suffix), from the newest valid run of each model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from benchctl.cli._options import DbOpt, JsonOpt
from benchctl.cli._output import emit_json, out
from benchctl.cli.show_report import FormatOpt
from benchctl.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="Plot stored results (PNG or SVG).", no_args_is_help=True)

DeviceOpt = Annotated[str, typer.Option("--device", "-d", help="Device whose results to plot.")]
RuntimeOpt = Annotated[
    str | None, typer.Option("--runtime", "-r", help="Only this runtime (default: all).")
]
StatOpt = Annotated[str, typer.Option("--stat", help="Latency statistic: median, min or p90.")]
ThreadsOpt = Annotated[
    str | None,
    typer.Option("--threads", help="Only runs with this thread count (a number or 'default')."),
]
AccuracyOpt = Annotated[
    Path | None,
    typer.Option("--accuracy", help="CSV with your own top-1 (columns: model, top1, …)."),
]
STATS = ("median", "min", "p90")
X_AXES = {
    "macs": ("macs_m", "published_macs_m", "MACs (M)"),
    "params": ("params_m", "published_params_m", "parameters (M)"),
}


def _frame(
    db: str | None,
    device: str,
    runtime: str | None,
    accuracy: Path | None,
    compute: bool,
    json_: bool,
    threads: str | None = None,
    include_invalid: bool = False,
) -> pd.DataFrame:
    from benchctl.cli._progress import progress_bar
    from benchctl.results.frame import models_frame
    from benchctl.results.store import ResultStore

    store = ResultStore.open(db, create=False)
    with progress_bar("collecting results", json_=json_) as bar:
        df = models_frame(
            store,
            device=device,
            runtime=runtime,
            accuracy=accuracy,
            compute_facts=compute,
            include_invalid=include_invalid,
            progress=bar.describe,
        )
    if threads is not None:
        if threads != "default" and not threads.isdigit():
            raise ConfigError(f"--threads {threads!r}: a number or 'default'")
        df = df[df["threads"].isna()] if threads == "default" else df[df["threads"] == int(threads)]
    if df.empty:
        raise ConfigError(
            f"no valid results for device {device!r}"
            + (f" and runtime {runtime!r}" if runtime else "")
            + _why_invalid(store, device, runtime)
            + "; see: benchctl results list"
        )
    return df


def _why_invalid(store: Any, device: str, runtime: str | None) -> str:
    """What made the runs there invalid (drift, noisy…), so "no valid results" says why."""
    from benchctl.results.frame import models_frame

    every = models_frame(
        store, device=device, runtime=runtime, compute_facts=False, include_invalid=True
    )
    reasons = [r for r in every.get("invalid_reasons", []) if isinstance(r, str) and r]
    if not reasons:
        return ""
    return f"; {len(reasons)} combination(s) have only invalid runs, the newest because: " + (
        " | ".join(reasons[:3])
    )


@app.command("pareto")
def pareto_cmd(
    device: DeviceOpt,
    runtime: RuntimeOpt = None,
    stat: StatOpt = "median",
    accuracy: AccuracyOpt = None,
    threads: ThreadsOpt = None,
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="PNG or SVG file (default: pareto_D.png).")
    ] = None,
    include_invalid: Annotated[
        bool,
        typer.Option(
            "--include-invalid",
            help="Also plot model × runtime pairs whose every run failed the validity gate "
            "(their newest run, labelled invalid).",
        ),
    ] = False,
    fmt: FormatOpt = "text",
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Top-1 accuracy vs latency on one device, the Pareto front marked."""
    from benchctl.cli.show_report import check_format, show
    from benchctl.results.pareto_report import pareto_report
    from benchctl.results.plot import save

    if stat not in STATS:
        raise ConfigError(f"--stat {stat!r}: choose from {', '.join(STATS)}")
    check_format(fmt)
    output = output or Path(f"pareto_{device}.png")
    everything = _frame(db, device, runtime, accuracy, False, json_, threads, include_invalid=True)
    report = pareto_report(
        everything, device=device, stat=stat, include_invalid=include_invalid, out=output
    )
    save(report.figure(), output)
    show(report, json_, fmt)


@app.command("scatter")
def scatter_cmd(
    x: Annotated[str, typer.Option("--x", help="macs or params.")] = "macs",
    y: Annotated[str, typer.Option("--y", help="latency (the --stat of each model's run).")] = (
        "latency"
    ),
    device: DeviceOpt = "host",
    runtime: RuntimeOpt = None,
    stat: StatOpt = "median",
    published: Annotated[
        bool,
        typer.Option(
            "--published", help="Use the papers' published MACs/params instead of counting them."
        ),
    ] = False,
    threads: ThreadsOpt = None,
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="PNG or SVG file (default: scatter_X_D.png).")
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """A model property vs latency on one device, with Spearman's ρ and its p-value (MobileOne
    Table 1)."""
    from benchctl.results.plot import save, scatter_figure, spearman

    if x not in X_AXES:
        raise ConfigError(f"--x {x!r}: choose from {', '.join(X_AXES)}")
    if y != "latency":
        raise ConfigError(f"--y {y!r}: only latency is plotted (choose its statistic with --stat)")
    if stat not in STATS:
        raise ConfigError(f"--stat {stat!r}: choose from {', '.join(STATS)}")
    output = output or Path(f"scatter_{x}_{device}.png")
    df = _frame(db, device, runtime, None, not published, json_, threads)
    runtimes = sorted(set(df["runtime"]))
    if len(runtimes) > 1:
        raise ConfigError(
            f"{device} has results from several runtimes ({', '.join(runtimes)}); "
            "ranks mix them: pick one with --runtime"
        )
    repeated = sorted(set(df["model"][df["model"].duplicated()]))
    if repeated:
        raise ConfigError(
            f"several results per model ({', '.join(repeated)}: other thread counts or input "
            "sizes); ranks need one each: pick with --threads"
        )
    counted, printed, label = X_AXES[x]
    x_col = printed if published else counted
    y_col = f"latency_{stat}_ms"
    corr = spearman(df, x_col, y_col)
    source = "published" if published else "counted"
    fig = scatter_figure(
        df,
        x_col,
        y_col,
        corr,
        x_label=f"{label}, {source}",
        y_label=f"{stat} latency (ms)",
        title=f"{device}" + (f" · {runtime}" if runtime else ""),
    )
    save(fig, output)
    if json_:
        emit_json({"out": str(output), "source": source, **corr.to_dict()})
        return
    out.print(
        f"Spearman ρ = {corr.rho:.3f}, p = {corr.p_value:.3g}, n = {corr.n} "
        f"({x} {source} vs {stat} latency on {device}); wrote {output}",
        highlight=False,
    )
