#!/usr/bin/env python
"""Journey stages on real support queries fetched at development time (issue 15, "Stages").

The data live only in ~/.cache/voc_synth_dev/stages/<name>/ (source, commit and licence in
docs/real_data.md, "Stage data"); which framework each set is mapped with and which label belongs
to which stage is ours, in data/stages_eval/real_sets.yaml (decided from the label names before
any result was seen). Nothing here is tuned on these sets: the method's constants were set on the
hand-written sets in data/stages_eval/ (scripts/eval_stages.py), so every figure below is
cross-domain.

For each set, two corpora of different texts are drawn from it with a fixed seed: 9,000 and
11,000 distinct texts, either side of the 10,000-text line where `stages.encoder: auto` used to
drop the stronger encoder. Each is mapped as one corpus (unmapped counts as wrong):

- baseline: plain cosine similarity to each stage's joined text (run embeddings, MiniLM);
- same: the method with the run's embeddings only (`stages.encoder: same`);
- strong: the method with all-mpnet-base-v2 for every text (what "auto" did up to 10,000);
- before: what "auto" did before this change (strong up to 10,000 distinct texts, else same);
- auto: what `stages.encoder: auto` does now (voc_synth.stages.encoder).

    .venv/bin/python scripts/eval_stages_real.py                 # both sets, 9k and 11k
    .venv/bin/python scripts/eval_stages_real.py --sizes 3000 9000 11000 20000 --sets acid_insurance
    .venv/bin/python scripts/eval_stages_real.py --no-strong      # skip the slow all-strong column
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from voc_synth.config import EmbeddingConfig, StageConfig  # noqa: E402
from voc_synth.embed import embed_texts  # noqa: E402
from voc_synth.frameworks import Framework, load_framework  # noqa: E402
from voc_synth.models import DEFAULT_EMBEDDING_MODEL  # noqa: E402
from voc_synth.stages import (  # noqa: E402
    choose_stage_encoder,
    map_to_stages,
    plain_similarity_scores,
    with_tuning,
)
from voc_synth.stages.encoder import STAGE_ENCODER_AUTO_MODEL  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from eval_stages import _parse_pairs  # noqa: E402  (the same KEY=VALUE overrides as eval_stages.py)

CACHE = Path(os.environ.get("VOC_SYNTH_DEV_STAGES", Path.home() / ".cache" / "voc_synth_dev" / "stages"))
SETS_FILE = ROOT / "data" / "stages_eval" / "real_sets.yaml"
OLD_ENCODER_MAX_TEXTS = 10_000  # the line "auto" used to draw


def embedding_config(model: str) -> EmbeddingConfig:
    # The run's model in float32, so that those figures are the same on every machine; the
    # stronger encoder as a run has it (bfloat16 where the CPU has it natively): in float32 it
    # takes too long on two cores for tens of thousands of texts. The cache is the dev cache.
    precision = "float32" if model == DEFAULT_EMBEDDING_MODEL else "auto"
    return EmbeddingConfig(model=model, precision=precision, cache_dir=CACHE / "emb")


def load_real_set(name: str) -> tuple[Framework, pd.DataFrame]:
    """(framework, DataFrame of distinct `text`, `stage`, `label`) for a set in real_sets.yaml."""
    spec = yaml.safe_load(SETS_FILE.read_text())[name]
    framework = load_framework(SETS_FILE.parent / spec["framework"])
    folder = CACHE / name
    if not folder.is_dir():
        raise SystemExit(f"{folder} is missing: fetch the data first (docs/real_data.md, 'Stage data').")
    raw = pd.concat([pd.read_csv(folder / f) for f in spec["files"]], ignore_index=True)
    prefix = spec.get("label_prefix", "")
    labels = raw[spec["label_column"]].astype(str).map(lambda s: s[len(prefix):] if prefix and s.startswith(prefix) else s)
    stage_of = {label: stage for stage, names in spec["stages"].items() for label in names}
    unknown = set(labels) - set(stage_of) - set(spec.get("exclude", []))
    if unknown:
        raise SystemExit(f"{name}: labels neither mapped nor excluded: {sorted(unknown)}")
    bad = set(spec["stages"]) - set(framework.stage_ids)
    if bad:
        raise SystemExit(f"{name}: stages not in the framework: {sorted(bad)}")
    data = pd.DataFrame({"text": raw[spec["text_column"]].astype(str).str.strip(), "label": labels})
    data["stage"] = data["label"].map(stage_of)
    data = data[data["stage"].notna() & (data["text"] != "")]
    # A text asked under two stages has no single right answer: left out, as are repeats.
    stages_per_text = data.groupby("text")["stage"].nunique()
    data = data[data["text"].map(stages_per_text) == 1].drop_duplicates("text")
    return framework, data.reset_index(drop=True)


def draw_corpora(data: pd.DataFrame, sizes: list[int], seed: int = 15) -> dict[int, pd.DataFrame]:
    """Corpora of the given sizes with no text in common (while the set is large enough)."""
    order = np.random.default_rng(seed).permutation(len(data))
    out, start = {}, 0
    for size in sizes:
        if start + size > len(data):
            start = 0  # not enough texts left: this corpus overlaps the earlier ones
        out[size] = data.iloc[order[start:start + size]].reset_index(drop=True)
        start += size
    return out


def accuracy(pred, truth) -> float:
    return float(np.mean(np.asarray(pred) == np.asarray(truth)))


def evaluate_corpus(corpus: pd.DataFrame, framework: Framework, run_emb: np.ndarray, strong_emb: np.ndarray | None,
                    config: StageConfig, tuning=None) -> dict:
    run_cfg, strong_cfg = embedding_config(DEFAULT_EMBEDDING_MODEL), embedding_config(STAGE_ENCODER_AUTO_MODEL)

    def run_encode(texts):
        return embed_texts(list(texts), run_cfg)

    def strong_encode(texts):
        return embed_texts(list(texts), strong_cfg)

    segments = corpus[["text"]]
    truth = corpus["stage"].to_numpy()
    row = {"n": len(corpus)}
    scores = plain_similarity_scores(run_emb, framework, run_encode)
    row["baseline"] = accuracy(np.array(framework.stage_ids)[scores.argmax(axis=1)], truth)
    same = map_to_stages(segments, run_emb, framework, config, encode=run_encode, tuning=tuning).segment_stages["stage"]
    row["same"] = accuracy(same, truth)
    if strong_emb is not None:
        strong = map_to_stages(segments, strong_emb, framework, config, encode=strong_encode,
                               tuning=tuning).segment_stages["stage"]
        row["strong"] = accuracy(strong, truth)
    if corpus["text"].nunique() > OLD_ENCODER_MAX_TEXTS:
        row["before"] = row["same"]
    elif strong_emb is not None:
        row["before"] = row["strong"]
    started = time.perf_counter()
    chosen = choose_stage_encoder(corpus["text"].tolist(), run_emb, config, run_cfg, stage_embedding_config=strong_cfg)
    result = map_to_stages(segments, chosen.embeddings, framework, config, encode=chosen.encode, sample=chosen.sample,
                           tuning=tuning)
    row["auto"] = accuracy(result.segment_stages["stage"], truth)
    row["auto_s"] = time.perf_counter() - started
    row["coverage"] = float(np.mean(result.segment_stages["stage"] != "unmapped"))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    names = list(yaml.safe_load(SETS_FILE.read_text()))
    parser.add_argument("--sets", nargs="+", default=names, choices=names)
    parser.add_argument("--sizes", nargs="+", type=int, default=[9000, 11000])
    parser.add_argument("--seed", type=int, default=15, help="which texts each corpus draws")
    parser.add_argument("--no-strong", action="store_true", help="skip the all-mpnet column (and 'before' up to 10,000)")
    parser.add_argument("--strong-max", type=int, default=None, metavar="N",
                        help="the all-mpnet column only for corpora of at most N texts (it is slow to embed)")
    parser.add_argument("--config", nargs="*", default=[], metavar="KEY=VALUE", help="StageConfig overrides")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", dest="tuning",
                        help="overrides of the method's internal constants (stages.mapping.Tuning)")
    args = parser.parse_args(argv)
    config = StageConfig(**_parse_pairs(args.config))
    tuning = with_tuning(**_parse_pairs(args.tuning))
    pd.set_option("display.width", 140)
    for name in args.sets:
        framework, data = load_real_set(name)
        print(f"\n== {name}: {len(data):,} distinct labelled texts, framework '{framework.name}'; "
              f"per stage: {data['stage'].value_counts().to_dict()}", flush=True)
        rows = []
        for size, corpus in draw_corpora(data, args.sizes, args.seed).items():
            texts = corpus["text"].tolist()
            run_emb = embed_texts(texts, embedding_config(DEFAULT_EMBEDDING_MODEL))
            skip = args.no_strong or (args.strong_max is not None and size > args.strong_max)
            strong_emb = None if skip else embed_texts(texts, embedding_config(STAGE_ENCODER_AUTO_MODEL))
            rows.append({"corpus": f"{size:,}", **evaluate_corpus(corpus, framework, run_emb, strong_emb, config, tuning)})
            print(pd.DataFrame(rows[-1:]).to_string(index=False, float_format=lambda v: f"{v:.3f}"), flush=True)
        table = pd.DataFrame(rows)
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if len(table) >= 2:
            for col in ("before", "auto"):
                if col in table:
                    print(f"  {col}: largest gap between corpus sizes {100 * (table[col].max() - table[col].min()):.1f} points")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
