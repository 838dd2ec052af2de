"""`journey_map.png` and `journey_map.svg`: the journey map as one static figure for slides.

Stages as columns, the emotion curve (mean sentiment per stage with 95% intervals, n, and the
moments that matter), and the top pain point, delight and (when there are any) mixed-theme labels
of each stage. Drawn with
matplotlib's object API (no pyplot state), so it is safe in notebooks, threads and servers.
Text is never parsed as mathtext (customer text may contain `$`), and the SVG keeps text as
text so it stays editable in slide software.
"""

from __future__ import annotations

import math
import textwrap
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._common import (
    DIVERGING,
    INK,
    MOMENT_SHORT,
    MUTED,
    JourneyView,
    ThemeView,
    build_view,
    clip,
    fmt_int,
    fmt_signed,
    one_line,
    sentiment_class,
)

FIGURE_STEM = "journey_map"
FIGURE_SIZE = (16.0, 9.0)  # inches: 16:9 slides
PNG_DPI = 150
NAVY = "#1f2a44"
PAIN_TINT, PAIN_EDGE = "#fbe3cc", "#b35806"
DELIGHT_TINT, DELIGHT_EDGE = "#d9e8f5", "#2166ac"
MIXED_TINT, MIXED_EDGE = "#ece9f1", "#6b5b86"
# (top, bottom, boxes) of the theme lanes: pains and delights, plus mixed themes when there are any.
LANES_TWO = {"pain": (0.49, 0.265, 2), "delight": (0.25, 0.03, 2)}
LANES_THREE = {"pain": (0.49, 0.325, 2), "mixed": (0.315, 0.23, 1), "delight": (0.22, 0.03, 2)}
FONT = ["DejaVu Sans", "Arial", "Liberation Sans", "sans-serif"]


def _rc() -> dict[str, Any]:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": FONT,
        "svg.fonttype": "none",
        "svg.hashsalt": "voc_synth",
        "text.usetex": False,
        "axes.unicode_minus": True,
    }


def figure_text(value: Any, limit: int = 200) -> str:
    """Text safe to draw: one line, no control characters, clipped."""
    return clip(one_line(value), limit)


def _wrap(value: str, width: int, lines: int) -> str:
    wrapped = textwrap.wrap(value, width=max(8, width), break_long_words=True) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = clip(wrapped[-1] + " …", width)
        if not wrapped[-1].endswith("…"):
            wrapped[-1] = wrapped[-1].rstrip(" .,;:") + "…"
    return "\n".join(wrapped)


def _extent(view: JourneyView) -> float:
    largest = 0.0
    for s in view.stages:
        for v in (s.sentiment_mean, s.sentiment_ci_low, s.sentiment_ci_high):
            if v is not None:
                largest = max(largest, abs(v))
    return min(1.0, max(0.5, math.ceil(largest * 4 - 1e-9) / 4))


def journey_figure(synthesis: Any, *, top_n: int = 2):
    """A matplotlib `Figure` of the journey map (stages, emotion curve, top pains/delights/mixed)."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch, Rectangle

    view = build_view(synthesis)
    stages = view.stages
    n = max(1, len(stages))
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=FIGURE_SIZE, facecolor="white")
        canvas_ax = fig.add_axes((0, 0, 1, 1))
        canvas_ax.set_axis_off()
        canvas_ax.set_xlim(0, 1)
        canvas_ax.set_ylim(0, 1)

        def text(x: float, y: float, s: str, **kw: Any) -> None:
            canvas_ax.text(x, y, s, parse_math=False, **kw)

        left, right = 0.135, 0.985
        col = (right - left) / n
        col_inches = FIGURE_SIZE[0] * col
        c = view.counts
        text(0.02, 0.955, figure_text(view.project, 90) + " — customer journey map", fontsize=19, weight="bold", color=INK, va="center")
        sub = (
            f"{fmt_int(c['records'])} records · {fmt_int(c['segments'])} segments · {fmt_int(c['themes'])} themes"
            f" · {fmt_int(c['unthemed'])} unthemed · {fmt_int(c['skipped'])} skipped"
            + (f" · actor: {figure_text(view.actor, 60)}" if view.actor else "")
            + (f" · {view.created_at}" if view.created_at else "")
            + " · DRAFT for validation"
        )
        text(0.02, 0.918, sub, fontsize=10.5, color=MUTED, va="center")

        # Stage header row.
        head_bottom, head_top = 0.815, 0.885
        name_width = int((col_inches * 72 - 10) / (10.5 * 0.7))
        for i, stage in enumerate(stages):
            x = left + i * col
            canvas_ax.add_patch(Rectangle((x + 0.002, head_bottom), col - 0.004, head_top - head_bottom, color=NAVY, lw=0))
            tone = DIVERGING.get(stage.tone, "#9e9e9e")
            canvas_ax.add_patch(Rectangle((x + 0.002, head_bottom), col - 0.004, 0.007, color=tone, lw=0))
            text(x + 0.008, (head_bottom + head_top) / 2 + 0.003, _wrap(f"{i + 1}. {figure_text(stage.name, 60)}", name_width, 2),
                 fontsize=10.5, weight="bold", color="white", va="center", linespacing=1.15)

        # Lane labels.
        layout = LANES_THREE if view.has_mixed else LANES_TWO
        titles = {"pain": ("Top pain points", PAIN_EDGE), "mixed": ("Mixed", MIXED_EDGE),
                  "delight": ("Top delights", DELIGHT_EDGE)}
        text(0.02, 0.695, "EMOTION", fontsize=10, weight="bold", color=INK, va="center")
        text(0.02, 0.655, "mean sentiment\n95% interval, n", fontsize=8.5, color=MUTED, va="center", linespacing=1.2)
        for kind, (top, bottom, _) in layout.items():
            title, edge = titles[kind]
            middle = (top + bottom) / 2
            text(0.02, middle + 0.015, title.upper(), fontsize=10, weight="bold", color=INK, va="center")
            hint = "both sides voiced" if kind == "mixed" else "by prevalence"
            text(0.02, middle - 0.025, hint, fontsize=8.5, color=MUTED, va="center")
            canvas_ax.add_patch(Rectangle((0.012, bottom + 0.01), 0.004, top - bottom - 0.015, color=edge, lw=0))

        # Emotion curve, aligned with the stage columns.
        ax = fig.add_axes((left, 0.545, right - left, 0.255))
        extent = _extent(view)
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(-extent * 1.12, extent * 1.12)
        ax.axhspan(0, extent * 1.12, color="#eef4fa", lw=0, zorder=0)
        ax.axhspan(-extent * 1.12, 0, color="#fcf1e6", lw=0, zorder=0)
        ax.axhline(0, color=MUTED, lw=1.2, ls=(0, (5, 4)), zorder=1)
        for i in range(1, n):
            ax.axvline(i - 0.5, color="white", lw=2, zorder=1)
        ax.set_yticks([-extent, 0, extent])
        ax.set_yticklabels([fmt_signed(-extent), "0", fmt_signed(extent)], fontsize=8.5, color=MUTED)
        ax.tick_params(axis="y", length=0, pad=2)
        ax.set_xticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        xs, ys = [], []
        for i, stage in enumerate(stages):
            mean = stage.sentiment_mean
            if mean is None or stage.n_segments <= 0:
                text(left + (i + 0.5) * col, 0.522, "no data (n = 0)", fontsize=9.5, color=MUTED, ha="center", va="center")
                ax.text(i, 0.06 * extent, "no data", ha="center", va="bottom", fontsize=9, color=MUTED, style="italic", parse_math=False)
                if xs:
                    ax.plot(xs, ys, color=INK, lw=2.4, zorder=2, solid_capstyle="round")
                xs, ys = [], []
                continue
            xs.append(i)
            ys.append(mean)
            colour = DIVERGING.get(sentiment_class(mean), INK)
            if stage.sentiment_ci_low is not None and stage.sentiment_ci_high is not None:
                ax.errorbar([i], [mean], yerr=[[mean - stage.sentiment_ci_low], [stage.sentiment_ci_high - mean]],
                            fmt="none", ecolor=colour, elinewidth=1.8, capsize=5, capthick=1.8, zorder=3)
            ax.scatter([i], [mean], s=90, color=colour, edgecolors="white", linewidths=1.8, zorder=4)
            text(left + (i + 0.5) * col, 0.522, f"{fmt_signed(mean)}  (n = {stage.n_segments:,})", fontsize=9.5,
                 weight="bold", color=INK, ha="center", va="center")
            if stage.moment in MOMENT_SHORT:
                ax.scatter([i], [mean], s=420, facecolors="none", edgecolors=INK, linewidths=1.4, linestyle="--", zorder=4)
                arrow = "▼" if stage.moment in ("trough", "drop") else "▲"
                at_top = mean < 0.3 * extent
                ax.text(i, extent * 1.06 if at_top else -extent * 1.06, f"{arrow} {MOMENT_SHORT[stage.moment]}\nmoment that matters",
                        ha="center", va="top" if at_top else "bottom", fontsize=8.5, color="white", weight="bold",
                        zorder=6, parse_math=False, bbox={"boxstyle": "round,pad=0.3", "fc": INK, "ec": INK})
        if xs:
            ax.plot(xs, ys, color=INK, lw=2.4, zorder=2, solid_capstyle="round")

        # Pain and delight boxes.
        # A box's name hangs from its top and its count line stands on its bottom, at these
        # insets (figure fractions) and font sizes; `label_lines` reads the same values.
        label_inset, meta_inset, label_pt, meta_pt, label_spacing = 0.012, 0.011, 9.5, 8, 1.15
        label_width = int((col_inches * 72 - 16) / (label_pt * 0.68))

        def label_lines(height: float) -> int:
            """Label lines that fit in a box `height` (figure fraction) above its count line:
            a three-line name in a short box would run into "55 records · strong"."""
            free_pt = (height - label_inset - meta_inset) * FIGURE_SIZE[1] * 72 - meta_pt * 1.25
            return max(1, min(3, int(free_pt // (label_pt * label_spacing))))

        def boxes(themes: Iterable[ThemeView], lane: tuple[float, float, int], i: int, tint: str, edge: str) -> None:
            top, bottom, n_boxes = lane
            n_boxes = min(n_boxes, top_n)
            chosen = list(themes)[:n_boxes]
            x = left + i * col + 0.004
            width = col - 0.008
            slot = (top - bottom) / n_boxes
            if not chosen:
                text(x + 0.004, top - 0.02, "none found", fontsize=8.5, color=MUTED, style="italic", va="top")
            for k, theme in enumerate(chosen):
                y_top = top - k * slot
                height = slot - 0.01
                canvas_ax.add_patch(FancyBboxPatch((x, y_top - height), width, height, boxstyle="round,pad=0,rounding_size=0.006",
                                                   fc=tint, ec="#c9ced6", lw=0.8))
                canvas_ax.add_patch(Rectangle((x, y_top - height), 0.004, height, color=edge, lw=0))
                text(x + 0.009, y_top - label_inset, _wrap(figure_text(theme.label, 120), label_width, label_lines(height)),
                     fontsize=label_pt, weight="bold", color=INK, va="top", linespacing=label_spacing)
                meta = f"{fmt_int(theme.n_documents)} records · {theme.evidence_strength}"
                text(x + 0.009, y_top - height + meta_inset, meta, fontsize=meta_pt, color=MUTED, va="bottom")

        for i, stage in enumerate(stages):
            boxes(stage.pains, layout["pain"], i, PAIN_TINT, PAIN_EDGE)
            boxes(stage.delights, layout["delight"], i, DELIGHT_TINT, DELIGHT_EDGE)
            if "mixed" in layout:
                boxes(stage.mixed, layout["mixed"], i, MIXED_TINT, MIXED_EDGE)
        text(0.02, 0.012, "Sentiment on −1…+1 (orange = negative, blue = positive); whiskers: 95% interval; n: segments. "
             "Evidence strength per the rule in report.md. Generated by voc_synth.", fontsize=7.5, color=MUTED, va="bottom")
    return fig


def write_figures(synthesis: Any, out_dir: Path | str, formats: Iterable[str] = ("png", "svg")) -> list[Path]:
    """Write `journey_map.png` and/or `journey_map.svg` into `out_dir`."""
    import matplotlib

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig = journey_figure(synthesis)
    written = []
    with matplotlib.rc_context(_rc()), warnings.catch_warnings():
        # Characters the font lacks (emoji, rare scripts) are drawn as boxes; don't spam warnings.
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
        for fmt in formats:
            path = out_dir / f"{FIGURE_STEM}.{fmt}"
            if fmt == "png":
                fig.savefig(path, dpi=PNG_DPI, metadata={"Software": None})
            elif fmt == "svg":
                fig.savefig(path, metadata={"Date": None, "Creator": "voc_synth"})
            else:
                fig.savefig(path)
            written.append(path)
    return written
