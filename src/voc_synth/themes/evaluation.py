"""Evaluation of theme quality against labelled intents (`data/themes_eval/` in a source checkout).

Used by `scripts/eval_themes.py` and the tests: the same embeddings go to plain BERTopic (its
default settings; only UMAP's random_state fixed for repeatability) and to `find_themes()` at its
defaults, and both are scored with NMI and ARI against the intents (unthemed segments count as
one more cluster, as BERTopic's -1 does) and by the share left unthemed.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import EmbeddingConfig, ThemeConfig
from ..errors import InputError

EVAL_SET = Path(__file__).resolve().parents[3] / "data" / "themes_eval" / "queries.csv"


def load_eval_set(n_intents: int | None = None, per_intent: int | None = None, seed: int = 0,
                  path: Path = EVAL_SET) -> pd.DataFrame:
    """The labelled queries (query_id, text, intent, kind, source_type), optionally a random
    subset of `n_intents` intents and `per_intent` queries of each."""
    if not path.is_file():
        raise InputError(f"The theme evaluation set is not at {path}; it ships with the source checkout.")
    data = pd.read_csv(path)
    rng = np.random.RandomState(seed)
    if n_intents is not None:
        intents = sorted(data["intent"].unique())
        keep = set(rng.choice(intents, size=min(n_intents, len(intents)), replace=False))
        data = data[data["intent"].isin(keep)]
    if per_intent is not None:
        data = sample_per_intent(data, lambda intent: per_intent, seed)
    return data.sort_values("query_id").reset_index(drop=True)


def sample_per_intent(data: pd.DataFrame, size_of: Callable[[str], int], seed: int) -> pd.DataFrame:
    """`size_of(intent)` random queries of each intent."""
    parts = [group.sample(n=min(int(size_of(intent)), len(group)), random_state=seed)
             for intent, group in data.groupby("intent", sort=True)]
    return pd.concat(parts).sort_values("query_id").reset_index(drop=True)


def as_segments(data: pd.DataFrame) -> pd.DataFrame:
    """The queries as a segments table (one document and one customer per query)."""
    return pd.DataFrame({
        "segment_id": data["query_id"].to_numpy(), "doc_id": data["query_id"].to_numpy(),
        "participant": data["query_id"].to_numpy(), "source_type": data["source_type"].to_numpy(),
        "text": data["text"].to_numpy(),
    })


def score(labels_true: np.ndarray, labels_pred: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    pred = np.asarray(labels_pred)
    return {
        "nmi": float(normalized_mutual_info_score(labels_true, pred)),
        "ari": float(adjusted_rand_score(labels_true, pred)),
        "unthemed": float(np.mean(pred == -1)),
        "n_themes": int(len(set(pred.tolist()) - {-1})),
    }


def run_plain_bertopic(texts: list[str], embeddings: np.ndarray, seed: int) -> np.ndarray:
    """BERTopic with default settings on precomputed embeddings (no embedding model: nothing
    is downloaded)."""
    from bertopic import BERTopic
    from umap import UMAP

    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                      low_memory=False, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topics, _ = BERTopic(umap_model=umap_model).fit_transform(texts, embeddings)
    return np.asarray(topics)


def evaluate(data: pd.DataFrame, seed: int = 42, embedding_config: EmbeddingConfig | None = None,
             config: ThemeConfig | None = None, embeddings: np.ndarray | None = None) -> dict[str, dict[str, float]]:
    """Scores (nmi, ari, unthemed, n_themes, seconds) of plain BERTopic and of `find_themes`."""
    from ..embed import embed_texts
    from .core import find_themes

    embedding_config = embedding_config or EmbeddingConfig()
    texts = data["text"].tolist()
    if embeddings is None:
        embeddings = embed_texts(texts, embedding_config)
    y = data["intent"].to_numpy()
    out: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    plain = run_plain_bertopic(texts, embeddings, seed)
    out["plain"] = score(y, plain) | {"seconds": time.perf_counter() - started}
    started = time.perf_counter()
    result = find_themes(as_segments(data), embeddings, config or ThemeConfig(), seed=seed,
                         embedding_config=embedding_config)
    out["ours"] = score(y, result.assignments["theme_id"].to_numpy()) | {
        "seconds": time.perf_counter() - started}
    return out
