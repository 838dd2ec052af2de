"""Segment sentiment: scores in -1..1 and negative / neutral / positive labels.

Backends are registered by name and picked by `sentiment.backend` in the config:
`embedded` (default: a small classifier on the sentence embeddings, shipped in
models/sentiment/), `vader` (lexicon baseline) and `transformers:<name-or-path>` (a local Hugging
Face model). This package also aggregates sentiment per theme or stage and checks it against a
corpus's own ratings: `score_run_sentiment` is the run's sentiment step (segments, the roll-up
per record, agreement with ratings and, with `sentiment.calibrate: true`, recalibration to them).
"""

from __future__ import annotations

from .aggregate import AGGREGATE_COLUMNS, NEGATIVE_WEIGHT, aggregate_sentiment, document_sentiment
from .base import (
    SENTIMENT_LABELS,
    SentimentBackend,
    available_backends,
    backend_from_config,
    describe_sentiment_models,
    get_backend,
    label_scores,
    register_backend,
    score_sentiment,
)
from .calibrate import RatingCalibration, calibrate_on_ratings, rating_agreement, rating_groups
from .run import RunSentiment, score_run_sentiment

__all__ = [
    "AGGREGATE_COLUMNS",
    "NEGATIVE_WEIGHT",
    "SENTIMENT_LABELS",
    "RatingCalibration",
    "RunSentiment",
    "SentimentBackend",
    "aggregate_sentiment",
    "available_backends",
    "backend_from_config",
    "calibrate_on_ratings",
    "describe_sentiment_models",
    "document_sentiment",
    "get_backend",
    "label_scores",
    "rating_agreement",
    "rating_groups",
    "register_backend",
    "score_run_sentiment",
    "score_sentiment",
]
