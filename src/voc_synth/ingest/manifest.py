"""The ingest manifest: every input file and every record, ingested or skipped with a reason.

Layout (JSON-safe):

```
{
  "schema": "voc_synth.ingest.manifest/1",
  "files": [{"path", "source_index", "source_type", "format", "encoding", "detected_by",
             "status": "ingested|skipped", "reason", "records_in", "records_ingested",
             "records_skipped", "skipped_by_reason": {kind: n}, "segments",
             "segments_dropped": {reason: n}, "segments_not_themed": n,
             "people"?: {"interviewer": [shown labels], "participants": [pseudonyms], "reason"},
             "recording"?: {"model", "language", "speakers", "realtime_factor", "cached",
                            "transcript", …}}],   # recordings (voc_synth.audio.session)
  "skipped_records": [{"file", "record", "kind", "reason", "duplicate_of"?}],
  "segment_drops": {"filler": n, "too short": n, "small talk": n, "not English": n},
  "segments_set_aside": [{"file", "segment_id", "locator", "reason"}],   # e.g. not English
  "segments_not_themed": [{"file", "segment_id", "locator", "reason"}],  # short answers
  "not_themed_note": "…",   # what a segment left out of themes still counts for
  "sources": [{"index", "path", "type", "files", "excluded_files"}],
  "totals": {"files", "files_ingested", "files_skipped", "records_in", "records_ingested",
             "records_skipped", "skipped_by_reason", "documents", "segments",
             "segments_dropped", "segments_not_themed", "interviewer_turns"},
  "reconciles": true,
  "ingest_timings": {"read", "analyse", "total"}   # seconds, added by ingest()
}
```

`records_in == records_ingested + records_skipped` holds for every file and for the totals;
`reconciles` says so (and is checked by the tests). `kind` is the countable category (empty,
no text, malformed, duplicate, filler, too short…); `reason` is the sentence a person reads.

A short answer ("very good", "5/5", "👍") is an ingested record whose one segment is listed in
`segments_not_themed`: left out of themes, counted for sentiment, stage emotion and totals.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .records import FileInfo

SCHEMA = "voc_synth.ingest.manifest/1"
NOT_THEMED_NOTE = ("Short answers (e.g. 'very good', '5/5', an emoji) are kept: each counts toward "
                   "sentiment, its stage's emotion and its source's totals, and is left out of themes.")


@dataclass
class _FileEntry:
    info: FileInfo
    records_in: int = 0
    records_ingested: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    segments: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    not_themed: int = 0
    people: dict[str, Any] | None = None   # interviews: who was taken as the interviewer, and why


class ManifestBuilder:
    """Collects counts while ingest runs; `build()` returns the manifest dict."""

    def __init__(self) -> None:
        self._files: dict[str, _FileEntry] = {}
        self._skipped: list[dict[str, Any]] = []
        self._sources: list[dict[str, Any]] = []
        self._file_problems: list[str] = []
        self._set_aside: list[dict[str, Any]] = []
        self._not_themed: list[dict[str, Any]] = []
        self.interviewer_turns = 0

    def add_source(self, index: int, path: str, source_type: str | None, files: int, excluded: int) -> None:
        self._sources.append({"index": index, "path": path, "type": source_type or "auto",
                              "files": files, "excluded_files": excluded})

    def add_file(self, info: FileInfo) -> None:
        self._files[info.path] = _FileEntry(info)

    def file(self, path: str) -> FileInfo:
        return self._files[path].info

    def skip_file(self, path: str, kind: str, reason: str) -> None:
        """The whole file could not be used (binary, empty, unreadable…)."""
        info = self._files[path].info
        info.status, info.reason = "skipped", reason or kind
        self._file_problems.append(f"{path}: {info.reason}")

    def stopped_early(self, path: str, reason: str) -> None:
        """Reading failed part-way; records read so far stay counted."""
        info = self._files[path].info
        info.reason = f"reading stopped early: {reason}"
        self._file_problems.append(f"{path}: {info.reason}")

    def record_in(self, path: str) -> None:
        self._files[path].records_in += 1

    def skip_record(self, path: str, record: str, kind: str, reason: str, duplicate_of: str | None = None) -> None:
        self._files[path].skipped[kind] += 1
        entry: dict[str, Any] = {"file": path, "record": record, "kind": kind, "reason": reason}
        if duplicate_of:
            entry["duplicate_of"] = duplicate_of
        self._skipped.append(entry)

    def ingested(self, path: str, segments: int) -> None:
        entry = self._files[path]
        entry.records_ingested += 1
        entry.segments += segments

    def drop_segment(self, path: str, reason: str, n: int = 1) -> None:
        self._files[path].dropped[reason] += n

    def set_aside(self, path: str, segment_id: str, locator: str, reason: str) -> None:
        """A unit left out of the analysis that a researcher may want to look at (another
        language): listed by id and locator, not only counted."""
        self._set_aside.append({"file": path, "segment_id": segment_id, "locator": locator, "reason": reason})

    def not_themed(self, path: str, segment_id: str, locator: str, reason: str) -> None:
        """A kept segment that stays out of theme clustering (a short answer), with the reason;
        it still counts for sentiment and totals."""
        self._files[path].not_themed += 1
        self._not_themed.append({"file": path, "segment_id": segment_id, "locator": locator, "reason": reason})

    def interview_people(self, path: str, interviewer: list[str], participants: list[str], reason: str) -> None:
        """Who one transcript's interviewer is (role labels or pseudonyms, never a name) and why."""
        self._files[path].people = {"interviewer": interviewer, "participants": participants, "reason": reason}

    # -- output -----------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Skipped files and malformed/unreadable records, for `strict=True`."""
        out = list(self._file_problems)
        out += [f"{s['file']} {s['record']}: {s['reason']}" for s in self._skipped
                if s["kind"] in ("malformed", "unreadable")]
        return out

    def build(self) -> dict[str, Any]:
        files = []
        totals_skipped: Counter[str] = Counter()
        totals_dropped: Counter[str] = Counter()
        for entry in self._files.values():
            info = entry.info
            skipped = sum(entry.skipped.values())
            status = info.status
            reason = info.reason
            if status == "ingested" and entry.records_ingested == 0:
                status = "skipped"
                reason = "no usable records (see skipped_records)" if entry.records_in else "no records"
            files.append({
                "path": info.path,
                "source_index": info.source_index,
                "source_type": info.source_type,
                "format": info.fmt,
                "encoding": info.encoding,
                "detected_by": info.detected_by,
                "status": status,
                "reason": reason,
                "records_in": entry.records_in,
                "records_ingested": entry.records_ingested,
                "records_skipped": skipped,
                "skipped_by_reason": dict(sorted(entry.skipped.items())),
                "segments": entry.segments,
                "segments_dropped": dict(sorted(entry.dropped.items())),
                "segments_not_themed": entry.not_themed,
                **({"people": entry.people} if entry.people is not None else {}),
                **({"recording": info.recording} if info.recording is not None else {}),
            })
            totals_skipped.update(entry.skipped)
            totals_dropped.update(entry.dropped)
        totals = {
            "files": len(files),
            "files_ingested": sum(f["status"] == "ingested" for f in files),
            "files_skipped": sum(f["status"] == "skipped" for f in files),
            "records_in": sum(f["records_in"] for f in files),
            "records_ingested": sum(f["records_ingested"] for f in files),
            "records_skipped": sum(f["records_skipped"] for f in files),
            "skipped_by_reason": dict(sorted(totals_skipped.items())),
            "documents": sum(f["records_ingested"] for f in files),
            "segments": sum(f["segments"] for f in files),
            "segments_dropped": sum(totals_dropped.values()),
            "segments_not_themed": len(self._not_themed),
            "interviewer_turns": self.interviewer_turns,
        }
        reconciles = all(f["records_in"] == f["records_ingested"] + f["records_skipped"] for f in files) and (
            totals["records_in"] == totals["records_ingested"] + totals["records_skipped"]
        )
        return {
            "schema": SCHEMA,
            "files": files,
            "skipped_records": list(self._skipped),
            "segment_drops": dict(sorted(totals_dropped.items())),
            "segments_set_aside": list(self._set_aside),
            "segments_not_themed": list(self._not_themed),
            "not_themed_note": NOT_THEMED_NOTE,
            "sources": list(self._sources),
            "totals": totals,
            "reconciles": reconciles,
        }
