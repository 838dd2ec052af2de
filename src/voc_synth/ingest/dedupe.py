"""Duplicate records: the same record read twice, never two customers who said the same thing.

"Good", "very good" or "the agent was very helpful" from two customers are two voices, so
identical words alone never make a duplicate. Within one source type, a record is a duplicate
of an earlier one when it is

- **the same record again**: the same id in its source (Ticket ID, review_id, response_id…)
  with the same text, as when one export is read twice or two exports overlap;
- **an identical row in another file** (overlapping exports without an id column): every value
  read from the row is equal, and the row says when or who (a date or a customer), so two
  files that each hold a bare "good" are not taken for one. A file's k-th copy of a row is a
  duplicate only while an earlier file holds at least k copies: the same period exported
  twice is counted once, and the answers a later export adds are kept;
- **the same customer's words again**: the same customer (and product, where known) with the
  same text — on the same date for a short answer, on any date for a longer text (a review
  re-posted under a new id). Or, from the same customer, a text that contains nearly all the
  words of the other and is most of its length (a resend with "Resending as I've heard
  nothing." in front): a `near-duplicate`;
- for transcripts, the same transcript in two files (an .txt and a .docx export of one call).

The first record in a deterministic order (sources in config order, files sorted, records in
file order) is kept; later ones are skipped with the reason. A survey answer that happens to
match a review is still two pieces of evidence, hence "within a source type".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

_NON_WORD = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")

# Near-duplicates: the shorter text has at least NEAR_MIN_WORDS words and NEAR_MIN_SHARE of
# the longer one's length, and NEAR_MIN_OVERLAP of its words occur in the longer one.
NEAR_MIN_WORDS = 8
NEAR_MIN_SHARE = 0.6
NEAR_MIN_OVERLAP = 0.9


def normalise_for_dedupe(text: str) -> str:
    """The comparison key of a record's text: case, punctuation, spacing and digits ignored."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DIGIT.sub("0", text)
    return _NON_WORD.sub(" ", text).strip()


@dataclass(frozen=True)
class RecordView:
    """What duplicate detection looks at in one record."""

    doc_id: str
    source_type: str
    source_file: str
    text: str                      # cleaned text; an interview's turns joined
    own_id: str = ""               # the record's id in its source, when it has one
    customer: str = ""
    product: str = ""
    date: str = ""
    row: tuple[str, ...] = ()      # every value read from the row, as text; () for a transcript

    @property
    def is_transcript(self) -> bool:
        return not self.row


@dataclass(frozen=True)
class Duplicate:
    """An earlier record this one repeats."""

    first: str      # doc_id of the record that is kept
    kind: str       # "duplicate" | "near-duplicate"
    reason: str     # the sentence the manifest shows

    @property
    def label(self) -> str:
        return f"{self.kind} of {self.first}: {self.reason}"


class DuplicateFinder:
    """Remembers the records seen so far and says which later ones repeat them."""

    def __init__(self) -> None:
        self._by_id: dict[tuple[str, str, str], str] = {}
        self._by_customer: dict[tuple[str, ...], str] = {}
        self._customer_texts: dict[tuple[str, str, str], list[tuple[list[str], str]]] = defaultdict(list)
        self._transcripts: dict[tuple[str, str], str] = {}
        # signature -> file -> doc_ids of that file's copies, in file order
        self._rows: dict[tuple[str, tuple[str, ...]], dict[str, list[str]]] = defaultdict(dict)
        self._original: dict[str, str] = {}   # a duplicate's doc_id -> the kept record's

    def check(self, record: RecordView) -> Duplicate | None:
        """The earlier record `record` repeats, or None when it is new (and now remembered)."""
        found = self._find(record)
        if found is not None:
            self._original[record.doc_id] = found.first
        return found

    def _find(self, record: RecordView) -> Duplicate | None:
        key = normalise_for_dedupe(record.text)
        if not key:
            return None
        kind = record.source_type
        if record.is_transcript:
            first = self._transcripts.setdefault((kind, key), record.doc_id)
            return None if first == record.doc_id else Duplicate(first, "duplicate", "the same transcript")
        same_row = self._same_row(record)  # first: it counts every copy, duplicate or not
        if record.own_id:
            first = self._by_id.setdefault((kind, record.own_id, key), record.doc_id)
            if first != record.doc_id:
                return Duplicate(first, "duplicate", f"the same record (id {record.own_id}) read again")
        if same_row is not None:
            return same_row
        return self._same_customer(record, key) if record.customer else None

    def _same_row(self, record: RecordView) -> Duplicate | None:
        copies = self._rows[(record.source_type, record.row)]
        here = copies.setdefault(record.source_file, [])
        nth = len(here)
        here.append(record.doc_id)
        if not (record.date or record.customer):
            return None  # nothing says when or who: two bare "good"s are two answers
        for source_file, ids in copies.items():
            if source_file != record.source_file and len(ids) > nth:
                first = self._original.get(ids[nth], ids[nth])
                return Duplicate(first, "duplicate", f"an identical row in {source_file} (overlapping exports)")
        return None

    def _same_customer(self, record: RecordView, key: str) -> Duplicate | None:
        words = key.split()
        # A short answer is the same one only on the same day: "good" after each of two calls
        # is two answers from one customer, and without a date there is no telling.
        short = len(words) < NEAR_MIN_WORDS
        if record.date or not short:
            ident = (record.source_type, record.customer, record.product, key, record.date if short else "")
            first = self._by_customer.setdefault(ident, record.doc_id)
            if first != record.doc_id:
                return Duplicate(first, "duplicate", "the same customer's same words")
        earlier = self._customer_texts[(record.source_type, record.customer, record.product)]
        for other_words, other_id in earlier:
            if _contained(words, other_words) or _contained(other_words, words):
                return Duplicate(other_id, "near-duplicate", "the same customer's message sent again with a few words changed")
        earlier.append((words, record.doc_id))
        return None


def _contained(short: list[str], long: list[str]) -> bool:
    """Nearly all of `short`'s words appear in `long`, and `short` is most of `long`."""
    if len(short) < NEAR_MIN_WORDS or len(short) > len(long) or len(short) < NEAR_MIN_SHARE * len(long):
        return False
    pool = Counter(long)
    shared = sum(min(n, pool[w]) for w, n in Counter(short).items())
    return shared >= NEAR_MIN_OVERLAP * len(short)
