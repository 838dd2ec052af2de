"""A review panel for notebooks: validate, reject, rename, merge, re-stage and star/hide quotes,
then save — to the same review.yaml `voc-synth review init` writes, with the same writer.

    from voc_synth.review import ReviewPanel
    panel = ReviewPanel(synthesis, "runs/q3/review.yaml")
    panel            # shows the panel; press "Save review" (or call panel.save())
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..errors import InputError
from ..synthesis import Synthesis
from .review_file import (
    REVIEW_FILE,
    SEVERITIES,
    STATUSES,
    Review,
    ThemeDecision,
    file_digest,
    load_state,
    read_review,
    save_state,
    write_review,
)
from .sync import review_for_synthesis

_KEEP = ""      # dropdown value: keep the stage the analysis found / no severity
_NO_MERGE = -1  # dropdown value: no merge


@dataclass
class QuoteControls:
    segment_id: str
    text: w.HTML
    star: w.Checkbox
    hide: w.Checkbox


@dataclass
class ThemeEditor:
    """The widgets editing one theme's decisions (tests drive their `.value`s)."""

    id: int
    box: w.VBox
    label: w.Text
    status: w.ToggleButtons
    stage: w.Dropdown
    merge_into: w.Dropdown
    severity: w.Dropdown
    owner: w.Text
    insight: w.Textarea
    notes: w.Textarea
    quotes: dict[str, QuoteControls] = field(default_factory=dict)


class ReviewPanel:
    """An ipywidgets editor for a run's review file.

    Opens `path` if it exists (every decision in it is kept; the run's new themes are added),
    else starts from the synthesis' themes. `save()` writes review.yaml (and its state file);
    it refuses to overwrite a file changed on disk since the panel opened it unless `force`.
    """

    def __init__(self, synthesis: Synthesis, path: Path | str = REVIEW_FILE, *, max_quotes: int = 6) -> None:
        self.synthesis = synthesis
        self.path = Path(path)
        if self.path.is_dir():
            self.path = self.path / REVIEW_FILE
        existing = read_review(self.path) if self.path.exists() else None
        state = load_state(self.path) if existing else None
        self.review, self.state, self.init_result = review_for_synthesis(synthesis, existing, state)
        self._digest = file_digest(self.path)
        self.max_quotes = max_quotes
        self.editors: dict[int, ThemeEditor] = {}
        self.validated_by = w.Text(value=self.review.validated_by, description="Reviewed by",
                                   placeholder="your name")
        self.validated_on = w.Text(value=self.review.validated_on, description="On",
                                   placeholder="YYYY-MM-DD (today when saved)")
        self.save_button = w.Button(description="Save review", button_style="primary", icon="save")
        self.save_button.on_click(lambda _: self._save_clicked())
        self.message = w.HTML()
        self.widget = self._build()

    # -- building ------------------------------------------------------------------------------
    def _stage_options(self, found: str) -> list[tuple[str, str]]:
        stages = self.synthesis.framework.get("stages", [])
        return [(f"as found ({found or 'none'})", _KEEP)] + [(s.get("name", s["id"]), s["id"]) for s in stages]

    def _editor(self, decision: ThemeDecision) -> ThemeEditor:
        context = self.review.context.get(decision.id)
        others = [(f"{d.id} · {d.label}"[:80], d.id) for d in self.review.themes if d.id != decision.id]
        stage_options = self._stage_options(context.stage if context else "")
        stage_values = {v for _, v in stage_options}
        editor = ThemeEditor(
            id=decision.id,
            box=w.VBox(),
            label=w.Text(value=decision.label, description="Label", layout=w.Layout(width="95%")),
            status=w.ToggleButtons(options=list(STATUSES), value=decision.status, description="Status"),
            stage=w.Dropdown(options=stage_options,
                             value=decision.stage if decision.stage in stage_values else _KEEP,
                             description="Stage"),
            merge_into=w.Dropdown(options=[("(no merge)", _NO_MERGE), *others],
                                  value=decision.merge_into if decision.merge_into is not None else _NO_MERGE,
                                  description="Merge into"),
            severity=w.Dropdown(options=[("(not graded)", _KEEP), *[(s, s) for s in SEVERITIES]],
                                value=decision.severity or _KEEP, description="Severity"),
            owner=w.Text(value=decision.owner, description="Owner"),
            insight=w.Textarea(value=decision.insight, description="Insight", layout=w.Layout(width="95%")),
            notes=w.Textarea(value=decision.notes, description="Notes", layout=w.Layout(width="95%")),
        )
        header = []
        if context and context.orphan_reason:
            header.append(f"<b>Not in this run</b> — {html.escape(context.orphan_reason)}")
        elif context and context.summary:
            header.append(html.escape(context.summary))
        quote_rows = []
        listed = list(context.quotes[: self.max_quotes]) if context else []
        known = {sid for sid, _, _ in listed}
        for sid in [*decision.starred, *decision.hidden]:
            if sid not in known:
                listed.append((sid, (context.quote_text.get(sid, "") if context else ""), ""))
                known.add(sid)
        for sid, text, source in listed:
            controls = QuoteControls(
                segment_id=sid,
                text=w.HTML(f"<span>“{html.escape(text)}”</span> <small>— {html.escape(source)} "
                            f"<code>{html.escape(sid)}</code></small>"),
                star=w.Checkbox(value=sid in decision.starred, description="star", indent=False,
                                layout=w.Layout(width="70px")),
                hide=w.Checkbox(value=sid in decision.hidden, description="hide", indent=False,
                                layout=w.Layout(width="70px")),
            )
            editor.quotes[sid] = controls
            quote_rows.append(w.HBox([controls.star, controls.hide, controls.text]))
        editor.box.children = [
            w.HTML("<br>".join(header)),
            editor.label, editor.status, w.HBox([editor.stage, editor.merge_into]),
            w.HBox([editor.severity, editor.owner]), editor.insight, editor.notes,
            w.HTML("<b>Quotes</b> (starred first in every export; hidden never shown)"),
            *quote_rows,
        ]
        return editor

    def _build(self) -> w.VBox:
        accordion = w.Accordion()
        children, titles = [], []
        for decision in self.review.themes:
            editor = self._editor(decision)
            self.editors[decision.id] = editor
            children.append(editor.box)
            titles.append(f"{decision.id} · {decision.label} [{decision.status}]"[:90])
        accordion.children = children
        for i, title in enumerate(titles):
            accordion.set_title(i, title)
        intro = w.HTML(
            f"<b>Review of {len(self.review.themes)} themes</b> → <code>{html.escape(str(self.path))}</code>"
        )
        return w.VBox([intro, w.HBox([self.validated_by, self.validated_on]), accordion,
                       w.HBox([self.save_button, self.message])])

    # -- reading the widgets -------------------------------------------------------------------
    def current_review(self) -> Review:
        """The decisions as the widgets show them now."""
        decisions = []
        for decision in self.review.themes:
            editor = self.editors[decision.id]
            shown = editor.quotes
            starred = [s for s in decision.starred if s not in shown]  # kept: not on screen
            hidden = [s for s in decision.hidden if s not in shown]
            starred += [sid for sid, q in shown.items() if q.star.value]
            hidden += [sid for sid, q in shown.items() if q.hide.value]
            decisions.append(replace(
                decision,
                label=editor.label.value.strip() or decision.label,
                status=editor.status.value,
                stage=editor.stage.value or None,
                merge_into=None if editor.merge_into.value == _NO_MERGE else int(editor.merge_into.value),
                severity=editor.severity.value or None,
                owner=editor.owner.value.strip(),
                insight=editor.insight.value.strip(),
                notes=editor.notes.value.strip(),
                starred=starred,
                hidden=hidden,
            ))
        validated_on = self.validated_on.value.strip()
        if not validated_on and self.validated_by.value.strip() and any(d.status != "draft" for d in decisions):
            validated_on = date.today().isoformat()
        return replace(self.review, themes=decisions, validated_by=self.validated_by.value.strip(),
                       validated_on=validated_on)

    # -- saving --------------------------------------------------------------------------------
    def save(self, *, force: bool = False) -> Path:
        """Write review.yaml (+ review.state.json) from the widgets' values."""
        if self.path.exists() and file_digest(self.path) != self._digest and not force:
            raise InputError(
                f"{self.path} changed on disk since this panel opened it; not overwriting those edits. "
                "Open a new ReviewPanel to pick them up, or call save(force=True) to replace them."
            )
        review = self.current_review()
        write_review(review, self.path, overwrite=True)
        save_state(self.state, self.path)
        self.review = review
        self.validated_on.value = review.validated_on
        self._digest = file_digest(self.path)
        counts = {s: sum(d.status == s for d in review.themes) for s in STATUSES}
        self.message.value = html.escape(
            f"Saved {self.path}: {counts['validated']} validated, {counts['rejected']} rejected, "
            f"{counts['draft']} draft."
        )
        return self.path

    def _save_clicked(self) -> None:
        try:
            self.save()
        except InputError as err:
            self.message.value = f"<span style='color:#b35806'>{html.escape(str(err))}</span>"

    # -- display -------------------------------------------------------------------------------
    def show(self) -> w.VBox:
        from IPython.display import display

        display(self.widget)
        return self.widget

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
