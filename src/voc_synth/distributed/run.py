"""Entry points: a whole run on a cluster (`synthesize_on_cluster`, what `execution.scheduler`
and `--scheduler` lead to) and a block of code whose steps use a cluster (`on_cluster`, for
notebooks with their own `distributed.Client`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..progress import ProgressFactory
from .active import activated, current_session
from .session import ClusterSession
from .store import default_work_dir

if TYPE_CHECKING:
    from ..config import Config
    from ..synthesis import Synthesis


@contextlib.contextmanager
def on_cluster(
    cluster: Any,
    *,
    work_dir: Path | str | None = None,
    partition_size: int = 1024,
    retries: int = 2,
    progress: ProgressFactory | None = None,
) -> Iterator[ClusterSession]:
    """Run voc_synth's record-by-record steps on a Dask cluster inside the block.

    `cluster`: a `distributed.Client` (left open afterwards), a scheduler address or `local:N`
    (connected, or started, for the block and closed after it), or a `ClusterSession`.
    `work_dir` keeps finished partitions so a run stopped inside the block resumes when run
    again (default: under the voc_synth cache); it is emptied when the block ends normally.

        from dask.distributed import Client
        with vs.on_cluster(Client("tcp://10.0.0.5:8786")):
            s = vs.synthesize("corpora/demo_shop")
    """
    folder = Path(work_dir) if work_dir is not None else default_work_dir("on_cluster")
    owned = not isinstance(cluster, ClusterSession)
    if isinstance(cluster, ClusterSession):
        session = cluster
    elif isinstance(cluster, str):
        session = ClusterSession.open(cluster, work_dir=folder, partition_size=partition_size, retries=retries,
                                      progress=progress)
    else:
        session = ClusterSession(cluster, work_dir=folder, partition_size=partition_size, retries=retries,
                                 progress=progress)
        session.prepare_workers()
    try:
        with activated(session):
            yield session
        if owned:
            session.store.clear()
    finally:
        if owned:
            session.close()


def synthesize_on_cluster(config: Config, *, strict: bool = False, progress: ProgressFactory | None = None) -> Synthesis:
    """`pipeline.synthesize` with the record-by-record steps on `config.execution.scheduler`.

    The run's finished partitions are kept in `execution.work_dir` (default: under the voc_synth
    cache, one folder per config) until the run completes, so running it again after a crash or
    a kill resumes from them. What ran where is in the result's `meta["execution"]`
    (manifest.json; not in synthesis.json, which is the same as a run without a cluster).
    """
    from ..pipeline import synthesize

    execution = config.execution
    assert execution.scheduler, "synthesize_on_cluster needs execution.scheduler"
    if execution.work_dir is not None:
        folder = config.resolve(execution.work_dir)  # relative to the config, like every path in it
    else:
        folder = default_work_dir(json.dumps([config.to_dict(), str(config.base_dir)], sort_keys=True, default=str))
    with ClusterSession.open(execution.scheduler, work_dir=folder, partition_size=execution.partition_size,
                             retries=execution.retries, progress=progress) as session:
        with activated(session):
            synthesis = synthesize(config, strict=strict, progress=progress)
        synthesis.meta["execution"] = session.record()
    session.store.clear()
    return synthesis


def execution_record() -> dict[str, Any]:
    """Where the current run's partitions ran (for `meta["execution"]`, manifest.json only)."""
    session = current_session()
    return session.record() if session is not None else {"where": "this process"}
