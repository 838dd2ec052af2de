"""Readers for interview transcripts: plain text / Markdown, WebVTT, SRT, Word (.docx) and
OpenDocument (.odt).

Each reader returns a `Transcript`: the speaker turns in file order, plus metadata found in
the header (title, "Participant: P07", "Date: …") that precedes the first turn. Which
speaker is the interviewer, and what the participant is called in the output, is decided
later (`speakers.py`); this module only finds who said what, where.

A speaker label is a person: within a file, labels that differ only in letter case or spacing
("interviewer", "Interviewer") are one speaker. A timestamp is a locator: it goes to the
turn's `timestamp`, never into the label or the text.

Shapes recognised, as researchers' tools export them:

- `Name: text` in any letter case (`Interviewer:`, `interviewee:`, `Interviewer 2:`,
  `Respondent 3:`, `I:`/`R:`, `IV:`, `P:`, `P3:`, `Q:`/`A:`), with a timestamp before or after
  the label (`[00:12:31] P3:`, `00:12:31 P3:`, `P3 [00:12:31]:`, `P3: [00:12:31] text`) and
  `**Name:**` in Markdown;
- Otter.ai (.txt and .docx): `Sara Lopez  0:02` or `Speaker 1  1:02:33` on its own line, the
  text below (Otter's "Transcribed by https://otter.ai" trailer is dropped);
- Rev: `Speaker 1 (00:01:02):` or `Name (01:02):`, the text on the same or the next line
  (a timed tag in the text, `[inaudible 00:01:08]`, keeps its tag and loses its time);
- Descript: `[00:01:02] Name: text`; Trint: `[00:01:02] Name` or `Name [00:01:02]`, text below;
- Zoom: .vtt cues whose text is `Name: text`; the .txt transcript (`[Name] 10:02:33`, text
  below); a saved chat (`10:02:33 From Name to Everyone : text`, `00:58:04<tab>Name:<tab>text`);
- Microsoft Teams: .vtt with `<v Name>` voice tags; .docx with `Name   0:03` above the text, and
  the older .docx layout of cues (`0:0:0.0 --> 0:0:5.200`, the name, then the text); the
  "… started transcription" lines are dropped;
- in Word, also a bold label run and a speaker | text table.

Think-aloud and protocol transcripts (usability sessions) label almost nothing: the
participant's speech is unlabelled lines, the numbered task prompts of the protocol
(`1 Read the home tab.`, `  2.b Why?`) stand between them, and only the moderator's rare
interjections carry a label (`MODERATOR: Yes`). When labelled lines are under
`THINK_ALOUD_LABEL_SHARE` of a file's lines and each carries its own text, a labelled line is a
turn of its own, task prompts are turns of `Protocol` (an interviewer role: context, never
themed), lines in parentheses are observer notes (left out), and the unlabelled lines are the
turns of `Participant`.

A capitalised label, a role (`interviewee`, `Respondent 3`) or a label with a timestamp is a
speaker. A lower-case word before a colon is one only when it starts turns again and again in
a conversation, the way the file's other speakers do: "honestly: it broke", said once, stays
text. Sound tags opening a cue (`[Laughter]`) are not speakers.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .encoding import read_text
from .records import Turn, UnusableFile

TRANSCRIPT_FORMATS = ("txt", "md", "vtt", "srt", "docx", "odt")

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"          # 0:02, 12:34, 1:02:33, 00:00:02.500
_HMS = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?"               # only the full form: "10:30" may be speech
# Teams' older Word export writes cue times unpadded ("0:0:5.200").
_CUE_TS = r"\d{1,3}:\d{1,2}(?::\d{1,2})?(?:[.,]\d{1,3})?"
_WCH = r"[\w.'’\-]"
_WORD = _WCH + "+"
_LABEL = rf"[^\W\d_]{_WCH}*(?:\s+(?:{_WORD}|\({_WORD}(?:\s+{_WORD})?\))){{0,3}}?"
_LABELLED_LINE = re.compile(
    rf"""^\s*(?:[-*•]\s+)?
    (?:[\[(]\s*(?P<ts1>{_TS})\s*[\])]\s*[-–—]?\s*|(?P<ts2>{_TS})\s+[-–—]?\s*)?
    (?:\*\*|__)?\s*
    (?P<label>{_LABEL})
    \s*(?:[\[(]\s*(?P<ts3>{_TS})\s*[\])]|\s(?P<ts4>{_HMS}))?
    \s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*
    (?P<text>.*)$""",
    re.VERBOSE,
)
# A label alone on a line with a timestamp: Otter/Teams "Dana  0:02", Zoom "[Dana] 10:02:33",
# Trint "[00:01:10] Dana" / "Dana [00:01:10]", Rev "Speaker 1 (00:01:02):".
_LABEL_ONLY_LINE = re.compile(
    rf"""^\s*(?:
        (?:\[(?P<label0>{_LABEL})\]|(?:\*\*|__)?(?P<label1>{_LABEL})(?:\*\*|__)?)
        (?:\s*[\[(](?P<ts1>{_TS})[\])]|\s+(?P<ts1b>{_TS}))
      | [\[(]?(?P<ts2>{_TS})[\])]?\s+(?:\*\*|__)?(?P<label2>{_LABEL})(?:\*\*|__)?
    )\s*:?\s*$""",
    re.VERBOSE,
)
# Zoom's saved meeting chat: "10:02:33 From Dana Reyes to Everyone : text".
_ZOOM_CHAT_LINE = re.compile(rf"^\s*(?P<ts>{_TS})\s+From\s+(?P<label>[^:]+?)(?:\s+to\s+[^:]+?)?\s*:\s*(?P<text>.*)$")
_TS_ONLY_LINE = re.compile(rf"^\s*[\[(]?{_TS}[\])]?\s*$")
# A timestamp opening a turn's text ("P3: [00:12:31] I think…"); bare only in the full
# hh:mm:ss form, since "10:30 suits me" is speech.
_LEADING_TS = re.compile(
    rf"^\s*(?:[\[(](?P<bracketed>{_TS})[\])]|(?P<bare>{_HMS})(?=\s|$))\s*[-–—:]?\s*"
)
_INLINE_TS = re.compile(rf"\s*\[{_TS}\]")
# Rev marks unclear speech with the time it happened: "[inaudible 00:01:08]", "[crosstalk 00:12:04]".
_TIMED_TAG = re.compile(rf"\[(?P<tag>[^\W\d_][\w ]{{0,30}}?)\s+{_TS}\]")
# Lines the tools add that nobody said.
_BOILERPLATE = re.compile(
    r"^\s*(?:Transcribed by\s+\S*otter\.ai\S*|\S.{0,80}?\s(?:started|stopped) transcription)\s*$", re.IGNORECASE
)
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<text>.+)$")
_META_LINE = re.compile(r"^\s*(?:\*\*|__)?(?P<key>[A-Za-z][\w /]{0,30}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<value>.+?)\s*$")

# Header keys that describe the interview rather than start a turn.
META_KEYS = frozenset({
    "participant", "participant id", "interviewee", "interviewer", "moderator", "facilitator",
    "researcher", "date", "time", "duration", "title", "study", "project", "session",
    "location", "persona", "segment", "role", "company", "customer", "name", "recorded",
    "recording", "transcript", "notes", "topic", "language", "interview", "id", "age", "plan",
})
# Roles are speakers wherever they appear, in any case and optionally numbered ("Interviewer 2").
_ROLE_LABEL = re.compile(
    r"^(?:P\s?\d{1,4}|R\s?\d{1,4}|(?:Interviewer|Interviewee|Moderator|Facilitator|Researcher|Participant|"
    r"Respondent|Customer|User|Speaker|Host|Int|Intv|Resp)(?:\s*\d{1,3})?)$",
    re.IGNORECASE,
)
# Letter codes are roles only in capitals: a lower-case "a:" is more likely prose.
_ROLE_CODE = re.compile(r"^(?:Q|A|I|R|P|IV|INT)(?:\s*\d{1,3})?$")
_NAME_PARTICLES = frozenset({"de", "da", "del", "della", "der", "den", "di", "do", "dos", "du", "la", "le",
                             "van", "von", "bin", "al", "el", "y"})
# Words that open prose before a colon ("note: …", "https://…", "Honestly: …"): never a speaker.
_NOT_LABELS = frozenset({
    "http", "https", "ftp", "mailto", "www", "note", "notes", "nb", "ps", "re", "fyi", "edit", "update", "eg",
    "e.g.", "ie", "i.e.", "etc", "tip", "todo", "warning", "also", "and", "but", "so", "or", "then", "because",
    "honestly", "basically", "like", "well", "yes", "no", "yeah", "ok", "okay", "example", "reason",
})
# Bracketed sound and transcriber tags at the start of a cue ("[Laughter] yeah"): not speakers.
_SOUND_TAGS = frozenset({
    "laughter", "laughs", "laughing", "music", "crosstalk", "inaudible", "unintelligible", "applause", "silence",
    "noise", "background noise", "pause", "coughs", "cough", "sighs", "foreign", "blank_audio", "overlapping",
})
# Words that show a "Key: value" line is someone talking, not header metadata.
_SPOKEN = re.compile(r"\b(?:i|i'm|i've|me|my|we|yeah|yes|yep|no|um+|uh+|erm|hmm+|hi|hello|hey|okay|ok|"
                     r"so|sure|thanks|right|well|oh)\b", re.IGNORECASE)


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
    label: str | None = None      # set by the format (Word bold run, VTT voice, cue layout)
    timestamp: str = ""
    heading: bool = False
    plain: bool = False           # known to be speech (a cue's text): never read as a label


class _Match(NamedTuple):
    """A line that has the shape of a turn start."""

    label: str
    timestamp: str
    text: str
    label_only: bool   # the label (and timestamp) alone; the text follows on the next lines
    strong: bool       # capitalised name or role; a lower-case word must recur to count


def clean_timestamp(ts: str) -> str:
    """"0:02" → "00:00:02"; "1:02:33" → "01:02:33"; "00:12:31.500" → "00:12:31"."""
    ts = re.split(r"[.,]", ts.strip().strip("[]()"))[0]
    parts = [int(p) for p in ts.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts[-3:]
    return f"{h:02d}:{m:02d}:{s:02d}"


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _is_role(label: str) -> bool:
    label = " ".join(label.split())
    return bool(_ROLE_LABEL.match(label) or _ROLE_CODE.match(label))


def _label_strength(label: str) -> str | None:
    """"strong" for a label that is a speaker by its shape (a capitalised name, a role), "weak"
    for one that may be (a lower-case word: a speaker only if it recurs), None for no label."""
    label = " ".join(label.split())
    if not label or len(label) > 40 or label.endswith(("-", "'", "’")):
        return None
    if _is_role(label):
        return "strong"
    if label.lower() in _NOT_LABELS:
        return None
    words = label.split()
    if words[0][:1].isupper() and all(
        w[:1].isupper() or w[:1] == "(" or w.isdigit() or w.lower() in _NAME_PARTICLES for w in words[1:]
    ):
        return "strong"
    return "weak"


def _label_ok(label: str) -> bool:
    """A label that is a speaker by its shape alone."""
    return _label_strength(label) == "strong"


def _split_leading_timestamp(text: str) -> tuple[str, str]:
    """("00:12:31", "I think…") for "[00:12:31] I think…"; ("", text) when none."""
    m = _LEADING_TS.match(text)
    if not m:
        return "", text
    return m.group("bracketed") or m.group("bare"), text[m.end():]


def _strip_inline_timestamps(text: str) -> str:
    return _INLINE_TS.sub("", _TIMED_TAG.sub(r"[\g<tag>]", text)).strip()


def _match_label(text: str) -> _Match | None:
    """The turn-start shape of a line, if it has one (not yet judged: see `_accepted_labels`)."""
    m = _ZOOM_CHAT_LINE.match(text)
    if m and len(m.group("label")) <= 60:
        rest = m.group("text").strip()
        return _Match(" ".join(m.group("label").split()), m.group("ts"), rest, not rest, True)
    # Label-only first: in "Sara Lopez  12:34" the colon is the timestamp's, not the label's.
    m = _LABEL_ONLY_LINE.match(text)
    if m:
        label = m.group("label0") or m.group("label1") or m.group("label2") or ""
        strength = _label_strength(label)
        if strength:
            return _Match(" ".join(label.split()), m.group("ts1") or m.group("ts1b") or m.group("ts2") or "", "", True,
                          strength == "strong")
    m = _LABELLED_LINE.match(text)
    if not m:
        return None
    label, rest = m.group("label"), m.group("text").strip()
    # "Sara Lopez 12:34 …" is a name and a time, not the label "Sara Lopez 12" saying "34".
    start = m.start("text")
    if rest[:1].isdigit() and text[start - 1:start] == ":" and text[start - 2:start - 1].isdigit():
        return None
    strength = _label_strength(label)
    if not strength:
        return None
    ts = m.group("ts1") or m.group("ts2") or m.group("ts3") or m.group("ts4") or ""
    if not ts:
        ts, rest = _split_leading_timestamp(rest)
    return _Match(" ".join(label.split()), ts, rest.strip(), False, strength == "strong")


def _accepted_labels(matches: Sequence[_Match | None], preset: Iterable[str] = (),
                     one_off_ok: bool = False) -> dict[str, str]:
    """Which candidate labels are speakers: label key → the label as shown.

    A capitalised label is a speaker when it recurs, carries a timestamp, is a role, or the
    format set it (Word bold run, voice tag) — or anywhere when `one_off_ok` (a cue's `Name:`).
    A lower-case label must behave like a speaker: recur, in a conversation of two or more
    voices (or with timestamps), in the same line shape as the file's other speakers, and take
    a fair share of the turns — so a "note:" or "it broke again:" opening a few lines of speech
    is not a speaker. Spellings of one label are one speaker, shown as the most frequent one.
    """
    spellings: dict[str, Counter[str]] = {}
    shapes: dict[str, Counter[tuple[bool, bool]]] = {}
    strong: set[str] = set()
    timestamped: set[str] = set()
    roles: set[str] = set()
    for match in matches:
        if match is None:
            continue
        key = _label_key(match.label)
        spellings.setdefault(key, Counter())[match.label] += 1
        shapes.setdefault(key, Counter())[(bool(match.timestamp), match.label_only)] += 1
        if match.strong:
            strong.add(key)
        if match.timestamp:
            timestamped.add(key)
        if _is_role(match.label):
            roles.add(key)
    counts = {key: sum(c.values()) for key, c in spellings.items()}
    preset_keys = set(map(_label_key, preset))
    accepted = {
        key for key in counts
        if key in preset_keys or key in roles
        or (key in strong and (one_off_ok or counts[key] >= 2 or key in timestamped))
    }
    recurring = {key for key in counts if key not in accepted and counts[key] >= 2}
    if accepted and recurring:
        # The shape the known speakers' turns start with ("Name  0:02" alone, "Name: text"…).
        usual = sum((shapes[key] for key in accepted), Counter()).most_common(1)[0][0]
        recurring = {key for key in recurring if shapes[key].most_common(1)[0][0] == usual}
    starts = sum(counts[key] for key in accepted | recurring)
    recurring = {key for key in recurring if counts[key] >= 0.05 * starts}
    if len(accepted | recurring) >= 2:
        accepted |= recurring
    else:
        accepted |= recurring & timestamped
    return {key: spellings[key].most_common(1)[0][0] for key in accepted}


def _looks_like_metadata(match: _Match) -> bool:
    """"Interviewer: Sam Jones" in a header names someone; it is not a turn."""
    text = match.text
    if match.label.lower() not in META_KEYS or match.timestamp or not text:
        return False
    if _SPOKEN.search(text):
        return False
    return len(text.split()) <= 6 and not re.search(r"[?!]|\.\s|\.$", text)


# A think-aloud file labels fewer than this share of its lines (see the module docstring).
THINK_ALOUD_LABEL_SHARE = 0.15
# ... and has at least this many unlabelled lines (a short file proves nothing).
THINK_ALOUD_MIN_LINES = 20
PROTOCOL = "Protocol"
PARTICIPANT = "Participant"
# A protocol's numbered task prompt: "1 Read…", "  1.a Was…", "c.i If…", "3) Submit…".
_TASK_PROMPT = re.compile(r"^\s*(?:\d{1,2}(?:\.[a-z0-9]{1,4})*[.)]?|[a-z]\.[ivx]{1,4}\.?|[a-z]\))\s+[A-Z‘'\"“]")
_OBSERVER_NOTE = re.compile(r"^\s*\([^()]*\)\s*$")


def _is_think_aloud(lines: Sequence[_Line], matches: Sequence[_Match | None], accepted: dict[str, str]) -> bool:
    starts = [m for m in matches if m and _label_key(m.label) in accepted]
    content = sum(bool(line.text.strip()) and not line.heading for line in lines)
    unlabelled = content - len(starts)
    return (bool(starts) and unlabelled >= THINK_ALOUD_MIN_LINES
            and len(starts) < THINK_ALOUD_LABEL_SHARE * content and all(m.text.strip() for m in starts))


def _think_aloud_turns(lines: Sequence[_Line], matches: Sequence[_Match | None], accepted: dict[str, str],
                       unit: str) -> Transcript:
    """Turns of a think-aloud transcript: labelled lines alone, prompts as `Protocol`,
    unlabelled speech as `Participant` (consecutive lines of speech are one turn)."""
    turns: list[Turn] = []
    for line, match in zip(lines, matches, strict=True):
        text = line.text.strip()
        if not text or line.heading or _BOILERPLATE.match(line.text) or _OBSERVER_NOTE.match(text):
            continue
        if match and _label_key(match.label) in accepted:
            speaker, text = accepted[_label_key(match.label)], _strip_inline_timestamps(match.text)
        elif _TASK_PROMPT.match(line.text):
            speaker = PROTOCOL
        else:
            speaker = PARTICIPANT
        if speaker == PARTICIPANT and turns and turns[-1].speaker == PARTICIPANT:
            turns[-1].text += "\n" + text
            turns[-1].last = line.number
            continue
        turns.append(Turn(speaker=speaker, text=text, first=line.number, last=line.number))
    return Transcript(turns=[t for t in turns if t.text.strip()], unit=unit)


def assemble_turns(lines: Sequence[_Line], unit: str) -> Transcript:
    """Group lines into speaker turns; lines before the first turn are the header."""
    matches: list[_Match | None] = []
    for line in lines:
        if line.heading or line.plain or _BOILERPLATE.match(line.text):
            matches.append(None)
        elif line.label is not None:
            matches.append(_Match(line.label, line.timestamp, line.text, not line.text, True))
        else:
            matches.append(_match_label(line.text))
    accepted = _accepted_labels(matches, {line.label for line in lines if line.label})
    if _is_think_aloud(lines, matches, accepted):
        return _think_aloud_turns(lines, matches, accepted, unit)

    turns: list[Turn] = []
    texts: list[list[str]] = []    # each turn's lines, joined at the end (a long turn stays linear)
    transcript = Transcript(turns=turns, unit=unit)
    # "INTERVIEWER: Sam Jones" said once is metadata even after the first turn (an oral-history
    # export repeats its header block below an introduction that the reader takes for turns).
    once = Counter(_label_key(m.label) for m in matches if m)
    for line, match in zip(lines, matches, strict=True):
        if _BOILERPLATE.match(line.text) and not line.heading:
            continue
        key = _label_key(match.label) if match else ""
        if match and turns and once[key] == 1 and _looks_like_metadata(match):
            transcript.header.append(line.text.strip())
            transcript.meta.setdefault(match.label.strip().lower(), match.text.strip())
            continue
        if match and key in accepted and not (not turns and _looks_like_metadata(match)):
            turns.append(Turn(speaker=accepted[key], text="", first=line.number, last=line.number,
                              timestamp=clean_timestamp(match.timestamp) if match.timestamp else ""))
            first_text = _strip_inline_timestamps(match.text)
            texts.append([first_text] if first_text else [])
            continue
        if not line.text.strip() or (_TS_ONLY_LINE.match(line.text) and turns):
            continue
        if turns and not line.heading:
            # A continuation may open with the time it was said (Descript, Trint): a locator.
            text = line.text.strip() if line.plain else _split_leading_timestamp(line.text)[1]
            text = _strip_inline_timestamps(text)
            if not text:
                continue
            texts[-1].append(text)
            turns[-1].last = line.number
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
    for turn, parts in zip(turns, texts, strict=True):
        turn.text = "\n".join(parts)
    transcript.turns = [t for t in turns if t.text.strip()]
    return transcript


# --- cues: WebVTT, SRT, and cue layouts pasted into Word or text --------------------------------

_CUE_TIMING = re.compile(rf"^\s*(?P<start>{_CUE_TS})\s*-->\s*(?P<end>{_CUE_TS})")
# Cue identifiers: SRT/Zoom numbers, Teams "<uuid>/12-0".
_CUE_ID = re.compile(r"^\s*(?:\d{1,6}|[0-9a-f]{8}-[0-9a-f-]{20,}(?:/\d+-\d+)?|[\w-]{1,64}/\d+-\d+)\s*$", re.IGNORECASE)
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?\s+(?P<name>[^>]+?)\s*>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
_SRT_BRACKET_SPEAKER = re.compile(r"^\s*[\[(](?P<label>[^\])]{1,40})[\])]\s*:?\s*(?P<text>.*)$")
# A cue's first line that is only a name (Teams' older .docx: "Lopez, Sara").
_NAME_LINE = re.compile(r"^[^\W\d_][\w.'’\-, ()]{0,58}$")


def cue_blocks(text: str, notes: list[str] | None = None) -> Iterable[tuple[str, str, list[str]]]:
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


def _cue_speakers(payloads: Sequence[str]) -> list[tuple[str | None, str]]:
    """(speaker or None, text) for each cue's text: a `<v Name>` voice tag, `Name: text` or
    `[Name] text`. A capitalised `Name:` opening a cue is a speaker even once; a lower-case one
    must recur (see `_accepted_labels`)."""
    parsed: list[tuple[_Match | None, str]] = []
    voices: set[str] = set()
    for payload in payloads:
        plain = html.unescape(_TAG.sub("", payload)).strip()
        voice = _VOICE.search(payload)
        if voice:
            name = " ".join(voice.group("name").split())
            voices.add(name)
            parsed.append((_Match(name, "", plain, False, True), plain))
            continue
        plain = re.sub(r"^-\s+", "", plain)
        match = _match_label(plain)
        if match and not match.label_only and match.text:
            parsed.append((match, plain))
            continue
        bracket = _SRT_BRACKET_SPEAKER.match(plain)
        tag = bracket.group("label").strip() if bracket else ""
        strength = _label_strength(tag) if tag.lower() not in _SOUND_TAGS else None
        if bracket and strength and bracket.group("text"):
            parsed.append((_Match(tag, "", bracket.group("text").strip(), False, strength == "strong"), plain))
            continue
        parsed.append((None, plain))
    accepted = _accepted_labels([m for m, _ in parsed], voices, one_off_ok=True)
    out: list[tuple[str | None, str]] = []
    for match, plain in parsed:
        key = _label_key(match.label) if match else ""
        if match and key in accepted:
            out.append((accepted[key], " ".join(_strip_inline_timestamps(match.text).split())))
        else:
            out.append((None, " ".join(_strip_inline_timestamps(plain).split())))
    return out


def _merge_cues(cues: Iterable[tuple[str | None, str, str]]) -> Transcript:
    """Consecutive cues by the same voice become one turn; unlabelled cues continue a turn."""
    turns: list[Turn] = []
    texts: list[list[str]] = []
    for number, (speaker, text, start) in enumerate(cues, start=1):
        if not text.strip():
            continue
        if turns and (speaker is None or speaker == turns[-1].speaker):
            texts[-1].append(text)
            turns[-1].last = number
            continue
        turns.append(Turn(speaker=speaker or "Speaker", text="", first=number, last=number,
                          timestamp=clean_timestamp(start)))
        texts.append([text])
    for turn, parts in zip(turns, texts, strict=True):
        turn.text = " ".join(parts)
    return Transcript(turns=turns, unit="cues")


def _cue_layout(lines: Sequence[_Line]) -> list[_Line] | None:
    """Lines laid out as cues outside a .vtt file (Teams' older .docx, a cue file saved as .txt),
    rewritten as lines whose speaker and timestamp are set; None when the layout is not cues.

    A cue's text is either `Name: text` / `<v Name>text` or a name on its own line above the
    text — the latter only when most cues open with a name that recurs.
    """
    timings = [i for i, line in enumerate(lines) if _CUE_TIMING.match(line.text)]
    if len(timings) < 2:
        return None
    header = [line for line in lines[:timings[0]] if not line.text.strip().startswith("WEBVTT")]
    if header and _CUE_ID.match(header[-1].text):
        header.pop()
    blocks: list[tuple[str, list[_Line]]] = []
    for n, i in enumerate(timings):
        end = timings[n + 1] if n + 1 < len(timings) else len(lines)
        body = [line for line in lines[i + 1:end] if line.text.strip()]
        if n + 1 < len(timings) and body and _CUE_ID.match(body[-1].text):
            body.pop()   # the next cue's number or id
        timing = _CUE_TIMING.match(lines[i].text)
        assert timing is not None
        blocks.append((clean_timestamp(timing.group("start")), body))

    multi = [body for _, body in blocks if len(body) >= 2]
    names = Counter(" ".join(body[0].text.split()) for body in multi if _NAME_LINE.match(body[0].text.strip())
                    and len(body[0].text.split()) <= 5 and not body[0].text.rstrip().endswith((".", "?", "!")))
    recurring = {name for name, count in names.items() if count >= 2}
    name_layout = bool(multi) and sum(names[n] for n in recurring) >= 0.6 * len(multi)

    speakers: list[str | None] = []
    texts: list[list[_Line]] = []
    pending: list[int] = []
    payloads: list[str] = []
    for _, body in blocks:
        first = " ".join(body[0].text.split()) if body else ""
        if name_layout and len(body) >= 2 and first in recurring:
            speakers.append(first)
            texts.append(body[1:])
        else:
            speakers.append(None)
            texts.append(body)
            pending.append(len(speakers) - 1)
            payloads.append(" ".join(line.text.strip() for line in body))
    for index, (speaker, text) in zip(pending, _cue_speakers(payloads), strict=True):
        speakers[index] = speaker
        body = texts[index]
        texts[index] = [_Line(body[0].number, text)] if body and text else []

    out = list(header)
    previous: str | None = None
    for (start, _), speaker, body in zip(blocks, speakers, texts, strict=True):
        for j, line in enumerate(body):
            opens = j == 0 and speaker is not None and speaker != previous
            out.append(_Line(line.number, line.text.strip(), label=speaker if opens else None,
                             timestamp=start if opens else "", plain=not opens))
        if body and speaker is not None:
            previous = speaker
    return out


# --- plain text / Markdown -----------------------------------------------------------------------

def _strip_markdown(text: str) -> str:
    return re.sub(r"(?<!\w)[*_]{1,2}(?=\S)|(?<=\S)[*_]{1,2}(?!\w)", "", text)


def read_text_transcript(path: Path, encoding: str) -> Transcript:
    """A .txt/.md transcript; locators are line numbers."""
    text = read_text(path, encoding)
    lines = [_Line(i, raw.rstrip()) for i, raw in enumerate(text.splitlines(), start=1)]
    transcript = assemble_turns(_cue_layout(lines) or lines, "lines")
    if path.suffix.lower() == ".md":
        for turn in transcript.turns:
            turn.text = _strip_markdown(turn.text)
    return transcript


# --- WebVTT / SRT --------------------------------------------------------------------------------

def read_vtt(path: Path, encoding: str) -> Transcript:
    """A WebVTT file; speakers from `<v Name>` voice tags (or `Name:` in the cue text)."""
    text = read_text(path, encoding)
    if not text.lstrip("\ufeff \n").startswith("WEBVTT"):
        if not _CUE_TIMING.search(text):
            raise UnusableFile("unreadable", "not a WebVTT file (no WEBVTT header and no cue timings)")
    notes: list[str] = []
    blocks = list(cue_blocks(text, notes))
    speakers = _cue_speakers([" ".join(payload) for _, _, payload in blocks])
    transcript = _merge_cues((speaker, body, start) for (start, _, _), (speaker, body) in zip(blocks, speakers, strict=True))
    transcript.header = notes
    return transcript


def read_srt(path: Path, encoding: str) -> Transcript:
    """An SRT subtitle file; speakers from `Name:` / `[Name]` prefixes where present."""
    text = read_text(path, encoding)
    blocks = list(cue_blocks(text))
    if not blocks and text.strip():
        raise UnusableFile("unreadable", "not an SRT file (no cue timings found)")
    speakers = _cue_speakers([" ".join(payload) for _, _, payload in blocks])
    return _merge_cues((speaker, body, start) for (start, _, _), (speaker, body) in zip(blocks, speakers, strict=True))


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


def _after_bold_label(rest: str) -> tuple[str, str]:
    """(timestamp, text) of what follows a bold label: "  0:02" (Otter), "(00:01:02): text"."""
    rest = rest.lstrip(" :\t")
    if _TS_ONLY_LINE.match(rest):
        return rest.strip(), ""
    ts, rest = _split_leading_timestamp(rest)
    return ts, rest.strip()


def read_docx(path: Path) -> Transcript:
    """A Word transcript: `Speaker: text` paragraphs, a label paragraph above the text (Otter,
    Teams), bold label runs, a cue layout (older Teams), or a speaker|text table.

    Title/heading-styled paragraphs and metadata before the first turn are header, not turns.
    Locators are paragraph numbers (tables: row numbers after the paragraphs); a paragraph
    with line breaks is read line by line under its own number.
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
            label, timestamp = None, ""
            if bold and not heading and bold != text and "\n" not in bold:
                candidate = bold.rstrip(":").strip()
                if _label_ok(candidate) and len(candidate.split()) <= 4:
                    label = " ".join(candidate.split())
                    rest = text[len(bold):] if text.startswith(bold) else text
                    timestamp, text = _after_bold_label(rest)
            first, *more = text.split("\n")
            lines.append(_Line(number, first.strip(), label=label, timestamp=timestamp, heading=heading))
            lines.extend(_Line(number, part.strip(), heading=heading) for part in more if part.strip())
        if not any(_match_label(x.text) or x.label for x in lines):
            for table in tables:
                for row in table.rows:
                    number += 1
                    cells = [c.text.strip() for c in row.cells]
                    if len(cells) >= 2 and _label_ok(cells[0]) and cells[-1]:
                        lines.append(_Line(number, cells[-1], label=cells[0]))
    except Exception as err:
        raise UnusableFile("unreadable", f"not a readable .docx document ({type(err).__name__})") from None
    return assemble_turns(_cue_layout(lines) or lines, "paragraphs")


def odt_paragraphs(path: Path) -> list[tuple[int, str, bool]]:
    """(paragraph number, text, is heading) of an OpenDocument text file, read with odfpy, in
    document order (paragraphs inside lists and sections included)."""
    from odf import teletype
    from odf import text as odf_text
    from odf.opendocument import load

    try:
        document = load(str(path))
        out = []
        for element in document.text.getElementsByType(odf_text.P) + document.text.getElementsByType(odf_text.H):
            out.append(element)
    except Exception as err:  # odfpy raises many types on a damaged archive or bad XML
        raise UnusableFile("unreadable", f"not a readable .odt document ({type(err).__name__})") from None
    # getElementsByType groups by type; document order is the order of the nodes in the tree.
    order = {id(node): n for n, node in enumerate(_walk(document.text))}
    out.sort(key=lambda element: order.get(id(element), 0))
    return [(n, teletype.extractText(e), e.qname[1] == "h") for n, e in enumerate(out, start=1)]


def _walk(node: object) -> Iterable[object]:
    yield node
    for child in getattr(node, "childNodes", []):
        yield from _walk(child)


def read_odt(path: Path) -> Transcript:
    """An OpenDocument (.odt, LibreOffice Writer) transcript: paragraphs and headings as lines.
    Locators are paragraph numbers."""
    lines = [_Line(number, part.rstrip(), heading=heading)
             for number, text, heading in odt_paragraphs(path)
             for part in text.split("\n") if part.strip()]
    return assemble_turns(_cue_layout(lines) or lines, "paragraphs")


def read_transcript(path: Path, fmt: str, encoding: str) -> Transcript:
    """Dispatch on format ('txt', 'md', 'vtt', 'srt', 'docx', 'odt')."""
    if fmt in ("txt", "md"):
        return read_text_transcript(path, encoding)
    if fmt == "vtt":
        return read_vtt(path, encoding)
    if fmt == "srt":
        return read_srt(path, encoding)
    if fmt == "docx":
        return read_docx(path)
    if fmt == "odt":
        return read_odt(path)
    raise UnusableFile("unsupported format", f"unsupported transcript format: .{fmt}")
