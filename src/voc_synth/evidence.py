"""Evidence behind each theme: attributed quotes, prevalence in people and records, strength.

Quotes are whole, readable, redacted sentences, chosen near the theme's centre (representative)
and then for diversity (maximal marginal relevance), from distinct people and spread over the
source types the theme appears in. Prevalence counts people and records, not just segments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

SOURCE_NOUNS = {
    # (singular, plural) used in prevalence text
    "interview": ("interviewee", "interviewees"),
    "ticket": ("ticket", "tickets"),
    "review": ("review", "reviews"),
    "survey": ("survey answer", "survey answers"),
}

EVIDENCE_RULE = (
    "Evidence strength: STRONG when a theme is backed by at least {strong_records} records or "
    "people, appears in at least two source types (triangulation) and at least {agree:.0%} of its "
    "segments agree on sentiment; MODERATE when it has at least {moderate_records} records or people "
    "and either two source types or that sentiment agreement; WEAK otherwise. Records and people "
    "are counted once per theme whatever the number of segments."
)
STRONG_RECORDS = 10
MODERATE_RECORDS = 5
AGREEMENT = 0.6

_QUOTE_MIN_WORDS = 6
_QUOTE_MAX_WORDS = 60


def evidence_rule_text() -> str:
    """The evidence-strength rule as stated in every report."""
    return EVIDENCE_RULE.format(
        strong_records=STRONG_RECORDS, moderate_records=MODERATE_RECORDS, agree=AGREEMENT
    )


def _plural(n: int, source_type: str) -> str:
    singular, plural = SOURCE_NOUNS.get(source_type, (source_type, source_type + "s"))
    return singular if n == 1 else plural


def prevalence(
    theme_segments: pd.DataFrame, totals: dict[str, dict[str, int]]
) -> tuple[dict[str, dict[str, int]], str]:
    """People and records behind one theme, per source type, and a sentence saying so.

    `totals` gives, per source type, the corpus' `records` and `people` counts, so interviews read
    "mentioned by 9 of 14 interviewees" and other sources "41 tickets".
    """
    per_type: dict[str, dict[str, int]] = {}
    parts: list[str] = []
    order = [t for t in SOURCE_NOUNS if t in set(theme_segments["source_type"])]
    order += sorted(set(theme_segments["source_type"]) - set(order))
    for source_type in order:
        rows = theme_segments[theme_segments["source_type"] == source_type]
        records = int(rows["doc_id"].nunique())
        people = int(rows["participant"].replace("", np.nan).dropna().nunique())
        total = totals.get(source_type, {})
        per_type[source_type] = {
            "records": records,
            "people": people,
            "of_records": int(total.get("records", 0)),
            "of_people": int(total.get("people", 0)),
        }
        if source_type == "interview":
            parts.append(f"mentioned by {people} of {total.get('people', people)} {_plural(2, source_type)}")
        else:
            parts.append(f"{records} {_plural(records, source_type)}")
    return per_type, ", ".join(parts)


def corpus_totals(documents: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Records and distinct people per source type, the denominators of prevalence."""
    totals: dict[str, dict[str, int]] = {}
    for source_type, rows in documents.groupby("source_type"):
        totals[str(source_type)] = {
            "records": int(len(rows)),
            "people": int(rows["participant"].replace("", np.nan).dropna().nunique()),
        }
    return totals


def evidence_strength(per_type: dict[str, dict[str, int]], sentiment_labels: Iterable[str]) -> tuple[str, str]:
    """(strong|moderate|weak, reason) by the rule in `evidence_rule_text()`."""
    # Interviews count people: one interviewee repeating a point is one voice.
    breadth = sum(v["people"] if t == "interview" else v["records"] for t, v in per_type.items())
    n_types = sum(1 for v in per_type.values() if v["records"] >= 2)
    labels = pd.Series(list(sentiment_labels))
    agreement = float(labels.value_counts(normalize=True).iloc[0]) if len(labels) else 0.0
    if breadth >= STRONG_RECORDS and n_types >= 2 and agreement >= AGREEMENT:
        level = "strong"
    elif breadth >= MODERATE_RECORDS and (n_types >= 2 or agreement >= AGREEMENT):
        level = "moderate"
    else:
        level = "weak"
    reason = (
        f"{breadth} records/people, {n_types} source type{'s' if n_types != 1 else ''}, "
        f"{agreement:.0%} sentiment agreement"
    )
    return level, reason


def _readable(text: str) -> bool:
    words = len(text.split())
    if not (_QUOTE_MIN_WORDS <= words <= _QUOTE_MAX_WORDS):
        return False
    # A quote should read as whole sentences: starts with a capital or digit, no dangling ellipsis.
    return bool(re.match(r"^[\"'“(]?[A-Z0-9]", text.strip())) and not text.rstrip().endswith(("…", "..", ","))


def _person(participant: object, doc_id: object) -> str:
    """Who said it: the participant, else the record (one quote per person per theme)."""
    if participant is None or (isinstance(participant, float) and np.isnan(participant)) or participant == "":
        return f"doc:{doc_id}"
    return str(participant)


def select_quotes(
    theme_segments: pd.DataFrame,
    embeddings: np.ndarray,
    centroid: np.ndarray,
    n_quotes: int = 6,
    diversity: float = 0.35,
) -> pd.DataFrame:
    """Pick up to `n_quotes` quotes for one theme, best first.

    `theme_segments` are the theme's rows of `segments`; `embeddings` are their (normalised)
    vectors in the same order. The first quotes are representative (closest to the centre),
    the rest chosen by maximal marginal relevance; at most one quote per person, and source
    types are taken in turn so a theme found in tickets and interviews shows both.
    """
    if theme_segments.empty:
        return theme_segments.iloc[0:0]
    frame = theme_segments.reset_index(drop=True)
    vectors = np.asarray(embeddings, dtype=np.float32)
    readable = frame["text"].map(_readable).to_numpy()
    if readable.sum() >= min(n_quotes, 2):
        keep = np.flatnonzero(readable)
    else:
        keep = np.arange(len(frame))  # short-text corpora: take what there is
    frame, vectors = frame.iloc[keep].reset_index(drop=True), vectors[keep]
    centre = centroid / (np.linalg.norm(centroid) or 1.0)
    relevance = vectors @ centre
    source_types = list(dict.fromkeys(frame.sort_values("source_type")["source_type"]))
    # Plain arrays: this runs once per theme over all its segments (thousands at 100k scale).
    people = np.array([_person(p, d) for p, d in zip(frame["participant"], frame["doc_id"], strict=True)],
                      dtype=object)
    types = frame["source_type"].to_numpy(dtype=object)
    free = np.ones(len(frame), dtype=bool)  # neither chosen nor from a person already quoted
    chosen: list[int] = []
    kinds: list[str] = []
    n_representative = max(1, n_quotes // 2)
    while len(chosen) < min(n_quotes, len(frame)) and free.any():
        wanted_type = source_types[len(chosen) % len(source_types)] if source_types else None
        if len(chosen) < n_representative:
            score = relevance
        else:
            redundancy = (vectors @ vectors[chosen].T).max(axis=1)
            score = (1 - diversity) * relevance - diversity * redundancy
        # The wanted source type first; any type when it has no candidate left.
        of_type = free & (types == wanted_type) if wanted_type is not None else free
        candidates = of_type if of_type.any() else free
        best = int(np.argmax(np.where(candidates, score, -np.inf)))  # first best on ties
        chosen.append(best)
        kinds.append("representative" if len(chosen) <= n_representative else "diverse")
        free &= people != people[best]
    picked = frame.iloc[chosen].copy()
    picked["kind"] = kinds
    picked["rank"] = range(1, len(picked) + 1)
    picked["similarity"] = relevance[chosen]
    return picked
