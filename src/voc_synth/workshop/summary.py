"""Facts about a run every workshop export states: sources and counts, caveats, method."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..synthesis import Synthesis
from ..tables import count_short_answers, count_unthemed
from .insights import Insight, num
from .textfit import clean

SOURCE_PLURALS = {"interview": ("interview", "interviews"), "ticket": ("support ticket", "support tickets"),
                  "review": ("review", "reviews"), "survey": ("survey answer", "survey answers")}


def _plural(n: int, source_type: str) -> str:
    one, many = SOURCE_PLURALS.get(source_type, (source_type, source_type + "s"))
    return f"{n} {one if n == 1 else many}"


@dataclass
class RunFacts:
    project: str
    created_at: str
    sources: list[str]               # "14 interviews (14 people)", "41 support tickets"
    n_records: int
    n_segments: int
    n_themes: int
    n_validated: int
    n_draft: int
    n_rejected: int
    unthemed: int
    unthemed_share: float
    skipped: int
    skipped_reasons: list[str]
    dates: str
    caveats: list[str] = field(default_factory=list)
    method: list[str] = field(default_factory=list)
    validated_by: str = ""
    validated_on: str = ""
    orphans: list[str] = field(default_factory=list)
    short_answers: int = 0   # "very good", "5/5": in sentiment and totals, in no theme


def run_facts(synthesis: Synthesis, insights: list[Insight], include_drafts: bool) -> RunFacts:
    meta = synthesis.meta or {}
    docs = synthesis.documents
    sources = []
    if docs is not None and len(docs) and "source_type" in docs:
        for source_type, rows in docs.groupby("source_type"):
            people = rows["participant"].replace("", None).dropna().nunique() if "participant" in rows else 0
            text = _plural(len(rows), str(source_type))
            if source_type == "interview" and people:
                text += f" ({people} people)"
            sources.append(text)
    seg = synthesis.segments
    n_segments = int(len(seg)) if seg is not None else 0
    unthemed = count_unthemed(seg) if n_segments else 0
    short_answers = count_short_answers(seg) if n_segments else 0
    clustered = n_segments - short_answers  # the segments that went to theme clustering
    statuses = synthesis.themes["status"].fillna("draft").value_counts().to_dict() \
        if len(synthesis.themes) and "status" in synthesis.themes else {}
    rejected = len(meta.get("rejected_themes") or [])
    totals = (meta.get("manifest") or {}).get("totals", {})
    skipped = int(num(totals.get("records_skipped")) or 0)
    reasons = [f"{clean(k)}: {v}" for k, v in (totals.get("skipped_by_reason") or {}).items()]
    dates = ""
    if docs is not None and "date" in docs:
        values = sorted(d for d in docs["date"].astype(str) if d and d not in ("nan", "None", "NaT"))
        if values:
            dates = values[0][:10] if values[0][:10] == values[-1][:10] else f"{values[0][:10]} to {values[-1][:10]}"
    review = meta.get("review") or {}
    facts = RunFacts(
        project=clean(meta.get("project")) or "voc_synth project",
        created_at=clean(meta.get("created_at"))[:10],
        sources=sources,
        n_records=int(len(docs)) if docs is not None else 0,
        n_segments=n_segments,
        n_themes=int(len(synthesis.themes)),
        n_validated=int(statuses.get("validated", 0)),
        n_draft=int(sum(v for k, v in statuses.items() if k != "validated")),
        n_rejected=rejected,
        unthemed=unthemed,
        unthemed_share=unthemed / clustered if clustered else 0.0,
        skipped=skipped,
        skipped_reasons=reasons,
        dates=dates,
        validated_by=clean(review.get("validated_by")),
        validated_on=clean(review.get("validated_on")),
        orphans=[f"theme {o.get('id')} “{clean(o.get('label'))}”" for o in review.get("orphans") or []],
        short_answers=short_answers,
    )
    n_draft_shown = sum(1 for i in insights if i.draft)
    caveats = []
    if facts.n_validated == 0:
        caveats.append("No theme has been validated yet: everything here is a machine-generated draft that "
                       "needs checking against the evidence and with customers.")
    else:
        caveats.append(f"Themes are machine-generated drafts until a researcher validates them: "
                       f"{facts.n_validated} of {facts.n_themes} validated"
                       + (f" by {facts.validated_by}" if facts.validated_by else "")
                       + (f" on {facts.validated_on}" if facts.validated_on else "") + ".")
    if include_drafts and n_draft_shown:
        caveats.append(f"{n_draft_shown} insight(s) shown are DRAFTS, not yet validated; they are marked DRAFT.")
    caveats.append(f"{facts.unthemed_share:.0%} of segments ({facts.unthemed} of {clustered}) fit no theme "
                   "and are not on this map.")
    if short_answers:
        caveats.append(f"{short_answers} short answer(s) (e.g. “very good”, “5/5”, an emoji) count toward sentiment, "
                       "stage emotion and totals but are too short to say what about, so they are in no theme.")
    if skipped:
        caveats.append(f"{skipped} input record(s) were skipped"
                       + (f" ({'; '.join(reasons[:3])})" if reasons else "") + "; see manifest.json.")
    if facts.n_rejected:
        caveats.append(f"{facts.n_rejected} theme(s) were rejected in review (listed in the appendix).")
    if facts.orphans:
        caveats.append(f"{len(facts.orphans)} review decision(s) could not be matched to a theme of this run.")
    caveats.append("Sentiment is estimated by a model per segment; read it as a direction, not a measurement.")
    facts.caveats = caveats
    config = meta.get("config") or {}
    models = meta.get("models") or []
    model_names = ", ".join(clean(m.get("name")) for m in models if isinstance(m, dict) and m.get("name"))
    method = [
        "Records were cut into segments, redacted, embedded and clustered into themes; each segment was "
        "scored for sentiment and placed on a journey stage.",
        f"Journey framework: {clean((synthesis.framework or {}).get('name')) or clean(config.get('framework'))}.",
    ]
    if model_names:
        method.append(f"Models: {model_names}.")
    if config.get("sentiment"):
        method.append(f"Sentiment backend: {clean((config.get('sentiment') or {}).get('backend'))}.")
    if meta.get("evidence_rule"):
        method.append(clean(meta["evidence_rule"]))
    method.append("Prevalence counts people (interviews) and records (other sources), not segments.")
    if meta.get("seed") is not None:
        method.append(f"Run {facts.created_at or ''}, seed {meta.get('seed')}; every quote is traceable to its "
                      "file and line or row in quotes.csv.")
    facts.method = method
    return facts
