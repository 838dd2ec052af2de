"""Inline HTML for JupyterLab: how a `Synthesis` and a theme render themselves.

`Synthesis._repr_html_` calls `synthesis_html`: counts, the emotion curve, a stage table with top
pain points and delights, and the themes. `ThemeCard(synthesis, theme_id)` (or `theme_html`)
shows one theme with all its attributed quotes. No script, inline styles only (notebook
sanitisers keep them), and every value autoescaped.
"""

from __future__ import annotations

from typing import Any

from ._common import DIVERGING, build_view, environment
from .html import emotion_curve_for


def synthesis_html(synthesis: Any, *, max_themes: int = 25) -> str:
    """A compact HTML summary of `synthesis` for notebooks."""
    view = build_view(synthesis)
    curve = emotion_curve_for(view, show_stage_labels=True, column=170.0)
    return environment().get_template("notebook.html.j2").render(
        kind="synthesis", view=view, curve=curve, palette=DIVERGING, max_themes=max_themes
    )


def theme_html(synthesis: Any, theme_id: int) -> str:
    """One theme as an HTML card: prevalence, evidence, sentiment and all its quotes."""
    view = build_view(synthesis)
    try:
        theme = view.theme(int(theme_id))
    except KeyError:
        known = sorted(t.theme_id for t in view.themes)
        raise KeyError(f"No theme {theme_id}; known: {known}") from None
    return environment().get_template("notebook.html.j2").render(kind="theme", t=theme, palette=DIVERGING)


class ThemeCard:
    """A theme that renders itself in a notebook: `ThemeCard(synthesis, 3)`."""

    def __init__(self, synthesis: Any, theme_id: int) -> None:
        self.synthesis = synthesis
        self.theme_id = int(theme_id)

    def _repr_html_(self) -> str:
        return theme_html(self.synthesis, self.theme_id)

    def __repr__(self) -> str:
        view = build_view(self.synthesis)
        theme = view.theme(self.theme_id)
        return (
            f"<Theme {theme.theme_id}: {theme.label!r} · {theme.polarity} · {theme.stage_name} · "
            f"{theme.evidence_strength} · {theme.prevalence_text}>"
        )
