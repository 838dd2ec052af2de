"""Theme groups: BERTopic's topic hierarchy cut into the 5-12 groups a journey map can show.

`hierarchical_topics()` merges themes pairwise by the distance between their centroids (Ward
linkage); applying its K - G closest merges leaves G groups, each opening into its themes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from bertopic import BERTopic

from .labels import label_from_keywords

MIN_GROUPS = 5
MAX_GROUPS = 12


def default_n_groups(n_themes: int) -> int:
    """About sqrt(2K) groups, within 5-12, and never more groups than themes."""
    if n_themes <= MIN_GROUPS:
        return n_themes
    return int(min(n_themes, max(MIN_GROUPS, min(MAX_GROUPS, round(math.sqrt(2 * n_themes))))))


def cut_hierarchy(hier: pd.DataFrame, topic_ids: list[int], n_groups: int) -> tuple[dict[int, int], dict[int, str]]:
    """Leaf topic -> group index, and group index -> the merge's c-TF-IDF words ("a_b_c").

    `hier` is `BERTopic.hierarchical_topics()` output: one row per merge with the leaf `Topics`
    under it and its `Distance`. The K - G closest merges form G connected groups.
    """
    n_merges = max(0, len(topic_ids) - n_groups)
    merges = hier.sort_values("Distance", kind="stable").head(n_merges)
    parent: dict[int, int] = {t: t for t in topic_ids}

    def find(t: int) -> int:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    words_of_root: dict[int, str] = {}
    for _, row in merges.iterrows():
        leaves = [int(t) for t in row["Topics"] if int(t) in parent]
        if not leaves:
            continue
        root = find(leaves[0])
        for leaf in leaves[1:]:
            other = find(leaf)
            if other != root:
                parent[other] = root
        words_of_root[find(root)] = str(row["Parent_Name"])
    roots = {t: find(t) for t in topic_ids}
    return roots, {r: words_of_root.get(r, "") for r in set(roots.values())}


def assign_groups(model: BERTopic | None, docs: list[str], themes: pd.DataFrame,
                  n_groups: int | None = None, warnings: list[str] | None = None,
                  centroids: np.ndarray | None = None, embedder: Any = None) -> pd.DataFrame:
    """Add `group_id` and `group_label` to `themes` (rows: theme_id, label, keywords, n_segments;
    `centroids` row-aligned with `themes`).

    Groups are numbered by size (segments), largest first. A group of one theme takes that
    theme's label. A larger group is named by the member keyphrases closest in meaning to the
    group's centroid (when an embedder is available), else by the merged c-TF-IDF words.
    """
    themes = themes.copy()
    ids = [int(t) for t in themes["theme_id"]]
    target = n_groups if n_groups else default_n_groups(len(ids))
    target = max(1, min(target, len(ids))) if ids else 0
    groups: dict[int, int] = {t: t for t in ids}
    merged_words: dict[int, str] = {}
    if model is not None and len(ids) > target >= 1:
        try:
            representation = model.representation_model
            # The hierarchy only needs c-TF-IDF words for parent names; fine-tuning every
            # merge with KeyBERT would embed thousands of words for nothing.
            model.representation_model = None
            try:
                hier = model.hierarchical_topics(docs, use_ctfidf=False)
            finally:
                model.representation_model = representation
            groups, merged_words = cut_hierarchy(hier, ids, target)
        except Exception as err:  # noqa: BLE001 - a hierarchy is a convenience, never fatal
            if warnings is not None:
                warnings.append(f"Theme groups could not be built ({err}); each theme is its own group.")
            groups = {t: t for t in ids}
    themes["_root"] = [groups[t] for t in ids]
    sizes = themes.groupby("_root")["n_segments"].sum()
    order = sorted(sizes.index, key=lambda r: (-int(sizes[r]), int(r)))
    group_index = {root: i for i, root in enumerate(order)}
    labels: dict[int, str] = {}
    for root in order:
        members = themes[themes["_root"] == root].sort_values("n_segments", ascending=False, kind="stable")
        if len(members) == 1:
            labels[root] = str(members["label"].iloc[0])
        else:
            words = _central_phrases(members, themes, centroids, embedder)
            if not words:
                words = [w for w in merged_words.get(root, "").split("_") if w]
            label = label_from_keywords(words, max_phrases=2)
            labels[root] = label if label and not label.startswith("Unlabelled") else str(members["label"].iloc[0])
    themes["group_id"] = [group_index[r] for r in themes["_root"]]
    themes["group_label"] = [labels[r] for r in themes["_root"]]
    return themes.drop(columns="_root")


def _central_phrases(members: pd.DataFrame, themes: pd.DataFrame, centroids: np.ndarray | None,
                     embedder: Any) -> list[str]:
    """Member themes' keyphrases ranked by cosine similarity to the size-weighted group centroid."""
    if embedder is None or centroids is None or not len(centroids):
        return []
    positions = [themes.index.get_loc(i) for i in members.index]
    weights = members["n_segments"].to_numpy(dtype=float)
    center = (centroids[positions] * weights[:, None]).sum(axis=0)
    center /= np.linalg.norm(center) or 1.0
    candidates: list[str] = []
    source: list[int] = []
    column = "_phrases" if "_phrases" in members.columns else "keywords"
    for k, words in enumerate(members[column]):
        for w in list(words)[:6]:
            if w not in candidates:
                candidates.append(w)
                source.append(k)
    if not candidates:
        return []
    try:
        vectors = np.asarray(embedder.embed(candidates), dtype=np.float32)
    except Exception:  # noqa: BLE001 - fall back to c-TF-IDF words
        return []
    ranked = [int(i) for i in np.argsort(-(vectors @ center), kind="stable")]
    # The most central phrase first, then the most central one from *another* member theme,
    # so the label names two things the group holds rather than one theme twice.
    first = ranked[0]
    second = next((i for i in ranked if source[i] != source[first]), None)
    head = [first] + ([second] if second is not None else [])
    return [candidates[i] for i in head] + [candidates[i] for i in ranked if i not in head]
