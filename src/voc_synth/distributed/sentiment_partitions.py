"""Scoring sentiment as partitions on the cluster.

`sentiment.score_sentiment` hands its texts (and their embeddings, which the `embedded`
backend reads) here when a cluster session is current and the backend comes from the config.
Each worker builds the configured backend once (its classifier is cached per process) and scores
its partition; the client puts the scores back in order, then labels and calibrates them as
before — calibration and agreement with ratings need the whole corpus and stay on the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import SentimentConfig
from .partitions import Partition, gather_rows, partition_key, ranges
from .store import Arrays
from .worker import model_lock

if TYPE_CHECKING:
    from .session import ClusterSession

#: Texts per partition come in multiples of this: a partition carries its embeddings too, and
#: scoring one text costs little, so fewer, larger tasks pay for their round trip.
GRAIN = 4096


def _recipe(config: SentimentConfig, backend: Any) -> dict[str, Any]:
    describe = getattr(backend, "describe", None)
    models = [f"{m.name} {m.version}" for m in describe()] if callable(describe) else []
    return {"config": config.model_dump(mode="json"), "backend": getattr(backend, "name", ""), "models": models}


def score_on_cluster(session: ClusterSession, texts: list[str], embeddings: np.ndarray | None,
                     config: SentimentConfig, backend: Any) -> np.ndarray:
    """The scores (-1..1) of `texts` by the configured backend, computed on the workers."""
    recipe = _recipe(config, backend)
    bounds = ranges(len(texts), session.partition_items(GRAIN))
    partitions = []
    for start, stop in bounds:
        block = None if embeddings is None else np.ascontiguousarray(embeddings[start:stop])
        key = partition_key("sentiment", recipe, [texts[start:stop], block if block is not None else b""])
        partitions.append(Partition(key, (texts[start:stop], block), stop - start))
    return gather_rows(session, "sentiment", "Scoring sentiment", score_partition, partitions, bounds,
                       np.zeros(len(texts), dtype=float), shared=[config])


def score_partition(config: SentimentConfig, texts: list[str], embeddings: np.ndarray | None) -> Arrays:
    """On a worker: the configured backend's scores of one partition."""
    from ..sentiment.base import backend_from_config

    with model_lock(f"sentiment:{config.backend}"):
        backend = backend_from_config(config)
        scores = backend.score(texts, embeddings=embeddings)
    return {"scores": np.asarray(scores, dtype=float)}
