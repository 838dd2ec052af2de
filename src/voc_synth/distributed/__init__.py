"""The same pipeline on a Dask cluster (`dask.distributed`).

    voc-synth run corpora/demo_shop --scheduler local:2         # a LocalCluster of 2 workers
    voc-synth run big/ --scheduler tcp://10.0.0.5:8786          # a running scheduler

    with vs.on_cluster(Client("tcp://10.0.0.5:8786")):           # from a notebook
        s = vs.synthesize("big/")

What runs where: the client (this process) reads, cleans, pseudonymises and de-duplicates the
records, fits themes (on a stratified sample above `execution.theme_sample`), places stages and
writes the reports; the workers run the record-by-record work as partitions — spaCy's
sentences and names (`nlp_partitions`), embeddings through the shared embedding cache
(`embed_partitions`), sentiment (`sentiment_partitions`), stage keyword evidence
(`stage_partitions`) and the assignment of segments outside the theme sample (`theme_sample`). Finished partitions are kept in the run's work folder
(`store`), so a killed run resumes. See docs/distributed.md.

Importing this package does not import Dask; the steps only look at `active.current_session()`.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "on_cluster": "run",
    "synthesize_on_cluster": "run",
    "ClusterSession": "session",
    "SchedulerSpec": "address",
    "parse_scheduler": "address",
    "current_session": "active",
    "find_themes_sampled": "theme_sample",
    "stratified_sample": "theme_sample",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'voc_synth.distributed' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
