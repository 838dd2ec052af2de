"""Zero-config runs: look at a folder that has no voc_synth.yaml and decide its sources.

`discover_sources(folder)` walks the folder and decides, file by file, what each holds and why:

- **transcripts** (.vtt .srt always; .txt .md .docx .odt unless the path names another kind) are
  interviews, grouped per folder into one source by extension;
- **tables** (CSV, TSV, JSON, JSONL, XLSX) are read far enough to see their columns: the text
  column(s), id, date, rating, customer and channel come from known export signatures or
  conventional names (`voc_synth.ingest.columns`), else from the cells themselves (the one
  column of free text); the source type from the export signature, the file's path
  ("tickets/…", "nps_export.csv"), or telling columns (priority/assignee → ticket,
  NPS/question → survey, stars/rating → review);
- files voc_synth cannot read are kept in one last source, so the manifest lists every file.

Unreadable tables (empty, binary renamed .csv) are not guessed about: ingest skips them with
the reason. What cannot be decided without guessing — a table whose kind nothing tells, or
with two equally plausible text columns — is an `Ambiguity`; callers stop and print
`AutoConfig.explain()` with the exact YAML to write. `AutoConfig.to_yaml()` writes the decision
as an editable voc_synth.yaml with each reason as a comment.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..audio.settings import AUDIO_FORMATS
from ..config import CONFIG_FILENAME, ColumnMap, Config, SourceConfig
from ..errors import ConfigError
from .columns import GENERIC, norm_header, resolve_columns, type_from_path
from .discover import _QUIET_EXCLUDES, _matches, file_format
from .encoding import detect_encoding
from .records import UnusableFile
from .tabular import TABULAR_FORMATS, cell_text, read_table
from .transcripts import TRANSCRIPT_FORMATS

#: Rows read from each table to judge its columns.
SAMPLE_ROWS = 200
#: A free-text column averages at least this many words per filled cell.
MIN_TEXT_WORDS = 4.0
#: The best free-text column must have this many times the words of the next one.
CLEAR_MARGIN = 1.5

# Column names (normalised) that say what kind of export a table is.
_TYPE_COLUMNS = (
    ("ticket", ("priority", "assignee", "agent", "ticketid", "ticket", "subject", "status", "requester",
                "casenumber", "caseid", "conversationid", "resolution")),
    ("survey", ("nps", "npsscore", "csat", "question", "respondent", "respondentid", "responseid",
                "surveyid", "likelihoodtorecommend")),
    ("review", ("stars", "starrating", "reviewid", "reviewtitle", "reviewtext", "reviewer", "rating",
                "helpful", "verifiedpurchase")),
)


_PARTICIPANT_COLUMNS = {"participant", "participantid", "pid", "speaker", "interviewee"}


class AmbiguousFolder(ConfigError):
    """The folder cannot be configured without guessing; the message says what to decide."""


@dataclass
class Decision:
    """What one file (or folder of transcripts) became, and why."""

    path: str  # relative to the folder, POSIX
    kind: str  # interview | ticket | review | survey | unreadable | unsupported
    reasons: list[str] = field(default_factory=list)
    columns: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ambiguity:
    path: str
    question: str
    options: list[str]
    yaml_hint: str
    field: str = ""  # "type" or "text": the key left as a CHOOSE placeholder in the YAML


@dataclass
class AutoConfig:
    """The discovered sources of `folder`, each decision's reasons, and what is ambiguous."""

    folder: Path
    sources: list[SourceConfig]
    decisions: list[Decision]
    ambiguities: list[Ambiguity]
    notes: list[str] = field(default_factory=list)  # why, for each source (a comment in the YAML)

    @property
    def ambiguous(self) -> bool:
        return bool(self.ambiguities)

    def config(self) -> Config:
        """A validated `Config` reading the folder (raises `AmbiguousFolder` when ambiguous)."""
        if self.ambiguities:
            raise AmbiguousFolder(self.explain())
        if not self.sources:
            raise ConfigError(f"{self.folder} holds no files voc_synth can read "
                              "(.txt .md .vtt .srt .docx .odt .csv .tsv .json .jsonl .xlsx).")
        return Config(project=self.folder.name or "voc_synth project", sources=list(self.sources),
                      base_dir=self.folder.resolve())

    def explain(self) -> str:
        """What was decided and why, one line per file; then each ambiguity and how to settle it."""
        lines = [f"No {CONFIG_FILENAME} in {self.folder}; sources found by looking at the files:"]
        for d in self.decisions:
            cols = ", ".join(f"{k}={v}" for k, v in d.columns.items() if v)
            lines.append(f"  {d.path}: {d.kind}" + (f" [{cols}]" if cols else "")
                         + (f" — {'; '.join(d.reasons)}" if d.reasons else ""))
        if self.ambiguities:
            lines.append("")
            lines.append(f"Stopped: {len(self.ambiguities)} thing(s) cannot be decided without guessing.")
            for a in self.ambiguities:
                lines.append(f"  {a.path}: {a.question} ({' / '.join(a.options)})")
                lines.append("    settle it in voc_synth.yaml, e.g.:")
                lines.extend("      " + line for line in a.yaml_hint.splitlines())
            lines.append(f"Run `voc-synth init {self.folder}` to write {CONFIG_FILENAME} with everything "
                         "else filled in, fix the entries above, and run again.")
        return "\n".join(lines)

    def to_yaml(self, relative_to: Path | None = None) -> str:
        """The decision as voc_synth.yaml text. Source paths are written relative to
        `relative_to` (the folder the file is saved in; default: the discovered folder)."""
        where = (relative_to or self.folder).resolve()
        notes = self.notes + [""] * (len(self.sources) - len(self.notes))
        out = [
            f"# Written by voc_synth from the files in {self.folder.resolve().as_posix()}.",
            "# Each source says what was decided and why; edit anything that is wrong and run again:",
            f"#   voc-synth run --config {CONFIG_FILENAME}",
            f"project: {json.dumps(self.folder.name or 'voc_synth project', ensure_ascii=False)}",
            "sources:",
        ]
        choose = {(a.path, a.field): a for a in self.ambiguities}
        for source, note, entry in zip(self.sources, notes, _source_dicts(self.sources, self.folder.resolve(), where),
                                       strict=True):
            rel = source.path.as_posix()
            for key in ("type", "text"):
                if (rel, key) in choose:
                    placeholder = "CHOOSE: " + " | ".join(choose[(rel, key)].options)
                    if key == "type":
                        entry["type"] = placeholder
                    else:
                        entry.setdefault("columns", {})["text"] = [placeholder]
            if note:
                out.append(f"  # {note}")
            for i, line in enumerate(yaml.safe_dump(entry, sort_keys=False, allow_unicode=True).splitlines()):
                out.append(("  - " if i == 0 else "    ") + line)
        if self.ambiguities:
            out.append("# Not decided (fill in before running):")
            for a in self.ambiguities:
                out.append(f"#   {a.path}: {a.question} ({' / '.join(a.options)})")
        return "\n".join(out) + "\n"


def _source_dicts(sources: list[SourceConfig], folder: Path, where: Path) -> list[dict[str, Any]]:
    dicts = []
    for s in sources:
        entry = s.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        entry["path"] = Path(os.path.relpath((folder / s.path).resolve(), where)).as_posix()
        if s.participants is not None:
            entry["participants"] = Path(os.path.relpath((folder / s.participants).resolve(), where)).as_posix()
        dicts.append({"path": entry.pop("path"), **entry})
    return dicts


def _words(value: str) -> int:
    return len(re.findall(r"[^\W\d_]{2,}", value))


def _profile(rows: list[dict[str, Any]], headers: list[str]) -> dict[str, float]:
    """Mean words per filled cell of each column in the sample."""
    stats: dict[str, float] = {}
    for h in headers:
        values = [cell_text(r.get(h)).strip() for r in rows]
        filled = [v for v in values if v]
        stats[h] = sum(_words(v) for v in filled) / len(filled) if filled else 0.0
    return stats


def _type_from_columns(headers: list[str]) -> tuple[str | None, str]:
    present = {norm_header(h): h for h in headers}
    for source_type, names in _TYPE_COLUMNS:
        hits = [present[n] for n in names if n in present]
        if hits:
            return source_type, f"its column{'s' if len(hits) > 1 else ''} {', '.join(repr(h) for h in hits[:3])} say {source_type}"
    return None, ""


def _sample(path: Path, fmt: str) -> tuple[list[str], list[dict[str, Any]]]:
    encoding = "" if fmt == "xlsx" else detect_encoding(path)
    table = read_table(path, fmt, encoding)
    try:
        rows = [row for _, row in itertools.islice(table.rows, SAMPLE_ROWS * 2) if isinstance(row, dict)]
    finally:
        table.close()
    return table.headers, rows[:SAMPLE_ROWS]


def _decide_table(path: Path, rel: str, fmt: str) -> tuple[SourceConfig | None, Decision, list[Ambiguity]]:
    try:
        headers, rows = _sample(path, fmt)
    except UnusableFile as err:
        # Ingest will skip it with this reason; nothing to decide.
        return (SourceConfig(path=Path(rel)), Decision(rel, "unreadable", [f"{err} (listed in the manifest)"]), [])
    except Exception as err:  # noqa: BLE001 - a hostile file must not stop discovery
        return (SourceConfig(path=Path(rel)), Decision(rel, "unreadable", [f"cannot be read: {err}"]), [])
    reasons: list[str] = []
    ambiguities: list[Ambiguity] = []
    resolved = resolve_columns(headers, None, file_label=rel, source_index=0)
    profile = _profile(rows, headers)
    text: list[str] = []
    rivals: list[str] = []
    if resolved is not None and resolved.detected_by == "column names" and resolved.text:
        # A conventional name ("notes") is no reason to prefer it over another column as wordy.
        own = max(profile.get(t, 0.0) for t in resolved.text)
        rivals = [h for h, w in profile.items()
                  if h not in resolved.text and w >= MIN_TEXT_WORDS and w * CLEAR_MARGIN >= own]
    if rivals and resolved is not None:
        names = [*resolved.text, *rivals][:4]
        ambiguities.append(Ambiguity(
            rel, "which column holds the customer's words", names,
            f"- path: {rel}\n  columns:\n    text: [{names[0]!r}]   # or several, joined: [{names[0]!r}, {names[1]!r}]",
            "text"))
    elif resolved is not None and any(profile.get(t, 0) > 0 for t in resolved.text):
        text = resolved.text
        how = resolved.detected_by.replace("signature:", "the headers of a known export: ")
        reasons.append(f"text from {', '.join(repr(t) for t in text)} ({how})")
    else:
        mapped = set()
        if resolved is not None:
            mapped = {getattr(resolved, k) for k in ("id", "date", "rating", "customer", "channel", "product")}
        candidates = sorted(((w, h) for h, w in profile.items() if w >= MIN_TEXT_WORDS and h not in mapped),
                            reverse=True)
        if len(candidates) == 1 or (len(candidates) > 1 and candidates[0][0] >= CLEAR_MARGIN * candidates[1][0]):
            text = [candidates[0][1]]
            reasons.append(f"text from {text[0]!r} (the column of free text: {candidates[0][0]:.0f} words a cell)")
        elif len(candidates) > 1:
            names = [h for _, h in candidates[:4]]
            ambiguities.append(Ambiguity(
                rel, "which column holds the customer's words", names,
                f"- path: {rel}\n  columns:\n    text: [{names[0]!r}]   # or several, joined: [{names[0]!r}, {names[1]!r}]",
                "text"))
    if not text and not ambiguities:
        if any(norm_header(h) in _PARTICIPANT_COLUMNS for h in headers):
            return None, Decision(rel, "participants", ["a table of participants, no free text"]), []
        # No free text at all: ingest skips the file and says which column to map.
        return (SourceConfig(path=Path(rel)),
                Decision(rel, "unreadable", ["no column of free text (listed in the manifest)"]), [])

    by_norm = {norm_header(h): h for h in headers}
    columns = ColumnMap(text=text, keep=list(resolved.keep) if resolved is not None and text == resolved.text else [])
    for key in ("id", "date", "rating", "customer", "channel"):
        value = getattr(resolved, key) if resolved is not None else None
        if value is None and key in GENERIC:
            value = next((by_norm[c] for c in GENERIC[key] if c in by_norm), None)
        if value is not None and value not in text:
            setattr(columns, key, value)

    source_type: str | None = None
    if resolved is not None and resolved.source_type:
        source_type = resolved.source_type
        reasons.append(f"{source_type}: {resolved.detected_by.replace('signature:', 'a known ')} export")
    if source_type is None:
        hinted = type_from_path(rel)
        if hinted and hinted != "interview":
            source_type = hinted
            reasons.append(f"{hinted}: the path {rel!r} says so")
    if source_type is None:
        source_type, why = _type_from_columns(headers)
        if source_type:
            reasons.append(f"{source_type}: {why}")
    if source_type is None:
        ambiguities.append(Ambiguity(
            rel, "what kind of feedback this is (nothing in its name or columns says)",
            ["review", "ticket", "survey"], f"- path: {rel}\n  type: review   # or ticket, survey", "type"))
    source = SourceConfig(path=Path(rel), type=source_type, columns=columns)  # type: ignore[arg-type]
    shown = {k: v for k, v in columns.model_dump(exclude_defaults=True).items() if k != "keep"}
    return source, Decision(rel, source_type or "?", reasons, shown), ambiguities


def discover_sources(folder: Path | str) -> AutoConfig:
    """Decide the sources of a folder that has no voc_synth.yaml (see the module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a folder.")
    root = folder.resolve()
    files = []
    for path in sorted(root.rglob("*"), key=lambda p: p.as_posix()):
        if not path.is_file() or path.name == CONFIG_FILENAME:
            continue
        rel = path.relative_to(root).as_posix()
        if any(_matches(part, list(_QUIET_EXCLUDES)) for part in rel.split("/")):
            continue
        files.append((path, rel))

    sources: list[SourceConfig] = []
    notes: list[str] = []
    decisions: list[Decision] = []
    ambiguities: list[Ambiguity] = []
    transcripts: dict[tuple[str, str], list[str]] = {}  # (folder, type) → extensions
    unsupported: list[str] = []
    unreadable: list[str] = []
    for path, rel in files:
        fmt = file_format(path)
        if fmt is None:
            unsupported.append(rel)
            continue
        if fmt in TABULAR_FORMATS:
            source, decision, found = _decide_table(path, rel, fmt)
            decisions.append(decision)
            ambiguities.extend(found)
            if decision.kind == "unreadable":
                unreadable.append(rel)
            elif source is not None:
                sources.append(source)
                notes.append(f"{rel}: {'; '.join(decision.reasons)}")
            continue
        if fmt in TRANSCRIPT_FORMATS or fmt in ("txt", "md") or fmt in AUDIO_FORMATS.values():
            # A cue file or a recording is an interview; a text file may be notes of another kind.
            hinted = type_from_path(rel) if fmt not in ("vtt", "srt", *AUDIO_FORMATS.values()) else None
            kind = hinted or "interview"
            parent = rel.rsplit("/", 1)[0] if "/" in rel else "."
            transcripts.setdefault((parent, kind), [])
            ext = f"*{path.suffix}"
            if ext not in transcripts[(parent, kind)]:
                transcripts[(parent, kind)].append(ext)

    subfolders = {rel.rsplit("/", 1)[0] for _, rel in files if "/" in rel}
    for (parent, kind), exts in sorted(transcripts.items()):
        nested = any(s != parent and (parent == "." or s.startswith(parent + "/")) for s in subfolders)
        why = ("transcript formats (" + ", ".join(e[1:] for e in exts) + ")" if kind == "interview"
               else f"the path {parent!r} says {kind}")
        people = [d.path for d in decisions if d.kind == "participants"
                  and (d.path.rsplit("/", 1)[0] if "/" in d.path else ".") == parent]
        if people:
            why += f"; participants' details from {people[0]}"
        sources.append(SourceConfig(path=Path(parent), type=kind, include=exts,  # type: ignore[arg-type]
                                    exclude=["*/*"] if nested else [],
                                    participants=Path(people[0]) if people and kind == "interview" else None))
        notes.append(f"{parent}: {kind}, {why}")
        decisions.append(Decision(parent, kind, [why]))
    attached = {s.participants.as_posix() for s in sources if s.participants is not None}
    unreadable += [d.path for d in decisions if d.kind == "participants" and d.path not in attached]
    leftovers = unsupported + unreadable
    if leftovers:
        # Not evidence, but every file belongs in the manifest with the reason it was skipped.
        sources.append(SourceConfig(path=Path("."), include=leftovers))
        notes.append("files that are not evidence or cannot be read: listed so the manifest says why each is skipped")
        for rel in unsupported:
            decisions.append(Decision(rel, "unsupported", ["not a format voc_synth reads (listed in the manifest)"]))
    return AutoConfig(folder, sources, decisions, ambiguities, notes)


def write_config_file(auto: AutoConfig, target: Path, *, force: bool = False) -> Path:
    """Write `auto` as voc_synth.yaml at `target` (a folder or a file path); refuses to replace
    an existing file unless `force`."""
    target = Path(target)
    if target.is_dir() or not target.suffix:
        target = target / CONFIG_FILENAME
    if target.exists() and not force:
        raise ConfigError(f"{target} already exists; pass --force to replace it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(auto.to_yaml(relative_to=target.parent), encoding="utf-8")
    return target
