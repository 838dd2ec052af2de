"""Bench results: theme quality against planted themes, ours/BERTopic ratios, the targets, the
JSON file and the deltas between two result files.

Ratios are always ours / BERTopic (below 1 = we are faster or leaner). "The analysis" is our
embed + themes steps against BERTopic's `fit_transform` (which embeds, reduces, clusters and
represents). A cold run starts with an empty embedding cache; a warm run reuses the cache the
cold run filled. BERTopic has no cache: its cold run embeds the texts itself, its warm run gets
our (bit-identical cached) embeddings precomputed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .corpora import planted_labels
from .measure import ANALYSIS_STEPS

SCHEMA = "voc_synth.bench/1"
RUNS = ("ours_cold", "ours_warm", "bertopic_cold", "bertopic_warm")

# The targets on the 2-core reference machine.
TARGET_COLD_RATIO = 1.0  # our analysis cold at least as fast as plain BERTopic cold
TARGET_WARM_SPEEDUP = 10.0  # our analysis warm >= 10x faster than plain BERTopic cold
TARGET_END_TO_END_S = 600.0  # 100k segments end to end, reports included
TARGET_PEAK_MB = 6 * 1024.0  # peak memory of that run
TARGET_SIZE = 100_000


def _ok(run: dict[str, Any] | None) -> bool:
    return bool(run) and not run.get("error")


def analysis_seconds(run: dict[str, Any] | None) -> float | None:
    if not _ok(run):
        return None
    steps = run["steps"]
    names = ANALYSIS_STEPS if run.get("system") == "ours" else ("fit_transform",)
    if not all(n in steps for n in names):
        return None
    return round(sum(float(steps[n]["seconds"]) for n in names), 3)


def analysis_cpu_s(run: dict[str, Any] | None) -> float | None:
    if not _ok(run):
        return None
    names = ANALYSIS_STEPS if run.get("system") == "ours" else ("fit_transform",)
    values = [run["steps"].get(n, {}).get("cpu_s") for n in names]
    return None if any(v is None for v in values) else round(sum(values), 3)


def analysis_peak_mb(run: dict[str, Any] | None) -> float | None:
    if not _ok(run):
        return None
    steps = run["steps"]
    names = ANALYSIS_STEPS if run.get("system") == "ours" else ("fit_transform",)
    peaks = [steps[n].get("rss_peak_mb") for n in names if n in steps]
    peaks = [p for p in peaks if p is not None]
    return max(peaks) if peaks else None


def analysis_jit_s(run: dict[str, Any] | None) -> float | None:
    if not _ok(run):
        return None
    names = ANALYSIS_STEPS if run.get("system") == "ours" else ("fit_transform",)
    return round(sum(float(run["steps"].get(n, {}).get("jit_s", 0.0)) for n in names), 3)


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0 or (isinstance(a, float) and math.isnan(a)):
        return None
    return round(a / b, 4)


def score(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """NMI and ARI of `predicted` against `truth` (unthemed, -1, counts as one more cluster)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(truth, predicted)), 4),
        "ari": round(float(adjusted_rand_score(truth, predicted)), 4),
    }


def theme_quality(corpus_path: Path, artifacts: Path, runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """NMI/ARI of every run's assignments against the corpus's planted themes."""
    seg_file = artifacts / "segments.parquet"
    if not seg_file.is_file():
        return {"available": False, "why": "no segments saved (the cold run failed)"}
    segments = pd.read_parquet(seg_file)
    planted = planted_labels(segments, corpus_path)
    labelled = planted.notna().to_numpy()
    out: dict[str, Any] = {
        "available": bool(labelled.any()),
        "labelled_segments": int(labelled.sum()),
        "segments": int(len(segments)),
        "planted_themes": int(planted.dropna().nunique()),
    }
    if not labelled.any():
        out["why"] = "the corpus has no planted themes"
        return out
    truth = planted[labelled].astype(str).to_numpy()
    for name in RUNS:
        topics_file = artifacts / f"{name}.topics.npy"
        if not _ok(runs.get(name)) or not topics_file.is_file():
            continue
        topics = np.load(topics_file)
        if len(topics) != len(segments):
            out[name] = {"error": f"{len(topics)} assignments for {len(segments)} segments"}
            continue
        out[name] = score(truth, topics[labelled]) | {
            "n_themes": int(len(set(topics.tolist()) - {-1})),
            "unthemed_share": round(float(np.mean(topics == -1)), 4),
            "unthemed_share_labelled": round(float(np.mean(topics[labelled] == -1)), 4),
        }
    if "ours_cold" in out and "ours_warm" in out:
        cold = np.load(artifacts / "ours_cold.topics.npy")
        warm = np.load(artifacts / "ours_warm.topics.npy")
        out["warm_equals_cold"] = bool(len(cold) == len(warm) and np.array_equal(cold, warm))
    for metric in ("nmi", "ari"):
        ours = out.get("ours_cold", {}).get(metric)
        theirs = out.get("bertopic_cold", {}).get(metric)
        out[f"{metric}_ratio"] = ratio(ours, theirs)
    return out


def compare_runs(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Ours / BERTopic ratios for time and memory."""
    seconds = {name: analysis_seconds(runs.get(name)) for name in RUNS}
    peaks = {name: analysis_peak_mb(runs.get(name)) for name in RUNS}
    maxrss = {name: (runs[name].get("maxrss_mb") if _ok(runs.get(name)) else None) for name in RUNS}
    jit = {name: analysis_jit_s(runs.get(name)) for name in RUNS}
    cpu = {name: analysis_cpu_s(runs.get(name)) for name in RUNS}
    return {
        "analysis_s": seconds,
        "analysis_cpu_s": cpu,
        "analysis_jit_s": jit,
        "cpu_ratio_cold": ratio(cpu["ours_cold"], cpu["bertopic_cold"]),
        "cpu_ratio_warm": ratio(cpu["ours_warm"], cpu["bertopic_warm"]),
        "time_ratio_cold": ratio(seconds["ours_cold"], seconds["bertopic_cold"]),
        "time_ratio_warm": ratio(seconds["ours_warm"], seconds["bertopic_warm"]),
        "time_ratio_warm_vs_bertopic_cold": ratio(seconds["ours_warm"], seconds["bertopic_cold"]),
        "speedup_warm_vs_bertopic_cold": ratio(seconds["bertopic_cold"], seconds["ours_warm"]),
        "analysis_peak_rss_mb": peaks,
        "memory_ratio_cold": ratio(peaks["ours_cold"], peaks["bertopic_cold"]),
        "memory_ratio_warm": ratio(peaks["ours_warm"], peaks["bertopic_warm"]),
        "process_maxrss_mb": maxrss,
        "process_memory_ratio_cold": ratio(maxrss["ours_cold"], maxrss["bertopic_cold"]),
        "process_memory_ratio_warm": ratio(maxrss["ours_warm"], maxrss["bertopic_warm"]),
    }


def evaluate_targets(corpora: list[dict[str, Any]], startup_s: float | None) -> list[dict[str, Any]]:
    """Each target of the issue, per corpus where it applies: value, threshold, met."""
    targets: list[dict[str, Any]] = []

    def add(name: str, corpus: str, value: float | None, threshold: float, better: str, note: str = "") -> None:
        met = None if value is None else (value <= threshold if better == "lower" else value >= threshold)
        targets.append({"target": name, "corpus": corpus, "value": value, "threshold": threshold,
                        "better": better, "met": met, "note": note})

    for corpus in corpora:
        comparison = corpus.get("comparison", {})
        name = corpus["name"]
        if comparison:
            add("analysis cold <= plain BERTopic cold (time ratio)", name,
                comparison.get("time_ratio_cold"), TARGET_COLD_RATIO, "lower")
            add("analysis warm >= 10x faster than plain BERTopic cold (speed-up)", name,
                comparison.get("speedup_warm_vs_bertopic_cold"), TARGET_WARM_SPEEDUP, "higher")
        quality = corpus.get("quality", {})
        if quality.get("available") and "bertopic_cold" in quality and "ours_cold" in quality:
            for metric in ("nmi", "ari"):
                add(f"theme quality {metric.upper()} >= plain BERTopic", name,
                    quality["ours_cold"].get(metric), quality["bertopic_cold"].get(metric), "higher")
        if corpus.get("size") == TARGET_SIZE:
            run = corpus.get("runs", {}).get("ours_cold")
            total = run.get("total_s") if _ok(run) else None
            with_start = None if total is None else round(total + (startup_s or 0.0), 3)
            # The synthetic generator repeats itself at scale and ingestion drops duplicates, so
            # say how many segments were really analysed.
            segments = f"{corpus.get('segments'):,} segments analysed" if corpus.get("segments") else ""
            add("100k end to end (reports included, cold cache) < 10 min", name, with_start,
                TARGET_END_TO_END_S, "lower", "; ".join(filter(None, [
                    "seconds, interpreter start-up and imports included" if startup_s else "seconds", segments])))
            peak = run.get("maxrss_mb") if _ok(run) else None
            add("100k end to end peak memory < 6 GB", name, peak, TARGET_PEAK_MB, "lower",
                "; ".join(filter(None, ["MB (getrusage max RSS)", segments])))
    return targets


def corpus_result(corpus: Any, runs: dict[str, dict[str, Any]], artifacts: Path) -> dict[str, Any]:
    """Everything measured on one corpus."""
    result = corpus.to_dict()
    result["runs"] = runs
    cold = runs.get("ours_cold", {})
    result["segments"] = cold.get("n_segments")
    result["records"] = cold.get("records")
    result["comparison"] = compare_runs(runs)
    result["quality"] = theme_quality(corpus.path, artifacts, runs)
    return result


def write_json(results: dict[str, Any], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(results, indent=1, default=_json_default) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def load_json(path: Path) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("schema") != SCHEMA:
        raise ValueError(f"{path} is not a voc_synth bench result (schema {data.get('schema')!r})")
    return data


def merge_results(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Several result files as one (corpora of later files replace same-named earlier ones)."""
    if len(results) == 1:
        return results[0]
    merged = dict(results[-1])
    corpora: dict[str, dict[str, Any]] = {}
    for result in results:
        for corpus in result.get("corpora", []):
            corpora[corpus["name"]] = corpus
    merged["corpora"] = list(corpora.values())
    merged["commands"] = [r.get("command") for r in results]
    starts = [r.get("startup_s") for r in results if r.get("startup_s")]
    merged["startup_s"] = max(starts) if starts else None
    merged["targets"] = evaluate_targets(merged["corpora"], merged["startup_s"])
    return merged


def _metrics(corpus: dict[str, Any]) -> dict[str, float | None]:
    """Flat name → value of what a comparison between two bench files looks at."""
    out: dict[str, float | None] = {}
    for run_name, run in corpus.get("runs", {}).items():
        if not _ok(run):
            continue
        for step, record in run.get("steps", {}).items():
            out[f"{run_name}.{step}.seconds"] = record.get("seconds")
            out[f"{run_name}.{step}.rss_peak_mb"] = record.get("rss_peak_mb")
        out[f"{run_name}.total_s"] = run.get("total_s")
        out[f"{run_name}.maxrss_mb"] = run.get("maxrss_mb")
    comparison = corpus.get("comparison", {})
    for key in ("time_ratio_cold", "time_ratio_warm", "speedup_warm_vs_bertopic_cold",
                "memory_ratio_cold", "memory_ratio_warm"):
        out[f"ratio.{key}"] = comparison.get(key)
    for run_name in RUNS:
        for metric in ("nmi", "ari", "unthemed_share"):
            value = corpus.get("quality", {}).get(run_name, {}).get(metric)
            if value is not None:
                out[f"quality.{run_name}.{metric}"] = value
    return out


def deltas(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows (corpus, metric, old, new, change, change %) for every metric both results have."""
    old_by_name = {c["name"]: c for c in old.get("corpora", [])}
    rows = []
    for corpus in new.get("corpora", []):
        before = old_by_name.get(corpus["name"])
        if before is None:
            continue
        a, b = _metrics(before), _metrics(corpus)
        for key, value in b.items():
            prior = a.get(key)
            if value is None or prior is None:
                continue
            change = value - prior
            rows.append({"corpus": corpus["name"], "metric": key, "old": prior, "new": value,
                         "change": round(change, 4),
                         "change_pct": round(100 * change / prior, 1) if prior else None})
    return rows
