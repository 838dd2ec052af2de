"""The sentiment step of a run: score segments, roll them up per record, check them against
the corpus's own ratings and, when `sentiment.calibrate: true`, recalibrate to those ratings.

Calibration is offered, never applied silently: with `calibrate: false` (the default) the
backend's scores are kept and only the agreement with ratings is reported. With
`calibrate: true` and enough rated records, one monotone map (isotonic, `calibrate_on_ratings`)
is fitted from record-level scores to the records' ratings (each source's own scale, rescaled
to 0..1) and applied to every segment's score, so labels, theme polarity and stage emotion
follow the corpus's own notion of a bad or a good experience. The map and the agreement before
and after are kept in the run's metadata (`sentiment_calibration`).

An answer that is only a rating ("5/5", "9 out of 10", a bare number on its record's scale) or
only emoji is scored from what it says (`short_answers`), not by the backend, and is not
recalibrated: it is already the customer's own verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..config import SentimentConfig
from ..errors import InputError
from .aggregate import document_sentiment
from .base import SentimentBackend, label_scores, score_sentiment
from .calibrate import calibrate_on_ratings, rating_agreement, rating_groups
from .short_answers import short_answer_scores

#: Fewest rated records for an agreement figure, and for a calibration.
MIN_AGREEMENT_RECORDS = 10
MIN_CALIBRATION_RECORDS = 30


@dataclass
class RunSentiment:
    """What the sentiment step adds to a run."""

    scores: pd.DataFrame  # sentiment, sentiment_label; one row per segment, the segments' index
    agreement: dict[str, dict[str, Any]] = field(default_factory=dict)  # per source type
    calibration: dict[str, Any] = field(default_factory=dict)  # empty unless calibrate was asked
    warnings: list[str] = field(default_factory=list)


def _agreement(segments: pd.DataFrame, scores: pd.Series, labels: pd.Series, band: float) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    rated = segments["rating_norm"].notna()
    frame = segments.loc[rated, ["doc_id", "source_type", "rating_norm"]].assign(
        sentiment=scores[rated].to_numpy(), sentiment_label=labels[rated].to_numpy())
    for source_type, rows in frame.groupby("source_type"):
        docs = document_sentiment(rows, by="doc_id", neutral_band=band)
        if len(docs) < MIN_AGREEMENT_RECORDS:
            continue
        ratings = rows.groupby("doc_id")["rating_norm"].first().reindex(docs.index)
        out[str(source_type)] = rating_agreement(docs["sentiment"].to_numpy(), ratings.to_numpy(), scale=(0.0, 1.0),
                                                 labels=docs["sentiment_label"].to_numpy(), neutral_band=band)
    return out


def _read_directly(scored: pd.DataFrame, texts: list[str], scales: Sequence[str] | None, band: float) -> pd.DataFrame:
    """`scored` with the answers that are only a rating or only emoji scored from what they say."""
    values, known = short_answer_scores(texts, scales)
    if not known.any():
        return scored
    scored = scored.copy()
    scores = scored["sentiment"].to_numpy(dtype=float).copy()
    scores[known] = values[known]
    scored["sentiment"] = scores
    scored["sentiment_label"] = label_scores(scores, band)
    return scored


def score_run_sentiment(
    segments: pd.DataFrame,
    embeddings: np.ndarray | None,
    config: SentimentConfig | None = None,
    *,
    backend: SentimentBackend | None = None,
    scales: Sequence[str] | None = None,
) -> RunSentiment:
    """Score a run's segments (`text`; `doc_id`, `source_type` and `rating_norm` — the record's
    rating rescaled to 0..1 or NaN — for the ratings checks) and calibrate when configured.

    `scales` (optional, one per segment): the record's rating scale ("1-5", "" when unknown),
    which says what a bare number typed as the answer means.
    """
    config = config or SentimentConfig()
    texts = segments["text"].fillna("").astype(str).tolist()
    scored = score_sentiment(texts, embeddings, config, backend=backend)
    scored.index = segments.index
    scored = _read_directly(scored, texts, scales, config.neutral_band)
    has_ratings = {"doc_id", "source_type", "rating_norm"} <= set(segments.columns)
    if not has_ratings:
        result = RunSentiment(scored)
        if config.calibrate:
            result.calibration = {"applied": False, "reason": "no ratings column in this run"}
        return result
    band = config.neutral_band
    before = _agreement(segments, scored["sentiment"], scored["sentiment_label"], band)
    result = RunSentiment(scored, agreement=before)
    if not config.calibrate:
        return result

    rated = segments["rating_norm"].notna()
    docs = document_sentiment(segments.loc[rated, ["doc_id"]].assign(sentiment=scored.loc[rated, "sentiment"]),
                              by="doc_id", neutral_band=band)
    ratings = segments.loc[rated].groupby("doc_id")["rating_norm"].first().reindex(docs.index).to_numpy(dtype=float)
    low_max, high_min = rating_groups((0.0, 1.0))
    n_low, n_high = int(np.sum(ratings <= low_max)), int(np.sum(ratings >= high_min))
    if len(docs) < MIN_CALIBRATION_RECORDS or n_low == 0 or n_high == 0:
        reason = (f"{len(docs)} rated records ({n_low} low, {n_high} high); calibration needs at least "
                  f"{MIN_CALIBRATION_RECORDS} with both low and high ratings")
        result.calibration = {"applied": False, "reason": reason}
        result.warnings.append(f"sentiment.calibrate is true but was not applied: {reason}. Scores are the "
                               f"'{config.backend}' backend's own.")
        return result
    try:
        calibration = calibrate_on_ratings(docs["sentiment"].to_numpy(), ratings, scale=(0.0, 1.0))
    except InputError as err:  # pragma: no cover - guarded above
        result.calibration = {"applied": False, "reason": str(err)}
        result.warnings.append(f"sentiment.calibrate is true but was not applied: {err}")
        return result
    values = calibration(scored["sentiment"].to_numpy())
    calibrated = pd.DataFrame({"sentiment": values, "sentiment_label": label_scores(values, band)}, index=segments.index)
    calibrated = _read_directly(calibrated, texts, scales, band)
    result.scores = calibrated
    result.agreement = _agreement(segments, calibrated["sentiment"], calibrated["sentiment_label"], band)
    result.calibration = {"applied": True, "n_records": int(len(docs)), **calibration.to_dict(),
                          "agreement_before": before}
    return result
