"""`ClusterSession`: a connection to a Dask cluster for one run — the client, the run's work
folder, partition sizes, retries, progress, and a record of what ran where.

Opening one checks the scheduler address first (`address.parse_scheduler`), then connects
(or starts a LocalCluster), waits for at least one worker, and registers the worker plugin
that refuses workers running another voc_synth. Every failure is a `ClusterError` that says
what is wrong and how to fix it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ClusterError
from ..progress import ProgressFactory, null_progress
from .address import SchedulerSpec, parse_scheduler
from .store import PartitionStore

#: Seconds to wait for a remote scheduler to answer, and for its first worker to join.
CONNECT_TIMEOUT_S = 20.0
WORKER_WAIT_S = 60.0
#: Environment a worker takes from the client when it has none of its own (offline model use).
_PASSED_ENVIRON = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


class ClusterSession:
    """A run's use of a Dask cluster (see the module docstring).

    Build one with `ClusterSession.open(...)` or around an existing `distributed.Client`;
    `voc_synth.distributed.on_cluster` makes it the session the steps use.
    """

    def __init__(self, client: Any, *, work_dir: Path | str, partition_size: int = 1024, retries: int = 2,
                 progress: ProgressFactory | None = None, spec: SchedulerSpec | None = None,
                 cluster: Any = None, owns_client: bool = False) -> None:
        self.client = client
        self.store = PartitionStore(work_dir)
        self.partition_size = int(partition_size)
        self.retries = int(retries)
        self.progress = progress or null_progress
        self.spec = spec
        self._cluster = cluster
        self._owns_client = owns_client
        self.phases: list[dict[str, Any]] = []
        self.startup_s: float | None = None  # connecting (or starting a LocalCluster) and readying workers
        self._plugin_registered = False

    # -- opening and closing --------------------------------------------------------------------
    @classmethod
    def open(cls, scheduler: str, *, work_dir: Path | str, partition_size: int = 1024, retries: int = 2,
             progress: ProgressFactory | None = None) -> ClusterSession:
        """Connect to `scheduler` (`local:N` or a scheduler address) and get the workers ready."""
        spec = parse_scheduler(scheduler)
        started = time.perf_counter()
        client, cluster = _connect(spec)
        session = cls(client, work_dir=work_dir, partition_size=partition_size, retries=retries,
                      progress=progress, spec=spec, cluster=cluster, owns_client=True)
        try:
            session.prepare_workers()
        except BaseException:
            session.close()
            raise
        session.startup_s = round(time.perf_counter() - started, 3)
        return session

    def prepare_workers(self) -> None:
        """Wait for a worker and register the voc_synth worker plugin (once)."""
        if self._plugin_registered:
            return
        where = self.spec.describe() if self.spec else "the cluster"
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except TimeoutError:
            address = self.spec.address if self.spec else "SCHEDULER"
            raise ClusterError(
                f"{where} has no workers after {WORKER_WAIT_S:.0f} s. Start at least one on each machine "
                f"with `dask worker {address} --nthreads 1` (see docs/distributed.md).") from None
        from .worker import VocSynthWorkerPlugin, worker_versions

        environ = {k: os.environ[k] for k in _PASSED_ENVIRON if k in os.environ}
        try:
            self.client.register_plugin(VocSynthWorkerPlugin(worker_versions(), environ))
        except Exception as err:  # noqa: BLE001 - a worker refused: say why and how to fix it
            raise ClusterError(f"A worker of {where} cannot run voc_synth partitions: {err}") from None
        self._plugin_registered = True

    def close(self) -> None:
        """Close the client and shut down a LocalCluster this session started."""
        if self._owns_client:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()

    def __enter__(self) -> ClusterSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the steps ask ---------------------------------------------------------------------
    @property
    def n_workers(self) -> int:
        """Workers connected now."""
        return len(self.client.scheduler_info().get("workers", {}))

    def partition_items(self, grain: int) -> int:
        """Items per partition for a step that must cut its work at multiples of `grain`
        (a spaCy chunk, an encoder chunk), so a partition sees exactly the batches one process
        would: `execution.partition_size` rounded up to a whole number of grains."""
        grain = max(1, int(grain))
        return max(grain, -(-self.partition_size // grain) * grain)

    def takes(self, n_items: int, grain: int = 1) -> bool:
        """Whether a step with `n_items` should run on the cluster: when it makes at least two
        partitions. Smaller calls (a theme's keyword candidates) run here, where they cost less
        than a round trip."""
        return n_items > self.partition_items(grain)

    # -- the record -----------------------------------------------------------------------------
    def begin_phase(self, step: str, partitions: int, resumed: int) -> dict[str, Any]:
        """A new entry of the run's record for one distributed step."""
        phase: dict[str, Any] = {"step": step, "partitions": partitions, "resumed": resumed, "seconds": 0.0,
                                 "workers": {}}
        self.phases.append(phase)
        return phase

    def note_task(self, phase: dict[str, Any], reply: dict[str, Any]) -> None:
        """Count a finished task against its worker: tasks, task seconds, peak memory so far."""
        worker = phase["workers"].setdefault(reply["worker"], {"tasks": 0, "task_s": 0.0, "peak_rss_mb": 0.0})
        worker["tasks"] += 1
        worker["task_s"] = round(worker["task_s"] + reply["seconds"], 3)
        worker["peak_rss_mb"] = max(worker["peak_rss_mb"], reply["peak_rss_mb"])

    def record(self) -> dict[str, Any]:
        """What ran where, for the run's manifest (`meta["execution"]`; not part of synthesis.json)."""
        peaks: dict[str, float] = {}
        for phase in self.phases:
            for address, info in phase["workers"].items():
                peaks[address] = max(peaks.get(address, 0.0), info["peak_rss_mb"])
        return {
            "scheduler": self.spec.text if self.spec else "(a client given by the caller)",
            "where": self.spec.describe() if self.spec else "the cluster of the given client",
            "workers": self.n_workers,
            "startup_s": self.startup_s,
            "partition_size": self.partition_size,
            "work_dir": str(self.store.root),
            "resumed_partitions": sum(p["resumed"] for p in self.phases),
            "steps": self.phases,
            "worker_peak_rss_mb": peaks,
        }


def _connect(spec: SchedulerSpec) -> tuple[Any, Any]:
    """(client, cluster or None) for `spec`; a `ClusterError` when that cannot be done."""
    from distributed import Client

    if spec.local:
        from distributed import LocalCluster

        # One thread per worker process: spaCy and the encoders are not shared between threads
        # (`worker.model_lock`), so a second thread would only wait. The HTTP server on a free
        # port: Dask's 8787 may be taken by another cluster on a shared machine.
        try:
            with quiet():
                cluster = LocalCluster(n_workers=spec.n_workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR)
                return Client(cluster), cluster
        except Exception as err:  # noqa: BLE001 - e.g. no free port, too little memory
            raise ClusterError(f"Could not start {spec.describe()} ({type(err).__name__}: {err}). "
                               "Try fewer workers (local:1), or run without --scheduler.") from None
    try:
        with quiet():
            client = Client(spec.address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as err:
        host_port = spec.address.split("://", 1)[1]
        raise ClusterError(
            f"Could not reach a Dask scheduler at {spec.address} within {CONNECT_TIMEOUT_S:.0f} s "
            f"({type(err).__name__}: {str(err).strip()[:200] or 'no answer'}). Check that `dask scheduler` is "
            f"running on that machine and listening on {host_port} (its first lines print the address), that "
            "this machine can reach that port (firewall), and that the host name resolves here. "
            "To run on this machine instead, use --scheduler local:N, or leave --scheduler out.") from None
    return client, None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Dask's start-up warnings (a port taken, an optional package missing) are about the
    machine, not the analysis: kept out of the run's warnings, which synthesis.json records."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
