"""Benchmark: where the time and memory go, side by side with plain BERTopic.

`voc-synth bench` (or `python -m voc_synth.bench`) runs the whole pipeline — reports included —
on synthetic corpora of 1k, 10k and 100k segments (1m on request) and on the demo corpus, once
with an empty embedding cache (cold) and once with the cache that run filled (warm), and prints
per step the wall time, throughput, peak RSS and cache state. On the same segments and the same
embedding model it runs plain BERTopic (`BERTopic(embedding_model=model).fit_transform(texts)`,
and again with precomputed embeddings) and prints ours / BERTopic ratios for time and memory and
the theme quality of both (NMI and ARI against the planted themes). Results go to a JSON file;
`--compare OLD.json` prints the changes against an earlier one.

Modules: `corpora` (benchmark corpora, planted labels), `measure` (the measured runs and their
process isolation), `results` (quality, ratios, targets, JSON, deltas), `table` (printing),
`runner` (`run_bench`), `cli` (`bench_command`).
"""

from __future__ import annotations

from typing import Any

# Only typer and rich at import time: `voc-synth --help` must stay quick.
from .cli import bench_command, main

__all__ = ["bench_command", "main", "parse_size", "parse_sizes", "run_bench"]


def __getattr__(name: str) -> Any:
    if name in ("parse_size", "parse_sizes"):
        from . import corpora

        return getattr(corpora, name)
    if name == "run_bench":
        from .runner import run_bench

        return run_bench
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
