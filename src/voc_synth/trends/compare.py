"""`compare_runs(RUN_A, RUN_B)`: what changed between two saved runs (say, two quarters).

Reads both run folders (never re-running the analysis), embeds their segment texts with run A's
embedding model (cached, so texts a run already embedded cost nothing), pairs the themes
(`pairing.py`), measures every theme family in both runs with one yardstick (`prevalence.py`),
tests the changes (`theme_changes.py`, `stage_changes.py`) and returns a `RunComparison`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..embed import embed_texts
from ..ingest.meaning import meaning_text
from ..report._common import build_view
from ..review.matching import MIN_COVERAGE
from .pairing import closest_across, pair_themes, run_fingerprints, segment_keys
from .prevalence import measure
from .result import RunComparison
from .runs import LoadedRun, describe, load_pair
from .stage_changes import moment_changes, stage_changes
from .theme_changes import theme_changes

DEFAULT_ALPHA = 0.05
DEFAULT_REPS = 2000


def _labels(run: LoadedRun) -> dict[int, str]:
    themes = run.synthesis.themes
    return {int(t): str(label) for t, label in zip(themes["theme_id"], themes.get("label", themes["theme_id"]), strict=True)}


def _embed(run: LoadedRun, config: Any, progress: Any) -> np.ndarray:
    # The same words the run's own themes were found from (pipeline.synthesize).
    texts = [meaning_text(t) for t in run.synthesis.segments["text"].fillna("").astype(str)]
    return embed_texts(texts, config, progress=progress, record=False, description=f"Reading {run.name}")


def compare_runs(
    run_a: Path | str,
    run_b: Path | str,
    *,
    alpha: float = DEFAULT_ALPHA,
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    progress: Any = None,
) -> RunComparison:
    """Compare an earlier run folder (`run_a`) with a later one (`run_b`).

    `alpha` is the false discovery rate below which a change is called significant (Benjamini–
    Hochberg, over the theme families, and separately over the stages); `reps` and `seed` set
    the bootstrap of stage emotion. `progress` is a `ProgressFactory` (the CLI passes rich bars).
    Raises `InputError` for a folder that is not a run or runs on different journey frameworks.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    a, b, notes = load_pair(run_a, run_b)
    config = a.embedding_config()  # one model for both runs, or their centroids would not compare
    emb_a, emb_b = _embed(a, config, progress), _embed(b, config, progress)
    keys_a, keys_b, shared = segment_keys(a.synthesis.segments, b.synthesis.segments)
    fp_a = run_fingerprints(a.synthesis.segments, keys_a, emb_a, _labels(a))
    fp_b = run_fingerprints(b.synthesis.segments, keys_b, emb_b, _labels(b))
    pairing = pair_themes(fp_a, fp_b, set(keys_a), set(keys_b))

    rows = [("a", t) for t in fp_a] + [("b", t) for t in fp_b]
    centroids = np.stack([(fp_a if run == "a" else fp_b)[t].centroid for run, t in rows])
    prevalence_a = measure(a.synthesis.segments, emb_a, centroids, rows)
    prevalence_b = measure(b.synthesis.segments, emb_b, centroids, rows)

    themes = theme_changes(pairing.families, prevalence_a, prevalence_b, closest_across(fp_a, fp_b),
                           build_view(a.synthesis), build_view(b.synthesis), names=(a.name, b.name), alpha=alpha)
    stages = stage_changes(a.synthesis, b.synthesis, alpha=alpha, reps=reps, seed=seed)
    method = {
        "alpha": alpha,
        "bootstrap_reps": reps,
        "seed": seed,
        "embedding_model": config.model,
        "theme_families": len(themes),
        "themed_records_a": prevalence_a.themed_records,
        "themed_records_b": prevalence_b.themed_records,
        "shared_texts": round(shared, 4),
        "matched_by": "shared segments and centroids" if shared >= MIN_COVERAGE else "centroids",
    }
    return RunComparison(run_a=describe(a), run_b=describe(b), themes=themes, stages=stages,
                         moments=moment_changes(stages), method=method, notes=notes)
