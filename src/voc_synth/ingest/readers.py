"""One input file → `FileInfo` + a stream of `RawRecord`s and `SkippedRecord`s.

This is where a file's format and source type are decided and where the format readers
(`tabular.py`, `transcripts.py`) are turned into records: one record per data row / JSON item /
JSONL line, one per transcript. Column mappings are resolved here, so a mapped column that is
missing raises `InputError` before any record of that file is produced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from ..audio.settings import AUDIO_FORMATS
from ..config import SourceConfig
from .columns import ResolvedColumns, resolve_columns, type_from_path
from .discover import file_format
from .encoding import detect_encoding, read_text
from .records import FileInfo, RawRecord, SkippedRecord, Turn, UnusableFile
from .tabular import TABULAR_FORMATS, Row, cell_text, read_table
from .transcripts import TRANSCRIPT_FORMATS, Transcript, odt_paragraphs, read_transcript

RecordStream = Iterator[RawRecord | SkippedRecord]

_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def decide_type(source: SourceConfig, fmt: str, rel: str, resolved: ResolvedColumns | None = None) -> tuple[str, str]:
    """(source type, how it was decided) for one file."""
    if source.type:
        return source.type, "config"
    if fmt in ("vtt", "srt"):
        return "interview", "extension"
    if fmt in ("txt", "md", "docx", "odt"):
        hinted = type_from_path(rel)
        return (hinted, "path") if hinted else ("interview", "extension")
    if resolved is not None and resolved.source_type:
        return resolved.source_type, resolved.detected_by
    hinted = type_from_path(rel)
    if hinted and hinted != "interview":
        return hinted, "path"
    return "review", "default"


def _tabular_records(
    path: Path, rel: str, fmt: str, encoding: str, source: SourceConfig, index: int, info: FileInfo
) -> RecordStream:
    table = read_table(path, fmt, encoding)
    try:
        resolved = resolve_columns(table.headers, source.columns, file_label=rel, source_index=index)
    except BaseException:
        table.close()
        raise
    if resolved is None:
        table.close()
        shown = ", ".join(repr(h) for h in table.headers[:20]) or "(none)"
        raise UnusableFile(
            "no text column",
            f"no text column found (columns: {shown}); map one with --text-column or "
            f"sources[{index}].columns.text",
        )
    source_type, detected_by = decide_type(source, fmt, rel, resolved)
    info.source_type = source_type
    info.detected_by = f"type from {detected_by}; columns from {resolved.detected_by}"
    default_channel = source.channel or resolved.default_channel
    return _rows_to_records(table.rows, resolved, source_type, rel, index, fmt, default_channel, info)


def _rows_to_records(
    rows: Iterator[tuple[str, Row | SkippedRecord]],
    resolved: ResolvedColumns,
    source_type: str,
    rel: str,
    index: int,
    fmt: str,
    default_channel: str,
    info: FileInfo,
) -> RecordStream:
    for locator, row in rows:
        if isinstance(row, SkippedRecord):
            yield row
            continue
        own_id = cell_text(row.get(resolved.id)).strip() if resolved.id else ""
        label = own_id or locator
        if not any(cell_text(v).strip() for v in row.values()):
            yield SkippedRecord(label, "empty", "empty row")
            continue
        # Empty text fields keep their place: "title only, no body" is judged after cleaning.
        parts = [cell_text(row.get(col)).strip() for col in resolved.text]
        if not any(parts):
            cols = " + ".join(resolved.text)
            yield SkippedRecord(label, "no text", f"no text in {cols}")
            continue
        yield RawRecord(
            source_index=index,
            source_type=source_type,
            source_file=rel,
            locator=locator,
            own_id=own_id,
            parts=parts,
            date=row.get(resolved.date) if resolved.date else None,
            rating=row.get(resolved.rating) if resolved.rating else None,
            customer=cell_text(row.get(resolved.customer)).strip() if resolved.customer else "",
            channel=(cell_text(row.get(resolved.channel)).strip() if resolved.channel else "") or default_channel,
            product=cell_text(row.get(resolved.product)).strip() if resolved.product else "",
            extra={col: cell_text(row.get(col)) for col in resolved.keep},
            fmt=fmt,
            rating_scale=resolved.rating_scale,
        )


def _transcript_record(path: Path, rel: str, fmt: str, encoding: str, index: int,
                       read: Callable[[], Transcript] | None = None) -> RecordStream:
    """One interview = one record; its turns are segmented later. `read` gives the transcript
    when it does not come from a text file (a recording)."""
    transcript = read() if read is not None else read_transcript(path, fmt, encoding)
    turns = transcript.turns
    if not turns:
        body = [line for line in transcript.header if line.strip()]
        if not body:
            yield SkippedRecord(path.stem, "no text", "no speaker turns or text found")
            return
        # Unlabelled notes: one participant monologue, so the evidence is not lost.
        turns = [Turn(speaker="Participant", text="\n".join(body), first=1, last=len(body))]
        transcript.header = []
    if turns[0].timestamp and turns[-1].timestamp:
        locator = f"{turns[0].timestamp}-{turns[-1].timestamp}"
    else:
        locator = f"{transcript.unit} {turns[0].first}-{turns[-1].last}"
    date = _ISO_DATE.search(transcript.meta.get("date", "")) or _ISO_DATE.search(" ".join(transcript.header))
    yield RawRecord(
        source_index=index, source_type="interview", source_file=rel, locator=locator, fmt=fmt,
        date=date.group(1) if date else None, channel="interview", turns=turns,
        meta=dict(transcript.meta), header=list(transcript.header),
        interviewer_hints=sorted(transcript.interviewer_hints), unit=transcript.unit,
    )


def _docx_paragraphs(path: Path) -> list[tuple[int, str]]:
    import docx

    try:
        return [(i, p.text) for i, p in enumerate(docx.Document(str(path)).paragraphs, start=1)]
    except Exception as err:  # python-docx raises many types on a damaged archive
        raise UnusableFile("unreadable", f"not a readable .docx document ({type(err).__name__})") from None


def _line_records(path: Path, rel: str, fmt: str, encoding: str, source_type: str, index: int, channel: str) -> RecordStream:
    """A .txt/.md/.docx/.odt file in a non-interview source: one record per line / paragraph
    (survey verbatims pasted one per line, say)."""
    if fmt == "docx":
        paragraphs, prefix = _docx_paragraphs(path), "paragraph"
    elif fmt == "odt":
        paragraphs, prefix = [(n, text) for n, text, _ in odt_paragraphs(path)], "paragraph"
    else:
        paragraphs, prefix = list(enumerate(read_text(path, encoding).splitlines(), start=1)), "line"
    for number, line in paragraphs:
        if not line.strip():
            continue
        yield RawRecord(source_index=index, source_type=source_type, source_file=rel,
                        locator=f"{prefix} {number}", parts=[line.strip()], fmt=fmt, channel=channel)


def open_file(
    path: Path, rel: str, source: SourceConfig, index: int, info: FileInfo | None = None
) -> tuple[FileInfo, RecordStream]:
    """Sniff, decide type and start reading one file; `info` is filled in as we learn.

    Raises `UnusableFile` when the whole file must be skipped and `InputError` for a mapping
    mistake. The returned stream may still raise `UnusableFile` part-way (a truncated file).
    """
    fmt = file_format(path) or ""
    info = info or FileInfo(path=rel, source_index=index)
    info.fmt = fmt
    if not fmt:
        info.source_type = source.type or ""
        raise UnusableFile("unsupported format", f"unsupported format: '{path.suffix or path.name}' files are not read "
                           "(use .txt .md .vtt .srt .docx .odt .csv .tsv .json .jsonl .xlsx, or a recording: "
                           ".wav .mp3 .m4a .mp4 .webm .ogg .flac)")
    if fmt in AUDIO_FORMATS.values():
        # A recording is an interview whatever its source says, as a .vtt is: transcribed here.
        from ..audio.reader import read_recording

        info.source_type, info.detected_by, info.encoding = "interview", "extension (recording)", ""
        return info, _transcript_record(path, rel, fmt, "", index, read=lambda: read_recording(path, info))
    encoding = "binary (zip)" if fmt in ("docx", "odt", "xlsx") else detect_encoding(path, source.encoding)
    if fmt in ("docx", "odt", "xlsx"):
        with path.open("rb") as handle:
            head = handle.read(4)
        if not head:
            raise UnusableFile("empty", "empty file")
        if head != b"PK\x03\x04":
            raise UnusableFile("unreadable", f"not a .{fmt} file (it is not a zip archive; was it renamed?)")
        encoding = ""
    info.encoding = encoding
    if fmt in TABULAR_FORMATS:
        return info, _tabular_records(path, rel, fmt, encoding, source, index, info)
    source_type, detected_by = decide_type(source, fmt, rel)
    info.source_type, info.detected_by = source_type, detected_by
    if fmt in TRANSCRIPT_FORMATS and (source_type == "interview" or fmt in ("vtt", "srt")):
        info.source_type = "interview"
        return info, _transcript_record(path, rel, fmt, encoding, index)
    return info, _line_records(path, rel, fmt, encoding, source_type, index, source.channel or "")
