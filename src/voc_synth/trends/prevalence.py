"""How many records of each run speak of each theme family — measured the same way in both runs.

Each run's own theme sizes come from its own clustering, and two clusterings draw their borders
differently; comparing those sizes would report the borders, not the customers. So both runs are
measured with one yardstick: every themed segment of either run counts for the theme — of either
run — whose centroid it is closest to, and a family counts the records with at least one segment
counted for one of its themes. The share of a family is those records over the run's records with
any themed segment.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..review.matching import normalise


@dataclass
class Prevalence:
    """One run measured with the yardstick: the records counted for each theme (of either run)."""

    documents: dict[Hashable, frozenset[str]]
    themed_records: int

    def records(self, themes: Iterable[Hashable]) -> int:
        """Records counted for any of `themes` (a family's members), each record once."""
        found: set[str] = set()
        for theme in themes:
            found |= self.documents.get(theme, frozenset())
        return len(found)


def themed_mask(segments: pd.DataFrame) -> np.ndarray:
    """Segments the run placed in a theme (unthemed and set-aside segments say nothing here)."""
    return segments["theme_id"].fillna(-1).astype(int).to_numpy() >= 0


def measure(segments: pd.DataFrame, embeddings: np.ndarray, centroids: np.ndarray,
            theme_keys: Sequence[Hashable]) -> Prevalence:
    """Measure one run: each themed segment counts for the theme whose centroid is nearest.

    `centroids` holds one row per theme of both runs; `theme_keys[i]` names the theme of row i.
    """
    mask = themed_mask(segments)
    vectors = normalise(np.asarray(embeddings)[mask])
    docs = segments["doc_id"].astype(str).to_numpy()[mask]
    if not len(vectors):
        return Prevalence({}, 0)
    nearest = (vectors @ normalise(centroids).T).argmax(axis=1)
    pairs = pd.DataFrame({"row": nearest, "doc": docs}).drop_duplicates()
    documents = {theme_keys[int(row)]: frozenset(group["doc"]) for row, group in pairs.groupby("row")}
    return Prevalence(documents, int(len(set(docs))))
