"""Short human-readable theme labels built from keyphrases.

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
# Words a keyphrase may skip and still count as said verbatim.
_LIGHT_WORDS = frozenset("a an the my your our his her their its this that these those".split())


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


def keyword_coverage(keywords: list[str], docs: list[str]) -> dict[str, float]:
    """Share of `docs` in which each keyword occurs *as written*: its words adjacent, in order.

    The keyword vectorizer builds bigrams after removing stop words, so "free shipping over a
    certain amount" yields "shipping certain" — distinctive, but not something anyone said.
    Counting verbatim occurrences keeps such fragments out of labels; only articles and
    possessives may sit in between ("delete my account" counts for "delete account").
    """
    if not docs:
        return {k: 0.0 for k in keywords}
    padded = [f" {' '.join(w for w in tokenize(d) if w not in _LIGHT_WORDS)} " for d in docs]
    return {k: sum(f" {k} " in p for p in padded) / len(padded) for k in keywords}


def label_phrases(keywords: list[str], coverage: dict[str, float], min_share: float = 0.04,
                  relative: float = 0.1) -> list[str]:
    """The keywords worth putting in a label: those that occur in a fair share of the theme's
    segments (at least `min_share`, and at least `relative` times the best-covered keyword), so
    an incidental word that happens to be distinctive ("water bottle") does not name a theme
    about broken deliveries. Falls back to all keywords when none qualifies."""
    if not coverage:
        return keywords
    best = max(coverage.values(), default=0.0)
    floor = max(min_share, relative * best)
    kept = [k for k in keywords if coverage.get(k, 0.0) >= floor]
    if not kept:
        kept = [k for k in keywords if coverage.get(k, 0.0) > 0]
    return kept or keywords


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


def unique_labels(labels: list[str], keywords: list[list[str]]) -> list[str]:
    """Make labels distinct: a repeated label gets the next keyword the others lack, else " (2)"."""
    out = list(labels)
    for i in range(len(out)):
        dupes = [j for j in range(len(out)) if out[j] == out[i]]
        if len(dupes) < 2:
            continue
        for n, j in enumerate(dupes[1:], start=2):
            used = set(tokenize(out[j]))
            extra = next((k for k in clean_keywords(keywords[j])
                          if not set(k.split()) <= used and out[j] + SEPARATOR + k not in out), None)
            out[j] = out[j] + SEPARATOR + extra if extra else f"{out[j]} ({n})"
    return out
