"""`run_bench()`: every corpus, our pipeline cold and warm, plain BERTopic cold and warm, then
quality, ratios, targets and the JSON file (rewritten after each corpus, so a long run that is
stopped keeps what it had measured)."""

from __future__ import annotations

import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..pipeline import package_versions
from .corpora import BenchCorpus, demo_corpus, size_label, synthetic_corpus
from .measure import measure_startup, run_in_process, run_isolated
from .results import SCHEMA, corpus_result, evaluate_targets, write_json

PACKAGES = ("voc_synth", "bertopic", "sentence-transformers", "torch", "umap-learn", "hdbscan",
            "numba", "pynndescent", "scikit-learn", "spacy", "numpy", "pandas")


def default_json_path(work_dir: Path) -> Path:
    return Path(work_dir) / f"bench-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"


def machine_info() -> dict[str, Any]:
    import psutil

    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }
    try:
        info["cpu_model"] = next(line.split(":", 1)[1].strip() for line in
                                 Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return info


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _embedding_model(corpus: BenchCorpus) -> str:
    from ..config import load_config

    try:
        return load_config(corpus.path).embedding.model
    except Exception:  # noqa: BLE001 - the run itself will report a bad config
        return "all-MiniLM-L6-v2"


def run_bench(
    sizes: list[int],
    *,
    demo: bool = True,
    demo_path: Path | None = None,
    work_dir: Path = Path("runs/bench"),
    json_path: Path | None = None,
    seed: int = 0,
    sentiment: str | None = None,
    bertopic: bool = True,
    isolate: bool = True,
    profile_dir: Path | None = None,
    timeout: float | None = None,
    threads: int | None = None,
    keep: bool = False,
    scheduler: str | None = None,
    partition_size: int | None = None,
    command: str | None = None,
    console: Console | None = None,
    on_corpus: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Benchmark the pipeline (and plain BERTopic beside it) on the demo corpus and on synthetic
    corpora of `sizes` segments. Returns the results and writes them to `json_path`.

    `on_corpus(result)` is called as each corpus finishes (the CLI prints its tables then).
    """
    console = console or Console(stderr=True)
    work_dir = Path(work_dir)
    json_path = Path(json_path) if json_path else default_json_path(work_dir)
    results: dict[str, Any] = {
        "schema": SCHEMA,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command or "voc-synth bench",
        "machine": machine_info(),
        "versions": package_versions(PACKAGES),
        "settings": {
            "sizes": [size_label(s) for s in sizes], "demo": demo, "seed": seed,
            "sentiment": sentiment or "(corpus config)", "bertopic": bertopic, "isolate": isolate,
            "profile": bool(profile_dir), "timeout_s": timeout,
            "threads": threads or "(library defaults)",
            "scheduler": scheduler, "partition_size": partition_size,
        },
        "startup_s": None,
        "corpora": [],
        "targets": [],
        "json": str(json_path),
    }
    if isolate:
        console.print("measuring interpreter start-up (imports) ...", highlight=False)
        results["startup_s"] = measure_startup()

    plan: list[Callable[[], BenchCorpus | None]] = []
    if demo:
        plan.append(lambda: demo_corpus(demo_path))
    for size in sorted(sizes):
        plan.append(lambda size=size: _synthetic(size, work_dir, seed, console))

    runner = (lambda spec: run_isolated(spec, timeout)) if isolate else run_in_process
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for make in plan:
        corpus = make()
        if corpus is None:
            console.print("[yellow]demo corpus not found; skipped[/]")
            continue
        artifacts = work_dir / "artifacts" / corpus.name
        cache_dir = work_dir / "cache" / f"{corpus.name}-{stamp}"
        out_root = work_dir / "runs" / corpus.name
        for folder in (artifacts, cache_dir):
            shutil.rmtree(folder, ignore_errors=True)
        artifacts.mkdir(parents=True, exist_ok=True)
        base = {
            "corpus": str(corpus.path), "corpus_name": corpus.name, "cache_dir": str(cache_dir),
            "artifacts": str(artifacts), "sentiment": sentiment,
            "profile_dir": str(profile_dir) if profile_dir else None,
            "embedding_model": _embedding_model(corpus), "threads": threads,
        }
        load_before = _loadavg()
        runs: dict[str, dict[str, Any]] = {}
        specs = [
            ("ours_cold", {"system": "ours", "out_dir": str(out_root / "cold"), "save_inputs": True}),
            ("ours_warm", {"system": "ours", "out_dir": str(out_root / "warm")}),
        ]
        if scheduler:
            specs = _cluster_specs(scheduler, partition_size, out_root, cache_dir)
        if bertopic:
            specs += [("bertopic_cold", {"system": "bertopic", "warm": False}),
                      ("bertopic_warm", {"system": "bertopic", "warm": True})]
        for name, extra in specs:
            if name != "ours_cold" and runs.get("ours_cold", {}).get("error"):
                runs[name] = {"error": "skipped: the cold run of our pipeline failed"}
                continue
            console.print(escape(f"[{corpus.name}] {name.replace('_', ' ')} ..."), highlight=False)
            started = time.perf_counter()
            runs[name] = runner({**base, **extra, "run": name})
            took = time.perf_counter() - started
            if runs[name].get("error"):
                console.print("[red]" + escape(f"  failed after {took:.0f} s: {runs[name]['error']}"
                                               + (f" (log: {runs[name]['log']})" if runs[name].get("log") else ""))
                              + "[/]")
            else:
                console.print(f"  done in {took:.1f} s", highlight=False)
            # Saved after every run, so a long benchmark that is stopped keeps what it measured.
            result = corpus_result(corpus, runs, artifacts)
            result["loadavg"] = {"before": load_before, "after": _loadavg()}
            result["complete"] = len(runs) == len(specs)
            if scheduler:
                from .scaling import local_workers, scaling_result

                result["scaling"] = scaling_result(runs.get("ours_1_worker"), runs.get("ours_cold"),
                                                   local_workers(scheduler) or 0)
            _save(results, result, json_path)
        if on_corpus is not None:
            on_corpus(result)
        if not keep:
            for folder in (cache_dir, out_root, artifacts):
                shutil.rmtree(folder, ignore_errors=True)
    for folder in (work_dir / "cache", work_dir / "runs", work_dir / "artifacts"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return results


def _cluster_specs(scheduler: str, partition_size: int | None, out_root: Path,
                   cache_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """The runs of `--scheduler`: the pipeline on the given cluster ("ours_cold") and, for
    `local:N` with N > 1, on one worker ("ours_1_worker"), each with its own cold cache."""
    from .scaling import local_workers

    common = {"system": "ours", "scheduler": scheduler, "partition_size": partition_size}
    specs = [("ours_cold", {**common, "out_dir": str(out_root / "cluster"), "save_inputs": True,
                            "cache_dir": str(cache_dir / "cluster")})]
    n = local_workers(scheduler)
    if n is not None and n > 1:
        specs.append(("ours_1_worker", {**common, "scheduler": "local:1", "out_dir": str(out_root / "one-worker"),
                                        "cache_dir": str(cache_dir / "one-worker")}))
    return specs


def _save(results: dict[str, Any], corpus: dict[str, Any], json_path: Path) -> None:
    """Put `corpus` into `results` (replacing a partial entry of the same corpus) and save."""
    results["corpora"] = [c for c in results["corpora"] if c["name"] != corpus["name"]] + [corpus]
    results["targets"] = evaluate_targets(results["corpora"], results["startup_s"])
    write_json(results, json_path)


def _synthetic(size: int, work_dir: Path, seed: int, console: Console) -> BenchCorpus:
    console.print(escape(f"[synth-{size_label(size)}] preparing the synthetic corpus ..."), highlight=False)
    started = time.perf_counter()
    corpus = synthetic_corpus(size, work_dir / "corpora", seed=seed)
    took = time.perf_counter() - started
    if took > 1:
        console.print(f"  written in {took:.1f} s to {corpus.path}", highlight=False)
    return corpus


def command_line() -> str:
    """How this process was started, for the record (`voc-synth bench ...`)."""
    args = sys.argv[1:]
    prog = Path(sys.argv[0]).name
    if prog in ("voc-synth", "voc_synth") or prog.endswith("voc-synth"):
        return " ".join(["voc-synth", *args])
    return " ".join(["python -m voc_synth.bench", *args])
