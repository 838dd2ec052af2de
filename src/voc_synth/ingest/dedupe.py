"""Duplicate records: the same ticket exported twice, a review re-posted with a new id.

A record duplicates an earlier one when, within the same source type,
- its cleaned text is identical after normalisation (lower-cased, punctuation and whitespace
  collapsed, digits masked), so "Order LH-123456 never came!!" and "order LH-654321 never
  came" count once; or
- it comes from the same customer and one text contains nearly all the words of the other,
  which is most of its length (a resend with "Resending as I've heard nothing." in front).
  Requiring the same customer (and product, where known) keeps apart two people's similar
  short reviews, and one person's reviews of two different products.
The first record in a deterministic order (sources in config order, files sorted, records in
file order) is kept; later ones are skipped with "duplicate of <doc_id>". A survey answer that
happens to match a review is still two pieces of evidence, hence "within a source type".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict

_NON_WORD = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")

# Near-duplicates: the shorter text has at least NEAR_MIN_WORDS words and NEAR_MIN_SHARE of
# the longer one's length, and NEAR_MIN_OVERLAP of its words occur in the longer one.
NEAR_MIN_WORDS = 8
NEAR_MIN_SHARE = 0.6
NEAR_MIN_OVERLAP = 0.9


def normalise_for_dedupe(text: str) -> str:
    """The comparison key of a record's text."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DIGIT.sub("0", text)
    return _NON_WORD.sub(" ", text).strip()


class DuplicateFinder:
    """Remembers the first record for each normalised text (per source type)."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, str], str] = {}
        self._by_customer: dict[tuple[str, str, str], list[tuple[list[str], str]]] = defaultdict(list)

    def check(
        self, source_type: str, text: str, doc_id: str, customer: str = "", product: str = ""
    ) -> tuple[str, str] | None:
        """(doc_id of the earlier record, 'duplicate'|'near-duplicate'), or None if new."""
        key = normalise_for_dedupe(text)
        if not key:
            return None
        first = self._first.setdefault((source_type, key), doc_id)
        if first != doc_id:
            return first, "duplicate"
        if customer:
            earlier = self._by_customer[(source_type, customer, product)]
            words = key.split()
            for other_words, other_id in earlier:
                if _contained(words, other_words) or _contained(other_words, words):
                    return other_id, "near-duplicate"
            earlier.append((words, doc_id))
        return None


def _contained(short: list[str], long: list[str]) -> bool:
    """Nearly all of `short`'s words appear in `long`, and `short` is most of `long`."""
    if len(short) < NEAR_MIN_WORDS or len(short) > len(long) or len(short) < NEAR_MIN_SHARE * len(long):
        return False
    pool = Counter(long)
    shared = sum(min(n, pool[w]) for w, n in Counter(short).items())
    return shared >= NEAR_MIN_OVERLAP * len(short)
