"""Shared fixtures: paths to the project's corpora and a guard that fails any network use."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "corpora" / "demo_shop"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


class RecordingProgress:
    """A `ProgressFactory` that records what a step opened and how far it advanced."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, int | None]] = []
        self.advanced: list[int] = []

    def __call__(self, description: str, total: int | None = None):  # type: ignore[no-untyped-def]
        import contextlib

        recorder = self

        class Task:
            def advance(self, n: int = 1) -> None:
                recorder.advanced.append(n)

        @contextlib.contextmanager
        def context():  # type: ignore[no-untyped-def]
            recorder.opened.append((description, total))
            yield Task()

        return context()


@pytest.fixture
def recording_progress() -> RecordingProgress:
    return RecordingProgress()


def run_cli(args: list[str], cache_dir: Path, timeout: int = 900) -> tuple[subprocess.CompletedProcess[str], float]:
    """`voc-synth ARGS` in a fresh process with `cache_dir` as its cache, as a user runs it; with
    the wall-clock seconds it took."""
    env = {**os.environ, "VOC_SYNTH_CACHE_DIR": str(cache_dir), "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "voc_synth", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)
    return done, time.perf_counter() - started


@dataclass(frozen=True)
class DemoRun:
    """One `voc-synth run` of the demo corpus: its run folder, the cache it filled and its output."""

    folder: Path
    cache_dir: Path
    seconds: float
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def demo_cold_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """`voc-synth run corpora/demo_shop --segment-by customer_segment` from an empty cache, once per
    session. The end-to-end, cluster and compare tests all need the demo run cold and as a user
    runs it; a demo run is about two minutes, so they share this one and must not write into it."""
    cache_dir = tmp_path_factory.mktemp("demo-cache")
    out = tmp_path_factory.mktemp("demo-runs") / "demo"
    done, seconds = run_cli(["run", str(DEMO), "--out", str(out), "--segment-by", "customer_segment"], cache_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    return DemoRun(out, cache_dir, seconds, done.stdout, done.stderr)
