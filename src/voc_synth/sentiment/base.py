"""The sentiment backend protocol, the registry of backends by name, and score → label rules.

A backend turns texts into scores in -1..1. Backends are registered by name, as spaCy registers
components, so a config picks one with a string: `register_backend("vader")(factory)` and
`get_backend("vader")`. A name may carry an argument after a colon
(`transformers:/models/my-sentiment`), which reaches the factory as `model=`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np
import pandas as pd

from ..config import SentimentConfig
from ..distributed.active import current_session
from ..errors import ConfigError, InputError

SENTIMENT_LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")

# Modules that register the built-in backends when imported.
_BUILTIN_MODULES = (
    "voc_synth.sentiment.vader",
    "voc_synth.sentiment.embedded",
    "voc_synth.sentiment.transformers_backend",
)

# How each built-in backend is spelled in a config (shown in error messages).
_SPELLINGS = {"transformers": "transformers:<name-or-path>"}


@runtime_checkable
class SentimentBackend(Protocol):
    """Anything that scores texts in -1 (negative) .. 1 (positive)."""

    name: str

    def score(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """One score per text. `embeddings` are the texts' precomputed, L2-normalised sentence
        embeddings when the caller has them; backends that do not use them ignore them."""
        ...


BackendFactory = Callable[..., SentimentBackend]
F = TypeVar("F", bound=BackendFactory)

_REGISTRY: dict[str, BackendFactory] = {}


def register_backend(name: str) -> Callable[[F], F]:
    """Register `factory` (a class or function returning a backend) under `name`.

    >>> @register_backend("always_positive")
    ... class AlwaysPositive:
    ...     name = "always_positive"
    ...     def score(self, texts, embeddings=None):
    ...         return np.ones(len(texts))
    """
    if not name or ":" in name:
        raise ValueError(f"A backend name must be non-empty and contain no ':', got {name!r}.")

    def decorator(factory: F) -> F:
        _REGISTRY[name] = factory
        return factory

    return decorator


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)


def available_backends() -> list[str]:
    """The registered backend names, sorted."""
    _load_builtins()
    return sorted(_REGISTRY)


def _known_spellings() -> str:
    return ", ".join(_SPELLINGS.get(n, n) for n in available_backends())


def get_backend(name: str, **kwargs: Any) -> SentimentBackend:
    """A backend instance for a config name such as `embedded`, `vader` or `transformers:PATH`.

    Raises `ConfigError` listing the known names when `name` is not registered.
    """
    _load_builtins()
    base, sep, argument = str(name).strip().partition(":")
    factory = _REGISTRY.get(base)
    if factory is None:
        raise ConfigError(
            f"Unknown sentiment backend '{name}'. Known backends: {_known_spellings()}. "
            "Set `sentiment.backend` in voc_synth.yaml to one of them."
        )
    if sep:
        if not argument:
            raise ConfigError(f"Sentiment backend '{name}' needs a model name or path after ':'.")
        kwargs.setdefault("model", argument)
    return factory(**kwargs)


def backend_from_config(config: SentimentConfig | None = None) -> SentimentBackend:
    """The backend a `SentimentConfig` asks for, with its options."""
    config = config or SentimentConfig()
    base = config.backend.partition(":")[0]
    options: dict[str, Any] = {}
    if base == "embedded" and config.model is not None:
        options["model"] = config.model
    if base == "transformers":
        options["batch_size"] = config.batch_size
    return get_backend(config.backend, **options)


def label_scores(scores: Sequence[float] | np.ndarray, neutral_band: float = 0.15) -> np.ndarray:
    """negative / neutral / positive for each score: neutral when |score| <= `neutral_band`.

    NaN scores (no text) are labelled neutral.
    """
    values = np.asarray(scores, dtype=float)
    labels = np.full(values.shape, "neutral", dtype=object)
    labels[values < -neutral_band] = "negative"
    labels[values > neutral_band] = "positive"
    return labels


def check_scores(scores: Any, n: int, backend: str) -> np.ndarray:
    """Scores as a float array of length `n`, clipped to -1..1 (guards third-party backends)."""
    values = np.asarray(scores, dtype=float).reshape(-1)
    if values.shape[0] != n:
        raise ValueError(f"Sentiment backend '{backend}' returned {values.shape[0]} scores for {n} texts.")
    return np.clip(values, -1.0, 1.0)


def check_embeddings(embeddings: Any, n: int) -> np.ndarray:
    """`embeddings` as a 2-D float32 array with one row per text."""
    array = np.asarray(embeddings, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] != n:
        raise InputError(
            f"Expected one embedding row per text ({n} rows), got an array of shape {array.shape}."
        )
    return array


def score_sentiment(
    texts: Sequence[str] | pd.Series,
    embeddings: np.ndarray | None = None,
    config: SentimentConfig | None = None,
    *,
    backend: SentimentBackend | None = None,
    calibration: Callable[[np.ndarray], np.ndarray] | None = None,
) -> pd.DataFrame:
    """Score `texts` with the configured backend: a frame with `sentiment` (-1..1) and
    `sentiment_label`, one row per text (keeping the index of a Series).

    `embeddings` are the texts' precomputed, L2-normalised sentence embeddings; the `embedded`
    backend uses them instead of encoding again. `calibration` (from `calibrate_on_ratings`) is
    applied to the scores before labelling; the pipeline passes it only when
    `sentiment.calibrate` is true.
    """
    config = config or SentimentConfig()
    index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
    items = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts]
    if embeddings is not None:
        embeddings = check_embeddings(embeddings, len(items))
    session = current_session() if backend is None else None  # a backend object given is used here
    backend = backend or backend_from_config(config)
    if items and session is not None and session.takes(len(items)):
        from ..distributed.sentiment_partitions import score_on_cluster

        scores = check_scores(score_on_cluster(session, items, embeddings, config, backend), len(items), backend.name)
    elif items:
        scores = check_scores(backend.score(items, embeddings=embeddings), len(items), backend.name)
    else:
        scores = np.zeros(0, dtype=float)
    if calibration is not None and len(scores):
        scores = np.clip(np.asarray(calibration(scores), dtype=float), -1.0, 1.0)
    return pd.DataFrame(
        {"sentiment": scores, "sentiment_label": label_scores(scores, config.neutral_band)},
        index=index,
    )


def describe_sentiment_models(backend: str = "embedded") -> list[Any]:
    """The models behind a sentiment backend, as `voc_synth.models.ModelInfo` rows.

    Raises `MissingModelError` when the backend's model is not available locally.
    """
    instance = get_backend(backend)
    describe = getattr(instance, "describe", None)
    return list(describe()) if callable(describe) else []
