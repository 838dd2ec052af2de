"""`review.yaml`: the researchers' decisions about a run's themes, and its sidecar state.

The file is written from a template, so its explanatory comments (what each field means, the
quotes behind each segment_id) are there every time voc_synth writes it; it is read with
`yaml.safe_load` and validated field by field, every problem reported at once.

`review.state.json` (next to the file) remembers, for each reviewed theme, what it was made of —
segment_ids and embedding centroid — so a re-run can find the theme again after its number
changed (see `matching.py`), plus the label and insight voc_synth wrote, so a researcher's rewrite
can be told apart from generated text.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from jinja2 import Environment, StrictUndefined

from ..errors import InputError

REVIEW_FILE = "review.yaml"
FORMAT_VERSION = 1
STATUSES = ("draft", "validated", "rejected")
SEVERITIES = ("trivial", "workaround", "blocker")
THEME_KEYS = ("id", "label", "status", "stage", "merge_into", "insight", "opportunity", "severity", "owner",
              "notes", "starred", "hidden", "split")
SPLIT_KEYS = ("label", "segment_ids", "keywords", "status", "stage", "insight", "severity", "owner")
TOP_KEYS = ("version", "validated_by", "validated_on", "themes")


@dataclass
class SplitDecision:
    """Part of a theme to split off as a theme of its own (by segment_ids and/or keywords)."""

    label: str
    segment_ids: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    status: str = "draft"
    stage: str | None = None
    insight: str = ""
    severity: str | None = None
    owner: str = ""


@dataclass
class ThemeDecision:
    """Everything a researcher decided about one theme."""

    id: int
    label: str = ""
    status: str = "draft"
    stage: str | None = None
    merge_into: int | None = None
    insight: str = ""
    opportunity: str = ""  # empty: the generated "How might we…" stands
    severity: str | None = None
    owner: str = ""
    notes: str = ""
    starred: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    split: list[SplitDecision] = field(default_factory=list)


@dataclass
class ThemeContext:
    """What the file shows as comments beside a decision (never read back)."""

    theme_id: int | None = None
    generated_label: str = ""
    summary: str = ""  # "pain point · stage delivery · 12 segments, 8 records · evidence strong"
    stage: str = ""
    quotes: list[tuple[str, str, str]] = field(default_factory=list)  # (segment_id, text, source)
    orphan_reason: str = ""
    quote_text: dict[str, str] = field(default_factory=dict)  # segment_id -> text, for comments
    opportunity: str = ""  # the generated "How might we…", shown beside an empty `opportunity:`


@dataclass
class Review:
    """The contents of a review.yaml."""

    themes: list[ThemeDecision] = field(default_factory=list)
    validated_by: str = ""
    validated_on: str = ""
    path: Path | None = None
    # For writing only: the run it was written for, and comments per theme id.
    run: dict[str, Any] = field(default_factory=dict)
    stage_ids: list[str] = field(default_factory=list)
    context: dict[int, ThemeContext] = field(default_factory=dict)

    def get(self, theme_id: int) -> ThemeDecision | None:
        for decision in self.themes:
            if decision.id == theme_id:
                return decision
        return None

    @property
    def ids(self) -> list[int]:
        return [d.id for d in self.themes]

    def next_free_id(self, wanted: int | None = None) -> int:
        used = set(self.ids)
        if wanted is not None and wanted not in used and wanted >= 0:
            return wanted
        return max(used, default=-1) + 1


# -- reading and validating --------------------------------------------------------------------
def _as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _as_str_list(value: Any, where: str, problems: list[str]) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (str, int)):
        value = [value]
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list, got {type(value).__name__}")
        return []
    out = []
    for item in value:
        if isinstance(item, (dict, list)) or item is None:
            problems.append(f"{where}: expected plain values, got {item!r}")
            continue
        text = _as_str(item)
        if text:
            out.append(text)
    return out


def _as_int(value: Any, where: str, problems: list[str], *, optional: bool) -> int | None:
    if value is None or value == "":
        if not optional:
            problems.append(f"{where}: missing")
        return None
    if isinstance(value, bool):
        problems.append(f"{where}: expected a theme id (a whole number), got {value!r}")
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        problems.append(f"{where}: expected a theme id (a whole number), got {value!r}")
        return None
    return number


def _choice(value: Any, allowed: tuple[str, ...], where: str, problems: list[str], default: str | None) -> str | None:
    if value is None or _as_str(value) == "":
        return default
    text = _as_str(value).lower().replace("-", "").replace(" ", "")
    for option in allowed:
        if text == option.replace("-", ""):
            return option
    problems.append(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return default


def _check_keys(data: dict[str, Any], allowed: tuple[str, ...], where: str, problems: list[str]) -> None:
    for key in data:
        if key not in allowed:
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(allowed)})")


def _parse_split(item: Any, where: str, problems: list[str]) -> SplitDecision | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: each split is a mapping with label and segment_ids and/or keywords")
        return None
    _check_keys(item, SPLIT_KEYS, where, problems)
    label = _as_str(item.get("label"))
    if not label:
        problems.append(f"{where}: a split needs a label (the new theme's name)")
    split = SplitDecision(
        label=label,
        segment_ids=_as_str_list(item.get("segment_ids"), f"{where}.segment_ids", problems),
        keywords=_as_str_list(item.get("keywords"), f"{where}.keywords", problems),
        status=_choice(item.get("status"), STATUSES, f"{where}.status", problems, "draft") or "draft",
        stage=_as_str(item.get("stage")) or None,
        insight=_as_str(item.get("insight")),
        severity=_choice(item.get("severity"), SEVERITIES, f"{where}.severity", problems, None),
        owner=_as_str(item.get("owner")),
    )
    if not split.segment_ids and not split.keywords:
        problems.append(f"{where}: a split needs segment_ids or keywords saying which segments move")
    return split


def review_from_dict(data: Any, origin: str = "review.yaml") -> Review:
    """Validate a parsed review file; raises InputError listing every problem."""
    problems: list[str] = []
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{origin} must be a YAML mapping (validated_by, validated_on, themes), "
                         f"got {type(data).__name__}.")
    _check_keys(data, TOP_KEYS, "top level", problems)
    raw_themes = data.get("themes") or []
    if not isinstance(raw_themes, list):
        problems.append("themes: expected a list of themes")
        raw_themes = []
    decisions: list[ThemeDecision] = []
    seen: set[int] = set()
    for index, item in enumerate(raw_themes):
        where = f"themes[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a mapping with id, label, status …")
            continue
        theme_id = _as_int(item.get("id"), f"{where}.id", problems, optional=False)
        if theme_id is None:
            continue
        where = f"theme {theme_id}"
        _check_keys(item, THEME_KEYS, where, problems)
        if theme_id in seen:
            problems.append(f"{where}: listed twice (ids must be unique)")
            continue
        seen.add(theme_id)
        splits_raw = item.get("split") or []
        if not isinstance(splits_raw, list):
            problems.append(f"{where}.split: expected a list")
            splits_raw = []
        parsed = [_parse_split(raw, f"{where}.split[{k}]", problems) for k, raw in enumerate(splits_raw)]
        splits = [split for split in parsed if split is not None]
        decisions.append(
            ThemeDecision(
                id=theme_id,
                label=_as_str(item.get("label")),
                status=_choice(item.get("status"), STATUSES, f"{where}.status", problems, "draft") or "draft",
                stage=_as_str(item.get("stage")) or None,
                merge_into=_as_int(item.get("merge_into"), f"{where}.merge_into", problems, optional=True),
                insight=_as_str(item.get("insight")),
                opportunity=_as_str(item.get("opportunity")),
                severity=_choice(item.get("severity"), SEVERITIES, f"{where}.severity", problems, None),
                owner=_as_str(item.get("owner")),
                notes=_as_str(item.get("notes")),
                starred=_as_str_list(item.get("starred"), f"{where}.starred", problems),
                hidden=_as_str_list(item.get("hidden"), f"{where}.hidden", problems),
                split=splits,
            )
        )
    for decision in decisions:
        if decision.merge_into is not None:
            if decision.merge_into == decision.id:
                problems.append(f"theme {decision.id}.merge_into: a theme cannot merge into itself")
            elif decision.merge_into not in seen:
                problems.append(f"theme {decision.id}.merge_into: there is no theme {decision.merge_into} "
                                "in this file")
    if problems:
        raise InputError(f"{origin} has problems:\n" + "\n".join(f"  - {p}" for p in problems)
                         + "\nFix them and run again; nothing was applied.")
    return Review(
        themes=decisions,
        validated_by=_as_str(data.get("validated_by")),
        validated_on=_as_str(data.get("validated_on")),
    )


def read_review(path: Path | str) -> Review:
    """Read and validate a review.yaml (InputError with every problem if it is invalid)."""
    path = Path(path)
    if path.is_dir():
        path = path / REVIEW_FILE
    if not path.is_file():
        raise InputError(f"No review file at {path}. Write one with `voc-synth review init RUN_DIR`.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise InputError(f"{path} is not valid YAML: {err}\nFix the file and run again.") from None
    review = review_from_dict(data, origin=str(path))
    review.path = path
    return review


# -- writing -----------------------------------------------------------------------------------
_ONE_LINE = re.compile(r"[\s\u2028\u2029\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def yaml_scalar(value: Any) -> str:
    """A value as one YAML flow scalar (strings always double-quoted, so any text is safe)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = yaml.safe_dump(str(value), default_style='"', allow_unicode=True, width=10**9)
    return text.strip().removesuffix("...").strip()


_WORD = re.compile(r"^[a-z][a-z0-9_]*$")
_YAML_SPECIAL = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf"}


def yaml_word(value: Any) -> str:
    """An identifier-like value (status, stage id) unquoted when YAML reads it back unchanged."""
    if isinstance(value, str) and _WORD.match(value) and value not in _YAML_SPECIAL:
        return value
    return yaml_scalar(value)


def comment_text(value: Any, limit: int = 110) -> str:
    """Text safe inside a one-line YAML comment, shortened at a word boundary."""
    text = _ONE_LINE.sub(" ", _CONTROL.sub("", str(value or ""))).strip()
    if len(text) > limit:
        cut = text[: limit - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut).rstrip(" ,;:.") + "…"
    return text


_TEMPLATE = """\
# voc_synth review — the researchers' decisions about the themes of an analysis.
{% if run %}# Written for: {{ run_line }}
{% endif %}#
# Edit the values below, then apply them:
#   voc-synth run …  --review {{ file_name }}                  (re-run the analysis and apply)
#   voc-synth export RUN_DIR --workshop --review {{ file_name }}  (workshop kit from a saved run)
# Nothing you decide is dropped: a theme that no longer appears in a later run is reported as
# orphaned and its decisions stay here. Themes keep their decisions when their number changes:
# voc_synth recognises them by their segments (remembered in {{ state_name }}).
# This file is rewritten from a template (review init --force, the notebook panel): put your
# remarks in `notes:`, comments you add yourself are not kept.
#
# Per theme:
#   label       rename the theme (your text wins over the generated one)
#   status      draft | validated | rejected  (validated themes go to the workshop; rejected ones
#               leave the map and are listed in an appendix)
#   stage       null keeps the stage the analysis found; or one of:
#               {{ stage_line }}
#   merge_into  the id of another theme to fold this one into (segments, quotes, counts combined)
#   insight     the statement the workshop sees; rewrite it in your own words
#   opportunity a "How might we…" for a pain point; empty keeps the generated draft (shown beside it)
#   severity    trivial | workaround | blocker  (does it annoy, force a work-around, or end the journey?)
#   owner       who takes it forward
#   starred     segment_ids of quotes to show first        hidden: segment_ids never to show
#   split       move part of the theme into a new one, e.g.
#                 split:
#                   - label: "Lost parcels"
#                     keywords: ["lost", "never arrived"]     # and/or segment_ids: ["…"]
version: {{ version }}
validated_by: {{ validated_by | y }}   # who reviewed these themes
validated_on: {{ validated_on | y }}   # when (YYYY-MM-DD)

themes:
{% for t in themes %}{% set c = context.get(t.id) %}
  - id: {{ t.id }}
{% if c and c.orphan_reason %}    # ORPHANED: {{ c.orphan_reason | c }}
{% elif c and c.theme_id is not none and c.theme_id != t.id %}    # theme {{ c.theme_id }} in this run
{% endif %}    label: {{ t.label | y }}
{% if c and c.generated_label and c.generated_label != t.label %}    # generated label: {{ c.generated_label | c }}
{% endif %}{% if c and c.summary %}    # {{ c.summary | c(160) }}
{% endif %}    status: {{ t.status | w }}   # draft | validated | rejected
    stage: {{ t.stage | w }}{% if c and c.stage %}   # analysis: {{ c.stage | c }}{% endif %}
    merge_into: {{ t.merge_into | y }}
    insight: {{ t.insight | y }}
    opportunity: {{ t.opportunity | y }}{% if c and c.opportunity %}   # draft: {{ c.opportunity | c(140) }}{% endif %}
    severity: {{ t.severity | w }}   # trivial | workaround | blocker
    owner: {{ t.owner | y }}
    notes: {{ t.notes | y }}
{% if c and c.quotes %}    # quotes (segment_id, text, source):
{% for sid, text, source in c.quotes %}    #   {{ sid | c }}  “{{ text | c(90) }}” — {{ source | c(40) }}
{% endfor %}{% endif %}{% if t.starred %}    starred:
{% for sid in t.starred %}      - {{ sid | y }}{% if c and c.quote_text.get(sid) %}  # “{{ c.quote_text[sid] | c(90) }}”{% endif %}
{% endfor %}{% else %}    starred: []
{% endif %}{% if t.hidden %}    hidden:
{% for sid in t.hidden %}      - {{ sid | y }}{% if c and c.quote_text.get(sid) %}  # “{{ c.quote_text[sid] | c(90) }}”{% endif %}
{% endfor %}{% else %}    hidden: []
{% endif %}{% if t.split %}    split:
{% for s in t.split %}      - label: {{ s.label | y }}
        segment_ids: [{% for sid in s.segment_ids %}{{ sid | y }}{{ ", " if not loop.last }}{% endfor %}]
        keywords: [{% for kw in s.keywords %}{{ kw | y }}{{ ", " if not loop.last }}{% endfor %}]
        status: {{ s.status | w }}
        stage: {{ s.stage | w }}
        insight: {{ s.insight | y }}
        severity: {{ s.severity | w }}
        owner: {{ s.owner | y }}
{% endfor %}{% else %}    split: []
{% endif %}{% endfor %}{% if not themes %}  []
{% endif %}"""


def _environment() -> Environment:
    env = Environment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=False, lstrip_blocks=False)
    env.filters["y"] = yaml_scalar
    env.filters["c"] = comment_text
    env.filters["w"] = yaml_word
    return env


def render_review(review: Review, file_name: str = REVIEW_FILE) -> str:
    """The review file's text (what `write_review` writes)."""
    run = review.run or {}
    run_bits = [str(run.get(k)) for k in ("project", "created_at", "run_dir") if run.get(k)]
    if run.get("themes") is not None:
        run_bits.append(f"{run['themes']} themes")
    stem = file_name.rsplit(".", 1)[0]
    text = _environment().from_string(_TEMPLATE).render(
        run=bool(run_bits),
        run_line=comment_text(" · ".join(run_bits), 200),
        file_name=file_name,
        state_name=f"{stem}.state.json",
        stage_line=comment_text(", ".join(review.stage_ids) or "(the framework's stage ids)", 400),
        version=FORMAT_VERSION,
        validated_by=review.validated_by,
        validated_on=review.validated_on,
        themes=review.themes,
        context=review.context,
    )
    # Guard: what we write must read back as exactly these decisions.
    parsed = review_from_dict(yaml.safe_load(text), origin="the review file being written")
    if [_decision_key(d) for d in parsed.themes] != [_decision_key(d) for d in review.themes]:
        raise AssertionError("review file template did not round-trip")  # a bug, not bad input
    return text


def _decision_key(d: ThemeDecision) -> tuple:
    return (d.id, d.label, d.status, d.stage, d.merge_into, d.insight, d.opportunity, d.severity, d.owner, d.notes,
            tuple(d.starred), tuple(d.hidden),
            tuple((s.label, tuple(s.segment_ids), tuple(s.keywords), s.status, s.stage, s.insight,
                   s.severity, s.owner) for s in d.split))


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_review(review: Review, path: Path | str, *, overwrite: bool = False) -> Path:
    """Write `review` to `path` from the template. Refuses to replace an existing file unless
    `overwrite` (callers merge the existing decisions in first; see `sync.init_review`).

    The per-theme comments (summary, quotes) come from `review.context`, which
    `review_for_synthesis` fills; a Review read back with `read_review` has none, so rewrite a
    file through `review_for_synthesis(synthesis, read_review(path), …)` to keep them."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError(f"{path} already exists; not overwriting it. Pass --force to add this run's "
                         "new themes to it (every decision in it is kept).")
    atomic_write_text(path, render_review(review, path.name))
    review.path = path
    return path


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


# -- sidecar state -----------------------------------------------------------------------------
@dataclass
class ThemeState:
    """What a reviewed theme was made of when voc_synth last saw it."""

    segment_ids: list[str]
    centroid: list[float] | None = None
    theme_id: int | None = None
    file_label: str = ""    # the label voc_synth wrote into the file (a different one is a rename)
    file_insight: str = ""  # likewise for the insight
    seen_in: str = ""       # created_at of the run it was taken from


@dataclass
class ReviewState:
    themes: dict[int, ThemeState] = field(default_factory=dict)
    universe: list[str] = field(default_factory=list)  # every segment_id of the last run seen
    run: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "about": "voc_synth review state: what each reviewed theme is made of, so decisions in "
                     "the review file follow their theme across runs. Written by voc-synth; do not edit.",
            "run": self.run,
            "universe": sorted(self.universe),
            "themes": {
                str(k): {
                    "theme_id": v.theme_id,
                    "file_label": v.file_label,
                    "file_insight": v.file_insight,
                    "seen_in": v.seen_in,
                    "segment_ids": sorted(v.segment_ids),
                    "centroid": [round(float(x), 6) for x in v.centroid] if v.centroid is not None else None,
                }
                for k, v in sorted(self.themes.items())
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReviewState:
        themes = {}
        for key, value in (data.get("themes") or {}).items():
            themes[int(key)] = ThemeState(
                segment_ids=[str(s) for s in value.get("segment_ids") or []],
                centroid=value.get("centroid"),
                theme_id=value.get("theme_id"),
                file_label=str(value.get("file_label") or ""),
                file_insight=str(value.get("file_insight") or ""),
                seen_in=str(value.get("seen_in") or ""),
            )
        return cls(themes=themes, universe=[str(s) for s in data.get("universe") or []],
                   run=str(data.get("run") or ""))


def state_path(review_path: Path | str) -> Path:
    """`review.yaml` → `review.state.json` (same folder)."""
    review_path = Path(review_path)
    return review_path.with_name(f"{review_path.stem}.state.json")


def load_state(review_path: Path | str | None) -> ReviewState:
    if review_path is None:
        return ReviewState()
    path = state_path(review_path)
    if not path.is_file():
        return ReviewState()
    try:
        return ReviewState.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, AttributeError):
        # A damaged sidecar only costs matching precision; decisions live in review.yaml.
        return ReviewState()


def save_state(state: ReviewState, review_path: Path | str) -> Path:
    path = state_path(review_path)
    text = json.dumps(state.to_dict(), ensure_ascii=False, indent=1) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)
    return path
