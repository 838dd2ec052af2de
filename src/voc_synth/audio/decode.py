"""Recordings → 16 kHz mono samples, decoded with PyAV (FFmpeg), as faster-whisper decodes them.

Decoding once and handing the same samples to speech recognition and to the speaker encoder
keeps the two on one timeline and reads the file once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..ingest.records import UnusableFile

SAMPLE_RATE = 16_000


def decode_audio(path: Path) -> np.ndarray:
    """The recording at `path` as float32 samples at 16 kHz, mono.

    Raises `UnusableFile` ("undecodable") for a file FFmpeg cannot read or that holds no
    sound, so the run lists it in the manifest and goes on with the other files.
    """
    import av
    from faster_whisper.audio import decode_audio as whisper_decode

    if path.stat().st_size == 0:
        raise UnusableFile("empty", "empty file")
    try:
        samples = whisper_decode(str(path), sampling_rate=SAMPLE_RATE)
    except (av.FFmpegError, ValueError, IndexError, OSError) as err:
        # IndexError: a container with no audio stream (decode(audio=0) on a silent video).
        why = getattr(err, "strerror", None) or str(err)   # FFmpeg's own words, without the path
        raise UnusableFile("undecodable", f"not a playable recording ({type(err).__name__}: {why[:120]})") from None
    if samples.size == 0:
        raise UnusableFile("undecodable", "the recording holds no audio")
    return np.ascontiguousarray(samples, dtype=np.float32)

