"""The OpenVINO runtime for the embedding model: same vectors as torch, reproducible, kept apart
in the cache, its converted model kept between runs, and a clear error when it is missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voc_synth import embed, embed_runtime
from voc_synth.config import EmbeddingConfig
from voc_synth.embed import embed_texts, last_stats, model_identity
from voc_synth.errors import ConfigError

pytestmark = pytest.mark.skipif(not embed_runtime.openvino_installed(), reason="openvino is not installed")

FEEDBACK = [
    "My parcel arrived four days late and nobody told me why.",
    "The app crashed twice at checkout, so I gave up and bought it in store.",
    "Great quality, fast delivery, would order again!",
    "Refund still not received after three weeks of emails.",
    "Where is my order? Tracking hasn't moved since Tuesday.",
    "Setting it up took five minutes, the instructions were clear.",
    "Customer service kept me on hold for 40 minutes and then hung up.",
    "Cheaper than the high street and it came with a two-year warranty.",
    "ok",
    "The blender is loud but it crushes ice like nothing else I've owned, honestly worth every penny "
    "even if the lid is a bit fiddly to clean after smoothies.",
]


def test_openvino_vectors_match_torch_and_keep_the_same_neighbours(tmp_path: Path, no_network: None) -> None:
    torch_cfg = EmbeddingConfig(cache_dir=tmp_path / "cache", runtime="torch")
    ov_cfg = EmbeddingConfig(cache_dir=tmp_path / "cache", runtime="openvino")
    a = embed_texts(FEEDBACK, torch_cfg)
    b = embed_texts(FEEDBACK, ov_cfg)
    stats = last_stats()
    assert stats.extra["runtime"] == "openvino"
    assert stats.n_cached == 0  # torch's vectors are not reused for OpenVINO
    assert b.dtype == np.float32 and b.shape == a.shape
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(a * b, axis=1)) > 0.9995
    # Pairwise similarities move by less than 0.005 (near-ties may swap order, nothing more).
    assert np.max(np.abs(a @ a.T - b @ b.T)) < 0.005
    assert model_identity(torch_cfg).key != model_identity(ov_cfg).key
    assert "openvino" in model_identity(ov_cfg).version


def test_openvino_is_reproducible_and_its_converted_model_is_reused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None) -> None:
    monkeypatch.setenv("VOC_SYNTH_CACHE_DIR", str(tmp_path / "home"))
    monkeypatch.setattr(embed, "_OPENVINO_ENCODERS", {})
    config = EmbeddingConfig(runtime="openvino", cache=False)
    first = embed_texts(FEEDBACK, config)
    saved = list((tmp_path / "home" / "models" / "openvino").glob("*/model.xml"))
    assert len(saved) == 1 and saved[0].with_suffix(".bin").stat().st_size > 10_000_000

    converted: list[int] = []
    original = embed_runtime._convert
    monkeypatch.setattr(embed_runtime, "_convert", lambda *a: converted.append(1) or original(*a))
    monkeypatch.setattr(embed, "_OPENVINO_ENCODERS", {})  # a new process, as far as the encoder knows
    again = embed_texts(list(reversed(FEEDBACK)), config)[::-1]
    assert converted == []  # read from the saved IR
    assert np.array_equal(first, again)
    assert not list((tmp_path / "home" / "models" / "openvino").glob(".ir-*"))  # no temporary left


def test_openvino_asked_for_but_missing_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed_runtime, "openvino_installed", lambda: False)
    with pytest.raises(ConfigError, match=r"pip install openvino.*runtime"):
        embed_texts(["hello there"], EmbeddingConfig(runtime="openvino", cache=False))
    # "auto" quietly uses torch instead.
    assert embed.resolve_runtime(EmbeddingConfig()) == "torch"
