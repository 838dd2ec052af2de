"""The quality bar: at its defaults find_themes() must match or beat plain BERTopic's NMI on
the labelled support/feedback queries in data/themes_eval/, with at most 10% unthemed.

Same embeddings for both; plain BERTopic is run here (not a remembered number), so the test
fails if our defaults regress below the library's own defaults.
"""

from __future__ import annotations

import pytest

from voc_synth.config import EmbeddingConfig
from voc_synth.themes.evaluation import evaluate, load_eval_set


def test_defaults_beat_plain_bertopic(tmp_path_factory: pytest.TempPathFactory, no_network: None) -> None:
    # 20 random intents x 30 queries: 600 short texts (the full set: scripts/eval_themes.py).
    data = load_eval_set(n_intents=20, per_intent=30, seed=0)
    assert data["intent"].nunique() == 20 and len(data) == 600
    config = EmbeddingConfig(cache_dir=tmp_path_factory.getbasetemp() / "embedding-cache")
    scores = evaluate(data, seed=0, embedding_config=config)
    plain, ours = scores["plain"], scores["ours"]
    message = f"plain={plain} ours={ours}"
    assert ours["unthemed"] <= 0.10, message
    assert ours["nmi"] >= plain["nmi"], message
    assert ours["ari"] >= plain["ari"] - 0.02, message
    assert ours["n_themes"] >= 10, message
