"""Running one step's partitions on the cluster: resume what finished, submit the rest with
retries, collect results as they come, keep each one in the work folder, advance the progress.

A partition's *key* is a hash of the step, of everything that decides its result (the
`recipe`: settings, model identity, voc_synth's version) and of its content, so a re-run of
the same input and config finds the partitions a killed run finished, and anything else is
recomputed. A task that raises is retried `execution.retries` times; a task whose worker dies
is rescheduled on another worker by the scheduler itself (Dask's `allowed-failures`), and only
when workers keep dying on it does the run stop — with its finished partitions kept.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ClusterError
from .store import Arrays
from .worker import run_partition

if TYPE_CHECKING:
    from .session import ClusterSession


#: Tasks kept queued per worker, so none waits for the client between partitions.
IN_FLIGHT_PER_WORKER = 3


def _feed(digest: Any, value: Any) -> None:
    if isinstance(value, str):
        digest.update(b"s" + value.encode("utf-8", "surrogatepass") + b"\x1f")
    elif isinstance(value, bytes):
        digest.update(b"b" + value + b"\x1f")
    elif isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        digest.update(f"a{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes() if array.dtype != object else repr(array.tolist()).encode())
    elif isinstance(value, dict):
        digest.update(b"{")
        for key in sorted(value, key=str):
            _feed(digest, str(key))
            _feed(digest, value[key])
        digest.update(b"}")
    elif isinstance(value, (list, tuple)):
        digest.update(b"[")
        for item in value:
            _feed(digest, item)
        digest.update(b"]")
    else:
        digest.update(f"r{value!r}\x1f".encode())


def content_hash(*parts: Any) -> str:
    """A SHA-256 over `parts` (strings, bytes, arrays, numbers, and lists/dicts of them)."""
    digest = hashlib.sha256()
    for part in parts:
        _feed(digest, part)
    return digest.hexdigest()


def partition_key(step: str, recipe: Any, content: Any) -> str:
    """The key of one partition of `step`: its content under its recipe, for this voc_synth."""
    from .. import __version__

    return content_hash(__version__, step, recipe, content)


def ranges(n: int, size: int) -> list[tuple[int, int]]:
    """[start, stop) of consecutive partitions of at most `size` of `n` items."""
    size = max(1, int(size))
    return [(start, min(n, start + size)) for start in range(0, n, size)]


@dataclass
class Partition:
    """One task's worth of a step: its key, the arguments of the step's partition function
    (after any arguments shared by all partitions) and how many items it advances progress by."""

    key: str
    args: tuple[Any, ...]
    size: int


def gather_rows(
    session: ClusterSession,
    step: str,
    label: str,
    fn: Callable[..., Arrays],
    partitions: Sequence[Partition],
    bounds: Sequence[tuple[int, int]],
    out: np.ndarray,
    *,
    shared: Iterable[Any] = (),
    field: str = "scores",
) -> np.ndarray:
    """`run_partitions` for a step whose partition i returns `field` for rows `bounds[i]`: the
    rows are written into `out` (returned) under a progress bar named `label`."""

    def on_result(i: int, arrays: Arrays) -> None:
        start, stop = bounds[i]
        out[start:stop] = arrays[field]

    with session.progress(label, len(out)) as task:
        run_partitions(session, step, fn, partitions, on_result, shared=shared, advance=task.advance)
    return out


def run_partitions(
    session: ClusterSession,
    step: str,
    fn: Callable[..., Arrays],
    partitions: Sequence[Partition],
    on_result: Callable[[int, Arrays], None],
    *,
    shared: Iterable[Any] = (),
    advance: Callable[[int], None] | None = None,
    persist: bool = True,
) -> None:
    """`fn(*shared, *partition.args)` for every partition, on the workers; `on_result(i, arrays)`
    as each finishes (in any order). With `persist`, results are kept in the run's work folder
    and a partition found there is not computed again. `shared` values (settings, centroids)
    are sent to the workers once, not once per partition."""
    advance = advance or (lambda n: None)
    started = time.perf_counter()
    todo: list[int] = []
    for i, part in enumerate(partitions):
        found = session.store.load(step, part.key) if persist else None
        if found is None:
            todo.append(i)
        else:
            on_result(i, found)
            advance(part.size)
    phase = session.begin_phase(step, len(partitions), len(partitions) - len(todo))
    if todo:
        _compute(session, step, fn, partitions, todo, on_result, list(shared), advance, persist, phase)
    phase["seconds"] = round(time.perf_counter() - started, 3)


def _compute(session: ClusterSession, step: str, fn: Callable[..., Arrays], partitions: Sequence[Partition],
             todo: list[int], on_result: Callable[[int, Arrays], None], shared: list[Any],
             advance: Callable[[int], None], persist: bool, phase: dict[str, Any]) -> None:
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    from .session import quiet

    client = session.client
    futures: dict[Any, int] = {}
    # Keys unique to this attempt: a re-run after a failure must not be handed the failed result
    # the scheduler may still hold under the old key.
    attempt = uuid.uuid4().hex[:8]
    with quiet():
        # Shared values go to every worker once.
        shared_refs = client.scatter(shared, broadcast=True, hash=False) if shared else []
    queue = iter(todo)
    running = as_completed()

    def submit_next() -> None:
        i = next(queue, None)
        if i is None:
            return
        # A partition's data travels inside its task, not scattered: the scheduler can then rerun
        # the task elsewhere when its worker dies, which scattered data (lost with the worker)
        # would not allow. Dask's notes on graph sizes are not the run's warnings.
        with quiet():
            future = client.submit(run_partition, fn, *shared_refs, *partitions[i].args, retries=session.retries,
                                   key=f"voc_synth-{step}-{i}-{partitions[i].key[:12]}-{attempt}", pure=False)
        futures[future] = i
        running.add(future)

    # A few tasks per worker in flight, not all at once: a million segments' embeddings would
    # otherwise sit in the scheduler's memory (the client's, on a LocalCluster) all together.
    for _ in range(max(4, IN_FLIGHT_PER_WORKER * session.n_workers)):
        submit_next()
    try:
        for future in running:
            i = futures.pop(future)
            reply = future.result()
            future.release()
            submit_next()
            arrays = reply["arrays"]
            if persist:
                session.store.save(step, partitions[i].key, arrays)
            on_result(i, arrays)
            advance(partitions[i].size)
            session.note_task(phase, reply)
    except KilledWorker as err:
        raise ClusterError(
            f"Workers kept dying while running a partition of '{step}' ({err}); this is most often a "
            "worker running out of memory: give each worker more (dask worker --memory-limit) or lower "
            f"execution.partition_size. {_kept(session, persist)}") from None
    except OSError as err:  # the connection to the scheduler went away
        raise ClusterError(f"Lost the Dask scheduler while running '{step}' ({err}). {_kept(session, persist)}") from None
    finally:
        if futures:
            client.cancel(list(futures))


def _kept(session: ClusterSession, persist: bool) -> str:
    if not persist:
        return "Run the same command again: what was already encoded is in the embedding cache."
    return (f"The {session.store.count()} partitions that finished are kept in {session.store.root}; "
            "run the same command again to resume from them.")
