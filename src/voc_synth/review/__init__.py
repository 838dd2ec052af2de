"""Human validation of a generated map: review.yaml, applying its decisions, theme identity
across runs, and a notebook review panel.

    from voc_synth.review import init_review, read_review, apply_review
    init_review("runs/q3")                                  # writes runs/q3/review.yaml
    reviewed, report = apply_review(synthesis, "runs/q3/review.yaml")
    print(report)                                           # orphans and problems, if any
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .apply import Orphan, ReviewReport, apply_review, generated_synthesis
from .review_file import (
    REVIEW_FILE,
    SEVERITIES,
    STATUSES,
    Review,
    SplitDecision,
    ThemeDecision,
    read_review,
    render_review,
    state_path,
    write_review,
)
from .sync import InitResult, init_review, review_for_synthesis

# Files a run folder must carry over when it is rewritten (voc-synth run --out DIR, report DIR).
PRESERVED_FILES = (REVIEW_FILE, state_path(REVIEW_FILE).name, REVIEW_FILE + ".bak")

__all__ = [
    "PRESERVED_FILES",
    "REVIEW_FILE",
    "SEVERITIES",
    "STATUSES",
    "InitResult",
    "Orphan",
    "Review",
    "ReviewPanel",
    "ReviewReport",
    "SplitDecision",
    "ThemeDecision",
    "apply_review",
    "carry_over_review_files",
    "generated_synthesis",
    "init_review",
    "read_review",
    "render_review",
    "review_for_synthesis",
    "write_review",
]


def carry_over_review_files(old_dir: str | Path, new_dir: str | Path) -> list[Path]:
    """Copy review.yaml (+ state, backup) from a run folder about to be replaced into its
    replacement, so re-running into the same --out never loses the researchers' decisions."""
    import shutil

    old_dir, new_dir = Path(old_dir), Path(new_dir)
    copied = []
    for name in PRESERVED_FILES:
        source = old_dir / name
        if source.is_file() and not (new_dir / name).exists():
            new_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, new_dir / name)
            copied.append(new_dir / name)
    return copied


def __getattr__(name: str) -> Any:
    if name == "ReviewPanel":  # ipywidgets loads only when the panel is used
        from .panel import ReviewPanel

        return ReviewPanel
    raise AttributeError(f"module 'voc_synth.review' has no attribute {name!r}")
