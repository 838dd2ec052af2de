"""What runs on a Dask worker around each partition: one model user at a time, the worker's
memory, and a check that the worker runs the same voc_synth as the client.

Models load once per worker process: voc_synth's loaders (`models.load_spacy`,
`models.load_embedding_model`, the OpenVINO encoder, the sentiment classifier) keep what they
loaded for the life of the process, and a worker process lives for the whole run, so the first
partition of a step on a worker loads its model and every later one reuses it. `model_lock`
makes a worker with several threads (or an in-process cluster, whose workers share one process
and so one copy of each model) run one partition per model at a time: a fast tokenizer or a
spaCy pipeline being reconfigured is not safe to share between threads.
"""

from __future__ import annotations

import resource
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from .active import local_only

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def model_lock(name: str) -> threading.Lock:
    """The process-wide lock of model `name` (created on first use)."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(name, threading.Lock())


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (getrusage: Linux kB, macOS bytes)."""
    scale = 1 if sys.platform == "darwin" else 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20, 1)


def _worker_address() -> str:
    from distributed import get_worker

    try:
        return str(get_worker().address)
    except ValueError:  # not inside a worker (a test calling a partition function directly)
        return "local"


def run_partition(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run `fn(*args)` (a step's partition function) here and say where and at what cost.

    Always in this process (`local_only`): a partition never sends itself back to the cluster.
    """
    started = time.perf_counter()
    with local_only():
        arrays = fn(*args)
    return {"arrays": arrays, "worker": _worker_address(), "seconds": round(time.perf_counter() - started, 3),
            "peak_rss_mb": peak_rss_mb()}


def worker_versions() -> dict[str, str]:
    """voc_synth's and Python's versions in this process (compared with the client's)."""
    import platform

    from .. import __version__

    return {"voc_synth": __version__, "python": ".".join(platform.python_version_tuple()[:2])}


class VocSynthWorkerPlugin(WorkerPlugin):
    """A Dask worker plugin: refuses a worker whose voc_synth differs from the client's (its
    partitions would not match the client's), and keeps voc_synth quiet on the worker (no
    OpenVINO telemetry, no hub access when the client is offline).

    Registered by `ClusterSession` with `client.register_plugin`; `distributed` calls `setup`
    on every worker, including ones that join later or restart after a crash.
    """

    name = "voc_synth"

    def __init__(self, versions: dict[str, str], environ: dict[str, str]) -> None:
        self.versions = versions
        self.environ = environ

    def setup(self, worker: Any = None) -> None:
        import os

        ours = worker_versions()
        if ours != self.versions:
            raise RuntimeError(f"this worker runs {ours}, the client {self.versions}: install the same "
                               "voc_synth and Python on every machine of the cluster")
        for key, value in self.environ.items():
            os.environ.setdefault(key, value)
        from ..models import keep_openvino_telemetry_out

        keep_openvino_telemetry_out()

