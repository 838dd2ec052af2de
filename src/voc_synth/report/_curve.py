"""Geometry of the emotion curve drawn as inline SVG (journey map, comparison, notebook).

Mean sentiment per stage with its 95% interval as a whisker and n under each stage; troughs,
sharp drops and peaks ringed as moments that matter. Stages sit at the centres of equal-width
columns so the curve lines up with the map's stage columns. The numbers are computed here;
`templates/_emotion_curve.j2` draws them (autoescaped like every template).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from ._common import DIVERGING, MOMENT_SHORT, fmt_signed, sentiment_class


@dataclass
class StagePoint:
    """One stage's emotion: mean and interval on −1…1, n segments, moment mark."""

    mean: float | None
    low: float | None
    high: float | None
    n: int
    moment: str = ""


@dataclass
class PlotPoint:
    x: float
    y: float | None
    y_low: float | None
    y_high: float | None
    value_text: str
    n_text: str
    colour: str
    moment: str
    moment_text: str


@dataclass
class PlotSeries:
    name: str
    colour: str
    dash: str
    marker: str
    points: list[PlotPoint]
    path: str


@dataclass
class Curve:
    width: float
    height: float
    column: float
    top: float
    bottom: float
    zero_y: float
    ticks: list[tuple[float, str]]
    series: list[PlotSeries]
    stage_labels: list[tuple[float, list[str]]]
    title: str
    description: str
    show_values: bool = True
    legend: list[tuple[str, str, str]] = field(default_factory=list)


def _extent(series: dict[str, Sequence[StagePoint]]) -> float:
    largest = 0.0
    for points in series.values():
        for p in points:
            for v in (p.mean, p.low, p.high):
                if v is not None and math.isfinite(v):
                    largest = max(largest, abs(v))
    return min(1.0, max(0.5, math.ceil(largest * 4 - 1e-9) / 4))


def _label_lines(name: str, column: float) -> list[str]:
    lines = textwrap.wrap(name, width=max(8, int(column / 8.6))) or [""]
    if len(lines) > 2:
        lines = [lines[0], (lines[1][: max(4, int(column / 8.6) - 1)]).rstrip() + "…"]
    return lines


def build_curve(
    stage_names: Sequence[str],
    series: dict[str, Sequence[StagePoint]],
    *,
    colours: Sequence[str] | None = None,
    column: float = 240.0,
    height: float = 260.0,
    show_stage_labels: bool = False,
    title: str = "Emotion across the journey",
) -> Curve:
    """Lay out one or more emotion series over `stage_names` (each series one point per stage)."""
    n = max(1, len(stage_names))
    top = 58.0
    label_band = 44.0 if show_stage_labels else 0.0
    bottom = height - 46.0 - label_band
    extent = _extent(series)

    def y_of(value: float) -> float:
        value = max(-extent, min(extent, value))
        return top + (extent - value) / (2 * extent) * (bottom - top)

    steps = (extent, extent / 2, 0.0, -extent / 2, -extent) if (extent / 2 * 4).is_integer() else (extent, 0.0, -extent)
    ticks = [(y_of(v), fmt_signed(v, 2) if v else "0") for v in steps]
    multi = len(series) > 1
    dashes = ["", "6 4", "2 3", "9 3 2 3"]
    markers = ["circle", "square", "diamond", "triangle"]
    plotted: list[PlotSeries] = []
    descriptions = []
    for k, (name, points) in enumerate(series.items()):
        offset = (k - (len(series) - 1) / 2) * min(14.0, column / (3 * max(1, len(series)))) if multi else 0.0
        colour = (colours[k % len(colours)] if colours else DIVERGING["pos3"]) if multi else "#1d2433"
        out: list[PlotPoint] = []
        path: list[str] = []
        pen_down = False
        for i, point in enumerate(points[:n]):
            x = (i + 0.5) * column + offset
            if point.mean is None or not math.isfinite(point.mean) or point.n <= 0:
                out.append(PlotPoint(x, None, None, None, "no data", "n = 0", "#9e9e9e", "", ""))
                pen_down = False
                continue
            y = y_of(point.mean)
            low = y_of(point.low) if point.low is not None else None
            high = y_of(point.high) if point.high is not None else None
            path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
            pen_down = True
            tone = sentiment_class(point.mean)
            colour_point = colour if multi else DIVERGING.get(tone, "#1d2433")
            if tone == "neu" and not multi:
                colour_point = "#5b6472"
            out.append(
                PlotPoint(
                    x=x,
                    y=y,
                    y_low=low,
                    y_high=high,
                    value_text=fmt_signed(point.mean),
                    n_text=f"n = {point.n:,}",
                    colour=colour_point,
                    moment=point.moment if not multi else "",
                    moment_text=MOMENT_SHORT.get(point.moment, ""),
                )
            )
        plotted.append(
            PlotSeries(
                name=name,
                colour=colour,
                dash=dashes[k % len(dashes)] if multi else "",
                marker=markers[k % len(markers)] if multi else "circle",
                points=out,
                path=" ".join(path),
            )
        )
        parts = []
        for stage, p in zip(stage_names, points, strict=False):
            if p.mean is None or p.n <= 0:
                parts.append(f"{stage}: no data")
            else:
                ci = f" (95% interval {fmt_signed(p.low)} to {fmt_signed(p.high)})" if p.low is not None and p.high is not None else ""
                mark = f", {MOMENT_SHORT[p.moment].lower()}" if p.moment in MOMENT_SHORT else ""
                parts.append(f"{stage}: {fmt_signed(p.mean)}{ci}, n = {p.n}{mark}")
        descriptions.append((f"{name}: " if multi else "") + "; ".join(parts) + ".")
    return Curve(
        width=n * column,
        height=height,
        column=column,
        top=top,
        bottom=bottom,
        zero_y=y_of(0.0),
        ticks=ticks,
        series=plotted,
        stage_labels=[((i + 0.5) * column, _label_lines(name, column)) for i, name in enumerate(stage_names)]
        if show_stage_labels
        else [],
        title=title,
        description="Mean sentiment per stage on a scale from −1 (negative) to +1 (positive). " + " ".join(descriptions),
        show_values=not multi,
        legend=[(s.name, s.colour, s.dash) for s in plotted] if multi else [],
    )
