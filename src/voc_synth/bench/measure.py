"""Measured runs: our pipeline and plain BERTopic, each step timed with its peak memory.

Each measured run (ours cold, ours warm, BERTopic cold, BERTopic warm) runs in its own process
forked from a `forkserver` that has already imported torch, BERTopic, spaCy and voc_synth, so
every run starts from the same state, `getrusage` max RSS is that run's own peak, and no run
inherits another's numba JIT, loaded models or heap. (`isolate=False` runs them in this process
instead: quicker, for tests; then max RSS is the process's peak so far.)

Per step a `Meter` records wall time, peak RSS (a psutil sampling thread, every 50 ms), RSS at
the step's start and end, `getrusage` max RSS at its end, and the seconds numba spent compiling
(UMAP and HDBSCAN are JIT-compiled on first use in every new process). Our pipeline's steps are
the ones `pipeline.synthesize` times (it is measured through its step timer), plus loading the
embedding model and writing the reports. Inside the theme step and BERTopic's `fit_transform`,
BERTopic's own stages are timed too (`substeps`: embedding, UMAP, HDBSCAN, topic representation,
outlier reduction, hierarchy).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import resource
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

MB = 1024 * 1024
SAMPLE_INTERVAL_S = 0.05

#: Our pipeline's steps, in order (model_load and report are timed by the bench itself).
OUR_STEPS = ("model_load", "ingest", "embed", "themes", "sentiment", "stages", "evidence", "report")
#: The steps that make up "the analysis" compared with BERTopic's fit_transform.
ANALYSIS_STEPS = ("embed", "themes")
BERTOPIC_STEPS = ("model_load", "fit_transform")

# Modules the forkserver imports once, so each measured run starts with them loaded.
PRELOAD = [
    "numpy", "pandas", "sklearn", "torch", "sentence_transformers", "umap", "hdbscan", "bertopic",
    "spacy", "voc_synth.pipeline", "voc_synth.run_folder", "voc_synth.embed", "voc_synth.ingest",
    "voc_synth.themes", "voc_synth.sentiment", "voc_synth.stages", "voc_synth.report",
    "voc_synth.bench.measure",
]

# BERTopic methods timed as sub-steps (outermost call only), label → method names.
_SUBSTEPS = {
    "embedding": ("_extract_embeddings",),
    "umap": ("_reduce_dimensionality",),
    "hdbscan": ("_cluster_embeddings",),
    "representation": ("_extract_topics", "update_topics"),
    "outliers": ("reduce_outliers",),
    "hierarchy": ("hierarchical_topics",),
}


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def _cpu_seconds() -> float:
    """CPU time of this process, all threads (robust to other load on a shared machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _maxrss_bytes() -> int:
    # Linux reports kilobytes, macOS bytes.
    scale = 1 if sys.platform == "darwin" else 1024
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * scale


class _JitClock:
    """Seconds numba has spent compiling since this clock started (0 without numba)."""

    def __init__(self) -> None:
        self._listener: Any = None
        try:
            from numba.core import event

            self._listener = event.TimingListener()
            event.register("numba:compile", self._listener)
            self._event = event
        except Exception:  # noqa: BLE001 - numba missing or its event API changed
            self._listener = None

    def seconds(self) -> float:
        return float(getattr(self._listener, "_duration", 0.0)) if self._listener is not None else 0.0

    def close(self) -> None:
        """Stop listening; `seconds()` keeps the total."""
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._event.unregister("numba:compile", self._listener)


class Meter:
    """Times named steps and tracks their peak RSS with a sampling thread."""

    def __init__(self, interval: float = SAMPLE_INTERVAL_S) -> None:
        self.steps: dict[str, dict[str, Any]] = {}
        self.substeps: dict[str, dict[str, float]] = {}
        self.overall_peak = _rss()
        self._window_peak = self.overall_peak
        self._current: str | None = None
        self._interval = interval
        self._stop = threading.Event()
        self._jit = _JitClock()
        self._thread = threading.Thread(target=self._sample, name="bench-rss-sampler", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                rss = _rss()
            except Exception:  # noqa: BLE001 - never let the sampler kill a run
                rss = 0
            if rss > self._window_peak:
                self._window_peak = rss
            if rss > self.overall_peak:
                self.overall_peak = rss
            self._stop.wait(self._interval)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._jit.close()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[dict[str, Any]]:
        """Measure the enclosed block as step `name`; yields the step's record."""
        start_rss = _rss()
        self._window_peak = start_rss
        jit0 = self._jit.seconds()
        record: dict[str, Any] = {}
        self._current = name
        cpu0 = _cpu_seconds()
        started = time.perf_counter()
        try:
            yield record
        finally:
            seconds = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu0
            end_rss = _rss()
            peak = max(self._window_peak, end_rss, start_rss)
            self.overall_peak = max(self.overall_peak, peak)
            self._current = None
            record.update({
                "seconds": round(seconds, 3),
                "cpu_s": round(cpu, 3),
                "rss_start_mb": round(start_rss / MB, 1),
                "rss_end_mb": round(end_rss / MB, 1),
                "rss_peak_mb": round(peak / MB, 1),
                "maxrss_mb": round(_maxrss_bytes() / MB, 1),
                "jit_s": round(self._jit.seconds() - jit0, 3),
            })
            self.steps[name] = {**self.steps.get(name, {}), **record}

    def add_substep(self, label: str, seconds: float) -> None:
        step = self._current or "(outside steps)"
        into = self.substeps.setdefault(step, {})
        into[label] = round(into.get(label, 0.0) + seconds, 3)

    def pipeline_timer(self) -> type:
        """A stand-in for `pipeline._Timer` whose steps this meter measures."""
        meter = self

        class MeasuringTimer:
            def __init__(self) -> None:
                self.timings: dict[str, float] = {}

            @contextlib.contextmanager
            def step(self, name: str) -> Iterator[None]:
                with meter.step(name):
                    yield
                self.timings[name] = meter.steps[name]["seconds"]
                if name == "embed":
                    meter.steps[name].update(_embedding_stats())

        return MeasuringTimer

    def finish(self, n_segments: int) -> dict[str, Any]:
        """Throughput per step, and the run's totals."""
        for record in self.steps.values():
            s = record.get("seconds") or 0.0
            record["segments_per_s"] = round(n_segments / s, 1) if s > 0 and n_segments else None
        for name, subs in self.substeps.items():
            if name in self.steps:
                self.steps[name]["substeps"] = subs
        return {
            "n_segments": int(n_segments),
            "steps": self.steps,
            "total_s": round(sum(r.get("seconds", 0.0) for r in self.steps.values()), 3),
            "total_cpu_s": round(sum(r.get("cpu_s", 0.0) for r in self.steps.values()), 3),
            "peak_rss_mb": round(max(self.overall_peak, _rss()) / MB, 1),
            "maxrss_mb": round(_maxrss_bytes() / MB, 1),
            "jit_s": round(self._jit.seconds(), 3),
        }


def _embedding_stats() -> dict[str, Any]:
    """Cache hits and encoder work of the pipeline's own `embed_texts` call (its last one)."""
    from ..embed import last_stats

    stats = last_stats()
    state = "warm" if stats.n_encoded == 0 else ("cold" if stats.n_cached == 0 else "partial")
    return {"cache_hits": int(stats.n_cached), "encoded": int(stats.n_encoded),
            "unique_texts": int(stats.n_unique), "embed_cache": state}


@contextlib.contextmanager
def _bertopic_substeps(meter: Meter) -> Iterator[None]:
    """Time BERTopic's internal stages (outermost call of each) while the block runs."""
    from bertopic import BERTopic

    depth = threading.local()
    originals: list[tuple[str, Any]] = []

    def wrap(label: str, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            level = getattr(depth, "level", 0)
            depth.level = level + 1
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                depth.level = level
                if level == 0:
                    meter.add_substep(label, time.perf_counter() - started)

        timed.__name__ = name
        timed.__wrapped__ = method  # type: ignore[attr-defined]
        return timed

    for label, names in _SUBSTEPS.items():
        for name in names:
            method = getattr(BERTopic, name, None)
            if method is None:
                continue
            originals.append((name, method))
            setattr(BERTopic, name, wrap(label, name, method))
    try:
        yield
    finally:
        for name, method in originals:
            setattr(BERTopic, name, method)


@contextlib.contextmanager
def _swapped(obj: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, original)


@contextlib.contextmanager
def _profiled(spec: dict[str, Any]) -> Iterator[None]:
    """pyinstrument over the block when `spec["profile_dir"]` is set (text + HTML report)."""
    folder = spec.get("profile_dir")
    if not folder:
        yield
        return
    try:
        from pyinstrument import Profiler
    except ImportError:  # the CLI checks this up front; keep a run going regardless
        yield
        return
    profiler = Profiler(interval=0.005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"{spec['corpus_name']}-{spec['run']}"
        stem.with_suffix(".txt").write_text(
            profiler.output_text(unicode=False, color=False, show_all=False), encoding="utf-8")
        stem.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")


# -- the runs ---------------------------------------------------------------------------------

def run_ours(spec: dict[str, Any]) -> dict[str, Any]:
    """Our whole pipeline on `spec["corpus"]`, reports included; saves its assignments
    (and, on a cold run, the segments and their embeddings for the BERTopic runs)."""
    import numpy as np
    import pandas as pd

    from .. import pipeline
    from ..config import load_config
    from ..embedding_cache import CACHE_ENV, DB_NAME
    from ..models import load_embedding_model
    from ..run_folder import write_run

    config = load_config(spec["corpus"])
    cache_root = Path(spec["cache_dir"])
    # Everything that embeds (segments, keyword candidates, stage examples) uses this cache.
    previous_env = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(cache_root)
    config.embedding.cache_dir = cache_root / "embeddings"
    if spec.get("sentiment"):
        config.sentiment.backend = spec["sentiment"]
    if spec.get("scheduler"):  # partitions on Dask (`voc-synth bench --scheduler`)
        config.execution.scheduler = spec["scheduler"]
        config.execution.work_dir = Path(spec["artifacts"]) / f"work-{spec['run']}"
        if spec.get("partition_size"):
            config.execution.partition_size = int(spec["partition_size"])
    cache_state = "warm" if (config.embedding.cache_dir / DB_NAME).is_file() else "cold"
    artifacts = Path(spec["artifacts"])
    artifacts.mkdir(parents=True, exist_ok=True)

    meter = Meter()
    warnings: list[str] = []
    try:
        with _profiled(spec):
            with meter.step("model_load"):
                load_embedding_model(config.embedding.model)
            with _bertopic_substeps(meter):
                if hasattr(pipeline, "_Timer"):
                    with _swapped(pipeline, "_Timer", meter.pipeline_timer()):
                        synthesis = pipeline.synthesize(config)
                else:  # the pipeline's timer moved: fall back to its own timings, without memory
                    warnings.append("pipeline._Timer not found: per-step memory not measured")
                    with meter.step("analysis"):
                        synthesis = pipeline.synthesize(config)
                    for name, seconds in synthesis.meta.get("timings", {}).items():
                        meter.steps[name] = {"seconds": seconds}
            with meter.step("report"):
                write_run(synthesis, spec["out_dir"])
    finally:
        meter.close()
        if previous_env is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = previous_env
    segments = synthesis.segments
    result = meter.finish(len(segments))
    for record in result["steps"].values():
        record["cache"] = cache_state
    topics = segments["theme_id"].to_numpy(dtype=np.int64)
    np.save(artifacts / f"{spec['run']}.topics.npy", topics)
    if spec.get("save_inputs"):
        keep = [c for c in ("segment_id", "doc_id", "source_type", "participant", "turn", "text")
                if c in segments.columns]
        frame = segments[keep].copy()
        frame["turn"] = (pd.to_numeric(frame["turn"], errors="coerce").astype("Int64") if "turn" in frame
                         else pd.array([pd.NA] * len(frame), dtype="Int64"))
        for column in ("segment_id", "doc_id", "source_type", "participant", "text"):
            if column in frame:
                frame[column] = frame[column].fillna("").astype(str)
        frame.to_parquet(artifacts / "segments.parquet", index=False)
        np.save(artifacts / "embeddings.npy", np.asarray(synthesis.embeddings, dtype=np.float32))
    summary = synthesis.summary()
    result.update({
        "system": "ours", "cache": cache_state, "records": summary["records"],
        "n_themes": summary["themes"], "unthemed": summary["unthemed_segments"],
        "unthemed_share": round(summary["unthemed_segments"] / max(1, summary["segments"]), 4),
        "pipeline_warnings": list(synthesis.meta.get("warnings", []))[:20], "warnings": warnings,
        "sentiment_backend": config.sentiment.backend,
        "theme_params": _theme_params(synthesis),
        "execution": synthesis.meta.get("execution", {}),
    })
    return result


def _theme_params(synthesis: Any) -> dict[str, Any]:
    model = getattr(synthesis, "topic_model", None)
    umap_model = getattr(model, "umap_model", None)
    hdbscan_model = getattr(model, "hdbscan_model", None)
    return {
        "umap_n_neighbors": getattr(umap_model, "n_neighbors", None),
        "umap_n_epochs": getattr(umap_model, "n_epochs", None),
        "umap_init": getattr(umap_model, "init", None),
        "umap_n_jobs": getattr(umap_model, "n_jobs", None),
        "umap_random_state": getattr(umap_model, "random_state", None) is not None,
        # True when the UMAP output came from the reduction cache (a re-run on the same vectors).
        "umap_reduction_cached": getattr(umap_model, "cache_hit", None),
        "hdbscan_min_cluster_size": getattr(hdbscan_model, "min_cluster_size", None),
        "hdbscan_min_samples": getattr(hdbscan_model, "min_samples", None),
    }


def run_bertopic(spec: dict[str, Any]) -> dict[str, Any]:
    """Plain BERTopic (default parameters, the same SentenceTransformer) on the segments the
    cold run of our pipeline analysed; `spec["warm"]` passes our embeddings precomputed."""
    import numpy as np
    import pandas as pd

    from ..models import load_embedding_model

    artifacts = Path(spec["artifacts"])
    texts = pd.read_parquet(artifacts / "segments.parquet", columns=["text"])["text"].tolist()
    embeddings = np.load(artifacts / "embeddings.npy") if spec.get("warm") else None
    meter = Meter()
    try:
        with _profiled(spec):
            from bertopic import BERTopic

            with meter.step("model_load"):
                model = load_embedding_model(spec.get("embedding_model") or "all-MiniLM-L6-v2")
            topic_model = BERTopic(embedding_model=model)
            with _bertopic_substeps(meter), meter.step("fit_transform"):
                topics, _ = topic_model.fit_transform(texts, embeddings=embeddings)
    finally:
        meter.close()
    topics = np.asarray(topics, dtype=np.int64)
    np.save(artifacts / f"{spec['run']}.topics.npy", topics)
    result = meter.finish(len(texts))
    state = "warm" if spec.get("warm") else "cold"
    for record in result["steps"].values():
        record["cache"] = state
    n_out = int((topics == -1).sum())
    result.update({
        "system": "bertopic", "cache": state, "n_themes": int(len(set(topics.tolist()) - {-1})),
        "unthemed": n_out, "unthemed_share": round(n_out / max(1, len(topics)), 4),
        "embeddings": "precomputed (ours)" if spec.get("warm") else "computed by BERTopic",
        "theme_params": {
            "umap_n_neighbors": getattr(topic_model.umap_model, "n_neighbors", None),
            "umap_n_jobs": getattr(topic_model.umap_model, "n_jobs", None),
            "umap_random_state": getattr(topic_model.umap_model, "random_state", None) is not None,
            "hdbscan_min_cluster_size": getattr(topic_model.hdbscan_model, "min_cluster_size", None),
        },
    })
    return result


@contextlib.contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """Cap torch's and numba's thread pools (both systems get the same cap); restored after."""
    if not n:
        yield
        return
    import torch

    before_torch = torch.get_num_threads()
    before_numba = None
    torch.set_num_threads(int(n))
    try:
        import numba

        before_numba = numba.get_num_threads()
        numba.set_num_threads(min(int(n), numba.config.NUMBA_NUM_THREADS))
    except Exception:  # noqa: BLE001 - numba missing or already at its limit
        pass
    try:
        yield
    finally:
        torch.set_num_threads(before_torch)
        if before_numba is not None:
            import numba

            numba.set_num_threads(before_numba)


def run_spec(spec: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    runner = run_ours if spec["system"] == "ours" else run_bertopic
    with _threads(spec.get("threads")):
        threads = _torch_threads()
        result = runner(spec)
    result["wall_s"] = round(time.perf_counter() - started, 3)
    result["torch_threads"] = threads
    return result


def _torch_threads() -> int | None:
    try:
        import torch

        return int(torch.get_num_threads())
    except Exception:  # noqa: BLE001
        return None


# -- isolation --------------------------------------------------------------------------------

_CONTEXT: Any = None


def _context() -> Any:
    global _CONTEXT
    if _CONTEXT is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        _CONTEXT = ctx
    return _CONTEXT


def _child_main(spec: dict[str, Any], result_path: str, log_path: str) -> None:
    """Entry point of an isolated run: output to a log file, the result as JSON."""
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    try:
        result = run_spec(spec)
    except BaseException as err:  # noqa: BLE001 - report any failure to the parent
        traceback.print_exc()
        result = {"error": f"{type(err).__name__}: {err}", "log": log_path}
    Path(result_path).write_text(json.dumps(result, default=str), encoding="utf-8")
    _stop_joblib_workers()
    sys.stdout.flush()
    sys.stderr.flush()
    log.flush()


def _stop_joblib_workers() -> None:
    """Stop joblib's (loky) worker processes: a multiprocessing child joins its children when it
    exits, and HDBSCAN's workers would otherwise idle for their 300 s timeout first."""
    try:
        from joblib.externals.loky import reusable_executor

        executor = getattr(reusable_executor, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=True, kill_workers=True)
    except Exception:  # noqa: BLE001 - best effort; the worst case is a slow exit
        pass


def run_isolated(spec: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
    """`run_spec(spec)` in a fresh process forked from the preloaded forkserver."""
    artifacts = Path(spec["artifacts"])
    artifacts.mkdir(parents=True, exist_ok=True)
    result_path = artifacts / f"{spec['run']}.result.json"
    log_path = artifacts / f"{spec['run']}.log"
    result_path.unlink(missing_ok=True)
    process = _context().Process(target=_child_main, args=(spec, str(result_path), str(log_path)),
                                 name=f"voc-synth-bench-{spec['run']}")
    started = time.perf_counter()
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.terminate()
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)
        return {"error": f"timed out after {timeout:.0f} s", "log": str(log_path)}
    if result_path.is_file():
        result = json.loads(result_path.read_text(encoding="utf-8"))
        result.setdefault("process_s", round(time.perf_counter() - started, 3))
        return result
    code = process.exitcode
    why = " (killed: out of memory?)" if code is not None and code < 0 else ""
    return {"error": f"the measuring process exited with code {code}{why}", "log": str(log_path)}


def run_in_process(spec: dict[str, Any]) -> dict[str, Any]:
    """`run_spec(spec)` here (no isolation; max RSS is then the process's peak so far)."""
    try:
        return run_spec(spec)
    except Exception as err:  # noqa: BLE001 - a failed run is a result, not a crash of the bench
        return {"error": f"{type(err).__name__}: {err}", "traceback": traceback.format_exc()}


def measure_startup() -> float | None:
    """Seconds a fresh interpreter needs to import what a pipeline run imports (not in the
    per-run figures, which start from a preloaded process)."""
    import subprocess

    code = ("import time; t = time.perf_counter(); import voc_synth.pipeline, voc_synth.run_folder, "
            "voc_synth.themes, voc_synth.ingest, voc_synth.report, sentence_transformers, bertopic; "
            "print(time.perf_counter() - t)")
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                              check=True)
        return round(float(done.stdout.strip().splitlines()[-1]), 3)
    except Exception:  # noqa: BLE001 - informative only
        return None
