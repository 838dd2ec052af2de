"""Sentiment per group (theme, stage, source…): mean with a 95% t-interval and label shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .base import label_scores

AGGREGATE_COLUMNS = [
    "n", "mean", "std", "ci_low", "ci_high", "share_negative", "share_neutral", "share_positive",
]


def _summary(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    n = int(scores.size)
    if n == 0:
        return {"n": 0, "mean": np.nan, "std": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                "share_negative": np.nan, "share_neutral": np.nan, "share_positive": np.nan}
    mean = float(scores.mean())
    std = float(scores.std(ddof=1)) if n > 1 else np.nan
    if n > 1:
        half = float(stats.t.ppf(0.975, n - 1)) * std / np.sqrt(n)
        ci_low, ci_high = max(mean - half, -1.0), min(mean + half, 1.0)
    else:
        ci_low = ci_high = np.nan
    return {
        "n": n, "mean": mean, "std": std, "ci_low": ci_low, "ci_high": ci_high,
        "share_negative": float(np.mean(labels == "negative")),
        "share_neutral": float(np.mean(labels == "neutral")),
        "share_positive": float(np.mean(labels == "positive")),
    }


def aggregate_sentiment(
    segments: pd.DataFrame, by: str | list[str], neutral_band: float = 0.15
) -> pd.DataFrame:
    """Sentiment of `segments` grouped by column(s) `by` (e.g. `theme_id`, `stage`).

    One row per group (missing group values form their own group) with columns n, mean, std,
    ci_low, ci_high (95% t-interval of the mean, clipped to -1..1; NaN for a single segment),
    share_negative, share_neutral, share_positive. Segments without a score are not counted.
    Labels come from `sentiment_label` when present, else from the scores and `neutral_band`.
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in [*keys, "sentiment"] if c not in segments.columns]
    if missing:
        raise KeyError(f"aggregate_sentiment needs column(s) {missing}; the frame has {list(segments.columns)}.")
    frame = segments.loc[segments["sentiment"].notna(), keys + ["sentiment"]].copy()
    frame["sentiment"] = frame["sentiment"].astype(float)
    if "sentiment_label" in segments.columns:
        frame["_label"] = segments.loc[frame.index, "sentiment_label"].astype(str)
    else:
        frame["_label"] = label_scores(frame["sentiment"].to_numpy(), neutral_band)
    rows = []
    for key, group in frame.groupby(keys, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(keys, key, strict=True))
        row.update(_summary(group["sentiment"].to_numpy(), group["_label"].to_numpy()))
        rows.append(row)
    result = pd.DataFrame(rows, columns=keys + AGGREGATE_COLUMNS)
    result["n"] = result["n"].astype(int)
    return result.set_index(keys if len(keys) > 1 else keys[0])


#: How much more a negative unit weighs than a positive one when a record's units are rolled
#: up (`document_sentiment`): unit i weighs exp(-NEGATIVE_WEIGHT * score_i), so at 1.0 a clear
#: complaint (-0.6) counts about 3.3 times as much as clear praise (+0.6). Real reviews wrap a
#: complaint in pleasantries ("Lovely staff. The room was dirty and nobody came."); a plain mean
#: lets the polite sentence cancel the complaint. Chosen across domains (leave-one-domain-out in
#: scripts/train_sentiment.py), not on any one corpus.
NEGATIVE_WEIGHT = 1.0


def document_sentiment(
    segments: pd.DataFrame,
    by: str = "doc_id",
    neutral_band: float = 0.15,
    negative_weight: float = NEGATIVE_WEIGHT,
) -> pd.DataFrame:
    """One sentiment per record (review, ticket, answer) from its segments' scores.

    A weighted mean in which negative segments weigh more (`NEGATIVE_WEIGHT`), so one polite
    sentence does not outweigh a complaint; `negative_weight=0` gives the plain mean. Returns a
    frame indexed by `by` with `sentiment` (-1..1), `sentiment_label` (cut at `neutral_band`)
    and `n_segments`. Segments without a score are not counted; a record with none has NaN.
    """
    missing = [c for c in (by, "sentiment") if c not in segments.columns]
    if missing:
        raise KeyError(f"document_sentiment needs column(s) {missing}; the frame has {list(segments.columns)}.")
    frame = segments[[by, "sentiment"]].copy()
    frame["sentiment"] = pd.to_numeric(frame["sentiment"], errors="coerce").astype(float)
    scored = frame["sentiment"].notna()
    frame["_w"] = np.where(scored, np.exp(-negative_weight * frame["sentiment"].fillna(0.0)), 0.0)
    frame["_ws"] = frame["_w"] * frame["sentiment"].fillna(0.0)
    grouped = frame.groupby(by, sort=True, dropna=False)
    weights = grouped["_w"].sum()
    result = pd.DataFrame({
        "sentiment": np.where(weights > 0, grouped["_ws"].sum() / weights.where(weights > 0, 1.0), np.nan),
        "n_segments": grouped["sentiment"].count().astype(int),
    }, index=weights.index)
    result["sentiment"] = result["sentiment"].clip(-1.0, 1.0)
    result["sentiment_label"] = np.where(result["sentiment"].isna(), None,
                                         label_scores(result["sentiment"].fillna(0.0).to_numpy(), neutral_band))
    return result[["sentiment", "sentiment_label", "n_segments"]]
