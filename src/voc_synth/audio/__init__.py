"""Interview recordings in: local, private transcription with speakers.

A recording (.wav, .mp3, .m4a, .mp4, .webm, .ogg, .flac) in an interview source is decoded with
PyAV (`decode`), transcribed with word timestamps by faster-whisper on the CPU (`transcribe`),
split into voices by clustering Resemblyzer voice prints (`embeddings`, `diarize`), and turned
into the same kind of transcript a text file gives (`transcript`, `reader`): "Speaker 1",
"Speaker 2"… turns with timestamps, which interviewer detection and pseudonyms then handle as
for any transcript. Models come from PyPI packages (`models`); transcripts are cached by the
audio's hash, the model and the settings (`cache`). Nothing is sent anywhere.

    from voc_synth.audio import transcribe_recording
    t = transcribe_recording("interview.m4a")       # words, speakers, language, real-time factor

Heavy libraries load on first use: importing this package costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AUDIO_FORMATS": "settings",
    "AudioConfig": "settings",
    "RecordingTranscript": "session",
    "transcribe_recording": "session",
    "recording_session": "session",
    "read_recording": "reader",
    "resolve_whisper_model": "models",
    "resolve_speaker_encoder": "models",
    "describe_audio_models": "models",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'voc_synth.audio' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
