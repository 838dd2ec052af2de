"""The run's sentiment step: records rolled up so a complaint is not cancelled by a pleasantry,
`sentiment.calibrate` really recalibrates to the corpus's ratings, and the shipped classifier
reads negation, contrast, sarcasm, polite complaints and very short answers.

Every sentence here was written for this test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from voc_synth.config import SentimentConfig
from voc_synth.sentiment import (
    document_sentiment,
    get_backend,
    register_backend,
    score_run_sentiment,
    score_sentiment,
)

# -- roll-up to the record ------------------------------------------------------------------


def test_a_polite_sentence_does_not_outweigh_a_complaint_in_the_same_review():
    segments = pd.DataFrame({
        "doc_id": ["r1", "r1", "r2", "r2", "r3"],
        "sentiment": [0.5, -0.6, 0.6, 0.4, -0.7],
    })
    docs = document_sentiment(segments)
    assert docs.loc["r1", "sentiment_label"] == "negative"  # a plain mean would be -0.05: neutral
    assert docs.loc["r2", "sentiment_label"] == "positive"
    assert docs.loc["r3", "sentiment"] == pytest.approx(-0.7)
    assert docs["n_segments"].tolist() == [2, 2, 1]
    plain = document_sentiment(segments, negative_weight=0.0)
    assert plain.loc["r1", "sentiment"] == pytest.approx(-0.05)


def test_document_sentiment_skips_unscored_segments_and_needs_its_columns():
    segments = pd.DataFrame({"doc_id": ["a", "a", "b"], "sentiment": [0.4, np.nan, np.nan]})
    docs = document_sentiment(segments)
    assert docs.loc["a", "sentiment"] == pytest.approx(0.4)
    assert np.isnan(docs.loc["b", "sentiment"]) and docs.loc["b", "n_segments"] == 0
    with pytest.raises(KeyError):
        document_sentiment(segments.drop(columns="sentiment"))


# -- calibrate ------------------------------------------------------------------------------


@register_backend("test_too_cheerful")
class TooCheerful:
    """A backend that reads every text about 0.5 too positive: 'meh' (2 stars) scores +0.3."""

    name = "test_too_cheerful"

    def __init__(self, **_):
        pass

    def score(self, texts, embeddings=None):
        level = {"awful": -0.2, "meh": 0.3, "okay": 0.5, "good": 0.7, "great": 0.9}
        return np.array([level[t.split()[0]] for t in texts])


def _rated_reviews(n_per_star: int = 12) -> pd.DataFrame:
    words = {1: "awful", 2: "meh", 3: "okay", 4: "good", 5: "great"}
    rows = []
    for star, word in words.items():
        for i in range(n_per_star):
            rows.append({"doc_id": f"{star}-{i}", "source_type": "review", "text": f"{word} visit number {i}",
                         "rating_norm": (star - 1) / 4})
    return pd.DataFrame(rows)


def test_calibrate_false_keeps_the_backends_scores_and_reports_agreement():
    segments = _rated_reviews()
    result = score_run_sentiment(segments, None, SentimentConfig(backend="test_too_cheerful"))
    assert result.calibration == {}
    assert np.allclose(result.scores["sentiment"], TooCheerful().score(segments["text"].tolist()))
    agreement = result.agreement["review"]
    assert agreement["auc"] == pytest.approx(1.0)
    assert agreement["share_low_negative"] == pytest.approx(0.5)  # the 2-star 'meh' reads positive


def test_calibrate_true_refits_scores_to_the_corpus_ratings():
    segments = _rated_reviews()
    config = SentimentConfig(backend="test_too_cheerful", calibrate=True)
    result = score_run_sentiment(segments, None, config)
    assert result.calibration["applied"] is True
    assert result.calibration["n_records"] == len(segments)
    labels = result.scores["sentiment_label"].groupby(segments["text"].str.split().str[0]).first()
    assert labels["meh"] == "negative" and labels["awful"] == "negative"
    assert labels["okay"] == "neutral"
    assert labels["good"] == "positive" and labels["great"] == "positive"
    assert result.agreement["review"]["share_low_negative"] == pytest.approx(1.0)
    assert result.calibration["agreement_before"]["review"]["share_low_negative"] == pytest.approx(0.5)
    assert not result.warnings


def test_calibrate_true_with_too_few_ratings_changes_nothing_and_says_so():
    segments = _rated_reviews(n_per_star=2)
    config = SentimentConfig(backend="test_too_cheerful", calibrate=True)
    result = score_run_sentiment(segments, None, config)
    assert result.calibration["applied"] is False
    assert np.allclose(result.scores["sentiment"], TooCheerful().score(segments["text"].tolist()))
    assert any("calibrate" in w for w in result.warnings)


def test_calibration_also_applies_to_unrated_sources_in_the_same_run():
    rated = _rated_reviews()
    interview = pd.DataFrame({"doc_id": ["i1"], "source_type": ["interview"], "text": ["meh the app kept crashing"],
                              "rating_norm": [np.nan]})
    segments = pd.concat([rated, interview], ignore_index=True)
    result = score_run_sentiment(segments, None, SentimentConfig(backend="test_too_cheerful", calibrate=True))
    assert result.scores["sentiment_label"].iloc[-1] == "negative"
    assert "interview" not in result.agreement


# -- the shipped classifier on feedback a user sends ------------------------------------------


@pytest.fixture(scope="module")
def labels_of():
    backend = get_backend("embedded")

    def run(texts: list[str]) -> list[str]:
        return score_sentiment(texts, backend=backend)["sentiment_label"].tolist()

    return run


def test_negated_criticism_is_not_a_complaint(labels_of):
    texts = ["Honestly not bad at all for the price.", "The checkout was not difficult in the slightest."]
    assert "negative" not in labels_of(texts)


def test_negated_praise_is_a_complaint(labels_of):
    texts = ["The courier was not helpful and not polite.", "Sadly the blender is not worth the money."]
    assert labels_of(texts) == ["negative", "negative"]


def test_the_clause_after_but_carries_the_verdict(labels_of):
    texts = ["The waiter was charming, but our mains came out cold and we waited an hour.",
             "The box was a bit dented, but the kettle itself is perfect and boils in no time."]
    assert labels_of(texts) == ["negative", "positive"]


def test_polite_complaints_are_complaints(labels_of):
    texts = ["Sorry to bother you, but the replacement charger you sent does not fit either.",
             "I don't like to grumble, however my invoice still shows the cancelled plan."]
    assert labels_of(texts) == ["negative"] * 2


@pytest.mark.xfail(reason="issue 15: sarcasm without a contrast word still reads as praise "
                          "(the shipped model and the real-data retrain both miss it)", strict=False)
def test_sarcasm_is_a_complaint(labels_of):
    assert labels_of(["Fantastic, a third hour on hold. Exactly how I wanted to spend my Saturday."]) == ["negative"]


def test_very_short_answers_carry_sentiment(labels_of):
    assert labels_of(["Very good", "Excellent service", "Loved it"]) == ["positive"] * 3
    assert labels_of(["Very bad", "Terrible service", "Never again"]) == ["negative"] * 3
