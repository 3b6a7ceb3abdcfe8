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


@contextmanager
def progress_bar(text: str, total: int | None = None, *, json_: bool = False) -> Iterator[Bar]:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=json_ or not err.is_terminal,
    )
    with progress:
        yield Bar(progress, total, text)
