"""Keyphrase labels: the fallback names (`naming.py` names themes from what customers said) and
the keyword cleaning both use.

"late delivery", "delivery", "tracking updated", "parcel" → "Late delivery · tracking updated":
the label is two or three keyphrases in keyword order, joined by " · ", first letter capitalised.
A unigram is replaced by a longer keyphrase (within the top keywords) that contains it, a phrase
whose words are all in an already chosen phrase is dropped, and phrases made only of stop words
(or empty) are never used.
"""

from __future__ import annotations

from collections.abc import Iterable

from .params import stop_words, tokenize

SEPARATOR = " · "
MAX_PHRASES = 3
MAX_CHARS = 48
UNLABELLED = "Unlabelled theme"


def _stem(word: str) -> str:
    # Just enough folding to see "refund" and "refunds", "delay" and "delayed" as one word.
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def clean_keywords(keywords: Iterable[str], extra_stop_words: Iterable[str] = ()) -> list[str]:
    """Keywords without empty strings, duplicates and stop-word-only phrases, order kept."""
    stops = set(stop_words(list(extra_stop_words)))
    out: list[str] = []
    seen: set[str] = set()
    for keyword in keywords:
        words = tokenize(str(keyword))
        if not words or all(w in stops for w in words) or len({_stem(w) for w in words}) < len(words):
            continue  # empty, stop words only, or a repeated word ("packaging packaging")
        phrase = " ".join(words)
        if phrase not in seen:
            seen.add(phrase)
            out.append(phrase)
    return out


def label_from_keywords(keywords: Iterable[str], extra_stop_words: Iterable[str] = (),
                        max_phrases: int = MAX_PHRASES, lookahead: int = 6) -> str:
    """A label such as "Late delivery · tracking updated" from ranked keyphrases."""
    phrases = clean_keywords(keywords, extra_stop_words)
    chosen: list[str] = []
    covered: set[str] = set()
    for i, phrase in enumerate(phrases):
        if len(chosen) >= max_phrases:
            break
        words = phrase.split()
        if len(words) == 1:
            # Prefer a nearby longer phrase that says more ("delivery" -> "late delivery").
            stem = _stem(words[0])
            for longer in phrases[i + 1: i + 1 + lookahead]:
                if len(longer.split()) > 1 and stem in {_stem(w) for w in longer.split()}:
                    phrase, words = longer, longer.split()
                    break
        stems = {_stem(w) for w in words}
        if stems <= covered:
            continue
        candidate = SEPARATOR.join([*chosen, phrase])
        if chosen and len(candidate) > MAX_CHARS:
            break
        chosen.append(phrase)
        covered |= stems
    if not chosen:
        return UNLABELLED
    label = SEPARATOR.join(chosen)
    return label[0].upper() + label[1:]
