"""The comparison as one self-contained HTML page (no script, no network, printable).

Rendered by `report/templates/trends.html.j2` through the same Jinja2 environment as the
journey map: autoescape on, so customer text (theme labels and quotes are the customers' words)
reaches the page only as escaped text. The emotion curves are the map's inline SVG curve, one
series per run. A Content-Security-Policy forbids any fetch.
"""

from __future__ import annotations

from typing import Any

from ..report._common import CATEGORICAL, DIVERGING, environment, fmt_signed, sentiment_class
from ..report._curve import StagePoint, build_curve
from . import _format
from .result import RunComparison, StageChange

# No script at all: the page is static, so nothing but inline styles and data: images is allowed.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _point(stage: StageChange, run: str) -> StagePoint:
    mean = stage.mean_a if run == "a" else stage.mean_b
    interval = stage.interval_a if run == "a" else stage.interval_b
    n = stage.segments_a if run == "a" else stage.segments_b
    moment = stage.moment_a if run == "a" else stage.moment_b
    low, high = interval if interval else (None, None)
    return StagePoint(mean, low, high, n if mean is not None else 0, moment)


def emotion_curves(comparison: RunComparison) -> Any:
    """Both runs' emotion curves on one chart (report/_curve.py geometry)."""
    names = (comparison.run_a["name"], comparison.run_b["name"])
    stages = comparison.stages
    column = max(170.0, 1400.0 / max(1, len(stages)))
    return build_curve(
        [s.name for s in stages],
        {names[0]: [_point(s, "a") for s in stages], names[1]: [_point(s, "b") for s in stages]},
        colours=CATEGORICAL,
        column=column,
        height=320.0,
        show_stage_labels=True,
        title=f"Emotion across the journey: {names[0]} and {names[1]}",
    )


def render_trend_html(comparison: RunComparison, *, fragment: bool = False) -> str:
    """The comparison page as an HTML string; `fragment` leaves out the document shell (for
    notebooks, where the page is shown inside another)."""
    template = environment().get_template("trends.html.j2")
    return template.render(
        c=comparison,
        a=comparison.run_a,
        b=comparison.run_b,
        counts=comparison.counts,
        sections=[(status, title, comparison.with_status(status), _format.STATUS_NONE[status])
                  for status, title in _format.STATUS_TITLES.items()],
        unchanged=comparison.with_status("no significant change"),
        curve=emotion_curves(comparison),
        fmt=_format,
        signed=fmt_signed,
        tone=sentiment_class,
        palette=DIVERGING,
        headline=_format.headline(comparison),
        method=_format.method_notes(comparison),
        csp=CSP,
        fragment=fragment,
    )
