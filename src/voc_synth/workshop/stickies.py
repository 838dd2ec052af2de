"""`workshop/stickies.csv`: one sticky note per row, ready to paste or import into Miro, FigJam or
a spreadsheet — stage, lane (pain point / delight / quote / opportunity / question), text, a
colour by sentiment (hex and name) and where it comes from.

Every text cell is neutralised against spreadsheet formulas (a leading `'` when it starts with
= + - @ tab or CR); numbers stay numbers.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ..synthesis import Synthesis
from .insights import DRAFT_MARK, Insight, num, opportunities, stage_table
from .textfit import clean, truncate

COLUMNS = ["stage_order", "stage", "lane", "text", "colour", "colour_name", "sentiment", "source", "theme_id",
           "status"]
LANES = ("pain point", "delight", "quote", "opportunity", "question")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
STICKY_CHARS = 180  # a sticky holds a sentence or two

# Light tints of the report's orange (negative) ↔ blue (positive) scale, readable with dark text.
SENTIMENT_COLOURS = [
    (-0.5, "#F5A35C", "orange"),
    (-0.15, "#FDD0A2", "light orange"),
    (0.15, "#E6E6E6", "grey"),
    (0.5, "#B9D7EC", "light blue"),
    (2.0, "#8FC1E3", "blue"),
]
OPPORTUNITY_COLOUR = ("#FFF176", "yellow")
QUESTION_COLOUR = ("#D7C4F0", "violet")


def neutralise(value: Any) -> Any:
    """A CSV cell: strings that a spreadsheet would run as a formula get a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sentiment_colour(value: Any) -> tuple[str, str]:
    v = num(value)
    if v is None:
        return SENTIMENT_COLOURS[2][1], SENTIMENT_COLOURS[2][2]
    for upper, hex_colour, name in SENTIMENT_COLOURS:
        if v < upper:
            return hex_colour, name
    return SENTIMENT_COLOURS[-1][1], SENTIMENT_COLOURS[-1][2]


def _row(stage_order: int, stage: str, lane: str, text: str, colour: tuple[str, str], sentiment: Any,
         source: str, theme_id: Any, status: str) -> dict[str, Any]:
    marked = f"{DRAFT_MARK}: {text}" if status != "validated" else text
    v = num(sentiment)
    return {
        "stage_order": stage_order, "stage": stage, "lane": lane, "text": truncate(marked, STICKY_CHARS),
        "colour": colour[0], "colour_name": colour[1], "sentiment": round(v, 2) if v is not None else "",
        "source": source, "theme_id": theme_id if theme_id is not None else "", "status": status,
    }


def sticky_rows(synthesis: Synthesis, insights: list[Insight], include_drafts: bool, quotes_per_insight: int = 2) -> list[dict[str, Any]]:
    """The stickies, in journey order: per stage its pain points, delights, quotes, questions and
    opportunities."""
    rows: list[dict[str, Any]] = []
    orders = {clean(s["stage_id"]): int(num(s.get("order")) or i) for i, s in enumerate(stage_table(synthesis), 1)}
    for insight in insights:
        lane = "pain point" if insight.is_pain else "delight" if insight.polarity == "delight" else "question"
        text = insight.statement
        if lane == "question":  # neutral themes: something to ask about, not a feeling
            text = f"What do we make of this? {insight.statement}"
        colour = QUESTION_COLOUR if lane == "question" else sentiment_colour(insight.sentiment)
        rows.append(_row(insight.stage_order, insight.stage_name, lane, text, colour, insight.sentiment,
                         f"{insight.prevalence_text}; {insight.evidence_strength} evidence; theme {insight.theme_id}",
                         insight.theme_id, insight.status))
        for quote in insight.quotes[:quotes_per_insight]:
            rows.append(_row(insight.stage_order, insight.stage_name, "quote", f"“{quote.text}”",
                             sentiment_colour(quote.sentiment), quote.sentiment, quote.attribution,
                             insight.theme_id, insight.status))
        if insight.evidence_strength == "weak" or insight.polarity == "mixed":
            why = "the evidence is weak" if insight.evidence_strength == "weak" else "feelings are mixed"
            rows.append(_row(insight.stage_order, insight.stage_name, "question",
                             f"Is “{insight.label}” real and how big is it? ({why}: {insight.prevalence_text})",
                             QUESTION_COLOUR, None, f"theme {insight.theme_id}", insight.theme_id, insight.status))
    for stage_name, text, owner in opportunities(synthesis, insights, include_drafts):
        stage_id = owner.stage_id if owner else next(
            (clean(s["stage_id"]) for s in stage_table(synthesis) if clean(s.get("name")) == stage_name), "")
        rows.append(_row(orders.get(stage_id, 0), stage_name, "opportunity", text, OPPORTUNITY_COLOUR, None,
                         f"draft from theme {owner.theme_id}" if owner else "draft from the analysis",
                         owner.theme_id if owner else None, owner.status if owner else "draft"))
    lane_order = {lane: i for i, lane in enumerate(LANES)}
    rows.sort(key=lambda r: (r["stage_order"], lane_order.get(r["lane"], 9)))
    return rows


def write_stickies(synthesis: Synthesis, insights: list[Insight], path: Path, include_drafts: bool = False) -> Path:
    """Write stickies.csv (UTF-8 with BOM so Excel reads it right; formula-neutralised)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in sticky_rows(synthesis, insights, include_drafts):
            writer.writerow({k: neutralise(v) for k, v in row.items()})
    return path
