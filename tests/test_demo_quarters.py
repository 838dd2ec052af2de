"""The demo's second quarter (corpora/demo_shop_q2): reproducible from its generator, its answer
key true to its plan, and — end to end — `voc-synth compare` on the two quarters reports exactly
the changes planted: one new theme, one gone, one grown, one shrunk, and checkout's emotion falling.

The end-to-end test runs the pipeline on both quarters (in this process, so models load once)
with embeddings cached in pytest's cache folder, as tests/test_stages.py does."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import DEMO, ROOT
from typer.testing import CliRunner

from voc_synth.synthesis import Synthesis

Q2 = ROOT / "corpora" / "demo_shop_q2"
PLANTED = ("new", "gone", "grown", "shrunk")


def _answer_key(corpus: Path) -> dict:
    return yaml.safe_load((corpus / "ANSWER_KEY.yaml").read_text(encoding="utf-8"))


def _generator():
    path = ROOT / "scripts" / "make_demo_quarter.py"
    spec = importlib.util.spec_from_file_location("make_demo_quarter_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_second_quarter_is_written_by_its_generator(tmp_path: Path) -> None:
    _generator().generate(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(Q2) for p in Q2.rglob("*") if p.is_file() and p.name != "README.md")
    assert written == committed
    for name in written:
        assert (tmp_path / name).read_bytes() == (Q2 / name).read_bytes(), f"{name} differs: re-run scripts/make_demo_quarter.py"


def test_answer_key_records_the_planted_changes() -> None:
    q1, q2 = _answer_key(DEMO), _answer_key(Q2)
    plan = q2["planted_changes"]
    assert {k: plan[k] for k in PLANTED} == {"new": ["gift_wrap_missing"], "gone": ["shipping_cost_late"],
                                               "grown": ["payment_error"], "shrunk": ["refund_slow"]}
    assert plan["emotion_moved"] == [{"stage": "checkout", "direction": "down"}]
    records = {key["corpus"]: {t["id"]: len(t["records"]) for t in key["themes"]} for key in (q1, q2)}
    one, two = records["demo_shop"], records["demo_shop_q2"]
    assert "gift_wrap_missing" not in one and two["gift_wrap_missing"] >= 40
    assert one["shipping_cost_late"] >= 20 and two["shipping_cost_late"] == 0
    assert two["payment_error"] >= 2.5 * one["payment_error"]
    assert two["refund_slow"] <= one["refund_slow"] / 3
    q2_themes = {t["id"]: t for t in q2["themes"]}
    for theme in q1["themes"]:
        if theme["id"] in ("shipping_cost_late", "payment_error", "refund_slow"):
            continue
        before = {k: v for k, v in theme["counts"].items() if not k.startswith("interview")}
        after = {k: v for k, v in q2_themes[theme["id"]]["counts"].items() if not k.startswith("interview")}
        # The other themes: as many records of each source as before (give or take duplicates drawn anew).
        assert after.keys() == before.keys() and all(abs(after[k] - before[k]) <= 3 for k in before), theme["id"]
    ids_one = {r for t in q1["themes"] for r in t["records"]}
    ids_two = {r for t in q2["themes"] for r in t["records"]}
    assert not ids_one & ids_two, "every record of the second quarter is new"


# -- end to end -----------------------------------------------------------------------------------


def _planted(segments: pd.DataFrame, key: dict) -> pd.Series:
    by_record, by_turn = {}, {}
    for theme in key["themes"]:
        by_record.update({str(r): theme["id"] for r in theme.get("records", [])})
        by_turn.update({str(t): theme["id"] for t in theme.get("interview_turns", [])})

    def label(row: pd.Series) -> str | None:
        if row["source_type"] == "interview":
            return by_turn.get(f"{row['participant']}:{int(row['turn'])}")
        return by_record.get(str(row["doc_id"]))

    return segments.apply(label, axis=1)


def _planted_theme_of(run: Path, corpus: Path) -> dict[int, str]:
    """Each theme of a run → the planted theme most of its segments carry."""
    synthesis = Synthesis.load(run)
    segments = synthesis.segments.assign(planted=_planted(synthesis.segments, _answer_key(corpus)))
    themed = segments[(segments["theme_id"] >= 0) & segments["planted"].notna()]
    return {int(t): Counter(group["planted"]).most_common(1)[0][0] for t, group in themed.groupby("theme_id")}


@pytest.fixture(scope="module")
def quarters(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from voc_synth.config import load_config
    from voc_synth.pipeline import synthesize
    from voc_synth.run_folder import write_run

    cache = getattr(pytestconfig, "cache", None)
    cache_dir = Path(cache.mkdir("voc_synth_embeddings")) if cache is not None else tmp_path_factory.mktemp("emb")
    runs = tmp_path_factory.mktemp("quarters")
    out = []
    for corpus, name in ((DEMO, "q1"), (Q2, "q2")):
        config = load_config(corpus)
        config.embedding.cache_dir = cache_dir
        out.append(write_run(synthesize(config), runs / name))
    return out[0], out[1]


@pytest.mark.slow
def test_compare_on_the_two_quarters_reports_exactly_the_planted_changes(quarters: tuple[Path, Path]) -> None:
    from voc_synth.cli import app

    q1, q2 = quarters
    result = CliRunner().invoke(app, ["compare", str(q1), str(q2)])
    assert result.exit_code == 0, result.output
    folder = q2 / "compare-vs-q1"
    assert {p.name for p in folder.iterdir()} == {"compare.html", "compare.md", "compare.json"}
    report = json.loads((folder / "compare.json").read_text(encoding="utf-8"))

    planted_a, planted_b = _planted_theme_of(q1, DEMO), _planted_theme_of(q2, Q2)
    found: dict[str, set[str]] = {status: set() for status in PLANTED}
    for change in report["themes"]:
        if change["status"] in found:
            planted = {planted_a.get(m["theme_id"]) for m in change["themes_a"]}
            planted |= {planted_b.get(m["theme_id"]) for m in change["themes_b"]}
            found[change["status"]] |= planted - {None}
            assert len(planted - {None}) == 1, f"a {change['status']} theme mixes planted themes: {change}"
    plan = _answer_key(Q2)["planted_changes"]
    assert found == {status: set(plan[status]) for status in PLANTED}
    assert {k: report["counts"][k] for k in PLANTED} == {k: 1 for k in PLANTED}, report["counts"]

    moved = {s["stage_id"]: s["status"] for s in report["stages"] if s["status"] != "no significant change"}
    assert moved == {"checkout": "more negative"}
    checkout = next(s for s in report["stages"] if s["stage_id"] == "checkout")
    assert checkout["ci_high"] < 0 and checkout["q_value"] < 0.05

    # Moments that matter are read from the maps: the report must agree with each run's stages.csv.
    for run, key in ((q1, "stages_a"), (q2, "stages_b")):
        stages = pd.read_csv(run / "stages.csv").fillna({"moment": ""})
        for moment in report["moments"]:
            assert moment[key] == stages.loc[stages["moment"] == moment["kind"], "name"].tolist()

    markdown = (folder / "compare.md").read_text(encoding="utf-8")
    html = (folder / "compare.html").read_text(encoding="utf-8")
    new = next(t for t in report["themes"] if t["status"] == "new")
    for text in (markdown, html):
        assert f"{new['records_a']} (" in text and f"{new['records_b']} (" in text
    assert "### New themes (1)" in markdown and "more negative" in markdown
    print("\n".join(f"{t['status']}: {t['label']} {t['records_a']} → {t['records_b']} records, q = {t['q_value']:.2g}"
                    for t in report["themes"] if t["status"] != "no significant change"))
    print(f"checkout emotion {checkout['mean_a']:+.2f} → {checkout['mean_b']:+.2f}, change {checkout['difference']:+.2f} "
          f"[{checkout['ci_low']:+.2f}, {checkout['ci_high']:+.2f}]")
