"""Which theme of one run is which theme of the other: the review matcher, applied across runs.

`voc_synth.review.matching` already knows how to recognise a theme in another run — by the
segments both runs share (Jaccard) and by the centroid of its embeddings — and pairs themes one
to one, best pairs first. A segment is known to both runs when its text is in both (normalised:
a re-run of one corpus keeps its texts even when ids shift). When the runs share most of their
texts (a re-run) the matcher judges by overlap and centroids; when they do not (another quarter:
every record new), a handful of sentences said again in both says little about identity — a
sentence clustered with one theme in A can sit with another in B — so the matcher is given no
overlap to judge by and pairs by centroids alone.

Two clusterings cut the same material differently (one run splits "late delivery" in two, the
other does not), so one-to-one pairing leaves pieces over. Each left-over theme is matched again,
by the same rules, against every theme of the other run; themes linked this way form a *family*,
and a family is what the comparison counts and tests. A family with themes in only one run is a
candidate for "new" or "gone"; whether it is one is left to the statistics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..review.matching import (
    MIN_COVERAGE,
    Fingerprint,
    MatchResult,
    match_themes,
    normalise,
    theme_fingerprints,
)

_NON_WORD = re.compile(r"[^0-9a-z]+")


def content_key(text: object) -> str:
    """A segment's identity across runs: its text, lower-cased, punctuation and spacing folded."""
    return _NON_WORD.sub(" ", str(text).lower()).strip()


def shared_share(segments_a: pd.DataFrame, segments_b: pd.DataFrame) -> float:
    """How much of their material two runs share: distinct texts in both over the smaller run's."""
    texts_a, texts_b = set(segments_a["text"].map(content_key)), set(segments_b["text"].map(content_key))
    return len(texts_a & texts_b) / max(1, min(len(texts_a), len(texts_b)))


def segment_keys(segments_a: pd.DataFrame, segments_b: pd.DataFrame) -> tuple[pd.Series, pd.Series, float]:
    """What each run's segments are known by when matching, and the share of texts they share.

    Runs sharing at least `MIN_COVERAGE` of their texts (the matcher's own bar for judging by
    overlap) are keyed by text; other runs by keys no segment of the other run has.
    """
    share = shared_share(segments_a, segments_b)
    if share >= MIN_COVERAGE:
        return segments_a["text"].map(content_key), segments_b["text"].map(content_key), share
    return "a:" + segments_a["segment_id"].astype(str), "b:" + segments_b["segment_id"].astype(str), share


def run_fingerprints(segments: pd.DataFrame, keys: pd.Series, embeddings: np.ndarray,
                     labels: dict[int, str]) -> dict[int, Fingerprint]:
    """The fingerprint of each theme of a run, its segments known by `keys` (see `segment_keys`)."""
    return theme_fingerprints(segments.assign(segment_id=keys.to_numpy()), embeddings, labels)


@dataclass
class Link:
    """Why two themes were put in one family (from the matcher's scores)."""

    theme_a: int
    theme_b: int
    jaccard: float
    cosine: float | None
    one_to_one: bool


@dataclass
class Family:
    """Themes of run A and of run B that are one subject."""

    themes_a: list[int] = field(default_factory=list)
    themes_b: list[int] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """`both`, `only_a` or `only_b`."""
        return "both" if self.themes_a and self.themes_b else "only_a" if self.themes_a else "only_b"

    @property
    def members(self) -> list[tuple[str, int]]:
        """Its themes as (run, theme_id), run "a" or "b"."""
        return [("a", t) for t in self.themes_a] + [("b", t) for t in self.themes_b]

    def merged(self, other: Family) -> Family:
        """This family and `other` as one."""
        return Family(sorted(self.themes_a + other.themes_a), sorted(self.themes_b + other.themes_b),
                      self.links + other.links)


@dataclass
class Pairing:
    """The families of two runs' themes."""

    families: list[Family]


def closest_across(themes_a: dict[int, Fingerprint], themes_b: dict[int, Fingerprint]) -> dict[tuple[str, int], tuple[str, int]]:
    """For every theme of each run, the theme of the other run whose centroid is most similar."""
    keys_a, keys_b = list(themes_a), list(themes_b)
    if not keys_a or not keys_b:
        return {}
    centroids_a = normalise(np.stack([themes_a[k].centroid for k in keys_a]))
    centroids_b = normalise(np.stack([themes_b[k].centroid for k in keys_b]))
    similarity = centroids_a @ centroids_b.T
    out = {("a", k): ("b", keys_b[int(j)]) for k, j in zip(keys_a, similarity.argmax(axis=1), strict=True)}
    out.update({("b", k): ("a", keys_a[int(i)]) for k, i in zip(keys_b, similarity.argmax(axis=0), strict=True)})
    return out


def _links(result: MatchResult, *, reverse: bool, one_to_one: bool) -> list[Link]:
    links = []
    for key, theme_id in result.matches.items():
        detail = result.details[key]
        a, b = (theme_id, key) if reverse else (key, theme_id)
        links.append(Link(a, b, detail.jaccard, detail.cosine, one_to_one))
    return links


def pair_themes(
    themes_a: dict[int, Fingerprint],
    themes_b: dict[int, Fingerprint],
    universe_a: set[str],
    universe_b: set[str],
) -> Pairing:
    """Pair the themes of run A with those of run B into families (see the module docstring)."""
    first = match_themes(themes_a, themes_b, old_universe=universe_a, current_universe=universe_b)
    links = _links(first, reverse=False, one_to_one=True)
    left_a = {k: fp for k, fp in themes_a.items() if k not in first.matches}
    left_b = {k: fp for k, fp in themes_b.items() if k not in set(first.matches.values())}
    # Pieces left over: the same rules, against every theme of the other run this time.
    again_a = match_themes(left_a, themes_b, old_universe=universe_a, current_universe=universe_b) if left_a else MatchResult()
    again_b = match_themes(left_b, themes_a, old_universe=universe_b, current_universe=universe_a) if left_b else MatchResult()
    links += _links(again_a, reverse=False, one_to_one=False) + _links(again_b, reverse=True, one_to_one=False)

    # Families are the connected groups of linked themes (union–find over both runs' themes).
    parent: dict[tuple[str, int], tuple[str, int]] = {("a", t): ("a", t) for t in themes_a}
    parent.update({("b", t): ("b", t) for t in themes_b})

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for link in links:
        parent[root(("a", link.theme_a))] = root(("b", link.theme_b))
    grouped: dict[tuple[str, int], Family] = {}
    for node in sorted(parent):
        family = grouped.setdefault(root(node), Family())
        (family.themes_a if node[0] == "a" else family.themes_b).append(node[1])
    for link in links:
        grouped[root(("a", link.theme_a))].links.append(link)
    families = sorted(grouped.values(), key=lambda f: (f.themes_a[:1] or [10**9], f.themes_b[:1]))
    return Pairing(families)
