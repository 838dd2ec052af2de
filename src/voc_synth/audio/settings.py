"""The `audio:` section of voc_synth.yaml: how recordings are transcribed and split into speakers.

Kept apart from `voc_synth.config` so the audio package owns its settings; `Config.audio` is
this model. Every field that changes what a transcript says is part of the transcript cache key
(`voc_synth.audio.cache`), so changing one re-transcribes, and nothing else does.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Recordings voc_synth reads as interview sources (decoded with PyAV, as faster-whisper does).
AUDIO_FORMATS = {
    ".wav": "wav", ".mp3": "mp3", ".m4a": "m4a", ".mp4": "mp4", ".webm": "webm", ".ogg": "ogg",
    ".flac": "flac",
}

DEFAULT_WHISPER_MODEL = "tiny.en"


class AudioConfig(BaseModel):
    """Speech recognition and diarisation settings for recordings."""

    model_config = ConfigDict(extra="forbid")

    # A packaged model name ("tiny.en", the default; "base", multilingual, with language
    # detection), a folder under models/, or the path of a CTranslate2 Whisper model folder (a
    # larger model converted with ct2-transformers-converter).
    model: str = Field(default=DEFAULT_WHISPER_MODEL, min_length=1)
    # "en", "de"…; None = detected per file (recorded in the manifest). English-only models
    # (names ending ".en") always transcribe English.
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    speakers: int | None = Field(default=None, ge=1, le=20)   # None = estimated per file
    max_speakers: int = Field(default=6, ge=1, le=20)         # upper bound when estimating
    beam_size: int = Field(default=5, ge=1, le=10)
    compute_type: Literal["int8", "int8_float32", "int16", "float32"] = "int8"   # CTranslate2 on the CPU
    threads: int | None = Field(default=None, ge=1)           # None = every core
    cache: bool = True                  # reuse a transcript of the same audio, model and settings
