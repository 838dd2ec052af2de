"""The theme step's UMAP: exact neighbours, the on-disk reduction cache, and what a re-run reuses."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from voc_synth.config import EmbeddingConfig, ThemeConfig
from voc_synth.embed import embed_texts
from voc_synth.themes import find_themes
from voc_synth.themes import reduce as reduce_module
from voc_synth.themes.evaluation import as_segments, load_eval_set
from voc_synth.themes.reduce import CachedUMAP, evict, exact_cosine_knn, reduction_cache_dir


def _unit(n: int, dim: int = 24, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_exact_knn_matches_brute_force_and_puts_each_row_first() -> None:
    x = _unit(2500)
    x[10] = x[11]  # an exact duplicate: each must still list itself first
    indices, distances = exact_cosine_knn(x, 8)
    assert indices.shape == distances.shape == (2500, 8)
    assert (indices[:, 0] == np.arange(2500)).all() and (distances[:, 0] == 0).all()
    assert indices[10, 1] == 11 and indices[11, 1] == 10 and distances[10, 1] == pytest.approx(0, abs=1e-6)
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    expected = np.argsort(-sims, axis=1, kind="stable")[:, :7]
    # The same neighbour sets (order can differ only between exact ties).
    same = np.mean([set(a) == set(b) for a, b in zip(indices[:, 1:], expected, strict=True)])
    assert same > 0.999
    assert np.all(np.diff(distances, axis=1) >= -1e-6)  # sorted nearest first
    np.testing.assert_allclose(distances[:, 1], 1 - np.take_along_axis(sims, expected[:, :1], 1)[:, 0], atol=1e-5)


def test_bfloat16_candidates_find_the_same_neighbours_with_float32_distances() -> None:
    """Large corpora pick candidates in bfloat16 and rank them in float32: same neighbours."""
    rng = np.random.default_rng(4)
    centres = rng.normal(size=(30, 64))
    x = (centres[rng.integers(0, 30, 3000)] + 0.8 * rng.normal(size=(3000, 64))).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    exact_i, exact_d = exact_cosine_knn(x, 10, candidates_bf16=False)
    fast_i, fast_d = exact_cosine_knn(x, 10, candidates_bf16=True)
    assert (fast_i[:, 0] == np.arange(3000)).all() and (fast_d[:, 0] == 0).all()
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact_i, fast_i, strict=True)])
    assert recall > 0.999
    same = (exact_i == fast_i).all(axis=1)
    assert same.mean() > 0.99
    # Where the neighbours agree, the distances are the float32 ones, not bfloat16 roundings.
    np.testing.assert_allclose(fast_d[same], exact_d[same], atol=1e-6)


def test_reduction_is_cached_and_reused_bit_for_bit(tmp_path: Path) -> None:
    x = _unit(300, seed=1)
    first = CachedUMAP(n_neighbors=10, n_components=5, random_state=7, cache_dir=tmp_path).fit(x)
    assert not first.cache_hit and len(list(tmp_path.glob("*.npy"))) == 1
    second = CachedUMAP(n_neighbors=10, n_components=5, random_state=7, cache_dir=tmp_path).fit(x)
    assert second.cache_hit
    np.testing.assert_array_equal(first.embedding_, second.embedding_)
    # Recomputing gives the same result: the cache changes speed, never the answer.
    fresh = CachedUMAP(n_neighbors=10, n_components=5, random_state=7).fit(x)
    np.testing.assert_array_equal(fresh.embedding_, first.embedding_)
    # Other parameters or other vectors are other entries.
    assert not CachedUMAP(n_neighbors=12, n_components=5, random_state=7, cache_dir=tmp_path).fit(x).cache_hit
    assert not CachedUMAP(n_neighbors=10, n_components=5, random_state=8, cache_dir=tmp_path).fit(x).cache_hit
    assert not CachedUMAP(n_neighbors=10, n_components=5, random_state=7, cache_dir=tmp_path).fit(x[:-1]).cache_hit
    fewer = CachedUMAP(n_neighbors=10, n_components=5, random_state=7, cache_dir=tmp_path, n_epochs=50).fit(x)
    assert not fewer.cache_hit and not np.array_equal(fewer.embedding_, first.embedding_)
    pca = CachedUMAP(n_neighbors=10, n_components=5, random_state=7, cache_dir=tmp_path, init="pca").fit(x)
    assert not pca.cache_hit and not np.array_equal(pca.embedding_, first.embedding_)
    assert len(list(tmp_path.glob("*.npy"))) == 6


def test_large_corpora_get_a_cheaper_umap_layout_unless_configured() -> None:
    from voc_synth.themes.params import LARGE_CORPUS_FROM, resolve_params

    below = resolve_params(LARGE_CORPUS_FROM - 1, ThemeConfig())
    assert (below.n_epochs, below.umap_init) == (None, "spectral")  # umap-learn's defaults
    large = resolve_params(LARGE_CORPUS_FROM, ThemeConfig())
    assert (large.n_epochs, large.umap_init) == (100, "pca")
    chosen = resolve_params(100_000, ThemeConfig(n_epochs=250, umap_init="spectral"))
    assert (chosen.n_epochs, chosen.umap_init) == (250, "spectral")
    assert resolve_params(5_000, ThemeConfig(n_epochs=40, umap_init="pca")).umap_init == "pca"


def test_transform_returns_rows_of_the_fit_and_refuses_new_vectors(tmp_path: Path) -> None:
    x = _unit(200, seed=2)
    model = CachedUMAP(n_neighbors=10, n_components=5, random_state=1, cache_dir=tmp_path).fit(x)
    np.testing.assert_array_equal(model.transform(x), model.embedding_)
    rows = [5, 17, 150]
    np.testing.assert_array_equal(model.transform(x[rows]), model.embedding_[rows])
    with pytest.raises(NotImplementedError, match="re-run find_themes"):
        model.transform(_unit(3, seed=99))


def test_damaged_cache_file_is_recomputed_and_eviction_keeps_the_newest(tmp_path: Path) -> None:
    x = _unit(150, seed=3)
    model = CachedUMAP(n_neighbors=10, n_components=5, random_state=1, cache_dir=tmp_path).fit(x)
    (path,) = tmp_path.glob("*.npy")
    path.write_bytes(b"not a numpy file")
    again = CachedUMAP(n_neighbors=10, n_components=5, random_state=1, cache_dir=tmp_path).fit(x)
    assert not again.cache_hit
    np.testing.assert_array_equal(again.embedding_, model.embedding_)
    for i in range(5):
        (tmp_path / f"old{i}.npy").write_bytes(b"x")
        os.utime(tmp_path / f"old{i}.npy", (1000 + i, 1000 + i))
    assert evict(tmp_path, max_files=3) == 3
    assert path.exists() and sorted(p.name for p in tmp_path.glob("old*")) == ["old3.npy", "old4.npy"]


def test_second_find_themes_skips_umap_and_gives_the_same_themes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = load_eval_set(per_intent=25, seed=5)
    data = data[data["intent"].isin(sorted(data["intent"].unique())[:10])].reset_index(drop=True)
    segments = as_segments(data)
    emb_config = EmbeddingConfig(cache_dir=tmp_path / "cache")
    embeddings = embed_texts(segments["text"].tolist(), emb_config)
    computed: list[int] = []
    original = CachedUMAP._compute

    def counting(self: CachedUMAP, x: np.ndarray) -> np.ndarray:
        computed.append(len(x))
        return original(self, x)

    monkeypatch.setattr(CachedUMAP, "_compute", counting)
    first = find_themes(segments, embeddings, ThemeConfig(), seed=3, embedding_config=emb_config)
    assert computed == [len(segments)]
    second = find_themes(segments, embeddings, ThemeConfig(), seed=3, embedding_config=emb_config)
    assert computed == [len(segments)], "the second run recomputed UMAP"
    assert first.assignments["theme_id"].tolist() == second.assignments["theme_id"].tolist()
    assert first.themes["label"].tolist() == second.themes["label"].tolist()
    # A new minimum theme size reuses the reduction too: only HDBSCAN runs again.
    find_themes(segments, embeddings, ThemeConfig(min_theme_size=8), seed=3, embedding_config=emb_config)
    assert len(computed) == 1
    # Without a cache nothing is written.
    off = EmbeddingConfig(cache_dir=tmp_path / "cache", cache=False)
    assert reduction_cache_dir(off) is None


def test_cache_cli_shows_and_clears_reductions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voc_synth.cli import app

    monkeypatch.setenv("VOC_SYNTH_CACHE_DIR", str(tmp_path))
    folder = reduction_cache_dir(EmbeddingConfig())
    assert folder == tmp_path / "embeddings" / "reductions"
    CachedUMAP(n_neighbors=10, n_components=5, random_state=1, cache_dir=folder).fit(_unit(120))
    shown = CliRunner().invoke(app, ["cache", "show"])
    assert shown.exit_code == 0, shown.output
    assert "reductions: 1" in shown.output
    cleared = CliRunner().invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0, cleared.output
    assert "Removed 1 cached reductions" in cleared.output
    assert not list(folder.glob("*.npy"))
    assert reduce_module.reduction_cache_info(folder)["reductions"] == 0
