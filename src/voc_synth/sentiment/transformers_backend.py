"""`transformers:<name-or-path>`: any Hugging Face sentiment model a user has locally.

The model is loaded from a folder (an explicit path, or `models/<name>/`) or from the local
Hugging Face cache, never from the network. Its labels are mapped onto -1..1 as the expected
value over the label scores: POSITIVE/NEGATIVE(/NEUTRAL), `1 star`..`5 stars`,
`very negative`..`very positive`, or `LABEL_0..LABEL_k` read as ordered from most negative.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, MissingModelError
from .base import register_backend

_STAR = re.compile(r"^\s*(\d+)\s*stars?\s*$")
_GENERIC = re.compile(r"^label_(\d+)$")
_NAMED = {
    "very negative": -1.0, "negative": -1.0, "neg": -1.0,
    "neutral": 0.0, "neu": 0.0, "mixed": 0.0,
    "positive": 1.0, "pos": 1.0, "very positive": 1.0,
}
_FIVE_POINT = {"very negative": -1.0, "negative": -0.5, "neutral": 0.0, "positive": 0.5, "very positive": 1.0}


def label_values(labels: list[str]) -> dict[str, float]:
    """Where each of a model's labels sits on -1..1.

    Raises `ConfigError` when the labels follow no scheme voc_synth knows.
    """
    norm = {label: label.strip().lower() for label in labels}
    norm = {label: n if _GENERIC.match(n) else n.replace("_", " ").replace("-", " ") for label, n in norm.items()}
    values = set(norm.values())
    stars = {label: _STAR.match(n) for label, n in norm.items()}
    if all(stars.values()):
        numbers = {label: int(m.group(1)) for label, m in stars.items() if m}
        lo, hi = min(numbers.values()), max(numbers.values())
        span = max(hi - lo, 1)
        return {label: 2.0 * (v - lo) / span - 1.0 for label, v in numbers.items()}
    generic = {label: _GENERIC.match(n) for label, n in norm.items()}
    if all(generic.values()):
        numbers = {label: int(m.group(1)) for label, m in generic.items() if m}
        span = max(max(numbers.values()), 1)
        return {label: 2.0 * v / span - 1.0 for label, v in numbers.items()}
    if {"very negative", "very positive"} & values and values <= set(_FIVE_POINT):
        return {label: _FIVE_POINT[n] for label, n in norm.items()}
    if values <= set(_NAMED):
        return {label: _NAMED[n] for label, n in norm.items()}
    raise ConfigError(
        f"Cannot map the labels {sorted(labels)} of this sentiment model onto negative..positive. "
        "voc_synth understands POSITIVE/NEGATIVE/NEUTRAL, '1 star'..'5 stars', "
        "'very negative'..'very positive' and LABEL_0..LABEL_k (ordered negative to positive)."
    )


def scores_from_label_scores(results: list[list[dict[str, Any]]]) -> np.ndarray:
    """-1..1 per text from a pipeline's `top_k=None` output (all label scores per text)."""
    out = np.zeros(len(results), dtype=float)
    for i, row in enumerate(results):
        if isinstance(row, dict):
            row = [row]
        values = label_values([r["label"] for r in row])
        total = sum(float(r["score"]) for r in row) or 1.0
        out[i] = sum(values[r["label"]] * float(r["score"]) for r in row) / total
    return np.clip(out, -1.0, 1.0)


def _missing(model: str, detail: str) -> MissingModelError:
    short = model.rstrip("/").split("/")[-1]
    return MissingModelError(
        f"The sentiment model '{model}' is not available offline ({detail}). voc_synth never "
        "downloads models at run time. Fix one of these ways:\n"
        f"  - pass a local folder: sentiment.backend: transformers:/path/to/{short}\n"
        f"  - put the model folder (config.json, weights, tokenizer files) at models/{short}/\n"
        f"  - on a machine with internet, save it once: `huggingface-cli download {model} "
        f"--local-dir models/{short}` and copy that folder here\n"
        "  - or use the default `sentiment.backend: embedded` (shipped) or `vader`."
    )


def resolve_transformers_model(model: str) -> tuple[str, str]:
    """(location, source) of a local model: an explicit folder, models/<name>/, or the HF cache.

    Raises `MissingModelError` with instructions when it is nowhere local.
    """
    from ..models import models_dirs

    path = Path(model).expanduser()
    looks_like_path = model.startswith((".", "/", "~")) or path.exists()
    if looks_like_path:
        if (path / "config.json").is_file():
            return str(path.resolve()), "path"
        if path.exists():
            raise _missing(model, f"{path} has no config.json")
        raise _missing(model, f"no folder at {path}")
    short = model.rstrip("/").split("/")[-1]
    for base in models_dirs():
        candidate = base / short
        if (candidate / "config.json").is_file():
            return str(candidate), "models_dir"
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub comes with transformers
        try_to_load_from_cache = None
    if try_to_load_from_cache is not None:
        cached = try_to_load_from_cache(model, "config.json")
        if isinstance(cached, str):
            return model, "hf_cache"
    raise _missing(model, "not a folder, not in models/, not in the local Hugging Face cache")


@functools.lru_cache(maxsize=2)
def _load_pipeline(location: str) -> Any:
    try:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline
    except ImportError as err:
        raise MissingModelError(
            "The transformers sentiment backend needs the `transformers` package: "
            "`pip install transformers` (keep the CPU torch you have)."
        ) from err
    try:
        tokenizer = AutoTokenizer.from_pretrained(location, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(location, local_files_only=True)
    except (OSError, ValueError) as err:
        raise _missing(location, f"loading failed: {err}") from None
    return pipeline("sentiment-analysis", model=model, tokenizer=tokenizer, device=-1)


@register_backend("transformers")
class TransformersBackend:
    """A local Hugging Face text-classification model, run on the CPU."""

    name = "transformers"

    def __init__(self, model: str | None = None, batch_size: int = 16, **_: Any) -> None:
        if not model:
            raise ConfigError(
                "The transformers sentiment backend needs a model: "
                "`sentiment.backend: transformers:<name-or-path>`."
            )
        self.model = str(model)
        self.location, self.source = resolve_transformers_model(self.model)
        self.batch_size = batch_size
        self.name = f"transformers:{self.model}"

    def score(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros(0, dtype=float)
        classifier = _load_pipeline(self.location)
        results = classifier(texts, batch_size=self.batch_size, truncation=True, top_k=None)
        return scores_from_label_scores(results)

    def describe(self) -> list[Any]:
        from ..models import ModelInfo, folder_size

        size = folder_size(Path(self.location)) if self.source != "hf_cache" else 0
        return [ModelInfo("sentiment", self.model, self.source, self.location, "local", size)]
