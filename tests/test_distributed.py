"""voc_synth on a Dask cluster (`voc_synth.distributed`): scheduler addresses checked before
anything connects, partitions that resume from the work folder and survive a killed worker,
each model loaded once per worker, and the same synthesis on a LocalCluster as in one process.

Every test starts its own LocalCluster (in-process, or two small worker processes) and shuts it
down.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import DEMO, RecordingProgress
from distributed import Client, LocalCluster
from typer.testing import CliRunner

import voc_synth as vs
from voc_synth.cli import app
from voc_synth.config import load_config
from voc_synth.distributed import ClusterSession, on_cluster, parse_scheduler
from voc_synth.distributed.partitions import Partition, partition_key, run_partitions
from voc_synth.errors import ClusterError, ConfigError


@pytest.fixture(scope="module")
def inproc_client():
    """Two workers as threads of this process: quick to start, tasks see this module's state."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        yield client


# -- addresses ----------------------------------------------------------------------------------

def test_scheduler_addresses_are_read_before_connecting() -> None:
    assert parse_scheduler("local:3").n_workers == 3 and parse_scheduler("local:3").local
    assert parse_scheduler("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    assert parse_scheduler("scheduler.lan:9000").address == "tcp://scheduler.lan:9000"
    assert parse_scheduler("tls://[::1]").address == "tls://[::1]:8786"
    for bad, says in [("local:x", "number of workers"), ("local:0", "at least 1"),
                      ("http://host:8786", "not a Dask protocol"), ("tcp://host:port", "not a number"),
                      ("", "empty")]:
        with pytest.raises(ConfigError) as err:
            parse_scheduler(bad)
        assert says in str(err.value) and "local:N" in str(err.value) or bad.startswith("local"), str(err.value)


def test_a_bad_scheduler_address_stops_the_cli_with_the_fix(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(DEMO), "--out", str(tmp_path / "run"), "--scheduler", "local:two"])
    assert result.exit_code == 2, result.output
    assert "local:2" in result.output and "dask scheduler" in result.output
    assert not (tmp_path / "run").exists()


def test_an_unreachable_scheduler_says_what_to_check(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import socket

    from voc_synth.distributed import session

    monkeypatch.setattr(session, "CONNECT_TIMEOUT_S", 2.0)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ClusterError) as err:
        ClusterSession.open(f"127.0.0.1:{port}", work_dir=tmp_path)
    message = str(err.value)
    assert f"tcp://127.0.0.1:{port}" in message and "dask scheduler" in message and "local:N" in message


# -- partitions: resume, retry, kill --------------------------------------------------------------

CALLS: list[int] = []


def _square(marker: str, values: np.ndarray) -> dict[str, np.ndarray]:
    """A partition function that fails on the partition holding 13 while `marker` exists."""
    CALLS.append(int(values[0]))
    if 13 in values and Path(marker).exists():
        raise RuntimeError("partition 13 fails this time")
    return {"squares": values ** 2}


def _partitions(n: int = 16, size: int = 4) -> list[Partition]:
    blocks = [np.arange(start, start + size) for start in range(0, n, size)]
    return [Partition(partition_key("test", "square", block), (block,), len(block)) for block in blocks]


def test_a_killed_run_resumes_from_its_finished_partitions(inproc_client: Client, tmp_path: Path) -> None:
    marker = tmp_path / "fail"
    marker.touch()
    session = ClusterSession(inproc_client, work_dir=tmp_path / "work", retries=0)
    parts, got = _partitions(), {}
    CALLS.clear()
    with pytest.raises(RuntimeError, match="fails this time"):
        run_partitions(session, "square", _square, parts, got.__setitem__, shared=[str(marker)])
    finished = session.store.count("square")
    assert 1 <= finished <= 3  # the others were kept (those not cancelled once the failure surfaced)

    marker.unlink()  # the cause is fixed; the same run again
    CALLS.clear()
    got.clear()
    seen = RecordingProgress()
    with seen("squares", 16) as task:
        run_partitions(session, "square", _square, parts, got.__setitem__, shared=[str(marker)],
                       advance=task.advance)
    assert len(CALLS) == 4 - finished  # only what had not finished
    assert session.phases[-1]["resumed"] == finished
    assert sum(seen.advanced) == 16
    assert np.array_equal(np.concatenate([got[i]["squares"] for i in range(4)]), np.arange(16) ** 2)


def _die_once(marker_dir: str, values: np.ndarray) -> dict[str, np.ndarray]:
    """Kills its worker process the first time it sees partition 0 (as the OOM killer would)."""
    marker = Path(marker_dir) / "died"
    if values[0] == 0 and not marker.exists():
        marker.touch()
        os._exit(1)
    return {"squares": values ** 2}


def _models_loaded() -> dict[str, int]:
    from voc_synth.models import _load_sentence_transformer

    return {"sentence_transformer_loads": _load_sentence_transformer.cache_info().misses}


@pytest.fixture(scope="module")
def process_cluster(tmp_path_factory: pytest.TempPathFactory):
    """Two small worker processes, sharing one fresh voc_synth cache with this process."""
    cache = tmp_path_factory.mktemp("voc-synth-cache")
    previous = os.environ.get("VOC_SYNTH_CACHE_DIR")
    os.environ["VOC_SYNTH_CACHE_DIR"] = str(cache)  # the workers are spawned with it
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                          memory_limit="3GiB") as cluster, Client(cluster) as client:
            yield client, cache
    finally:
        if previous is None:
            os.environ.pop("VOC_SYNTH_CACHE_DIR", None)
        else:
            os.environ["VOC_SYNTH_CACHE_DIR"] = previous


def test_a_killed_worker_partitions_run_again_elsewhere(process_cluster, tmp_path: Path) -> None:
    client, _ = process_cluster
    session = ClusterSession(client, work_dir=tmp_path / "work")
    got: dict[int, dict[str, np.ndarray]] = {}
    run_partitions(session, "die", _die_once, _partitions(), got.__setitem__, shared=[str(tmp_path)])
    assert (tmp_path / "died").exists()  # a worker really died
    assert np.array_equal(np.concatenate([got[i]["squares"] for i in range(4)]), np.arange(16) ** 2)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_embeddings_on_workers_match_one_process_and_each_worker_loads_the_model_once(
        process_cluster, tmp_path: Path) -> None:
    from voc_synth.config import EmbeddingConfig

    client, cache = process_cluster
    texts = [f"Order {i} arrived {'late' if i % 3 else 'early'}, the {['box', 'lid', 'mug'][i % 3]} was "
             f"{'broken' if i % 2 else 'fine'} and support {'helped' if i % 5 else 'never answered'}."
             for i in range(1500)]
    local = vs.embed_texts(texts, EmbeddingConfig(cache_dir=tmp_path / "one-process"))
    progress = RecordingProgress()
    with on_cluster(client, work_dir=tmp_path / "work", partition_size=256) as session:
        clustered = vs.embed_texts(texts, EmbeddingConfig(cache_dir=tmp_path / "cluster"), progress=progress)
    assert np.array_equal(local, clustered)  # the same batches, so the same vectors
    phase = session.phases[-1]
    assert phase["step"] == "embed" and phase["partitions"] >= 2 and len(phase["workers"]) == 2
    assert sum(progress.advanced) == len(texts)
    loads = client.run(_models_loaded)
    assert all(info["sentence_transformer_loads"] == 1 for info in loads.values()), loads
    # The workers filled the run's cache: the same texts again encode nothing.
    with on_cluster(client, work_dir=tmp_path / "work", partition_size=256):
        vs.embed_texts(texts, EmbeddingConfig(cache_dir=tmp_path / "cluster"))
    from voc_synth.embed import last_stats

    assert last_stats().n_encoded == 0


def test_sentiment_and_stage_keywords_on_workers_match_one_process(inproc_client: Client, tmp_path: Path) -> None:
    from voc_synth.config import SentimentConfig
    from voc_synth.frameworks import load_framework
    from voc_synth.stages.lexical import KeywordMatcher

    texts = [f"The {w} was {'awful' if i % 2 else 'lovely'} and delivery took {i % 9} days"
             for i, w in enumerate(["refund", "courier", "checkout", "parcel", "price"] * 300)]
    framework = load_framework("ecommerce")
    matcher = KeywordMatcher([stage.keywords for stage in framework.stages])
    config = SentimentConfig(backend="vader")
    here_keywords, here_sentiment = matcher.score(texts), vs.score_sentiment(texts, config=config)
    with on_cluster(inproc_client, work_dir=tmp_path / "work", partition_size=128) as session:
        there_keywords, there_sentiment = matcher.score(texts), vs.score_sentiment(texts, config=config)
    assert np.array_equal(here_keywords, there_keywords)
    assert here_sentiment.equals(there_sentiment)
    assert {p["step"] for p in session.phases} == {"stage_keywords", "sentiment"}


# -- the same synthesis -------------------------------------------------------------------------

def _synthetic_config(root: Path, n_segments: int) -> Path:
    from voc_synth.corpora.synth import write_synthetic_corpus

    corpus = root / f"synth{n_segments}"
    write_synthetic_corpus(corpus, n_segments, seed=3)
    config = yaml.safe_load((corpus / "voc_synth.yaml").read_text(encoding="utf-8"))
    # The run's own embeddings place stages: the stronger stage encoder is covered by the demo test.
    config.setdefault("stages", {})["encoder"] = "same"
    (corpus / "voc_synth.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return corpus


def _comparable(synthesis: vs.Synthesis, folder: Path) -> dict:
    """synthesis.json as written, without its time stamp."""
    document = json.loads(synthesis.save(folder).read_text(encoding="utf-8"))
    document["meta"].pop("created_at", None)
    return document


@pytest.mark.slow
def test_a_corpus_above_the_theme_sample_gives_the_same_synthesis_on_a_cluster(
        inproc_client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Below the theme sample, the whole demo is checked the same way (test_distributed_demo.py).
    n_segments, theme_sample = 1400, 400
    corpus = _synthetic_config(tmp_path, n_segments)
    monkeypatch.setenv("VOC_SYNTH_CACHE_DIR", str(tmp_path / "cache"))
    config = load_config(corpus)
    config.execution.theme_sample = theme_sample
    alone = vs.synthesize(config)

    shutil.rmtree(tmp_path / "cache" / "embeddings")  # cold again: the workers must encode
    progress = RecordingProgress()
    with on_cluster(inproc_client, work_dir=tmp_path / "work", partition_size=256, progress=progress) as session:
        clustered = vs.synthesize(load_config(corpus).model_copy(update={"execution": config.execution}),
                                  progress=progress)

    assert _comparable(clustered, tmp_path / "b") == _comparable(alone, tmp_path / "a")
    steps = {phase["step"] for phase in session.phases if phase["partitions"] >= 2}
    assert {"spacy", "embed"} <= steps, session.phases
    assert "sentiment" in {phase["step"] for phase in session.phases}
    assert "themes" in steps
    assert alone.meta["config"]["execution"]["theme_sample"] == theme_sample
    assert clustered.meta["execution"]["workers"] == 2
    assert ("Scoring sentiment", len(clustered.segments)) in progress.opened
    assert not (tmp_path / "work").exists()  # emptied once the block ended normally
