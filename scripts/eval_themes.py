"""Compare voc_synth's themes with plain BERTopic on the labelled set in data/themes_eval/.

Both get the same embeddings (all-MiniLM-L6-v2 through `embed_texts`, cached). "Plain" is
BERTopic with its default settings (UMAP n_neighbors=15, n_components=5, min_dist=0, cosine;
HDBSCAN min_cluster_size=10, eom; no outlier reduction), with only UMAP's random_state fixed so
runs are repeatable. "Ours" is `find_themes()` at its defaults. Reported: NMI and ARI against
the intents (unthemed segments count as one more cluster, as BERTopic's -1 does), the share
left unthemed, the number of themes and the wall time (ours includes keyword fine-tuning,
labels and groups; the first plain run includes numba compiling UMAP).

    .venv/bin/python scripts/eval_themes.py                   # full set, seed 42
    .venv/bin/python scripts/eval_themes.py --seeds 0 1 2 --subsets
    .venv/bin/python scripts/eval_themes.py --intents 20 --per-intent 30 --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from voc_synth.config import EmbeddingConfig  # noqa: E402
from voc_synth.themes.evaluation import evaluate, load_eval_set, sample_per_intent  # noqa: E402


def _table(rows: list[dict[str, object]]) -> str:
    return pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("--intents", type=int, default=None, help="random subset of this many intents")
    parser.add_argument("--per-intent", type=int, default=None, help="queries per intent")
    parser.add_argument("--subsets", action="store_true",
                        help="also run 15x40, 10x25 and an imbalanced (8-50 per intent) subset per seed")
    parser.add_argument("--cache-dir", type=Path, default=None, help="embedding cache folder")
    parser.add_argument("--json", type=Path, default=None, help="write all results here")
    args = parser.parse_args(argv)

    emb_config = EmbeddingConfig(cache_dir=args.cache_dir) if args.cache_dir else EmbeddingConfig()
    rows: list[dict[str, object]] = []
    for seed in args.seeds:
        sets = {"selected": load_eval_set(args.intents, args.per_intent, seed)}
        if args.subsets:
            sets["15x40"] = load_eval_set(15, 40, seed)
            sets["10x25"] = load_eval_set(10, 25, seed)
            rng = np.random.RandomState(seed)
            full = load_eval_set(seed=seed)
            sizes = {i: int(rng.randint(8, 51)) for i in sorted(full["intent"].unique())}
            sets["imbalanced"] = sample_per_intent(full, sizes.__getitem__, seed)
        for name, data in sets.items():
            result = evaluate(data, seed=seed, embedding_config=emb_config)
            for method, values in result.items():
                rows.append({"set": name, "seed": seed, "n": len(data), "intents": data["intent"].nunique(),
                             "method": method, **values})
            print(_table(rows[-2:]), flush=True)
    print("\nAll runs:")
    print(_table(rows))
    summary = pd.DataFrame(rows).groupby(["set", "method"])[["nmi", "ari", "unthemed", "n_themes", "seconds"]].mean()
    print("\nMean by set and method:")
    print(summary.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
