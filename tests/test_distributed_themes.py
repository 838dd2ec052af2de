"""Themes on a stratified sample (`execution.theme_sample`), the rest assigned to the nearest
theme: measured against a fit on the whole corpus, and against the planted themes, on a modest
synthetic corpus where both fits are affordable.

Prints the figures (run with -s to see them). The bars are loose on purpose: they say the
sample finds the same themes, not that the two runs agree segment for segment.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from voc_synth.bench.corpora import planted_labels
from voc_synth.config import load_config
from voc_synth.corpora.synth import write_synthetic_corpus
from voc_synth.distributed.theme_sample import find_themes_sampled, stratified_sample
from voc_synth.embed import embed_texts
from voc_synth.ingest import ingest
from voc_synth.tables import themable
from voc_synth.themes import find_themes

pytestmark = pytest.mark.slow


def test_the_sample_keeps_each_source_types_share_and_ignores_row_order() -> None:
    import pandas as pd

    segments = pd.DataFrame({"segment_id": [f"S{i}" for i in range(1000)],
                             "source_type": ["review"] * 700 + ["ticket"] * 250 + ["interview"] * 50})
    picked = stratified_sample(segments, 100, seed=1)
    assert len(picked) == 100
    assert segments.iloc[picked]["source_type"].value_counts().to_dict() == {"review": 70, "ticket": 25, "interview": 5}
    shuffled = segments.sample(frac=1.0, random_state=0).reset_index(drop=True)
    again = stratified_sample(shuffled, 100, seed=1)
    assert set(shuffled.iloc[again]["segment_id"]) == set(segments.iloc[picked]["segment_id"])


def test_sampled_themes_agree_with_a_full_fit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOC_SYNTH_CACHE_DIR", str(tmp_path / "cache"))
    write_synthetic_corpus(tmp_path / "corpus", 6000, seed=5)
    config = load_config(tmp_path / "corpus")
    segments = ingest(config).segments.reset_index(drop=True)
    segments = segments[themable(segments)].reset_index(drop=True)
    embeddings = embed_texts(segments["text"].tolist(), config.embedding)

    full = find_themes(segments, embeddings, config.themes, seed=config.seed, embedding_config=config.embedding)
    sample_size = len(segments) // 2
    sampled = find_themes_sampled(segments, embeddings, config.themes, seed=config.seed,
                                  embedding_config=config.embedding, sample_size=sample_size)
    assert sampled.params["sample"]["size"] == sample_size and len(sampled.assignments) == len(segments)

    a, b = full.assignments["theme_id"].to_numpy(), sampled.assignments["theme_id"].to_numpy()
    rest = np.ones(len(segments), dtype=bool)
    rest[stratified_sample(segments, sample_size, config.seed)] = False
    agreement = {"nmi": normalized_mutual_info_score(a, b), "ari": adjusted_rand_score(a, b),
                 "nmi_assigned_half": normalized_mutual_info_score(a[rest], b[rest])}
    planted = planted_labels(segments, tmp_path / "corpus")
    known = planted.notna().to_numpy()
    truth = planted[known].astype(str).to_numpy()
    quality = {"full": normalized_mutual_info_score(truth, a[known]),
               "sampled": normalized_mutual_info_score(truth, b[known])}
    print(f"\n{len(segments)} segments, sample {sample_size}: agreement with the full fit "
          + ", ".join(f"{k} {v:.3f}" for k, v in agreement.items())
          + f"; NMI with the planted themes: full {quality['full']:.3f}, sampled {quality['sampled']:.3f}; "
          f"unthemed: full {np.mean(a == -1):.1%}, sampled {np.mean(b == -1):.1%}")
    assert agreement["nmi"] >= 0.6 and agreement["nmi_assigned_half"] >= 0.6
    assert quality["sampled"] >= quality["full"] - 0.1  # as good at finding what was planted
    assert np.mean(b == -1) <= np.mean(a == -1) + 0.1
