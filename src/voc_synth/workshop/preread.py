"""`workshop/pre-read.md`: a one-page summary to send to participants a week ahead — what we
looked at, the journey at a glance, the main insights and questions to come with."""

from __future__ import annotations

from pathlib import Path

from ..report.markdown import md_text
from ..synthesis import Synthesis
from .insights import DRAFT_MARK, Insight, sentiment_word, stage_table, top_pain_points
from .summary import RunFacts
from .textfit import clean, truncate

MAX_INSIGHTS = 6
MOMENT_WORDS = {"trough": "lowest point", "drop": "sharp drop", "peak": "high point"}


def md(value: object, limit: int | None = None) -> str:
    """Customer text made inert in Markdown (the report's escaping), cut to `limit` characters."""
    text = clean(value)
    if limit:
        text = truncate(text, limit)
    return md_text(text)


def render_preread(synthesis: Synthesis, insights: list[Insight], facts: RunFacts) -> str:
    n_drafts = sum(1 for i in insights if i.draft)
    lines = [f"# {md(facts.project)}: customer journey workshop — pre-read", ""]
    lines.append(f"*Please read before the session (about 5 minutes). Evidence from {md(', '.join(facts.sources))}"
                 f"{', dated ' + md(facts.dates) if facts.dates else ''}.*")
    lines.append("")
    if n_drafts:
        lines += [f"> **{DRAFT_MARK}:** {n_drafts} of the {len(insights)} insights below are not yet validated by a "
                  "researcher; treat them as hypotheses.", ""]
    lines += ["## Why we are meeting", "",
              "To walk through the customer journey as customers describe it, agree which pain points matter "
              "most, and leave with owners for the first actions.", ""]
    lines += ["## The journey at a glance", ""]
    by_stage: dict[str, list[Insight]] = {}
    for insight in insights:
        by_stage.setdefault(insight.stage_id, []).append(insight)
    for stage in stage_table(synthesis):
        stage_insights = by_stage.get(clean(stage["stage_id"]), [])
        mood = sentiment_word(stage.get("sentiment_mean"))
        moment = clean(stage.get("moment"))
        headline = next((i for i in stage_insights if i.is_pain), stage_insights[0] if stage_insights else None)
        text = f"- **{md(stage.get('name'))}** — {mood}"
        if moment in MOMENT_WORDS:
            text += f" ({MOMENT_WORDS[moment]})"
        if headline:
            text += f": {md(headline.marked(headline.label), 80)}"
        lines.append(text)
    lines.append("")
    lines += ["## What we heard", ""]
    chosen = top_pain_points(insights, 4)
    chosen += [i for i in insights if i not in chosen and i.polarity == "delight"][:2]
    for number, insight in enumerate(chosen[:MAX_INSIGHTS], start=1):
        mark = f"**{DRAFT_MARK}** " if insight.draft else ""
        lines.append(f"{number}. {mark}"
                     f"**{md(insight.label, 80)}** ({md(insight.stage_name)}) — {md(insight.statement, 220)} "
                     f"*{md(insight.prevalence_text, 100)}; {insight.evidence_strength} evidence.*")
        if insight.quotes:
            quote = insight.quotes[0]
            lines.append(f"   > “{md(quote.text, 160)}” — {md(quote.attribution, 60)}")
    if not chosen:
        lines.append("No insights yet.")
    lines.append("")
    lines += ["## Come with", "",
              "- One moment in this journey you have seen go wrong (or right) for a customer.",
              "- Which of the pain points above you would fix first, and what stops us today.",
              "- Anything here that does not match what you hear from customers.", ""]
    caveat = facts.caveats[0] if facts.caveats else ""
    lines.append(f"*{md(caveat)} Full map, quotes and method are in the run folder (journey_map.html, report.md).*")
    return "\n".join(lines) + "\n"


def write_preread(synthesis: Synthesis, insights: list[Insight], facts: RunFacts, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_preread(synthesis, insights, facts), encoding="utf-8")
    return path
