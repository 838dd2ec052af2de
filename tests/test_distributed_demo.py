"""The bar of the cluster issue: the demo corpus run with `--scheduler local:2` writes the same
synthesis.json as the run without a scheduler (timings live in manifest.json), both from a
cold embedding cache, so the workers really encode, analyse and score.

The run without a scheduler is the session's shared cold demo run (conftest's `demo_cold_run`).
Slow (a cold demo run on a LocalCluster of two worker processes: about two minutes on an idle
2-core machine); the CLI call is capped at ten minutes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import DEMO, DemoRun, run_cli

pytestmark = pytest.mark.slow


def _synthesis(folder: Path) -> dict:
    document = json.loads((folder / "synthesis.json").read_text(encoding="utf-8"))
    document["meta"].pop("created_at")
    # Where this machine keeps each model is provenance, not analysis: the cluster run's cache
    # is a copy of the shared run's, in another folder.
    for model in document["meta"].get("models", []):
        model.pop("location", None)
    return document


def test_the_demo_on_local_2_gives_the_same_synthesis(demo_cold_run: DemoRun, tmp_path: Path) -> None:
    # The run without a scheduler is the session's cold demo run (conftest). The cluster run gets
    # a cold cache of its own; the unpacked stage model is copied over, as it is not a result.
    cache = tmp_path / "cache"
    shutil.copytree(demo_cold_run.cache_dir, cache, ignore=shutil.ignore_patterns("embeddings"))
    clustered, cluster_s = run_cli(["run", str(DEMO), "--out", str(tmp_path / "cluster"), "--scheduler", "local:2"],
                                   cache, timeout=600)
    assert clustered.returncode == 0, clustered.stdout + clustered.stderr
    print(f"demo: {demo_cold_run.seconds:.1f} s without a scheduler, {cluster_s:.1f} s with local:2")

    assert _synthesis(tmp_path / "cluster") == _synthesis(demo_cold_run.folder)
    manifest = json.loads((tmp_path / "cluster" / "manifest.json").read_text(encoding="utf-8"))
    execution = manifest["execution"]
    assert execution["workers"] == 2 and execution["scheduler"] == "local:2"
    on_workers = {step["step"] for step in execution["steps"] if step["partitions"]}
    assert {"spacy", "embed", "sentiment"} <= on_workers, execution["steps"]
    assert manifest["embedding_cache"]["encoded"] > 0  # cold: the workers encoded
    assert not (tmp_path / ".cluster.work").exists()  # the work folder goes once the run is complete
    assert "LocalCluster of 2 worker processes" in clustered.stderr
