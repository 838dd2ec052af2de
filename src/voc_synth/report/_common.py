"""One reading of a `Synthesis` into display-ready values, shared by every exporter.

The HTML map, the Markdown report, the figures and the notebook reprs all show the same stages,
themes and quotes; building that view once keeps them consistent and keeps each renderer about
layout only. Tables may come straight from the pipeline or from a loaded `synthesis.json`, so
every accessor tolerates missing columns, NaN/None and JSON-decoded lists and dicts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..tables import SOURCE_TYPES, UNMAPPED_STAGE

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
ASSETS = HERE / "assets"

SOURCE_LABELS = {
    "interview": "Interview",
    "ticket": "Support ticket",
    "review": "Review",
    "survey": "Survey",
}
SOURCE_PLURALS = {
    "interview": "Interviews",
    "ticket": "Support tickets",
    "review": "Reviews",
    "survey": "Survey answers",
}

# A diverging orange (negative) ↔ blue (positive) scale: distinguishable with the common forms of
# colour blindness, unlike red/green. Dark ends are for lines and marks, light tints for
# backgrounds behind dark text (contrast well above WCAG AA).
DIVERGING = {
    "neg3": "#b35806",
    "neg2": "#e08214",
    "neg1": "#fdb863",
    "neu": "#9e9e9e",
    "pos1": "#92c5de",
    "pos2": "#4393c3",
    "pos3": "#2166ac",
}
INK = "#1d2433"
MUTED = "#5b6472"
# Okabe–Ito: a categorical palette readable with colour-vision deficiencies (for comparisons).
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

MOMENT_TEXT = {
    "trough": "Trough — moment that matters",
    "drop": "Sharp drop — moment that matters",
    "peak": "Peak — moment that matters",
}
MOMENT_SHORT = {"trough": "Trough", "drop": "Sharp drop", "peak": "Peak"}
POLARITY_TEXT = {"pain": "Pain point", "delight": "Delight", "mixed": "Mixed", "neutral": "Neutral"}
POLARITY_SHORT = {"pain": "Pain", "delight": "Delight", "mixed": "Mixed", "neutral": "Neutral"}
SIDE_TEXT = {"negative": "Negative side", "positive": "Positive side"}
STRENGTH_DOTS = {"strong": "●●●", "moderate": "●●○", "weak": "●○○"}

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


# -- tolerant accessors ---------------------------------------------------------------------
def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, (list, dict, tuple, str)) else False
    except (TypeError, ValueError):
        return False


def num(value: Any) -> float | None:
    """A finite float, or None for missing/non-numeric values."""
    if is_missing(value) or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def integer(value: Any, default: int = 0) -> int:
    f = num(value)
    return default if f is None else int(round(f))


def text(value: Any) -> str:
    """A display string ('' for missing)."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def one_line(value: Any) -> str:
    """Text on one line: line and paragraph separators become spaces, controls are dropped."""
    return re.sub(r"\s{2,}", " ", _CONTROL.sub("", _LINE_BREAKS.sub(" ", text(value)))).strip()


def clip(value: str, limit: int) -> str:
    value = value.strip()
    if len(value) <= limit:
        return value
    cut = value[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:. ")
    return cut + "…"


def as_list(value: Any) -> list[Any]:
    if is_missing(value):
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                loaded = json.loads(stripped)
            except ValueError:
                return [value]
            return loaded if isinstance(loaded, list) else [loaded]
        return [value] if stripped else []
    if isinstance(value, dict):
        return list(value)
    try:
        return list(value)
    except TypeError:
        return [value]


def as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            loaded = json.loads(value)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return {}


def records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or len(frame) == 0:
        return []
    return frame.to_dict(orient="records")


# -- formatting -----------------------------------------------------------------------------
def fmt_signed(value: Any, digits: int = 2) -> str:
    f = num(value)
    if f is None:
        return "–"
    if round(f, digits) == 0:
        return f"{0:.{digits}f}"
    return f"{f:+.{digits}f}".replace("-", "−")


def fmt_pct(value: Any) -> str:
    f = num(value)
    return "–" if f is None else f"{f:.0%}"


def fmt_int(value: Any) -> str:
    f = num(value)
    return "–" if f is None else f"{int(round(f)):,}"


def fmt_date(value: Any) -> str:
    raw = text(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", raw):
        return raw[:10]
    return raw


def sentiment_class(value: Any) -> str:
    """A CSS/palette key for a mean sentiment on −1…1 (`none` when unknown)."""
    f = num(value)
    if f is None:
        return "none"
    if f <= -0.45:
        return "neg3"
    if f <= -0.2:
        return "neg2"
    if f <= -0.05:
        return "neg1"
    if f < 0.05:
        return "neu"
    if f < 0.2:
        return "pos1"
    if f < 0.45:
        return "pos2"
    return "pos3"


# -- the view -------------------------------------------------------------------------------
@dataclass
class QuoteView:
    theme_id: int
    rank: int
    text: str
    source_type: str
    participant: str
    source_file: str
    locator: str
    date: str
    rating: str
    question: str
    sentiment: float | None
    kind: str
    segment_id: str
    doc_id: str
    stage: str = ""
    side: str = ""  # "negative" / "positive": the side of its theme's polarity it stands for

    @property
    def side_text(self) -> str:
        """"Negative side" / "Positive side" (labels the two sides of a mixed theme)."""
        return SIDE_TEXT.get(self.side, "")

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source_type, self.source_type.title() or "Source")

    @property
    def where(self) -> str:
        return ", ".join(p for p in (self.source_file, self.locator) if p)

    def attribution_parts(self) -> list[str]:
        parts = [self.source_label]
        if self.participant:
            parts.append(self.participant)
        if self.where:
            parts.append(self.where)
        if self.date:
            parts.append(self.date)
        if self.rating:
            parts.append(f"rating {self.rating}")
        return parts

    @property
    def attribution(self) -> str:
        return " · ".join(self.attribution_parts())

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "source_type": self.source_type,
            "source_label": self.source_label,
            "participant": self.participant,
            "source_file": self.source_file,
            "locator": self.locator,
            "date": self.date,
            "rating": self.rating,
            "question": self.question,
            "sentiment": None if self.sentiment is None else round(self.sentiment, 3),
            "kind": self.kind,
            "rank": self.rank,
            "segment_id": self.segment_id,
            "doc_id": self.doc_id,
            "side": self.side,
            "side_text": self.side_text,
        }


@dataclass
class ThemeView:
    theme_id: int
    label: str
    polarity: str
    evidence_strength: str
    evidence_reason: str
    prevalence_text: str
    n_segments: int
    n_documents: int
    n_participants: int
    sentiment_mean: float | None
    sentiment_ci_low: float | None
    sentiment_ci_high: float | None
    share_negative: float | None
    share_positive: float | None
    mean_rating_norm: float | None
    source_mix: dict[str, int]
    primary_stage: str
    stage_name: str
    stage_confidence: float | None
    spans_stages: bool
    keywords: list[str]
    touchpoints: list[str]
    group_label: str
    status: str
    insight: str
    severity: str = ""
    owner: str = ""
    notes: str = ""
    weight: float = 0.0
    quotes: list[QuoteView] = field(default_factory=list)

    @property
    def review_text(self) -> str:
        """The review decisions on this theme, e.g. "validated · severity: high · owner: Sam"."""
        parts = [self.status] if self.status else []
        parts += [f"{k}: {v}" for k, v in (("severity", self.severity), ("owner", self.owner)) if v]
        return " · ".join(parts)

    @property
    def source_types(self) -> list[str]:
        return [t for t, n in self.source_mix.items() if n]

    @property
    def tone(self) -> str:
        """The card's colour: the net share of votes (positive minus negative), the evidence its
        polarity rests on, so a pain point is never tinted as praise by a drifting mean score;
        the mean where the votes are unknown (older runs)."""
        if self.share_negative is not None and self.share_positive is not None:
            return sentiment_class(self.share_positive - self.share_negative)
        return sentiment_class(self.sentiment_mean)

    @property
    def size(self) -> int:
        """1–3: how large the card is drawn (prevalence relative to the largest theme)."""
        return 3 if self.weight >= 0.6 else 2 if self.weight >= 0.3 else 1

    @property
    def polarity_text(self) -> str:
        return POLARITY_TEXT.get(self.polarity, self.polarity.title())

    @property
    def polarity_short(self) -> str:
        return POLARITY_SHORT.get(self.polarity, self.polarity.title())

    @property
    def strength_dots(self) -> str:
        return STRENGTH_DOTS.get(self.evidence_strength, "")

    @property
    def sentiment_value(self) -> str:
        """Mean sentiment with its 95% interval, e.g. "−0.44 [−0.56, −0.32]"."""
        if self.sentiment_mean is None:
            return "no data"
        ci = ""
        if self.sentiment_ci_low is not None and self.sentiment_ci_high is not None:
            ci = f" [{fmt_signed(self.sentiment_ci_low)}, {fmt_signed(self.sentiment_ci_high)}]"
        return f"{fmt_signed(self.sentiment_mean)}{ci}"

    @property
    def sentiment_text(self) -> str:
        return f"sentiment {self.sentiment_value}"

    @property
    def votes_text(self) -> str:
        """The shares of negative and positive votes behind the polarity, e.g. "45% negative, 40% positive"."""
        return f"{fmt_pct(self.share_negative)} negative, {fmt_pct(self.share_positive)} positive"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.theme_id,
            "label": self.label,
            "polarity": self.polarity,
            "polarity_text": self.polarity_text,
            "evidence_strength": self.evidence_strength,
            "evidence_reason": self.evidence_reason,
            "prevalence_text": self.prevalence_text,
            "n_segments": self.n_segments,
            "n_documents": self.n_documents,
            "n_participants": self.n_participants,
            "sentiment_text": self.sentiment_value,
            "share_negative": fmt_pct(self.share_negative),
            "votes_text": self.votes_text,
            "stage_name": self.stage_name,
            "spans_stages": self.spans_stages,
            "keywords": self.keywords,
            "touchpoints": self.touchpoints,
            "source_mix": self.source_mix,
            "status": self.status,
            "severity": self.severity,
            "owner": self.owner,
            "notes": self.notes,
            "insight": self.insight,
            "tone": self.tone,
            "quotes": [q.to_json() for q in self.quotes],
        }


@dataclass
class StageView:
    stage_id: str
    order: int
    name: str
    description: str
    goal: str
    n_segments: int
    n_documents: int
    sentiment_mean: float | None
    sentiment_ci_low: float | None
    sentiment_ci_high: float | None
    share_negative: float | None
    mean_rating_norm: float | None
    touchpoints: list[tuple[str, int]]
    moment: str
    opportunities: list[str]
    pains: list[ThemeView] = field(default_factory=list)
    delights: list[ThemeView] = field(default_factory=list)
    others: list[ThemeView] = field(default_factory=list)
    quotes: list[QuoteView] = field(default_factory=list)
    mixed: list[ThemeView] = field(default_factory=list)

    @property
    def tone(self) -> str:
        return sentiment_class(self.sentiment_mean)

    @property
    def themes(self) -> list[ThemeView]:
        return self.pains + self.delights + self.mixed + self.others

    @property
    def emotion_text(self) -> str:
        if self.sentiment_mean is None:
            return "no evidence"
        ci = ""
        if self.sentiment_ci_low is not None and self.sentiment_ci_high is not None:
            half = (self.sentiment_ci_high - self.sentiment_ci_low) / 2
            ci = f" ± {half:.2f}"
        return f"{fmt_signed(self.sentiment_mean)}{ci} (n = {self.n_segments:,})"


@dataclass
class JourneyView:
    project: str
    created_at: str
    framework_name: str
    actor: str
    counts: dict[str, int]
    source_counts: dict[str, int]
    stages: list[StageView]
    themes: list[ThemeView]
    unplaced: list[ThemeView]
    evidence_rule: str
    method: list[str]
    warnings: list[str]
    manifest_rows: list[tuple[str, str]]
    version: str
    review_text: str = ""
    rejected: list[dict[str, str]] = field(default_factory=list)
    polarity_rule: str = ""

    @property
    def source_types(self) -> list[str]:
        present = [t for t in SOURCE_TYPES if self.source_counts.get(t)]
        extra = sorted(t for t in self.source_counts if t not in SOURCE_TYPES and self.source_counts[t])
        return present + extra

    @property
    def has_others(self) -> bool:
        return any(stage.others for stage in self.stages)

    @property
    def has_mixed(self) -> bool:
        return any(stage.mixed for stage in self.stages)

    def theme(self, theme_id: int) -> ThemeView:
        for theme in self.themes:
            if theme.theme_id == theme_id:
                return theme
        raise KeyError(theme_id)


def _quote_view(row: dict[str, Any], scales: dict[str, str], stage_of: dict[str, str]) -> QuoteView:
    rating = text(row.get("rating"))
    if rating:
        value = num(row.get("rating"))
        if value is not None:
            rating = f"{value:g}"
        scale = scales.get(text(row.get("doc_id")), "")
        if scale:
            rating = f"{rating} (scale {scale})"
    source_type = text(row.get("source_type"))
    return QuoteView(
        theme_id=integer(row.get("theme_id"), -1),
        rank=integer(row.get("rank"), 99),
        text=text(row.get("text")).strip(),
        source_type=source_type,
        participant=text(row.get("participant")),
        source_file=text(row.get("source_file")),
        locator=text(row.get("locator")),
        date=fmt_date(row.get("date")),
        rating=rating,
        question=text(row.get("question")).strip() if source_type == "interview" else "",
        sentiment=num(row.get("sentiment")),
        kind=text(row.get("kind")),
        segment_id=text(row.get("segment_id")),
        doc_id=text(row.get("doc_id")),
        stage=stage_of.get(text(row.get("segment_id")), ""),
        side=text(row.get("side")),
    )


def manifest_rows(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The manifest's headline numbers as (label, value) rows: totals, skip reasons, units left
    out of themes, and each transcript's interviewer with the reason."""
    rows: list[tuple[str, str]] = []
    totals = as_dict(manifest.get("totals"))

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}: {key}" if prefix else str(key), inner)
        elif isinstance(value, (list, tuple)):
            rows.append((prefix, f"{len(value)} item{'s' if len(value) != 1 else ''}"))
        elif not is_missing(value):
            rows.append((prefix.replace("_", " "), fmt_int(value) if num(value) is not None else text(value)))

    walk("", totals)
    for key, value in manifest.items():
        if key == "totals" or not isinstance(value, dict):
            continue
        if "skip" in key.lower() or "reason" in key.lower():
            walk(key, value)
    files = manifest.get("files")
    if isinstance(files, list) and not any(label.startswith("files") for label, _ in rows):
        rows.insert(0, ("files", fmt_int(len(files))))
    for reason, n in as_dict(manifest.get("segment_drops")).items():
        rows.append((f"units left out of themes: {reason}", fmt_int(n)))
    if isinstance(files, list):
        # Who was taken as each transcript's interviewer, and why (role labels and pseudonyms only).
        for entry in files:
            people = as_dict(entry.get("people")) if isinstance(entry, dict) else {}
            if people:
                shown = ", ".join(text(p) for p in people.get("interviewer") or []) or "none found"
                rows.append((f"interviewer in {text(entry.get('path'))}", f"{shown} — {text(people.get('reason'))}"))
    if "reconciles" in manifest:
        rows.append(("counts reconcile", "yes" if manifest.get("reconciles") else "NO — see manifest.json"))
    return rows


def _stage_lookup(synthesis: Any) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Stage rows in framework order, each merged with its framework entry."""
    framework_stages = [s for s in as_list((synthesis.framework or {}).get("stages")) if isinstance(s, dict)]
    by_id = {text(s.get("id")): s for s in framework_stages}
    rows = records(synthesis.stages)
    if rows:
        rows.sort(key=lambda r: (integer(r.get("order"), 10**6), text(r.get("stage_id"))))
    else:
        rows = [{"stage_id": text(s.get("id")), "order": i + 1, "name": s.get("name")} for i, s in enumerate(framework_stages)]
    return rows, by_id


def build_view(synthesis: Any) -> JourneyView:
    """Read `synthesis` into the display model every exporter renders."""
    meta = synthesis.meta or {}
    documents = synthesis.documents if synthesis.documents is not None else pd.DataFrame()
    segments = synthesis.segments if synthesis.segments is not None else pd.DataFrame()
    stage_rows, framework_by_id = _stage_lookup(synthesis)
    stage_names = {text(r.get("stage_id")): text(r.get("name")) or text(r.get("stage_id")) for r in stage_rows}

    scales = {}
    if len(documents) and "rating_scale" in documents.columns:
        scales = {text(d): text(s) for d, s in zip(documents["doc_id"], documents["rating_scale"], strict=False) if text(s)}
    stage_of: dict[str, str] = {}
    if len(segments) and "stage" in segments.columns and "segment_id" in segments.columns:
        stage_of = dict(zip(segments["segment_id"].astype(str), segments["stage"].astype(str), strict=False))

    quotes_by_theme: dict[int, list[QuoteView]] = {}
    for row in records(synthesis.quotes):
        quote = _quote_view(row, scales, stage_of)
        if quote.text:
            quotes_by_theme.setdefault(quote.theme_id, []).append(quote)
    for quotes in quotes_by_theme.values():
        quotes.sort(key=lambda q: q.rank)

    theme_rows = [r for r in records(synthesis.themes) if integer(r.get("theme_id"), -1) >= 0]
    max_docs = max([integer(r.get("n_documents")) or integer(r.get("n_segments")) for r in theme_rows] or [1]) or 1
    themes: list[ThemeView] = []
    for row in theme_rows:
        theme_id = integer(row.get("theme_id"))
        primary = text(row.get("primary_stage")) or UNMAPPED_STAGE
        n_documents = integer(row.get("n_documents"))
        themes.append(
            ThemeView(
                theme_id=theme_id,
                label=one_line(row.get("label")) or f"Theme {theme_id}",
                polarity=text(row.get("polarity")) or "neutral",
                evidence_strength=text(row.get("evidence_strength")) or "weak",
                evidence_reason=one_line(row.get("evidence_reason")),
                prevalence_text=one_line(row.get("prevalence_text")),
                n_segments=integer(row.get("n_segments")),
                n_documents=n_documents,
                n_participants=integer(row.get("n_participants")),
                sentiment_mean=num(row.get("sentiment_mean")),
                sentiment_ci_low=num(row.get("sentiment_ci_low")),
                sentiment_ci_high=num(row.get("sentiment_ci_high")),
                share_negative=num(row.get("share_negative")),
                share_positive=num(row.get("share_positive")),
                mean_rating_norm=num(row.get("mean_rating_norm")),
                source_mix={str(k): integer(v) for k, v in as_dict(row.get("source_mix")).items()},
                primary_stage=primary,
                stage_name=stage_names.get(primary, "Not placed on a stage"),
                stage_confidence=num(row.get("stage_confidence")),
                spans_stages=bool(row.get("spans_stages")) if not is_missing(row.get("spans_stages")) else False,
                keywords=[one_line(k) for k in as_list(row.get("keywords")) if one_line(k)],
                touchpoints=[one_line(k) for k in as_list(row.get("touchpoints")) if one_line(k)],
                group_label=one_line(row.get("group_label")),
                status=one_line(row.get("status")) or "draft",
                insight=one_line(row.get("insight")),
                severity=one_line(row.get("severity")),
                owner=one_line(row.get("owner")),
                notes=one_line(row.get("notes")),
                weight=(n_documents or integer(row.get("n_segments"))) / max_docs,
                quotes=quotes_by_theme.get(theme_id, []),
            )
        )
    by_id = {t.theme_id: t for t in themes}
    stage_index = {text(r.get("stage_id")): i for i, r in enumerate(stage_rows)}
    themes.sort(key=lambda t: (stage_index.get(t.primary_stage, 10**6), -t.n_documents, t.theme_id))

    placed: set[int] = set()
    stages: list[StageView] = []
    for row in stage_rows:
        stage_id = text(row.get("stage_id"))
        fw = framework_by_id.get(stage_id, {})

        def pick(ids: Any, polarity: set[str], stage_id: str = stage_id) -> list[ThemeView]:
            if ids is not None and not is_missing(ids):
                return [by_id[i] for i in (integer(x, -1) for x in as_list(ids)) if i in by_id]
            # Tables without the stage's theme lists (older runs): place by primary stage.
            return sorted(
                (t for t in themes if t.primary_stage == stage_id and t.polarity in polarity),
                key=lambda t: -t.n_documents,
            )

        pains = pick(row.get("pain_theme_ids"), {"pain"})
        delights = pick(row.get("delight_theme_ids"), {"delight"})
        mixed = pick(row.get("mixed_theme_ids"), {"mixed"})
        # Runs from before the mixed lane listed mixed themes among the pains.
        mixed += [t for t in pains if t.polarity == "mixed" and t not in mixed]
        pains = [t for t in pains if t.polarity != "mixed"]
        shown = {t.theme_id for t in pains + delights + mixed}
        others = [t for t in themes if t.primary_stage == stage_id and t.theme_id not in shown]
        others.sort(key=lambda t: -t.n_documents)
        placed |= shown | {t.theme_id for t in others}
        touch = as_dict(row.get("touchpoints"))
        touchpoints = sorted(((one_line(k), integer(v)) for k, v in touch.items() if one_line(k)), key=lambda kv: (-kv[1], kv[0]))
        stage = StageView(
            stage_id=stage_id,
            order=integer(row.get("order")),
            name=one_line(row.get("name")) or one_line(fw.get("name")) or stage_id,
            description=one_line(row.get("description")) or one_line(fw.get("description")),
            goal=one_line(row.get("goal")) or one_line(fw.get("goal")),
            n_segments=integer(row.get("n_segments")),
            n_documents=integer(row.get("n_documents")),
            sentiment_mean=num(row.get("sentiment_mean")),
            sentiment_ci_low=num(row.get("sentiment_ci_low")),
            sentiment_ci_high=num(row.get("sentiment_ci_high")),
            share_negative=num(row.get("share_negative")),
            mean_rating_norm=num(row.get("mean_rating_norm")),
            touchpoints=touchpoints,
            moment=text(row.get("moment")),
            opportunities=[one_line(o) for o in as_list(row.get("opportunities")) if one_line(o)],
            pains=pains,
            delights=delights,
            others=others,
            mixed=mixed,
        )
        stage.quotes = stage_quotes(stage)
        stages.append(stage)
    unplaced = [t for t in themes if t.theme_id not in placed]

    summary = synthesis.summary() if hasattr(synthesis, "summary") else {}
    source_counts: dict[str, int] = {}
    if len(documents) and "source_type" in documents.columns:
        source_counts = {str(k): int(v) for k, v in documents["source_type"].value_counts().items()}
    n_sources = int(documents["source_file"].nunique()) if len(documents) and "source_file" in documents.columns else 0
    counts = {
        "records": int(summary.get("records", len(documents))),
        "sources": n_sources,
        "segments": int(summary.get("segments", len(segments))),
        "themes": len(themes),
        "unthemed": integer(meta.get("unthemed_segments"), int(summary.get("unthemed_segments", 0))),
        "unmapped": integer(meta.get("unmapped_segments"), int(summary.get("unmapped_segments", 0))),
        "skipped": int(summary.get("skipped_records", 0)),
    }
    actor = as_dict(meta.get("actor"))
    actor_text = f"{one_line(actor.get('column'))} = {one_line(actor.get('value'))}" if actor else ""
    return JourneyView(
        project=one_line(meta.get("project")) or "voc_synth project",
        created_at=fmt_date(meta.get("created_at")),
        framework_name=one_line((synthesis.framework or {}).get("name")),
        actor=actor_text,
        counts=counts,
        source_counts=source_counts,
        stages=stages,
        themes=themes,
        unplaced=unplaced,
        evidence_rule=text(meta.get("evidence_rule")).strip(),
        method=method_notes(meta),
        warnings=[one_line(w) for w in as_list(meta.get("warnings")) if one_line(w)],
        manifest_rows=manifest_rows(as_dict(meta.get("manifest"))),
        version=text(as_dict(meta.get("versions")).get("voc_synth")),
        review_text=review_summary(as_dict(meta.get("review"))),
        polarity_rule=text(meta.get("polarity_rule")).strip(),
        rejected=[
            {
                "label": one_line(r.get("label")),
                "prevalence_text": one_line(r.get("prevalence_text")),
                "polarity": POLARITY_TEXT.get(text(r.get("polarity")), one_line(r.get("polarity"))),
                "stage": stage_names.get(text(r.get("primary_stage")), one_line(r.get("primary_stage"))),
                "notes": one_line(r.get("notes")),
            }
            for r in as_list(meta.get("rejected_themes"))
            if isinstance(r, dict)
        ],
    )


def review_summary(review: dict[str, Any]) -> str:
    """One line on the review, e.g. "Reviewed: 5 validated, 1 rejected, 6 draft · validated by … on …"."""
    if not review:
        return ""
    counts = as_dict(review.get("counts"))
    parts = [f"{integer(counts.get(k))} {k}" for k in ("validated", "rejected", "draft") if k in counts]
    text_ = "Reviewed" + (": " + ", ".join(parts) if parts else "")
    who, when = one_line(review.get("validated_by")), fmt_date(review.get("validated_on"))
    if who or when:
        text_ += " · validated" + (f" by {who}" if who else "") + (f" on {when}" if when else "")
    return text_


def stage_quotes(stage: StageView, limit: int = 2) -> list[QuoteView]:
    """1–2 quotes that voice the stage: the best quote of its top pain point and top delight
    (then mixed themes, then others), preferring quotes whose own segment sits in this stage; at
    most one per theme."""
    candidates: list[tuple[int, int, int, QuoteView]] = []
    groups = [stage.pains, stage.delights, stage.mixed, stage.others]
    for group_rank, group in enumerate(groups):
        for theme_rank, theme in enumerate(group):
            for quote in theme.quotes:
                in_stage = 0 if quote.stage in ("", stage.stage_id) else 1
                candidates.append((in_stage, theme_rank, group_rank, quote))
    candidates.sort(key=lambda c: (c[0], c[1], c[2], c[3].rank))
    chosen: list[QuoteView] = []
    used_themes: set[int] = set()
    used_groups: set[int] = set()
    # First pass: one per group (pain, delight) so the stage shows both sides when it has them.
    for in_stage, _, group_rank, quote in candidates:
        if len(chosen) >= limit:
            break
        if group_rank in used_groups or quote.theme_id in used_themes or in_stage:
            continue
        chosen.append(quote)
        used_groups.add(group_rank)
        used_themes.add(quote.theme_id)
    for _, _, _, quote in candidates:
        if len(chosen) >= limit:
            break
        if quote.theme_id in used_themes or any(quote.text == c.text for c in chosen):
            continue
        chosen.append(quote)
        used_themes.add(quote.theme_id)
    return chosen


def method_notes(meta: dict[str, Any]) -> list[str]:
    """Plain sentences on how the run was made (backends, models, seed), from `meta`."""
    config = as_dict(meta.get("config"))
    notes = []
    embedding = as_dict(config.get("embedding")).get("model")
    if embedding:
        notes.append(f"Segments embedded with {one_line(embedding)}; themes found by clustering those embeddings (BERTopic).")
    backend = as_dict(config.get("sentiment")).get("backend")
    if backend:
        notes.append(f"Sentiment scored on −1…1 by the “{one_line(backend)}” backend; stage emotion is the mean with a 95% interval.")
    framework = config.get("framework")
    if framework:
        stage_encoder = as_dict(meta.get("stage_encoder"))
        how = ""
        if stage_encoder.get("model") and not stage_encoder.get("same_as_run"):
            how = f" by their similarity under {one_line(stage_encoder['model'])}"
        notes.append(f"Segments placed on the stages of the “{one_line(framework)}” journey framework{how}.")
    if not is_missing(meta.get("seed")) and meta.get("seed") is not None:
        notes.append(f"Random seed {one_line(meta.get('seed'))}: the same inputs and settings give the same map.")
    agreement = as_dict(meta.get("sentiment_agreement"))
    for source_type, metrics in agreement.items():
        metrics = as_dict(metrics)
        shown = ", ".join(
            f"{one_line(k).replace('_', ' ')} {v:.2f}" if num(v) is not None and not isinstance(v, int) else f"{one_line(k).replace('_', ' ')} {one_line(v)}"
            for k, v in metrics.items()
            if not isinstance(v, (dict, list))
        )
        if shown:
            notes.append(f"Sentiment vs. ratings ({SOURCE_PLURALS.get(source_type, source_type).lower()}): {shown}.")
    short = as_dict(meta.get("short_answers"))
    if num(short.get("n")):
        placed = int(num(short.get("n")) or 0) - int(num(as_dict(short.get("placed_by")).get("not placed")) or 0)
        notes.append(
            f"{fmt_int(short.get('n'))} short answers (e.g. “very good”, “5/5”, an emoji) count toward sentiment "
            f"and the totals but are too short to say what about, so they form no theme; {fmt_int(placed)} of them "
            "count toward a stage's emotion, where their words, their source or their file's other answers "
            "say which stage."
        )
    notes.append(
        "Quotes are the customers' own (redacted) words, each traceable to its file and location. "
        "Everything on this map is a draft until validated with customers and the team."
    )
    return notes


# -- templates and safe embedding ----------------------------------------------------------
@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment every HTML exporter uses (autoescape on for every template)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        signed=fmt_signed, pct=fmt_pct, num=fmt_int, tone=sentiment_class, source_label=lambda t: SOURCE_LABELS.get(t, t)
    )
    env.globals.update(MOMENT_TEXT=MOMENT_TEXT, MOMENT_SHORT=MOMENT_SHORT, SOURCE_LABELS=SOURCE_LABELS)
    return env


@cache
def asset(name: str) -> str:
    content = (ASSETS / name).read_text(encoding="utf-8")
    if re.search(r"</(script|style)", content, re.IGNORECASE):
        raise ValueError(f"asset {name} must not contain a closing script/style tag")
    return content


_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(data: Any) -> Markup:
    """JSON that is safe inside `<script type="application/json">`: no character of the data can
    close the element or start markup, whatever the customer wrote."""
    raw = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Markup(re.sub("[<>&'\u2028\u2029]", lambda m: _SCRIPT_ESCAPES[m.group(0)], raw))


def csp_hash(script: str) -> str:
    """The CSP source expression that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(script: str) -> str:
    """No network at all: nothing but the page's own inline script, styles and data: images."""
    return (
        "default-src 'none'; "
        f"script-src {csp_hash(script)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
