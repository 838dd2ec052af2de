"""Speech recognition: samples → words with start and end times, by faster-whisper on the CPU.

CTranslate2 runs the Whisper model quantised to int8; Silero voice-activity detection (shipped
inside faster-whisper) skips silence, which is both faster and stops Whisper inventing text in
long pauses. Word timestamps come from Whisper's cross-attention alignment.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import MissingModelError
from .decode import SAMPLE_RATE
from .settings import AudioConfig


@dataclass
class Word:
    """One recognised word; `speaker` is filled in by diarisation (0-based, in order of first speech)."""

    start: float
    end: float
    text: str            # as Whisper writes it, with its leading space
    segment: int         # which recognised segment (Whisper's sentence-like unit) it belongs to
    speaker: int = 0


@dataclass
class Recognition:
    """What speech recognition found in one recording."""

    words: list[Word]
    language: str
    language_probability: float


def cpu_threads(settings: AudioConfig) -> int:
    """Threads for CTranslate2: the configured number, else every core."""
    return settings.threads or os.cpu_count() or 1


@functools.lru_cache(maxsize=2)
def load_whisper(location: str, compute_type: str, threads: int) -> Any:
    """A faster-whisper model on the CPU, loaded once per process from a local folder."""
    from faster_whisper import WhisperModel

    try:
        # local_files_only: a folder path never reaches for the hub, whatever the environment says.
        return WhisperModel(location, device="cpu", compute_type=compute_type, cpu_threads=threads,
                            local_files_only=True)
    except (RuntimeError, ValueError, OSError) as err:
        raise MissingModelError(f"Could not load the speech recognition model from {location}: {err}") from None


def recognise(samples: np.ndarray, location: str, settings: AudioConfig,
              on_progress: Callable[[float], None] | None = None) -> Recognition:
    """Transcribe `samples` (16 kHz mono) with word timestamps.

    `on_progress(seconds)` is called as each recognised segment ends, with the position reached
    in the recording, so a caller can show progress through a long file.
    """
    model = load_whisper(location, settings.compute_type, cpu_threads(settings))
    segments, info = model.transcribe(
        samples, language=settings.language, beam_size=settings.beam_size, word_timestamps=True,
        vad_filter=True, condition_on_previous_text=True,
    )
    words: list[Word] = []
    for number, segment in enumerate(segments):   # a generator: recognition happens as we iterate
        for word in segment.words or []:
            if word.word.strip():
                words.append(Word(float(word.start), float(word.end), word.word, number))
        if on_progress is not None:
            on_progress(min(float(segment.end), len(samples) / SAMPLE_RATE))
    return Recognition(words, info.language, float(info.language_probability))
