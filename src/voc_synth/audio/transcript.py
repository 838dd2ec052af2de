"""Words with speakers → the transcript of a recording: speaker turns and a WebVTT file.

A recording becomes the same `Transcript` a text transcript does, so interviewer detection,
pseudonyms and redaction apply unchanged: each voice is labelled "Speaker 1", "Speaker 2"… (in
the order they are first heard), and each turn carries the time it starts as its locator
("00:12:34"). A long stretch by one voice is cut into turns of about `TURN_SECONDS` at
sentence ends, so every quote's timestamp is within that much of the moment it was said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..ingest.records import Turn
from ..ingest.transcripts import Transcript
from .transcribe import Word

TURN_SECONDS = 30.0


@dataclass
class Cue:
    """One turn of the recording, with its time span in seconds."""

    speaker: str
    start: float
    end: float
    text: str


def speaker_label(index: int) -> str:
    """"Speaker 1" for the first voice heard: the label transcription services use, which
    `ingest.speakers` knows is a voice, not a name."""
    return f"Speaker {index + 1}"


def cues_from_words(words: Sequence[Word]) -> list[Cue]:
    """Consecutive words of one voice as cues; a new cue at a change of voice, or at the end of
    a recognised segment once the cue has run `TURN_SECONDS`."""
    cues: list[Cue] = []
    parts: list[list[str]] = []
    for i, word in enumerate(words):
        label = speaker_label(word.speaker)
        if cues and cues[-1].speaker == label:
            long_enough = word.end - cues[-1].start > TURN_SECONDS and word.segment != words[i - 1].segment
            if not long_enough:
                cues[-1].end = word.end
                parts[-1].append(word.text)
                continue
        cues.append(Cue(label, word.start, word.end, ""))
        parts.append([word.text])
    for cue, texts in zip(cues, parts, strict=True):
        cue.text = " ".join("".join(texts).split())
    return cues


def clock(seconds: float) -> str:
    """"00:12:34" for 754.2 s: the locator form text transcripts get (`transcripts.clean_timestamp`)."""
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def to_transcript(cues: Sequence[Cue]) -> Transcript:
    """The cues as a `Transcript` of turns numbered by cue, timestamped by their start."""
    turns = [Turn(speaker=cue.speaker, text=cue.text, first=n, last=n, timestamp=clock(cue.start))
             for n, cue in enumerate(cues, start=1)]
    return Transcript(turns=turns, unit="cues")


def _vtt_time(seconds: float) -> str:
    millis = int(round(max(0.0, seconds) * 1000))
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


def to_vtt(cues: Sequence[Cue], note: str = "") -> str:
    """The cues as WebVTT with `<v Speaker N>` voice tags: a transcript a researcher can correct
    (rename a voice, fix a word) and run again in place of the recording."""
    lines = ["WEBVTT", ""]
    if note:
        lines += [f"NOTE {note}", ""]
    for cue in cues:
        lines += [f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}", f"<v {cue.speaker}>{cue.text}", ""]
    return "\n".join(lines)
