"""Sentiment aggregation per group, agreement with ratings, and rating calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from voc_synth.errors import InputError
from voc_synth.sentiment import (
    aggregate_sentiment,
    calibrate_on_ratings,
    rating_agreement,
    rating_groups,
)


def test_aggregate_sentiment_known_answers():
    segments = pd.DataFrame({
        "theme_id": [1, 1, 1, 1, 2, 2, 3],
        "sentiment": [-0.8, -0.4, 0.0, 0.4, 0.5, 0.7, np.nan],
        "sentiment_label": ["negative", "negative", "neutral", "positive", "positive", "positive", "neutral"],
    })
    out = aggregate_sentiment(segments, "theme_id")
    assert list(out.columns) == ["n", "mean", "std", "ci_low", "ci_high",
                                 "share_negative", "share_neutral", "share_positive"]
    assert list(out.index) == [1, 2]  # theme 3 has no score
    one = out.loc[1]
    assert one["n"] == 4
    assert one["mean"] == pytest.approx(-0.2)
    std = np.std([-0.8, -0.4, 0.0, 0.4], ddof=1)
    assert one["std"] == pytest.approx(std)
    half = stats.t.ppf(0.975, 3) * std / 2
    assert one["ci_low"] == pytest.approx(max(-0.2 - half, -1.0))
    assert one["ci_high"] == pytest.approx(-0.2 + half)
    assert (one["share_negative"], one["share_neutral"], one["share_positive"]) == (0.5, 0.25, 0.25)
    two = out.loc[2]
    assert two["mean"] == pytest.approx(0.6) and two["share_positive"] == 1.0


def test_aggregate_sentiment_single_segment_and_labels_from_scores():
    segments = pd.DataFrame({"stage": ["buy", "buy", "use"], "sentiment": [0.5, -0.5, 0.1]})
    out = aggregate_sentiment(segments, "stage", neutral_band=0.15)
    assert out.loc["use", "n"] == 1 and np.isnan(out.loc["use", "std"]) and np.isnan(out.loc["use", "ci_low"])
    assert out.loc["use", "share_neutral"] == 1.0
    assert out.loc["buy", "share_negative"] == 0.5 and out.loc["buy", "share_positive"] == 0.5


def test_aggregate_sentiment_by_two_columns_and_missing_column():
    segments = pd.DataFrame({"stage": ["a", "a", "b"], "theme_id": [1, 2, 1], "sentiment": [0.2, 0.3, -0.9]})
    out = aggregate_sentiment(segments, ["stage", "theme_id"])
    assert out.loc[("b", 1), "share_negative"] == 1.0
    with pytest.raises(KeyError, match="stage"):
        aggregate_sentiment(segments.drop(columns="stage"), "stage")


def test_rating_groups():
    assert rating_groups((1, 5)) == (2.6, 4.0)      # 1-2 stars low, 4-5 high
    assert rating_groups((0, 10)) == (6.0, 9.0)     # NPS detractors / promoters
    with pytest.raises(InputError):
        rating_groups((5, 1))


def test_rating_agreement_known_answers():
    ratings = [1, 1, 2, 2, 3, 4, 5, 5, np.nan]
    scores = [-0.9, -0.1, -0.5, 0.6, 0.0, 0.2, 0.8, 0.9, 0.3]
    result = rating_agreement(scores, ratings, scale=(1, 5))
    assert result["n"] == 8
    assert (result["n_low"], result["n_high"], result["n_top"]) == (4, 3, 2)
    # low scores [-0.9, -0.1, -0.5, 0.6] vs high [0.2, 0.8, 0.9]: 11 of 12 pairs ordered right
    assert result["auc"] == pytest.approx(11 / 12)
    assert result["share_low_negative"] == pytest.approx(0.5)       # -0.9 and -0.5
    assert result["share_high_non_negative"] == 1.0
    assert result["share_top_non_negative"] == 1.0
    assert result["spearman"] == pytest.approx(stats.spearmanr(scores[:8], ratings[:8]).statistic)
    assert result["low_ratings"] == [1.0, 2.6] and result["high_ratings"] == [4.0, 5.0]


def test_rating_agreement_on_nps_with_given_labels():
    ratings = [0, 3, 6, 7, 9, 10]
    scores = [-0.5, -0.2, 0.1, 0.0, 0.5, 0.4]
    labels = ["negative", "neutral", "negative", "neutral", "positive", "negative"]
    result = rating_agreement(scores, ratings, scale=(0, 10), labels=labels)
    assert (result["n_low"], result["n_high"], result["n_top"]) == (3, 2, 1)
    assert result["share_low_negative"] == pytest.approx(2 / 3)
    assert result["share_high_non_negative"] == 0.5
    assert result["share_top_non_negative"] == 0.0
    assert result["auc"] == 1.0


def test_calibrate_on_ratings_is_monotone_and_improves_labels():
    rng = np.random.default_rng(0)
    ratings = rng.integers(1, 6, size=400).astype(float)
    # A backend that is too positive: complaints score around +0.1.
    scores = np.clip((ratings - 3) * 0.15 + 0.3 + rng.normal(0, 0.05, size=400), -1, 1)
    before = rating_agreement(scores, ratings, (1, 5))
    for method in ("isotonic", "platt"):
        calibration = calibrate_on_ratings(scores, ratings, (1, 5), method=method)
        grid = np.linspace(-1, 1, 50)
        assert np.all(np.diff(calibration(grid)) >= -1e-12)
        after = rating_agreement(calibration(scores), ratings, (1, 5))
        assert after["share_low_negative"] > before["share_low_negative"] + 0.5
        assert after["share_high_non_negative"] >= 0.9
        assert calibration.to_dict()["method"] == method
    assert np.isnan(calibration(np.array([np.nan]))[0])


def test_calibrate_on_ratings_needs_enough_pairs():
    with pytest.raises(InputError, match="at least 20"):
        calibrate_on_ratings([0.1, 0.2], [1, 5])
