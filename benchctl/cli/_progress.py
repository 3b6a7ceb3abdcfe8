"""A rich progress bar on stderr for long commands, off with --json (so machine-read output
stays clean). When stderr is not a terminal (CI logs, `2> file`) a run's progress is a few plain
lines instead -- each stage, and the timed loop at every quarter -- so a log shows where a run is
without the carriage-return redraws a bar would leave there."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from benchctl.cli._output import err, printable


class Bar:
    """One task: `step(text)` advances by one and shows what is being done."""

    def __init__(self, progress: Progress, total: int | None, text: str) -> None:
        self._progress = progress
        self._task = progress.add_task(text, total=total)

    def step(self, text: str, total: int | None = None) -> None:
        if total is not None:
            self._progress.update(self._task, total=total)
        self._progress.update(self._task, description=text, advance=1)

    def describe(self, text: str) -> None:
        self._progress.update(self._task, description=text)


def make_progress(*, json_: bool = False, transient: bool = True) -> Progress:
    """The one progress display of every command: spinner, text, bar, count, elapsed time."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=transient,
        disable=json_ or not err.is_terminal,
    )


@contextmanager
def progress_bar(text: str, total: int | None = None, *, json_: bool = False) -> Iterator[Bar]:
    with make_progress(json_=json_) as progress:
        yield Bar(progress, total, text)


def plain_lines(*, json_: bool = False) -> bool:
    """Whether a run reports progress as plain lines: stderr is not a terminal and not --json."""
    return not json_ and not err.is_terminal


class PlainRunProgress:
    """`RunHooks` as plain stderr lines for logs: every stage, each other phase once, and the
    timed loop at 0, 25, 50, 75 and 100 % and every 30 s (a handful of lines per run)."""

    QUARTERS = 4
    EVERY_S = 30.0  # and at least this often, for a run its time limit stops (a log is not silent)

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._printed = -1  # the last quarter of the timed loop printed
        self._last_timed = self._start

    def _line(self, text: str) -> None:
        elapsed = time.monotonic() - self._start
        err.print(
            f"benchctl [{elapsed:6.1f}s] {printable(text)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    def stage(self, text: str) -> None:
        if text.startswith("running on"):
            self._printed = -1  # a new run: its own quarters
        self._line(text)

    def progress(self, phase: str, done: int, total: int) -> None:
        if phase != "timed":
            self._line(f"{phase} done ({done} iterations)")
            return
        quarter = self.QUARTERS * done // total if total else self.QUARTERS
        now = time.monotonic()
        if quarter > self._printed or now - self._last_timed >= self.EVERY_S:
            self._printed = max(quarter, self._printed)
            self._last_timed = now
            self._line(f"timed {done}/{total}")


class RunProgress:
    """`RunHooks` on a progress display: a stage line, and a bar over each run's timed
    iterations (a new bar per run, so a sweep shows every run's progress in turn)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._stage = progress.add_task("starting", total=None)
        self._iters: TaskID | None = None

    def stage(self, text: str) -> None:
        self._progress.update(self._stage, description=text)
        if text.startswith("running on") and self._iters is not None:
            self._progress.remove_task(self._iters)  # a new run begins: a fresh bar
            self._iters = None

    def progress(self, phase: str, done: int, total: int) -> None:
        if phase != "timed":
            self.stage(f"{phase} done ({done} iterations)")
            return
        if self._iters is None:
            self._iters = self._progress.add_task("timed iterations", total=total)
        self._progress.update(self._iters, completed=done)


def run_hooks(progress: Progress, *, json_: bool = False) -> RunProgress | PlainRunProgress:
    """The hooks a run reports to: the bar on a terminal, plain lines in a log, else nothing
    visible (the disabled bar under --json)."""
    return PlainRunProgress() if plain_lines(json_=json_) else RunProgress(progress)
