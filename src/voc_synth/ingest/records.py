"""The in-memory shapes that flow between the readers and the ingest orchestration.

Readers turn one file into a stream of `RawRecord`s (usable records, not yet cleaned or
redacted) and `SkippedRecord`s (records that could not be used, with the reason). Both count
as records read from the file, which is what lets the manifest reconcile exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError


@dataclass
class Turn:
    """One speaker turn of a transcript, before redaction."""

    speaker: str            # the label as written in the file ("Dana", "P07", "Interviewer")
    text: str
    first: int              # first line / paragraph / cue number (1-based) of the turn
    last: int               # last line / paragraph / cue number of the turn
    timestamp: str = ""     # "00:04:12" when the file gives one


@dataclass
class RawRecord:
    """One usable input record (an interview, a ticket, a review, a survey answer)."""

    source_index: int       # position of the source in `Config.sources`
    source_type: str        # interview | ticket | review | survey
    source_file: str        # path relative to the corpus root (POSIX separators)
    locator: str            # "row 12", "line 40", "item 3", "lines 3-88", "paragraphs 1-40"
    own_id: str = ""        # the record's id in its source, when it has one
    parts: list[str] = field(default_factory=list)  # raw text fields, joined after cleaning
    date: Any = None
    rating: Any = None
    customer: str = ""      # real customer id / name / email (pseudonymised later)
    channel: str = ""
    product: str = ""
    extra: dict[str, Any] = field(default_factory=dict)   # pass-through columns
    fmt: str = ""           # the file format the record came from ("csv", "vtt", ...)
    rating_scale: str = ""  # what a recognised export says its ratings run over ("1-5")
    # Transcripts only:
    turns: list[Turn] | None = None
    meta: dict[str, str] = field(default_factory=dict)   # header "Key: value" metadata
    header: list[str] = field(default_factory=list)      # title and metadata lines
    interviewer_hints: list[str] = field(default_factory=list)  # names the header gives the interviewer
    unit: str = "lines"     # what turn numbers count: lines | paragraphs | cues


@dataclass
class SkippedRecord:
    """A record that was read but cannot be used."""

    record: str             # its id, or "row N" / "line N" / "item N"
    kind: str               # category for counting: empty, malformed, no text, duplicate...
    reason: str             # human-readable reason ("malformed line 7: Expecting value")


@dataclass
class FileInfo:
    """What the readers learned about one input file, for the manifest."""

    path: str               # relative path (POSIX)
    source_index: int
    source_type: str = ""
    fmt: str = ""
    encoding: str = ""
    status: str = "ingested"  # ingested | skipped
    reason: str = ""
    detected_by: str = ""   # how the type/columns were chosen: config, signature:<name>, ...
    recording: dict[str, Any] | None = None  # recordings: how they were transcribed (audio.session)


class UnusableFile(InputError):
    """A whole file cannot be read (empty, binary, unreadable, unsupported...).

    Readers raise it; `ingest()` records the file as skipped with `kind`/`reason` and goes on
    (or re-raises everything at the end when `strict=True`).
    """

    def __init__(self, kind: str, reason: str = "") -> None:
        self.kind = kind
        self.reason = reason or kind
        super().__init__(self.reason)


@dataclass
class Record:
    """A record while ingest works on it: cleaned text, people, id, and text blocks."""

    raw: RawRecord
    text: str = ""                          # cleaned text (tabular)
    turn_texts: list[str] = field(default_factory=list)   # cleaned text per turn (interviews)
    interviewer_turns: set[int] = field(default_factory=set)
    interviewer_reason: str = ""            # why those turns were taken as the interviewer's
    speakers: list[str] = field(default_factory=list)   # output speaker label per turn
    participant: str = ""
    doc_id: str = ""
    passthrough: dict[str, str] = field(default_factory=dict)
    blocks: list[int] = field(default_factory=list)      # indexes into the NLP block list

    @property
    def is_interview(self) -> bool:
        return self.raw.turns is not None
