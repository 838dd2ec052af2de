"""A small Synthesis with embeddings, built by the pipeline's own `assemble`, for review tests.

Six themes over four stages. `make_synthesis` can also simulate a re-run: extra records added to
every theme (new segment ids), theme ids handed out in another order, a theme that vanished
(its segments unthemed) and a brand-new theme — the situations review decisions must survive.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from voc_synth.pipeline import assemble
from voc_synth.synthesis import Synthesis

FRAMEWORK = {
    "name": "test shop",
    "stages": [
        {"id": "discover", "name": "Discover", "description": "Hearing about the shop.", "goal": "Find us",
         "keywords": ["instagram"], "examples": []},
        {"id": "buy", "name": "Buy", "description": "Cart, checkout and payment.", "goal": "Pay easily",
         "keywords": ["checkout"], "examples": []},
        {"id": "delivery", "name": "Delivery", "description": "Shipping and tracking.", "goal": "Get it",
         "keywords": ["parcel"], "examples": []},
        {"id": "support", "name": "Support", "description": "Help and service.", "goal": "Get help",
         "keywords": ["agent"], "examples": []},
    ],
}

# key: (generated label, keywords, stage, sentiment centre, sentences)
THEMES: dict[str, tuple[str, list[str], str, float, list[str]]] = {
    "late": ("parcel · late · tracking", ["parcel", "late", "tracking"], "delivery", -0.6, [
        "My parcel arrived a week late and the tracking never updated at all.",
        "The courier lost my parcel and nobody could tell me where it was.",
        "Tracking said out for delivery for four days and nothing came to my door.",
        "The parcel was late again and I had to chase the courier myself.",
        "Delivery took twice as long as promised and there were no updates.",
        "I waited in all day for a parcel that never showed up on time.",
    ]),
    "card": ("card · declined · payment", ["card", "declined", "payment"], "buy", -0.55, [
        "My card was declined three times although the bank said everything was fine.",
        "Payment failed with a generic error and no idea what to do next.",
        "PayPal kept looping back to the cart so I could not pay at all.",
        "The payment page froze after I pressed pay and I was charged twice.",
        "Apple Pay did not work at checkout and the card form kept resetting.",
    ]),
    "fee": ("shipping · fee · checkout", ["shipping", "fee", "checkout"], "buy", -0.45, [
        "The shipping fee only appeared on the last page of the checkout process.",
        "Hidden delivery costs at checkout made me close the tab the first time.",
        "I only saw the delivery charge at the very end, which felt like a trick.",
        "Why is shipping not shown on the product page before I reach checkout?",
    ]),
    "agents": ("agent · chat · helpful", ["agent", "chat", "helpful"], "support", 0.6, [
        "The agent on live chat was patient and solved the problem quickly.",
        "Support answered my email the same day and sent a replacement right away.",
        "Really helpful person on the phone who resolved everything in one call.",
        "The chat agent was friendly and explained the return steps clearly.",
        "Customer service went above and beyond to sort out my order.",
    ]),
    "insta": ("instagram · friend · ad", ["instagram", "friend", "ad"], "discover", 0.35, [
        "An influencer I follow on Instagram kept posting about the shop so I had a look.",
        "My sister recommended the shop after she bought a lovely coat there.",
        "I saw an ad on TikTok and the brand looked fun and honest to me.",
        "A friend told me about them and I had never heard of the shop before.",
    ]),
    "gift": ("gift · wrapping · message", ["gift", "wrapping", "message"], "support", 0.0, [
        "Could you add gift wrapping as an option for presents at some point?",
        "I asked whether gift messages can be printed on the packing slip for my mum.",
        "Is there a way to hide the price when sending a gift to someone?",
    ]),
}
NEW_THEME = ("returns · label · refund", ["returns", "label", "refund"], "support", -0.3, [
    "The return label was missing from the box and support took days to send one.",
    "Printing the return label needed an account which I did not want to create.",
    "My refund took three weeks after the return was received at the warehouse.",
])
SOURCES = ("ticket", "review", "interview")
INTERVIEWEES = [f"P{i:02d}" for i in range(1, 7)]
DIM = 24


def _directions(seed: int = 11) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    keys = [*THEMES, "new", "unthemed"]
    vectors = rng.normal(size=(len(keys), DIM))
    return {k: v / np.linalg.norm(v) for k, v in zip(keys, vectors, strict=True)}


def _label(sentiment: float) -> str:
    return "negative" if sentiment < -0.15 else "positive" if sentiment > 0.15 else "neutral"


def make_synthesis(
    *,
    extra: int = 0,
    order: list[str] | None = None,
    drop: tuple[str, ...] = (),
    new_theme: bool = False,
    created_at: str = "2024-05-01T10:00:00+00:00",
    with_embeddings: bool = True,
) -> Synthesis:
    """A synthesis of the themes in THEMES.

    `order`: theme keys in the order ids are handed out (default THEMES order; a re-run gives other
    ids). `extra`: records added to each theme (new segments, as when the corpus grows). `drop`:
    themes that vanish (their segments left unthemed). `new_theme`: add a theme the first run
    did not have.
    """
    directions = _directions()
    noise_rng = np.random.default_rng(5)
    keys = list(order or THEMES)
    specs = {k: THEMES[k] for k in THEMES}
    if new_theme:
        specs["new"] = NEW_THEME
        keys = [*keys, "new"]
    ids = {}
    for key in keys:
        if key not in drop:
            ids[key] = len(ids)
    documents: list[dict[str, Any]] = []
    segments: list[dict[str, Any]] = []
    vectors: list[np.ndarray] = []
    for p in INTERVIEWEES:
        documents.append({"doc_id": f"int-{p}", "source_type": "interview", "source_file": f"interviews/{p}.txt",
                          "locator": "lines 1-200", "participant": p, "date": "2024-04-01", "rating": math.nan,
                          "rating_scale": "", "channel": "", "product": "", "text": "", "n_segments": 0})

    def add_segment(key: str, k: int, text: str, generation: int) -> None:
        label, _, stage, centre, _ = specs[key]
        source = SOURCES[k % 3]
        # Segment ids depend only on the text's identity, as the real ingestion's do.
        seg_id = f"{key}-{generation}-{k:02d}"
        if source == "interview":
            participant = INTERVIEWEES[(k + len(key)) % len(INTERVIEWEES)]
            doc_id, locator = f"int-{participant}", f"lines {10 + k}-{12 + k}"
            rating = math.nan
        else:
            participant = f"cust-{key}-{generation}-{k}"
            doc_id, locator = f"{source}-{key}-{generation}-{k}", f"row {k + 2}"
            rating = float(np.clip(round(3 + 2 * centre + (k % 3 - 1) * 0.5), 1, 5))
            documents.append({"doc_id": doc_id, "source_type": source, "source_file": f"{source}s.csv",
                              "locator": locator, "participant": participant, "date": "2024-04-02",
                              "rating": rating, "rating_scale": "1-5", "channel": "web", "product": "",
                              "text": text, "n_segments": 1})
        sentiment = float(np.clip(centre + 0.15 * ((k * 7) % 5 - 2) / 2, -1, 1))
        theme_id = ids.get(key, -1) if key != "unthemed" else -1
        segments.append({
            "segment_id": seg_id, "doc_id": doc_id, "source_type": source, "source_file": f"{source}s.csv",
            "locator": locator, "participant": participant, "speaker": participant, "turn": k,
            "question": "", "text": text, "char_start": 0, "char_end": len(text), "date": "2024-04-02",
            "rating": rating, "channel": "web", "product": "", "theme_id": theme_id,
            "theme_label": label if theme_id >= 0 else "", "sentiment": round(sentiment, 3),
            "sentiment_label": _label(sentiment), "stage": stage, "stage_confidence": 0.8,
            "rating_norm": (rating - 1) / 4 if not math.isnan(rating) else math.nan,
        })
        vec = directions[key] + 0.35 * noise_rng.normal(size=DIM) / math.sqrt(DIM)
        vectors.append(vec / np.linalg.norm(vec))

    for key in THEMES if not new_theme else [*THEMES, "new"]:
        sentences = specs[key][4]
        for k, text in enumerate(sentences):
            add_segment(key, k, text, 0)
        for k in range(extra):
            add_segment(key, k, sentences[k % len(sentences)].rstrip(".?") + f" and that was order {k + 50}.", 1)
    for k, text in enumerate(["Yeah I think that was about it for today really.",
                              "Sorry can you repeat the question once more please."]):
        specs["unthemed"] = ("", [], "support", 0.0, [])
        add_segment("unthemed", k, text, 0)

    docs = pd.DataFrame(documents)
    seg = pd.DataFrame(segments)
    docs["n_segments"] = docs["doc_id"].map(seg["doc_id"].value_counts()).fillna(0).astype(int)
    base = pd.DataFrame([
        {"theme_id": ids[k], "label": specs[k][0], "keywords": specs[k][1], "group_id": ids[k],
         "group_label": specs[k][0], "is_codebook": False}
        for k in keys if k in ids
    ])
    meta = {"project": "Review test shop", "created_at": created_at, "seed": 1, "warnings": [],
            "manifest": {"totals": {"records_in": len(docs), "records_ingested": len(docs), "records_skipped": 0}}}
    synthesis = assemble(docs, seg, np.vstack(vectors), base, None, FRAMEWORK, meta)
    if not with_embeddings:
        synthesis.embeddings = None
    return synthesis


def theme_id_of(synthesis: Synthesis, key: str) -> int:
    """The theme that holds most of the first-run segments of theme `key` in `synthesis`."""
    seg = synthesis.segments
    rows = seg[seg["segment_id"].str.startswith(f"{key}-0-")]
    if not len(rows):
        raise KeyError(key)
    return int(rows["theme_id"].mode().iloc[0])
