"""How well theme names match the names a researcher gave the demo's planted themes.

For every planted theme in `corpora/demo_shop/ANSWER_KEY.yaml`, the best-matching theme is the
one holding most of its segments (answer-key records and interview turns, matched as the bench
does). Reported per planted theme: that theme's label, the embedding cosine between the label
and the key's name (all-MiniLM-L6-v2, the run's own encoder), and content-word overlap (share
of the key name's content words, folded, found in the label). Summary: share of planted themes
at cosine >= 0.6 (the bar is 80%), mean cosine, mean overlap; plus the same with the best label
anywhere in the run (not only the theme that holds the segments). Every label is also checked
for weekdays, months and redaction placeholders.

    .venv/bin/python scripts/eval_names.py                          # runs the CLI into /tmp/names_demo
    .venv/bin/python scripts/eval_names.py --run /tmp/names_demo    # score an existing run
    .venv/bin/python scripts/eval_names.py --before /tmp/names_demo_before --run /tmp/names_demo
    .venv/bin/python scripts/eval_names.py --run /tmp/names_demo_before --relabel   # current namer
                                                                    # on that run's themes
    .venv/bin/python scripts/eval_names.py --labels RUN [RUN ...]   # any run (e.g. a real study):
                                                                    # stored label -> current namer's
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from voc_synth.bench.corpora import planted_labels  # noqa: E402
from voc_synth.config import EmbeddingConfig  # noqa: E402
from voc_synth.themes.naming import MONTHS, WEEKDAYS, stem_key  # noqa: E402
from voc_synth.themes.params import stop_words  # noqa: E402

CORPUS = ROOT / "corpora" / "demo_shop"
BAR = 0.6


def run_cli(out: Path) -> None:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    exe = Path(sys.executable).with_name("voc-synth")
    cmd = [str(exe), "run", str(CORPUS), "--out", str(out)]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)


def load_run(run: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    data = json.loads((run / "synthesis.json").read_text(encoding="utf-8"))
    return pd.DataFrame(data["segments"]), pd.DataFrame(data["themes"])


def relabel(segments: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """The run's themes renamed by the current extractive namer (same clustering)."""
    from voc_synth.embed import embed_texts
    from voc_synth.themes.model import CachedEmbedder
    from voc_synth.themes.naming import ExtractiveNamer, unique_names

    texts = segments["text"].astype(str).tolist()
    config = EmbeddingConfig()
    unit = np.asarray(embed_texts(texts, config), dtype=np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True).clip(1e-9)
    topics = segments["theme_id"].fillna(-1).astype(int).to_numpy()
    ids = [int(t) for t in themes["theme_id"]]
    keywords = [list(k or []) for k in themes["keywords"]]
    names = ExtractiveNamer().name_themes(texts, topics, ids, unit, keywords, CachedEmbedder(config))
    themes = themes.copy()
    themes["label"] = unique_names(names)
    return themes


def show_labels(run: Path) -> None:
    """A run's themes, stored label → the current namer's label (same clustering): for corpora
    without an answer key, such as the real interview studies."""
    segments, themes = load_run(run)
    renamed = relabel(segments, themes)
    print(f"== {run} ({len(themes)} themes)")
    for (_, old), new in zip(themes.iterrows(), renamed["label"], strict=True):
        print(f"  {int(old['theme_id']):3d} n={int(old['n_segments']):4d} | {str(old['label'])[:48]:48s} -> {new}")


def content(text: str) -> set[str]:
    stops = set(stop_words())
    return {w for w in stem_key(text) if w not in stops}


def score(run_segments: pd.DataFrame, themes: pd.DataFrame, embed) -> tuple[pd.DataFrame, dict]:
    key = yaml.safe_load((CORPUS / "ANSWER_KEY.yaml").read_text(encoding="utf-8"))
    planted = planted_labels(run_segments, CORPUS)
    seg = run_segments.assign(planted=planted)
    labels = themes.set_index("theme_id")["label"].astype(str).to_dict()
    all_labels = list(labels.values())
    names = [str(t["name"]) for t in key["themes"]]
    label_vecs = embed(all_labels)
    name_vecs = embed(names)
    rows = []
    for k, theme in enumerate(key["themes"]):
        mine = seg[(seg["planted"] == theme["id"]) & (seg["theme_id"] >= 0)]
        if mine.empty:
            rows.append({"planted": theme["name"], "label": "(none themed)", "cosine": 0.0, "overlap": 0.0,
                         "best_anywhere": float((label_vecs @ name_vecs[k]).max())})
            continue
        tid = int(mine["theme_id"].value_counts().index[0])
        label = labels.get(tid, "")
        li = all_labels.index(label)
        words = content(theme["name"])
        rows.append({
            "planted": theme["name"], "label": label, "share": len(mine[mine["theme_id"] == tid]) / len(mine),
            "cosine": float(label_vecs[li] @ name_vecs[k]),
            "overlap": len(words & content(label)) / max(1, len(words)),
            "best_anywhere": float((label_vecs @ name_vecs[k]).max()),
        })
    table = pd.DataFrame(rows)
    bad = [lab for lab in all_labels if "[" in lab or set(lab.lower().replace(",", " ").split()) & (WEEKDAYS | MONTHS)]
    summary = {
        "share_cosine_ge_0.6": float((table["cosine"] >= BAR).mean()),
        "mean_cosine": float(table["cosine"].mean()),
        "mean_overlap": float(table["overlap"].mean()),
        "share_best_anywhere_ge_0.6": float((table["best_anywhere"] >= BAR).mean()),
        "n_themes": len(all_labels),
        "labels_with_weekday_month_or_placeholder": bad,
    }
    return table, summary


def make_embed():
    from voc_synth.themes.model import CachedEmbedder

    embedder = CachedEmbedder(EmbeddingConfig())

    def embed(texts: list[str]) -> np.ndarray:
        v = np.asarray(embedder.embed(list(texts)), dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True).clip(1e-9)

    return embed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, default=None, help="an existing run folder of the demo")
    parser.add_argument("--out", type=Path, default=Path("/tmp/names_demo"), help="where to run the CLI")
    parser.add_argument("--before", type=Path, default=None, help="a run folder to show side by side")
    parser.add_argument("--relabel", action="store_true", help="rename --run's themes with the current namer")
    parser.add_argument("--labels", type=Path, nargs="+", default=None,
                        help="run folders of any corpus: print each theme's stored label and the current namer's")
    args = parser.parse_args(argv)
    if args.labels:
        for folder in args.labels:
            show_labels(folder)
        return 0
    run = args.run
    if run is None:
        run_cli(args.out)
        run = args.out
    embed = make_embed()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 60)
    results = {}
    for name, folder in (("before", args.before), ("after", run)):
        if folder is None:
            continue
        segments, themes = load_run(folder)
        if name == "after" and args.relabel:
            themes = relabel(segments, themes)
        results[name] = score(segments, themes, embed)
    for name, (table, summary) in results.items():
        print(f"\n== {name}")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        print(json.dumps(summary, indent=1))
    if len(results) == 2:
        print("\n== before → after")
        for k in ("share_cosine_ge_0.6", "mean_cosine", "mean_overlap", "share_best_anywhere_ge_0.6"):
            print(f"{k:30s} {results['before'][1][k]:.2f} → {results['after'][1][k]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
