"""Two saved runs for comparison tests, built without running the pipeline.

Run A is `report_fixtures.make_synthesis()` (hostile customer text included); run B is "the next
quarter": every record new, one theme gone (all its records dropped), one grown (its records
said four times as often), one shrunk (a quarter of its records), one new (tickets about
something A never heard of, hostile text in its label and quotes), the rest as before, and the
stage table recomputed the way the pipeline computes it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from report_fixtures import PWN_IMG, PWN_SCRIPT, make_synthesis

from voc_synth.journey import mark_moments, mean_with_ci
from voc_synth.synthesis import Synthesis

GONE_LABEL = "Shipping cost shown late at checkout"
GROWN_LABEL = "Refund took weeks"
SHRUNK_LABEL = "Fast, well-packed delivery"
NEW_LABEL = f"Locker code never arrived {PWN_SCRIPT}"
NEW_SENTENCES = [
    f"The parcel locker code never came through {PWN_IMG} so my order sat there for days.",
    "I never got the code for the pick-up locker, the text message just did not arrive.",
    "No locker code by email or text, and the locker sent my parcel back to the depot.",
    "Locker pick-up is a great idea but the access code was missing twice.",
    "Waited at the locker for twenty minutes because the code had not been sent.",
]


def _theme_id(synthesis: Synthesis, label: str) -> int:
    return int(synthesis.themes.loc[synthesis.themes["label"] == label, "theme_id"].iloc[0])


def _restage(synthesis: Synthesis) -> pd.DataFrame:
    stages = synthesis.stages.copy()
    for i, row in stages.iterrows():
        on = synthesis.segments[synthesis.segments["stage"] == row["stage_id"]]
        mean, low, high = mean_with_ci(on["sentiment"].to_numpy())
        stages.loc[i, ["sentiment_mean", "sentiment_ci_low", "sentiment_ci_high", "n_segments"]] = [mean, low, high, len(on)]
    stages["moment"] = mark_moments(stages["sentiment_mean"].tolist())
    return stages


def _new_theme(a: Synthesis, theme_id: int, n: int) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """`n` support tickets about a subject run A never heard of: segments, theme row, quotes."""
    template = a.segments[a.segments["source_type"] == "ticket"].iloc[0]
    rows = []
    for k in range(n):
        text = NEW_SENTENCES[k % len(NEW_SENTENCES)] + ("" if k < len(NEW_SENTENCES) else f" (ticket {k}).")
        rows.append({**template.to_dict(), "segment_id": f"locker-{k}", "doc_id": f"L-{k}", "text": text,
                     "theme_id": theme_id, "theme_label": NEW_LABEL, "stage": "delivery",
                     "sentiment": -0.5 + 0.02 * (k % 5), "sentiment_label": "negative", "locator": f"row {k + 2}"})
    segments = pd.DataFrame(rows)
    theme = {**a.themes.iloc[0].to_dict(), "theme_id": theme_id, "label": NEW_LABEL, "n_segments": n,
             "n_documents": n, "primary_stage": "delivery", "polarity": "pain", "prevalence_text": f"{n} tickets",
             "insight": f"{NEW_LABEL} ({n} tickets)."}
    quotes = pd.DataFrame([{"theme_id": theme_id, "rank": r + 1, "segment_id": row["segment_id"], "doc_id": row["doc_id"],
                            "text": row["text"], "source_type": "ticket", "participant": row["participant"],
                            "source_file": row["source_file"], "locator": row["locator"], "date": row["date"],
                            "rating": row["rating"], "question": "", "sentiment": row["sentiment"], "kind": "representative"}
                           for r, row in enumerate(rows[:3])])
    return segments, theme, quotes


def next_quarter(a: Synthesis, *, factor: int = 4, new_records: int = 30) -> Synthesis:
    """Run B: GONE_LABEL has no records, GROWN_LABEL `factor` times as many, SHRUNK_LABEL a
    `factor`th, NEW_LABEL is a new theme of `new_records` tickets; every id is new."""
    gone_id, grown_id, shrunk_id = _theme_id(a, GONE_LABEL), _theme_id(a, GROWN_LABEL), _theme_id(a, SHRUNK_LABEL)
    kept = a.segments[a.segments["theme_id"] != gone_id]
    shrunk = kept["theme_id"] == shrunk_id
    kept = kept[~shrunk | (kept.groupby("theme_id").cumcount() % factor == 0)]
    copies = [kept] + [a.segments[a.segments["theme_id"] == grown_id].assign(copy=k) for k in range(1, factor)]
    new_id = int(a.themes["theme_id"].max()) + 1
    new_segments, new_theme, new_quotes = _new_theme(a, new_id, new_records)
    segments = pd.concat([*copies, new_segments], ignore_index=True)
    copy = segments.pop("copy").fillna(0).astype(int)
    original = segments["doc_id"].tolist()
    segments["doc_id"] = [f"q2-{d}" + (f"-{c}" if c else "") for d, c in zip(original, copy, strict=True)]
    segments["segment_id"] = [f"q2-{s}" + (f"-{c}" if c else "") for s, c in zip(segments["segment_id"], copy, strict=True)]
    by_id = a.documents.set_index("doc_id")
    first = dict(zip(segments["doc_id"], original, strict=True))  # new record id -> the record it copies
    new_doc = {**a.documents.iloc[0].to_dict(), "source_type": "ticket"}
    documents = pd.DataFrame([{**(by_id.loc[old].to_dict() if old in by_id.index else new_doc), "doc_id": new}
                              for new, old in first.items()])
    themes = pd.concat([a.themes[a.themes["theme_id"] != gone_id], pd.DataFrame([new_theme])], ignore_index=True)
    for theme_id in (grown_id, shrunk_id):
        rows = segments[segments["theme_id"] == theme_id]
        themes.loc[themes["theme_id"] == theme_id, ["n_segments", "n_documents"]] = [len(rows), rows["doc_id"].nunique()]
    quotes = pd.concat([a.quotes[a.quotes["theme_id"] != gone_id], new_quotes], ignore_index=True)
    quotes["doc_id"] = "q2-" + quotes["doc_id"].astype(str)
    quotes["segment_id"] = "q2-" + quotes["segment_id"].astype(str)
    meta = {**a.meta, "created_at": "2024-07-02T10:11:12+00:00"}
    b = Synthesis(documents=documents, segments=segments, themes=themes, quotes=quotes, stages=a.stages,
                  framework=a.framework, meta=meta)
    b.stages = _restage(b)
    return b


def save_runs(folder: Path, *, cache_dir: Path | None = None, hostile: bool = True,
              per_theme: int = 24) -> tuple[Path, Path]:
    """Write runs `q1` and `q2` (synthesis.json only, which is all a comparison reads) under `folder`.

    `cache_dir` becomes the runs' embedding cache, so tests keep their vectors out of the user's.
    """
    a = make_synthesis(hostile=hostile, per_theme=per_theme)
    if cache_dir is not None:
        a.meta["config"] = {**a.meta["config"], "embedding": {"model": "all-MiniLM-L6-v2", "cache_dir": str(cache_dir)}}
    b = next_quarter(a)
    return a.save(folder / "q1").parent, b.save(folder / "q2").parent
