"""UMAP for the theme step: exact cosine neighbours computed in bulk, and the result cached.

Two things made UMAP the slowest part of finding themes, and neither changes what it computes:

- Below 4,096 points umap-learn finds neighbours with sklearn's `pairwise_distances` and a
  Python-level callable metric: one interpreted call per pair (4.5 M calls, 18 s, for 3,000
  segments). Above that it builds an approximate NN-descent index whose numba code is compiled
  in every new process. Our embeddings are L2-normalised, so the exact cosine neighbours are a
  blocked matrix product and a top-k in torch (BLAS, both cores): 0.1 s for 3,000 segments,
  5 s for 20,000. They are handed to UMAP as `precomputed_knn`; below 4,096 points that is the
  same neighbour graph UMAP builds itself, above it an exact one instead of an approximation.
  From 20,000 rows, on CPUs with native bfloat16, the product runs in bfloat16 to pick twice as
  many candidates, which are then ranked in float32 (`exact_cosine_knn`).
- UMAP is deterministic for a given `random_state`, so its output is a pure function of the
  input vectors and the parameters. `CachedUMAP` keeps it on disk beside the embedding cache,
  keyed by a hash of both: re-running on the same segments with other theme settings (min
  theme size, codebook, target number of themes, labels) skips UMAP entirely.

The cache folder is bounded (least recently used files beyond `MAX_FILES` are deleted) and safe
to share between concurrent runs (each file is written to a temporary name and renamed).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..config import EmbeddingConfig

#: Rows of the similarity matrix computed at once (rows × n float32 values in memory).
KNN_BLOCK_ROWS = 1024
#: From this many rows on, neighbour candidates come from a bfloat16 product (where the CPU has it).
BF16_KNN_FROM = 20_000
#: Reductions kept in the cache folder (each is n × n_components float32: 1.2 MB for 60k).
MAX_FILES = 64
# Bump when the way reductions are computed changes, so old files are not reused.
_METHOD_VERSION = "exact-knn-2"


def exact_cosine_knn(vectors: np.ndarray, k: int, candidates_bf16: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The `k` nearest neighbours of every row by cosine distance, the row itself first.

    Returns (indices int64 (n, k), distances float32 (n, k)) in UMAP's `precomputed_knn` layout.
    `vectors` should be L2-normalised (they are normalised here if not).

    `candidates_bf16` (default: where the CPU computes bfloat16 natively, from `BF16_KNN_FROM`
    rows) finds `2k` candidates with a bfloat16 product, then ranks them by their float32
    similarity: the quadratic part runs at bfloat16 speed, the distances are float32 exact, and
    a true neighbour is missed only when bfloat16 rounding pushes it below `2k` others (1 in
    100,000 neighbours on sentence embeddings).
    """
    import torch

    x = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.where(norms > 0, norms, 1.0)
    n = len(x)
    k = min(k, n)
    if candidates_bf16 is None:
        from ..embed import cpu_has_native_bf16

        candidates_bf16 = n >= BF16_KNN_FROM and cpu_has_native_bf16()
    wanted = min(n, 2 * k) if candidates_bf16 else k
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    data = torch.from_numpy(x)
    search = data.to(torch.bfloat16) if candidates_bf16 else data
    with torch.inference_mode():
        for start in range(0, n, KNN_BLOCK_ROWS):
            stop = min(start + KNN_BLOCK_ROWS, n)
            sims = search[start:stop] @ search.T
            rows = torch.arange(stop - start)
            # Self first even among exact duplicates (UMAP expects it in column 0).
            sims[rows, rows + start] = 3.0
            values, found = sims.topk(wanted, dim=1)  # sorted, largest first
            if candidates_bf16:
                exact = torch.einsum("bd,bcd->bc", data[start:stop], data[found])
                exact[:, 0] = 3.0  # the row itself, found first above
                values, order = exact.topk(k, dim=1)
                found = torch.gather(found, 1, order)
            indices[start:stop] = found.numpy()
            distances[start:stop] = np.clip(1.0 - values.float().numpy(), 0.0, 2.0)
    distances[:, 0] = 0.0
    return indices, distances


class CachedUMAP:
    """A UMAP (cosine, fixed seed) fed exact neighbours, with its output cached on disk.

    Behaves as BERTopic expects of a dimensionality reduction: `fit(X)`, then `transform(rows)`
    returns the reduced coordinates of rows of X (BERTopic's zero-shot step transforms the
    segments no codebook theme claimed). Transforming *new* vectors is not supported (no search
    index is kept); voc_synth never does it.
    """

    def __init__(self, n_neighbors: int, n_components: int, random_state: int,
                 min_dist: float = 0.0, cache_dir: Path | str | None = None, n_epochs: int | None = None,
                 init: str = "spectral"):
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.n_epochs = n_epochs  # None: umap-learn's default (500 up to 10,000 rows, else 200)
        self.init = init
        self.random_state = random_state
        self.min_dist = min_dist
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.embedding_: np.ndarray | None = None
        self.cache_hit: bool = False
        self._fitted_key: str | None = None
        self._rows: dict[bytes, int] | None = None

    def _key(self, x: np.ndarray) -> str:
        import umap

        digest = hashlib.sha1()
        from ..embed import cpu_has_native_bf16

        # bfloat16 candidates can (rarely) change a neighbour, so they are part of the key.
        bf16 = len(x) >= BF16_KNN_FROM and cpu_has_native_bf16()
        digest.update(f"{x.shape}|{self.n_neighbors}|{self.n_components}|{self.min_dist}|"
                      f"{self.random_state}|umap {umap.__version__}|{_METHOD_VERSION}|bf16={bf16}".encode())
        # Only when not the defaults, so reductions cached before these settings stay valid.
        if self.n_epochs is not None:
            digest.update(f"|epochs={self.n_epochs}".encode())
        if self.init != "spectral":
            digest.update(f"|init={self.init}".encode())
        digest.update(x.tobytes())
        return digest.hexdigest()

    def fit(self, X: np.ndarray, y: Any = None) -> CachedUMAP:  # noqa: N803 - sklearn style
        x = np.ascontiguousarray(X, dtype=np.float32)
        key = self._key(x)
        # Row digests → first position, to look up rows BERTopic transforms later.
        rows: dict[bytes, int] = {}
        for i, row in enumerate(x):
            rows.setdefault(_row_digest(row), i)
        self._rows = rows
        cached = self._load(key, len(x))
        if cached is not None:
            self.embedding_, self.cache_hit = cached, True
        else:
            self.embedding_, self.cache_hit = self._compute(x), False
            self._store(key, self.embedding_)
        self._fitted_key = key
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:  # noqa: N803
        if self.embedding_ is None:
            raise RuntimeError("CachedUMAP.transform called before fit.")
        x = np.ascontiguousarray(X, dtype=np.float32)
        if self._key(x) == self._fitted_key:
            return self.embedding_
        if self._rows is None:
            raise RuntimeError("CachedUMAP lost its fitted rows.")
        positions = [self._rows.get(_row_digest(row)) for row in x]
        if any(p is None for p in positions):
            raise NotImplementedError(
                "This theme model cannot place new segments: re-run find_themes on the whole corpus "
                "(cached embeddings and reductions make that fast)."
            )
        return self.embedding_[np.asarray(positions, dtype=np.int64)]

    def _compute(self, x: np.ndarray) -> np.ndarray:
        from umap import UMAP

        k = min(self.n_neighbors, len(x) - 1)
        knn = exact_cosine_knn(x, k)
        model = UMAP(n_neighbors=k, n_components=self.n_components, min_dist=self.min_dist,
                     metric="cosine", random_state=self.random_state, low_memory=False,
                     precomputed_knn=(knn[0], knn[1], None), n_epochs=self.n_epochs, init=self.init)
        with warnings.catch_warnings():
            # "no search index, transform unavailable": we never transform new data.
            warnings.filterwarnings("ignore", message=r".*knn_search_index.*")
            # A fixed seed makes UMAP single-threaded; that is the price of reproducible themes.
            warnings.filterwarnings("ignore", message=r".*n_jobs value.*overridden.*")
            return np.asarray(model.fit_transform(x), dtype=np.float32)

    # -- the on-disk cache -----------------------------------------------------------------
    def _path(self, key: str) -> Path | None:
        return self.cache_dir / f"{key}.npy" if self.cache_dir else None

    def _load(self, key: str, n: int) -> np.ndarray | None:
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            out = np.load(path, allow_pickle=False)
            os.utime(path)  # recently used: evicted last
        except (OSError, ValueError):
            return None  # a damaged file is recomputed and overwritten
        return out if out.shape == (n, self.n_components) else None

    def _store(self, key: str, embedding: np.ndarray) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                np.save(handle, embedding, allow_pickle=False)
            os.replace(tmp, path)
            evict(path.parent)
        except OSError:
            pass  # caching is an optimisation: a read-only or full disk must not fail the run


def _row_digest(row: np.ndarray) -> bytes:
    return hashlib.blake2b(row.tobytes(), digest_size=16).digest()


def reduction_cache_dir(config: EmbeddingConfig) -> Path | None:
    """Where reductions are cached: a `reductions` folder inside the embedding cache folder
    (they are derived from its vectors), or None when `config.cache` is off."""
    from ..embedding_cache import cache_dir_for

    return cache_dir_for(config) / "reductions" if config.cache else None


def evict(directory: Path, max_files: int = MAX_FILES) -> int:
    """Delete the least recently used reductions beyond `max_files`; returns how many."""
    files = sorted(directory.glob("*.npy"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = 0
    for old in files[max_files:]:
        try:
            old.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def reduction_cache_info(directory: Path) -> dict[str, Any]:
    """Files and bytes in the reduction cache folder (for `voc-synth cache show`)."""
    files = list(directory.glob("*.npy")) if directory.exists() else []
    return {"reductions": len(files), "reductions_bytes": sum(p.stat().st_size for p in files)}


def clear_reductions(directory: Path) -> int:
    """Delete every cached reduction; returns how many."""
    return evict(directory, max_files=0) if directory.exists() else 0
