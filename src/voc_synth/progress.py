"""Progress reporting that long steps accept without depending on a terminal.

A step that loops over many items takes a `ProgressFactory`: a callable
`(description, total) -> context manager` whose value has `.advance(n)`. The library default
(`null_progress`) does nothing, so notebooks and tests stay quiet; the CLI passes
`rich_progress()` to draw one rich progress bar per file set or phase:

    with rich_progress(console) as progress:      # one live display, a bar per phase
        synthesize(config, progress=progress)

`rich_progress()` also works without `with`: each phase then opens its own display.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class ProgressTask(Protocol):
    """What a step sees inside a progress context: a way to say `n` more items are done."""

    def advance(self, n: int = 1) -> None: ...


ProgressFactory = Callable[[str, "int | None"], AbstractContextManager[ProgressTask]]


class _NullTask:
    """A task that ignores every update (the library default)."""

    def advance(self, n: int = 1) -> None:
        return None


@contextlib.contextmanager
def null_progress(description: str, total: int | None = None) -> Iterator[ProgressTask]:
    """A `ProgressFactory` that shows nothing."""
    yield _NullTask()


class _RichTask:
    def __init__(self, progress: Any, task_id: Any) -> None:
        self._progress = progress
        self._task_id = task_id

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._task_id, n)


class RichProgress:
    """A `ProgressFactory` drawing rich progress bars; also a context manager that keeps one
    live display open so the bars of successive phases stack up instead of replacing each other.
    """

    def __init__(self, console: Any = None, transient: bool = False) -> None:
        self._console = console
        self._transient = transient
        self._live: Any = None

    def _new_display(self) -> Any:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(),
                        console=self._console, transient=self._transient)

    def __enter__(self) -> RichProgress:
        self._live = self._new_display()
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    @contextlib.contextmanager
    def __call__(self, description: str, total: int | None = None) -> Iterator[ProgressTask]:
        if self._live is not None:
            task_id = self._live.add_task(description, total=total)
            try:
                yield _RichTask(self._live, task_id)
            finally:
                # A spinner task (no total) is shown as finished when its phase ends.
                if total is None:
                    done = next((t.completed for t in self._live.tasks if t.id == task_id), 0)
                    self._live.update(task_id, total=done)
            return
        with self._new_display() as display:
            task_id = display.add_task(description, total=total)
            yield _RichTask(display, task_id)


def rich_progress(console: Any = None, transient: bool = False) -> RichProgress:
    """A `ProgressFactory` drawing a rich progress bar per `(description, total)` opened.

    `total=None` draws a spinner with a count instead of a bar. Use it as a context manager to
    keep all bars of a run in one live display.
    """
    return RichProgress(console=console, transient=transient)


def track(
    items: Iterable[T],
    description: str,
    total: int | None = None,
    progress: ProgressFactory | None = None,
) -> Iterator[T]:
    """Yield `items`, advancing a progress bar by one per item (no-op without a factory)."""
    factory = progress or null_progress
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with factory(description, total) as task:
        for item in items:
            yield item
            task.advance(1)
