"""Emotion per journey stage in two runs, and the moments that matter that moved.

A stage's emotion is the mean sentiment of the segments placed on it — the number the journey
map shows. Its change from A to B gets a 95% interval from a record-level bootstrap (seeded) and
a p-value; the p-values of all stages are adjusted with Benjamini–Hochberg, and only a stage with
q below `alpha` is said to have moved. Moments that matter (trough, sharp drop, peak) are read
from each run's stage table, as the maps mark them.
"""

from __future__ import annotations

import pandas as pd

from ..report._common import MOMENT_SHORT, is_missing, num, text
from ..synthesis import Synthesis
from .result import MomentChange, StageChange
from .stats import benjamini_hochberg, bootstrap_mean_difference


def _moments(synthesis: Synthesis) -> dict[str, str]:
    stages = synthesis.stages
    if not len(stages) or "moment" not in stages.columns:
        return {}
    return {text(r["stage_id"]): text(r["moment"]) for r in stages.to_dict("records") if not is_missing(r["moment"])}


def _intervals(synthesis: Synthesis) -> dict[str, list[float]]:
    """Each stage's 95% interval of mean sentiment, as the run's map shows it."""
    stages = synthesis.stages
    if not len(stages) or "sentiment_ci_low" not in stages.columns:
        return {}
    out = {}
    for row in stages.to_dict("records"):
        low, high = num(row.get("sentiment_ci_low")), num(row.get("sentiment_ci_high"))
        if low is not None and high is not None:
            out[text(row["stage_id"])] = [low, high]
    return out


def _on_stage(segments: pd.DataFrame, stage_id: str) -> pd.DataFrame:
    return segments[segments["stage"].astype(str) == stage_id]


def stage_changes(
    a: Synthesis,
    b: Synthesis,
    *,
    alpha: float = 0.05,
    reps: int = 2000,
    seed: int = 0,
) -> list[StageChange]:
    """One `StageChange` per stage of the (shared) framework, in framework order."""
    stages = [s for s in b.framework.get("stages", []) if isinstance(s, dict)]
    moments_a, moments_b = _moments(a), _moments(b)
    intervals_a, intervals_b = _intervals(a), _intervals(b)
    results = []
    for order, stage in enumerate(stages, start=1):
        stage_id = str(stage.get("id"))
        seg_a, seg_b = _on_stage(a.segments, stage_id), _on_stage(b.segments, stage_id)
        # Each stage gets its own stream, so adding a stage to a framework leaves the others' numbers alone.
        result = bootstrap_mean_difference(
            seg_a["sentiment"].to_numpy(dtype=float), seg_a["doc_id"].astype(str).to_numpy(),
            seg_b["sentiment"].to_numpy(dtype=float), seg_b["doc_id"].astype(str).to_numpy(),
            reps=reps, seed=[seed, order],
        )
        results.append((stage_id, str(stage.get("name") or stage_id), order, result, len(seg_a), len(seg_b)))
    q_values = iter(benjamini_hochberg([r[3].p_value for r in results if r[3] is not None]))
    changes = []
    for stage_id, name, order, result, n_a, n_b in results:
        common = {"stage_id": stage_id, "name": name, "order": order, "segments_a": n_a, "segments_b": n_b,
                  "moment_a": moments_a.get(stage_id, ""), "moment_b": moments_b.get(stage_id, ""),
                  "interval_a": intervals_a.get(stage_id), "interval_b": intervals_b.get(stage_id)}
        if result is None:
            changes.append(StageChange(status="not enough data", mean_a=None, mean_b=None, difference=None,
                                       ci_low=None, ci_high=None, p_value=None, q_value=None,
                                       records_a=int(_on_stage(a.segments, stage_id)["doc_id"].nunique()),
                                       records_b=int(_on_stage(b.segments, stage_id)["doc_id"].nunique()), **common))
            continue
        q = next(q_values)
        status = "no significant change"
        if q < alpha:
            status = "more positive" if result.difference > 0 else "more negative"
        changes.append(StageChange(status=status, mean_a=result.mean_a, mean_b=result.mean_b,
                                   difference=result.difference, ci_low=result.ci_low, ci_high=result.ci_high,
                                   p_value=result.p_value, q_value=q, records_a=result.records_a,
                                   records_b=result.records_b, **common))
    return changes


def moment_changes(stages: list[StageChange]) -> list[MomentChange]:
    """For each kind of moment that matters, the stages it marks in A and in B, and what changed."""
    out = []
    for kind, label in MOMENT_SHORT.items():
        in_a = [s.name for s in stages if s.moment_a == kind]
        in_b = [s.name for s in stages if s.moment_b == kind]
        if not in_a and not in_b:
            status = "none"
        elif in_a == in_b:
            status = "unchanged"
        elif not in_a:
            status = "appeared"
        elif not in_b:
            status = "disappeared"
        else:
            status = "moved"
        out.append(MomentChange(kind=kind, label=label, stages_a=in_a, stages_b=in_b, status=status))
    return out
