"""A rich progress bar on stderr for long commands, off when stderr is not a terminal or with
--json (so piped and machine-read output stays clean)."""

from __future__ import annotations

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

from benchctl.cli._output import err


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
