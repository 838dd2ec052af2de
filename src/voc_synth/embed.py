"""Sentence embeddings for segments: batched, L2-normalised float32 on the CPU, cached on disk.

`embed_texts()` looks every text up in the embedding cache (see `embedding_cache.py`) first and
only runs the encoder on texts it has never seen with this exact model, so a re-run with new
theme parameters or one extra file costs almost nothing. The model is resolved by
`voc_synth.models` (local copies first, never the network when one exists) and loaded only when
something actually needs encoding.

Each call records an `EmbeddingStats` (texts, cache hits, texts encoded, encoder calls, time),
returned by `last_stats()`, so the CLI can report cache use and tests can count encoder calls.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .config import EmbeddingConfig
from .distributed.active import current_session
from .embedding_cache import (  # noqa: F401 - cache_info/clear_cache are part of this API
    EmbeddingCache,
    ModelIdentity,
    cache_dir_for,
    cache_info,
    clear_cache,
    text_hash,
    weights_fingerprint,
)
from .errors import ConfigError

# Texts are encoded in chunks of this many batches, and each chunk is written to the cache at
# once: a crash or Ctrl-C mid-run keeps what was already encoded.
_BATCHES_PER_CHUNK = 8


@dataclass
class EmbeddingStats:
    """What one `embed_texts` call did."""

    model: str = ""
    n_texts: int = 0
    n_unique: int = 0
    n_cached: int = 0
    n_encoded: int = 0
    encoder_calls: int = 0
    seconds: float = 0.0
    cache_location: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def texts_per_second(self) -> float:
        return self.n_texts / self.seconds if self.seconds > 0 else math.inf

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_LAST_STATS = EmbeddingStats()
# Encoder calls over the life of the process (tests read it before and after a call).
ENCODER_CALLS = 0


def last_stats() -> EmbeddingStats:
    """Statistics of the most recent `embed_texts` call in this process."""
    return _LAST_STATS


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (AVX512-BF16 or AMX-BF16).

    Without it oneDNN emulates bfloat16, which is slower than float32, so "auto" stays float32.
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def resolve_precision(config: EmbeddingConfig) -> str:
    """The precision the encoder runs in: "float32" or "bfloat16" (see `EmbeddingConfig`)."""
    if config.precision == "auto":
        return "bfloat16" if cpu_has_native_bf16() else "float32"
    return config.precision


def resolve_runtime(config: EmbeddingConfig) -> str:
    """What runs the transformer: "openvino" or "torch" (see `EmbeddingConfig.runtime`).

    "auto" means OpenVINO when it is installed. A model OpenVINO cannot take is an error that
    says to set `embedding.runtime: torch` (falling back silently would cache torch's vectors
    under OpenVINO's name).
    """
    from .embed_runtime import openvino_installed

    if config.runtime == "auto":
        return "openvino" if openvino_installed() else "torch"
    if config.runtime == "openvino" and not openvino_installed():
        raise ConfigError("embedding.runtime is 'openvino' but the openvino package is not installed: "
                          "`pip install openvino`, or set embedding.runtime to 'auto' or 'torch'.")
    return config.runtime


def model_identity(config: EmbeddingConfig) -> ModelIdentity:
    """The cache identity of `config.model` as `voc_synth.models` resolves it (no loading).

    bfloat16 vectors differ from float32 ones in the fourth decimal, and OpenVINO's from
    torch's in the fifth, so each is cached apart: a run never mixes them.
    """
    from .models import resolve_embedding_model

    info = resolve_embedding_model(config.model)
    suffix = " · bfloat16" if resolve_precision(config) == "bfloat16" else ""
    if resolve_runtime(config) == "openvino":
        from .embed_runtime import openvino_version

        suffix += f" · openvino {openvino_version()}"
    if info.source == "hub":
        import sentence_transformers

        return ModelIdentity(info.name, info.location,
                             f"hub; sentence-transformers {sentence_transformers.__version__}{suffix}", "")
    # Stat calls only (no hashing of gigabytes), so this is cheap enough to do on every call.
    return ModelIdentity(info.name, info.location, info.version + suffix, weights_fingerprint(info.location))


@contextlib.contextmanager
def _precision(precision: str) -> Iterator[None]:
    """Run the encoder under bfloat16 autocast when asked (matrix products in bfloat16, the
    pooling and normalisation still in float32)."""
    if precision != "bfloat16":
        yield
        return
    import torch

    with torch.autocast("cpu", dtype=torch.bfloat16):
        yield


class ProgressAdapter:
    """Accepts both progress styles the project uses: a `ProgressFactory`
    `(description, total) -> context manager whose value has .advance(n)` (what the CLI and
    `pipeline.synthesize` pass), or a plain `advance(n)` callable. None shows nothing."""

    def __init__(self, progress: Any, total: int, description: str):
        self._ctx: Any = None
        self._task: Any = None
        self._call: Callable[[int], None] | None = None
        self.total = total
        self.done = 0
        if progress is None:
            return
        if _takes_two_args(progress):
            self._ctx = progress(description, total)
            self._task = self._ctx.__enter__()
        else:
            self._call = progress

    def advance(self, n: int) -> None:
        if n <= 0:
            return
        self.done += n
        if self._task is not None:
            self._task.advance(n)
        elif self._call is not None:
            self._call(n)

    def to(self, fraction: float) -> None:
        """Advance to `fraction` of the total."""
        self.advance(int(round(self.total * fraction)) - self.done)

    def close(self) -> None:
        self.to(1.0)
        if self._ctx is not None:
            ctx, self._ctx = self._ctx, None
            ctx.__exit__(None, None, None)


def _takes_two_args(fn: Any) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2


def open_cache(config: EmbeddingConfig) -> EmbeddingCache | None:
    """The cache `config` asks for, or None when caching is switched off."""
    if not config.cache:
        return None
    return EmbeddingCache(cache_dir_for(config), max_mb=config.cache_max_mb)


def _load_model(config: EmbeddingConfig) -> Any:
    """The encoder for `config`: the SentenceTransformer itself, or its OpenVINO-compiled form."""
    from .models import load_embedding_model

    model = load_embedding_model(config.model)
    if resolve_runtime(config) != "openvino":
        return model
    return _openvino_encoder(model, resolve_precision(config))


_OPENVINO_ENCODERS: dict[tuple[int, str], Any] = {}


def _openvino_encoder(model: Any, precision: str) -> Any:
    """The OpenVINO encoder of `model` (compiled once per process and precision)."""
    from .embed_runtime import OpenVINOEncoder, RuntimeUnavailable
    from .models import assembled_models_dir

    key = (id(model), precision)
    if key not in _OPENVINO_ENCODERS:
        try:
            _OPENVINO_ENCODERS[key] = OpenVINOEncoder(model, precision, assembled_models_dir() / "openvino")
        except RuntimeUnavailable as err:
            raise ConfigError(f"OpenVINO cannot run this embedding model ({err}); "
                              "set `embedding.runtime: torch`.") from None
    return _OPENVINO_ENCODERS[key]


def _encode(model: Any, texts: list[str], batch_size: int) -> np.ndarray:
    """One encoder call (tests replace or wrap this to count or fake encoding)."""
    return model.encode(texts, batch_size=batch_size, convert_to_numpy=True,
                        normalize_embeddings=True, show_progress_bar=False)


def _as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value if isinstance(value, str) else str(value)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1)
    # Leave already-normalised rows bit-for-bit alone; fix the others (zero rows stay zero).
    bad = np.abs(norms - 1.0) > 1e-4
    if bad.any():
        safe = np.where(norms[bad] > 0, norms[bad], 1.0)
        vectors[bad] = vectors[bad] / safe[:, None]
    return vectors


def embed_texts(
    texts: Sequence[str],
    config: EmbeddingConfig | None = None,
    progress: Any = None,
    cache: EmbeddingCache | None = None,
    record: bool = True,
    description: str = "Embedding segments",
) -> np.ndarray:
    """Embed `texts` with `config.model`: an (n, dim) float32 array of L2-normalised rows.

    `cache`: the `EmbeddingCache` to read and fill; when None, the one `config` describes
    (`cache_dir`, else `$VOC_SYNTH_CACHE_DIR/embeddings` or the user cache folder) unless
    `config.cache` is false. Duplicated texts are encoded once. `progress`: a ProgressFactory
    or an `advance(n)` callable, advanced as texts are done (cached ones at once). Raises
    `MissingModelError` when the model is not available. `record=False` leaves `last_stats()`
    alone (for helper calls, e.g. the theme step embedding keyword candidates). `description`
    names the progress bar.
    """
    global _LAST_STATS, ENCODER_CALLS
    config = config or EmbeddingConfig()
    if config.batch_size < 1:
        raise ConfigError(f"embedding.batch_size must be at least 1, got {config.batch_size}.")
    started = time.perf_counter()
    items = [_as_text(t) for t in texts]
    identity = model_identity(config)
    stats = EmbeddingStats(model=identity.name, n_texts=len(items))
    if record:
        _LAST_STATS = stats

    hashes = [text_hash(t) for t in items]
    unique: dict[bytes, str] = dict(zip(hashes, items, strict=True))
    stats.n_unique = len(unique)
    own_cache = cache is None
    if own_cache:
        cache = open_cache(config)
    tracker = ProgressAdapter(progress, len(items), description)
    try:
        vectors: dict[bytes, np.ndarray] = {}
        if cache is not None:
            stats.cache_location = str(cache.path)
            vectors.update(cache.get_many(identity, list(unique)))
        stats.n_cached = len(vectors)
        if vectors:
            tracker.advance(sum(1 for h in hashes if h in vectors))

        todo = [h for h in unique if h not in vectors]
        session = current_session()
        if todo and session is not None and session.takes(len(todo), config.batch_size * _BATCHES_PER_CHUNK):
            from .distributed.embed_partitions import encode_on_cluster

            todo.sort(key=lambda h: (-len(unique[h]), h))  # the order, so the batches, of one process
            counts = _count_per_hash(hashes)
            stats.encoder_calls += encode_on_cluster(session, todo, unique, config, cache, identity, vectors,
                                                     lambda done: tracker.advance(sum(counts[h] for h in done)))
            stats.n_encoded += len(todo)
            todo = []  # all encoded on the workers
        if todo:
            model = _load_model(config)
            # Similar lengths in a chunk mean less padding; longest first surfaces memory
            # problems at once rather than at the end.
            todo.sort(key=lambda h: (-len(unique[h]), h))
            chunk_size = config.batch_size * _BATCHES_PER_CHUNK
            done_counts = _count_per_hash(hashes)
            precision = resolve_precision(config)
            stats.extra["precision"] = precision
            stats.extra["runtime"] = resolve_runtime(config)
            for start in range(0, len(todo), chunk_size):
                chunk = todo[start:start + chunk_size]
                with _precision(precision):
                    raw = _encode(model, [unique[h] for h in chunk], config.batch_size)
                encoded = _normalise(raw)
                stats.encoder_calls += 1
                ENCODER_CALLS += 1
                stats.n_encoded += len(chunk)
                for h, vec in zip(chunk, encoded, strict=True):
                    vectors[h] = vec
                if cache is not None:
                    cache.put_many(identity, chunk, encoded, evict=False)
                tracker.advance(sum(done_counts[h] for h in chunk))
            if cache is not None:
                cache.evict()

        if items:
            out = np.stack([vectors[h] for h in hashes]).astype(np.float32, copy=False)
        else:
            out = np.zeros((0, _dimension(config, cache, identity)), dtype=np.float32)
    finally:
        tracker.close()
        if own_cache and cache is not None:
            cache.close()
    stats.seconds = time.perf_counter() - started
    return np.ascontiguousarray(out)


def _count_per_hash(hashes: list[bytes]) -> dict[bytes, int]:
    counts: dict[bytes, int] = {}
    for h in hashes:
        counts[h] = counts.get(h, 0) + 1
    return counts


def _dimension(config: EmbeddingConfig, cache: EmbeddingCache | None, identity: ModelIdentity) -> int:
    if cache is not None:
        for model in cache.info()["models"]:
            if model["key"] == identity.key and model["dim"]:
                return int(model["dim"])
    return int(_load_model(config).get_sentence_embedding_dimension())
