"""Who is who in an interview, and what they are called in the output.

Interviewer turns are recognised by label patterns (`SourceConfig.interviewer_labels`, and
`--interviewer NAME`), by the transcript header ("Interviewer: Sam"), by presence in most of the
study's files (the researcher runs every session), or — when none says — by asking which
speaker mostly asks questions (`explain_interviewers` also says why). A transcription
service's unnamed voices ("Speaker 3") go to the participant or the researchers
(`unknown_voices`). Participants are shown by pseudonym only: a label that already is a
participant id (`P07`) keeps it; a file that names its participant id in the header or file
name gives it to its one participant; everyone else gets the next free `P01`, `P02`… in an
order sorted by a hash of (file, label), so it is the same on every run and machine.
Customers of tabular sources become `customer-3f2a` (a hash of their id, lengthened only
where two different customers would collide).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..tables import stable_id
from .records import Turn

DEFAULT_INTERVIEWER_LABELS = ["Interviewer", "Moderator", "Facilitator", "Q", "Researcher", "I", "Int", "IV", "Host"]

PID = re.compile(r"^P\d{1,4}$", re.IGNORECASE)
_PID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])P[\s\-_#]?(\d{1,4})(?![A-Za-z0-9])")
_PID_WORDS = re.compile(r"\bparticipant[\s\-_#]*(?:id)?[\s:#]*(\d{1,4})\b", re.IGNORECASE)
# "Protocol": the task prompts of a think-aloud transcript (transcripts.PROTOCOL), context only.
_ROLE_WORDS = re.compile(r"\b(interviewer|moderator|facilitator|researcher|protocol)\b", re.IGNORECASE)
# Labels that are roles, not people; never treated as names to redact.
GENERIC_LABELS = re.compile(
    r"^(?:P\d{1,4}|Q|A|I|R|IV|Int|Host|Interviewer|Moderator|Facilitator|Researcher|Participant|Respondent|"
    r"Interviewee|Customer|User|Speaker|Agent|Support|Unknown|Me|You)(?:\s*\d{1,3})?$",
    re.IGNORECASE,
)


def label_patterns(labels: Sequence[str] | None) -> list[re.Pattern[str]]:
    """Interviewer label patterns: whole-word, case-insensitive (`Q` matches "Q", not "Quinn")."""
    out = []
    for label in labels if labels is not None else DEFAULT_INTERVIEWER_LABELS:
        try:
            # "Q" matches "Q" and "Q2" (a second interviewer), never "Quinn".
            out.append(re.compile(rf"(?<!\w){re.escape(label)}(?:\s*\d{{1,3}})?(?!\w)", re.IGNORECASE))
        except re.error:
            continue
    return out


def is_interviewer_label(label: str, patterns: Sequence[re.Pattern[str]]) -> bool:
    return any(p.search(label) for p in patterns)


def normalise_pid(text: str) -> str:
    """"p7" → "P7", "P-07" → "P07", "7" → "P7" (digits kept as written); other ids as given."""
    text = text.strip()
    m = re.fullmatch(r"[Pp]?[\s\-_#]?(\d{1,4})", text)
    return f"P{m.group(1)}" if m else text


def find_participant_id(meta: dict[str, str], header: Sequence[str], file_stem: str) -> str | None:
    """A participant id (`P07`) named in the transcript header or its file name."""
    for key in ("participant", "participant id", "interviewee", "id", "respondent"):
        value = meta.get(key, "")
        m = _PID_IN_TEXT.search(value) or _PID_WORDS.search(value)
        if m:
            return f"P{m.group(1)}"
    for line in header:
        m = _PID_WORDS.search(line) or _PID_IN_TEXT.search(line)
        if m:
            return f"P{m.group(1)}"
    m = _PID_IN_TEXT.search(file_stem.replace("_", " ").replace("-", " "))
    if m:
        return f"P{m.group(1)}"
    return None


_INTERVIEWEE_LABEL = re.compile(r"^(?:interviewee|respondent|participant|customer|user|P\d{1,4}|R|A)(?:\s*\d+)?$",
                                re.IGNORECASE)
_PROMPT = re.compile(r"(?:^|[.!]\s+)(?:so,?\s+|and\s+|okay,?\s+|ok,?\s+|right,?\s+)?(?:tell|talk|walk|describe|"
                     r"explain|show|go on|take me|share|give me|think about|imagine)\b", re.IGNORECASE)


def asks(text: str) -> bool:
    """A turn that asks something: a question mark or a prompt ("Tell me about…")."""
    return "?" in text or bool(_PROMPT.search(text))


def infer_interviewers(turns: Sequence[Turn], patterns: Sequence[re.Pattern[str]], hints: Iterable[str],
                       recurring: Iterable[str] = ()) -> set[str]:
    """Labels of the interviewer(s) in one transcript (see `explain_interviewers`)."""
    return explain_interviewers(turns, patterns, hints, recurring)[0]


def _fold(word: str) -> str:
    """Lower case without accents: "Šabanović" and "Sabanovic" are the same word in a label."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(ch))


def explain_interviewers(turns: Sequence[Turn], patterns: Sequence[re.Pattern[str]], hints: Iterable[str],
                         recurring: Iterable[str] = ()) -> tuple[set[str], str]:
    """(interviewer labels, why) for one transcript.

    The evidence, combined (an oral history may have a "Q" and two named interviewers): a
    label that names the role (`interviewer_labels`: Interviewer, Moderator, Q, Q2, I…, or any
    label containing a role word); a name the header gives ("Interviewer: Sam Jones",
    accents ignored); a speaker who also speaks in most of the study's other files
    (`recurring`: participants appear once, the researcher in every session). Failing all of
    those, in a conversation of two or more voices, the speaker who asks clearly more of the
    questions. `why` says which, without naming anyone.
    """
    labels = list(dict.fromkeys(t.speaker for t in turns))
    found: set[str] = set()
    why: list[str] = []
    by_role = {label for label in labels
               if (is_interviewer_label(label, patterns) or _ROLE_WORDS.search(label))
               and not _INTERVIEWEE_LABEL.match(label)}
    if by_role:
        found |= by_role
        why.append("the speaker label names the role")
    hint_words = {_fold(w) for hint in hints for w in hint.split()}
    by_header = {label for label in labels if label not in found and label.split()
                 and {_fold(w) for w in label.split()} <= hint_words} if hint_words else set()
    if by_header:
        found |= by_header
        why.append("the transcript header names the interviewer")
    by_presence = {label for label in labels if label in set(recurring)} - found
    if by_presence and len(found | by_presence) < len(labels):
        found |= by_presence
        why.append("the same speaker takes part in most of the study's interviews")
    if found:
        return found, "; ".join(why)
    if len(labels) < 2:
        return set(), "one voice only: no interviewer"
    return _question_asker(turns, labels)


def _question_asker(turns: Sequence[Turn], labels: list[str]) -> tuple[set[str], str]:
    """The speaker who asks questions in clearly more of their turns than anyone else, and
    says less overall (an interviewer asks, the participant talks)."""
    share: dict[str, float] = {}
    volume: dict[str, int] = {}
    for label in labels:
        own = [t for t in turns if t.speaker == label]
        share[label] = sum(asks(t.text) for t in own) / len(own)
        volume[label] = sum(len(t.text.split()) for t in own)
    ranked = sorted(labels, key=lambda lb: (-share[lb], volume[lb], lb))
    top, runner_up = ranked[0], ranked[1]
    total = sum(volume.values()) or 1
    margin = share[top] - share[runner_up]
    # Saying less than half the words is the usual tell; a short exchange where one side only
    # asks and the other only answers needs no such support.
    if share[top] >= 0.3 and margin >= 0.15 and (volume[top] / total < 0.5 or margin >= 0.5):
        return {top}, (f"asks questions in {share[top]:.0%} of their turns (next speaker: "
                       f"{share[runner_up]:.0%}) and says {volume[top] / total:.0%} of the words")
    return set(), "no speaker stands out as asking the questions; set interviewer_labels or --interviewer"


# Labels for whoever answers: never the recurring researcher, even when they recur in every file.
_ANSWERER_LABEL = re.compile(r"^(?:(?:interviewee|respondent|participant|customer|user)(?:\s*\d+)?|A|R|P)$", re.IGNORECASE)
_DIARISATION_LABEL = re.compile(r"^(?:unknown\s+)?speaker(?:\s*\d+)?$|^unknown$", re.IGNORECASE)


def unknown_voices(turns: Sequence[Turn], interviewers: set[str]) -> None:
    """Resolve a transcription service's unnamed voices ("Speaker 3", "Unknown Speaker") in a
    file that also names its participant, in place.

    Such a label is not a person: it is a stretch of audio the service could not attribute. In
    an interview with one named participant, an unnamed voice that mostly asks is a researcher
    (added to `interviewers`); one that mostly answers is the participant again, and its turns
    take the participant's label — otherwise one person would be counted as several.
    """
    voices = [lb for lb in dict.fromkeys(t.speaker for t in turns) if lb not in interviewers]
    unknown = [lb for lb in voices if _DIARISATION_LABEL.match(lb)]
    named = [lb for lb in voices if lb not in unknown]
    if not unknown or len(named) != 1:
        return
    for label in unknown:
        own = [t for t in turns if t.speaker == label]
        if sum(asks(t.text) for t in own) / len(own) >= 0.5:
            interviewers.add(label)
        else:
            for turn in own:
                turn.speaker = named[0]


def recurring_speakers(files: Sequence[Sequence[str]], min_files: int = 3) -> set[str]:
    """Labels that speak in at least half of the study's files (and at least `min_files`):
    the researchers who ran the sessions, since each participant speaks in one. A name
    ("Mira Holt") or a researcher's code ("A1") counts; role words, participant ids (P7) and a
    transcription service's own labels ("Speaker 2", restarted in every file) do not."""
    counts: Counter[str] = Counter()
    for labels in files:
        counts.update({lb for lb in labels
                       if not _ANSWERER_LABEL.match(lb) and not PID.match(lb) and not _DIARISATION_LABEL.match(lb)})
    need = max(min_files, (len(files) + 1) // 2)
    return {label for label, n in counts.items() if n >= need}


def interviewer_display(label: str) -> str:
    """How an interviewer turn is shown: its role word, never a person's name."""
    m = _ROLE_WORDS.search(label)
    return m.group(1).capitalize() if m else "Interviewer"


@dataclass
class PseudonymRegistry:
    """Assigns participant and customer pseudonyms for one run; keeps the re-identification map."""

    reidentification: dict[str, str] = field(default_factory=dict)
    _explicit: set[str] = field(default_factory=set)
    _pending: set[tuple[str, str]] = field(default_factory=set)
    _fixed: dict[tuple[str, str], str] = field(default_factory=dict)

    # -- participants ----------------------------------------------------------------------------

    def reserve(self, pid: str) -> None:
        """A participant id used as-is somewhere in the corpus (never handed out again)."""
        self._explicit.add(pid.upper())

    def fix(self, source_file: str, label: str, pseudonym: str, real: str | None = None) -> None:
        """`label` in `source_file` is `pseudonym` (already decided by the file or a roster)."""
        self._fixed[(source_file, label)] = pseudonym
        self.reserve(pseudonym)
        if real and real != pseudonym:
            self.reidentification.setdefault(pseudonym, real)

    def request(self, source_file: str, label: str) -> None:
        """`label` in `source_file` needs a generated pseudonym (assigned by `assign()`)."""
        if (source_file, label) not in self._fixed:
            self._pending.add((source_file, label))

    def assign(self) -> None:
        """Hand out P01, P02… to pending speakers in a hash-sorted, machine-independent order."""
        used = set(self._explicit)
        number = 0
        for key in sorted(self._pending, key=lambda k: (stable_id(*k), k)):
            if key in self._fixed:
                continue
            while True:
                number += 1
                candidate = f"P{number:02d}"
                if candidate not in used:
                    break
            used.add(candidate)
            self._fixed[key] = candidate
            self.reidentification.setdefault(candidate, key[1])
        self._pending.clear()

    def participant(self, source_file: str, label: str) -> str:
        return self._fixed.get((source_file, label), label)

    # -- customers -------------------------------------------------------------------------------

    def customers(self, real_ids: Iterable[str]) -> dict[str, str]:
        """`customer-` + the first 4 hex of `stable_id(real id)`; 8 where 4 would collide."""
        unique = sorted({r for r in real_ids if r})
        by_prefix: dict[str, list[str]] = defaultdict(list)
        for real in unique:
            by_prefix[stable_id(real)[:4]].append(real)
        out: dict[str, str] = {}
        for prefix, reals in by_prefix.items():
            for real in reals:
                length = 4 if len(reals) == 1 else 12
                out[real] = "customer-" + (prefix if length == 4 else stable_id(real)[:length])
                self.reidentification.setdefault(out[real], real)
        return out


def looks_like_person_name(value: str) -> bool:
    """"Dana Reyes", "dana", "J. Smith" — but not ids, emails, handles with digits, or roles."""
    value = value.strip()
    if not value or len(value) > 60 or "@" in value or any(ch.isdigit() for ch in value):
        return False
    if GENERIC_LABELS.match(value):
        return False
    words = value.replace(".", ". ").split()
    return 1 <= len(words) <= 4 and all(re.fullmatch(r"[^\W\d_][\w'’\-.]*", w) for w in words)


def names_from_label(label: str) -> list[str]:
    """Name parts inside a speaker label ("Dana (P07)" → ["Dana"]; "Sam (Interviewer)" → ["Sam"])."""
    inner = re.sub(r"\([^)]*\)", " ", label)
    inner = _ROLE_WORDS.sub(" ", inner)
    inner = " ".join(inner.split())
    return [inner] if inner and looks_like_person_name(inner) else []
