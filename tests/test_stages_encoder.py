"""Which encoder places segments on stages: the stronger all-mpnet-base-v2 for every text of a
corpus small enough to afford it, for a fixed sample of a larger one (a map learnt from the
sample places the rest), and always the same choice for the same corpus and config."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from voc_synth.config import EmbeddingConfig, StageConfig
from voc_synth.embed import embed_texts
from voc_synth.frameworks import load_framework
from voc_synth.stages import choose_stage_encoder, map_to_stages
from voc_synth.stages import encoder as stage_encoder_module
from voc_synth.stages.encoder import stage_sample_texts

QUERIES = [
    "I was charged twice for the same order",
    "Where is my parcel? Tracking hasn't moved since Monday",
    "How do I send the jumper back for a refund?",
    "The promo code won't apply at checkout",
    "Saw your sofa on Instagram and wanted to know more",
    "Customer service never replied to my email",
]


@pytest.fixture(scope="module")
def embedding_config(tmp_path_factory: pytest.TempPathFactory) -> EmbeddingConfig:
    return EmbeddingConfig(cache_dir=tmp_path_factory.mktemp("emb"), precision="float32")


@pytest.fixture(scope="module")
def run_embeddings(embedding_config: EmbeddingConfig) -> np.ndarray:
    return embed_texts(QUERIES, embedding_config)


def test_auto_uses_the_stronger_encoder_for_a_small_corpus(run_embeddings, embedding_config, no_network,
                                                           recording_progress):
    chosen = choose_stage_encoder(QUERIES, run_embeddings, StageConfig(), embedding_config,
                                  progress=recording_progress)
    assert recording_progress.opened == [("Embedding segments for stages (all-mpnet-base-v2)", len(QUERIES))]
    assert sum(recording_progress.advanced) == len(QUERIES)
    assert chosen.model == "all-mpnet-base-v2" and not chosen.same_as_run
    assert chosen.embeddings.shape == (len(QUERIES), 768)
    assert np.allclose(np.linalg.norm(chosen.embeddings, axis=1), 1.0, atol=1e-3)
    assert chosen.encode(["a refund"]).shape == (1, 768)  # framework texts embedded alike
    assert "6 distinct texts" in chosen.reason


def test_same_reuses_the_run_embeddings_and_large_corpora_get_a_sample(run_embeddings, embedding_config):
    same = choose_stage_encoder(QUERIES, run_embeddings, StageConfig(encoder="same"), embedding_config)
    assert same.same_as_run and same.embeddings is run_embeddings and same.sample is None
    # Over the budget: the run's embeddings for every segment, the stronger encoder for a sample.
    capped = choose_stage_encoder(QUERIES, run_embeddings, StageConfig(encoder_max_texts=4), embedding_config)
    assert capped.model == "all-mpnet-base-v2" and not capped.same_as_run and capped.warning is None
    assert capped.embeddings is run_embeddings and capped.sample is not None
    assert capped.sample.n_texts == 4 and capped.sample.embeddings.shape == (4, 768)
    assert "a sample of 4 of 6 distinct texts" in capped.reason and capped.to_dict()["sample_texts"] == 4
    strong = embed_texts([QUERIES[i] for i in capped.sample.positions],
                         embedding_config.model_copy(update={"model": "all-mpnet-base-v2"}))
    assert np.allclose(capped.sample.embeddings, strong, atol=1e-5)
    # Duplicates count once and are in the sample with their text; the sample does not depend
    # on the order of the segments.
    doubled = QUERIES * 2
    again = choose_stage_encoder(doubled, np.vstack([run_embeddings] * 2), StageConfig(encoder_max_texts=4),
                                 embedding_config)
    assert again.sample.n_texts == 4 and len(again.sample.positions) == 8
    assert {doubled[i] for i in again.sample.positions} == {QUERIES[i] for i in capped.sample.positions}
    backwards = choose_stage_encoder(QUERIES[::-1], run_embeddings[::-1], StageConfig(encoder_max_texts=4),
                                     embedding_config)
    assert {QUERIES[::-1][i] for i in backwards.sample.positions} == {QUERIES[i] for i in capped.sample.positions}
    assert stage_sample_texts(QUERIES, 6) == sorted(QUERIES)
    whole = choose_stage_encoder(doubled, np.vstack([run_embeddings] * 2), StageConfig(encoder_max_texts=6),
                                 embedding_config)
    assert whole.sample is None and not whole.same_as_run and whole.embeddings.shape == (12, 768)
    none = choose_stage_encoder(QUERIES, run_embeddings, StageConfig(encoder_max_texts=0), embedding_config)
    assert none.same_as_run and none.warning is None


def test_a_missing_stage_model_falls_back_with_a_reason(run_embeddings, embedding_config, monkeypatch):
    monkeypatch.setattr(stage_encoder_module, "_auto_model_available", lambda: False)
    chosen = choose_stage_encoder(QUERIES, run_embeddings, StageConfig(), embedding_config)
    assert chosen.same_as_run and "not installed" in chosen.reason and "voc_synth[models]" in chosen.reason
    assert "less accurate" in chosen.warning


def test_a_named_encoder_is_used_whatever_the_corpus_size(run_embeddings, embedding_config):
    chosen = choose_stage_encoder(QUERIES, run_embeddings, StageConfig(encoder="all-MiniLM-L6-v2",
                                                                        encoder_max_texts=0), embedding_config)
    assert chosen.model == "all-MiniLM-L6-v2" and chosen.embeddings.shape == (len(QUERIES), 384)
    assert np.allclose(chosen.embeddings, run_embeddings, atol=1e-5)


def test_map_to_stages_without_an_encoder_maps_as_a_run_does(run_embeddings):
    framework = load_framework("ecommerce")
    segments = pd.DataFrame({"text": QUERIES})
    by_default = map_to_stages(segments, run_embeddings, framework)
    chosen = choose_stage_encoder(QUERIES, run_embeddings, StageConfig(), EmbeddingConfig())
    explicit = map_to_stages(segments, chosen.embeddings, framework, encode=chosen.encode)
    assert np.allclose(by_default.probabilities, explicit.probabilities)
    # ... and not as it would with the run's own embeddings.
    run_encode = lambda texts: embed_texts(list(texts), EmbeddingConfig())  # noqa: E731
    with_run_model = map_to_stages(segments, run_embeddings, framework, encode=run_encode)
    assert not np.allclose(by_default.probabilities, with_run_model.probabilities, atol=1e-3)
    stages = dict(zip(QUERIES, by_default.segment_stages["stage"], strict=True))
    assert stages["Where is my parcel? Tracking hasn't moved since Monday"] == "delivery"
    assert stages["How do I send the jumper back for a refund?"] == "returns"
    assert stages["The promo code won't apply at checkout"] == "checkout"


def test_the_run_records_which_encoder_placed_the_stages(tmp_path: Path):
    from voc_synth.config import config_from_dict
    from voc_synth.pipeline import synthesize

    # The same six tickets exported six times over (same id, same text).
    path = tmp_path / "tickets.csv"
    pd.DataFrame({"id": [j for _ in range(6) for j in range(len(QUERIES))],
                  "text": [q for _ in range(6) for q in QUERIES]}).to_csv(path, index=False)
    config = config_from_dict({"sources": [{"path": str(path), "type": "ticket",
                                            "columns": {"id": "id", "text": "text"}}],
                               "embedding": {"cache_dir": str(tmp_path / "cache")}}, base_dir=tmp_path)
    synthesis = synthesize(config)
    assert synthesis.meta["stage_encoder"]["model"] == "all-mpnet-base-v2"
    assert not any("Journey stages were placed" in w for w in synthesis.meta["warnings"])
    roles = {m["role"]: m["name"] for m in synthesis.meta["models"]}
    assert roles["stage embeddings"] == "all-mpnet-base-v2" and roles["embeddings"] == "all-MiniLM-L6-v2"
    # Ingestion keeps six of the 36 rows (the rest are the same records again, skipped as
    # duplicates); six tickets form no theme, and the run still writes every report.
    assert len(synthesis.segments) == 6
    assert synthesis.themes.empty
    from voc_synth.run_folder import write_run

    out = write_run(synthesis, tmp_path / "run")
    assert (out / "journey_map.html").is_file() and (out / "voc_synth.xlsx").is_file()
    stages = pd.read_csv(out / "stages.csv")
    assert stages["n_segments"].sum() > 0
    assert "all-mpnet-base-v2" in (out / "report.md").read_text(encoding="utf-8")
    # Over the budget the stronger encoder sees a sample, the run records it, and nothing warns.
    capped = synthesize(config.model_copy(update={"stages": StageConfig(encoder_max_texts=5)}))
    assert capped.meta["stage_encoder"]["model"] == "all-mpnet-base-v2"
    assert capped.meta["stage_encoder"]["sample_texts"] == 5
    assert not any("Journey stages were placed" in w for w in capped.meta["warnings"])
    assert capped.segments["stage"].notna().all()
