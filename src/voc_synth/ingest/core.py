"""`ingest()`: the files a config names → documents + segments (redacted) + a manifest.

The steps, in order, each with one job:

1. **read** every file of every source (`discover`, `readers`): records and skipped records,
   counted per file;
2. **clean** each record's text (`clean`) and collect the names it reveals (speaker labels,
   requesters, signatures, rosters) so they can be redacted everywhere;
3. **pseudonymise** participants and customers (`people`, `speakers`, `participants`);
4. **identify** records (stable `doc_id`) and set duplicates aside (`dedupe`);
5. **analyse** all text in one batched spaCy pass (`nlp`), **redact** (`redact`) and
   **segment** (`segment`), dropping filler and fragments — except that a customer's whole
   answer that is only short ("very good", "5/5", "👍") is kept as one segment flagged
   `theme_note` (`SHORT_ANSWER_NOTE`): it counts for sentiment and totals, not for themes;
6. **tabulate**: the documents and segments DataFrames (`assemble`) and the manifest (`manifest`).

Ids. `doc_id` is the record's own id (Ticket ID, review_id…), or for an interview the
participant id found in the file (`P07`) — else the file stem — and for records without an
id a `stable_id` of (file, locator). A repeat of an id inside one file gets `-2`, `-3`…; an id
already used by an earlier file gets the later file's stem in front (`export2-T-1001`).
`segment_id` is `f"{doc_id}:{n}"`, where `n` counts the record's candidate units from 1 —
including the ones dropped as filler, so dropping a "yeah" never renumbers the rest. Both
depend only on the input files and the config, never on the machine or run.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import Config, SourceConfig
from ..errors import InputError, VocSynthError
from ..progress import ProgressFactory, null_progress
from ..tables import SHORT_ANSWER_NOTE, stable_id
from .assemble import (
    fill_rating_scales,
    frames,
    interview_segments,
    is_short_answer,
    record_segments,
    redact_block,
    short_answer_segment,
)
from .clean import clean_record_text, clean_subject, normalise_text, to_plain_text
from .dedupe import DuplicateFinder, RecordView
from .discover import file_format, relative_label, source_files
from .language import looks_non_english
from .manifest import ManifestBuilder
from .nlp import Analysis, analyse_texts, auto_processes
from .participants import Roster, load_roster
from .people import NOT_NAMES, assign_people, names_from_customer
from .probe_records import is_test_entry
from .readers import open_file
from .records import FileInfo, RawRecord, Record, SkippedRecord, UnusableFile
from .redact import Redactor
from .segment import cut_block, is_null_answer, unit_for
from .speakers import GENERIC_LABELS, PseudonymRegistry
from .speech import join_interrupted_turns
from .values import iso_date, to_rating


@dataclass
class IngestResult:
    """What `ingest()` returns. `reidentification` maps pseudonyms to real labels and is never
    exported; `write_reidentification_map()` writes it for the researcher when asked."""

    documents: pd.DataFrame
    segments: pd.DataFrame
    manifest: dict[str, Any]
    reidentification: dict[str, str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        totals = self.manifest.get("totals", {})
        return (f"IngestResult({len(self.documents)} documents, {len(self.segments)} segments, "
                f"{totals.get('records_skipped', 0)} records skipped)")

    def _repr_html_(self) -> str:
        import html

        totals = self.manifest.get("totals", {})
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in totals.items())
        return f"<table><caption>voc_synth ingest</caption>{rows}</table>"


def write_reidentification_map(result: IngestResult, path: Path | str) -> Path:
    """Write the pseudonym → real label map as JSON, for the researcher's eyes only.

    Exporters never call this; `ingest()` does only when `redaction.reidentification_map` is set.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "note": "Re-identification map written by voc_synth. Contains personal data: keep it local, "
                "never share it with the report.",
        "pseudonyms": dict(sorted(result.reidentification.items())),
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def _join_parts(parts: list[str]) -> str:
    """Subject + body as one text: ". " between them unless the first already ends a sentence."""
    out = ""
    for part in parts:
        if not part:
            continue
        if not out:
            out = part
        elif out.rstrip()[-1:] in ".!?:;…":
            out = f"{out} {part}"
        else:
            out = f"{out}. {part}"
    return out


# --- the step --------------------------------------------------------------------------------------

def ingest(config: Config, *, strict: bool = False, progress: ProgressFactory | None = None) -> IngestResult:
    """Read every source of `config` into redacted documents and segments, with a manifest.

    Unreadable, binary, empty or wrongly encoded files are skipped with the reason; malformed
    rows and lines likewise, with their number. With `strict=True`, any such problem raises
    `InputError` listing them all. A mapped column that does not exist, a missing path, an
    empty folder, or no usable segments at all raise `InputError`.
    """
    started = time.perf_counter()
    factory = progress or null_progress
    if not config.sources:
        raise InputError(
            "No sources to read. List them under `sources:` in voc_synth.yaml, or pass "
            "--reviews / --tickets / --interviews / --surveys FILE on the command line."
        )
    # Imported here: the audio package imports ingest's readers.
    from ..audio.session import recording_session

    manifest = ManifestBuilder()
    with recording_session(config.audio, factory):   # recordings are transcribed as they are read
        raws = _read_all(config, manifest, factory)
    timings = {"read": time.perf_counter() - started}
    if strict and manifest.problems():  # before the slow part: the user asked to stop on bad input
        problems = manifest.problems()
        listed = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise InputError(
            "Input problems (strict mode):\n" + listed + more
            + "\nFix or remove these inputs, or run without --strict to skip them."
        )

    rosters = _load_rosters(config)
    known_names: set[str] = set()
    for roster in rosters.values():
        known_names.update(roster.known_names)
    registry = PseudonymRegistry()
    records = _clean_all(raws, config, manifest, known_names)
    assign_people(records, config, rosters, registry, known_names)
    for record in records:
        if record.is_interview:
            join_interrupted_turns(record)
            _note_interview_people(record, manifest)
    records = _identify_and_dedupe(records, manifest)
    records = _set_aside_test_entries(records, manifest)

    t0 = time.perf_counter()
    redactor = _build_redactor(config, records, known_names)
    documents, segments = _analyse_and_segment(records, config, redactor, manifest, factory)
    timings["analyse"] = time.perf_counter() - t0

    built = manifest.build()
    built["ingest_timings"] = {k: round(v, 3) for k, v in {**timings, "total": time.perf_counter() - started}.items()}
    result = IngestResult(documents, segments, built, dict(sorted(registry.reidentification.items())))

    if segments.empty:
        reasons = built["totals"]["skipped_by_reason"]
        file_reasons = Counter(f["reason"] for f in built["files"] if f["status"] == "skipped")
        detail = "; ".join(f"{k}: {v}" for k, v in {**reasons, **file_reasons}.items()) or "no records found"
        raise InputError(
            f"No usable segments in the input ({built['totals']['files']} file(s), "
            f"{built['totals']['records_in']} record(s) read; skipped — {detail}). "
            "Check the paths and the text column mapping (--text-column / sources[i].columns.text)."
        )
    if config.redaction.reidentification_map is not None:
        write_reidentification_map(result, config.resolve(config.redaction.reidentification_map))
    return result


# 1. read ----------------------------------------------------------------------------------------

def _read_all(config: Config, manifest: ManifestBuilder, factory: ProgressFactory) -> list[RawRecord]:
    raws: list[RawRecord] = []
    seen: dict[Path, int] = {}
    for index, source in enumerate(config.sources):
        paths, excluded = source_files(config, source, index)
        manifest.add_source(index, str(source.path), source.type, len(paths), excluded)
        with factory(f"Reading {source.path}", len(paths)) as task:
            for path in paths:
                rel = relative_label(path, config)
                resolved = path.resolve()
                if resolved in seen:
                    info = FileInfo(path=f"{rel} (sources[{index}])", source_index=index,
                                    fmt=file_format(path) or "", source_type=source.type or "")
                    manifest.add_file(info)
                    manifest.skip_file(info.path, "duplicate file", f"already read by sources[{seen[resolved]}]")
                else:
                    seen[resolved] = index
                    _read_file(path, rel, source, index, manifest, raws)
                task.advance(1)
    return raws


def _read_file(path: Path, rel: str, source: SourceConfig, index: int, manifest: ManifestBuilder,
               raws: list[RawRecord]) -> None:
    info = FileInfo(path=rel, source_index=index, fmt=file_format(path) or "", source_type=source.type or "")
    try:
        info, stream = open_file(path, rel, source, index, info)
    except UnusableFile as err:
        manifest.add_file(info)
        manifest.skip_file(rel, err.kind, err.reason)
        return
    except VocSynthError:
        raise
    except Exception as err:  # a file must never crash the run; say what went wrong instead
        manifest.add_file(info)
        manifest.skip_file(rel, "unreadable", f"unreadable ({type(err).__name__}: {str(err)[:160]})")
        return
    manifest.add_file(info)
    read = 0
    try:
        for item in stream:
            manifest.record_in(rel)
            read += 1
            if isinstance(item, SkippedRecord):
                manifest.skip_record(rel, item.record, item.kind, item.reason)
            else:
                raws.append(item)
    except UnusableFile as err:
        if read == 0:
            manifest.skip_file(rel, err.kind, err.reason)
        else:
            manifest.stopped_early(rel, err.reason)
    except VocSynthError:
        raise
    except Exception as err:
        reason = f"unreadable ({type(err).__name__}: {str(err)[:160]})"
        if read == 0:
            manifest.skip_file(rel, "unreadable", reason)
        else:
            manifest.stopped_early(rel, reason)


def _load_rosters(config: Config) -> dict[int, Roster]:
    rosters = {}
    for index, source in enumerate(config.sources):
        if source.participants is not None:
            path = config.resolve(source.participants)
            rosters[index] = load_roster(path, relative_label(path, config), index)
    return rosters


# 2. clean ---------------------------------------------------------------------------------------

def _clean_all(raws: list[RawRecord], config: Config, manifest: ManifestBuilder,
               known_names: set[str]) -> list[Record]:
    records = []
    for raw in raws:
        record = Record(raw)
        label = raw.own_id or raw.locator
        if raw.turns is not None:
            record.turn_texts = [normalise_text(t.text) for t in raw.turns]
            if not any(record.turn_texts):
                manifest.skip_record(raw.source_file, Path(raw.source_file).stem, "no text", "no text in any turn")
                continue
        else:
            cleaned = []
            for i, part in enumerate(raw.parts):
                if raw.source_type == "ticket" and i == 0 and len(raw.parts) > 1:
                    text = clean_subject(to_plain_text(part))
                else:
                    text, names = clean_record_text(part, raw.source_type)
                    known_names.update(names)
                cleaned.append(text)
            record.text = _join_parts(cleaned)
            if raw.customer:
                known_names.update(names_from_customer(raw.customer))
            problem = _unusable_text(record.text, cleaned, raw.source_type)
            if problem is not None:
                manifest.skip_record(raw.source_file, label, *problem)
                continue
        records.append(record)
    return records


def _unusable_text(text: str, parts: list[str], source_type: str) -> tuple[str, str] | None:
    """(kind, reason) when a cleaned record carries no usable evidence (no text, no answer,
    another language), else None.

    Decided before duplicates are looked for, so a record is never reported as the duplicate
    of one that was itself set aside.
    """
    if not text:
        if source_type == "ticket":
            return "no text", "no text left after removing greeting, signature and quoted replies"
        return "no text", "no text"
    if len(parts) > 1 and not parts[-1]:
        # Title or subject only: the heading of a message that was never written.
        return "no text", "title/subject only, no body"
    if is_null_answer(text):
        return "no text", "no answer (n/a, -, none…)"
    # A short answer ("very good", "5/5", "👍") is not set aside here: it is kept as one
    # segment for sentiment and totals (`assemble.short_answer_segment`).
    if looks_non_english(text):
        return "not English", "not in English (voc_synth's language models are English-only)"
    return None


def _note_interview_people(record: Record, manifest: ManifestBuilder) -> None:
    """The manifest says, per transcript, who was taken as the interviewer and why — by role
    label or pseudonym, never by the name in the file."""
    shown_interviewer = sorted({record.speakers[i] for i in record.interviewer_turns})
    participants = sorted({s for i, s in enumerate(record.speakers) if i not in record.interviewer_turns})
    manifest.interview_people(record.raw.source_file, shown_interviewer, participants, record.interviewer_reason)


# 4. ids and duplicates --------------------------------------------------------------------------

def _identify_and_dedupe(records: list[Record], manifest: ManifestBuilder) -> list[Record]:
    per_file: Counter[tuple[str, str]] = Counter()
    taken: set[str] = set()
    for record in records:
        raw = record.raw
        # Hash the path the way it reads on any machine (a file outside the project: its name).
        portable = Path(raw.source_file).name if Path(raw.source_file).is_absolute() else raw.source_file
        base = raw.own_id or stable_id(portable, raw.locator)
        per_file[(raw.source_file, base)] += 1
        n = per_file[(raw.source_file, base)]
        doc_id = base if n == 1 else f"{base}-{n}"
        if doc_id in taken:  # an earlier file already uses this id
            doc_id = f"{Path(raw.source_file).stem}-{doc_id}"
        candidate, k = doc_id, 1
        while candidate in taken:
            k += 1
            candidate = f"{doc_id}-{k}"
        taken.add(candidate)
        record.doc_id = candidate

    finder = DuplicateFinder()
    kept = []
    for record in records:
        found = finder.check(_dedupe_view(record))
        if found is None:
            kept.append(record)
            continue
        manifest.skip_record(record.raw.source_file, record.doc_id, "duplicate", found.label, duplicate_of=found.first)
    return kept


def _set_aside_test_entries(records: list[Record], manifest: ManifestBuilder) -> list[Record]:
    """Records that are only a staff member's test ("TEST please ignore") go to the manifest."""
    kept = []
    for record in records:
        if not record.is_interview and is_test_entry(record.text):
            manifest.skip_record(record.raw.source_file, record.doc_id, "test entry",
                                 "only test words (\"test\", \"please ignore\"): a check of the form, not a customer")
            continue
        kept.append(record)
    return kept


def _dedupe_view(record: Record) -> RecordView:
    """What `DuplicateFinder` compares: ids, who and when, and the row's every value as read."""
    raw = record.raw
    if record.is_interview:
        return RecordView(record.doc_id, raw.source_type, raw.source_file, "\n".join(record.turn_texts))
    row = (raw.own_id, *(" ".join(str(part).split()) for part in raw.parts), _cell(raw.date), _cell(raw.rating),
           raw.customer, raw.channel, raw.product, *(f"{k}={_cell(v)}" for k, v in sorted(raw.extra.items())))
    return RecordView(record.doc_id, raw.source_type, raw.source_file, record.text, own_id=raw.own_id,
                      customer=raw.customer, product=raw.product, date=_cell(raw.date), row=row)


def _cell(value: Any) -> str:
    """A read value as comparable text: None and NaN (an empty cell) are ''."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


# 5. analyse, redact, segment --------------------------------------------------------------------

def _build_redactor(config: Config, records: list[Record], known_names: set[str]) -> Redactor:
    allow = list(config.redaction.allow_terms)
    # The project name usually names the company ("Larkfield Home — customer evidence").
    allow += [w for w in re.findall(r"[^\W\d_][\w'’\-]*", config.project) if w[:1].isupper() and len(w) > 2]
    allow += sorted({r.raw.product for r in records if r.raw.product})
    allow += sorted({r.raw.channel for r in records if r.raw.channel})
    names = [n for n in known_names if n and not NOT_NAMES.match(n) and not GENERIC_LABELS.match(n)]
    return Redactor(
        names=config.redaction.names,
        addresses=config.redaction.addresses,
        patterns=config.redaction.patterns,
        known_names=names,
        allow_terms=allow,
    )


def _brand_like_names(blocks: list[str], analyses: list[Analysis], redactor: Redactor) -> list[str]:
    """Single words NER tags as PERSON only now and then: a brand, not a person ("Larkfield").

    A real name is tagged nearly every time it is written (alone or inside a full name); a
    company or product name that the small model sometimes mistakes for a person is tagged in
    a minority of its mentions.
    """
    tagged: Counter[str] = Counter()
    for text, analysis in zip(blocks, analyses, strict=True):
        for start, end in analysis.persons:
            hit = text[start:end]
            if redactor.person_ok(hit, text, start, end):
                # A full name ("George Giralt") is a person, never a brand; each of its words
                # counts as tagged, so "George" said alone elsewhere is not taken for a brand
                # because NER tagged it inside the full name rather than on its own.
                for word in hit.split():
                    tagged[word.strip(".,’'")] += 1
    tagged = Counter({word: n for word, n in tagged.items() if word[:1].isupper()})
    if not tagged:
        return []
    known = set(redactor.known_names)
    blob = "\n".join(blocks)
    brands = []
    for hit, n in tagged.items():
        if hit in known:
            continue
        # Whole-word mentions are at most the substring count (a fast C scan): when even that
        # cannot make a brand, skip the regex pass over the whole corpus.
        upper_bound = blob.count(hit)
        if upper_bound < 5 or n / upper_bound >= 0.5:
            continue
        total = len(re.findall(rf"(?<![\w]){re.escape(hit)}(?![\w])", blob))
        if total >= 5 and n / total < 0.5:
            brands.append(hit)
    return brands


def _names_said_in_interviews(records: list[Record], blocks: list[str], analyses: list[Analysis],
                              redactor: Redactor) -> set[str]:
    """Full names (two words or more) the tagger found in interview turns, and those of their
    words the study never uses in lower case.

    Once "Hiroshi Ishiguro" is recognised in one answer, "Hiroshi" alone in the next is the same
    person; the tagger rarely sees a lone first name as one, so a name is redacted everywhere
    once it is found anywhere. A word the same study also writes in lower case is an ordinary
    word the tagger swept into a name ("Moore's Law" and "law school", "Texas Instruments" and
    "instruments"): only the full name is redacted then. Kept to interviews, where people name
    each other aloud and the names are few."""
    found: set[str] = set()
    lower: set[str] = set()
    for record in records:
        if not record.is_interview:
            continue
        for b in record.blocks:
            text = blocks[b]
            lower.update(re.findall(r"(?<![\w'-])[a-z][a-z'-]+", text))
            for start, end in analyses[b].persons:
                name = " ".join(text[start:end].split())
                if len(name.split()) >= 2 and redactor.person_ok(name, text, start, end):
                    found.add(name)
    parts = {part.strip(".,'") for name in found for part in name.split()}
    return found | {part for part in parts if part.isalpha() and part.lower() not in lower}


def _analyse_and_segment(records: list[Record], config: Config, redactor: Redactor,
                         manifest: ManifestBuilder, factory: ProgressFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    enabled = config.redaction.enabled
    names = enabled and config.redaction.names
    blocks: list[str] = []
    for record in records:
        texts = record.turn_texts if record.is_interview else [record.text]
        record.blocks = list(range(len(blocks), len(blocks) + len(texts)))
        blocks.extend(texts)
    # Pass-through values are written too, so they are redacted with the same rules.
    passthrough_values = sorted({v for r in records for v in r.passthrough.values()
                                 if isinstance(v, str) and any(ch.isalpha() or ch.isdigit() for ch in v)})
    value_offset = len(blocks)
    blocks.extend(passthrough_values)

    from ..models import load_spacy

    nlp = load_spacy()
    processes = auto_processes(len(set(blocks)), config.segmentation.nlp_processes)
    analyses = analyse_texts(blocks, nlp, names=names, progress=factory, description="Redacting and segmenting",
                             n_process=processes, sentences=config.segmentation.sentences)
    if names:
        redactor.allow_more(_brand_like_names(blocks, analyses, redactor))
        redactor.add_known_names(_names_said_in_interviews(records, blocks, analyses, redactor), with_parts=False)
    redacted_values = {
        value: (redact_block(value, analyses[value_offset + i], redactor, enabled).text)
        for i, value in enumerate(passthrough_values)
    }

    seg_cfg = config.segmentation
    doc_rows: list[dict[str, Any]] = []
    seg_rows: list[dict[str, Any]] = []
    ratings_by_file: dict[str, list[float]] = {}
    for record in records:
        raw = record.raw
        source = config.sources[raw.source_index]
        unit = unit_for(raw.source_type, source.unit, seg_cfg)
        redacted = [redact_block(blocks[b], analyses[b], redactor, enabled) for b in record.blocks]
        passthrough = {k: redacted_values.get(v, v) if isinstance(v, str) else v
                       for k, v in record.passthrough.items()}
        rating = to_rating(raw.rating)
        common = {
            "doc_id": record.doc_id, "source_type": raw.source_type, "source_file": raw.source_file,
            "participant": record.participant, "date": iso_date(raw.date), "rating": rating,
            "channel": raw.channel or source.channel or "", "product": raw.product,
        }
        set_aside: list[tuple[str, str]] = []
        if record.is_interview:
            doc_text, seg_list, drops = interview_segments(record, redacted, unit, seg_cfg, set_aside)
            manifest.interviewer_turns += len(record.interviewer_turns)
        else:
            doc_text = redacted[0].text
            units = cut_block(doc_text, redacted[0].sentences, unit, seg_cfg)
            seg_list, drops = record_segments(record, units, doc_text, set_aside)
            if not seg_list and is_short_answer(drops):
                # The customer's whole answer is kept, as one segment that counts for sentiment
                # and totals but not for themes; its units were not dropped, so drops reset.
                seg_list, drops = [short_answer_segment(record, doc_text)], Counter()
                manifest.not_themed(raw.source_file, seg_list[0]["segment_id"], raw.locator, SHORT_ANSWER_NOTE)
        for reason, n in drops.items():
            manifest.drop_segment(raw.source_file, reason, n)
        for segment_id, locator in set_aside:
            manifest.set_aside(raw.source_file, segment_id, locator, "not English")
        if not seg_list:
            kind, why = _why_no_segments(drops, seg_cfg.min_words)
            manifest.skip_record(raw.source_file, record.doc_id, kind, why)
            continue
        manifest.ingested(raw.source_file, len(seg_list))
        ratings_by_file.setdefault(raw.source_file, []).append(rating)
        doc_rows.append({**common, "locator": raw.locator, "rating_scale": raw.rating_scale,
                         "text": doc_text, "n_segments": len(seg_list), **passthrough})
        for seg in seg_list:
            seg_rows.append({**common, **seg, **passthrough})

    fill_rating_scales(doc_rows, config, ratings_by_file)
    return frames(doc_rows, seg_rows)




def _why_no_segments(drops: Counter[str], min_words: int) -> tuple[str, str]:
    """(kind, reason) for a record none of whose units was kept: the most common drop reason."""
    reasons = {
        "filler": "only filler (e.g. 'yeah', 'ok thanks')",
        "too short": f"too short (fewer than {min_words} words in every unit)",
        "small talk": "only small talk or call logistics (e.g. 'can you hear me?', 'thanks, bye')",
        "not English": "not in English (voc_synth's language models are English-only)",
    }
    kind = max(sorted(drops), key=lambda k: drops[k]) if drops else "too short"
    return kind, reasons.get(kind, kind)
