"""`workshop/cards.html`: printable insight cards for affinity sessions — self-contained HTML,
A4, four cards to a page (two by two, big enough to handle on a wall), none split across pages. Rendered by Jinja2 with autoescape, so
customer text can never become markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .insights import POLARITY_TEXT, Insight
from .summary import RunFacts
from .textfit import fit_lines, line_count, truncate

TEMPLATES = Path(__file__).resolve().parent / "templates"
QUOTE_CHARS = 200
STATEMENT_CHARS = 240


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


# The card's text column: (210 mm − 2×12 mm page margins − 6 mm gap) / 2 − 2×5 mm padding ≈ 80 mm;
# measured a little narrower, with DejaVu Sans (wider than the fonts browsers use), to be safe.
TEXT_WIDTH_PT = 215.0
BODY_HEIGHT_PT = 290.0  # 120 mm card − padding, top rule, stage line and footer


def card_data(insight: Insight) -> dict[str, Any]:
    """One card's texts, each cut (at a word boundary, with "…") so the card never overflows:
    label and statement first, then the facts, then as many quotes as still fit."""
    label = fit_lines(insight.marked(insight.label), TEXT_WIDTH_PT, 13, 2, bold=True)
    statement = fit_lines(truncate(insight.statement, STATEMENT_CHARS), TEXT_WIDTH_PT, 11, 5)
    facts = [
        f"{POLARITY_TEXT.get(insight.polarity, insight.polarity)} · sentiment {insight.sentiment_text}"
        + (f" · severity: {insight.severity}" if insight.severity else ""),
        truncate(insight.prevalence_text, 120),
        f"Evidence {insight.evidence_strength}" + (f" ({truncate(insight.evidence_reason, 80)})" if insight.evidence_reason else ""),
    ]
    if insight.owner:
        facts.append(f"Owner: {truncate(insight.owner, 60)}")
    used = line_count(label, TEXT_WIDTH_PT, 13, bold=True) * 13 * 1.2 + 8
    used += line_count(statement, TEXT_WIDTH_PT, 11) * 11 * 1.3 + 6
    used += sum(line_count(f, TEXT_WIDTH_PT, 8.5) for f in facts) * 8.5 * 1.25 + 6
    quotes = []
    for quote in insight.quotes[:2]:
        cite = fit_lines(f"— {quote.attribution}", TEXT_WIDTH_PT - 8, 7, 2)
        cite_h = line_count(cite, TEXT_WIDTH_PT - 8, 7) * 7 * 1.25 + 8
        lines = min(4, int((BODY_HEIGHT_PT - used - cite_h) // (9.5 * 1.25)))
        if lines < 2:
            break
        star = "★ " if quote.starred else ""
        text = fit_lines(f"{star}“{truncate(quote.text, QUOTE_CHARS)}”", TEXT_WIDTH_PT - 8, 9.5, lines, italic=True)
        used += line_count(text, TEXT_WIDTH_PT - 8, 9.5, italic=True) * 9.5 * 1.25 + cite_h
        quotes.append({"text": text, "attribution": cite})
    return {
        "theme_id": insight.theme_id,
        "kind": insight.polarity if insight.polarity in ("pain", "delight", "mixed") else "neutral",
        "draft": insight.draft,
        "stage": truncate(insight.stage_name, 40),
        "label": label,
        "statement": statement,
        "facts": facts,
        "quotes": quotes,
    }


def render_cards(insights: list[Insight], facts: RunFacts) -> str:
    n_drafts = sum(1 for i in insights if i.draft)
    subtitle = (f"{len(insights)} insight card(s) from {', '.join(facts.sources) or 'the run'}; analysis of "
                f"{facts.created_at or 'n/a'}.")
    if n_drafts:
        subtitle += f" {n_drafts} card(s) are DRAFTS, not yet validated."
    return _environment().get_template("cards.html.j2").render(
        title=f"{truncate(facts.project, 80)}: insight cards",
        subtitle=subtitle,
        cards=[card_data(i) for i in insights],
        footer=truncate(facts.project, 40),
    )


def write_cards(insights: list[Insight], facts: RunFacts, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_cards(insights, facts), encoding="utf-8")
    return path
