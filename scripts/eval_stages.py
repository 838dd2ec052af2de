#!/usr/bin/env python
"""Evaluate journey-stage mapping on the labelled sets in data/stages_eval/.

Two evaluations, each split into two fixed halves by a hash of the text (half A was used for
tuning, half B was kept untouched):

- bank: 480 short support queries to a retail bank, labelled with an eight-stage framework
  written for this evaluation (data/stages_eval/bank_framework.yaml);
- ecommerce: 245 feedback sentences labelled with the built-in `ecommerce` framework.

For each it prints the accuracy of the plain-similarity baseline (cosine to each stage's text
joined into one passage) and of `map_to_stages` with the default settings, on each half mapped
as its own corpus and on the whole set. Unmapped segments count as wrong; coverage is the share
mapped.

    .venv/bin/python scripts/eval_stages.py
    .venv/bin/python scripts/eval_stages.py --ablate            # what each layer adds
    .venv/bin/python scripts/eval_stages.py --set scale=15 --config neighbor_weight=0
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
from voc_synth.stages import map_to_stages, plain_similarity_scores, with_tuning  # noqa: E402
from voc_synth.tables import UNMAPPED_STAGE  # noqa: E402

EVAL_SETS = {
    "bank": (EVAL_DIR / "bank_framework.yaml", EVAL_DIR / "bank_queries.csv"),
    "ecommerce": ("ecommerce", EVAL_DIR / "ecommerce_feedback.csv"),
}


@dataclass
class EvalSet:
    name: str
    framework: Framework
    data: pd.DataFrame  # text, stage, half ("A" or "B")
    embeddings: np.ndarray


def half_of(text: str) -> str:
    """A fixed split that does not depend on row order: half A for tuning, half B held out."""
    return "AB"[int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 2]


def make_encoder(cache_dir: Path | None = None):
    from voc_synth.embed import embed_texts

    config = EmbeddingConfig(cache_dir=cache_dir) if cache_dir else EmbeddingConfig()
    return lambda texts: embed_texts(list(texts), config)


def load_eval_set(name: str, encode) -> EvalSet:
    framework_ref, data_path = EVAL_SETS[name]
    framework = load_framework(framework_ref)
    data = pd.read_csv(data_path)
    unknown = set(data["stage"]) - set(framework.stage_ids)
    if unknown:
        raise SystemExit(f"{data_path}: labels not in the framework: {sorted(unknown)}")
    data["half"] = data["text"].map(half_of)
    return EvalSet(name, framework, data, np.asarray(encode(data["text"].tolist())))


def baseline_predictions(es: EvalSet, mask: np.ndarray, encode) -> np.ndarray:
    scores = plain_similarity_scores(es.embeddings[mask], es.framework, encode)
    return np.array(es.framework.stage_ids, dtype=object)[scores.argmax(axis=1)]


def our_predictions(es: EvalSet, mask: np.ndarray, encode, config: StageConfig | None = None,
                    tuning=None) -> np.ndarray:
    segments = es.data.loc[mask, ["text"]].reset_index(drop=True)
    result = map_to_stages(segments, es.embeddings[mask], es.framework, config or StageConfig(),
                           encode=encode, tuning=tuning)
    return result.segment_stages["stage"].to_numpy()


def accuracy(pred: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean(pred == truth)) if len(truth) else float("nan")


def evaluate(es: EvalSet, encode, config: StageConfig | None = None, tuning=None) -> pd.DataFrame:
    """One row per part (half A, half B, all): n, baseline accuracy, ours, coverage."""
    rows = []
    for part in ("A", "B", "all"):
        mask = np.ones(len(es.data), bool) if part == "all" else (es.data["half"] == part).to_numpy()
        truth = es.data.loc[mask, "stage"].to_numpy()
        base = baseline_predictions(es, mask, encode)
        ours = our_predictions(es, mask, encode, config, tuning)
        rows.append(dict(eval=es.name, part=part, n=int(mask.sum()), baseline=accuracy(base, truth),
                         ours=accuracy(ours, truth), coverage=float(np.mean(ours != UNMAPPED_STAGE))))
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
        base_acc.append(accuracy(baseline_predictions(es, mask, encode), truth))
        our_acc.append(accuracy(our_predictions(es, mask, encode, config, tuning), truth))
    return dict(skewed_baseline=float(np.mean(base_acc)), skewed_ours=float(np.mean(our_acc)))


ABLATIONS = {
    "embeddings only": (dict(keyword_weight=0.0, neighbor_weight=0.0, self_training=False), {}),
    "+ keywords": (dict(neighbor_weight=0.0, self_training=False), {}),
    "+ neighbours": (dict(self_training=False), {}),
    "+ self-training (default)": ({}, {}),
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
    parser.add_argument("--cache-dir", type=Path, default=None, help="embedding cache folder")
    args = parser.parse_args(argv)

    encode = make_encoder(args.cache_dir)
    config = StageConfig(**_parse_pairs(args.config))
    tuning = with_tuning(**_parse_pairs(args.tuning))
    pd.set_option("display.width", 120)
    started = time.perf_counter()
    for name in args.sets:
        es = load_eval_set(name, encode)
        print(f"\n== {name}: {len(es.data)} labelled texts, framework '{es.framework.name}' "
              f"({len(es.framework)} stages); half A tuned on, half B held out")
        if args.ablate:
            for label, (cfg, tun) in ABLATIONS.items():
                table = evaluate(es, encode, config.model_copy(update=cfg), with_tuning(**{**_parse_pairs(args.tuning), **tun}))
                cells = "  ".join(f"{r.part}: {r.ours:.3f}" for r in table.itertuples())
                print(f"  {label:<28} {cells}")
        table = evaluate(es, encode, config, tuning)
        table["gain"] = table["ours"] - table["baseline"]
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
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
