"""How well sentiment agrees with a corpus's own ratings (stars, CSAT, NPS), and a monotone
recalibration fitted to them.

The pipeline always reports `rating_agreement` when a source carries ratings, and applies
`calibrate_on_ratings` only when `sentiment.calibrate: true`: calibration is offered, never
applied silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats

from ..errors import InputError
from .base import label_scores

NPS_SCALE = (0.0, 10.0)


def rating_groups(scale: tuple[float, float]) -> tuple[float, float]:
    """(highest "low" rating, lowest "high" rating) for a scale.

    Low is the bottom 40% of the scale (1-2 of 1-5 stars), high the top quarter (4-5 stars);
    on a 0-10 scale the NPS groups are used: detractors 0-6 and promoters 9-10.
    """
    lo, hi = float(scale[0]), float(scale[1])
    if hi <= lo:
        raise InputError(f"A rating scale needs low < high, got {scale}.")
    if (lo, hi) == NPS_SCALE:
        return 6.0, 9.0
    return lo + 0.4 * (hi - lo), hi - 0.25 * (hi - lo)


def _paired(scores: Any, ratings: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=float).reshape(-1)
    r = np.asarray(ratings, dtype=float).reshape(-1)
    if s.shape != r.shape:
        raise InputError(f"Got {s.size} sentiment scores but {r.size} ratings.")
    keep = ~(np.isnan(s) | np.isnan(r))
    return s[keep], r[keep], keep


def _auc(low: np.ndarray, high: np.ndarray) -> float:
    """P(score of a high-rated text > score of a low-rated one), ties counted half."""
    if low.size == 0 or high.size == 0:
        return float("nan")
    ranks = stats.rankdata(np.concatenate([low, high]))
    rank_sum = ranks[low.size:].sum()
    return float((rank_sum - high.size * (high.size + 1) / 2) / (low.size * high.size))


def rating_agreement(
    scores: Sequence[float] | np.ndarray,
    ratings: Sequence[float] | np.ndarray,
    scale: tuple[float, float] = (1, 5),
    labels: Sequence[str] | np.ndarray | None = None,
    neutral_band: float = 0.15,
) -> dict[str, Any]:
    """Agreement between sentiment scores and ratings of the same texts.

    Returns n (pairs with both values), spearman (rank correlation), auc (how often a high-rated
    text outscores a low-rated one; 0.5 = chance), share_low_negative (low-rated texts labelled
    negative), share_high_non_negative and share_top_non_negative (high-rated and top-of-scale
    texts not labelled negative), the group sizes and the rating ranges used. `labels` default to
    the scores cut at `neutral_band`.
    """
    s_all = np.asarray(scores, dtype=float).reshape(-1)
    s, r, keep = _paired(s_all, ratings)
    if labels is None:
        lab = label_scores(s, neutral_band)
    else:
        lab = np.asarray(labels, dtype=object).reshape(-1)
        if lab.size != s_all.size:
            raise InputError(f"Got {s_all.size} scores but {lab.size} labels.")
        lab = lab[keep]
    low_max, high_min = rating_groups(scale)
    top = float(scale[1])
    low, high, is_top = r <= low_max, r >= high_min, r >= top
    spearman = float(stats.spearmanr(s, r).statistic) if s.size > 2 and np.ptp(r) > 0 and np.ptp(s) > 0 else float("nan")

    def share(mask: np.ndarray, negative: bool) -> float:
        if not mask.any():
            return float("nan")
        hits = lab[mask] == "negative"
        return float(np.mean(hits if negative else ~hits))

    return {
        "n": int(s.size),
        "n_low": int(low.sum()),
        "n_high": int(high.sum()),
        "n_top": int(is_top.sum()),
        "spearman": spearman,
        "auc": _auc(s[low], s[high]),
        "share_low_negative": share(low, True),
        "share_high_non_negative": share(high, False),
        "share_top_non_negative": share(is_top, False),
        "low_ratings": [float(scale[0]), low_max],
        "high_ratings": [high_min, top],
    }


@dataclass
class RatingCalibration:
    """A monotone map from backend scores to -1..1 fitted on one corpus's ratings.

    Call it on scores: `calibration(scores) -> calibrated scores`.
    """

    method: str
    scale: tuple[float, float]
    n: int
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    agreement_before: dict[str, Any] = field(default_factory=dict, repr=False)

    def __call__(self, scores: Sequence[float] | np.ndarray) -> np.ndarray:
        values = np.asarray(scores, dtype=float)
        out = np.interp(values, self.x, self.y)
        return np.where(np.isnan(values), np.nan, np.clip(out, -1.0, 1.0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description, for the manifest."""
        return {"method": self.method, "scale": list(self.scale), "n": self.n,
                "x": self.x.round(6).tolist(), "y": self.y.round(6).tolist()}


def calibrate_on_ratings(
    scores: Sequence[float] | np.ndarray,
    ratings: Sequence[float] | np.ndarray,
    scale: tuple[float, float] = (1, 5),
    method: Literal["isotonic", "platt"] = "isotonic",
    min_pairs: int = 20,
) -> RatingCalibration:
    """Fit a monotone (non-decreasing) map from scores to ratings rescaled to -1..1.

    `isotonic` fits the mean rating at each score level (a step function, interpolated);
    `platt` fits a logistic curve separating low from high ratings and returns 2p - 1. Raises
    `InputError` when there are fewer than `min_pairs` rated texts or one rating group is empty.
    """
    s, r, _ = _paired(scores, ratings)
    lo, hi = float(scale[0]), float(scale[1])
    if s.size < min_pairs:
        raise InputError(f"Calibration needs at least {min_pairs} rated texts, got {s.size}.")
    target = np.clip(2.0 * (r - lo) / (hi - lo) - 1.0, -1.0, 1.0)
    grid = np.linspace(-1.0, 1.0, 201)
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=-1.0, y_max=1.0, increasing=True, out_of_bounds="clip")
        iso.fit(s, target)
        y = iso.predict(grid)
    elif method == "platt":
        from sklearn.linear_model import LogisticRegression

        low_max, high_min = rating_groups(scale)
        mask = (r <= low_max) | (r >= high_min)
        y_bin = (r[mask] >= high_min).astype(int)
        if y_bin.min() == y_bin.max():
            raise InputError("Platt calibration needs both low- and high-rated texts.")
        lr = LogisticRegression(C=1e4).fit(s[mask].reshape(-1, 1), y_bin)
        y = 2.0 * lr.predict_proba(grid.reshape(-1, 1))[:, 1] - 1.0
    else:
        raise InputError(f"Unknown calibration method {method!r}: use 'isotonic' or 'platt'.")
    return RatingCalibration(method=method, scale=(lo, hi), n=int(s.size), x=grid, y=np.asarray(y, float),
                             agreement_before=rating_agreement(s, r, scale))
