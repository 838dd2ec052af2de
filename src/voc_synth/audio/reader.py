"""A recording as an interview source: the reader `ingest.readers.open_file` calls for audio files.

The recording becomes the same `Transcript` a text transcript does ("Speaker 1", "Speaker 2"…
turns with timestamps); from there interviewer detection, pseudonyms and redaction are the
ones every transcript gets. The manifest entry of the file (`files[].recording`) says which
model transcribed it, the language, how many voices, how fast, whether it came from the cache
and the name of its .vtt in the transcript cache.
"""

from __future__ import annotations

from pathlib import Path

from ..ingest.records import FileInfo, UnusableFile
from ..ingest.transcripts import TRANSCRIPT_FORMATS, Transcript
from .player import remember_recording
from .session import active_settings, transcribe_recording
from .transcript import to_transcript


def transcript_beside(path: Path) -> Path | None:
    """A transcript with the recording's name in its folder (Zoom saves `x.mp4` with `x.vtt`; a
    researcher saves a corrected `x.vtt`): that text is the interview, not a new transcription."""
    for fmt in TRANSCRIPT_FORMATS:
        sibling = path.with_suffix(f".{fmt}")
        if sibling.is_file():
            return sibling
    return None


def read_recording(path: Path, info: FileInfo | None = None) -> Transcript:
    """Transcribe (or take from the cache) the recording at `path` as a `Transcript`.

    Raises `UnusableFile` for an undecodable file, one with no speech, or one whose transcript
    sits beside it; `MissingModelError` when audio support is not installed.
    """
    sibling = transcript_beside(path)
    if sibling is not None:
        raise UnusableFile("transcript beside it", f"its transcript {sibling.name} is read instead")
    settings, progress = active_settings()
    result = transcribe_recording(path, settings, progress)
    if info is not None:
        info.recording = result.summary()
        # Where it is stays in this process (the map's player), out of the manifest: outputs
        # name the file by its label only, the same on every machine.
        remember_recording(info.path, path)
    if not result.words:
        raise UnusableFile("no speech", "no speech was recognised in the recording")
    return to_transcript(result.cues)
