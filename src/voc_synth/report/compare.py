"""Side-by-side emotion curves for `--segment-by`: one journey, several actors.

`write_comparison({"new": s1, "returning": s2}, out_dir)` writes `comparison.html` (self-contained,
no script: an inline SVG with one curve per segment and a stage-by-stage table) and
`comparison.png` (matplotlib). Segments are told apart by colour (Okabe–Ito), line style and
marker, so the chart reads without colour vision too.
"""

from __future__ import annotations

import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._common import (
    CATEGORICAL,
    DIVERGING,
    INK,
    MOMENT_SHORT,
    MUTED,
    JourneyView,
    build_view,
    clip,
    environment,
    fmt_signed,
)
from ._curve import StagePoint, build_curve

COMPARISON_HTML = "comparison.html"
COMPARISON_PNG = "comparison.png"
_MARKERS = ["o", "s", "D", "^", "v", "P", "X", "*"]
_DASHES = ["-", "--", ":", "-."]


@dataclass
class _Cell:
    mean: float | None
    emotion: str
    tone: str
    moment: str
    pain: str
    delight: str


def _stage_order(views: dict[str, JourneyView]) -> list[tuple[str, str]]:
    order: list[tuple[str, str]] = []
    seen: set[str] = set()
    for view in views.values():
        for stage in view.stages:
            if stage.stage_id not in seen:
                seen.add(stage.stage_id)
                order.append((stage.stage_id, stage.name))
    return order


def _points(view: JourneyView, order: list[tuple[str, str]]) -> list[StagePoint]:
    by_id = {s.stage_id: s for s in view.stages}
    points = []
    for stage_id, _ in order:
        s = by_id.get(stage_id)
        if s is None:
            points.append(StagePoint(None, None, None, 0))
        else:
            points.append(StagePoint(s.sentiment_mean, s.sentiment_ci_low, s.sentiment_ci_high, s.n_segments, s.moment))
    return points


def comparison_html(syntheses: dict[str, Any], *, title: str | None = None) -> str:
    """The comparison page as an HTML string."""
    views = _views(syntheses)
    order = _stage_order(views)
    curve = build_curve(
        [name for _, name in order],
        {name: _points(view, order) for name, view in views.items()},
        colours=CATEGORICAL,
        show_stage_labels=True,
        title="Emotion across the journey by segment",
    )
    rows = []
    for stage_id, name in order:
        cells = []
        for view in views.values():
            s = next((st for st in view.stages if st.stage_id == stage_id), None)
            if s is None:
                cells.append(_Cell(None, "", "none", "", "", ""))
                continue
            cells.append(
                _Cell(
                    mean=s.sentiment_mean,
                    emotion=s.emotion_text,
                    tone=s.tone,
                    moment=MOMENT_SHORT.get(s.moment, ""),
                    pain=s.pains[0].label if s.pains else "",
                    delight=s.delights[0].label if s.delights else "",
                )
            )
        rows.append({"name": name, "cells": cells})
    first = next(iter(views.values()))
    column = ""
    for synthesis in syntheses.values():
        actor = (synthesis.meta or {}).get("actor") or {}
        if isinstance(actor, dict) and actor.get("column"):
            column = str(actor["column"])
            break
    groups = [{"name": name, "records": view.counts["records"]} for name, view in views.items()]
    return environment().get_template("comparison.html.j2").render(
        title=title or first.project,
        column=column,
        groups=groups,
        curve=curve,
        rows=rows,
        palette=DIVERGING,
    )


def _views(syntheses: dict[str, Any]) -> dict[str, JourneyView]:
    if not syntheses:
        raise InputError("Nothing to compare: --segment-by produced no segments (is the column empty?).")
    return {str(name): build_view(s) for name, s in syntheses.items()}


def comparison_figure(syntheses: dict[str, Any], *, title: str | None = None):
    """A matplotlib `Figure` with one emotion curve per segment."""
    import matplotlib
    from matplotlib.figure import Figure

    views = _views(syntheses)
    order = _stage_order(views)
    n = max(1, len(order))
    k = len(views)
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Arial", "sans-serif"],
                                "svg.fonttype": "none", "text.usetex": False}):
        fig = Figure(figsize=(14.0, 6.5), facecolor="white")
        ax = fig.add_axes((0.06, 0.2, 0.92, 0.64))
        ax.axhline(0, color=MUTED, lw=1.1, ls=(0, (5, 4)), zorder=1)
        ax.axhspan(0, 1.1, color="#eef4fa", lw=0, zorder=0)
        ax.axhspan(-1.1, 0, color="#fcf1e6", lw=0, zorder=0)
        extent = 0.5
        for j, (name, view) in enumerate(views.items()):
            points = _points(view, order)
            offset = (j - (k - 1) / 2) * min(0.12, 0.6 / max(1, k))
            colour = CATEGORICAL[j % len(CATEGORICAL)]
            xs, ys, lows, highs = [], [], [], []
            for i, p in enumerate(points):
                if p.mean is None or p.n <= 0:
                    continue
                xs.append(i + offset)
                ys.append(p.mean)
                lows.append(p.mean - (p.low if p.low is not None else p.mean))
                highs.append((p.high if p.high is not None else p.mean) - p.mean)
                extent = max(extent, abs(p.low if p.low is not None else p.mean), abs(p.high if p.high is not None else p.mean))
            label = clip(f"{name} ({view.counts['records']:,} records)", 60)
            ax.errorbar(xs, ys, yerr=[lows, highs], color=colour, ecolor=colour, lw=2.2, elinewidth=1.4, capsize=4,
                        marker=_MARKERS[j % len(_MARKERS)], markersize=7, markeredgecolor="white",
                        ls=_DASHES[j % len(_DASHES)], label=label, zorder=3)
        extent = min(1.0, (int(extent * 4 + 0.999)) / 4)
        ax.set_ylim(-extent * 1.08, extent * 1.08)
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_xticks(range(n))
        ax.set_xticklabels(["\n".join(textwrap.wrap(name, 16)[:3]) for _, name in order], fontsize=10, color=INK)
        ax.set_yticks([-extent, 0, extent])
        ax.set_yticklabels([fmt_signed(-extent), "0", fmt_signed(extent)], fontsize=9, color=MUTED)
        ax.set_ylabel("mean sentiment (95% interval)", fontsize=9.5, color=MUTED)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        for text in ax.get_xticklabels():
            text.set_parse_math(False)
        legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.13), ncol=min(4, k), frameon=False, fontsize=10)
        for text in legend.get_texts():
            text.set_parse_math(False)
        heading = clip(title or next(iter(views.values())).project, 90)
        fig.text(0.06, 0.955, f"{heading} — emotion by segment", fontsize=15, weight="bold", color=INK, parse_math=False)
    return fig


def write_comparison(syntheses: dict[str, Any], out_dir: Path | str, *, title: str | None = None) -> list[Path]:
    """Write `comparison.html` and `comparison.png` into `out_dir`; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / COMPARISON_HTML
    html_path.write_text(comparison_html(syntheses, title=title), encoding="utf-8")
    png_path = out_dir / COMPARISON_PNG
    fig = comparison_figure(syntheses, title=title)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
        fig.savefig(png_path, dpi=150, metadata={"Software": None})
    return [html_path, png_path]
