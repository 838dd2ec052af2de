"""Building the BERTopic model: its sub-models, our embedder wrapper and the fallback clusterers.

BERTopic never downloads anything here: it gets precomputed segment embeddings, and for the
few texts it must embed itself (keyword candidates, representative documents, codebook themes)
a `CachedEmbedder` that goes through `embed_texts()` — the same locally resolved model and the
same on-disk cache as the segments.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from bertopic import BERTopic
from bertopic.backend import BaseEmbedder
from bertopic.dimensionality import BaseDimensionalityReduction
from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance
from bertopic.vectorizers import ClassTfidfTransformer
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import CountVectorizer

from ..config import CodebookEntry, EmbeddingConfig, ThemeConfig
from ..embed import embed_texts
from ..embedding_cache import EmbeddingCache
from .params import SMALL_CORPUS_DISTANCE, TOKEN_PATTERN, ThemeParams, stop_words
from .reduce import CachedUMAP


class CachedEmbedder(BaseEmbedder):
    """A BERTopic embedding backend over `embed_texts()` (local model, on-disk cache).

    Codebook theme names are special: BERTopic's zero-shot step embeds the *names* in
    `zeroshot_topic_list`, but a name alone ("Late delivery") is a poor anchor. For a codebook
    name this backend returns the normalised mean of the name's and its example phrases'
    embeddings (and its definition's), so the researcher's words steer what the theme attracts.
    """

    def __init__(self, config: EmbeddingConfig, cache: EmbeddingCache | None = None,
                 codebook: list[CodebookEntry] | None = None):
        super().__init__()
        self.config = config
        self.cache = cache
        self._anchors: dict[str, np.ndarray] = {}
        self._code_vectors: dict[str, np.ndarray] = {}
        for entry in codebook or []:
            vectors = self._embed(entry.texts)
            self._code_vectors[entry.name] = vectors
            anchor = vectors.mean(axis=0)
            self._anchors[entry.name] = anchor / (np.linalg.norm(anchor) or 1.0)

    def _embed(self, texts: list[str]) -> np.ndarray:
        return embed_texts(texts, self.config, cache=self.cache, record=False)

    def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
        documents = [str(d) for d in documents]
        out = self._embed(documents) if documents else np.zeros((0, 0), dtype=np.float32)
        for i, doc in enumerate(documents):
            if doc in self._anchors:
                out[i] = self._anchors[doc]
        return out

    def anchor(self, name: str) -> np.ndarray | None:
        return self._anchors.get(name)

    def code_vectors(self, name: str) -> np.ndarray:
        """One row per text of a codebook entry: its name, definition and each example."""
        return self._code_vectors[name]


class FixedLabels:
    """A 'clusterer' that returns labels decided beforehand (one theme for a degenerate corpus)."""

    def __init__(self, labels: np.ndarray):
        self.labels = np.asarray(labels)

    def fit(self, X: np.ndarray, y: object = None) -> FixedLabels:  # noqa: N803 - sklearn style
        self.labels_ = self.labels[: len(X)].copy()
        return self


class SmallCorpusClusterer:
    """Average-linkage cosine clustering of the raw embeddings for corpora too small for
    UMAP + HDBSCAN. Clusters smaller than `min_size` become outliers (-1), like HDBSCAN noise."""

    def __init__(self, distance_threshold: float = SMALL_CORPUS_DISTANCE, min_size: int = 2):
        self.distance_threshold = distance_threshold
        self.min_size = min_size

    def fit(self, X: np.ndarray, y: object = None) -> SmallCorpusClusterer:  # noqa: N803
        X = np.asarray(X, dtype=np.float64)
        if len(X) < 2:
            self.labels_ = np.zeros(len(X), dtype=int)
            return self
        raw = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                      distance_threshold=self.distance_threshold).fit(X).labels_
        sizes = np.bincount(raw)
        keep = [c for c in np.argsort(-sizes, kind="stable") if sizes[c] >= self.min_size]
        remap = {int(c): i for i, c in enumerate(keep)}
        self.labels_ = np.array([remap.get(int(c), -1) for c in raw], dtype=int)
        self.probabilities_ = np.where(self.labels_ >= 0, 1.0, 0.0)
        return self


def make_vectorizer(config: ThemeConfig, use_stop_words: bool = True) -> CountVectorizer:
    """1-2-gram counts over words of 2+ letters, without English, domain and user stop words.

    min_df stays 1: BERTopic fits this on one concatenated document *per theme*, so any higher
    min_df would drop exactly the words that distinguish a theme.
    """
    return CountVectorizer(
        ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, lowercase=True,
        stop_words=stop_words(config.stop_words) if use_stop_words else None,
    )


def make_representation(config: ThemeConfig) -> list[object] | None:
    """KeyBERTInspired then MMR, as a *list*: BERTopic passes precomputed embeddings to a lone
    KeyBERTInspired and (0.17) indexes them with positions in its representative-document list
    rather than document ids, so on its own it would compare words to the wrong documents. In a
    list it embeds its representative documents itself (cheap: five per theme, cached)."""
    models: list[object] = []
    if config.representation in ("keybert+mmr", "keybert"):
        models.append(KeyBERTInspired(top_n_words=max(config.n_keywords, 15), nr_repr_docs=5,
                                      nr_candidate_words=40, random_state=42))
    if config.representation in ("keybert+mmr", "mmr"):
        models.append(MaximalMarginalRelevance(diversity=0.3, top_n_words=config.n_keywords))
    return models or None


def make_topic_model(
    params: ThemeParams,
    config: ThemeConfig,
    seed: int,
    embedder: CachedEmbedder | None,
    fixed_labels: np.ndarray | None = None,
    use_stop_words: bool = True,
    reduction_cache: Path | None = None,
) -> BERTopic:
    """A BERTopic with real sub-models for `params.method`; representations are added later
    (by `update_topics`) so they are computed once, on the final assignments.

    The UMAP is `CachedUMAP` (exact neighbours; output cached in `reduction_cache` when given).
    """
    if params.method == "bertopic":
        from hdbscan import HDBSCAN

        reducer: object = CachedUMAP(
            n_neighbors=params.n_neighbors, n_components=params.n_components, min_dist=0.0,
            random_state=seed, cache_dir=reduction_cache, n_epochs=params.n_epochs, init=params.umap_init,
        )
        clusterer: object = HDBSCAN(
            min_cluster_size=params.min_cluster_size, min_samples=params.min_samples,
            metric="euclidean", cluster_selection_method=params.cluster_selection_method,
            prediction_data=True,
        )
    elif params.method == "agglomerative":
        reducer = BaseDimensionalityReduction()
        clusterer = SmallCorpusClusterer(min_size=params.min_cluster_size)
    else:
        reducer = BaseDimensionalityReduction()
        clusterer = FixedLabels(fixed_labels if fixed_labels is not None else np.zeros(0, dtype=int))
    # Deductive coding assigns codes itself (codebook.py); only guided mode uses zero-shot topics.
    codebook = config.codebook if params.method != "single" and config.codebook_mode == "guided" else []
    return BERTopic(
        embedding_model=embedder,
        umap_model=reducer,
        hdbscan_model=clusterer,
        vectorizer_model=make_vectorizer(config, use_stop_words),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=None,
        zeroshot_topic_list=[e.name for e in codebook] or None,
        zeroshot_min_similarity=config.codebook_min_similarity,
        top_n_words=config.n_keywords,
        calculate_probabilities=False,
        verbose=False,
    )


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence the chatter of UMAP/HDBSCAN/BERTopic (warnings about n_jobs with a random_state,
    tqdm bars in hierarchical_topics) without touching global logging for the caller."""
    import bertopic._bertopic as bertopic_module

    original_tqdm = getattr(bertopic_module, "tqdm", None)
    # BERTopic logs a warning on every update_topics(topics=...) call, which we do on purpose.
    bertopic_logger = logging.getLogger("BERTopic")
    level = bertopic_logger.level
    bertopic_logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs value.*overridden.*")
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", message=".*force_all_finite.*")
        warnings.filterwarnings("ignore", message=".*SettingWithCopy.*")
        warnings.filterwarnings("ignore", message=".*A value is trying to be set on a copy.*")
        if original_tqdm is not None:
            bertopic_module.tqdm = lambda iterable, *a, **k: iterable
        try:
            yield
        finally:
            if original_tqdm is not None:
                bertopic_module.tqdm = original_tqdm
            bertopic_logger.setLevel(level)
