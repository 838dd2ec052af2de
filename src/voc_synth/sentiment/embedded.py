"""The default backend (`embedded`): a small classifier on the sentence embeddings.

The classifier reads the same all-MiniLM-L6-v2 embeddings the pipeline already computed for
themes (plus five VADER lexicon features), so it adds almost no cost, and it was trained on
customer-feedback language where complaints are often polite ("it's fine, but it came a week
late"). It ships in `models/sentiment/` as plain arrays (`embedded_sentiment.npz`) and a JSON
card (`embedded_sentiment.json`: embedding model, label order, score thresholds, training data
hash, metrics); inference is numpy only. Retrain it with `scripts/train_sentiment.py`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, MissingModelError
from .base import SENTIMENT_LABELS, check_embeddings, register_backend
from .vader import lexicon_features

MODEL_FOLDER = "sentiment"
MODEL_STEM = "embedded_sentiment"


@dataclass
class EmbeddedClassifier:
    """A loaded classifier: feature scaling, one or more small softmax networks, score mapping."""

    metadata: dict[str, Any]
    mean: np.ndarray
    scale: np.ndarray
    members: list[tuple[float, list[tuple[np.ndarray, np.ndarray]]]]
    path: Path | None = None
    labels: tuple[str, ...] = field(default=SENTIMENT_LABELS)

    @property
    def embedding_model(self) -> str:
        return str(self.metadata.get("embedding_model", "all-MiniLM-L6-v2"))

    @property
    def embedding_dim(self) -> int:
        return int(self.metadata.get("embedding_dim", 384))

    @property
    def uses_vader(self) -> bool:
        return "vader" in self.metadata.get("features", [])

    def features(self, texts: list[str], embeddings: np.ndarray) -> np.ndarray:
        parts = [embeddings.astype(np.float32)]
        if self.uses_vader:
            parts.append(lexicon_features(texts, self.metadata["vader_features"]))
        return np.hstack(parts)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities, columns in `labels` order."""
        x = (features - self.mean) / self.scale
        total = np.zeros((x.shape[0], len(self.labels)), dtype=np.float64)
        for weight, layers in self.members:
            h = x
            for i, (w, b) in enumerate(layers):
                h = h @ w + b
                if i < len(layers) - 1:
                    h = np.maximum(h, 0.0)
            h = h - h.max(axis=1, keepdims=True)
            p = np.exp(h)
            total += weight * (p / p.sum(axis=1, keepdims=True))
        return total / sum(weight for weight, _ in self.members)

    def raw_scores(self, features: np.ndarray) -> np.ndarray:
        """P(positive) - P(negative), before the monotone mapping to the shipped thresholds."""
        p = self.predict_proba(features)
        return p[:, self.labels.index("positive")] - p[:, self.labels.index("negative")]

    def map_scores(self, raw: np.ndarray) -> np.ndarray:
        """Piecewise-linear, increasing map chosen at training time so that the recommended
        thresholds land on +-`neutral_band` of the default config."""
        knots = self.metadata.get("score_map")
        if not knots:
            return np.clip(raw, -1.0, 1.0)
        return np.interp(raw, knots["raw"], knots["score"])


def default_model_path() -> Path:
    """The shipped classifier's JSON card: the first `sentiment/embedded_sentiment.json` in the
    models folders (`VOC_SYNTH_MODELS_DIR`, ./models, the repository's models/)."""
    from ..models import models_dirs

    searched = []
    for base in models_dirs():
        candidate = base / MODEL_FOLDER / f"{MODEL_STEM}.json"
        searched.append(str(candidate))
        if candidate.is_file():
            return candidate
    raise MissingModelError(
        "The embedded sentiment classifier was not found. Looked for:\n  "
        + "\n  ".join(searched)
        + "\nFix: reinstall voc_synth (the package ships it), run from a checkout (models/sentiment/), set "
        "VOC_SYNTH_MODELS_DIR to a folder holding sentiment/embedded_sentiment.{json,npz}, "
        "retrain it with `python scripts/train_sentiment.py`, or use `sentiment.backend: vader`."
    )


def _card_path(model: Path | str | None) -> Path:
    if model is None:
        return default_model_path()
    path = Path(model).expanduser()
    if path.is_dir():
        path = path / f"{MODEL_STEM}.json"
    elif path.suffix == ".npz":
        path = path.with_suffix(".json")
    if not path.is_file() or not path.with_suffix(".npz").is_file():
        raise MissingModelError(
            f"No embedded sentiment classifier at {model}: expected {path.name} and "
            f"{path.with_suffix('.npz').name} there. Train one with "
            "`python scripts/train_sentiment.py --out DIR`, or drop `sentiment.model` to use the "
            "shipped classifier."
        )
    return path


@functools.lru_cache(maxsize=8)
def _load_classifier(card: str) -> EmbeddedClassifier:
    card_path = Path(card)
    metadata = json.loads(card_path.read_text(encoding="utf-8"))
    with np.load(card_path.with_suffix(".npz")) as arrays:
        data = {key: arrays[key] for key in arrays.files}
    members = []
    for m, spec in enumerate(metadata["members"]):
        layers = [
            (data[f"m{m}_W{i}"].astype(np.float64), data[f"m{m}_b{i}"].astype(np.float64))
            for i in range(int(spec["layers"]))
        ]
        members.append((float(spec.get("weight", 1.0)), layers))
    return EmbeddedClassifier(
        metadata=metadata,
        mean=data["feature_mean"].astype(np.float64),
        scale=data["feature_scale"].astype(np.float64),
        members=members,
        path=card_path,
        labels=tuple(metadata.get("labels", SENTIMENT_LABELS)),
    )


def load_classifier(model: Path | str | None = None) -> EmbeddedClassifier:
    """Load (once per process) the classifier at `model` (folder, .json or .npz), or the shipped one."""
    return _load_classifier(str(_card_path(model).resolve()))


@register_backend("embedded")
class EmbeddedBackend:
    """Sentiment from the sentence embeddings the pipeline already has."""

    name = "embedded"

    def __init__(self, model: Path | str | None = None, batch_size: int = 64, **_: Any) -> None:
        self.classifier = load_classifier(model)
        self.batch_size = batch_size

    def _encode(self, texts: list[str]) -> np.ndarray:
        from ..models import load_embedding_model

        encoder = load_embedding_model(self.classifier.embedding_model)
        return np.asarray(
            encoder.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                           show_progress_bar=False),
            dtype=np.float32,
        )

    def score(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros(0, dtype=float)
        if embeddings is None:
            embeddings = self._encode(texts)
        embeddings = check_embeddings(embeddings, len(texts))
        if embeddings.shape[1] != self.classifier.embedding_dim:
            raise InputError(
                f"The embedded sentiment classifier reads {self.classifier.embedding_dim}-d "
                f"{self.classifier.embedding_model} embeddings, but got {embeddings.shape[1]}-d ones. "
                f"Set `embedding.model: {self.classifier.embedding_model}`, use "
                "`sentiment.backend: vader`, or retrain the classifier on your embedding model "
                "(scripts/train_sentiment.py --embedding-model NAME)."
            )
        norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
        embeddings = embeddings / np.where(norms > 0, norms, 1.0)
        raw = self.classifier.raw_scores(self.classifier.features(texts, embeddings))
        return self.classifier.map_scores(raw)

    def describe(self) -> list[Any]:
        from ..models import ModelInfo

        meta = self.classifier.metadata
        path = self.classifier.path
        assert path is not None
        size = path.stat().st_size + path.with_suffix(".npz").stat().st_size
        version = f"{meta.get('version', '?')} (data {str(meta.get('training_data_sha256', '?'))[:12]})"
        return [ModelInfo("sentiment", "embedded-sentiment-classifier", "models_dir",
                          str(path.parent), version, size)]
