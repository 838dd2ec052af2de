"""Encoding the texts the embedding cache does not hold, as partitions on the cluster.

`embed.embed_texts` looks the texts up in the client's cache first and hands the rest here,
sorted as it would encode them itself; partitions are whole encoder chunks of that order, so a
worker encodes exactly the batches one process would, and the vectors are the same. Each
worker runs `embed_texts` on its partition with the client's resolved model, runtime and
precision (a worker whose CPU computes bfloat16 must not switch precision on its own) and its
own embedding cache — the same SQLite file on a LocalCluster or a shared `embedding.cache_dir`,
so every worker's vectors are there for the next run. Vectors coming back from a worker with
another cache are written to the client's cache too. No work folder: the cache itself keeps
what finished, so a killed run resumes from it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..config import EmbeddingConfig
from ..errors import ClusterError
from .partitions import Partition, ranges, run_partitions
from .store import Arrays
from .worker import model_lock

if TYPE_CHECKING:
    from ..embedding_cache import EmbeddingCache, ModelIdentity
    from .session import ClusterSession


def encode_on_cluster(session: ClusterSession, todo: list[bytes], texts_by_hash: dict[bytes, str],
                      config: EmbeddingConfig, cache: EmbeddingCache | None, identity: ModelIdentity,
                      vectors: dict[bytes, np.ndarray], advance: Callable[[list[bytes]], None]) -> int:
    """Encode the texts of hashes `todo` (in that order) on the workers into `vectors`;
    `advance(hashes)` as each partition finishes. Returns the encoder calls the workers made."""
    from ..embed import _BATCHES_PER_CHUNK, resolve_precision, resolve_runtime

    worker_config = config.model_copy(update={"precision": resolve_precision(config),
                                              "runtime": resolve_runtime(config)})
    bounds = ranges(len(todo), session.partition_items(config.batch_size * _BATCHES_PER_CHUNK))
    partitions = [Partition("", ([texts_by_hash[h] for h in todo[a:b]],), b - a) for a, b in bounds]
    here = (socket.gethostname(), str(cache.path) if cache is not None else "")
    calls = 0

    def on_result(i: int, arrays: Arrays) -> None:
        nonlocal calls
        start, stop = bounds[i]
        if str(arrays["version"]) != identity.version:
            raise ClusterError(f"A worker encodes with {identity.name} {arrays['version']}, this machine with "
                               f"{identity.version}: install the same model packages (and OpenVINO) everywhere.")
        block, hashes = arrays["vectors"], todo[start:stop]
        for h, vector in zip(hashes, block, strict=True):
            vectors[h] = vector
        if cache is not None and (str(arrays["host"]), str(arrays["cache"])) != here:
            cache.put_many(identity, hashes, block, evict=False)
        calls += int(arrays["calls"])
        advance(hashes)

    run_partitions(session, "embed", embed_partition, partitions, on_result, shared=[worker_config],
                   persist=False)
    if cache is not None:
        cache.evict()
    return calls


def embed_partition(config: EmbeddingConfig, texts: list[str]) -> Arrays:
    """On a worker: `embed_texts` of one partition, with the worker's cache and model."""
    from .. import embed
    from ..embed import model_identity, open_cache

    with model_lock(f"embed:{config.model}"):
        before = embed.ENCODER_CALLS
        cache = open_cache(config)
        try:
            vectors = embed.embed_texts(texts, config, cache=cache, record=False)
        finally:
            location = str(cache.path) if cache is not None else ""
            if cache is not None:
                cache.close()
        calls = embed.ENCODER_CALLS - before
    return {"vectors": vectors, "calls": np.int64(calls), "version": np.str_(model_identity(config).version),
            "host": np.str_(socket.gethostname()), "cache": np.str_(location)}


