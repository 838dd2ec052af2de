"""The bar of the cluster issue: the demo corpus run with `--scheduler local:2` writes the same
synthesis.json as the run without a scheduler (timings live in manifest.json), both from a
cold embedding cache, so the workers really encode, analyse and score.

Slow (two cold demo runs and a LocalCluster of two worker processes: about three minutes on
an idle 2-core machine); each CLI call is capped at ten minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DEMO

pytestmark = pytest.mark.slow


def _run(args: list[str], cache: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "VOC_SYNTH_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "voc_synth", *args], capture_output=True, text=True,
                          timeout=600, env=env)
    return done, time.perf_counter() - started


def _synthesis(folder: Path) -> dict:
    document = json.loads((folder / "synthesis.json").read_text(encoding="utf-8"))
    document["meta"].pop("created_at")
    return document


def test_the_demo_on_local_2_gives_the_same_synthesis(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    alone, alone_s = _run(["run", str(DEMO), "--out", str(tmp_path / "alone")], cache)
    assert alone.returncode == 0, alone.stdout + alone.stderr
    # Cold again for the cluster run (the unpacked stage model is kept: it is not a result).
    shutil.rmtree(cache / "embeddings")
    clustered, cluster_s = _run(["run", str(DEMO), "--out", str(tmp_path / "cluster"), "--scheduler", "local:2"],
                                cache)
    assert clustered.returncode == 0, clustered.stdout + clustered.stderr
    print(f"demo: {alone_s:.1f} s without a scheduler, {cluster_s:.1f} s with local:2")

    assert _synthesis(tmp_path / "cluster") == _synthesis(tmp_path / "alone")
    manifest = json.loads((tmp_path / "cluster" / "manifest.json").read_text(encoding="utf-8"))
    execution = manifest["execution"]
    assert execution["workers"] == 2 and execution["scheduler"] == "local:2"
    on_workers = {step["step"] for step in execution["steps"] if step["partitions"]}
    assert {"spacy", "embed", "sentiment"} <= on_workers, execution["steps"]
    assert manifest["embedding_cache"]["encoded"] > 0  # cold: the workers encoded
    assert not (tmp_path / ".cluster.work").exists()  # the work folder goes once the run is complete
    assert "LocalCluster of 2 worker processes" in clustered.stderr
