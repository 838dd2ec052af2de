#!/usr/bin/env python
"""Evaluate journey-stage mapping on the labelled sets in data/stages_eval/.

Four evaluations, each split into two fixed halves by a hash of the text (half A was used for
tuning, half B was kept untouched):

- bank: 720 short support queries to a retail bank, labelled with an eight-stage framework
  written for this evaluation (data/stages_eval/bank_framework.yaml);
- ecommerce: 245 feedback sentences labelled with the built-in `ecommerce` framework;
- telecom: 560 queries to a mobile and broadband carrier with their own eight-stage framework,
  written blind to the method and never used for tuning: both of its halves are held out;
- retail: 480 queries to an online fashion and homeware shop about one order, with its own
  eight-stage framework, also written blind and never tuned on (first run after the stage
  encoder change).

For each it prints the accuracy of the plain-similarity baseline (cosine to each stage's text
joined into one passage) and of `map_to_stages` with the default settings, on each half mapped
as its own corpus and on the whole set. Unmapped segments count as wrong; coverage is the share
mapped. `ours` maps the texts alone; with `--themes` a second column, `ours_themes`, first runs
the project's own `find_themes` on the same corpus and passes the theme ids to `map_to_stages`,
as the pipeline does (slower: BERTopic runs once per part).

Stage mapping uses the encoder a pipeline run would choose for a corpus of this size
(`stages.encoder: auto`: all-mpnet-base-v2 when installed, see voc_synth.stages.encoder; pick
another with `--encoder`); the baseline and themes use the run's default embeddings
(all-MiniLM-L6-v2), and `base_enc` is the baseline with the stage encoder, which separates what
the encoder adds from what the method adds. Embeddings are float32 (not the bfloat16 the encoder
may use on CPUs that have it), so the figures are the same on every machine.

    .venv/bin/python scripts/eval_stages.py
    .venv/bin/python scripts/eval_stages.py --themes            # also with themes, as in a run
    .venv/bin/python scripts/eval_stages.py --ablate            # what each layer adds
    .venv/bin/python scripts/eval_stages.py --set scale=15 --config neighbor_weight=0
    .venv/bin/python scripts/eval_stages.py --encoder same    # the run's embeddings (MiniLM)
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "data" / "stages_eval"
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from voc_synth.config import EmbeddingConfig, StageConfig  # noqa: E402
from voc_synth.frameworks import Framework, load_framework  # noqa: E402
from voc_synth.models import DEFAULT_EMBEDDING_MODEL  # noqa: E402
from voc_synth.stages import map_to_stages, plain_similarity_scores, with_tuning  # noqa: E402
from voc_synth.stages.encoder import (  # noqa: E402
    STAGE_ENCODER_AUTO_MODEL,
    StageSample,
    _auto_model_available,
    stage_sample_texts,
)
from voc_synth.tables import UNMAPPED_STAGE  # noqa: E402

EVAL_SETS = {
    "bank": (EVAL_DIR / "bank_framework.yaml", EVAL_DIR / "bank_queries.csv"),
    "ecommerce": ("ecommerce", EVAL_DIR / "ecommerce_feedback.csv"),
    "telecom": (EVAL_DIR / "telecom_framework.yaml", EVAL_DIR / "telecom_queries.csv"),
    "retail": (EVAL_DIR / "retail_framework.yaml", EVAL_DIR / "retail_queries.csv"),
}
# Sets no constant was ever tuned on: both halves are held out.
BLIND_SETS = frozenset({"telecom", "retail"})


@dataclass
class EvalSet:
    name: str
    framework: Framework
    data: pd.DataFrame  # text, stage, half ("A" or "B")
    embeddings: np.ndarray  # by the stage encoder
    run_embeddings: np.ndarray  # by the run's embedding model (themes, baseline)
    run_encode: object  # texts -> run embeddings


def half_of(text: str) -> str:
    """A fixed split that does not depend on row order: half A for tuning, half B held out."""
    return "AB"[int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 2]


def stage_encoder_model(choice: str = "auto") -> str:
    """The model `stages.encoder: choice` picks for a corpus as small as these sets."""
    if choice == "same":
        return DEFAULT_EMBEDDING_MODEL
    if choice == "auto":
        return STAGE_ENCODER_AUTO_MODEL if _auto_model_available() else DEFAULT_EMBEDDING_MODEL
    return choice


def make_encoder(cache_dir: Path | None = None, model: str | None = None):
    """texts -> float32 embeddings by `model` (default: the stage encoder a run would choose)."""
    from voc_synth.embed import embed_texts

    # float32 everywhere: bfloat16 vectors differ in the fourth decimal, enough to move a figure
    # by a text or two between machines with and without native bfloat16.
    fields = dict(precision="float32", model=model or stage_encoder_model())
    config = EmbeddingConfig(cache_dir=cache_dir, **fields) if cache_dir else EmbeddingConfig(**fields)
    return lambda texts: embed_texts(list(texts), config)


def load_eval_set(name: str, encode, run_encode=None) -> EvalSet:
    """A labelled set embedded by `encode` (stage mapping) and `run_encode` (themes and the
    baseline; default: the run's default model, float32)."""
    framework_ref, data_path = EVAL_SETS[name]
    framework = load_framework(framework_ref)
    data = pd.read_csv(data_path)
    unknown = set(data["stage"]) - set(framework.stage_ids)
    if unknown:
        raise SystemExit(f"{data_path}: labels not in the framework: {sorted(unknown)}")
    data["half"] = data["text"].map(half_of)
    run_encode = run_encode or make_encoder(model=DEFAULT_EMBEDDING_MODEL)
    texts = data["text"].tolist()
    return EvalSet(name, framework, data, np.asarray(encode(texts)), np.asarray(run_encode(texts)), run_encode)


def baseline_predictions(es: EvalSet, mask: np.ndarray, encode=None) -> np.ndarray:
    """Plain similarity with the run's embeddings (or, given `encode`, with the stage encoder)."""
    if encode is None:
        scores = plain_similarity_scores(es.run_embeddings[mask], es.framework, es.run_encode)
    else:
        scores = plain_similarity_scores(es.embeddings[mask], es.framework, encode)
    return np.array(es.framework.stage_ids, dtype=object)[scores.argmax(axis=1)]


def theme_ids(es: EvalSet, mask: np.ndarray, seed: int = 42) -> np.ndarray:
    """Theme ids from the project's own `find_themes` on these texts as one corpus (−1 = unthemed)."""
    from voc_synth.config import ThemeConfig
    from voc_synth.themes import find_themes

    segments = es.data.loc[mask, ["text"]].reset_index(drop=True)
    fixed = {"precision": "float32"} if "precision" in EmbeddingConfig.model_fields else {}
    result = find_themes(segments, es.run_embeddings[mask], ThemeConfig(), seed=seed,
                         embedding_config=EmbeddingConfig(**fixed))
    return result.assignments["theme_id"].to_numpy()


def our_predictions(es: EvalSet, mask: np.ndarray, encode, config: StageConfig | None = None,
                    tuning=None, themes: np.ndarray | None = None) -> np.ndarray:
    """`map_to_stages` on the texts in `mask` as one corpus (with `themes` as their theme ids if given)."""
    segments = es.data.loc[mask, ["text"]].reset_index(drop=True)
    if themes is not None:
        segments["theme_id"] = themes
    result = map_to_stages(segments, es.embeddings[mask], es.framework, config or StageConfig(),
                           encode=encode, tuning=tuning)
    return result.segment_stages["stage"].to_numpy()


def sampled_predictions(es: EvalSet, mask: np.ndarray, encode, budget: int, config: StageConfig | None = None,
                        tuning=None) -> np.ndarray:
    """`map_to_stages` as `stages.encoder: auto` runs it with a budget of `budget` distinct texts for
    the stronger encoder: a corpus larger than that has only a sample placed with it, and a map
    learnt from the sample places the rest from the run's embeddings (voc_synth.stages.encoder)."""
    texts = es.data.loc[mask, "text"].tolist()
    if len(set(texts)) <= budget:
        return our_predictions(es, mask, encode, config, tuning)
    chosen = set(stage_sample_texts(texts, budget))
    positions = np.array([i for i, t in enumerate(texts) if t in chosen], dtype=np.int64)
    sample = StageSample(stage_encoder_model(), positions, es.embeddings[mask][positions], encode, len(chosen))
    segments = es.data.loc[mask, ["text"]].reset_index(drop=True)
    result = map_to_stages(segments, es.run_embeddings[mask], es.framework, config or StageConfig(),
                           encode=es.run_encode, tuning=tuning, sample=sample)
    return result.segment_stages["stage"].to_numpy()


def budget_curve(es: EvalSet, encode, budgets: list[int], config: StageConfig | None = None,
                 tuning=None) -> dict[int, float]:
    """Accuracy on the whole set for each budget of the stronger encoder (distinct texts)."""
    mask = np.ones(len(es.data), bool)
    truth = es.data["stage"].to_numpy()
    return {b: accuracy(sampled_predictions(es, mask, encode, b, config, tuning), truth) for b in budgets}


def accuracy(pred: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean(pred == truth)) if len(truth) else float("nan")


def evaluate(es: EvalSet, encode, config: StageConfig | None = None, tuning=None,
             with_themes: bool = False) -> pd.DataFrame:
    """One row per part (half A, half B, all): n, baseline accuracy, ours, coverage (and
    `ours_themes`, the accuracy with theme ids from `find_themes`, when `with_themes`)."""
    rows = []
    for part in ("A", "B", "all"):
        mask = np.ones(len(es.data), bool) if part == "all" else (es.data["half"] == part).to_numpy()
        truth = es.data.loc[mask, "stage"].to_numpy()
        base = baseline_predictions(es, mask)
        base_enc = baseline_predictions(es, mask, encode)
        ours = our_predictions(es, mask, encode, config, tuning)
        row = dict(eval=es.name, part=part, n=int(mask.sum()), baseline=accuracy(base, truth),
                   base_enc=accuracy(base_enc, truth), ours=accuracy(ours, truth),
                   coverage=float(np.mean(ours != UNMAPPED_STAGE)))
        if with_themes:
            themed = our_predictions(es, mask, encode, config, tuning, themes=theme_ids(es, mask))
            row["ours_themes"] = accuracy(themed, truth)
        rows.append(row)
    return pd.DataFrame(rows)


OFF_TOPIC = EVAL_DIR / "off_topic.csv"


def small_talk_check(es: EvalSet, encode, config: StageConfig | None = None, tuning=None) -> dict:
    """Mix 40 small-talk sentences into the corpus: how many are left unmapped, and what share
    of the labelled texts is still mapped."""
    off = pd.read_csv(OFF_TOPIC)["text"].tolist()
    segments = pd.DataFrame({"text": es.data["text"].tolist() + off})
    embeddings = np.vstack([es.embeddings, np.asarray(encode(off))])
    result = map_to_stages(segments, embeddings, es.framework, config or StageConfig(), encode=encode, tuning=tuning)
    stage = result.segment_stages["stage"].to_numpy()
    return dict(small_talk_unmapped=float(np.mean(stage[len(es.data):] == UNMAPPED_STAGE)),
                labelled_coverage=float(np.mean(stage[: len(es.data)] != UNMAPPED_STAGE)), n_small_talk=len(off))


def skewed_check(es: EvalSet, encode, config: StageConfig | None = None, tuning=None, per_other: int = 8,
                 seed: int = 0) -> dict:
    """Real corpora are lopsided. For each stage, a corpus of all its texts plus `per_other` random
    texts of every other stage: mean accuracy of the baseline and of ours over those corpora."""
    rng = np.random.default_rng(seed)
    truth_all = es.data["stage"].to_numpy()
    base_acc, our_acc = [], []
    for dominant in es.framework.stage_ids:
        rows = []
        for stage in es.framework.stage_ids:
            pool = np.flatnonzero(truth_all == stage)
            rows.extend(pool if stage == dominant else rng.choice(pool, min(per_other, len(pool)), replace=False))
        mask = np.zeros(len(es.data), bool)
        mask[np.asarray(rows)] = True
        truth = truth_all[mask]
        base_acc.append(accuracy(baseline_predictions(es, mask), truth))
        our_acc.append(accuracy(our_predictions(es, mask, encode, config, tuning), truth))
    return dict(skewed_baseline=float(np.mean(base_acc)), skewed_ours=float(np.mean(our_acc)))


ABLATIONS = {
    "embeddings only": (dict(keyword_weight=0.0, neighbor_weight=0.0, self_training=False), {}),
    "+ keywords": (dict(neighbor_weight=0.0, self_training=False), {}),
    "+ neighbours": (dict(self_training=False), {}),
    "+ stage model (default)": ({}, {}),
}


def _parse_pairs(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            out[key] = int(value) if value.isdigit() else float(value)
        except ValueError:
            out[key] = {"true": True, "false": False}.get(value.lower(), value)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", default=list(EVAL_SETS), choices=list(EVAL_SETS))
    parser.add_argument("--config", nargs="*", default=[], metavar="KEY=VALUE", help="StageConfig overrides")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", dest="tuning",
                        help="overrides of the method's internal constants (stages.mapping.Tuning)")
    parser.add_argument("--ablate", action="store_true", help="show what each layer adds")
    parser.add_argument("--themes", action="store_true",
                        help="also map with theme ids from find_themes, as the pipeline does (slower)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="embedding cache folder")
    parser.add_argument("--encoder", default="auto",
                        help="stage encoder as stages.encoder takes it: auto, same or a model (default auto)")
    parser.add_argument("--budgets", nargs="*", type=int, default=[], metavar="N",
                        help="also map each whole set with the stronger encoder on a sample of N distinct texts")
    args = parser.parse_args(argv)

    model = stage_encoder_model(args.encoder)
    encode = make_encoder(args.cache_dir, model)
    print(f"stage encoder: {model}; baseline and themes: {DEFAULT_EMBEDDING_MODEL}")
    config = StageConfig(**_parse_pairs(args.config))
    tuning = with_tuning(**_parse_pairs(args.tuning))
    pd.set_option("display.width", 120)
    started = time.perf_counter()
    for name in args.sets:
        es = load_eval_set(name, encode, make_encoder(args.cache_dir, DEFAULT_EMBEDDING_MODEL))
        held_out = "never tuned on: both halves held out" if name in BLIND_SETS else "half A tuned on, half B held out"
        print(f"\n== {name}: {len(es.data)} labelled texts, framework '{es.framework.name}' "
              f"({len(es.framework)} stages); {held_out}")
        if args.ablate:
            for label, (cfg, tun) in ABLATIONS.items():
                table = evaluate(es, encode, config.model_copy(update=cfg), with_tuning(**{**_parse_pairs(args.tuning), **tun}))
                cells = "  ".join(f"{r.part}: {r.ours:.3f}" for r in table.itertuples())
                print(f"  {label:<28} {cells}")
        table = evaluate(es, encode, config, tuning, with_themes=args.themes)
        table["gain"] = table["ours"] - table["baseline"]
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if args.budgets:
            curve = budget_curve(es, encode, args.budgets, config, tuning)
            print("  stronger encoder on a sample of N texts (whole set): "
                  + ", ".join(f"N={b}: {a:.3f}" for b, a in curve.items()))
        skew = skewed_check(es, encode, config, tuning)
        print(f"  lopsided corpora (one stage dominant, {len(es.framework)} corpora): baseline "
              f"{skew['skewed_baseline']:.3f}, ours {skew['skewed_ours']:.3f}")
        talk = small_talk_check(es, encode, config, tuning)
        print(f"  with {talk['n_small_talk']} small-talk sentences mixed in: {talk['small_talk_unmapped']:.0%} of "
              f"them left unmapped; {talk['labelled_coverage']:.1%} of the labelled texts still mapped")
    print(f"\n({time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
