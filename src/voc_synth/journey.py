"""The journey map's content per stage: emotion, touchpoints, pain points, delights, mixed
themes, opportunities.

Works on any subset of a run's segments, so `--segment-by` builds one map per actor from a
single analysis.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

# Channels and touchpoints customers name, matched on word boundaries. Generic on purpose: these
# are the channels of any store or service, not of one corpus.
TOUCHPOINTS: dict[str, tuple[str, ...]] = {
    "app": ("app", "mobile app", "iphone app", "android app"),
    "website": ("website", "site", "web page", "webpage", "online store", "product page"),
    "email": ("email", "e-mail", "emails", "newsletter", "inbox"),
    "chat": ("chat", "live chat", "chatbot", "bot"),
    "phone": ("phone", "call", "called", "on hold", "hotline"),
    "courier": ("courier", "driver", "delivery driver", "parcel", "tracking", "depot", "locker"),
    "social media": ("instagram", "tiktok", "facebook", "youtube", "influencer", "social media", "ad"),
    "search engine": ("google", "search result", "search engine"),
    "store": ("store", "shop", "click and collect", "pick-up point", "pickup point"),
    "payment provider": ("paypal", "apple pay", "klarna", "card", "bank"),
    "word of mouth": ("friend", "recommended", "word of mouth", "colleague", "sister", "neighbour"),
}
_TOUCHPOINT_RES = {
    name: re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    for name, words in TOUCHPOINTS.items()
}

DROP_THRESHOLD = 0.25  # a fall in mean sentiment this large between adjacent stages is marked


def count_touchpoints(texts: pd.Series, channels: pd.Series | None = None) -> dict[str, int]:
    """How often each touchpoint is mentioned (plus the records' own channel field)."""
    counts: Counter[str] = Counter()
    for text in texts.astype(str):
        for name, pattern in _TOUCHPOINT_RES.items():
            if pattern.search(text):
                counts[name] += 1
    if channels is not None:
        for channel in channels.dropna().astype(str):
            if channel and channel.lower() not in ("nan", "none"):
                counts[channel.lower()] += 1
    return dict(counts.most_common())


def mean_with_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and a 95% normal-approximation interval (width 0 for one value)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if len(values) < 2:
        return mean, mean, mean
    half = 1.96 * float(values.std(ddof=1)) / np.sqrt(len(values))
    return mean, max(-1.0, mean - half), min(1.0, mean + half)


def mark_moments(means: list[float]) -> list[str]:
    """Moments that matter: the lowest negative stage (trough), sharp drops, the highest peak."""
    marks = [""] * len(means)
    valid = [(i, m) for i, m in enumerate(means) if not np.isnan(m)]
    if not valid:
        return marks
    for (_, prev), (i, cur) in zip(valid, valid[1:], strict=False):
        if prev - cur >= DROP_THRESHOLD:
            marks[i] = "drop"
    low_i, low = min(valid, key=lambda x: x[1])
    if low < 0:
        marks[low_i] = "trough"
    high_i, high = max(valid, key=lambda x: x[1])
    if high > 0 and not marks[high_i]:
        marks[high_i] = "peak"
    return marks


def how_might_we(theme: pd.Series, stage_name: str) -> str:
    """The pain point's draft "How might we…" (written from its quotes by
    `voc_synth.insights`, or rewritten in review.yaml); a plain one when it has none."""
    written = theme.get("opportunity")
    if isinstance(written, str) and written.strip():
        return written.strip()
    label = str(theme["label"]).split(" · ")[0].strip().rstrip(".").lower()
    return (
        f"How might we resolve “{label}” for customers in {stage_name.lower()} "
        f"({theme['prevalence_text']})?"
    )


def build_stages(
    framework: dict,
    segments: pd.DataFrame,
    themes: pd.DataFrame,
    max_opportunities: int = 3,
) -> pd.DataFrame:
    """One row per framework stage, in order, with the map's lanes as columns."""
    rows = []
    for order, stage in enumerate(framework.get("stages", []), start=1):
        stage_id = stage["id"]
        seg = segments[segments["stage"] == stage_id] if "stage" in segments else segments.iloc[0:0]
        mean, low, high = mean_with_ci(seg["sentiment"].to_numpy() if len(seg) else np.array([]))
        stage_themes = themes[themes["primary_stage"] == stage_id] if len(themes) else themes
        pains, delights, mixed = (
            stage_themes[stage_themes["polarity"] == p].sort_values("n_documents", ascending=False)
            for p in ("pain", "delight", "mixed")
        )
        # What went wrong in a mixed theme is an opportunity too, after the pains.
        troubles = pd.concat([pains, mixed]) if len(mixed) else pains
        if "opportunity" in troubles:  # only those with a grounded "How might we…" (voc_synth.insights)
            pains_with = troubles[troubles["opportunity"].fillna("").astype(str).str.strip() != ""]
        else:
            pains_with = troubles
        strong_pains = pains_with[pains_with["evidence_strength"] != "weak"]
        candidates = strong_pains if len(strong_pains) else pains_with
        opportunities = [how_might_we(t, stage["name"]) for _, t in candidates.head(max_opportunities).iterrows()]
        rating = seg["rating_norm"].dropna() if "rating_norm" in seg else pd.Series(dtype=float)
        rows.append(
            {
                "stage_id": stage_id,
                "order": order,
                "name": stage.get("name", stage_id),
                "description": stage.get("description", ""),
                "goal": stage.get("goal", ""),
                "n_segments": int(len(seg)),
                "n_documents": int(seg["doc_id"].nunique()) if len(seg) else 0,
                "n_themes": int(len(stage_themes)),
                "sentiment_mean": mean,
                "sentiment_ci_low": low,
                "sentiment_ci_high": high,
                "share_negative": float((seg["sentiment_label"] == "negative").mean()) if len(seg) else float("nan"),
                "mean_rating_norm": float(rating.mean()) if len(rating) else float("nan"),
                "touchpoints": count_touchpoints(seg["text"], seg.get("channel")) if len(seg) else {},
                "pain_theme_ids": [int(t) for t in pains["theme_id"]],
                "delight_theme_ids": [int(t) for t in delights["theme_id"]],
                "mixed_theme_ids": [int(t) for t in mixed["theme_id"]],  # their own lane, not pains
                "opportunities": opportunities,
            }
        )
    stages = pd.DataFrame(rows)
    if len(stages):
        stages["moment"] = mark_moments(stages["sentiment_mean"].tolist())
    return stages
