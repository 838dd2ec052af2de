"""Themes for a corpus too large to cluster whole: find them on a stratified sample, then give
every other segment the theme whose centroid it is closest to.

Below `execution.theme_sample` segments nothing changes (`find_themes` on the whole corpus), so
a corpus that small gets exactly the themes it always got, here or on a cluster. Above it, the
sample keeps each source type's share of the corpus (interviews are not drowned by a million
reviews) and is drawn by a hash of each segment's id and the seed, so the same corpus always
gives the same sample whatever its row order. The rest is assigned as BERTopic's
`reduce_outliers(strategy="embeddings")` assigns an outlier: to the nearest theme centroid when
the cosine reaches the theme step's outlier threshold, else unthemed — on the workers when a
cluster session is current (`assign_partition`), else here. Theme sizes, documents,
participants and source mix are then counted over the whole corpus.

`tests/test_distributed_themes.py` measures how well this agrees with a fit on the whole corpus.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..config import EmbeddingConfig, ThemeConfig
from ..tables import UNTHEMED_ID
from .active import current_session
from .partitions import Partition, content_hash, partition_key, ranges, run_partitions
from .store import Arrays

if TYPE_CHECKING:
    from ..themes import ThemeResult

#: Segments per assignment partition come in multiples of this: any size gives the same result
#: (one matrix product per row block), so `execution.partition_size` decides alone.
GRAIN = 1


def stratified_sample(segments: pd.DataFrame, size: int, seed: int, by: str = "source_type") -> np.ndarray:
    """Sorted positions of `size` rows of `segments`: each value of `by` gets its share of the
    sample (largest remainders), and within it the rows whose hash of (seed, segment_id) comes
    first — the same rows whatever the order of the table."""
    n = len(segments)
    if size >= n:
        return np.arange(n)
    strata = (segments[by].fillna("").astype(str) if by in segments.columns
              else pd.Series([""] * n, index=segments.index)).to_numpy()
    ids = (segments["segment_id"].astype(str) if "segment_id" in segments.columns
           else pd.Series(np.arange(n).astype(str), index=segments.index)).to_numpy()
    counts = Counter(strata.tolist())
    names = sorted(counts)
    exact = {name: size * counts[name] / n for name in names}
    quota = {name: int(exact[name]) for name in names}
    by_remainder = sorted(names, key=lambda name: (-(exact[name] - quota[name]), name))
    for name in by_remainder[:size - sum(quota.values())]:
        quota[name] += 1
    rank = np.array([hashlib.sha1(f"{seed}\x1f{i}".encode()).digest() for i in ids], dtype=object)
    chosen: list[np.ndarray] = []
    for name in names:
        rows = np.flatnonzero(strata == name)
        order = sorted(rows.tolist(), key=lambda r: rank[r])
        chosen.append(np.array(order[:quota[name]], dtype=np.int64))
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)


def find_themes_sampled(
    segments: pd.DataFrame,
    embeddings: np.ndarray,
    config: ThemeConfig | None = None,
    *,
    seed: int = 42,
    progress: Any = None,
    embedding_config: EmbeddingConfig | None = None,
    sample_size: int = 150_000,
) -> ThemeResult:
    """`themes.find_themes`, on a stratified sample of `sample_size` segments when there are more
    (see the module docstring); the result covers every segment."""
    from ..themes import find_themes

    config = config or ThemeConfig()
    if len(segments) <= sample_size:
        return find_themes(segments, embeddings, config, seed=seed, progress=progress,
                           embedding_config=embedding_config)
    positions = stratified_sample(segments, sample_size, seed)
    result = find_themes(segments.iloc[positions], embeddings[positions], config, seed=seed, progress=progress,
                         embedding_config=embedding_config)
    rest = np.setdiff1d(np.arange(len(segments)), positions, assume_unique=True)
    threshold = result.params.get("outlier_threshold")
    threshold = config.outlier_threshold if threshold is None else float(threshold)
    theme_ids = result.themes["theme_id"].to_numpy(dtype=np.int64)
    assigned, similarity = assign_to_themes(np.asarray(embeddings)[rest], result.centroids, theme_ids, threshold,
                                            progress=progress)
    return _whole_corpus(result, segments, embeddings, positions, rest, assigned, similarity, threshold)


def assign_to_themes(embeddings: np.ndarray, centroids: np.ndarray, theme_ids: np.ndarray, threshold: float,
                     progress: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """(theme id, cosine to its centroid) for each row: the nearest centroid's theme when the cosine
    reaches `threshold`, else UNTHEMED_ID (and 0). On the workers when a session is current."""
    from ..embed import ProgressAdapter

    n = len(embeddings)
    session = current_session()
    tracker = ProgressAdapter(progress, n, "Assigning segments to themes")
    try:
        if session is None or not session.takes(n, GRAIN) or not len(centroids):
            out = assign_partition(centroids, theme_ids, threshold, embeddings)
            tracker.advance(n)
            return out["theme_id"], out["similarity"]
        recipe = {"centroids": content_hash(centroids), "ids": theme_ids, "threshold": threshold}
        bounds = ranges(n, session.partition_items(GRAIN))
        partitions = [Partition(partition_key("themes", recipe, np.ascontiguousarray(embeddings[a:b])),
                                (np.ascontiguousarray(embeddings[a:b]),), b - a) for a, b in bounds]
        ids, sims = np.full(n, UNTHEMED_ID, dtype=np.int64), np.zeros(n, dtype=float)

        def on_result(i: int, arrays: Arrays) -> None:
            start, stop = bounds[i]
            ids[start:stop], sims[start:stop] = arrays["theme_id"], arrays["similarity"]

        run_partitions(session, "themes", assign_partition, partitions, on_result,
                       shared=[centroids, theme_ids, threshold], advance=tracker.advance)
        return ids, sims
    finally:
        tracker.close()


def assign_partition(centroids: np.ndarray, theme_ids: np.ndarray, threshold: float, embeddings: np.ndarray) -> Arrays:
    """Nearest-centroid themes of one block of embeddings (see `assign_to_themes`)."""
    x = np.asarray(embeddings, dtype=np.float32)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    if not len(centroids) or not len(x):
        return {"theme_id": np.full(len(x), UNTHEMED_ID, dtype=np.int64), "similarity": np.zeros(len(x))}
    sims = x @ np.asarray(centroids, dtype=np.float32).T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(x)), best].astype(float)
    themed = best_sim >= threshold
    return {"theme_id": np.where(themed, np.asarray(theme_ids)[best], UNTHEMED_ID).astype(np.int64),
            "similarity": np.where(themed, best_sim, 0.0)}


def _whole_corpus(result: ThemeResult, segments: pd.DataFrame, embeddings: np.ndarray, positions: np.ndarray,
                  rest: np.ndarray, assigned: np.ndarray, similarity: np.ndarray, threshold: float) -> ThemeResult:
    """`result` (fitted on the sample) extended to every segment, theme counts recomputed."""
    from ..themes import UNTHEMED_LABEL

    label_of = dict(zip(result.themes["theme_id"], result.themes["label"], strict=True))
    others = pd.DataFrame({
        "theme_id": assigned,
        "theme_label": [label_of.get(int(t), UNTHEMED_LABEL) for t in assigned],
        "theme_probability": np.clip(similarity, 0.0, 1.0).round(4),
        "theme_similarity": similarity.round(4),
    }, index=segments.index[rest])
    assignments = pd.concat([result.assignments, others]).loc[segments.index]
    themes = result.themes.copy()
    if len(themes):
        themes = _recount(themes, segments, np.asarray(embeddings), assignments["theme_id"].to_numpy(),
                          result.centroids)
    n, n_sample = len(segments), len(positions)
    warnings = list(result.warnings)
    warnings.append(
        f"Themes were found on a stratified sample of {n_sample:,} of {n:,} segments (execution.theme_sample); "
        f"the other {len(rest):,} joined the theme nearest in meaning (cosine at least {threshold:g}), "
        f"{int((assigned == UNTHEMED_ID).sum()):,} of them none.")
    params = {**result.params, "sample": {"size": n_sample, "of": n, "assigned": int(len(rest)),
                                          "assigned_unthemed": int((assigned == UNTHEMED_ID).sum())}}
    return replace(result, assignments=assignments, themes=themes, warnings=warnings, params=params)


def _recount(themes: pd.DataFrame, segments: pd.DataFrame, embeddings: np.ndarray, topics: np.ndarray,
             centroids: np.ndarray) -> pd.DataFrame:
    """Theme sizes, documents, participants, source mix and centroid similarity over all segments
    (as `themes.core` counts them on the segments it clustered)."""
    def column(name: str, default: str = "") -> pd.Series:
        if name in segments.columns:
            return segments[name].fillna(default).astype(str)
        return pd.Series([default] * len(segments), index=segments.index, dtype=object)

    doc_ids, participants, sources = column("doc_id"), column("participant"), column("source_type", "unknown")
    unit = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    rows = {"n_segments": [], "n_documents": [], "n_participants": [], "source_mix": [], "centroid_similarity": []}
    for i, theme_id in enumerate(themes["theme_id"].tolist()):
        mask = topics == theme_id
        rows["n_segments"].append(int(mask.sum()))
        rows["n_documents"].append(int(doc_ids[mask].replace("", np.nan).nunique()) or int(mask.sum()))
        rows["n_participants"].append(int(participants[mask].replace("", np.nan).nunique()))
        rows["source_mix"].append({str(s): int(c) for s, c in sorted(Counter(sources[mask].tolist()).items())})
        rows["centroid_similarity"].append(float(np.round((unit[mask] @ centroids[i]).mean(), 4)) if mask.any() else 0.0)
    for name, values in rows.items():
        themes[name] = values
    return themes
