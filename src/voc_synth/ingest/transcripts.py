"""Readers for interview transcripts: plain text / Markdown, WebVTT, SRT and Word (.docx).

Each reader returns a `Transcript`: the speaker turns in file order, plus metadata found in
the header (title, "Participant: P07", "Date: …") that precedes the first turn. Which
speaker is the interviewer, and what the participant is called in the output, is decided
later (`speakers.py`); this module only finds who said what, where.

Speaker labels are recognised in the common shapes: `Interviewer:`, `P3:`, `Q:`/`A:`,
`[00:12:31] P3:`, `Name (00:12):`, `**Name:**` (Markdown), a bold label run in Word, a label
on its own line followed by the text (Otter-style `Dana  0:02`), and WebVTT voice tags.
A label that appears only once, without a timestamp, is treated as ordinary text: a sentence
such as "Honestly: it broke" must not become a speaker.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .encoding import read_text
from .records import Turn, UnusableFile

TRANSCRIPT_FORMATS = ("txt", "md", "vtt", "srt", "docx")

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_WCH = r"[\w.'’\-]"
_WORD = _WCH + "+"
_LABEL = rf"[^\W\d_]{_WCH}*(?:\s+(?:{_WORD}|\({_WORD}(?:\s+{_WORD})?\))){{0,3}}?"
_LABELLED_LINE = re.compile(
    rf"""^\s*(?:[-*•]\s+)?
    (?:[\[(]\s*(?P<ts1>{_TS})\s*[\])]\s*[-–—]?\s*|(?P<ts2>{_TS})\s+[-–—]?\s*)?
    (?:\*\*|__)?\s*
    (?P<label>{_LABEL})
    \s*(?:[\[(]\s*(?P<ts3>{_TS})\s*[\])])?
    \s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*
    (?P<text>.*)$""",
    re.VERBOSE,
)
# A label alone on a line with a timestamp ("Dana  0:02", "[00:01:10] Interviewer").
_LABEL_ONLY_LINE = re.compile(
    rf"""^\s*(?:
        (?:\*\*|__)?(?P<label1>{_LABEL})(?:\*\*|__)?\s+[\[(]?(?P<ts1>{_TS})[\])]?
      | [\[(]?(?P<ts2>{_TS})[\])]?\s+(?:\*\*|__)?(?P<label2>{_LABEL})(?:\*\*|__)?
    )\s*:?\s*$""",
    re.VERBOSE,
)
_TS_ONLY_LINE = re.compile(rf"^\s*[\[(]?{_TS}[\])]?\s*$")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<text>.+)$")
_META_LINE = re.compile(r"^\s*(?:\*\*|__)?(?P<key>[A-Za-z][\w /]{0,30}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<value>.+?)\s*$")

# Header keys that describe the interview rather than start a turn.
META_KEYS = frozenset({
    "participant", "participant id", "interviewee", "interviewer", "moderator", "facilitator",
    "researcher", "date", "time", "duration", "title", "study", "project", "session",
    "location", "persona", "segment", "role", "company", "customer", "name", "recorded",
    "recording", "transcript", "notes", "topic", "language", "interview", "id", "age", "plan",
})
_ALWAYS_SPEAKERS = re.compile(r"^(?:P\d{1,4}|Q|A|Interviewer|Moderator|Facilitator|Researcher|Participant|Respondent|Customer|User|Speaker\s*\d*)$", re.IGNORECASE)


@dataclass
class Transcript:
    turns: list[Turn]
    meta: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)   # title and metadata lines, not turns
    unit: str = "lines"                                 # lines | paragraphs | cues
    interviewer_hints: set[str] = field(default_factory=set)  # labels the file itself marks


@dataclass
class _Line:
    number: int
    text: str
    label: str | None = None      # set by the format (Word bold run, VTT voice)
    timestamp: str = ""
    heading: bool = False


def clean_timestamp(ts: str) -> str:
    """"0:02" → "00:00:02"; "00:12:31.500" → "00:12:31"."""
    ts = re.split(r"[.,]", ts.strip())[0]
    parts = [int(p) for p in ts.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts[-3:]
    return f"{h:02d}:{m:02d}:{s:02d}"


def _label_ok(label: str) -> bool:
    label = label.strip()
    if not label or len(label) > 40 or label.endswith(("-", "'")):
        return False
    if _ALWAYS_SPEAKERS.match(label):
        return True
    words = label.split()
    if not words[0][:1].isupper():
        return False
    return all(w[:1].isupper() or w[:1] in "(" or w.isdigit() for w in words)


def _match_label(text: str) -> tuple[str, str, str, bool] | None:
    """(label, timestamp, rest, label_only) when the line starts a turn shape."""
    m = _LABELLED_LINE.match(text)
    if m and _label_ok(m.group("label")):
        ts = m.group("ts1") or m.group("ts2") or m.group("ts3") or ""
        return m.group("label").strip(), ts, m.group("text").strip(), False
    m = _LABEL_ONLY_LINE.match(text)
    if m:
        label = (m.group("label1") or m.group("label2") or "").strip()
        if _label_ok(label):
            return label, m.group("ts1") or m.group("ts2") or "", "", True
    return None


def _looks_like_metadata(label: str, text: str) -> bool:
    """"Interviewer: Sam Jones" in a header names someone; it is not a turn."""
    if label.lower() not in META_KEYS:
        return False
    return len(text.split()) <= 6 and not re.search(r"[?!]|\.\s|\.$", text)


def assemble_turns(lines: Sequence[_Line], unit: str) -> Transcript:
    """Group lines into speaker turns; lines before the first turn are the header."""
    matches = []
    for line in lines:
        if line.heading:
            matches.append(None)
        elif line.label is not None:
            matches.append((line.label, line.timestamp, line.text, False))
        else:
            matches.append(_match_label(line.text))
    counts = Counter(m[0] for m in matches if m)
    timestamped = {m[0] for m in matches if m and m[1]}
    preset = {line.label for line in lines if line.label}
    accepted = {
        label for label in counts
        if counts[label] >= 2 or label in timestamped or label in preset or _ALWAYS_SPEAKERS.match(label)
    }

    turns: list[Turn] = []
    transcript = Transcript(turns=turns, unit=unit)
    for line, match in zip(lines, matches, strict=True):
        if match and match[0] in accepted and not (not turns and _looks_like_metadata(match[0], match[2])):
            label, ts, rest, _label_only = match
            turns.append(Turn(speaker=label, text=rest, first=line.number, last=line.number,
                              timestamp=clean_timestamp(ts) if ts else line.timestamp))
            continue
        if not line.text.strip() or (_TS_ONLY_LINE.match(line.text) and turns):
            continue
        if turns and not line.heading:
            turn = turns[-1]
            turn.text = f"{turn.text}\n{line.text.strip()}" if turn.text else line.text.strip()
            turn.last = line.number
            continue
        # Header: title and "Key: value" metadata.
        transcript.header.append(line.text.strip())
        heading = _MD_HEADING.match(line.text)
        if heading or line.heading:
            transcript.meta.setdefault("title", (heading.group("text") if heading else line.text).strip())
            continue
        meta = _META_LINE.match(line.text)
        if meta:
            transcript.meta.setdefault(meta.group("key").strip().lower(), meta.group("value").strip())
        else:
            transcript.meta.setdefault("title", line.text.strip())
    for key in ("interviewer", "moderator", "facilitator", "researcher"):
        if key in transcript.meta:
            transcript.interviewer_hints.add(transcript.meta[key])
    transcript.turns = [t for t in turns if t.text.strip()]
    return transcript


# --- plain text / Markdown -----------------------------------------------------------------------

def _strip_markdown(text: str) -> str:
    return re.sub(r"(?<!\w)[*_]{1,2}(?=\S)|(?<=\S)[*_]{1,2}(?!\w)", "", text)


def read_text_transcript(path: Path, encoding: str) -> Transcript:
    """A .txt/.md transcript; locators are line numbers."""
    text = read_text(path, encoding)
    lines = [_Line(i, raw.rstrip()) for i, raw in enumerate(text.splitlines(), start=1)]
    transcript = assemble_turns(lines, "lines")
    if path.suffix.lower() == ".md":
        for turn in transcript.turns:
            turn.text = _strip_markdown(turn.text)
    return transcript


# --- WebVTT / SRT --------------------------------------------------------------------------------

_CUE_TIMING = re.compile(rf"^\s*(?P<start>{_TS})\s*-->\s*(?P<end>{_TS})")
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?\s+(?P<name>[^>]+?)\s*>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
_SRT_BRACKET_SPEAKER = re.compile(r"^\s*[\[(](?P<label>[^\])]{1,40})[\])]\s*:?\s*(?P<text>.*)$")


def _cue_blocks(text: str, notes: list[str] | None = None) -> Iterable[tuple[str, str, list[str]]]:
    """(start, end, payload lines) for each cue, skipping headers and STYLE/REGION blocks.

    The text of NOTE blocks (where exports put the title, participant and date) is appended
    to `notes` when given.
    """
    block: list[str] = []
    for raw in [*text.splitlines(), ""]:
        if raw.strip():
            block.append(raw)
            continue
        if block:
            if block[0].startswith("NOTE") and notes is not None:
                note = " ".join([block[0][4:].strip(), *block[1:]]).strip()
                if note:
                    notes.append(note)
            for i, line in enumerate(block):
                timing = _CUE_TIMING.match(line)
                if timing:
                    yield timing.group("start"), timing.group("end"), block[i + 1:]
                    break
            block = []


def _merge_cues(cues: Iterable[tuple[str | None, str, str]]) -> Transcript:
    """Consecutive cues by the same voice become one turn; unlabelled cues continue a turn."""
    turns: list[Turn] = []
    for number, (speaker, text, start) in enumerate(cues, start=1):
        if not text.strip():
            continue
        if turns and (speaker is None or speaker == turns[-1].speaker):
            turns[-1].text += " " + text
            turns[-1].last = number
            continue
        turns.append(Turn(speaker=speaker or "Speaker", text=text, first=number, last=number,
                          timestamp=clean_timestamp(start)))
    return Transcript(turns=turns, unit="cues")


def _payload_speaker(payload: str) -> tuple[str | None, str]:
    voice = _VOICE.search(payload)
    if voice:
        return voice.group("name").strip(), html.unescape(_TAG.sub("", payload)).strip()
    plain = html.unescape(_TAG.sub("", payload)).strip()
    plain = re.sub(r"^-\s+", "", plain)
    match = _match_label(plain)
    if match and not match[3] and match[2]:
        return match[0], match[2]
    bracket = _SRT_BRACKET_SPEAKER.match(plain)
    if bracket and _label_ok(bracket.group("label")) and bracket.group("text"):
        return bracket.group("label").strip(), bracket.group("text").strip()
    return None, plain


def read_vtt(path: Path, encoding: str) -> Transcript:
    """A WebVTT file; speakers from `<v Name>` voice tags (or `Name:` in the cue text)."""
    text = read_text(path, encoding)
    if not text.lstrip("\ufeff \n").startswith("WEBVTT"):
        if not _CUE_TIMING.search(text):
            raise UnusableFile("unreadable", "not a WebVTT file (no WEBVTT header and no cue timings)")
    cues = []
    notes: list[str] = []
    for start, _end, payload in _cue_blocks(text, notes):
        speaker, body = _payload_speaker(" ".join(payload))
        cues.append((speaker, " ".join(body.split()), start))
    transcript = _merge_cues(cues)
    transcript.header = notes
    return transcript


def read_srt(path: Path, encoding: str) -> Transcript:
    """An SRT subtitle file; speakers from `Name:` / `[Name]` prefixes where present."""
    text = read_text(path, encoding)
    cues = []
    for start, _end, payload in _cue_blocks(text):
        speaker, body = _payload_speaker(" ".join(payload))
        cues.append((speaker, " ".join(body.split()), start))
    if not cues and text.strip():
        raise UnusableFile("unreadable", "not an SRT file (no cue timings found)")
    return _merge_cues(cues)


# --- Word ----------------------------------------------------------------------------------------

def _bold_prefix(paragraph: object) -> str:
    """The text of the leading bold runs of a Word paragraph (a speaker label, often)."""
    prefix = []
    for run in getattr(paragraph, "runs", []):
        if run.bold and run.text:
            prefix.append(run.text)
        elif run.text.strip():
            break
        else:
            prefix.append(run.text)
    return "".join(prefix).strip()


def read_docx(path: Path) -> Transcript:
    """A Word transcript: `Speaker: text` paragraphs, bold label runs, or a speaker|text table.

    Title/heading-styled paragraphs and metadata before the first turn are header, not turns.
    Locators are paragraph numbers (tables: row numbers after the paragraphs).
    """
    import docx

    try:
        document = docx.Document(str(path))
        paragraphs = list(document.paragraphs)
        tables = list(document.tables)
    except Exception as err:  # python-docx raises many types on a damaged archive
        raise UnusableFile("unreadable", f"not a readable .docx document ({type(err).__name__}: {str(err)[:120]})") from None

    lines: list[_Line] = []
    number = 0
    try:
        for paragraph in paragraphs:
            number += 1
            text = paragraph.text.strip()
            if not text:
                continue
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            heading = style.lower().startswith(("title", "heading", "subtitle"))
            bold = _bold_prefix(paragraph)
            label = None
            if bold and not heading and bold != text:
                candidate = bold.rstrip(":").strip()
                if _label_ok(candidate) and len(candidate.split()) <= 4:
                    label = candidate
                    text = text[len(bold):].lstrip(" :\t").strip() if text.startswith(bold) else text
            lines.append(_Line(number, text, label=label, heading=heading))
        if not any(_match_label(x.text) or x.label for x in lines):
            for table in tables:
                for row in table.rows:
                    number += 1
                    cells = [c.text.strip() for c in row.cells]
                    if len(cells) >= 2 and _label_ok(cells[0]) and cells[-1]:
                        lines.append(_Line(number, cells[-1], label=cells[0]))
    except Exception as err:
        raise UnusableFile("unreadable", f"not a readable .docx document ({type(err).__name__})") from None
    return assemble_turns(lines, "paragraphs")


def read_transcript(path: Path, fmt: str, encoding: str) -> Transcript:
    """Dispatch on format ('txt', 'md', 'vtt', 'srt', 'docx')."""
    if fmt in ("txt", "md"):
        return read_text_transcript(path, encoding)
    if fmt == "vtt":
        return read_vtt(path, encoding)
    if fmt == "srt":
        return read_srt(path, encoding)
    if fmt == "docx":
        return read_docx(path)
    raise UnusableFile("unsupported format", f"unsupported transcript format: .{fmt}")
