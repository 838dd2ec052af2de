"""Offline model resolution: local copies are found in the documented order, loading them makes
no network call, and a missing model says how to get it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voc_synth import models
from voc_synth.errors import MissingModelError


def test_default_embedding_model_resolves_locally(no_network: None) -> None:
    info = models.resolve_embedding_model()
    assert info.source in {"package", "models_dir"}
    assert info.size_bytes > 10_000_000  # real weights, not a pointer file
    assert Path(info.location, "model.safetensors").is_file()


def test_embedding_model_loads_and_encodes_without_network(no_network: None) -> None:
    model = models.load_embedding_model()
    vectors = model.encode(["the parcel arrived a week late", "delivery was slow"], normalize_embeddings=True)
    assert vectors.shape == (2, 384)
    similarity = float(vectors[0] @ vectors[1])
    assert similarity > 0.4  # real embeddings: related sentences are close


def test_models_dir_copy_wins_over_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package_copy = Path(models.resolve_embedding_model().location)
    shutil.copytree(package_copy, tmp_path / "all-MiniLM-L6-v2")
    monkeypatch.setenv("VOC_SYNTH_MODELS_DIR", str(tmp_path))
    info = models.resolve_embedding_model()
    assert info.source == "models_dir"
    assert info.location == str((tmp_path / "all-MiniLM-L6-v2").resolve())


def test_explicit_path_wins(tmp_path: Path) -> None:
    package_copy = Path(models.resolve_embedding_model().location)
    target = tmp_path / "my-model"
    shutil.copytree(package_copy, target)
    info = models.resolve_embedding_model(str(target))
    assert info.source == "path"


def test_missing_model_offline_explains_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(MissingModelError) as err:
        models.resolve_embedding_model("paraphrase-multilingual-MiniLM-L12-v2")
    message = str(err.value)
    assert "models/paraphrase-multilingual-MiniLM-L12-v2/" in message
    assert "--embedding-model" in message


def test_spacy_pipeline_resolves_to_a_trained_pipeline(no_network: None) -> None:
    info = models.resolve_spacy_pipeline()
    assert info.source == "package"
    nlp = models.load_spacy()
    doc = nlp("Maya Patel called on Tuesday. The refund still hasn't arrived.")
    assert len(list(doc.sents)) == 2
    assert any(ent.label_ == "PERSON" for ent in doc.ents)


def test_torch_is_the_cpu_build() -> None:
    info = models.torch_info()
    assert "cpu" in info.version


def test_models_command_prints_every_model() -> None:
    env = {"HF_HUB_OFFLINE": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "voc_synth", "models"], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    for expected in ("torch", "all-MiniLM-L6-v2", "en_core_web_sm", "package", "MB", "stage embeddings",
                     "all-mpnet-base-v2"):
        assert expected in result.stdout, result.stdout


def test_models_command_missing_model_exits_1_with_instructions() -> None:
    env = {"HF_HUB_OFFLINE": "1", "COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "voc_synth", "models", "--embedding-model", "no-such-model-xyz"],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 1
    assert "models/no-such-model-xyz/" in result.stderr
    assert "Traceback" not in result.stderr


def test_split_package_model_resolves_to_an_assembled_local_copy(no_network: None) -> None:
    # all-mpnet-base-v2 comes from five PyPI packages, each one piece of a zip archive.
    info = models.resolve_embedding_model("all-mpnet-base-v2", allow_hub=False)
    assert info.source == "package"
    assert info.size_bytes > 400_000_000
    folder = Path(info.location)
    assert (folder / "model.safetensors").stat().st_size > 400_000_000
    assert not list(folder.rglob("desktop.ini"))
    assert models.resolve_embedding_model("all-mpnet-base-v2").location == info.location  # unpacked once


def _fake_split_model(tmp_path: Path, pieces: int = 3) -> list[Path]:
    import zipfile

    archive = tmp_path / "whole.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("tiny-model/modules.json", "[]")
        zf.writestr("tiny-model/config.json", "{}")
        zf.writestr("tiny-model/desktop.ini", "[.ShellClassInfo]")
        zf.writestr("tiny-model/model.safetensors", bytes(range(256)) * 400)
    data = archive.read_bytes()
    size = len(data) // pieces + 1
    parts = []
    for i in range(pieces):
        part = tmp_path / f"tiny.zip.{i + 1:03d}"
        part.write_bytes(data[i * size:(i + 1) * size])
        parts.append(part)
    return parts


def _install_fake_split(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, parts: list[Path]) -> None:
    dists = tuple(f"tiny-model-part-{i:03d}" for i in range(1, len(parts) + 1))
    monkeypatch.setitem(models.SPLIT_PACKAGED_EMBEDDINGS, "tiny-model", (dists, "tiny-model"))
    monkeypatch.setattr(models, "_split_package_parts", lambda names: parts if names == dists else None)
    monkeypatch.setattr(models.importlib.metadata, "version", lambda dist: "9.9")
    monkeypatch.setenv("VOC_SYNTH_CACHE_DIR", str(tmp_path / "cache"))


def test_split_pieces_are_joined_unpacked_once_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = _fake_split_model(tmp_path)
    _install_fake_split(monkeypatch, tmp_path, parts)
    info = models.resolve_embedding_model("tiny-model", allow_hub=False)
    folder = Path(info.location)
    assert folder.parent == tmp_path / "cache" / "models"
    assert (folder / "model.safetensors").read_bytes() == bytes(range(256)) * 400
    assert not (folder / "desktop.ini").exists()
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temporary folder left
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert models.resolve_embedding_model("tiny-model").location == str(folder)
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp  # reused, not unpacked again


def test_a_damaged_split_package_says_how_to_reinstall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = _fake_split_model(tmp_path)
    parts[1].write_bytes(b"\0" * 10)  # a truncated piece
    _install_fake_split(monkeypatch, tmp_path, parts)
    with pytest.raises(MissingModelError) as err:
        models.resolve_embedding_model("tiny-model", allow_hub=False)
    assert "pip install --force-reinstall tiny-model-part-001" in str(err.value)
    assert not list((tmp_path / "cache" / "models").iterdir())  # nothing half-written kept
