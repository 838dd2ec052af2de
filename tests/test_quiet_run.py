"""A quiet first run: OpenVINO's telemetry (whose forks from a thread pool made numba print "Attempted
to fork from a non-main thread" once per queued event) is kept out, model loading draws no
third-party progress bars, and Python warnings land in the run's warnings instead of stderr."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import warnings

import pytest

from voc_synth.models import quiet_model_loading

OPENVINO = importlib.util.find_spec("openvino") is not None


@pytest.mark.skipif(not OPENVINO, reason="openvino not installed")
def test_openvino_import_starts_no_telemetry_threads_or_forks() -> None:
    code = """
import os, sys, threading
forks = []
os.register_at_fork(before=lambda: forks.append(threading.current_thread().name))
from voc_synth.models import keep_openvino_telemetry_out
assert keep_openvino_telemetry_out()
import openvino  # imports openvino.tools.ovc, which sends an "import" event when telemetry is on
assert sys.modules.get("openvino_telemetry") is None
extra = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
print("threads", extra, "forks", forks)
assert not extra and not forks
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Numba" not in done.stderr


def test_telemetry_block_respects_an_existing_import(monkeypatch: pytest.MonkeyPatch) -> None:
    from voc_synth.models import keep_openvino_telemetry_out

    fake = type(sys)("openvino_telemetry")
    monkeypatch.setitem(sys.modules, "openvino_telemetry", fake)
    assert keep_openvino_telemetry_out() is False  # the caller's own import is left alone
    assert sys.modules["openvino_telemetry"] is fake


def test_quiet_model_loading_hides_bars_and_restores_settings() -> None:
    from transformers.utils import logging as hf_logging

    before = (hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled())
    with quiet_model_loading():
        assert not hf_logging.is_progress_bar_enabled()
        assert hf_logging.get_verbosity() == hf_logging.ERROR
    assert (hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()) == before


def test_loading_the_embedding_model_prints_nothing() -> None:
    code = """
from voc_synth.models import load_embedding_model
load_embedding_model()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home"})
    assert done.returncode == 0, done.stderr
    assert "Loading weights" not in done.stderr and "%|" not in done.stderr, done.stderr


def test_warnings_go_to_the_run_not_the_terminal() -> None:
    from voc_synth.cli import _collect_warnings, _record_warnings

    class Run:
        meta: dict = {"warnings": ["already there"]}

    run = Run()
    with _collect_warnings() as caught:
        from voc_synth import models

        warnings.warn_explicit(models.SPACY_MISSING_WARNING, UserWarning, models.__file__, 300)  # voc_synth's own
        warnings.warn_explicit("old API", FutureWarning, "/site-packages/somelib/core.py", 10)
        warnings.warn_explicit("old API", FutureWarning, "/site-packages/somelib/core.py", 10)
    _record_warnings(run, caught)
    assert run.meta["warnings"] == ["already there", models.SPACY_MISSING_WARNING]
    assert run.meta["library_warnings"] == [{"warning": "FutureWarning: old API (core.py:10)", "count": 2}]
