"""Where the journey map's player finds a quoted moment: a local file and a time span.

A quote from a recording gets `<recording path relative to the run folder>#t=START,END` (a
W3C media fragment: the browser plays from START to END). Only a relative path on this machine
is ever produced — never a URL.

Where a recording is on disk is kept in this process only (`remember_recording`, called by
`reader.read_recording`), never in `manifest.json` or `synthesis.json`: outputs name a file by
the label the run already uses for it (`files[].path`, relative to the project folder), so they
read the same on every machine and carry no folder of the researcher's. The player's `src` is
that file's path relative to the folder the page is written to; a map re-rendered later in
another process (`voc-synth report`) has no player.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from .export import cached_transcript, document_turns, read_cues, timed_turns
from .settings import AUDIO_FORMATS
from .transcript import TURN_SECONDS

_CLOCK = re.compile(r"^(\d\d):(\d\d):(\d\d)$")
# {label the run uses for a recording (files[].path): its absolute path}, for this process only.
_LOCATIONS: dict[str, Path] = {}


def remember_recording(label: str, path: Path) -> None:
    """Note where the recording the run calls `label` is, so this process's map can play it."""
    _LOCATIONS[label] = path.resolve()


def recording_location(label: str) -> Path | None:
    """Where the recording `label` was read from in this process, if it still exists."""
    path = _LOCATIONS.get(label)
    return path if path is not None and path.is_file() else None


@dataclass(frozen=True)
class Moment:
    """The player of one quote: its `src` and what it says it plays."""

    src: str
    start: float
    end: float
    label: str


def _records(frame: Any) -> list[dict[str, Any]]:
    return frame.to_dict("records") if frame is not None and len(frame) else []


def _turn_ends(doc_text: str, recording: dict[str, Any]) -> list[float]:
    path = cached_transcript(recording)
    if path is None:
        return []
    return [c.end for c in timed_turns(document_turns(doc_text), read_cues(path.read_text(encoding="utf-8")))]


def quoted_moments(synthesis: Any, folder: Path) -> dict[str, Moment]:
    """{segment_id: Moment} for each quote from a recording playable from the run `folder`."""
    manifest = (synthesis.meta or {}).get("manifest", {}) or {}
    recordings = {str(f.get("path")): f["recording"] for f in manifest.get("files", []) or []
                  if isinstance(f, dict) and isinstance(f.get("recording"), dict)}
    if not recordings:
        return {}
    documents = {str(d.get("doc_id")): d for d in _records(synthesis.documents)}
    turns = {str(s.get("segment_id")): s.get("turn") for s in _records(synthesis.segments)}
    ends: dict[str, list[float]] = {}
    moments: dict[str, Moment] = {}
    for row in _records(synthesis.quotes):
        source, locator = str(row.get("source_file") or ""), str(row.get("locator") or "")
        clock, recording, location = _CLOCK.match(locator), recordings.get(source), recording_location(source)
        if (clock is None or recording is None or location is None
                or PurePosixPath(source).suffix.lower() not in AUDIO_FORMATS):
            continue
        h, m, s = (int(g) for g in clock.groups())
        start = float(h * 3600 + m * 60 + s)
        if source not in ends:
            doc = documents.get(str(row.get("doc_id")), {})
            ends[source] = _turn_ends(str(doc.get("text") or ""), recording)
        turn = turns.get(str(row.get("segment_id")))
        index = int(turn) - 1 if isinstance(turn, (int, float)) and turn == turn else -1
        end = ends[source][index] if 0 <= index < len(ends[source]) else start + TURN_SECONDS
        # Relative to the page, so the page and the recordings can move together; the file's
        # name is the one the run already shows for it (`source_file`).
        relative = os.path.relpath(location, folder.resolve()).replace(os.sep, "/")
        src = f"{quote(relative)}#t={start:g},{max(end, start + 1):.1f}"
        moments[str(row.get("segment_id"))] = Moment(src, start, end, f"Play the recording at {locator}")
    return moments
