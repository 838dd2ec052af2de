"""`report.md`: the journey map as a Markdown report for wikis, pull requests and pre-reads.

Title and counts, the evidence and polarity rules, then each stage in framework order (emotion,
pain points, delights and mixed themes with prevalence, evidence strength and attributed quotes,
a mixed theme's labelled by side; touchpoints, draft opportunities), an appendix of all themes
and the ingestion manifest summary. Customer text is escaped so it cannot change the document's
structure (headings, lists, tables, links, HTML).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ._common import (
    MOMENT_SHORT,
    SOURCE_LABELS,
    JourneyView,
    QuoteView,
    StageView,
    ThemeView,
    build_view,
    fmt_int,
    fmt_pct,
    one_line,
)

REPORT_FILE = "report.md"

_INLINE_ACTIVE = re.compile(r"([\\`*_\[\]|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^([#>+\-=]|\d+[.)])")


def md_text(value: Any, *, line_start: bool = False) -> str:
    """Customer or label text as inert inline Markdown: one line, HTML and Markdown syntax
    escaped (`<` → `&lt;`, `|`, `*`, `_`, `[`, backticks…). With `line_start`, the text opens a
    line or list item, so heading, quote and list markers at its start are escaped too."""
    s = one_line(value)
    s = _ENTITY.sub("&amp;", s).replace("<", "&lt;").replace(">", "&gt;")
    s = _INLINE_ACTIVE.sub(r"\\\1", s)
    if line_start:
        match = _BLOCK_START.match(s)
        if match:
            marker = match.group(1)
            s = (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker) + s[match.end():]
    return s


def _attribution(quote: QuoteView) -> str:
    return " · ".join(md_text(part) for part in quote.attribution_parts())


def _quote_lines(quote: QuoteView, labelled: bool = False) -> list[str]:
    lines = []
    if quote.question:
        lines.append(f"  > *Asked:* {md_text(quote.question)}")
        lines.append("  >")
    side = f"*{quote.side_text}:* " if labelled and quote.side_text else ""
    lines.append(f"  > {side}“{md_text(quote.text)}”")
    lines.append(f"  > — {_attribution(quote)}")
    return lines


def _pick_quotes(theme: ThemeView, limit: int = 2) -> list[QuoteView]:
    if theme.polarity == "mixed":  # one from each side
        firsts = {q.side: q for q in reversed(theme.quotes)}
        return sorted(firsts.values(), key=lambda q: q.rank)[:limit]
    chosen: list[QuoteView] = []
    for quote in theme.quotes:
        if len(chosen) >= limit:
            break
        if chosen and quote.source_type == chosen[0].source_type and any(
            q.source_type != chosen[0].source_type for q in theme.quotes
        ):
            continue
        chosen.append(quote)
    return chosen


def _theme_block(theme: ThemeView) -> list[str]:
    spans = " · spans stages" if theme.spans_stages else ""
    lines = [
        f"- **{md_text(theme.label)}** — {md_text(theme.prevalence_text) or fmt_int(theme.n_documents) + ' records'}  ",
        f"  Evidence: **{theme.evidence_strength.upper()}** ({md_text(theme.evidence_reason)}) · "
        f"sentiment {theme.sentiment_value} · {theme.votes_text}{spans}",
    ]
    if theme.status != "draft" or theme.owner or theme.severity:
        lines[-1] += "  "
        lines.append(f"  Review: {md_text(theme.review_text)}" + (f" — {md_text(theme.notes)}" if theme.notes else ""))
    for quote in _pick_quotes(theme):
        lines.append("")
        lines.extend(_quote_lines(quote, labelled=theme.polarity == "mixed"))
    lines.append("")
    return lines


def _stage_section(index: int, stage: StageView) -> list[str]:
    moment = f" · {MOMENT_SHORT[stage.moment]} (moment that matters)" if stage.moment in MOMENT_SHORT else ""
    lines = [f"### {index}. {md_text(stage.name)}{moment}", ""]
    if stage.description:
        lines += [md_text(stage.description, line_start=True), ""]
    if stage.goal:
        lines += [f"**Customer goal:** {md_text(stage.goal)}", ""]
    rating = f" · mean rating {fmt_pct(stage.mean_rating_norm)} of scale" if stage.mean_rating_norm is not None else ""
    lines += [
        f"**Emotion:** {stage.emotion_text} · {fmt_pct(stage.share_negative)} negative{rating}",
        "",
    ]
    lanes = (("Pain points", stage.pains), ("Delights", stage.delights),
             ("Mixed — both sides voiced", stage.mixed), ("Other topics", stage.others))
    for title, themes in lanes:
        if not themes and title not in ("Pain points", "Delights"):
            continue
        lines += [f"**{title}**", ""]
        if not themes:
            lines += [f"- *No {title.lower()[:-1]} found at this stage.*", ""]
            continue
        for theme in themes:
            lines += _theme_block(theme)
    if stage.touchpoints:
        touch = ", ".join(f"{md_text(name)} ({fmt_int(n)})" for name, n in stage.touchpoints[:10])
        lines += [f"**Touchpoints:** {touch}", ""]
    else:
        lines += ["**Touchpoints:** none mentioned", ""]
    if stage.opportunities:
        lines += ["**Opportunities — DRAFT for the workshop:**", ""]
        lines += [f"- {md_text(o, line_start=True)}" for o in stage.opportunities]
        lines.append("")
    return lines


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    aligns = align or "l" * len(header)
    rule = ["---:" if a == "r" else "---" for a in aligns]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out + [""]


def render_markdown(synthesis: Any) -> str:
    """The Markdown report for `synthesis`."""
    view: JourneyView = build_view(synthesis)
    c = view.counts
    lines = [f"# {md_text(view.project)} — customer journey map", ""]
    by = f" by voc_synth {md_text(view.version)}" if view.version else ""
    actor = f" Actor: **{md_text(view.actor)}**." if view.actor else ""
    lines += [
        f"*DRAFT generated{by} on {md_text(view.created_at) or 'an unknown date'}"
        f"{' with the ' + md_text(view.framework_name) + ' framework' if view.framework_name else ''}."
        f" Validate with customers and the team before acting on it.*{actor}",
        "",
    ]
    if view.review_text:
        lines += [md_text(view.review_text, line_start=True), ""]
    lines += [
        "## Summary",
        "",
    ]
    lines += _table(
        ["Records", "Source files", "Segments", "Themes", "Unthemed segments", "Unmapped segments", "Skipped records"],
        [[fmt_int(c[k]) for k in ("records", "sources", "segments", "themes", "unthemed", "unmapped", "skipped")]],
        "rrrrrrr",
    )
    sources = ", ".join(f"{fmt_int(view.source_counts[t])} × {SOURCE_LABELS.get(t, md_text(t)).lower()}" for t in view.source_types)
    if sources:
        lines += [f"Records by source: {sources}.", ""]
    lines += ["**Emotion by stage**", ""]
    lines += _table(
        ["#", "Stage", "Emotion (mean ± 95% CI, n)", "Negative", "Mean rating", "Moment that matters"],
        [
            [str(i), md_text(s.name), s.emotion_text, fmt_pct(s.share_negative),
             fmt_pct(s.mean_rating_norm), MOMENT_SHORT.get(s.moment, "")]
            for i, s in enumerate(view.stages, start=1)
        ],
        "lllrrl",
    )
    lines += ["## Method & evidence rule", ""]
    lines += [md_text(view.evidence_rule, line_start=True) or "*No evidence rule was recorded for this run.*", ""]
    if view.polarity_rule:
        lines += [md_text(view.polarity_rule, line_start=True), ""]
    lines += [f"- {md_text(note, line_start=True)}" for note in view.method] + [""]

    lines += ["## Stages", ""]
    for i, stage in enumerate(view.stages, start=1):
        lines += _stage_section(i, stage)

    if view.unplaced:
        lines += ["## Themes not placed on a stage", ""]
        for theme in view.unplaced:
            lines += _theme_block(theme)

    lines += ["## Appendix: all themes", ""]
    lines += _table(
        ["#", "Theme", "Stage", "Polarity", "Evidence", "Prevalence", "Records", "People", "Sentiment [95% CI]", "Negative", "Status"],
        [
            [str(t.theme_id), md_text(t.label), md_text(t.stage_name), t.polarity_text, t.evidence_strength,
             md_text(t.prevalence_text), fmt_int(t.n_documents), fmt_int(t.n_participants), t.sentiment_value,
             fmt_pct(t.share_negative), md_text(t.review_text)]
            for t in view.themes
        ],
        "llllllrrrrl",
    )
    if view.rejected:
        lines += ["**Rejected in review (not on the map)**", ""]
        lines += _table(
            ["Theme", "Stage", "Polarity", "Prevalence", "Reviewer's notes"],
            [[md_text(r["label"]), md_text(r["stage"]), md_text(r["polarity"]), md_text(r["prevalence_text"]),
              md_text(r["notes"])] for r in view.rejected],
        )
    lines += ["## Manifest summary", ""]
    if view.manifest_rows:
        lines += _table(["Item", "Value"], [[md_text(k), md_text(v)] for k, v in view.manifest_rows], "lr")
    else:
        lines += ["*No ingestion manifest recorded.*", ""]
    if view.warnings:
        lines += ["## Warnings", ""] + [f"- {md_text(w, line_start=True)}" for w in view.warnings] + [""]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(synthesis: Any, path: Path | str) -> Path:
    """Write `report.md` to `path` (a file, or a folder to hold it)."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(synthesis), encoding="utf-8")
    return path
