"""From redacted text blocks to rows: segments of a record, the interview document, tables.

Offsets: a segment's `char_start`/`char_end` point into its document's `text` — for an
interview, the transcript rebuilt as "Speaker: turn" paragraphs with pseudonyms.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..config import Config
from ..tables import DOCUMENT_COLUMNS, SEGMENT_COLUMNS, SHORT_ANSWER_NOTE
from .language import looks_non_english
from .nlp import Analysis
from .records import Record, Turn
from .redact import Redactor
from .segment import Unit, cut_block, drop_reason
from .speakers import asks
from .speech import clean_verbatim, is_small_talk, question_context, too_little_said
from .tabular import cell_text
from .transcripts import PROTOCOL
from .values import infer_scale


@dataclass
class Redacted:
    text: str
    sentences: list[tuple[int, int]]


def redact_block(text: str, analysis: Analysis, redactor: Redactor, enabled: bool) -> Redacted:
    if not enabled:
        return Redacted(text, analysis.sentences)
    spans = redactor.find(text, analysis.persons)
    redacted, offsets = redactor.apply(text, spans)
    sentences = [(offsets(s), offsets(e, is_end=True)) for s, e in analysis.sentences]
    return Redacted(redacted, [(s, e) for s, e in sentences if e > s])


def locator_for_turn(turn: Turn, unit: str) -> str:
    if turn.timestamp:
        return turn.timestamp
    word = {"lines": "line", "paragraphs": "paragraph", "cues": "cue"}.get(unit, "line")
    return f"{word} {turn.first}" if turn.first == turn.last else f"{word}s {turn.first}-{turn.last}"


NOT_ENGLISH = "not English"
SMALL_TALK = "small talk"


def unit_drop_reason(text: str, drop: str | None, *, speech: bool) -> str | None:
    """Why a candidate unit is left out of the analysis, or None to keep it.

    On top of `segment.drop_reason` (filler, too short, decided on the unit as cut): small talk
    and logistics in speech, and a unit in another language — decided per unit, because one
    interview or review can switch language part-way.
    """
    if drop:
        return drop
    if speech and too_little_said(text):
        return "filler"
    if speech and is_small_talk(text):
        return SMALL_TALK
    if looks_non_english(text):
        return NOT_ENGLISH
    return None


def record_segments(record: Record, units: list[Unit], text: str,
                    set_aside: list[tuple[str, str]] | None = None) -> tuple[list[dict[str, Any]], Counter[str]]:
    drops: Counter[str] = Counter()
    out = []
    speaker = record.participant or "customer"
    for n, unit in enumerate(units, start=1):
        reason = unit_drop_reason(text[unit.start:unit.end], unit.drop, speech=False)
        if reason:
            drops[reason] += 1
            if reason == NOT_ENGLISH and set_aside is not None:
                set_aside.append((f"{record.doc_id}:{n}", record.raw.locator))
            continue
        out.append({
            "segment_id": f"{record.doc_id}:{n}", "locator": record.raw.locator, "speaker": speaker,
            "turn": None, "question": "", "text": text[unit.start:unit.end],
            "char_start": unit.start, "char_end": unit.end,
        })
    return out, drops


# Drop reasons that only say a unit is short. A record whose every unit went for one of them
# is a short answer; one set aside as another language is not.
SHORT_DROPS = frozenset({"filler", "too short"})


def is_short_answer(drops: Counter[str]) -> bool:
    """Whether a record none of whose units was kept is a short answer: every unit was only
    short (filler, too few words) — not another language, not empty."""
    return bool(drops) and set(drops) <= SHORT_DROPS


def short_answer_segment(record: Record, text: str) -> dict[str, Any]:
    """A record's whole text as one segment, flagged to stay out of theme clustering.

    "Very good", "5/5" or "👍" in answer to a survey question or a rating prompt is a
    customer's verdict: it carries sentiment and counts in the source's totals, though it says
    too little to tell what it is about. Interview small talk never comes here (only tabular
    records do).
    """
    return {
        "segment_id": f"{record.doc_id}:1", "locator": record.raw.locator,
        "speaker": record.participant or "customer", "turn": None, "question": "", "text": text,
        "char_start": 0, "char_end": len(text), "theme_note": SHORT_ANSWER_NOTE,
    }


def interview_segments(record: Record, redacted: list[Redacted], unit: str, seg_cfg: Any,
                        set_aside: list[tuple[str, str]] | None = None,
                        ) -> tuple[str, list[dict[str, Any]], Counter[str]]:
    """The document text ("Speaker: turn" paragraphs) and the segments of one interview.

    Only participants' turns are cut into segments; an interviewer turn that asks something is
    kept as the `question` the following answers respond to. Segment `text` is clean verbatim
    (`speech.clean_verbatim`) of the exact span `char_start:char_end` of the document text.
    Units not in English are appended to `set_aside` as (segment_id, locator).
    """
    raw = record.raw
    turns = raw.turns or []
    drops: Counter[str] = Counter()
    out: list[dict[str, Any]] = []
    pieces: list[str] = []
    position = 0
    question = ""
    n = 0
    file_unit = raw.unit
    for i, (turn, block) in enumerate(zip(turns, redacted, strict=True)):
        prefix = f"{record.speakers[i]}: "
        start = position + len(prefix)
        pieces.append(prefix + block.text)
        position = start + len(block.text) + 2  # "\n\n" between turns
        if i in record.interviewer_turns:
            # "Right." or "Thanks, that's helpful" is not what the next answer answers.
            # A think-aloud protocol's task prompt is what the next answers respond to, asked or not.
            if asks(block.text) or turn.speaker == PROTOCOL or (not question and drop_reason(block.text, 1) is None):
                question = question_context(block.text, block.sentences, asks)
            continue
        for piece in cut_block(block.text, block.sentences, unit, seg_cfg):
            n += 1
            text = clean_verbatim(block.text[piece.start:piece.end])
            # Judged on what is kept: "um, uh, yeah" is filler once its fillers are gone.
            reason = unit_drop_reason(text, drop_reason(text, seg_cfg.min_words), speech=True)
            if reason:
                drops[reason] += 1
                if reason == NOT_ENGLISH and set_aside is not None:
                    set_aside.append((f"{record.doc_id}:{n}", locator_for_turn(turn, file_unit)))
                continue
            out.append({
                "segment_id": f"{record.doc_id}:{n}", "locator": locator_for_turn(turn, file_unit),
                "speaker": record.speakers[i], "turn": i + 1, "question": question,
                "text": text,
                "char_start": start + piece.start, "char_end": start + piece.end,
            })
    return "\n\n".join(pieces), out, drops


def fill_rating_scales(doc_rows: list[dict[str, Any]], config: Config, ratings_by_file: dict[str, list[float]]) -> None:
    inferred = {f: infer_scale(r) for f, r in ratings_by_file.items()}
    for row in doc_rows:
        configured = config.rating_scales.get(row["source_type"])  # type: ignore[call-overload]
        if math.isnan(row["rating"]):
            row["rating_scale"] = ""
        elif configured:
            row["rating_scale"] = f"{configured[0]:g}-{configured[1]:g}"
        elif not row["rating_scale"]:
            row["rating_scale"] = inferred.get(row["source_file"], "")


def frames(doc_rows: list[dict[str, Any]], seg_rows: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    def extra_columns(rows: list[dict[str, Any]], canonical: list[str]) -> list[str]:
        seen: dict[str, None] = {}
        for row in rows:
            for key in row:
                if key not in canonical:
                    seen.setdefault(key, None)
        return list(seen)

    doc_extra = extra_columns(doc_rows, DOCUMENT_COLUMNS)
    seg_extra = extra_columns(seg_rows, SEGMENT_COLUMNS)
    documents = pd.DataFrame(doc_rows, columns=DOCUMENT_COLUMNS + doc_extra)
    segments = pd.DataFrame(seg_rows, columns=SEGMENT_COLUMNS + seg_extra)
    for frame, extra in ((documents, doc_extra), (segments, seg_extra)):
        for col in extra:
            frame[col] = frame[col].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else cell_text(v))
        frame["rating"] = pd.to_numeric(frame["rating"], errors="coerce").astype("float64")
    segments["theme_note"] = [v if isinstance(v, str) else "" for v in segments["theme_note"]]
    documents["n_segments"] = documents["n_segments"].astype("int64")
    segments["turn"] = pd.array(segments["turn"].tolist(), dtype="Int64")
    segments["char_start"] = segments["char_start"].astype("int64")
    segments["char_end"] = segments["char_end"].astype("int64")
    return documents, segments
