"""The editable transcript of each recording, written into the run folder, redacted.

A run writes `transcripts/<recording stem>.vtt` for every recording it transcribed: the same
cues and times as the transcript in the cache, but with the speakers as the run shows them
(pseudonyms such as "P03", "Interviewer") and the words as the run redacted them. The text and
speakers come from the run's own interview document (`documents.text`, "Speaker: turn"
paragraphs made by ingest, which redacted and pseudonymised them), so nothing is redacted twice
or differently; the times come from the cached cues, matched to those paragraphs word by word
(redaction and joined interrupted turns change a few words, not the order).

The researcher corrects it (a word, a speaker) and saves it beside the recording as
`<stem>.vtt`: the next run reads that text instead of the audio (`reader.transcript_beside`).
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from ..ingest.transcripts import cue_blocks
from .transcript import Cue, to_vtt

TRANSCRIPTS_FOLDER = "transcripts"
_VOICE = re.compile(r"^<v ([^>]*)>(.*)$")
_WORD = re.compile(r"[\w']+")


def correction_hint(stem: str) -> str:
    """How to correct a recording's transcript and have the next run use it."""
    return (f"Correct {TRANSCRIPTS_FOLDER}/{stem}.vtt (words or speakers), save it next to the recording "
            f"as {stem}.vtt, and run again: the corrected text is read instead of the audio.")


def _seconds(clock: str) -> float:
    """Seconds of a cue time ("00:01:02.500", "01:02.5")."""
    seconds = 0.0
    for part in clock.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def read_cues(text: str) -> list[Cue]:
    """The cues of a WebVTT text written by `transcript.to_vtt` (one `<v Speaker>` line each),
    read with ingest's cue reader."""
    cues: list[Cue] = []
    for start, end, payload in cue_blocks(text):
        line = " ".join(part.strip() for part in payload)
        voice = _VOICE.match(line)
        speaker, words = (voice.group(1), voice.group(2)) if voice else ("", line)
        cues.append(Cue(speaker, _seconds(start), _seconds(end), words))
    return cues


def document_turns(text: str) -> list[tuple[str, str]]:
    """(speaker, words) of each "Speaker: turn" paragraph of an interview document."""
    turns = []
    for paragraph in text.split("\n\n"):
        speaker, sep, words = paragraph.partition(": ")
        if sep:
            turns.append((speaker.strip(), " ".join(words.split())))
    return turns


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def timed_turns(turns: Sequence[tuple[str, str]], cues: Sequence[Cue]) -> list[Cue]:
    """The document's turns as cues with the times of the cached cues they came from.

    Each turn starts when the cue of its first matched word starts and ends when the cue of its
    last matched word ends; a turn with no word in common (all redacted) sits between its
    neighbours. When there are as many turns as cues (ingest makes one turn per cue), turn n
    simply has cue n's times.
    """
    if len(turns) == len(cues):
        return [Cue(speaker, cue.start, cue.end, text) for (speaker, text), cue in zip(turns, cues, strict=True)]
    cue_of: list[int] = []
    cue_words: list[str] = []
    for n, cue in enumerate(cues):
        words = _tokens(cue.text)
        cue_words += words
        cue_of += [n] * len(words)
    turn_of: list[int] = []
    turn_words: list[str] = []
    for n, (_, text) in enumerate(turns):
        words = _tokens(text)
        turn_words += words
        turn_of += [n] * len(words)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, turn_words, cue_words, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            t, c = turn_of[block.a + k], cue_of[block.b + k]
            first.setdefault(t, c)
            last[t] = c
    out: list[Cue] = []
    end_of_audio = cues[-1].end if cues else 0.0
    for n, (speaker, text) in enumerate(turns):
        previous_end = out[-1].end if out else 0.0
        if n in first:
            start, end = max(cues[first[n]].start, previous_end), cues[last[n]].end
        else:
            start = previous_end
            following = next((cues[first[k]].start for k in range(n + 1, len(turns)) if k in first), end_of_audio)
            end = max(start, following)
        out.append(Cue(speaker, start, max(start, end), text))
    return out


def cached_transcript(recording: dict[str, Any]) -> Path | None:
    """The cache's .vtt of a manifest `recording` entry (named by its cache key; an older
    manifest gave the whole path), if it is still there."""
    from .cache import transcript_cache_dir

    name = str(recording.get("cache_transcript") or recording.get("transcript") or "")
    if not name.endswith(".vtt"):
        return None
    path = Path(name) if Path(name).is_absolute() else transcript_cache_dir() / name
    return path if path.is_file() else None


def _recordings(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in manifest.get("files", []) or []
            if isinstance(f, dict) and f.get("recording") and f.get("status") == "ingested"]


def write_run_transcripts(synthesis: Any, folder: Path) -> tuple[list[Path], dict[str, Any]]:
    """Write `transcripts/<stem>.vtt` into the run `folder` for each transcribed recording.

    Returns the files written and the manifest's `transcripts` section ({recording path:
    {"file", "correct"}}). A recording whose cached transcript is gone, or whose document is not
    in this run (a segmented part), is left out.
    """
    manifest = synthesis.meta.get("manifest", {}) or {}
    documents = synthesis.documents
    written: list[Path] = []
    section: dict[str, Any] = {}
    for entry in _recordings(manifest):
        source = str(entry["path"])
        rows = documents[documents["source_file"] == source] if "source_file" in documents.columns else []
        cache_vtt = cached_transcript(entry["recording"])
        if len(rows) == 0 or cache_vtt is None:
            continue
        stem = PurePosixPath(source).stem
        cues = timed_turns(document_turns(str(rows.iloc[0]["text"])), read_cues(cache_vtt.read_text(encoding="utf-8")))
        target = folder / TRANSCRIPTS_FOLDER / f"{stem}.vtt"
        target.parent.mkdir(parents=True, exist_ok=True)
        note = ("Transcript of a recording: speakers pseudonymised and personal data redacted as in this run. "
                + correction_hint(stem))
        target.write_text(to_vtt(cues, note=note), encoding="utf-8")
        written.append(target)
        section[source] = {"file": f"{TRANSCRIPTS_FOLDER}/{stem}.vtt", "correct": correction_hint(stem)}
    return written, section


def point_manifest_at_run_transcripts(manifest: dict[str, Any], section: dict[str, Any]) -> dict[str, Any]:
    """A copy of the run manifest whose `files[].recording.transcript` is the redacted .vtt in
    the run folder (the unredacted copy stays in this machine's cache, named as `cache_transcript`),
    with the `transcripts` section added."""
    if not section:
        return manifest
    out = copy.deepcopy(manifest)
    for entry in out.get("files", []) or []:
        written = section.get(str(entry.get("path"))) if isinstance(entry, dict) else None
        if written and isinstance(entry.get("recording"), dict):
            entry["recording"]["cache_transcript"] = entry["recording"].get("transcript", "")
            entry["recording"]["transcript"] = written["file"]
    out["transcripts"] = section
    return out
