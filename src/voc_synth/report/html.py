"""The journey map as one self-contained, interactive, printable HTML file.

Stages are columns in framework order; lanes are the stage and goal, emotion (an inline SVG
curve), metrics, pain points, delights, touchpoints, the customer's own words and draft
opportunities. Clicking a theme card opens all its attributed quotes in a side panel; checkboxes
filter by source type. The page makes no network request: styles and script are inline, fonts are
system stacks, and a Content-Security-Policy forbids any fetch. Customer text reaches the page
only through autoescaped Jinja2 output and a JSON block escaped so it cannot close its element;
the script renders it with `textContent`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from ._common import (
    JourneyView,
    asset,
    build_view,
    content_security_policy,
    environment,
    script_json,
)
from ._curve import StagePoint, build_curve

JOURNEY_MAP_FILE = "journey_map.html"


def emotion_curve_for(
    view: JourneyView, *, show_stage_labels: bool = False, column: float = 240.0, height: float = 260.0
):
    """The emotion curve of a view's stages (one point per stage); `column` is the width of one
    stage in SVG units (smaller → larger text relative to the curve)."""
    points = [
        StagePoint(s.sentiment_mean, s.sentiment_ci_low, s.sentiment_ci_high, s.n_segments, s.moment)
        for s in view.stages
    ]
    return build_curve(
        [s.name for s in view.stages],
        {"emotion": points},
        show_stage_labels=show_stage_labels,
        column=column,
        height=height + (44.0 if show_stage_labels else 0.0),
    )


def page_data(view: JourneyView) -> dict[str, Any]:
    """What the page's script needs: every theme with all its quotes."""
    return {
        "project": view.project,
        "themes": {str(t.theme_id): t.to_json() for t in view.themes},
        "stages": [{"id": s.stage_id, "name": s.name} for s in view.stages],
        "source_types": view.source_types,
    }


def render_journey_map(synthesis: Any, folder: Path | None = None) -> str:
    """The journey map page for `synthesis` as an HTML string.

    With the `folder` the page is written to, a quote from a recording gets a player of the
    quoted moment (`audio.player`): a file on this machine, never a network fetch.
    """
    from ..audio.player import quoted_moments

    view = build_view(synthesis)
    players = quoted_moments(synthesis, folder) if folder is not None else {}
    script = asset("journey_map.js")
    csp = content_security_policy(script)
    if players:
        # Media from local files only: a page served over the network still fetches nothing.
        csp += "; media-src file:"
    # The curve is as wide as the stage columns; a constant overall width keeps its text the same
    # size on the page whether the framework has 4 stages or 10.
    column = max(240.0, 1680.0 / max(1, len(view.stages)))
    template = environment().get_template("journey_map.html.j2")
    return template.render(
        view=view,
        curve=emotion_curve_for(view, column=column),
        # Flatter for print, so the whole map fits one A3 landscape page.
        print_curve=emotion_curve_for(view, height=205.0, column=column),
        css=Markup(asset("journey_map.css")),
        script=Markup(script),
        csp=csp,
        players=players,
        data_json=script_json(page_data(view)),
    )


def write_journey_map(synthesis: Any, path: Path | str) -> Path:
    """Write the journey map to `path` (a file, or a folder to hold `journey_map.html`)."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / JOURNEY_MAP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_journey_map(synthesis, path.parent), encoding="utf-8")
    return path
