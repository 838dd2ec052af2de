"""The shipped classifier meets the bar on the held-out set, and the training script retrains it."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from voc_synth.sentiment import get_backend, score_sentiment
from voc_synth.sentiment.embedded import load_classifier

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "sentiment"
SHIPPED = ROOT / "models" / "sentiment"
# Scoring all held-out texts takes ~30 s on two cores; a fixed, stratified sample keeps the
# suite fast (the training script reports the full-set figures in the model card).
SAMPLE_PER_LABEL = 450


def _sample(frame: pd.DataFrame, per_label: int) -> pd.DataFrame:
    """A fixed sample of the negative and positive rows."""
    return pd.concat([g.sample(min(len(g), per_label), random_state=7)
                      for label, g in frame.groupby("label") if label != "neutral"])


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_sets_are_labelled_distinct_and_separate():
    train = pd.read_csv(DATA / "train.csv", keep_default_na=False)
    heldout = pd.read_csv(DATA / "heldout.csv", keep_default_na=False)
    feedback = pd.read_csv(DATA / "heldout_feedback.csv", keep_default_na=False)
    for frame in (train, heldout, feedback):
        assert list(frame.columns) == ["text", "label"]
        assert set(frame["label"]) == {"negative", "neutral", "positive"}
        assert frame["text"].str.lower().is_unique
    assert len(train) >= 5000 and len(heldout) >= 1000
    train_texts = set(train["text"].str.lower())
    assert not train_texts & set(heldout["text"].str.lower())
    assert not train_texts & set(feedback["text"].str.lower())
    words = train["text"].str.split().str.len()
    assert (words > 30).sum() >= 1000, "training data needs multi-sentence, review-length texts"


def test_model_card_matches_the_training_data():
    card = json.loads((SHIPPED / "embedded_sentiment.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((DATA / "train.csv").read_bytes()).hexdigest()
    assert card["training_data_sha256"] == digest, "retrain: python scripts/train_sentiment.py"
    size = (SHIPPED / "embedded_sentiment.npz").stat().st_size
    assert size < 600_000
    thresholds = card["thresholds"]
    assert thresholds["raw_negative_below"] < thresholds["raw_positive_above"]
    assert card["score_map"]["score"] == [-1.0, -0.15, 0.15, 1.0]


def test_heldout_set_meets_the_bar():
    heldout = pd.read_csv(DATA / "heldout.csv", keep_default_na=False)
    sample = _sample(heldout, SAMPLE_PER_LABEL)
    frame = score_sentiment(sample["text"].tolist(), backend=get_backend("embedded"))
    labels = sample["label"].to_numpy()
    scores = frame["sentiment"].to_numpy()
    predicted = frame["sentiment_label"].to_numpy()
    negative, positive = labels == "negative", labels == "positive"
    auc = roc_auc_score(positive[negative | positive], scores[negative | positive])
    caught = np.mean(predicted[negative] == "negative")
    kept = np.mean(predicted[positive] != "negative")
    assert auc >= 0.92, f"AUC {auc:.3f}"
    assert caught >= 0.70, f"only {caught:.1%} of negatives labelled negative"
    assert kept >= 0.90, f"only {kept:.1%} of positives kept non-negative"


def test_short_feedback_beats_vader():
    """Single sentences, contrasts, polite complaints, sarcasm and support messages (held out)."""
    feedback = pd.read_csv(DATA / "heldout_feedback.csv", keep_default_na=False)
    sample = _sample(feedback, 300)
    texts, positive = sample["text"].tolist(), (sample["label"] == "positive").to_numpy()
    ours = score_sentiment(texts, backend=get_backend("embedded"))
    vader = score_sentiment(texts, backend=get_backend("vader"))
    ours_auc = roc_auc_score(positive, ours["sentiment"])
    vader_auc = roc_auc_score(positive, vader["sentiment"])
    assert ours_auc >= 0.83 and ours_auc > vader_auc + 0.08, (ours_auc, vader_auc)
    caught = np.mean(ours["sentiment_label"].to_numpy()[~positive] == "negative")
    assert caught >= 0.70, caught


def test_write_sentiment_data_is_deterministic(tmp_path):
    writer = _load_script("write_sentiment_data")
    bank = writer.load_bank(writer.FRAGMENTS / "heldout")
    plan = {"single": 40, "review": 40}
    first = writer.generate(bank, plan, seed=3)
    assert first == writer.generate(bank, plan, seed=3)
    assert len(first) == 80 and {label for _, label in first} <= {"negative", "neutral", "positive"}
    writer.write_csv(first, tmp_path / "x.csv")
    with (tmp_path / "x.csv").open(encoding="utf-8", newline="") as f:
        assert len(list(csv.reader(f))) == 81


def test_training_script_quick_run_produces_a_loadable_model(tmp_path):
    trainer = _load_script("train_sentiment")
    card = trainer.main(["--quick", "--no-cache", "--out", str(tmp_path)])
    assert (tmp_path / "embedded_sentiment.npz").is_file()
    assert card["n_train"] <= 300 and card["version"].endswith("-quick")
    classifier = load_classifier(tmp_path)
    assert classifier.metadata["training_data_sha256"] == card["training_data_sha256"]
    backend = get_backend("embedded", model=tmp_path)
    scores = backend.score(["It broke after two days, total waste of money.", "Brilliant, I love it."])
    assert scores[0] < scores[1]
