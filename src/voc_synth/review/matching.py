"""Theme identity across runs: which theme of a new run is the one a researcher reviewed earlier.

Theme ids are numbers a clustering run hands out; they shift whenever the corpus grows or a
parameter changes. A reviewed theme is therefore remembered by what it is made of — its
segment_ids (stable across runs) and the centroid of its embeddings — and matched to the themes of
a new run by segment overlap (Jaccard) and centroid similarity, one to one, best pairs first.

Segment overlap is measured on the segments both runs know: segments added since (new records)
or removed (records dropped) say nothing about identity, so a theme that grew from 10 to 30
segments with all its old ones still matches fully.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..tables import UNTHEMED_ID

# A pair is accepted when enough of the shared segments agree (Jaccard), or — when the old
# theme's segments are mostly absent from the new run (another corpus) — when the centroids are
# nearly the same direction.
MIN_JACCARD = 0.2
MIN_SCORE = 0.3
MIN_COVERAGE = 0.5  # share of the old theme's segments present in the new run to judge by overlap
CENTROID_ONLY_COSINE = 0.9
# Two clusterings of different material place one theme's centroid a little apart (its mix of
# wordings shifts): a pair below CENTROID_ONLY_COSINE is still accepted when each is the other's
# closest theme, at least this close, and ahead of both runner-ups by the margin. With the demo's
# two quarters re-encoded (branch wip/unpadded-embeddings), "support unreachable" and "size
# information missing" were such pairs (0.87 each); the closest theme of the one that really
# went was not closest back.
CENTROID_MUTUAL_COSINE = 0.8
CENTROID_MUTUAL_MARGIN = 0.05
JACCARD_WEIGHT = 0.6


@dataclass
class Fingerprint:
    """What a theme is made of: its segment_ids and (when embeddings are known) its centroid."""

    segment_ids: frozenset[str]
    centroid: np.ndarray | None = None
    label: str = ""


@dataclass
class Candidate:
    theme_id: int
    score: float
    jaccard: float
    cosine: float | None
    coverage: float


@dataclass
class MatchResult:
    """Which new theme each remembered theme became (`matches`), and why the others found none."""

    matches: dict[int, int] = field(default_factory=dict)
    details: dict[int, Candidate] = field(default_factory=dict)
    unmatched: dict[int, str] = field(default_factory=dict)  # key -> reason
    used_centroids: bool = False


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def centroid_of(vectors: np.ndarray) -> np.ndarray | None:
    """Mean of normalised vectors, normalised again (None for no vectors)."""
    if vectors is None or len(vectors) == 0:
        return None
    mean = normalise(vectors).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else None


def theme_fingerprints(
    segments: pd.DataFrame,
    embeddings: np.ndarray | None,
    labels: Mapping[int, str] | None = None,
    theme_column: str = "theme_id",
) -> dict[int, Fingerprint]:
    """Fingerprints of every theme in `segments` (unthemed excluded).

    `embeddings` must be aligned with `segments` rows (as `Synthesis.embeddings` is after a fresh
    run); pass None when they are unknown (a synthesis loaded from disk).
    """
    labels = labels or {}
    if embeddings is not None and len(embeddings) != len(segments):
        embeddings = None
    ids = segments[theme_column].to_numpy().astype(int)
    seg_ids = segments["segment_id"].astype(str).to_numpy()
    result: dict[int, Fingerprint] = {}
    groups = pd.Series(np.arange(len(ids))).groupby(ids).indices  # one pass, not one per theme
    for theme_id in sorted(int(t) for t in groups if int(t) != UNTHEMED_ID):
        positions = groups[theme_id]
        centroid = centroid_of(embeddings[positions]) if embeddings is not None else None
        result[theme_id] = Fingerprint(frozenset(seg_ids[positions]), centroid, str(labels.get(theme_id, "")))
    return result


def compare(
    old: Fingerprint,
    new: Fingerprint,
    current_universe: frozenset[str] | set[str],
    old_universe: frozenset[str] | set[str] | None,
) -> Candidate:
    """Score one old/new pair (theme_id of the candidate is filled in by the caller)."""
    a = old.segment_ids & current_universe  # old segments the new run still has
    b = new.segment_ids & old_universe if old_universe else new.segment_ids
    coverage = len(a) / len(old.segment_ids) if old.segment_ids else 0.0
    union = len(a | b)
    jaccard = len(a & b) / union if union else 0.0
    cosine = None
    if old.centroid is not None and new.centroid is not None:
        cosine = float(np.dot(normalise(old.centroid), normalise(new.centroid)))
    if cosine is None:
        score = jaccard
    else:
        score = JACCARD_WEIGHT * jaccard + (1 - JACCARD_WEIGHT) * max(0.0, (cosine - 0.5) / 0.5)
    return Candidate(theme_id=-1, score=score, jaccard=jaccard, cosine=cosine, coverage=coverage)


def _acceptable(c: Candidate) -> bool:
    if c.coverage >= MIN_COVERAGE:
        return c.jaccard >= MIN_JACCARD and c.score >= MIN_SCORE
    # The old theme's segments are mostly gone (another corpus): only the centroid can tell.
    if c.cosine is not None and c.cosine >= CENTROID_ONLY_COSINE:
        return True
    return c.jaccard >= MIN_JACCARD and c.score >= MIN_SCORE and c.coverage > 0


def _mutual_centroid_pairs(every: Mapping[tuple[int, int], Candidate], accepted: set[tuple[int, int]],
                           ) -> list[tuple[float, int, int, Candidate]]:
    """Pairs judged by centroid alone (the old theme's segments mostly absent) that are each
    other's closest theme, at `CENTROID_MUTUAL_COSINE` or more, ahead of both runner-ups by
    `CENTROID_MUTUAL_MARGIN` (see there)."""
    cosines: dict[tuple[int, int], float] = {k: c.cosine for k, c in every.items() if c.cosine is not None}
    if not cosines:
        return []
    by_old: dict[int, list[tuple[float, int]]] = {}
    by_new: dict[int, list[tuple[float, int]]] = {}
    for (key, theme_id), cosine in cosines.items():
        by_old.setdefault(key, []).append((cosine, theme_id))
        by_new.setdefault(theme_id, []).append((cosine, key))

    def lead(ranked: list[tuple[float, int]]) -> tuple[int, float]:
        ranked = sorted(ranked, key=lambda x: (-x[0], x[1]))
        return ranked[0][1], ranked[0][0] - (ranked[1][0] if len(ranked) > 1 else -1.0)

    out = []
    for key, ranked in by_old.items():
        theme_id, old_lead = lead(ranked)
        cand = every[key, theme_id]
        if (key, theme_id) in accepted or cand.coverage >= MIN_COVERAGE or cand.cosine < CENTROID_MUTUAL_COSINE:
            continue
        back, new_lead = lead(by_new[theme_id])
        if back == key and min(old_lead, new_lead) >= CENTROID_MUTUAL_MARGIN:
            out.append((cand.score, key, theme_id, cand))
    return out


def match_themes(
    previous: Mapping[int, Fingerprint],
    current: Mapping[int, Fingerprint],
    *,
    old_universe: Iterable[str] | None = None,
    current_universe: Iterable[str] | None = None,
) -> MatchResult:
    """Match remembered themes (`previous`, keyed by review id) to a run's themes (`current`,
    keyed by theme_id), one to one, best-scoring pairs first."""
    cur_universe = frozenset(current_universe) if current_universe is not None else frozenset().union(
        *(fp.segment_ids for fp in current.values())
    )
    old_u = frozenset(old_universe) if old_universe else None
    result = MatchResult()
    pairs: list[tuple[float, int, int, Candidate]] = []
    best: dict[int, Candidate] = {}
    every: dict[tuple[int, int], Candidate] = {}
    for key, old in previous.items():
        for theme_id, new in current.items():
            cand = compare(old, new, cur_universe, old_u)
            cand.theme_id = theme_id
            every[key, theme_id] = cand
            if cand.cosine is not None:
                result.used_centroids = True
            if key not in best or cand.score > best[key].score:
                best[key] = cand
            if _acceptable(cand):
                pairs.append((cand.score, key, theme_id, cand))
    pairs.extend(_mutual_centroid_pairs(every, {(key, theme_id) for _, key, theme_id, _ in pairs}))
    taken: set[int] = set()
    for _, key, theme_id, cand in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if key in result.matches or theme_id in taken:
            continue
        result.matches[key] = theme_id
        result.details[key] = cand
        taken.add(theme_id)
    for key in previous:
        if key in result.matches:
            continue
        cand = best.get(key)
        if cand is None:
            result.unmatched[key] = "the run has no themes"
        elif cand.coverage < MIN_COVERAGE and cand.cosine is None:
            result.unmatched[key] = (
                f"only {cand.coverage:.0%} of its segments are in this run and no embeddings were "
                "available to compare content"
            )
        elif cand.jaccard == 0 and (cand.cosine is None or cand.cosine < CENTROID_ONLY_COSINE):
            result.unmatched[key] = (
                f"none of its segments is in a theme of this run ({cand.coverage:.0%} of them are "
                "still in the corpus, unthemed or dropped)"
            )
        else:
            claimed = " (already matched to another reviewed theme)" if _acceptable(cand) else ""
            cos = f", centroid similarity {cand.cosine:.2f}" if cand.cosine is not None else ""
            result.unmatched[key] = (
                f"no theme of this run matches it: closest is theme {cand.theme_id} "
                f"({cand.jaccard:.0%} shared segments{cos}){claimed}"
            )
    return result
