"""The transcript cache: a recording is transcribed once per model and settings.

Entries are JSON files named by a key made of the audio's SHA-256, the speech model and voice
encoder (name, version, size) and every setting that changes the transcript
(`cache_key`). A renamed or moved recording hits; an edited one, another model or another
language setting misses. The cache lives beside the embedding cache (`$VOC_SYNTH_CACHE_DIR`, else
the user cache folder): on this machine, like the recordings themselves.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..models import ModelInfo
from .settings import AudioConfig

# Bumped when the cached shape or the diarisation changes, so old entries are not reused.
CACHE_VERSION = 1


def transcript_cache_dir() -> Path:
    """`$VOC_SYNTH_CACHE_DIR/transcripts`, else `~/.cache/voc_synth/transcripts`."""
    from ..embedding_cache import default_cache_dir

    return default_cache_dir().parent / "transcripts"


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (streamed: recordings can be gigabytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_key(audio_digest: str, model: ModelInfo, encoder: ModelInfo, settings: AudioConfig) -> str:
    """The entry name for one recording transcribed by `model` with `settings`."""
    identity = {
        "version": CACHE_VERSION, "audio": audio_digest,
        "model": [model.name, model.version, model.size_bytes],
        "encoder": [encoder.version, encoder.size_bytes],
        # Threads and the cache switch change how fast, not what: left out.
        "settings": settings.model_dump(exclude={"model", "threads", "cache"}),
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]


def load_entry(key: str, folder: Path | None = None) -> dict[str, Any] | None:
    """The cached transcript for `key`, or None (a missing or unreadable entry is a miss)."""
    path = (folder or transcript_cache_dir()) / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == CACHE_VERSION else None


def save_entry(key: str, data: dict[str, Any], folder: Path | None = None) -> Path:
    """Write an entry atomically (temp file, then rename), so a reader never sees half of one."""
    folder = folder or transcript_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key}.json"
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({**data, "version": CACHE_VERSION}, out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
