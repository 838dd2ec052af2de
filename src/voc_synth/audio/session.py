"""Transcribe one recording end to end: cache → decode → recognise → diarise → cache.

`transcribe_recording` is the public entry point (also for notebooks). Ingest reads recordings
inside `recording_session(config.audio, progress)`, which is how the file readers — called
one file at a time, without the config — learn the settings and where to draw progress.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..progress import ProgressFactory, null_progress
from .cache import cache_key, file_digest, load_entry, save_entry, transcript_cache_dir
from .decode import SAMPLE_RATE, decode_audio
from .diarize import label_speakers
from .models import require_audio_dependencies, resolve_speaker_encoder, resolve_whisper_model
from .settings import AudioConfig
from .transcribe import Word, recognise
from .transcript import Cue, clock, cues_from_words, to_vtt


@dataclass
class RecordingTranscript:
    """What was said in one recording, by whom and when, and how it was made."""

    words: list[Word]
    language: str
    language_probability: float
    duration: float            # seconds of audio
    speakers: int
    model: str                 # the speech model's name and version
    seconds: float             # time it took to transcribe (when it was made, if cached)
    cached: bool = False
    transcript_file: str = ""  # the editable .vtt kept beside the cache entry
    cues: list[Cue] = field(default_factory=list)

    @property
    def realtime_factor(self) -> float:
        """Seconds of audio transcribed per second of work (3.0 = three times faster than real time)."""
        return self.duration / self.seconds if self.seconds > 0 else math.inf

    def summary(self) -> dict[str, Any]:
        """The manifest's account of this recording (`files[].recording`)."""
        return {
            "model": self.model, "language": self.language,
            "language_probability": round(self.language_probability, 3),
            "duration_seconds": round(self.duration, 1), "speakers": self.speakers,
            "words": len(self.words), "transcribe_seconds": round(self.seconds, 2),
            "realtime_factor": round(self.realtime_factor, 2), "cached": self.cached,
            # The entry's name in the transcript cache (`export.cached_transcript` finds it):
            # outputs carry no folder of this machine.
            "transcript": Path(self.transcript_file).name if self.transcript_file else "",
        }


def _to_entry(result: RecordingTranscript) -> dict[str, Any]:
    return {
        "words": [[w.start, w.end, w.text, w.segment, w.speaker] for w in result.words],
        "language": result.language, "language_probability": result.language_probability,
        "duration": result.duration, "speakers": result.speakers, "model": result.model,
        "seconds": result.seconds,
    }


def _from_entry(entry: dict[str, Any]) -> RecordingTranscript:
    words = [Word(float(s), float(e), str(t), int(g), int(k)) for s, e, t, g, k in entry["words"]]
    return RecordingTranscript(words, entry["language"], float(entry["language_probability"]),
                               float(entry["duration"]), int(entry["speakers"]), entry["model"],
                               float(entry["seconds"]), cached=True)


def transcribe_recording(path: Path | str, settings: AudioConfig | None = None,
                         progress: ProgressFactory | None = None) -> RecordingTranscript:
    """Transcribe and diarise the recording at `path` on this machine, or take it from the cache.

    Raises `MissingModelError` when an audio dependency or model is missing (saying what to
    install) and `UnusableFile` when the file cannot be decoded. Progress is one bar per file in
    seconds of audio, then a line with the real-time factor.
    """
    path = Path(path)
    settings = settings or AudioConfig()
    require_audio_dependencies()
    model = resolve_whisper_model(settings.model)
    encoder = resolve_speaker_encoder()
    key = cache_key(file_digest(path), model, encoder, settings)
    cached = load_entry(key) if settings.cache else None
    if cached is not None:
        result = _from_entry(cached)
    else:
        result = _transcribe(path, settings, model.location, f"{model.name} ({model.version})",
                             encoder.location, progress or null_progress)
        save_entry(key, _to_entry(result))
    result.cues = cues_from_words(result.words)
    vtt = transcript_cache_dir() / f"{key}.vtt"
    if not vtt.is_file():
        vtt.write_text(to_vtt(result.cues, note=f"{path.name}, transcribed by {result.model}"), encoding="utf-8")
    result.transcript_file = str(vtt)
    return result


def _transcribe(path: Path, settings: AudioConfig, location: str, model_name: str, encoder: str,
                factory: ProgressFactory) -> RecordingTranscript:
    started = time.perf_counter()
    samples = decode_audio(path)
    duration = len(samples) / SAMPLE_RATE
    with factory(f"Transcribing {path.name} ({clock(duration)} of audio)", math.ceil(duration)) as task:
        done = 0

        def advance(seconds: float) -> None:
            nonlocal done
            step = int(seconds) - done
            if step > 0:
                task.advance(step)
                done += step

        recognition = recognise(samples, location, settings, on_progress=advance)
        speakers = label_speakers(samples, recognition.words, encoder, settings.speakers, settings.max_speakers)
        advance(math.ceil(duration))
    seconds = time.perf_counter() - started
    result = RecordingTranscript(recognition.words, recognition.language, recognition.language_probability,
                                 duration, speakers, model_name, seconds)
    # A finished line per file says how fast it went: long work should look long, and explain why.
    with factory(f"Transcribed {path.name}: {result.realtime_factor:.1f}x real time", 1) as line:
        line.advance(1)
    return result


@dataclass
class _Session:
    settings: AudioConfig
    progress: ProgressFactory


_SESSION: contextvars.ContextVar[_Session | None] = contextvars.ContextVar("voc_synth_audio_session", default=None)


@contextlib.contextmanager
def recording_session(settings: AudioConfig, progress: ProgressFactory | None = None) -> Iterator[None]:
    """Recordings read inside this block use `settings` and draw progress with `progress`."""
    token = _SESSION.set(_Session(settings, progress or null_progress))
    try:
        yield
    finally:
        _SESSION.reset(token)


def active_settings() -> tuple[AudioConfig, ProgressFactory]:
    """The settings and progress of the enclosing `recording_session` (defaults outside one)."""
    session = _SESSION.get()
    return (session.settings, session.progress) if session else (AudioConfig(), null_progress)
