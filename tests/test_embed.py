"""embed_texts() and the on-disk embedding cache: hits, model identity, concurrency, eviction."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import RecordingProgress

from voc_synth import embed
from voc_synth.config import EmbeddingConfig
from voc_synth.embed import cache_info, clear_cache, embed_texts, last_stats, model_identity
from voc_synth.embedding_cache import EmbeddingCache, ModelIdentity, text_hash
from voc_synth.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
DIM = 384


def fake_vector(text: str, salt: str = "") -> np.ndarray:
    seed = int.from_bytes(hashlib.sha1((salt + text).encode()).digest()[:4], "little")
    vec = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vec / np.linalg.norm(vec)


class FakeModel:
    def __init__(self, salt: str = "") -> None:
        self.salt = salt

    def get_sentence_embedding_dimension(self) -> int:
        return DIM


@pytest.fixture
def fake_encoder(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Replace the sentence-transformer with a fast deterministic fake; record every call."""
    calls: list[list[str]] = []

    def load(config: EmbeddingConfig) -> FakeModel:
        return FakeModel(salt=str(config.model))

    def encode(model: FakeModel, texts: list[str], batch_size: int) -> np.ndarray:
        calls.append(list(texts))
        return np.stack([fake_vector(t, model.salt) for t in texts])

    monkeypatch.setattr(embed, "_load_model", load)
    monkeypatch.setattr(embed, "_encode", encode)
    return calls


def fake_model_dir(path: Path, payload: bytes = b"weights") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text("{}", encoding="utf-8")
    (path / "model.safetensors").write_bytes(payload)
    return path


# -- the real model ---------------------------------------------------------------------------

def test_bfloat16_vectors_match_float32_and_are_cached_apart(tmp_path: Path, no_network: None) -> None:
    """bfloat16 (the default where the CPU has it) must give the same neighbours as float32."""
    texts = ["My parcel is late again.", "The app crashes at checkout.", "Great quality, fast delivery!",
             "Refund still not received after three weeks.", "Where is my order? Tracking has not moved."]
    f32 = EmbeddingConfig(cache_dir=tmp_path / "cache", precision="float32")
    b16 = EmbeddingConfig(cache_dir=tmp_path / "cache", precision="bfloat16")
    a, b = embed_texts(texts, f32), embed_texts(texts, b16)
    assert last_stats().extra["precision"] == "bfloat16" and last_stats().n_cached == 0  # not float32's
    assert np.min(np.sum(a * b, axis=1)) > 0.999
    # Pairwise similarities move by less than 0.01 (near-ties may swap order, nothing more).
    assert np.max(np.abs(a @ a.T - b @ b.T)) < 0.01
    assert model_identity(f32).key != model_identity(b16).key
    assert "· bfloat16" in model_identity(b16).version
    expected = "bfloat16" if embed.cpu_has_native_bf16() else "float32"
    assert embed.resolve_precision(EmbeddingConfig()) == expected



def test_real_model_second_call_is_all_cache_hits(tmp_path: Path, no_network: None) -> None:
    config = EmbeddingConfig(cache_dir=tmp_path / "cache")
    texts = ["My parcel is late again.", "The app crashes at checkout.", "Great quality!",
             "My parcel is late again."]
    first = embed_texts(texts, config)
    stats = last_stats()
    assert first.shape == (4, DIM) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(first[0], first[3])  # duplicate text, encoded once
    assert (stats.n_unique, stats.n_encoded, stats.n_cached) == (3, 3, 0)
    assert stats.encoder_calls >= 1

    calls_before = embed.ENCODER_CALLS
    second = embed_texts(texts, config)
    stats = last_stats()
    assert embed.ENCODER_CALLS == calls_before
    assert (stats.encoder_calls, stats.n_encoded, stats.n_cached) == (0, 0, 3)
    assert np.array_equal(first, second)  # bit-identical: warm runs give the same themes


# -- the cache with a fake encoder ------------------------------------------------------------

def test_only_new_texts_are_encoded(tmp_path: Path, fake_encoder: list[list[str]]) -> None:
    config = EmbeddingConfig(cache_dir=tmp_path, batch_size=4)
    texts = [f"text number {i}" for i in range(50)]
    out = embed_texts(texts, config)
    assert last_stats().n_encoded == 50
    assert len(fake_encoder) == 2  # chunks of batch_size * 8 texts
    done: list[int] = []
    more = embed_texts([*texts, "one new file's text"], config, progress=done.append)
    assert last_stats().n_encoded == 1 and last_stats().n_cached == 50
    assert fake_encoder[-1] == ["one new file's text"]
    assert sum(done) == 51
    assert np.array_equal(more[:50], out)


def test_progress_factory_is_accepted(tmp_path: Path, fake_encoder: list[list[str]],
                                      recording_progress: RecordingProgress) -> None:
    from voc_synth.progress import null_progress

    config = EmbeddingConfig(cache_dir=tmp_path)
    embed_texts(["a", "b", "a"], config, progress=recording_progress)
    assert recording_progress.opened == [("Embedding segments", 3)] and sum(recording_progress.advanced) == 3
    embed_texts(["a", "c"], config, progress=null_progress)  # the library default works too


def test_exact_text_is_the_key(tmp_path: Path, fake_encoder: list[list[str]]) -> None:
    config = EmbeddingConfig(cache_dir=tmp_path)
    embed_texts(["Late delivery"], config)
    embed_texts(["late delivery", "Late delivery ", "Late delivery"], config)
    assert last_stats().n_encoded == 2 and last_stats().n_cached == 1


def test_a_different_model_never_collides(tmp_path: Path, fake_encoder: list[list[str]]) -> None:
    model_a = fake_model_dir(tmp_path / "models" / "model-a", b"aaaa")
    model_b = fake_model_dir(tmp_path / "models" / "model-b", b"bbbb")
    config_a = EmbeddingConfig(model=str(model_a), cache_dir=tmp_path / "cache")
    config_b = EmbeddingConfig(model=str(model_b), cache_dir=tmp_path / "cache")
    texts = ["same text", "another text"]
    a = embed_texts(texts, config_a)
    b = embed_texts(texts, config_b)
    assert last_stats().n_cached == 0 and last_stats().n_encoded == 2
    assert not np.allclose(a, b)
    # Replacing the weights (new size and mtime) is a new model identity too.
    key_before = model_identity(config_a).key
    time.sleep(0.01)
    (model_a / "model.safetensors").write_bytes(b"retrained weights")
    assert model_identity(config_a).key != key_before
    embed_texts(texts, config_a)
    assert last_stats().n_cached == 0

    info = cache_info(config_a)
    assert info["entries"] == 6 and len(info["models"]) == 3
    assert clear_cache(config_a, model="model-b") == 2
    assert cache_info(config_a)["entries"] == 4
    assert clear_cache(config_a) == 4
    assert cache_info(config_a)["entries"] == 0


def test_helper_calls_leave_last_stats_alone(tmp_path: Path, fake_encoder: list[list[str]]) -> None:
    config = EmbeddingConfig(cache_dir=tmp_path)
    embed_texts(["segment one", "segment two"], config)
    embed_texts(["keyword"], config, record=False)
    assert last_stats().n_texts == 2


def test_cache_can_be_switched_off(tmp_path: Path, fake_encoder: list[list[str]]) -> None:
    config = EmbeddingConfig(cache=False, cache_dir=tmp_path)
    embed_texts(["a text"], config)
    embed_texts(["a text"], config)
    assert last_stats().n_encoded == 1 and last_stats().cache_location is None
    assert not (tmp_path / "embeddings.sqlite3").exists()


def test_default_location_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      fake_encoder: list[list[str]]) -> None:
    monkeypatch.setenv("VOC_SYNTH_CACHE_DIR", str(tmp_path / "vs"))
    embed_texts(["hello there"], EmbeddingConfig())
    assert last_stats().cache_location == str(tmp_path / "vs" / "embeddings" / "embeddings.sqlite3")
    assert cache_info(EmbeddingConfig())["entries"] == 1


def test_empty_and_odd_inputs(tmp_path: Path, fake_encoder: list[list[str]]) -> None:
    config = EmbeddingConfig(cache_dir=tmp_path)
    assert embed_texts([], config).shape == (0, DIM)
    out = embed_texts(["", None, float("nan"), 12], config)  # type: ignore[list-item]
    assert out.shape == (4, DIM) and np.array_equal(out[0], out[1])


def test_bad_cache_size_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        EmbeddingCache(tmp_path, max_mb=0)


IDENTITY = ModelIdentity("fake", "/nowhere/fake", "1", "abc")


def test_eviction_keeps_the_cache_bounded_and_drops_least_recently_used(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, max_mb=0.25)  # ~160 vectors of 384 floats
    cache.touch_after_s = 0.0
    keep = [f"kept {i}" for i in range(20)]
    cache.put_many(IDENTITY, [text_hash(t) for t in keep], np.stack([fake_vector(t) for t in keep]))
    for batch in range(12):
        time.sleep(0.002)
        cache.get_many(IDENTITY, [text_hash(t) for t in keep])  # recently used: must survive
        texts = [f"filler {batch}-{i}" for i in range(50)]
        cache.put_many(IDENTITY, [text_hash(t) for t in texts], np.stack([fake_vector(t) for t in texts]))
        assert cache.stored_bytes() <= cache.max_bytes
    assert cache.evicted > 0
    found = cache.get_many(IDENTITY, [text_hash(t) for t in keep])
    assert len(found) == len(keep)
    assert np.array_equal(found[text_hash("kept 3")], fake_vector("kept 3"))
    oldest = cache.get_many(IDENTITY, [text_hash(f"filler 0-{i}") for i in range(50)])
    assert not oldest
    assert cache.integrity_ok()
    cache.close()
    # Freed pages go back to the file system: the database file stays near the bound.
    assert (tmp_path / "embeddings.sqlite3").stat().st_size < 1.5 * cache.max_bytes + 65536


def test_many_small_writes_stay_bounded_without_recounting_every_time(tmp_path: Path) -> None:
    """The theme step writes keyword candidates in hundreds of small calls; each must not sum the
    whole table again, yet the bound must hold."""
    cache = EmbeddingCache(tmp_path, max_mb=0.25)
    counts = 0
    original = cache.stored_bytes

    def counting() -> int:
        nonlocal counts
        counts += 1
        return original()

    cache.stored_bytes = counting  # type: ignore[method-assign]
    for i in range(300):
        cache.put_many(IDENTITY, [text_hash(f"word {i}")], fake_vector(f"word {i}")[None, :])
        assert original() <= cache.max_bytes
    assert cache.evicted > 0
    assert counts < 60, counts
    cache.close()


WRITER = textwrap.dedent("""
    import hashlib, sys
    import numpy as np
    from voc_synth.embedding_cache import EmbeddingCache, ModelIdentity, text_hash
    folder, start, stop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    identity = ModelIdentity("fake", "/nowhere/fake", "1", "abc")
    cache = EmbeddingCache(folder, max_mb=512)
    def vec(i):
        rng = np.random.default_rng(i)
        return rng.standard_normal(384).astype(np.float32)
    for lo in range(start, stop, 40):
        ids = list(range(lo, min(lo + 40, stop)))
        hashes = [text_hash(f"text {i}") for i in ids]
        cache.get_many(identity, hashes)
        cache.put_many(identity, hashes, np.stack([vec(i) for i in ids]))
    cache.close()
""")


def test_two_processes_writing_at_once_do_not_corrupt_the_cache(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "0", "1200"], env=env,
                         stderr=subprocess.PIPE),
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "600", "1800"], env=env,
                         stderr=subprocess.PIPE),
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
    cache = EmbeddingCache(tmp_path)
    assert cache.integrity_ok()
    assert cache.info()["entries"] == 1800
    hashes = [text_hash(f"text {i}") for i in range(1800)]
    found = cache.get_many(IDENTITY, hashes)
    assert len(found) == 1800
    for i in (0, 599, 600, 1199, 1799):
        expected = np.random.default_rng(i).standard_normal(384).astype(np.float32)
        assert np.array_equal(found[hashes[i]], expected)
    cache.close()


def test_warm_lookups_are_fast(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    n = 20_000
    hashes = [text_hash(f"segment text {i}") for i in range(n)]
    vectors = np.random.default_rng(0).standard_normal((n, DIM)).astype(np.float32)
    cache.put_many(IDENTITY, hashes, vectors)
    started = time.perf_counter()
    found = cache.get_many(IDENTITY, hashes)
    elapsed = time.perf_counter() - started
    assert len(found) == n
    # ~0.3 s on a quiet machine; generous for a shared CI box. 100k take a few seconds.
    assert elapsed < 6.0, f"{n} warm lookups took {elapsed:.1f}s"
    cache.close()
