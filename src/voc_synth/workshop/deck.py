"""`workshop/deck.pptx`: the workshop slide deck (python-pptx, 16:9).

Title; method and data (with caveats); the journey map; one slide per stage; one per top pain
point with its evidence and two to four quotes; draft "How might we…" opportunities; appendices
(rejected themes, method). Every text box is laid out with real font metrics (`textfit`) so its
text fits: long text is cut at a word boundary with "…", the full text goes to the speaker notes.
Slides showing unvalidated insights carry a DRAFT tag and each such insight is marked DRAFT.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Pt

from ..synthesis import Synthesis
from .insights import (
    DRAFT_MARK,
    POLARITY_TEXT,
    UNPLACED_NAME,
    Insight,
    num,
    opportunities,
    sentiment_word,
    signed,
    stage_table,
    top_pain_points,
)
from .summary import RunFacts
from .textfit import LINE_HEIGHT, clean, fit_lines, line_count, truncate

SLIDE_W, SLIDE_H = 960.0, 540.0  # points (13.333 in × 7.5 in)
MARGIN = 36.0
CONTENT_W = SLIDE_W - 2 * MARGIN
CONTENT_TOP = 100.0
CONTENT_BOTTOM = 500.0
INSET_X, INSET_Y = 7.2, 3.6
WIDTH_SAFETY = 0.96  # wrap a little narrower than the box: renderers differ in kerning
FONT = "Arial"
INK, MUTED = "1D2433", "5B6472"
NEGATIVE, POSITIVE = "B35806", "2166AC"
PAIN_TINT, DELIGHT_TINT, NEUTRAL_TINT, QUOTE_TINT = "FDF0E1", "E6F0F9", "F1F2F4", "F7F8FA"
DRAFT_FILL = "E08214"
MOMENT_TEXT = {"trough": "trough — a moment that matters", "drop": "sharp drop — a moment that matters",
               "peak": "peak — a moment that matters"}
MAX_PAIN_SLIDES = 5
TITLE = "Customer journey workshop"


def pt(value: float) -> Emu:
    return Emu(int(round(value * 12700)))


def rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour)


@dataclass
class Para:
    """One paragraph of a text box."""

    text: str
    size: float = 14.0
    bold: bool = False
    italic: bool = False
    color: str = INK
    space_before: float = 0.0
    align: str = "left"
    prefix: str = ""  # e.g. "DRAFT · ", drawn bold in the draft colour before the text


def layout_paragraphs(paras: list[Para], width: float, height: float, more: str | None = None) -> list[Para]:
    """The paragraphs (texts shortened) that fit a box of `width` × `height` points.

    Paragraphs that do not fit are dropped; with `more` (e.g. "+{n} more in report.md") a last
    line says how many were.
    """
    avail_w = (width - 2 * INSET_X) * WIDTH_SAFETY
    avail_h = height - 2 * INSET_Y

    def place(budget: float) -> tuple[list[Para], int]:
        used, out = 0.0, []
        for index, para in enumerate(paras):
            gap = para.space_before if out else 0.0
            pitch = para.size * LINE_HEIGHT
            max_lines = int((budget - used - gap) // pitch)
            if max_lines < 1:
                return out, len(paras) - index
            # A bold prefix is measured by making the whole paragraph bold: wider, so safe.
            bold = para.bold or bool(para.prefix)
            full = fit_lines(para.prefix + clean(para.text), avail_w, para.size, max_lines, bold, para.italic)
            used += gap + line_count(full, avail_w, para.size, bold, para.italic) * pitch
            prefix, text = (para.prefix, full[len(para.prefix):]) if full.startswith(para.prefix) else ("", full)
            out.append(Para(text, para.size, para.bold, para.italic, para.color, gap, para.align, prefix))
        return out, 0

    placed, dropped = place(avail_h)
    if dropped and more:
        note_size = 10.0
        placed, dropped = place(avail_h - note_size * LINE_HEIGHT - 4)
        if dropped:
            placed.append(Para(more.format(n=dropped), note_size, italic=True, color=MUTED, space_before=4))
    return placed


def _no_style(shape: Any) -> None:
    """Drop the theme style reference of an autoshape (its shadow, which LibreOffice draws even
    under an empty effect list); fill, line and text colour are all set explicitly."""
    from pptx.oxml.ns import qn

    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)


def _style_frame(frame: Any, anchor: Any = MSO_ANCHOR.TOP) -> None:
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = pt(INSET_X)
    frame.margin_top = frame.margin_bottom = pt(INSET_Y)
    frame.vertical_anchor = anchor


def _write(frame: Any, paras: list[Para]) -> None:
    frame.clear()
    for index, para in enumerate(paras):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[para.align]
        paragraph.line_spacing = 1.0
        paragraph.space_before = Pt(para.space_before)
        paragraph.space_after = Pt(0)
        if para.prefix:
            lead = paragraph.add_run()
            lead.text = para.prefix
            lead.font.name, lead.font.size, lead.font.bold = FONT, Pt(para.size), True
            lead.font.italic = para.italic
            lead.font.color.rgb = rgb(NEGATIVE)
        run = paragraph.add_run()
        run.text = para.text
        font = run.font
        font.name = FONT
        font.size = Pt(para.size)
        font.bold = para.bold
        font.italic = para.italic
        font.color.rgb = rgb(para.color)


class DeckBuilder:
    """Adds slides with fitted text to a 16:9 presentation."""

    def __init__(self, footer: str) -> None:
        self.prs = Presentation()
        self.prs.slide_width = pt(SLIDE_W)
        self.prs.slide_height = pt(SLIDE_H)
        self.footer = clean(footer)
        self._title_only = next(layout for layout in self.prs.slide_layouts if layout.name == "Title Only")

    def slide(self, title: str, *, draft: bool = False, title_size: float = 24.0,
              title_box: tuple[float, float, float, float] = (MARGIN, 24.0, CONTENT_W, 66.0), notes: str = "") -> Any:
        slide = self.prs.slides.add_slide(self._title_only)
        shape = slide.shapes.title
        x, y, w, h = title_box
        shape.left, shape.top, shape.width, shape.height = pt(x), pt(y), pt(w), pt(h)
        _style_frame(shape.text_frame, MSO_ANCHOR.TOP)
        paras = layout_paragraphs([Para(title, title_size, bold=True)], w, h)
        _write(shape.text_frame, paras)
        if draft:
            self.tag(slide, "DRAFT — includes insights not yet validated")
        number = len(self.prs.slides)
        self.text(slide, MARGIN, SLIDE_H - 30, CONTENT_W - 60, 22, [Para(self.footer, 9, color=MUTED)], name="Footer")
        self.text(slide, SLIDE_W - MARGIN - 60, SLIDE_H - 30, 60, 22, [Para(str(number), 9, color=MUTED, align="right")],
                  name="Slide number")
        if notes:
            slide.notes_slide.notes_text_frame.text = clean(notes)[:5000]
        return slide

    def tag(self, slide: Any, text: str) -> None:
        width = 300.0
        shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, pt(SLIDE_W - MARGIN - width), pt(4), pt(width), pt(20))
        shape.name = "Draft tag"
        shape.fill.solid()
        shape.fill.fore_color.rgb = rgb(DRAFT_FILL)
        shape.line.fill.background()
        _no_style(shape)
        _style_frame(shape.text_frame, MSO_ANCHOR.MIDDLE)
        shape.text_frame.margin_top = shape.text_frame.margin_bottom = pt(1)
        _write(shape.text_frame, layout_paragraphs([Para(text, 10, bold=True, color="FFFFFF", align="center")],
                                                   width, 20 + 2 * INSET_Y - 2))

    def text(self, slide: Any, x: float, y: float, w: float, h: float, paras: list[Para], *, name: str = "Text",
             fill: str | None = None, more: str | None = None, anchor: Any = MSO_ANCHOR.TOP) -> Any:
        if fill:
            shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, pt(x), pt(y), pt(w), pt(h))
            shape.fill.solid()
            shape.fill.fore_color.rgb = rgb(fill)
            shape.line.fill.background()
            _no_style(shape)
        else:
            shape = slide.shapes.add_textbox(pt(x), pt(y), pt(w), pt(h))
        shape.name = name
        _style_frame(shape.text_frame, anchor)
        _write(shape.text_frame, layout_paragraphs(paras, w, h, more))
        return shape

    def picture(self, slide: Any, path: Path, x: float, y: float, w: float, h: float) -> Any:
        from PIL import Image

        with Image.open(path) as image:
            iw, ih = image.size
        scale = min(w / iw, h / ih)
        pw, ph = iw * scale, ih * scale
        return slide.shapes.add_picture(str(path), pt(x + (w - pw) / 2), pt(y + (h - ph) / 2), pt(pw), pt(ph))

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.prs.save(str(path))
        return path


# -- slides ------------------------------------------------------------------------------------
def _bullet(text: str, size: float = 13.0, **kwargs: Any) -> Para:
    return Para(f"• {clean(text)}", size, space_before=kwargs.pop("space_before", 5.0), **kwargs)


def _insight_paras(insight: Insight, size: float = 12.5) -> list[Para]:
    grade = [insight.severity_text.split(" — ")[0] if insight.severity else "",
             f"{insight.evidence_strength} evidence", insight.prevalence_text]
    if insight.prevalence_text and insight.prevalence_text in insight.statement:
        grade.pop()  # the statement already says it
    return [
        Para(truncate(insight.statement, 220), size, space_before=8, prefix=_draft_prefix(insight)),
        Para(" · ".join(g for g in grade if g), 10, color=MUTED, space_before=2),
    ]


def _draft_prefix(insight: Insight | None) -> str:
    return f"{DRAFT_MARK} · " if insight is None or insight.draft else ""


def _stage_slide(deck: DeckBuilder, stage: dict[str, Any], insights: list[Insight], total: int) -> None:
    name = clean(stage.get("name")) or clean(stage.get("stage_id"))
    order = int(num(stage.get("order")) or 0)
    title = f"Stage {order} of {total}: {name}" if stage.get("stage_id") != "unmapped" else UNPLACED_NAME
    pains = [i for i in insights if i.is_pain]
    others = [i for i in insights if not i.is_pain]
    drafts = any(i.draft for i in insights)
    notes = " ".join(f"{i.marked(i.statement)} ({i.prevalence_text})." for i in insights)
    slide = deck.slide(title, draft=drafts, notes=notes)
    touch = stage.get("touchpoints") if isinstance(stage.get("touchpoints"), dict) else {}
    facts = [f"Sentiment: {sentiment_word(stage.get('sentiment_mean'))} ({signed(stage.get('sentiment_mean'))})"]
    moment = clean(stage.get("moment"))
    if moment in MOMENT_TEXT:
        facts.append(MOMENT_TEXT[moment])
    if num(stage.get("n_documents")):
        facts.append(f"{int(num(stage.get('n_documents')))} records")
    if touch:
        facts.append("touchpoints: " + ", ".join(clean(k) for k in list(touch)[:4]))
    deck.text(slide, MARGIN, CONTENT_TOP - 6, CONTENT_W, 58, [
        Para(truncate(clean(stage.get("description")) or clean(stage.get("goal")), 200), 13, color=MUTED),
        Para(" · ".join(facts), 13, bold=True, space_before=3),
    ], name="Stage facts")
    col_w = (CONTENT_W - 16) / 2
    top = CONTENT_TOP + 60
    height = CONTENT_BOTTOM - top
    more = "+{n} more — see the insight cards"
    left = [Para("Pain points", 15, bold=True, color=NEGATIVE)]
    for insight in pains:
        left += _insight_paras(insight)
    if not pains:
        left.append(Para("No pain point among the insights for this stage.", 12, italic=True, color=MUTED, space_before=8))
    right = [Para("Delights and other insights", 15, bold=True, color=POSITIVE)]
    for insight in others:
        right += _insight_paras(insight)
    if not others:
        right.append(Para("No delight among the insights for this stage.", 12, italic=True, color=MUTED, space_before=8))
    deck.text(slide, MARGIN, top, col_w, height, left, name="Pain points", fill=PAIN_TINT, more=more)
    deck.text(slide, MARGIN + col_w + 16, top, col_w, height, right, name="Delights", fill=DELIGHT_TINT, more=more)


def _pain_slide(deck: DeckBuilder, insight: Insight) -> None:
    notes = f"{insight.marked(insight.statement)} Evidence: {insight.prevalence_text}; {insight.evidence_reason}. " + \
        " ".join(f"“{q.text}” ({q.attribution})" for q in insight.quotes)
    slide = deck.slide(insight.marked(f"Pain point: {insight.label}"), draft=insight.draft, notes=notes)
    deck.text(slide, MARGIN, CONTENT_TOP - 6, CONTENT_W, 62,
              [Para(insight.statement, 17, bold=True, prefix=_draft_prefix(insight))], name="Statement")
    top = CONTENT_TOP + 64
    height = CONTENT_BOTTOM - top
    evidence = [
        Para("Evidence", 15, bold=True),
        Para(f"Stage: {insight.stage_name}", 12, space_before=6),
        Para(f"Severity: {insight.severity_text}", 12, space_before=6),
        Para(f"Prevalence: {insight.prevalence_text or 'n/a'}", 12, space_before=6),
        Para(f"Strength: {insight.evidence_strength}" + (f" ({insight.evidence_reason})" if insight.evidence_reason else ""),
             12, space_before=6),
        Para(f"Sentiment: {insight.sentiment_text}; {POLARITY_TEXT.get(insight.polarity, insight.polarity).lower()}",
             12, space_before=6),
    ]
    if insight.owner:
        evidence.append(Para(f"Owner: {insight.owner}", 12, space_before=6))
    if insight.draft:
        evidence.append(Para(f"{DRAFT_MARK}: not yet validated by a researcher", 12, bold=True, color=NEGATIVE,
                             space_before=10))
    deck.text(slide, MARGIN, top, 300, height, evidence, name="Evidence", fill=NEUTRAL_TINT)
    quotes = insight.quotes[:4]
    x, w = MARGIN + 316, CONTENT_W - 316
    if not quotes:
        deck.text(slide, x, top, w, 60, [Para("No quote selected for this theme (see quotes.csv).", 12, italic=True,
                                              color=MUTED)], name="Quotes")
        return
    gap = 8.0
    box_h = (height - gap * (len(quotes) - 1)) / len(quotes)
    avail_w = (w - 2 * INSET_X) * WIDTH_SAFETY
    for index, quote in enumerate(quotes):
        star = "★ " if quote.starred else ""
        # The attribution always shows (a quote must stay traceable); the quote gets what is left.
        source = fit_lines(f"— {quote.attribution}", avail_w, 9.5, 2)
        source_h = line_count(source, avail_w, 9.5) * 9.5 * LINE_HEIGHT + 3
        quote_lines = int((box_h - 2 * INSET_Y - source_h) // (13 * LINE_HEIGHT))
        text = fit_lines(f"{star}“{truncate(quote.text, 300)}”", avail_w, 13, quote_lines, italic=True)
        if text.endswith("…") and not text.endswith("”…"):
            text = text[:-1] + "…”"
            text = fit_lines(text, avail_w, 13, quote_lines, italic=True)
        deck.text(slide, x, top + index * (box_h + gap), w, box_h, [
            Para(text, 13, italic=True),
            Para(source, 9.5, color=MUTED, space_before=3),
        ], name=f"Quote {index + 1}", fill=QUOTE_TINT if not insight.draft else "FFF4E8")


def build_deck(
    synthesis: Synthesis,
    insights: list[Insight],
    facts: RunFacts,
    map_image: Path | None,
    path: Path,
    include_drafts: bool = False,
) -> Path:
    """Write the workshop deck to `path`."""
    n_drafts = sum(1 for i in insights if i.draft)
    deck = DeckBuilder(footer=f"voc_synth · {facts.project} · analysis of {facts.created_at}")
    sources = ", ".join(facts.sources) or f"{facts.n_records} records"

    # Title
    slide = deck.slide(TITLE, draft=bool(n_drafts), title_size=32, title_box=(MARGIN, 140.0, CONTENT_W, 50.0))
    lines = [
        Para(facts.project, 22, bold=True, color=INK),
        Para(f"Evidence from {sources}", 18, color=INK, space_before=10),
        Para(f"{len(insights)} insight(s) across the journey"
             + (f", {n_drafts} of them DRAFT (not yet validated)" if n_drafts else ", all validated"), 16,
             bold=bool(n_drafts), color=NEGATIVE if n_drafts else INK, space_before=8),
    ]
    who = " by " + facts.validated_by if facts.validated_by else ""
    when = " on " + facts.validated_on if facts.validated_on else ""
    lines.append(Para(f"Analysis run {facts.created_at or 'n/a'}" + (f"; reviewed{who}{when}" if who or when else ""),
                      14, color=MUTED, space_before=8))
    deck.text(slide, MARGIN, 200, CONTENT_W, 200, lines, name="Subtitle")

    # Method and data
    slide = deck.slide("Method and data")
    col_w = (CONTENT_W - 20) / 2
    data = [Para("What we analysed", 16, bold=True)]
    data += [_bullet(s) for s in facts.sources]
    data.append(_bullet(f"{facts.n_segments} segments from {facts.n_records} records"
                        + (f", dated {facts.dates}" if facts.dates else "")))
    data.append(_bullet(f"{facts.n_themes} themes on the map: {facts.n_validated} validated, {facts.n_draft} draft"
                        + (f"; {facts.n_rejected} rejected" if facts.n_rejected else "")))
    data.append(Para("How", 16, bold=True, space_before=14))
    data += [_bullet(m, 12) for m in facts.method[:2]]
    deck.text(slide, MARGIN, CONTENT_TOP, col_w, CONTENT_BOTTOM - CONTENT_TOP, data, name="Data",
              more="+{n} more — see the method appendix")
    caveats = [Para("Read with care", 16, bold=True, color=NEGATIVE)] + [_bullet(c, 12.5) for c in facts.caveats]
    deck.text(slide, MARGIN + col_w + 20, CONTENT_TOP, col_w, CONTENT_BOTTOM - CONTENT_TOP, caveats,
              name="Caveats", fill=PAIN_TINT, more="+{n} more — see report.md")

    # The map
    slide = deck.slide("The journey map")
    if map_image is not None and Path(map_image).is_file():
        deck.picture(slide, Path(map_image), MARGIN, CONTENT_TOP - 8, CONTENT_W, CONTENT_BOTTOM - CONTENT_TOP - 14)
    else:
        deck.text(slide, MARGIN, CONTENT_TOP, CONTENT_W, 60, [Para("No journey map image available; open "
                                                                   "journey_map.html from the run folder.", 14)])
    deck.text(slide, MARGIN, CONTENT_BOTTOM - 20, CONTENT_W, 24,
              [Para("Emotion across the stages from all segments of the run; details in journey_map.html.", 10,
                    color=MUTED)], name="Caption")

    # Stages
    stages = stage_table(synthesis)
    by_stage: dict[str, list[Insight]] = {}
    for insight in insights:
        by_stage.setdefault(insight.stage_id, []).append(insight)
    known = {clean(s["stage_id"]) for s in stages}
    for stage in stages:
        _stage_slide(deck, stage, by_stage.get(clean(stage["stage_id"]), []), len(stages))
    unplaced = [i for i in insights if i.stage_id not in known]
    if unplaced:
        _stage_slide(deck, {"stage_id": "unmapped", "name": UNPLACED_NAME,
                            "description": "Insights the analysis could not place on one stage of the journey."},
                     unplaced, len(stages))

    # Top pain points
    for insight in top_pain_points(insights, MAX_PAIN_SLIDES):
        _pain_slide(deck, insight)

    # Opportunities
    ideas = opportunities(synthesis, insights, include_drafts)
    draft_ideas = any(owner is None or owner.draft for _, _, owner in ideas)
    slide = deck.slide("Opportunities: how might we…?", draft=draft_ideas)
    paras = [Para("Draft “How might we…” questions from the pain points, for the group to rewrite and prioritise.",
                  12, italic=True, color=MUTED)]
    for stage_name, text, owner in ideas:
        paras.append(Para(f"{stage_name}: {text}", 13, space_before=9, prefix=_draft_prefix(owner)))
    if not ideas:
        paras.append(Para("No draft opportunity: none of the insights is a pain point with one. Write your own in "
                          "the session.", 13, space_before=10))
    deck.text(slide, MARGIN, CONTENT_TOP, CONTENT_W, CONTENT_BOTTOM - CONTENT_TOP, paras, name="Opportunities",
              more="+{n} more in report.md")

    # Appendix: rejected themes
    slide = deck.slide("Appendix: rejected themes")
    rejected = synthesis.meta.get("rejected_themes") or []
    paras = [Para("Themes the researchers rejected in review: left off the map, listed so nothing is lost.", 12,
                  italic=True, color=MUTED)]
    for item in rejected:
        bits = [clean(item.get("label")), clean(item.get("prevalence_text")) or f"{item.get('n_documents', 0)} records"]
        if clean(item.get("notes")):
            bits.append("note: " + clean(item.get("notes")))
        paras.append(_bullet(" — ".join(b for b in bits if b), 12.5))
    if not rejected:
        paras.append(Para("No theme was rejected in review.", 13, space_before=10))
    orphans = (synthesis.meta.get("review") or {}).get("orphans") or []
    if orphans:
        paras.append(Para("Review decisions with no theme in this run (kept in review.yaml):", 12.5, bold=True,
                          space_before=12))
        paras += [_bullet(f"theme {o.get('id')} “{clean(o.get('label'))}” ({clean(o.get('status'))})", 12)
                  for o in orphans]
    deck.text(slide, MARGIN, CONTENT_TOP, CONTENT_W, CONTENT_BOTTOM - CONTENT_TOP, paras, name="Rejected",
              more="+{n} more in report.md")

    # Appendix: method
    slide = deck.slide("Appendix: method")
    paras = [_bullet(m, 12) for m in facts.method] + [_bullet(c, 12) for c in facts.caveats[1:]]
    deck.text(slide, MARGIN, CONTENT_TOP, CONTENT_W, CONTENT_BOTTOM - CONTENT_TOP, paras, name="Method",
              more="+{n} more in report.md")
    return deck.save(path)


def expected_titles(synthesis: Synthesis, insights: list[Insight], facts: RunFacts) -> list[str]:
    """The slide titles `build_deck` writes, in order, before fitting (for tests and docs)."""
    stages = stage_table(synthesis)
    known = {clean(s["stage_id"]) for s in stages}
    titles = [TITLE, "Method and data", "The journey map"]
    titles += [f"Stage {int(num(s.get('order')) or 0)} of {len(stages)}: {clean(s.get('name')) or clean(s['stage_id'])}"
               for s in stages]
    if any(i.stage_id not in known for i in insights):
        titles.append(UNPLACED_NAME)
    titles += [i.marked(f"Pain point: {i.label}") for i in top_pain_points(insights, MAX_PAIN_SLIDES)]
    titles += ["Opportunities: how might we…?", "Appendix: rejected themes", "Appendix: method"]
    return titles
