"""Stage mapping against the labelled evaluation sets in data/stages_eval/ (see scripts/eval_stages.py).

Half A of the bank and e-commerce sets was used to tune the method and half B was held out; the
telecom set was never tuned on. Unmapped texts count as wrong. Stages are mapped with the encoder
a run picks for a corpus this small (all-MiniLM-L6-v2 for the baseline, all-mpnet-base-v2 for
ours; see voc_synth.stages.encoder). Embeddings are float32, so the figures are the same on every
machine; the thresholds sit about a point under the measured ones (data/stages_eval/README.md),
so a change that makes mapping worse fails here.
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
    for name in ("bank", "ecommerce", "telecom", "retail"):
        es = ev.load_eval_set(name, encode)
        out[name] = (es, ev.evaluate(es, encode, StageConfig()).set_index("part"))
    return out


def test_the_figures_are_for_the_encoder_a_run_uses(ev):
    assert ev.stage_encoder_model("auto") == "all-mpnet-base-v2"
    assert ev.stage_encoder_model("same") == "all-MiniLM-L6-v2"


def test_the_eval_sets_are_what_the_docs_say(results):
    bank, _ = results["bank"]
    assert len(bank.framework) == 8 and len(bank.data) >= 400
    assert all(len(s.examples) == 3 for s in bank.framework.stages)
    assert bank.data["stage"].value_counts().min() >= 50
    ecommerce, _ = results["ecommerce"]
    assert ecommerce.framework.name == "ecommerce" and len(ecommerce.data) >= 200
    assert set(bank.data["half"]) == {"A", "B"}


def test_bank_queries_beat_the_baseline(results):
    _, table = results["bank"]
    assert table.loc["A", "ours"] >= 0.89  # measured 0.902
    assert table.loc["B", "ours"] >= 0.885  # held out; measured 0.895
    assert table.loc["all", "ours"] >= 0.90  # measured 0.914
    for part in ("A", "B", "all"):
        assert table.loc[part, "ours"] >= table.loc[part, "baseline"] + 0.14, part
        # The method, not only the stronger encoder: plain similarity with it is far behind.
        assert table.loc[part, "ours"] >= table.loc[part, "base_enc"] + 0.10, part
        assert table.loc[part, "coverage"] >= 0.98, part


def test_ecommerce_feedback_beats_the_baseline(results):
    _, table = results["ecommerce"]
    assert table.loc["A", "ours"] >= 0.85  # measured 0.860
    assert table.loc["B", "ours"] >= 0.805  # held out; measured 0.815
    assert table.loc["all", "ours"] >= 0.835  # measured 0.845
    for part in ("A", "B", "all"):
        assert table.loc[part, "ours"] >= table.loc[part, "baseline"] + 0.08, part
    assert table.loc["all", "coverage"] >= 0.96


def _assert_blind_set(table, floors: dict[str, float], gain: float, coverage: float) -> None:
    """A never-tuned-on set: each part at least its floor, `gain` over the baseline, mapped enough."""
    for part, floor in floors.items():
        assert table.loc[part, "ours"] >= floor, part
        assert table.loc[part, "ours"] >= table.loc[part, "baseline"] + gain, part
        assert table.loc[part, "coverage"] >= coverage, part


def test_telecom_queries_never_tuned_on_beat_the_baseline(results):
    telecom, table = results["telecom"]
    assert len(telecom.framework) == 8 and len(telecom.data) >= 500
    # measured 0.785 / 0.827 / 0.823
    _assert_blind_set(table, {"A": 0.775, "B": 0.815, "all": 0.81}, gain=0.10, coverage=0.97)


def test_lopsided_corpora_and_small_talk(ev, encode, results):
    bank, _ = results["bank"]
    skew = ev.skewed_check(bank, encode)
    assert skew["skewed_ours"] >= 0.90  # measured 0.914
    assert skew["skewed_ours"] >= skew["skewed_baseline"] + 0.15
    talk = ev.small_talk_check(bank, encode)
    assert talk["small_talk_unmapped"] >= 0.4
    assert talk["labelled_coverage"] >= 0.97


def test_retail_queries_written_blind_beat_the_baseline(results):
    # Written by someone who had not read the method, after it was fixed; run once, never tuned on.
    retail, table = results["retail"]
    assert len(retail.framework) == 8 and len(retail.data) == 480
    # measured 0.785 / 0.809 / 0.792
    _assert_blind_set(table, {"A": 0.775, "B": 0.80, "all": 0.78}, gain=0.09, coverage=0.98)


def test_no_cliff_when_the_stronger_encoder_sees_only_a_sample(ev, encode, results):
    # Issue 15: a corpus over `stages.encoder_max_texts` distinct texts has only a sample placed
    # with the stronger encoder and a map learnt from it places the rest. Accuracy must fall
    # smoothly with the share sampled, not drop when the corpus crosses the budget.
    bank, table = results["bank"]
    curve = ev.budget_curve(bank, encode, [200, 360, 719])
    assert curve[719] >= table.loc["all", "ours"] - 0.01  # one text over the budget
    assert curve[360] >= 0.88  # half sampled; measured 0.890 (the whole set with the stronger encoder: 0.914)
    assert curve[200] >= 0.865  # measured 0.872; with the run's embeddings alone 0.860
