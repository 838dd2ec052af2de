"""Bring a review file in line with a run: list every theme, keep every decision.

`review_for_synthesis` builds the `Review` (and its state) for a synthesis — fresh, or starting
from an existing review whose decisions are all kept, with the run's new themes added. It is
what `voc-synth review init` and the notebook panel write.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..synthesis import Synthesis
from .apply import generated_synthesis, match_review
from .matching import Fingerprint
from .review_file import (
    REVIEW_FILE,
    Review,
    ReviewState,
    ThemeContext,
    ThemeDecision,
    ThemeState,
    load_state,
    read_review,
    save_state,
    write_review,
)

POLARITY_WORDS = {"pain": "pain point", "delight": "delight", "mixed": "mixed feelings", "neutral": "neutral"}


@dataclass
class InitResult:
    """What `init_review` wrote."""

    path: Path
    added: list[int] = field(default_factory=list)     # ids of themes new to the file
    kept: list[int] = field(default_factory=list)      # ids whose decisions were kept
    orphans: dict[int, str] = field(default_factory=dict)
    backup: Path | None = None

    def summary_lines(self) -> list[str]:
        lines = [f"Wrote {self.path}: {len(self.added)} theme(s) added, {len(self.kept)} kept with their decisions"]
        if self.backup:
            lines.append(f"previous file saved as {self.backup}")
        lines += [f"orphaned (kept in the file): theme {k}: {v}" for k, v in self.orphans.items()]
        return lines


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _source(quote: dict[str, Any]) -> str:
    who = _text(quote.get("participant")) or _text(quote.get("doc_id"))
    kind = _text(quote.get("source_type"))
    return ", ".join(x for x in (who, kind) if x)


def theme_context(theme: dict[str, Any], quotes: pd.DataFrame, stage_names: dict[str, str]) -> ThemeContext:
    """The comments shown beside a theme's decisions."""
    stage = _text(theme.get("primary_stage"))
    stage_text = f"{stage} ({stage_names[stage]})" if stage in stage_names else stage
    bits = [
        POLARITY_WORDS.get(_text(theme.get("polarity")), _text(theme.get("polarity"))),
        f"stage {stage_text}" if stage_text else "",
        f"{int(theme.get('n_segments') or 0)} segments: {_text(theme.get('prevalence_text'))}",
        f"evidence {_text(theme.get('evidence_strength'))}" if theme.get("evidence_strength") else "",
    ]
    rows = quotes[quotes["theme_id"] == theme["theme_id"]].sort_values("rank") if len(quotes) else quotes
    listed = [(str(q["segment_id"]), _text(q.get("text")), _source(q)) for q in rows.head(6).to_dict("records")]
    return ThemeContext(
        theme_id=int(theme["theme_id"]),
        generated_label=_text(theme.get("label")),
        summary=" · ".join(b for b in bits if b),
        stage=stage_text,
        quotes=listed,
        opportunity=_text(theme.get("opportunity")),
    )


def _fingerprint_state(fp: Fingerprint, theme_id: int, label: str, insight: str, run: str,
                       previous: ThemeState | None) -> ThemeState:
    centroid = [float(x) for x in fp.centroid] if fp.centroid is not None else (previous.centroid if previous else None)
    return ThemeState(segment_ids=sorted(fp.segment_ids), centroid=centroid, theme_id=theme_id,
                      file_label=label, file_insight=insight, seen_in=run)


def review_for_synthesis(
    synthesis: Synthesis,
    existing: Review | None = None,
    state: ReviewState | None = None,
    run_dir: Path | str | None = None,
) -> tuple[Review, ReviewState, InitResult]:
    """A review listing every theme of `synthesis`; an `existing` review's decisions all kept.

    Themes of the run that match an existing entry keep its id and decisions (a label or insight
    the researcher left as generated is refreshed to this run's); other themes are added as
    drafts; entries with no theme in this run stay, marked orphaned.
    """
    raw = generated_synthesis(synthesis)
    state = state or ReviewState()
    themes = raw.themes.to_dict("records") if len(raw.themes) else []
    by_theme = {int(t["theme_id"]): t for t in themes}
    stage_names = {s["id"]: s.get("name", s["id"]) for s in raw.framework.get("stages", [])}
    run = _text(raw.meta.get("created_at"))
    seg_text = dict(zip(raw.segments["segment_id"].astype(str), raw.segments["text"].astype(str), strict=True))
    review = Review(
        validated_by=existing.validated_by if existing else "",
        validated_on=existing.validated_on if existing else "",
        path=existing.path if existing else None,
        run={"project": _text(raw.meta.get("project")), "created_at": run,
             "run_dir": str(run_dir) if run_dir else "", "themes": len(themes)},
        stage_ids=list(stage_names),
    )
    result = InitResult(path=Path(existing.path) if existing and existing.path else Path(REVIEW_FILE))
    probe = existing or Review()
    matching = match_review(probe, state, raw)
    new_state = ReviewState(themes=dict(state.themes), universe=raw.segments["segment_id"].astype(str).tolist(),
                            run=run)
    claimed = set()
    for decision in probe.themes:
        decision = ThemeDecision(**{k: getattr(decision, k) for k in decision.__dataclass_fields__})
        theme_id = matching.matches.get(decision.id)
        previous = state.themes.get(decision.id)
        if theme_id is None or theme_id not in by_theme:
            context = ThemeContext(orphan_reason=matching.orphans.get(decision.id, "not found in this run"))
            result.orphans[decision.id] = context.orphan_reason
        else:
            theme = by_theme[theme_id]
            claimed.add(theme_id)
            context = theme_context(theme, raw.quotes, stage_names)
            written_label = previous.file_label if previous else ""
            written_insight = previous.file_insight if previous else ""
            # Text the researcher has not touched follows the analysis.
            if not decision.label or (written_label and decision.label == written_label):
                decision.label = context.generated_label
            if not decision.insight or (written_insight and decision.insight == written_insight):
                decision.insight = _text(theme.get("insight"))
            fp = matching.current.get(theme_id)
            if fp is not None:
                new_state.themes[decision.id] = _fingerprint_state(
                    fp, theme_id, context.generated_label, _text(theme.get("insight")), run, previous)
            elif previous:
                new_state.themes[decision.id] = previous
        result.kept.append(decision.id)
        context.quote_text = {sid: seg_text.get(sid, "") for sid in [*decision.starred, *decision.hidden]}
        review.themes.append(decision)
        review.context[decision.id] = context
    for theme in themes:
        theme_id = int(theme["theme_id"])
        if theme_id in claimed:
            continue
        new_id = review.next_free_id(theme_id)
        context = theme_context(theme, raw.quotes, stage_names)
        status = _text(theme.get("status")) or "draft"
        decision = ThemeDecision(id=new_id, label=context.generated_label, insight=_text(theme.get("insight")),
                                 status=status if status in ("draft", "validated", "rejected") else "draft")
        review.themes.append(decision)
        review.context[new_id] = context
        fp = matching.current.get(theme_id)
        if fp is not None:
            new_state.themes[new_id] = _fingerprint_state(fp, theme_id, decision.label, decision.insight, run, None)
        result.added.append(new_id)
    return review, new_state, result


def default_review_path(run_dir: Path | str) -> Path:
    return Path(run_dir) / REVIEW_FILE


def init_review(
    run: Path | str | Synthesis,
    out: Path | str | None = None,
    *,
    force: bool = False,
) -> InitResult:
    """Write a commented review.yaml listing every theme of a run (`voc-synth review init`).

    `run` is a run folder (or a Synthesis, then `out` is required). The file goes to `out`
    (a file, or a folder to hold review.yaml), default RUN_DIR/review.yaml. An existing file is
    never replaced without `force`; with it, every decision in it is kept, this run's new themes
    are added, and the previous file is saved as `review.yaml.bak`.
    """
    if isinstance(run, Synthesis):
        if out is None:
            raise InputError("init_review(synthesis, out=…): say where to write the review file.")
        synthesis, run_dir = run, None
    else:
        run_dir = Path(run)
        synthesis = Synthesis.load(run_dir)
    path = Path(out) if out is not None else default_review_path(run_dir)
    if path.is_dir():
        path = path / REVIEW_FILE
    existing = None
    backup = None
    if path.exists():
        if not force:
            raise InputError(
                f"{path} already exists; not overwriting it. Pass --force to add this run's new themes "
                "to it (every decision in it is kept, the old file is saved as .bak), or --out another file."
            )
        existing = read_review(path)  # an invalid file stops here: fix it before it is rewritten
        backup = path.with_name(path.name + ".bak")
        shutil.copy2(path, backup)
    review, state, result = review_for_synthesis(synthesis, existing, load_state(path) if existing else None,
                                                 run_dir=run_dir)
    write_review(review, path, overwrite=True)
    save_state(state, path)
    result.path = path
    result.backup = backup
    return result
