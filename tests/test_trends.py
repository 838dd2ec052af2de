"""`voc-synth compare`: the statistics, the theme pairing, the verdicts on two saved runs, the
reports (escaped, self-contained) and the errors for input that cannot be compared.

The runs are built without the pipeline (tests/trend_fixtures.py); reading them embeds their
few hundred texts with the real embedding model, cached in pytest's cache folder."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_fixtures import HOSTILE, PWN_SCRIPT
from trend_fixtures import GONE_LABEL, GROWN_LABEL, NEW_LABEL, SHRUNK_LABEL, save_runs
from typer.testing import CliRunner

from voc_synth.errors import ConfigError, InputError
from voc_synth.review.matching import Fingerprint
from voc_synth.synthesis import Synthesis
from voc_synth.trends import compare_runs, write_trend_report
from voc_synth.trends.pairing import Family, content_key, pair_themes
from voc_synth.trends.prevalence import Prevalence, measure
from voc_synth.trends.stats import (
    benjamini_hochberg,
    bootstrap_mean_difference,
    two_proportion_test,
)
from voc_synth.trends.theme_changes import merge_finer_cuts

# -- statistics ---------------------------------------------------------------------------------


def test_two_proportion_z_test_matches_the_textbook_formula() -> None:
    result = two_proportion_test(40, 400, 70, 400)
    pooled = 110 / 800
    z = (70 / 400 - 40 / 400) / math.sqrt(pooled * (1 - pooled) * (2 / 400))
    assert result.method == "two-proportion z-test"
    assert result.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert result.difference == pytest.approx(0.075)
    assert result.ci_low < 0.075 < result.ci_high and result.ci_low > 0


def test_small_counts_use_fishers_exact_test() -> None:
    from scipy.stats import fisher_exact

    result = two_proportion_test(0, 300, 6, 300)
    assert result.method == "Fisher's exact test"
    assert result.p_value == pytest.approx(fisher_exact([[0, 300], [6, 294]])[1])
    assert two_proportion_test(5, 300, 5, 300).p_value == pytest.approx(1.0)


def test_benjamini_hochberg_q_values() -> None:
    # Worked example: m = 5, sorted p = .01 .02 .03 .04 .5 → q = .05 .05 .05 .05 .5
    assert benjamini_hochberg([0.03, 0.5, 0.01, 0.04, 0.02]) == pytest.approx([0.05, 0.5, 0.05, 0.05, 0.05])
    assert benjamini_hochberg([0.001, 0.2]) == pytest.approx([0.002, 0.2])
    assert benjamini_hochberg([]) == []


def test_bootstrap_is_seeded_and_finds_a_real_shift_only() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(-0.2, 0.3, 300)
    b = rng.normal(0.1, 0.3, 300)
    records = np.arange(300)
    first = bootstrap_mean_difference(a, records, b, records, reps=500, seed=3)
    again = bootstrap_mean_difference(a, records, b, records, reps=500, seed=3)
    assert first == again
    assert first.ci_low < first.difference < first.ci_high and first.ci_low > 0.2 and first.p_value < 0.01
    same = bootstrap_mean_difference(a, records, a[::-1].copy(), records, reps=500, seed=3)
    assert same.ci_low < 0 < same.ci_high and same.p_value > 0.5
    assert bootstrap_mean_difference(a[:1], records[:1], b, records, reps=100) is None


def test_bootstrap_resamples_records_not_segments() -> None:
    """Ten segments of one record are one voice: the interval must be as wide as for 30 records."""
    rng = np.random.default_rng(2)
    per_record_a, per_record_b = rng.normal(0, 0.5, 30), rng.normal(0, 0.5, 30)
    a, b = np.repeat(per_record_a, 10), np.repeat(per_record_b, 10)
    grouped = bootstrap_mean_difference(a, np.repeat(np.arange(30), 10), b, np.repeat(np.arange(30), 10), reps=800)
    as_if_independent = bootstrap_mean_difference(a, np.arange(300), b, np.arange(300), reps=800)
    width = grouped.ci_high - grouped.ci_low
    assert width > 2.5 * (as_if_independent.ci_high - as_if_independent.ci_low)


# -- pairing and counting -------------------------------------------------------------------------


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=float)
    return v / np.linalg.norm(v)


def test_pairing_keeps_a_split_theme_together_and_leaves_new_and_gone_alone() -> None:
    e0, e1, e2, e3 = np.eye(4)
    run_a = {0: Fingerprint(frozenset({"a", "b"}), e0), 1: Fingerprint(frozenset({"c"}), e1),
             2: Fingerprint(frozenset({"d"}), e2)}
    run_b = {10: Fingerprint(frozenset({"w"}), _unit(1, 0.05, 0, 0)),
             11: Fingerprint(frozenset({"x"}), _unit(0.1, 1, 0, 0.2)),
             12: Fingerprint(frozenset({"y"}), _unit(0, 1, 0.25, 0)),   # the other half of A's theme 1
             13: Fingerprint(frozenset({"z"}), e3)}                      # something A never had
    pairing = pair_themes(run_a, run_b, {"a", "b", "c", "d"}, {"w", "x", "y", "z"})
    families = sorted((f.themes_a, f.themes_b) for f in pairing.families)
    assert families == [([], [13]), ([0], [10]), ([1], [11, 12]), ([2], [])]
    kinds = {tuple(f.themes_b): f.kind for f in pairing.families}
    assert kinds[(13,)] == "only_b" and kinds[()] == "only_a" and kinds[(10,)] == "both"


def test_a_theme_whose_centroid_drifted_between_quarters_is_still_the_same_theme() -> None:
    """Another quarter's clustering draws "support unreachable" a little elsewhere (cosine 0.87),
    yet each is the other's closest theme by far: the same theme, not one gone and one new. A
    theme whose closest match is closer to something else stays unpaired."""
    run_a = {0: Fingerprint(frozenset({"a"}), _unit(1, 0, 0, 0)),
             1: Fingerprint(frozenset({"b"}), _unit(0, 1, 0, 0)),
             2: Fingerprint(frozenset({"c"}), _unit(0, 0.75, 0.66, 0))}     # gone; leans towards 1's match
    run_b = {10: Fingerprint(frozenset({"w"}), _unit(0.87, 0, 0, 0.49)),    # theme 0, drifted
             11: Fingerprint(frozenset({"x"}), _unit(0, 1, 0.05, 0))}
    pairing = pair_themes(run_a, run_b, {"a", "b", "c"}, {"w", "x"})
    families = sorted((f.themes_a, f.themes_b) for f in pairing.families)
    assert families == [([0], [10]), ([1], [11]), ([2], [])]


def test_pairing_uses_shared_texts_when_runs_share_them() -> None:
    """A re-run of the same corpus: overlap decides, even where centroids would not."""
    run_a = {0: Fingerprint(frozenset({"x", "y", "z"}), _unit(1, 0, 0)), 1: Fingerprint(frozenset({"p", "q"}), _unit(0, 1, 0))}
    run_b = {5: Fingerprint(frozenset({"p", "q"}), _unit(0.6, 0.8, 0)), 6: Fingerprint(frozenset({"x", "y", "z"}), _unit(0.8, 0, 0.6))}
    pairing = pair_themes(run_a, run_b, {"x", "y", "z", "p", "q"}, {"x", "y", "z", "p", "q"})
    assert sorted((f.themes_a, f.themes_b) for f in pairing.families) == [([0], [6]), ([1], [5])]


def test_content_key_folds_case_punctuation_and_spacing() -> None:
    assert content_key("Still waiting for my REFUND!!  ") == content_key("still waiting, for my refund.")


def test_measure_counts_each_record_once_per_family() -> None:
    segments = pd.DataFrame({"doc_id": ["d1", "d1", "d2", "d3", "d4"], "theme_id": [0, 0, 1, -1, 1]})
    embeddings = np.array([[1, 0], [0.9, 0.1], [0, 1], [1, 0], [0.2, 1]], dtype=float)
    centroids = np.array([[1, 0], [0, 1], [0.2, 1]], dtype=float)
    result = measure(segments, embeddings, centroids, ["x", "y", "z"])
    assert result.documents == {"x": {"d1"}, "y": {"d2"}, "z": {"d4"}}  # d3 is unthemed: it says nothing
    assert result.records(["x"]) == 1 and result.records(["y", "z"]) == 2
    assert result.themed_records == 3


def _prevalence(run: str, counts: dict[tuple[str, int], int]) -> Prevalence:
    return Prevalence({key: frozenset(f"{run}{key}{k}" for k in range(n)) for key, n in counts.items()}, 1000)


def test_finer_cuts_and_mirrored_themes_are_counted_together_but_new_and_gone_stay() -> None:
    families = [Family([0], [0]), Family([], [1]), Family([], [2]), Family([3], []), Family([4], []),
                Family([], [5]), Family([6], [6])]
    # records in A and in B of each theme (of either run), as the yardstick counted them
    a = _prevalence("a", {("a", 0): 50, ("b", 0): 0, ("b", 1): 5, ("b", 2): 0, ("a", 3): 60, ("a", 4): 40,
                          ("b", 5): 10, ("a", 6): 100})
    b = _prevalence("b", {("a", 0): 30, ("b", 0): 120, ("b", 1): 60, ("b", 2): 50, ("a", 3): 5, ("a", 4): 10,
                          ("b", 5): 40, ("a", 6): 100})
    closest = {("b", 1): ("a", 0),   # a finer cut of theme 0, which grew: counted with it
               ("b", 2): ("a", 3),   # new; its closest theme went the other way: stays new
               ("a", 3): ("b", 0),   # gone; its closest family grew: stays gone
               ("a", 4): ("b", 5), ("b", 5): ("a", 4)}  # each run's own theme for one subject
    merged = sorted((f.themes_a, f.themes_b) for f in merge_finer_cuts(families, a, b, closest, 0.05))
    assert merged == [([], [2]), ([0], [0, 1]), ([3], []), ([4], [5]), ([6], [6])]


# -- two saved runs -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedding_cache(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(pytestconfig, "cache", None)
    return Path(cache.mkdir("voc_synth_embeddings")) if cache is not None else tmp_path_factory.mktemp("emb")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, embedding_cache: Path) -> tuple[Path, Path]:
    return save_runs(tmp_path_factory.mktemp("trend-runs"), cache_dir=embedding_cache)


@pytest.fixture(scope="module")
def comparison(runs: tuple[Path, Path]):
    return compare_runs(*runs)


def test_finds_the_planted_new_gone_grown_and_shrunk_themes(comparison) -> None:
    verdicts = {t.label: t.status for t in comparison.themes if t.status != "no significant change"}
    assert verdicts == {NEW_LABEL: "new", GONE_LABEL: "gone", GROWN_LABEL: "grown", SHRUNK_LABEL: "shrunk"}
    new, gone = comparison.with_status("new")[0], comparison.with_status("gone")[0]
    assert new.themes_a == [] and new.records_a == 0 and new.records_b == 30
    assert gone.themes_b == [] and gone.records_b == 0
    grown = comparison.with_status("grown")[0]
    assert grown.records_b == 4 * grown.records_a and grown.ci_low > 0 and grown.q_value < 0.05
    for change in comparison.themes:
        assert change.q_value >= change.p_value
        assert (change.q_value < 0.05) == (change.status != "no significant change")
        assert len(change.themes_a) == len(change.themes_b) == 1 or change.status in ("new", "gone")


def test_stage_emotion_and_moments(comparison, runs: tuple[Path, Path]) -> None:
    a, b = (Synthesis.load(r) for r in runs)
    assert [s.stage_id for s in comparison.stages] == [s["id"] for s in a.framework["stages"]]
    for stage in comparison.stages:
        # The means are the maps' own stage means.
        assert stage.mean_a == pytest.approx(a.stages.set_index("stage_id").loc[stage.stage_id, "sentiment_mean"], abs=1e-5)
        assert stage.mean_b == pytest.approx(b.stages.set_index("stage_id").loc[stage.stage_id, "sentiment_mean"], abs=1e-5)
        assert stage.ci_low <= stage.difference <= stage.ci_high
    moved = {s.stage_id: s.status for s in comparison.stages if s.status != "no significant change"}
    # Delivery lost its delight (fast delivery shrank) and gained a complaint; returns gained slow refunds.
    assert moved == {"delivery": "more negative", "returns": "more negative"}
    moments = {m.kind: (m.stages_a, m.stages_b, m.status) for m in comparison.moments}
    assert moments["trough"] == (["Checkout & payment"], ["Returns & refunds"], "moved")
    again = compare_runs(*runs)
    assert [(s.ci_low, s.ci_high, s.p_value) for s in again.stages] == [(s.ci_low, s.ci_high, s.p_value) for s in comparison.stages]


def test_reports_are_written_escaped_and_self_contained(comparison, tmp_path: Path) -> None:
    html_path, md_path, json_path = write_trend_report(comparison, tmp_path / "out")
    html = html_path.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<svg onload" not in html
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html) is None, "no external resource"
    assert re.search(r'http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;', html)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    markdown = md_path.read_text(encoding="utf-8")
    assert PWN_SCRIPT not in markdown and "<img" not in markdown
    for heading in ("## Themes that changed", "### New themes (1)", "### Gone themes (1)", "## Emotion by stage",
                    "## Moments that matter", "## How this was compared"):
        assert heading in markdown
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["counts"] == comparison.counts
    assert {t["status"] for t in data["themes"]} == {"new", "gone", "grown", "shrunk", "no significant change"}
    assert any(t["label"] == NEW_LABEL for t in data["themes"])  # JSON keeps the text as it is
    assert not any(bad in html for bad in HOSTILE if bad.startswith("<"))


def test_notebook_view_is_a_fragment(comparison) -> None:
    fragment = comparison._repr_html_()
    assert fragment.lstrip().startswith("<div") and "<html" not in fragment
    assert comparison.themes_frame().shape[0] == len(comparison.themes)
    assert list(comparison.stages_frame()["stage_id"]) == [s.stage_id for s in comparison.stages]


# -- the command and its errors ------------------------------------------------------------------


def _cli(*args: str) -> tuple[int, str]:
    """Exit code and output (line wrapping undone) of `voc-synth ARGS`."""
    from voc_synth.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_cli_writes_both_reports_into_the_later_run(runs: tuple[Path, Path]) -> None:
    code, output = _cli("compare", str(runs[0]), str(runs[1]))
    assert code == 0, output
    folder = runs[1] / "compare-vs-q1"
    assert {p.name for p in folder.iterdir()} == {"compare.html", "compare.md", "compare.json"}
    assert "gone Shipping cost shown late at checkout (29 → 0 records)" in output


def test_a_folder_that_is_not_a_run_is_refused_with_the_fix(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    with pytest.raises(InputError, match=r"RUN_A .*nothing is not a run folder: it has no synthesis.json.*voc-synth run"):
        compare_runs(empty, runs[1])
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "voc_synth.yaml").write_text("project: x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"looks like a corpus.*voc-synth run .*corpus --out"):
        compare_runs(runs[0], corpus)
    with pytest.raises(InputError, match="does not exist"):
        compare_runs(runs[0], tmp_path / "missing")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "synthesis.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="RUN_B .*broken.*not valid JSON"):
        compare_runs(runs[0], tmp_path / "broken")
    with pytest.raises(ConfigError, match="same folder"):
        compare_runs(runs[0], runs[0])
    code, output = _cli("compare", str(empty), str(runs[1]))
    assert code == 1 and "is not a run folder" in output and "Traceback" not in output


def test_runs_on_different_frameworks_are_refused_with_the_fix(tmp_path: Path, runs: tuple[Path, Path]) -> None:
    other = Synthesis.load(runs[1])
    other.framework = {"name": "lifecycle", "stages": [{"id": s, "name": s.title()} for s in ("aware", "join", "use", "leave")]}
    other.save(tmp_path / "lifecycle-run")
    with pytest.raises(InputError) as caught:
        compare_runs(runs[0], tmp_path / "lifecycle-run")
    message = str(caught.value)
    assert "different journey frameworks" in message and "“ecommerce”" in message and "“lifecycle”" in message
    assert "--framework ecommerce" in message
    code, output = _cli("compare", str(runs[0]), str(tmp_path / "lifecycle-run"))
    assert code == 1 and "different journey frameworks" in output
