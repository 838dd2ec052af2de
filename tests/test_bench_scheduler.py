"""`voc-synth bench --scheduler local:2`: the pipeline on two workers and on one, each step
timed, each worker's peak memory, the 1 vs 2 ratio and a projection labelled as one.

Plumbing only, on a tiny corpus with small partitions so every distributed step really has
several; speed is never asserted. Slow: two cold pipeline runs, each with its own LocalCluster.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from voc_synth.bench import bench_command
from voc_synth.bench.scaling import PROJECTED_MACHINES, scaling_result

pytestmark = pytest.mark.slow


def test_scaling_is_an_amdahl_projection_from_two_runs() -> None:
    one = {"steps": {"embed": {"seconds": 100.0}, "themes": {"seconds": 10.0}}, "execution": {}}
    two = {"steps": {"embed": {"seconds": 50.0}, "themes": {"seconds": 10.0}},
           "execution": {"worker_peak_rss_mb": {"w1": 900.0, "w2": 950.0}}}
    result = scaling_result(one, two, 2)
    assert result["steps"]["embed"]["ratio_1_vs_n"] == 2.0
    assert result["steps"]["embed"]["projected_s"] == {"8": 12.5, "32": 3.1}  # all of it parallel
    assert result["steps"]["themes"]["projected_s"] == {"8": 10.0, "32": 10.0}  # none of it
    assert result["worker_peak_rss_mb"]["2"] == {"w1": 900.0, "w2": 950.0}
    assert "projection, not a measurement" in result["note"]
    assert not scaling_result(None, two, 2)["available"]


def test_bench_with_a_local_cluster_records_steps_workers_and_a_projection(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(bench_command)
    out = tmp_path / "result.json"
    result = CliRunner().invoke(app, [
        "--sizes", "300", "--no-demo", "--in-process", "--no-bertopic", "--sentiment", "vader",
        "--scheduler", "local:2", "--partition-size", "64", "--work-dir", str(tmp_path), "--json", str(out),
    ])
    assert result.exit_code == 0, result.output + repr(result.exception)
    corpus = json.loads(out.read_text(encoding="utf-8"))["corpora"][0]
    assert set(corpus["runs"]) == {"ours_cold", "ours_1_worker"}
    assert corpus["runs"]["ours_cold"]["execution"]["workers"] == 2
    assert corpus["runs"]["ours_1_worker"]["execution"]["workers"] == 1
    scaling = corpus["scaling"]
    assert scaling["available"] and scaling["workers"] == 2
    for step in ("ingest", "embed", "themes", "sentiment", "stages"):
        row = scaling["steps"][step]
        assert row["seconds_1_worker"] > 0 and row["seconds_2_workers"] > 0
        assert set(row["projected_s"]) == {str(m) for m in PROJECTED_MACHINES}
    assert len(scaling["worker_peak_rss_mb"]["2"]) == 2 and len(scaling["worker_peak_rss_mb"]["1"]) == 1
    assert all(mb > 0 for mb in scaling["worker_peak_rss_mb"]["2"].values())
    assert "PROJECTION" in result.output and "1 vs 2 workers" in result.output


def test_bench_refuses_a_bad_scheduler_before_writing_corpora(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(bench_command)
    result = CliRunner().invoke(app, ["--sizes", "300", "--no-demo", "--scheduler", "local:", "--work-dir",
                                      str(tmp_path)])
    assert result.exit_code == 2 and "local:2" in result.output
    assert not (tmp_path / "corpora").exists()
