"""Who the people in the records are, as far as the output is concerned.

For interviews: which turns are the interviewer's, what each participant is called (a
pseudonym), which roster metadata joins on, and the record's id. For tabular records: the
customer's pseudonym. Along the way, every real name seen (speaker labels, header lines,
requester fields) is collected so redaction can remove it from all text.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..config import Config
from ..tables import DOCUMENT_COLUMNS, SEGMENT_COLUMNS
from .participants import Roster
from .records import Record, Turn
from .speakers import (
    GENERIC_LABELS,
    PID,
    PseudonymRegistry,
    explain_interviewers,
    find_participant_id,
    interviewer_display,
    label_patterns,
    looks_like_person_name,
    names_from_label,
    normalise_pid,
    recurring_speakers,
    unknown_voices,
)
from .values import iso_date

_EMAIL_LOCAL = re.compile(r"^([A-Za-z]{2,})[._]([A-Za-z]{2,})@")
_GENERIC_MAILBOXES = {"info", "support", "sales", "admin", "contact", "hello", "team", "orders",
                      "noreply", "no", "reply", "help", "service", "customer", "mail", "office"}
NOT_NAMES = re.compile(r"^(?:anonymous|verified (?:buyer|purchaser|customer|reviewer)|a customer|"
                        r"guest|n/?a|none|unknown|customer|shopper|user)$", re.IGNORECASE)


def names_from_customer(value: str) -> list[str]:
    """Names a customer field reveals: "Leah H." → Leah H.; "aisha.okafor@x" → Aisha Okafor."""
    value = value.strip()
    if not value or NOT_NAMES.match(value):
        return []
    if "@" in value:
        m = _EMAIL_LOCAL.match(value)
        if m and m.group(1).lower() not in _GENERIC_MAILBOXES and m.group(2).lower() not in _GENERIC_MAILBOXES:
            return [f"{m.group(1).capitalize()} {m.group(2).capitalize()}"]
        return []
    if looks_like_person_name(value):
        return [value]
    letters = sum(ch.isalpha() for ch in value)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.\-]{2,30}", value) and letters >= 3 and letters > len(value) / 2:
        return [value]  # a handle such as "HomeBird" or "mike_b" (not an id such as "C-95473")
    return []


def assign_people(records: list[Record], config: Config, rosters: dict[int, Roster],
                  registry: PseudonymRegistry, known_names: set[str]) -> None:
    """Decide interviewers, pseudonyms, roster metadata and ids for every record, in place.

    Participants are registered for every transcript first and pseudonyms handed out after,
    so the P01, P02… order depends on the whole corpus, not on the order files were read.
    """
    interviews = [r for r in records if r.is_interview]
    # The researcher speaks in every session, each participant in one: per source, the named
    # labels heard in most files.
    recurring = {
        index: recurring_speakers([[t.speaker for t in r.raw.turns or []] for r in interviews
                                   if r.raw.source_index == index])
        for index in {r.raw.source_index for r in interviews}
    }
    registered = [_register_interview(r, config, rosters.get(r.raw.source_index), registry, known_names,
                                      recurring.get(r.raw.source_index, set()))
                  for r in interviews]
    registry.assign()
    for record, (participants, pid) in zip(interviews, registered, strict=True):
        _name_interview(record, participants, pid, rosters.get(record.raw.source_index), registry, known_names)
    customers = registry.customers(r.raw.customer for r in records if not r.is_interview)
    for record in records:
        if not record.is_interview:
            record.participant = customers.get(record.raw.customer, "")
            record.passthrough.update({passthrough_name(k): v for k, v in record.raw.extra.items()})


def _register_interview(record: Record, config: Config, roster: Roster | None,
                        registry: PseudonymRegistry, known_names: set[str],
                        recurring: set[str]) -> tuple[list[str], str | None]:
    """Find the interviewer(s) and the participant id; register each participant's pseudonym."""
    raw = record.raw
    turns: list[Turn] = raw.turns or []
    patterns = label_patterns(config.sources[raw.source_index].interviewer_labels)
    interviewers, record.interviewer_reason = explain_interviewers(turns, patterns, raw.interviewer_hints, recurring)
    unknown_voices(turns, interviewers)
    record.interviewer_turns = {i for i, t in enumerate(turns) if t.speaker in interviewers}
    participants = list(dict.fromkeys(t.speaker for t in turns if t.speaker not in interviewers))

    # Every real name the transcript reveals is redacted everywhere.
    for hint in raw.interviewer_hints:
        known_names.update(names_from_label(hint))
    for key, value in raw.meta.items():
        if key in ("participant", "interviewee", "name", "customer") and looks_like_person_name(value):
            known_names.add(value)
    for label in [*interviewers, *participants]:
        if not GENERIC_LABELS.match(label):
            known_names.update(names_from_label(label))

    pid = find_participant_id(raw.meta, raw.header, Path(raw.source_file).stem)
    label_pids = [normalise_pid(lb) for lb in participants if PID.match(normalise_pid(lb))]
    if pid is None and len(label_pids) == 1:
        pid = label_pids[0]
    if roster is not None:
        only = participants[0] if len(participants) == 1 else None
        pid = roster.lookup(pid, Path(raw.source_file).name, only) or pid

    for label in participants:
        normal = normalise_pid(label)
        real = label if (looks_like_person_name(label) and not GENERIC_LABELS.match(label)) else None
        if roster is not None and not real:
            real = roster.names.get(normal if PID.match(normal) else (pid or ""))
        listed = roster.lookup(None, "", label) if roster is not None else None
        if PID.match(normal):                       # the label already is a participant id
            registry.fix(raw.source_file, label, normal.upper(), real)
        elif len(participants) == 1 and pid:        # the file names its one participant
            registry.fix(raw.source_file, label, pid, real)
        elif listed:                                # the roster knows this name
            registry.fix(raw.source_file, label, listed, real)
        else:
            registry.request(raw.source_file, label)
    if pid:
        registry.reserve(pid)
    return participants, pid


def _name_interview(record: Record, participants: list[str], pid: str | None, roster: Roster | None,
                    registry: PseudonymRegistry, known_names: set[str]) -> None:
    """Speakers, participant, roster metadata, date and id of one interview record."""
    raw = record.raw
    record.speakers = [
        interviewer_display(t.speaker) if i in record.interviewer_turns
        else registry.participant(raw.source_file, t.speaker)
        for i, t in enumerate(raw.turns or [])
    ]
    first = registry.participant(raw.source_file, participants[0]) if participants else ""
    record.participant = pid or first
    metadata = roster.metadata.get(record.participant.upper()) if roster is not None else None
    if metadata:
        if not raw.date:
            raw.date = next((v for k, v in metadata.items() if "date" in k.lower() and iso_date(v)), None)
        record.passthrough.update({passthrough_name(k): v for k, v in metadata.items()})
    # The file stem names the record when no participant id exists — unless it names a person.
    stem = Path(raw.source_file).stem
    raw.own_id = pid or (record.participant if _mentions_name(stem, known_names) else stem)


def passthrough_name(column: str) -> str:
    """A pass-through column never overwrites a canonical one ("date" → "source_date")."""
    return f"source_{column}" if column in DOCUMENT_COLUMNS or column in SEGMENT_COLUMNS else column


def _mentions_name(stem: str, names: set[str]) -> bool:
    words = {w.lower() for w in re.split(r"[\W_]+", stem) if w}
    return any(n.lower() in words for name in names for n in name.split() if len(n) >= 3)
