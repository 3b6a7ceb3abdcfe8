"""`benchctl compare A B` (two stored runs) and `benchctl confirm A B` (re-run both, interleaved,
on the device, and label the difference)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from benchctl.cli._options import DbOpt, JsonOpt
from benchctl.cli._output import Table, emit_json, out

RunArg = Annotated[str, typer.Argument(help="Run id (or a unique prefix): the baseline.")]
CandArg = Annotated[str, typer.Argument(help="Run id (or a unique prefix): the candidate.")]
ThresholdOpt = Annotated[
    float, typer.Option("--threshold", help="Relative change that counts (0.05 = 5 %).")
]


def _ms(ns: float) -> str:
    from benchctl.cli._output import ms

    return ms(ns)


def compare_command(
    baseline: RunArg,
    candidate: CandArg,
    threshold: ThresholdOpt = 0.05,
    blocks: Annotated[
        int, typer.Option("--blocks", help="Blocks per run for the Mann–Whitney U test.")
    ] = 10,
    ops: Annotated[
        bool,
        typer.Option("--ops", help="Also line up the two runs' profiles by op type (--profile)."),
    ] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Compare two stored runs: medians, minima, and whether the difference beats the noise."""
    from benchctl.results.compare import compare_runs
    from benchctl.results.store import ResultStore

    store = ResultStore.open(db, create=False)
    c = compare_runs(store, baseline, candidate, threshold=threshold, blocks=blocks)
    changes = None
    if ops:
        from benchctl.results import profiles

        pa, pb = profiles.load(store, c.a), profiles.load(store, c.b)
        changes = [x.to_dict() for x in profiles.compare(pa, pb)]
    if json_:
        emit_json(c.to_dict() if changes is None else {**c.to_dict(), "ops": changes})
        return
    table = Table("", "run", "series", "median ms", "min ms", box=None)
    table.add_row("A", c.a[:12], c.description_a, _ms(c.median_a_ns), _ms(c.min_a_ns))
    table.add_row(c.mark, c.b[:12], c.description_b, _ms(c.median_b_ns), _ms(c.min_b_ns))
    out.print(table)
    out.print(
        f"median {c.rel_change * 100:+.1f} %, min {c.min_rel_change * 100:+.1f} %: "
        f"{escape(c.verdict)} [dim]({c.blocks} blocks per run, Mann–Whitney U)[/]"
    )
    for title, diff in (
        ("different series", c.series_differs),
        ("versions", c.changed_versions),
        ("environment", c.changed_environment),
    ):
        if diff:
            shown = "; ".join(f"{k}: {a} → {b}" for k, (a, b) in diff.items())
            out.print(f"{title}: {escape(shown)}", highlight=False)
    if changes is not None:
        from benchctl.cli._render_profile import compare_table

        out.print(compare_table(changes))


def confirm_command(
    baseline: RunArg,
    candidate: CandArg,
    blocks: Annotated[int, typer.Option("--blocks", help="Blocks per arm.")] = 10,
    block_iterations: Annotated[
        int, typer.Option("--block-iterations", help="Timed iterations per block.")
    ] = 100,
    block_warmup: Annotated[
        int, typer.Option("--block-warmup", help="Warm-up iterations per block.")
    ] = 10,
    extra_blocks: Annotated[
        int, typer.Option("--extra-blocks", help="More blocks per arm when inconclusive (once).")
    ] = 10,
    threshold: ThresholdOpt = 0.05,
    keep_db: Annotated[
        Path | None,
        typer.Option("--keep-db", help="Keep the blocks' runs in this SQLite file."),
    ] = None,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Re-run two stored runs interleaved on their device and label the difference.

    Blocks run in ABBA order; Mann–Whitney U on the block medians labels the candidate
    confirmed, suspicious, noise or improved. Blocks go to a scratch database, never the history.
    """
    from benchctl.cli._progress import progress_bar
    from benchctl.errors import ConfigError
    from benchctl.harness.confirm import ConfirmSettings, confirm, request_from_run
    from benchctl.harness.run import resolve
    from benchctl.results.store import ResultStore

    store = ResultStore.open(db, create=False)
    rows = [store.run(baseline), store.run(candidate)]
    if rows[0].device_name != rows[1].device_name:
        raise ConfigError(
            f"confirm runs both arms on one device; the runs are on {rows[0].device_name} "
            f"and {rows[1].device_name}"
        )
    requests = [request_from_run(r) for r in rows]
    for req in requests:
        resolve(req)
    settings = ConfirmSettings(
        blocks=blocks,
        extra_blocks=extra_blocks,
        block_iterations=block_iterations,
        block_warmup=block_warmup,
        rel_threshold=threshold,
    )
    settings.check()
    with tempfile.TemporaryDirectory(prefix="benchctl-confirm-") as tmp:
        scratch = ResultStore.open(str(keep_db or Path(tmp) / "confirm.sqlite"))
        with progress_bar("confirming", 2 * blocks, json_=json_) as bar:
            result = confirm(
                requests[0],
                requests[1],
                scratch,
                settings,
                artifacts=(rows[0].artifact_sha256, rows[1].artifact_sha256),
                on_block=lambda i, n, arm: bar.step(f"block {i + 1} of {n} (arm {arm})", total=n),
            )
    if json_:
        emit_json({"baseline": rows[0].run_id, "candidate": rows[1].run_id, **result.to_dict()})
        return
    colour = {"confirmed": "red", "improved": "green", "suspicious": "yellow"}.get(
        result.label, "blue"
    )
    out.print(
        f"[bold {colour}]{result.label}[/]: {escape(result.reason)} "
        f"(median of block medians A {_ms(result.median_a_ns)} ms, "
        f"B {_ms(result.median_b_ns)} ms; {len(result.blocks)} blocks, {result.rounds} round(s))"
    )
    out.print(
        "block medians (ms), A: " + " ".join(_ms(x) for x in result.medians("A")) + "\n"
        "block medians (ms), B: " + " ".join(_ms(x) for x in result.medians("B")),
        highlight=False,
    )
    for note in result.notes:
        out.print(f"[yellow]note:[/] {escape(note)}")
