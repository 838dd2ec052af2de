"""The benchmark (`voc-synth bench`): one quick run on a tiny synthetic corpus, in this process,
checked for the shape of its JSON and its printed tables. Speed itself is never asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from voc_synth.bench import bench_command, parse_size, parse_sizes
from voc_synth.bench.corpora import planted_labels, size_label
from voc_synth.bench.measure import OUR_STEPS
from voc_synth.bench.results import RUNS, deltas

STEP_KEYS = ("seconds", "cpu_s", "segments_per_s", "rss_peak_mb", "rss_start_mb", "rss_end_mb",
             "maxrss_mb", "jit_s", "cache")


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(bench_command)
    return app


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    work = tmp_path_factory.mktemp("bench")
    out = work / "result.json"
    result = CliRunner().invoke(_app(), [
        "--sizes", "300", "--no-demo", "--in-process", "--threads", "1", "--sentiment", "vader",
        "--work-dir", str(work), "--json", str(out),
    ])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(out.read_text(encoding="utf-8")), result.output, out


def test_parse_sizes() -> None:
    assert parse_sizes("1k,10k,100k,1m") == [1_000, 10_000, 100_000, 1_000_000]
    assert parse_size("2500") == 2500 and parse_size("0.5k") == 500
    assert parse_sizes("") == []
    assert [size_label(n) for n in (1_000, 100_000, 1_000_000, 300)] == ["1k", "100k", "1m", "300"]
    with pytest.raises(ValueError):
        parse_size("ten")
    with pytest.raises(ValueError):
        parse_size("50")


def test_planted_labels_match_records_and_interview_turns(tmp_path: Path) -> None:
    (tmp_path / "ANSWER_KEY.yaml").write_text(
        "labels: labels.csv\nthemes:\n- id: late\n  records: [T-1]\n  interview_turns: ['P01:4']\n",
        encoding="utf-8")
    (tmp_path / "labels.csv").write_text("record_id,theme_id\nR-1,refund\n", encoding="utf-8")
    segments = pd.DataFrame({
        "doc_id": ["T-1", "R-1", "R-2", "P01", "P01"],
        "source_type": ["ticket", "review", "review", "interview", "interview"],
        "participant": ["", "", "", "P01", "P01"],
        "turn": [None, None, None, 4, 6],
    })
    assert planted_labels(segments, tmp_path).tolist() == ["late", "refund", None, "late", None]


def test_json_has_every_step_with_time_memory_and_cache_state(bench: tuple[dict, str, Path]) -> None:
    data, _, _ = bench
    assert data["schema"] == "voc_synth.bench/1"
    assert data["machine"]["cpu_count"] and data["versions"]["bertopic"]
    (corpus,) = data["corpora"]
    assert corpus["name"] == "synth-300" and corpus["segments"] > 100
    runs = corpus["runs"]
    assert set(runs) == set(RUNS)
    for name in RUNS:
        assert not runs[name].get("error"), runs[name]
    for state in ("cold", "warm"):
        run = runs[f"ours_{state}"]
        assert run["cache"] == state
        assert list(run["steps"]) == list(OUR_STEPS)
        for step, record in run["steps"].items():
            for key in STEP_KEYS:
                assert key in record, f"{state} {step} lacks {key}"
            assert record["cache"] == state
            assert record["seconds"] >= 0 and record["rss_peak_mb"] > 0
            assert record["rss_peak_mb"] >= min(record["rss_start_mb"], record["rss_end_mb"])
        assert run["total_s"] > 0 and run["maxrss_mb"] > 0 and run["peak_rss_mb"] > 0
    cold_embed, warm_embed = runs["ours_cold"]["steps"]["embed"], runs["ours_warm"]["steps"]["embed"]
    assert cold_embed["cache_hits"] == 0 and cold_embed["encoded"] > 0
    assert warm_embed["encoded"] == 0 and warm_embed["cache_hits"] == warm_embed["unique_texts"]
    assert "umap" in runs["ours_cold"]["steps"]["themes"]["substeps"]
    for state in ("cold", "warm"):
        run = runs[f"bertopic_{state}"]
        assert list(run["steps"]) == ["model_load", "fit_transform"]
        for key in STEP_KEYS:
            assert key in run["steps"]["fit_transform"]
    assert "embedding" in runs["bertopic_cold"]["steps"]["fit_transform"]["substeps"]
    assert "embedding" not in runs["bertopic_warm"]["steps"]["fit_transform"]["substeps"]


def test_bertopic_comparison_has_ratios_and_quality(bench: tuple[dict, str, Path]) -> None:
    data, _, _ = bench
    (corpus,) = data["corpora"]
    comparison = corpus["comparison"]
    for key in ("time_ratio_cold", "time_ratio_warm", "speedup_warm_vs_bertopic_cold",
                "memory_ratio_cold", "memory_ratio_warm", "cpu_ratio_cold", "process_memory_ratio_cold"):
        assert isinstance(comparison[key], float) and comparison[key] > 0, key
    quality = corpus["quality"]
    assert quality["available"] and quality["labelled_segments"] >= 0.8 * quality["segments"]
    assert quality["planted_themes"] >= 10
    for name in RUNS:
        scores = quality[name]
        assert 0.0 <= scores["nmi"] <= 1.0 and -1.0 <= scores["ari"] <= 1.0
        assert 0.0 <= scores["unthemed_share"] <= 1.0 and scores["n_themes"] >= 1
    assert quality["warm_equals_cold"] is True  # cached vectors are bit-identical
    assert isinstance(quality["nmi_ratio"], float) and isinstance(quality["ari_ratio"], float)
    targets = {t["target"] for t in data["targets"]}
    assert any("BERTopic cold" in t for t in targets) and any("NMI" in t for t in targets)


def test_printed_tables_mention_every_step_and_the_comparison(bench: tuple[dict, str, Path]) -> None:
    _, output, _ = bench
    for step in OUR_STEPS:
        assert step in output, step
    for words in ("analysis", "end to end", "plain BERTopic", "NMI", "ARI", "unthemed", "Targets"):
        assert words in output, words


def test_show_and_compare_print_saved_results_and_deltas(bench: tuple[dict, str, Path], tmp_path: Path) -> None:
    data, _, path = bench
    markdown = tmp_path / "figures.md"
    result = CliRunner().invoke(_app(), ["--show", str(path), "--show", str(path), "--compare", str(path),
                                         "--markdown", str(markdown)])
    assert result.exit_code == 0, result.output
    assert "Changes against" in result.output and "ours_cold.embed.seconds" in result.output
    rows = deltas(data, data)
    assert rows and all(row["change"] == 0 for row in rows)
    text = markdown.read_text(encoding="utf-8")
    assert "| synth-300 |" in text and "NMI ours / BERTopic" in text and "```bash" in text
