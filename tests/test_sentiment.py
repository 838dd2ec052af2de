"""Sentiment backends: the registry, the shipped embedded classifier, VADER, transformers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from voc_synth.config import SentimentConfig, config_from_dict
from voc_synth.errors import ConfigError, MissingModelError
from voc_synth.models import ModelInfo
from voc_synth.sentiment import (
    available_backends,
    describe_sentiment_models,
    get_backend,
    label_scores,
    register_backend,
    score_sentiment,
)
from voc_synth.sentiment.embedded import EmbeddedBackend, load_classifier
from voc_synth.sentiment.transformers_backend import label_values, scores_from_label_scores
from voc_synth.sentiment.vader import VaderBackend

POLITE_COMPLAINTS = [
    "it's fine I guess, but it arrived a week late",
    "not the end of the world, but the refund took three weeks",
    "I don't want to make a fuss, but I was charged twice for one order.",
    "Looks great. Broke after two weeks. Would not buy again.",
]
NEGATIVE_LEANING = ["the lamp is lovely but it arrived a week late"]
PRAISE = [
    "Absolutely love it, the quality is fantastic and it arrived early.",
    "Support sorted my problem in minutes, brilliant service.",
    "Comfortable, well made and exactly as pictured. Would buy again.",
]
NEUTRAL = [
    "I ordered the blue one on Monday.",
    "The parcel was delivered to the locker near my office.",
    "Do you ship to Norway?",
]


@pytest.fixture(scope="module")
def embedded() -> EmbeddedBackend:
    return get_backend("embedded")


def test_builtin_backends_are_registered_by_name():
    assert {"embedded", "vader", "transformers"} <= set(available_backends())
    assert isinstance(get_backend("vader"), VaderBackend)
    assert get_backend("embedded").name == "embedded"


def test_a_registered_backend_is_picked_by_config_string():
    @register_backend("test_constant")
    class Constant:
        name = "test_constant"

        def __init__(self, value: float = -0.5, **_):
            self.value = value

        def score(self, texts, embeddings=None):
            return np.full(len(texts), self.value)

    frame = score_sentiment(pd.Series(["a", "b"], index=[10, 11]), config=SentimentConfig(backend="test_constant"))
    assert list(frame.index) == [10, 11]
    assert list(frame.columns) == ["sentiment", "sentiment_label"]
    assert frame["sentiment"].tolist() == [-0.5, -0.5]
    assert set(frame["sentiment_label"]) == {"negative"}
    assert get_backend("test_constant", value=0.9).score(["x"])[0] == 0.9


def test_unknown_backend_is_a_config_error_listing_the_known_names():
    with pytest.raises(ConfigError) as err:
        get_backend("sentimentomatic")
    message = str(err.value)
    assert "sentimentomatic" in message
    for name in ("embedded", "vader", "transformers:<name-or-path>"):
        assert name in message


def test_sentiment_config_validates_band_and_rejects_unknown_keys():
    config = config_from_dict({"sentiment": {"backend": "vader", "neutral_band": 0.3, "calibrate": True}})
    assert config.sentiment.neutral_band == 0.3 and config.sentiment.calibrate
    with pytest.raises(ConfigError):
        config_from_dict({"sentiment": {"neutral_band": 1.5}})
    with pytest.raises(ConfigError):
        config_from_dict({"sentiment": {"bakend": "vader"}})


def test_label_scores_uses_the_neutral_band():
    labels = label_scores([-0.5, -0.1, 0.0, 0.15, 0.2], neutral_band=0.15)
    assert labels.tolist() == ["negative", "neutral", "neutral", "neutral", "positive"]
    assert label_scores([-0.2], neutral_band=0.3).tolist() == ["neutral"]


def test_embedded_backend_loads_the_shipped_model_offline(monkeypatch, embedded):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    card = embedded.classifier.metadata
    assert card["embedding_model"] == "all-MiniLM-L6-v2"
    assert card["labels"] == ["negative", "neutral", "positive"]
    assert len(card["training_data_sha256"]) == 64
    assert card["metrics"]["heldout"]["auc_neg_vs_pos"] >= 0.92
    scores = embedded.score(POLITE_COMPLAINTS + PRAISE + NEUTRAL)
    assert scores.shape == (len(POLITE_COMPLAINTS) + len(PRAISE) + len(NEUTRAL),)
    assert np.all((scores >= -1) & (scores <= 1))


def test_embedded_backend_catches_polite_complaints(embedded):
    frame = score_sentiment(POLITE_COMPLAINTS, backend=embedded)
    assert frame["sentiment_label"].tolist() == ["negative"] * len(POLITE_COMPLAINTS), frame
    assert np.all(embedded.score(NEGATIVE_LEANING) < 0)


def test_embedded_backend_scores_praise_positive_and_facts_neutral_ish(embedded):
    praise = embedded.score(PRAISE)
    neutral = embedded.score(NEUTRAL)
    complaints = embedded.score(POLITE_COMPLAINTS)
    assert np.all(praise > 0.15), praise
    assert np.all(np.abs(neutral) < 0.5), neutral
    assert complaints.mean() < neutral.mean() < praise.min()


def test_embedded_backend_uses_given_embeddings_without_encoding(monkeypatch, embedded):
    texts = ["It broke after a week.", "Lovely, works perfectly."]
    vectors = embedded._encode(texts)
    expected = embedded.score(texts, embeddings=vectors)

    def no_encoding(*args, **kwargs):
        raise AssertionError("the embedded backend re-encoded texts it was given embeddings for")

    monkeypatch.setattr("voc_synth.models.load_embedding_model", no_encoding)
    frame = score_sentiment(texts, embeddings=vectors * 3.0)  # not normalised: it normalises
    np.testing.assert_allclose(frame["sentiment"].to_numpy(), expected, atol=1e-6)
    assert frame["sentiment"].iloc[0] < 0 < frame["sentiment"].iloc[1]


def test_embedded_backend_rejects_embeddings_of_another_model(embedded):
    from voc_synth.errors import InputError

    with pytest.raises(InputError, match="384"):
        embedded.score(["a text"], embeddings=np.ones((1, 768), dtype=np.float32))


def test_embedded_backend_with_a_missing_model_folder(tmp_path):
    with pytest.raises(MissingModelError, match="train_sentiment.py"):
        load_classifier(tmp_path / "nowhere")


def test_vader_backend_scores_words():
    vader = get_backend("vader")
    scores = vader.score(["I love it, wonderful!", "Terrible, awful, hate it.", "The box is brown."])
    assert scores[0] > 0.5 and scores[1] < -0.5 and abs(scores[2]) < 0.05
    frame = score_sentiment(["Great!"], config=SentimentConfig(backend="vader"))
    assert frame["sentiment_label"].tolist() == ["positive"]


def test_lexicon_features_are_vaders_scores_of_the_text_and_of_what_follows_the_contrast(monkeypatch):
    """Each distinct text is scored once, and in worker processes for big inputs: neither may
    change a score."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from voc_synth.sentiment import vader

    texts = [
        "Lovely packaging, but it came a week late.",
        "The refund took three weeks and nobody answered my emails.",
        "Great blender, really solid build!",
        "Great blender, really solid build!",
        "It works, though the lid leaks a little when it's full.",
        "",
        "Delivery was fine however the box was crushed and the mug inside was chipped",
        "Still waiting on my order.",
    ] * 3
    analyzer = SentimentIntensityAnalyzer()
    expected = []
    for text in texts:
        whole = analyzer.polarity_scores(text)
        tail = analyzer.polarity_scores(vader._CONTRAST.split(text)[-1])
        expected.append([whole["compound"], whole["neg"], whole["neu"], whole["pos"], tail["compound"]])
    serial = vader.lexicon_features(texts)
    np.testing.assert_allclose(serial, np.asarray(expected, dtype=np.float32))
    assert serial[0, 4] < serial[0, 0]  # the tail ("it came a week late") reads worse than the whole
    monkeypatch.setattr(vader, "PARALLEL_FROM", 2)
    np.testing.assert_array_equal(vader.lexicon_features(texts), serial)


def test_describe_sentiment_models():
    (info,) = describe_sentiment_models("embedded")
    assert isinstance(info, ModelInfo)
    assert info.role == "sentiment" and info.size_bytes > 0
    assert info.size_bytes < 1_000_000
    (vader,) = describe_sentiment_models("vader")
    assert vader.source == "builtin" and vader.version.startswith("vaderSentiment")


def test_transformers_backend_with_a_missing_path_explains_what_to_do(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(MissingModelError) as err:
        get_backend(f"transformers:{missing}")
    message = str(err.value)
    assert str(missing) in message
    assert "models/no-such-model/" in message and "never downloads" in message
    with pytest.raises(MissingModelError):
        describe_sentiment_models(f"transformers:{missing}")


def test_transformers_backend_with_a_hub_name_not_cached(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.setenv("VOC_SYNTH_MODELS_DIR", str(tmp_path / "models"))
    with pytest.raises(MissingModelError, match="huggingface-cli download"):
        get_backend("transformers:some-org/some-sentiment-model")


def test_transformers_backend_needs_a_model_name():
    with pytest.raises(ConfigError):
        get_backend("transformers")
    with pytest.raises(ConfigError):
        get_backend("transformers:")


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["NEGATIVE", "POSITIVE"], {"NEGATIVE": -1.0, "POSITIVE": 1.0}),
        (["negative", "neutral", "positive"], {"negative": -1.0, "neutral": 0.0, "positive": 1.0}),
        (["LABEL_0", "LABEL_1", "LABEL_2"], {"LABEL_0": -1.0, "LABEL_1": 0.0, "LABEL_2": 1.0}),
        (["1 star", "2 stars", "3 stars", "4 stars", "5 stars"],
         {"1 star": -1.0, "2 stars": -0.5, "3 stars": 0.0, "4 stars": 0.5, "5 stars": 1.0}),
        (["Very Negative", "Negative", "Neutral", "Positive", "Very Positive"],
         {"Very Negative": -1.0, "Negative": -0.5, "Neutral": 0.0, "Positive": 0.5, "Very Positive": 1.0}),
    ],
)
def test_transformers_label_mapping(labels, expected):
    assert label_values(labels) == pytest.approx(expected)


def test_transformers_scores_are_expected_values_over_labels():
    rows = [
        [{"label": "POSITIVE", "score": 0.9}, {"label": "NEGATIVE", "score": 0.1}],
        [{"label": "1 star", "score": 0.5}, {"label": "2 stars", "score": 0.5},
         {"label": "3 stars", "score": 0.0}, {"label": "4 stars", "score": 0.0}, {"label": "5 stars", "score": 0.0}],
    ]
    np.testing.assert_allclose(scores_from_label_scores(rows), [0.8, -0.75])
    with pytest.raises(ConfigError, match="Cannot map"):
        label_values(["toxic", "clean"])


def test_transformers_backend_runs_a_local_model(tmp_path):
    """A tiny randomly initialised BERT saved to disk goes through the real loading path."""
    transformers = pytest.importorskip("transformers")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "it", "is", "very"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(str(tmp_path / "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=2,
        id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1},
    )
    model = transformers.BertForSequenceClassification(config)
    tokenizer.save_pretrained(tmp_path)
    model.save_pretrained(tmp_path)
    backend = get_backend(f"transformers:{tmp_path}")
    scores = backend.score(["it is very good", "it is bad"])
    assert scores.shape == (2,) and np.all(np.abs(scores) <= 1)
    (info,) = backend.describe()
    assert info.source == "path" and info.size_bytes > 0
