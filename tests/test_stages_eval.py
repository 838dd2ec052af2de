"""Stage mapping against the labelled evaluation sets in data/stages_eval/ (see scripts/eval_stages.py).

Half A of each set was used to tune the method and half B was held out; both are checked. Unmapped
texts count as wrong. The thresholds sit a little under the measured figures, so a change that
makes mapping worse fails here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from voc_synth.config import StageConfig

ROOT = Path(__file__).resolve().parent.parent


def _load_eval_module():
    spec = importlib.util.spec_from_file_location("eval_stages", ROOT / "scripts" / "eval_stages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ev():
    return _load_eval_module()


@pytest.fixture(scope="module")
def encode(ev, pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory):
    cache = getattr(pytestconfig, "cache", None)
    folder = Path(cache.mkdir("voc_synth_embeddings")) if cache is not None else tmp_path_factory.mktemp("emb")
    return ev.make_encoder(folder)


@pytest.fixture(scope="module")
def results(ev, encode):
    out = {}
    for name in ("bank", "ecommerce"):
        es = ev.load_eval_set(name, encode)
        out[name] = (es, ev.evaluate(es, encode, StageConfig()).set_index("part"))
    return out


def test_the_eval_sets_are_what_the_docs_say(results):
    bank, _ = results["bank"]
    assert len(bank.framework) == 8 and len(bank.data) >= 400
    assert all(len(s.examples) == 3 for s in bank.framework.stages)
    assert bank.data["stage"].value_counts().min() >= 50
    ecommerce, _ = results["ecommerce"]
    assert ecommerce.framework.name == "ecommerce" and len(ecommerce.data) >= 200
    assert set(bank.data["half"]) == {"A", "B"}


def test_bank_queries_beat_the_baseline_and_reach_the_bar(results):
    _, table = results["bank"]
    assert table.loc["A", "ours"] >= 0.85
    for part in ("A", "B", "all"):
        assert table.loc[part, "ours"] >= table.loc[part, "baseline"] + 0.05, part
        assert table.loc[part, "coverage"] >= 0.97, part
    assert table.loc["B", "ours"] >= 0.80  # held out
    assert table.loc["all", "ours"] >= 0.83


def test_ecommerce_feedback_beats_the_baseline(results):
    _, table = results["ecommerce"]
    assert table.loc["A", "ours"] >= 0.85
    for part in ("A", "B", "all"):
        assert table.loc[part, "ours"] >= table.loc[part, "baseline"] + 0.05, part
    assert table.loc["B", "ours"] >= 0.78  # held out
    assert table.loc["all", "coverage"] >= 0.93


def test_lopsided_corpora_and_small_talk(ev, encode, results):
    bank, _ = results["bank"]
    skew = ev.skewed_check(bank, encode)
    assert skew["skewed_ours"] >= 0.85
    assert skew["skewed_ours"] >= skew["skewed_baseline"] + 0.05
    talk = ev.small_talk_check(bank, encode)
    assert talk["small_talk_unmapped"] >= 0.4
    assert talk["labelled_coverage"] >= 0.97
