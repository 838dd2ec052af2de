"""Split a theme that swallowed the corpus, choosing the finer grain by measuring it.

When everyone talks about one broad subject (a study of 30 interviews about one product, a
think-aloud of one dashboard), HDBSCAN's excess-of-mass selection often returns one cluster
holding nearly everything: the density hierarchy has no strong split near the root, so the root
wins. A researcher would code that material into a few dozen finer themes.

`split_giant_themes` re-examines every theme above `max_share` of the themed segments:

1. its members are laid out again by their own UMAP (local structure a global layout squashes);
2. candidate clusterings of that layout are made with HDBSCAN at several grains
   (min cluster size from the run's own minimum up to 3×, excess-of-mass and leaf selection);
3. each candidate is scored by **stability**: the adjusted Rand index between its labels and
   the labels the same settings give on random 80% subsamples (two draws, fixed seed). Noise is
   kept as a label, so a candidate that leaves most points out scores low;
4. among candidates whose largest part is within `max_share`, the most stable wins; when none
   is, the one with the smallest largest part is taken and that part examined again (up to
   `MAX_DEPTH` levels).

Nothing here is fitted to a corpus: the grains are multiples of the run's own minimum theme
size, and the choice is the measured stability. When no candidate splits the theme at all, it
stays whole and `SplitReport.unsplittable` says so, so the run can tell the user the data really
is about one thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..tables import UNTHEMED_ID
from .params import default_min_samples, default_n_neighbors

MAX_THEME_SHARE = 0.25
MAX_DEPTH = 3
GRAIN_FACTORS = (1.0, 1.5, 2.0, 3.0)
SUBSAMPLE_SHARE = 0.8
SUBSAMPLE_DRAWS = 2
# Below this many members a theme is not split: too few points for a density estimate.
MIN_MEMBERS_TO_SPLIT = 60


@dataclass
class Candidate:
    min_cluster_size: int
    selection: str
    labels: np.ndarray
    stability: float

    @property
    def n_clusters(self) -> int:
        return len(set(self.labels.tolist()) - {UNTHEMED_ID})

    def largest(self) -> int:
        kept = self.labels[self.labels != UNTHEMED_ID]
        return int(np.bincount(kept).max()) if len(kept) else 0


@dataclass
class SplitReport:
    """What was split, into how many parts, and how stable the chosen split was."""

    splits: list[dict[str, object]] = field(default_factory=list)
    unsplittable: list[int] = field(default_factory=list)  # sizes of themes that stayed whole

    def to_dict(self) -> dict[str, object]:
        return {"splits": self.splits, "unsplittable": self.unsplittable}


def _hdbscan_labels(points: np.ndarray, min_cluster_size: int, selection: str) -> np.ndarray:
    from hdbscan import HDBSCAN

    clusterer = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=default_min_samples(min_cluster_size),
                        metric="euclidean", cluster_selection_method=selection)
    return np.asarray(clusterer.fit(points).labels_, dtype=int)


def _stability(points: np.ndarray, labels: np.ndarray, min_cluster_size: int, selection: str, seed: int) -> float:
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.RandomState(seed)
    n = len(points)
    scores = []
    for _ in range(SUBSAMPLE_DRAWS):
        idx = np.sort(rng.choice(n, size=int(n * SUBSAMPLE_SHARE), replace=False))
        sub = _hdbscan_labels(points[idx], max(2, int(round(min_cluster_size * SUBSAMPLE_SHARE))), selection)
        scores.append(adjusted_rand_score(labels[idx], sub))
    return float(np.mean(scores))


def _layout(vectors: np.ndarray, seed: int, cache_dir: Path | None) -> np.ndarray:
    from .reduce import CachedUMAP

    reducer = CachedUMAP(n_neighbors=max(2, min(default_n_neighbors(len(vectors)), len(vectors) - 1)),
                         n_components=5, min_dist=0.0, random_state=seed, cache_dir=cache_dir)
    reducer.fit(vectors)
    return np.asarray(reducer.embedding_, dtype=np.float32)


def candidate_splits(points: np.ndarray, base_size: int, seed: int) -> list[Candidate]:
    """HDBSCAN clusterings of `points` at each grain and selection method, with their stability."""
    out = []
    seen: set[tuple[int, str]] = set()
    for factor in GRAIN_FACTORS:
        size = max(5, int(round(base_size * factor)))
        for selection in ("eom", "leaf"):
            if (size, selection) in seen or size * 2 > len(points):
                continue
            seen.add((size, selection))
            labels = _hdbscan_labels(points, size, selection)
            if len(set(labels.tolist()) - {UNTHEMED_ID}) < 2:
                continue
            out.append(Candidate(size, selection, labels, _stability(points, labels, size, selection, seed)))
    return out


def split_giant_themes(unit: np.ndarray, topics: np.ndarray, base_size: int, seed: int,
                       cache_dir: Path | None = None, max_share: float = MAX_THEME_SHARE,
                       keep: set[int] | frozenset[int] = frozenset()) -> tuple[np.ndarray, SplitReport]:
    """`topics` with every theme above `max_share` of the themed segments split (see module doc).

    `unit`: the normalised embeddings; `base_size`: the run's minimum theme size; `keep`: theme
    ids never split (codebook themes: the researcher named them). New theme ids
    are appended after the existing ones; members a split leaves out become unthemed (-1), for
    outlier reassignment to place or leave out like any other outlier.
    """
    topics = topics.copy()
    report = SplitReport()
    queue = [(int(t), 0) for t in sorted(set(topics.tolist()) - {UNTHEMED_ID} - set(keep))]
    while queue:
        theme, depth = queue.pop(0)
        members = np.flatnonzero(topics == theme)
        themed = int((topics != UNTHEMED_ID).sum())
        if not themed or len(members) <= max_share * themed or len(members) < MIN_MEMBERS_TO_SPLIT:
            continue
        if depth >= MAX_DEPTH:
            report.unsplittable.append(len(members))
            continue
        points = _layout(unit[members], seed, cache_dir)
        candidates = candidate_splits(points, base_size, seed)
        if not candidates:
            report.unsplittable.append(len(members))
            continue
        # The cap is on the whole run's themed segments, after this split's own noise leaves.
        fitting = [c for c in candidates
                   if c.largest() <= max_share * (themed - int((c.labels == UNTHEMED_ID).sum()))]
        chosen = (max(fitting, key=lambda c: (c.stability, -c.min_cluster_size, c.selection)) if fitting
                  else min(candidates, key=lambda c: (c.largest(), -c.stability)))
        next_id = int(topics.max()) + 1
        parts = sorted(set(chosen.labels.tolist()) - {UNTHEMED_ID},
                       key=lambda p: -int((chosen.labels == p).sum()))
        new_ids = []
        for i, part in enumerate(parts):
            target = theme if i == 0 else next_id + i - 1
            topics[members[chosen.labels == part]] = target
            new_ids.append(target)
        topics[members[chosen.labels == UNTHEMED_ID]] = UNTHEMED_ID
        report.splits.append({
            "members": len(members), "parts": len(parts), "min_cluster_size": chosen.min_cluster_size,
            "selection": chosen.selection, "stability": round(chosen.stability, 3),
            "left_out": int((chosen.labels == UNTHEMED_ID).sum()),
            "candidates": [{"min_cluster_size": c.min_cluster_size, "selection": c.selection,
                            "parts": c.n_clusters, "stability": round(c.stability, 3),
                            "largest": c.largest()} for c in candidates],
        })
        queue.extend((t, depth + 1) for t in new_ids)
    return topics, report
