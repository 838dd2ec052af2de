"""Insights: validated themes as a workshop sees them — a statement, its stage, its evidence
(prevalence, strength, quotes), severity and sentiment. Every workshop export reads these."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import InputError
from ..synthesis import Synthesis
from ..tables import UNMAPPED_STAGE
from .textfit import clean

SEVERITY_RANK = {"blocker": 0, "workaround": 1, "trivial": 2}
SEVERITY_TEXT = {"blocker": "Blocker — ends the journey", "workaround": "Work-around — customers get round it",
                 "trivial": "Trivial — an annoyance"}
POLARITY_TEXT = {"pain": "Pain point", "delight": "Delight", "mixed": "Mixed feelings", "neutral": "Neutral"}
SOURCE_WORDS = {"interview": "interview", "ticket": "support ticket", "review": "review", "survey": "survey"}
UNPLACED_NAME = "Not placed on a stage"
DRAFT_MARK = "DRAFT"


def num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def sentiment_word(value: Any) -> str:
    v = num(value)
    if v is None:
        return "no sentiment"
    if v <= -0.5:
        return "very negative"
    if v <= -0.15:
        return "negative"
    if v < 0.15:
        return "neutral"
    if v < 0.5:
        return "positive"
    return "very positive"


def signed(value: Any) -> str:
    v = num(value)
    return "n/a" if v is None else f"{v:+.2f}".replace("-", "−")


@dataclass
class InsightQuote:
    text: str
    attribution: str
    segment_id: str
    source_type: str
    sentiment: float | None
    starred: bool = False


@dataclass
class Insight:
    """One theme ready for the workshop."""

    theme_id: int
    label: str
    statement: str
    status: str
    stage_id: str
    stage_name: str
    stage_order: int
    polarity: str
    sentiment: float | None
    severity: str | None
    owner: str
    prevalence_text: str
    evidence_strength: str
    evidence_reason: str
    n_documents: int
    n_participants: int
    n_segments: int
    touchpoints: list[str] = field(default_factory=list)
    quotes: list[InsightQuote] = field(default_factory=list)
    opportunity: str = ""

    @property
    def draft(self) -> bool:
        return self.status != "validated"

    @property
    def is_pain(self) -> bool:
        # A mixed theme voices praise as much as complaint: shown as mixed, never as a pain point.
        return self.polarity == "pain"

    @property
    def lane(self) -> str:
        lanes = {"pain": "pain point", "delight": "delight", "mixed": "mixed feelings"}
        return lanes.get(self.polarity, "observation")

    @property
    def sentiment_text(self) -> str:
        return f"{sentiment_word(self.sentiment)} ({signed(self.sentiment)})"

    @property
    def severity_text(self) -> str:
        return SEVERITY_TEXT.get(self.severity or "", "Not graded")

    def marked(self, text: str) -> str:
        """`text` prefixed with the DRAFT mark when this insight is not validated."""
        return f"{DRAFT_MARK} · {text}" if self.draft else text


def attribution(quote: dict[str, Any]) -> str:
    """"P03, interview, interviews/p03.txt lines 10-12" — who said it and where to find it."""
    who = clean(quote.get("participant")) or clean(quote.get("doc_id"))
    source = SOURCE_WORDS.get(clean(quote.get("source_type")), clean(quote.get("source_type")))
    where = " ".join(x for x in (clean(quote.get("source_file")), clean(quote.get("locator"))) if x)
    return ", ".join(x for x in (who, source, where) if x)


def _list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if hasattr(value, "tolist"):
        return list(value.tolist())
    return [value]


def stage_table(synthesis: Synthesis) -> list[dict[str, Any]]:
    """Stages in framework order as plain dicts (from `stages`, else the framework)."""
    if synthesis.stages is not None and len(synthesis.stages):
        rows = synthesis.stages.sort_values("order").to_dict("records") if "order" in synthesis.stages \
            else synthesis.stages.to_dict("records")
        return rows
    return [{"stage_id": s["id"], "order": i, "name": s.get("name", s["id"]), "description": s.get("description", "")}
            for i, s in enumerate(synthesis.framework.get("stages", []), start=1)]


def build_insights(synthesis: Synthesis, include_drafts: bool = False, max_quotes: int = 4) -> list[Insight]:
    """Insights from the themes: validated ones (plus drafts when `include_drafts`), in journey
    order, then by severity and size. Rejected themes never appear."""
    themes = synthesis.themes
    if themes is None or themes.empty:
        return []
    stages = {clean(s["stage_id"]): (int(s.get("order") or i), clean(s.get("name")) or clean(s["stage_id"]))
              for i, s in enumerate(stage_table(synthesis), start=1)}
    quotes = synthesis.quotes if synthesis.quotes is not None else pd.DataFrame()
    insights = []
    for theme in themes.to_dict("records"):
        status = clean(theme.get("status")) or "draft"
        if status == "rejected" or (status != "validated" and not include_drafts):
            continue
        theme_id = int(theme["theme_id"])
        stage_id = clean(theme.get("primary_stage")) or UNMAPPED_STAGE
        order, name = stages.get(stage_id, (len(stages) + 1, UNPLACED_NAME))
        rows = quotes[quotes["theme_id"] == theme_id].sort_values("rank") if len(quotes) else quotes
        # The two quotes the statement rests on come first (after any the researcher starred).
        support = [clean(s) for s in _list(theme.get("insight_quotes"))]
        if len(rows) and support:
            place = {sid: i for i, sid in enumerate(support)}
            first = [place.get(sid, len(place)) for sid in rows["segment_id"].astype(str)]
            rows = rows.assign(_support=first).sort_values(["_support", "rank"], kind="stable")
            if "starred" in rows:
                starred = rows["starred"].map(lambda v: v is True or str(v).lower() == "true")
                rows = pd.concat([rows[starred], rows[~starred]])
        picked = [
            InsightQuote(
                text=clean(q.get("text")), attribution=attribution(q), segment_id=clean(q.get("segment_id")),
                source_type=clean(q.get("source_type")), sentiment=num(q.get("sentiment")),
                starred=q.get("starred") is True or str(q.get("starred")).lower() == "true",
            )
            for q in rows.head(max_quotes).to_dict("records") if clean(q.get("text"))
        ]
        label = clean(theme.get("label")) or f"Theme {theme_id}"
        insights.append(Insight(
            theme_id=theme_id,
            label=label,
            statement=clean(theme.get("insight")) or label,
            status=status,
            stage_id=stage_id,
            stage_name=name,
            stage_order=order,
            polarity=clean(theme.get("polarity")) or "neutral",
            sentiment=num(theme.get("sentiment_mean")),
            severity=clean(theme.get("severity")) or None,
            owner=clean(theme.get("owner")),
            prevalence_text=clean(theme.get("prevalence_text")),
            evidence_strength=clean(theme.get("evidence_strength")) or "weak",
            evidence_reason=clean(theme.get("evidence_reason")),
            n_documents=int(num(theme.get("n_documents")) or 0),
            n_participants=int(num(theme.get("n_participants")) or 0),
            n_segments=int(num(theme.get("n_segments")) or 0),
            touchpoints=[clean(t) for t in _list(theme.get("touchpoints")) if clean(t)],
            quotes=picked,
            opportunity=clean(theme.get("opportunity")),
        ))
    insights.sort(key=lambda i: (i.stage_order, SEVERITY_RANK.get(i.severity or "", 3), -i.n_documents, i.theme_id))
    return insights


def require_insights(synthesis: Synthesis, include_drafts: bool = False) -> list[Insight]:
    """`build_insights`, or an InputError saying how to get some."""
    insights = build_insights(synthesis, include_drafts)
    if insights:
        return insights
    statuses = synthesis.themes["status"].value_counts().to_dict() if len(synthesis.themes) and "status" in synthesis.themes else {}
    if include_drafts:
        raise InputError("No themes to take to the workshop: every theme of this run is rejected or the run "
                         "found none. Check review.yaml or re-run the analysis.")
    raise InputError(
        "No validated insights to take to the workshop "
        f"({', '.join(f'{v} {k}' for k, v in statuses.items()) or 'no themes'}). Validate themes first: "
        "`voc-synth review init RUN_DIR`, set `status: validated` in review.yaml and export with "
        "--review review.yaml — or pass --include-drafts to export the unvalidated drafts, marked DRAFT."
    )


def top_pain_points(insights: list[Insight], limit: int = 5) -> list[Insight]:
    """The pain points to give a slide each: by severity, then how many records back them."""
    pains = [i for i in insights if i.is_pain]
    return sorted(pains, key=lambda i: (SEVERITY_RANK.get(i.severity or "", 3), -i.n_documents, i.theme_id))[:limit]


def opportunities(synthesis: Synthesis, insights: list[Insight], include_drafts: bool) -> list[tuple[str, str, Insight | None]]:
    """Draft "How might we…" statements (from `stages.opportunities`) whose pain point is one of
    `insights`: (stage name, statement, insight). Statements tied to no insight are kept only
    with drafts included (the insight is then None, and they count as drafts)."""
    by_stage: dict[str, list[Insight]] = {}
    for insight in insights:
        by_stage.setdefault(insight.stage_id, []).append(insight)
    result = []
    for stage in stage_table(synthesis):
        stage_id = clean(stage["stage_id"])
        for text in _list(stage.get("opportunities")):
            text = clean(text)
            if not text:
                continue
            owner = None
            for insight in by_stage.get(stage_id, []):
                fragment = insight.label.split(" · ")[0].strip().rstrip(".").lower()
                if (insight.opportunity and insight.opportunity == text) or f"“{fragment}”" in text:
                    owner = insight
                    break
            if owner is not None or include_drafts:
                result.append((clean(stage.get("name")) or stage_id, text, owner))
    return result
