"""The workshop kit: validated insights as a slide deck, sticky notes for whiteboards, printable
insight cards and a pre-read (`voc-synth export RUN_DIR --workshop`).

    from voc_synth.workshop import export_workshop
    export_workshop(reviewed_synthesis, "runs/q3")            # → runs/q3/workshop/…
    export_workshop(synthesis, "runs/q3", include_drafts=True)  # drafts marked DRAFT
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from ..synthesis import SYNTHESIS_FILE, Synthesis
from .cards import render_cards, write_cards
from .deck import build_deck, expected_titles
from .insights import Insight, build_insights, require_insights, top_pain_points
from .preread import render_preread, write_preread
from .stickies import sticky_rows, write_stickies
from .summary import RunFacts, run_facts

WORKSHOP_DIR = "workshop"
DECK_FILE, STICKIES_FILE, CARDS_FILE, PREREAD_FILE, MAP_FILE = (
    "deck.pptx", "stickies.csv", "cards.html", "pre-read.md", "journey_map.png")

__all__ = [
    "Insight",
    "RunFacts",
    "build_insights",
    "expected_titles",
    "export_workshop",
    "render_cards",
    "render_preread",
    "run_facts",
    "sticky_rows",
    "top_pain_points",
]


def _same_run(synthesis: Synthesis, run_dir: Path) -> bool:
    """Does run_dir's saved synthesis show what `synthesis` shows (same run, same review)?"""
    path = run_dir / SYNTHESIS_FILE
    if not path.is_file():
        return not synthesis.meta.get("review")
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("meta") or {}
    except (OSError, ValueError):
        return False
    applied = (synthesis.meta.get("review") or {}).get("applied_at")
    return meta.get("created_at") == synthesis.meta.get("created_at") and \
        (meta.get("review") or {}).get("applied_at") == applied


def _simple_map(synthesis: Synthesis, insights: list[Insight], path: Path) -> Path:
    """A plain emotion curve across the stages (when the report's figure is unavailable)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .insights import num, stage_table
    from .textfit import truncate

    stages = stage_table(synthesis)
    names = [truncate(str(s.get("name") or s.get("stage_id")), 22) for s in stages]
    means = [num(s.get("sentiment_mean")) for s in stages]
    fig, ax = plt.subplots(figsize=(13.3, 5.6), dpi=110)
    xs = list(range(len(stages)))
    ys = [m if m is not None else float("nan") for m in means]
    ax.axhline(0, color="#9e9e9e", lw=1)
    ax.plot(xs, ys, color="#1d2433", lw=2, marker="o")
    for x, y in zip(xs, ys, strict=True):
        if y == y:
            ax.scatter([x], [y], s=140, color="#b35806" if y < 0 else "#2166ac", zorder=3)
    for x, stage in zip(xs, stages, strict=True):
        ins = [i for i in insights if i.stage_id == stage.get("stage_id")]
        pains = sum(1 for i in ins if i.is_pain)
        delights = sum(1 for i in ins if i.polarity == "delight")
        ax.annotate(f"{pains} pain · {delights} delight", (x, -1.05), ha="center", fontsize=9, color="#5b6472")
    ax.set_xticks(xs, names, fontsize=10)
    ax.set_ylim(-1.15, 1.05)
    ax.set_ylabel("mean sentiment (−1…+1)")
    ax.set_title("Emotion across the journey", loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def journey_map_image(synthesis: Synthesis, run_dir: Path, dest: Path, insights: list[Insight]) -> Path:
    """`dest/journey_map.png`: the run's own map image when it shows this synthesis, else one
    rendered by the report's figure code, else a simple curve."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / MAP_FILE
    run_png = run_dir / MAP_FILE
    if run_png.is_file() and _same_run(synthesis, run_dir):
        shutil.copy2(run_png, target)
        return target
    try:
        from ..report.figures import write_figures

        with tempfile.TemporaryDirectory() as tmp:
            written = [p for p in write_figures(synthesis, tmp, formats=("png",)) if Path(p).suffix == ".png"]
            if written:
                shutil.copy2(written[0], target)
                return target
    except Exception as err:  # the report's figure is optional here; fall back, but say so
        warnings.warn(f"journey map figure from voc_synth.report failed ({err}); using a simple curve",
                      stacklevel=2)
    return _simple_map(synthesis, insights, target)


def export_workshop(
    synthesis: Synthesis,
    out_dir: Path | str,
    include_drafts: bool = False,
) -> list[Path]:
    """Write the workshop kit into `out_dir/workshop/` and return the files written.

    Uses validated insights only, unless `include_drafts` (drafts are then marked DRAFT on every
    slide, sticky and card they appear on). Raises InputError when there is nothing to export.
    The folder is replaced as a whole, so a failed export never leaves a half-written kit.
    """
    out_dir = Path(out_dir)
    insights = require_insights(synthesis, include_drafts)
    facts = run_facts(synthesis, insights, include_drafts)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / WORKSHOP_DIR
    tmp = Path(tempfile.mkdtemp(prefix=f".{WORKSHOP_DIR}.tmp-", dir=out_dir))
    tmp.chmod(0o755)  # mkdtemp makes it private; the kit is meant to be shared
    try:
        image = journey_map_image(synthesis, out_dir, tmp, insights)
        build_deck(synthesis, insights, facts, image, tmp / DECK_FILE, include_drafts)
        write_stickies(synthesis, insights, tmp / STICKIES_FILE, include_drafts)
        write_cards(insights, facts, tmp / CARDS_FILE)
        write_preread(synthesis, insights, facts, tmp / PREREAD_FILE)
        if target.exists():
            old = out_dir / f".{WORKSHOP_DIR}.old-{os.getpid()}"
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [target / name for name in (DECK_FILE, STICKIES_FILE, CARDS_FILE, PREREAD_FILE, MAP_FILE)]
