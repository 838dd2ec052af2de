"""Sentiment on real, public, labelled customer feedback: the issue-15 bars, per domain.

The sets are fetched at development time into ~/.cache/voc_synth_dev/sentiment/<name>/raw/
(see docs/real_data.md, "Sentiment data"); nothing from them is committed. This script
normalises each one to `data.csv` (text, label, rating, kind), cuts reviews into the units the
pipeline scores (spaCy sentences, windows of `segmentation.window_sentences`), embeds them with
the run's embedding model (`voc_synth.embed.embed_texts`, cached), scores them with the
configured backend (`voc_synth.sentiment.score_sentiment`) and rolls segments up to the review
(`voc_synth.sentiment.document_sentiment`), exactly as a run does. It prints:

- reviews with stars: AUC 1-2 vs 4-5 stars, share of 1-2 stars labelled negative, share of
  5 stars not labelled negative (bars 0.92 / 75% / 90%);
- short restaurant reviews (Zomato, at most 25 words, 1-2 vs 4-5 stars): share right, where
  right means negative for 1-2 stars and not negative for 4-5 stars (bar 90%);
- human-labelled texts (airline tweets, UCI Amazon sentences): the same figures on the labels.

    python scripts/eval_sentiment_real.py                       # the shipped model
    python scripts/eval_sentiment_real.py --backend vader
    python scripts/eval_sentiment_real.py --model /tmp/m --json out.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))

CACHE = Path(os.environ.get("VOC_SYNTH_DEV_CACHE", Path.home() / ".cache" / "voc_synth_dev")) / "sentiment"
MAX_RECORDS = 6000  # per domain, a seeded sample: keeps a full evaluation to a few minutes on 2 cores
SHORT_WORDS = 25
BARS = {"auc": 0.92, "share_low_negative": 0.75, "share_top_non_negative": 0.90, "short_right": 0.90}


def _stars_label(r: float) -> str:
    return "negative" if r <= 2 else ("neutral" if r < 4 else "positive")


def _airline(raw: Path) -> pd.DataFrame:
    t = pd.read_csv(raw / "Tweets.csv")
    return pd.DataFrame({"text": t["text"], "label": t["airline_sentiment"], "rating": np.nan, "kind": "text"})


def _amazon_cells(raw: Path) -> pd.DataFrame:
    rows = [line.rsplit("\t", 1) for line in (raw / "amazon_cells_labelled.txt").read_text(encoding="utf-8").splitlines()
            if "\t" in line]
    return pd.DataFrame({"text": [r[0].strip() for r in rows],
                         "label": ["positive" if r[1].strip() == "1" else "negative" for r in rows],
                         "rating": np.nan, "kind": "text"})


def _rated(texts: pd.Series, ratings: pd.Series) -> pd.DataFrame:
    r = pd.to_numeric(ratings, errors="coerce")
    frame = pd.DataFrame({"text": texts.astype(str), "rating": r})
    frame = frame[frame["rating"].between(1, 5) & (frame["rating"] % 1 == 0)]
    frame["label"] = frame["rating"].map(_stars_label)
    frame["kind"] = "review"
    return frame[["text", "label", "rating", "kind"]]


def _alexa(raw: Path) -> pd.DataFrame:
    a = pd.read_csv(raw / "amazon_alexa.tsv", sep="\t", quoting=csv.QUOTE_MINIMAL, encoding="utf-8-sig")
    return _rated(a["verified_reviews"], a["rating"])


def _yelp(raw: Path) -> pd.DataFrame:
    y = pd.read_csv(raw / "yelp.csv")
    return _rated(y["text"], y["stars"])


def _zomato(raw: Path) -> pd.DataFrame:
    z = pd.read_csv(raw / "clean_reviews.csv")
    return _rated(z["review"], z["rating"])


def _app(raw: Path) -> pd.DataFrame:
    p = pd.read_csv(raw / "app_reviews.csv", encoding="latin-1")
    text = p["title"].fillna("").astype(str).str.strip() + ". " + p["review"].fillna("").astype(str)
    return _rated(text.str.strip(". "), p["rating"])


def _hotel(raw: Path) -> pd.DataFrame:
    h = pd.read_csv(raw / "tripadvisor_hotel_reviews.csv")
    return _rated(h["Review"], h["Rating"])


def _fine_food(raw: Path) -> pd.DataFrame:
    """Amazon Fine Food Reviews (SNAP; CC0): partial copies with the original columns."""
    frame = pd.concat([pd.read_csv(path) for path in sorted(raw.glob("*.csv"))]).drop_duplicates("Id").reset_index(drop=True)
    summary = frame["Summary"].fillna("").astype(str).str.strip()
    joiner = np.where(summary.str.contains(r"[.!?]$"), " ", ". ")
    text = np.where(summary != "", summary + joiner, "") + frame["Text"].fillna("").astype(str)
    text = pd.Series(text).str.replace(r"<[^>]+>", " ", regex=True).str.replace(r"\s+", " ", regex=True).str.strip()
    return _rated(text, frame["Score"])


#: Booking.com writes these when a guest leaves the "liked" or "disliked" box empty.
_HOTEL_PLACEHOLDERS = {"no negative", "no positive", "nothing", "none", "n a", "na", "no complaints", "all good",
                       "everything ok", "everything", "nothing at all", "nil"}


def _hotel_515k(raw: Path) -> pd.DataFrame:
    """515K Hotel Reviews Data in Europe (Booking.com; CC0): partial copies. A review is the
    guest's "liked" part then their "disliked" part; the 0-10 score becomes 1-5 stars."""
    parts = []
    for path in sorted(raw.glob("*.csv")):
        frame = pd.read_csv(path, sep=None, engine="python")
        frame = frame.rename(columns={"Review": "Negative_Review"})
        parts.append(frame[frame["Hotel_Name"].notna()][["Hotel_Name", "Positive_Review", "Negative_Review", "Reviewer_Score"]])
    frame = pd.concat(parts).drop_duplicates()

    def part(text: object) -> str:
        text = str(text if isinstance(text, str) else "").strip()
        if text.lower().strip(" .!") in _HOTEL_PLACEHOLDERS:
            return ""
        return text[:1].upper() + text[1:] + ("" if text[-1:] in ".!?" else ".") if text else ""

    text = (frame["Positive_Review"].map(part) + " " + frame["Negative_Review"].map(part)).str.strip()
    score = pd.to_numeric(frame["Reviewer_Score"], errors="coerce")
    stars = pd.cut(score, [-1, 4, 5.5, 7, 8.5, 10], labels=[1, 2, 3, 4, 5]).astype(float)
    keep = text != ""
    return _rated(text[keep].reset_index(drop=True), stars[keep].reset_index(drop=True))


LOADERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "airline_tweets": _airline,
    "amazon_cells": _amazon_cells,
    "alexa_reviews": _alexa,
    "yelp_reviews": _yelp,
    "zomato_reviews": _zomato,
    "app_reviews": _app,
    "hotel_reviews": _hotel,
    "amazon_fine_food": _fine_food,
    "hotel_reviews_515k_europe": _hotel_515k,
}
#: The domains whose licence lets a model trained on them be shipped (CC0, CC BY 4.0). Only these
#: (with the written texts) may train a shipped classifier; the others are for testing only.
PERMISSIVE_DOMAINS = ("amazon_fine_food", "hotel_reviews_515k_europe", "amazon_cells")


def load_domain(name: str, max_records: int | None = MAX_RECORDS, seed: int = 0) -> pd.DataFrame:
    """One domain as text, label, rating, kind (cached as data.csv next to raw/)."""
    folder = CACHE / name
    data = folder / "data.csv"
    if data.is_file():
        frame = pd.read_csv(data, keep_default_na=False, na_values={"rating": [""]})
    else:
        frame = LOADERS[name](folder / "raw")
        # C1 controls and line/paragraph separators (mis-decoded exports) would break the CSV round trip.
        frame["text"] = frame["text"].astype(str).str.replace(r"[\x80-\x9f\u2028\u2029\r]", " ", regex=True).str.strip()
        frame = frame[frame["text"].str.len() > 0].drop_duplicates("text").reset_index(drop=True)
        frame.to_csv(data, index=False)
    if max_records and len(frame) > max_records:
        frame = frame.sample(max_records, random_state=seed).sort_index()
    frame = frame.reset_index(drop=True)
    frame["domain"] = name
    return frame


def available_domains() -> list[str]:
    return [n for n in LOADERS if (CACHE / n / "raw").is_dir()]


def segment_records(texts: list[str], window: int = 3) -> pd.DataFrame:
    """The units a run scores for each record: spaCy sentences grouped in balanced windows.

    Returns doc (record index) and text, one row per unit (nothing is dropped: a review's
    verdict counts even when a unit is short).
    """
    from voc_synth.ingest.nlp import analyse_texts
    from voc_synth.ingest.segment import windows
    from voc_synth.models import load_spacy

    analyses = analyse_texts(texts, load_spacy(), names=False)
    rows = []
    for i, (text, analysis) in enumerate(zip(texts, analyses, strict=True)):
        sents = [(s, e) for s, e in analysis.sentences if text[s:e].strip()] or [(0, len(text))]
        for first, last in windows(len(sents), window):
            rows.append((i, text[sents[first][0]:sents[last - 1][1]].strip()))
    return pd.DataFrame(rows, columns=["doc", "text"])


def domain_units(name: str, max_records: int | None = MAX_RECORDS) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """A domain's records, their units and the units' embeddings (units cached as units.csv)."""
    frame = load_domain(name, max_records)
    path = CACHE / name / f"units_{max_records}.csv"
    if path.is_file():
        units = pd.read_csv(path, keep_default_na=False)
    else:
        units = segment_records(frame["text"].tolist())
        units.to_csv(path, index=False)
    return frame, units, embed(units["text"].tolist())


def embed(texts: list[str]) -> np.ndarray:
    from voc_synth.config import EmbeddingConfig
    from voc_synth.embed import embed_texts

    return embed_texts(texts, EmbeddingConfig(), record=False)


def score_domain(frame: pd.DataFrame, config: Any, backend: Any = None,
                 units: pd.DataFrame | None = None, unit_embeddings: np.ndarray | None = None,
                 negative_weight: float | None = None) -> pd.DataFrame:
    """Per record: score and label, through segments and the document roll-up."""
    from voc_synth.sentiment import document_sentiment, score_sentiment

    if units is None:
        units = segment_records(frame["text"].tolist())
    if unit_embeddings is None:
        unit_embeddings = embed(units["text"].tolist())
    scored = score_sentiment(units["text"].tolist(), unit_embeddings, config, backend=backend)
    units = units.assign(sentiment=scored["sentiment"].to_numpy(), sentiment_label=scored["sentiment_label"].to_numpy())
    options = {} if negative_weight is None else {"negative_weight": negative_weight}
    docs = document_sentiment(units, by="doc", neutral_band=config.neutral_band, **options)
    return frame.assign(sentiment=docs["sentiment"].reindex(range(len(frame))).to_numpy(),
                        sentiment_label=docs["sentiment_label"].reindex(range(len(frame))).to_numpy())


def figures(scored: pd.DataFrame) -> dict[str, Any]:
    """The bars' figures for one scored domain."""
    from voc_synth.sentiment import rating_agreement

    out: dict[str, Any] = {"n": int(len(scored))}
    if scored["kind"].iloc[0] == "review":
        agreement = rating_agreement(scored["sentiment"], scored["rating"], scale=(1, 5),
                                     labels=scored["sentiment_label"])
        out.update({k: agreement[k] for k in ("auc", "share_low_negative", "share_high_non_negative",
                                              "share_top_non_negative", "n_low", "n_top")})
        words = scored["text"].str.split().str.len()
        short = scored[(words <= SHORT_WORDS) & scored["label"].isin(["negative", "positive"])]
        if len(short) >= 20:
            out["short_right"] = _right(short)
            out["n_short"] = int(len(short))
    else:
        from voc_synth.sentiment.calibrate import _auc

        neg, pos = scored["label"] == "negative", scored["label"] == "positive"
        out["auc"] = _auc(scored.loc[neg, "sentiment"].to_numpy(), scored.loc[pos, "sentiment"].to_numpy())
        out["share_low_negative"] = float((scored.loc[neg, "sentiment_label"] == "negative").mean())
        out["share_top_non_negative"] = float((scored.loc[pos, "sentiment_label"] != "negative").mean())
        out["right"] = _right(scored[neg | pos])
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def _right(frame: pd.DataFrame) -> float:
    said_negative = frame["sentiment_label"] == "negative"
    return float((said_negative == (frame["label"] == "negative")).mean())


def print_table(results: dict[str, dict[str, Any]], title: str) -> None:
    print(f"\n{title}")
    cols = ["n", "auc", "share_low_negative", "share_top_non_negative", "short_right", "right"]
    print(f"{'domain':<26}" + "".join(f"{c:>24}" for c in cols))
    for name, row in results.items():
        cells = []
        for c in cols:
            v = row.get(c)
            mark = "" if c not in BARS or v is None else (" ok" if v >= BARS[c] else " --")
            cells.append(f"{'' if v is None else v}{mark}".rjust(24))
        print(f"{name:<26}" + "".join(cells))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="embedded")
    parser.add_argument("--model", type=Path, default=None, help="an embedded classifier folder")
    parser.add_argument("--domains", nargs="*", default=None)
    parser.add_argument("--max-records", type=int, default=MAX_RECORDS)
    parser.add_argument("--negative-weight", type=float, default=None,
                        help="document roll-up weight (default: the package's; 0 = plain mean)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    from voc_synth.config import SentimentConfig

    config = SentimentConfig(backend=args.backend, model=args.model)
    results = {}
    for name in args.domains or available_domains():
        frame, units, emb = domain_units(name, args.max_records)
        results[name] = figures(score_domain(frame, config, units=units, unit_embeddings=emb,
                                             negative_weight=args.negative_weight))
    print_table(results, f"backend={args.backend} model={args.model or 'shipped'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
