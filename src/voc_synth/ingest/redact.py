"""Personal-data redaction: find emails, phones, cards, URLs with tokens, addresses and names,
and replace each with a placeholder (`[EMAIL]`, `[PHONE]`, `[CARD]`, `[URL]`, `[ADDRESS]`,
`[NAME]`, or `[ORDER_NUMBER]`-style names for the patterns a project configures).

Patterns are deliberately conservative where a false positive would destroy evidence (a
product called "SwiftDrop" is not a person; "4GB" is not a postcode) and generous where a miss
would leak personal data (every Luhn-valid 13–19 digit run is a card). Names come from spaCy's
PERSON entities plus names the ingest step already knows (speaker labels, requester names,
signature lines), filtered through an allow-list of brand and product terms.

`Redactor` is the reusable engine (compile once, call per text, keep offsets);
`redact_pii()` is the one-call convenience the package re-exports.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

# Brand / product / channel words spaCy's small model sometimes tags as PERSON. Lower-case.
DEFAULT_ALLOW_TERMS = frozenset({
    "apple pay", "google pay", "samsung pay", "paypal", "klarna", "afterpay", "clearpay",
    "venmo", "stripe", "visa", "mastercard", "amex", "american express", "maestro", "apple",
    "google", "amazon", "alexa", "siri", "iphone", "ipad", "android", "samsung", "pixel",
    "chrome", "safari", "firefox", "whatsapp", "instagram", "facebook", "tiktok", "twitter",
    "trustpilot", "zendesk", "intercom", "shopify", "dpd", "dhl", "ups", "fedex", "usps",
    "royal mail", "evri", "hermes", "yodel", "parcelforce", "swiftdrop", "swift drop",
    "checkout", "basket", "cart", "wishlist", "app store", "play store", "gmail", "outlook",
    "excel", "face id", "touch id", "wi-fi", "wifi", "bluetooth", "zoom", "teams", "slack",
    "interviewer", "moderator", "facilitator", "researcher", "participant", "customer",
    "agent", "support", "bot", "chatbot", "insta", "ig", "gram", "fb", "messenger", "youtube",
    "pinterest", "etsy", "ebay", "argos", "ikea", "john lewis", "dunelm",
})
# Words that make a "name" an organisation or a thing ("Kestrel Courier", "Larkfield Points").
ORG_WORDS = frozenset({
    "courier", "couriers", "delivery", "deliveries", "express", "logistics", "parcel", "parcels",
    "post", "mail", "points", "rewards", "club", "app", "store", "shop", "team", "support",
    "service", "services", "bank", "pay", "card", "group", "ltd", "limited", "inc", "plc", "co",
    "customer", "care", "home", "homes", "online", "direct", "uk", "us", "prime", "plus", "pro",
    "premium", "membership", "account", "voucher", "code", "sale",
})
_CAMEL_CASE = re.compile(r"^(?!Mc|Mac|O'|O’|D'|D’)[A-Z][a-z]+[A-Z]")

PLACEHOLDERS = {
    "name": "[NAME]", "email": "[EMAIL]", "phone": "[PHONE]", "card": "[CARD]",
    "url": "[URL]", "address": "[ADDRESS]",
}

# Placeholders and pseudonyms must never be re-detected as names on a second pass.
_ALREADY_SAFE = re.compile(r"^\[[A-Z_]+\]$|^P\d{1,4}$|^customer-[0-9a-f]{4,12}$")

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'\])}]+", re.IGNORECASE)
_TOKENISH = re.compile(r"(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{16,}")
_CARD = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){12,18}(?![\d\-]|[ \-]\d)")
_PHONES = (
    # international: +44 7700 900123, +1 (555) 123-4567, +49 30 1234567, +44 (0)20 7946 0958
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.\-]?\(\d{1,4}\))?(?:[\s.\-]?\d{1,5}){2,6}(?![\w])"),
    # UK national: 07700 900123, 020 7946 0958, 0161-496-0000, 07700900123
    re.compile(r"(?<![\w+\-])0\d{2,4}(?:[\s\-]?\d{3,4}){1,2}(?![\w\-])"),
    re.compile(r"(?<![\w+\-])\(0\d{2,4}\)\s?\d{3,4}[\s\-]?\d{3,4}(?![\w\-])"),
    # US: (555) 123-4567, 555-123-4567, 555.123.4567, 1-555-123-4567
    re.compile(r"(?<![\w+\-])(?:1[\s.\-])?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}(?![\w\-])"),
)
_STREET_SUFFIX = (
    r"(?:Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Drive|Dr|Close|Court|Ct|Way|Boulevard|Blvd|Place|Pl|"
    r"Crescent|Cres|Terrace|Gardens|Grove|Square|Sq|Parkway|Pkwy|Highway|Hwy|Row|Mews|Walk|Rise|"
    r"street|road|lane|avenue|drive|close|court|way|boulevard|place|crescent|terrace|gardens|grove|square)"
)
_ADDRESSES = (
    re.compile(
        r"(?:\b(?:Flat|Apt\.?|Apartment|Unit|Suite)\s+\d+[A-Za-z]?,?\s+)?"
        r"\b\d{1,5}[A-Za-z]?(?:\s?[\-/]\s?\d{1,5})?,?\s+(?:[A-Z][a-zA-Z'\-]+\s+){1,3}" + _STREET_SUFFIX + r"\b\.?"
    ),
    re.compile(r"\b(?:Flat|Apt\.?|Apartment|Suite)\s+\d+[A-Za-z]?\b"),
    # UK postcodes (the inward code never uses C, I, K, M, O, V; "4GB" is storage, not a postcode)
    re.compile(
        r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d(?!GB\b|TB\b|MB\b|KB\b)[ABD-HJLNP-UW-Z]{2}\b"
    ),
    # US state + ZIP
    re.compile(
        r"\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
        r"NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)\s+\d{5}(?:-\d{4})?\b"
    ),
)
# Between two address parts: ", London, " — merge them into one [ADDRESS].
_ADDRESS_GLUE = re.compile(r"^[,\s]*(?:[A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+){0,2}[,\s]+)?$")

# First names that are also everyday words: only redacted as part of a full name or by NER.
# "my granddaughter Sophie", "our neighbour Tom": a capitalised word right after a relation word
# is a person's name even where NER misses it (it often does in chatty transcript speech).
_RELATION_NAME = re.compile(
    r"\b(?:[Mm]y|[Oo]ur|[Hh]er|[Hh]is|[Tt]heir)\s+(?:(?:little|older|younger|big|best|eldest|youngest)\s+)?"
    r"(?:husband|wife|partner|boyfriend|girlfriend|fianc[ée]e?|son|daughter|granddaughter|grandson|"
    r"grandchild|kid|child|mum|mom|mother|dad|father|sister|brother|friend|mate|neighbour|neighbor|"
    r"colleague|boss|niece|nephew|aunt|auntie|uncle|cousin|gran|grandma|grandpa|grandad|flatmate|"
    r"roommate|sister-in-law|brother-in-law|mother-in-law|father-in-law)\s*,?\s+"
    r"([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)\b"
)

_COMMON_WORD_NAMES = frozenset({
    "will", "may", "mark", "bill", "rose", "grace", "hope", "joy", "june", "april", "august",
    "amber", "frank", "faith", "summer", "crystal", "dawn", "sky", "ray", "guy", "art", "jack",
    "pat", "rich", "sunny", "happy", "max", "bob", "sue", "chase", "hunter", "page", "wood",
    "king", "young", "long", "white", "black", "brown", "green", "price", "cash", "love",
    "star", "gay", "ivy", "holly", "iris", "lily", "daisy", "robin", "rock", "stone", "wade",
    "drew", "ash", "ed", "al", "an", "so", "mo", "jo", "di", "le", "la", "de", "van", "von",
})


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum payment-card numbers satisfy."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def placeholder_for(kind: str) -> str:
    """`order number` → `[ORDER_NUMBER]`."""
    return "[" + re.sub(r"[^A-Z0-9]+", "_", kind.upper()).strip("_") + "]"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    placeholder: str


class OffsetMap:
    """Maps positions in the original text to positions in the redacted text."""

    def __init__(self, spans: Sequence[Span], replaced: Sequence[tuple[int, int]]) -> None:
        self._starts = [s.start for s in spans]
        self._spans = list(spans)
        self._replaced = list(replaced)  # (new_start, new_end) of each span

    def __call__(self, pos: int, *, is_end: bool = False) -> int:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return pos
        span, (new_start, new_end) = self._spans[i], self._replaced[i]
        if pos >= span.end:
            return new_end + (pos - span.end)
        if pos == span.start:
            return new_start
        # A boundary inside a redacted span snaps to the span's edge.
        return new_end if is_end else new_start


class Redactor:
    """Compiled redaction rules for one run (config patterns, known names, allow-list)."""

    def __init__(
        self,
        *,
        names: bool = True,
        addresses: bool = True,
        patterns: Mapping[str, str] | None = None,
        known_names: Iterable[str] = (),
        allow_terms: Iterable[str] = (),
    ) -> None:
        self.names = names
        self.addresses = addresses
        self.allow = set(DEFAULT_ALLOW_TERMS) | {t.strip().lower() for t in allow_terms if t and t.strip()}
        self.allow_words = {w for term in self.allow for w in term.split()}
        self._fuzzy_pool = sorted(w for w in self.allow_words if len(w) >= 5)
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for kind, regex in (patterns or {}).items():
            try:
                self.patterns.append((kind, re.compile(regex)))
            except re.error as err:
                raise ConfigError(
                    f"redaction.patterns.{kind} is not a valid regular expression: {err}. "
                    "Fix it in voc_synth.yaml (Python `re` syntax)."
                ) from None
        self.known_names = sorted(self._expand_names(known_names), key=lambda n: (-len(n), n))
        self._known_re = self._compile_names(self.known_names)

    # -- names ---------------------------------------------------------------------------------

    def _expand_names(self, names: Iterable[str], with_parts: bool = True) -> set[str]:
        """Full names plus (`with_parts`) their distinctive parts ("Dana Reyes" → "Dana", "Reyes")."""
        out: set[str] = set()
        for raw in names:
            name = " ".join(str(raw or "").split()).strip(" ,.;:")
            if len(name) < 2 or name.lower() in self.allow or _ALREADY_SAFE.match(name):
                continue
            out.add(name)
            parts = [p.strip(".,'") for p in name.split()]
            if with_parts and len(parts) > 1:
                for part in parts:
                    if (len(part) >= 3 and part[:1].isupper() and part.lower() not in _COMMON_WORD_NAMES
                            and part.lower() not in self.allow_words and part.isalpha()):
                        out.add(part)
        return {n for n in out if n.lower() not in _COMMON_WORD_NAMES}

    @staticmethod
    def _compile_names(names: Sequence[str]) -> re.Pattern[str] | None:
        if not names:
            return None
        alternation = "|".join(re.escape(n) for n in names)
        return re.compile(rf"(?<![\w@.\-])(?:{alternation})(?![\w@\-]|\.\w)")

    def add_known_names(self, names: Iterable[str], with_parts: bool = True) -> None:
        """Redact `names` wherever they occur, as the names the ingest step knows are; a full
        name also by its distinctive parts unless `with_parts` is False (the caller then gives
        the parts it vouches for as names of their own)."""
        added = self._expand_names(names, with_parts) - set(self.known_names)
        if added:
            self.known_names = sorted(set(self.known_names) | added, key=lambda n: (-len(n), n))
            self._known_re = self._compile_names(self.known_names)

    def allow_more(self, terms: Iterable[str]) -> None:
        """Add terms to the allow-list (e.g. brands the corpus statistics reveal)."""
        new = {t.strip().lower() for t in terms if t and t.strip()}
        self.allow |= new
        self.allow_words |= {w for term in new for w in term.split()}
        self._fuzzy_pool = sorted(w for w in self.allow_words if len(w) >= 5)

    def _near_allowed(self, word: str) -> bool:
        """A misspelt brand ("Larfkield", "Whatspp") is still the brand."""
        if len(word) < 5:
            return False
        return bool(difflib.get_close_matches(word, self._fuzzy_pool, n=1, cutoff=0.85))

    def person_ok(self, text: str, context: str = "", start: int = 0, end: int = 0) -> bool:
        """Whether an NER PERSON hit should be redacted (not a brand, pseudonym or noise).

        `context` (the whole text) with `start`/`end` lets a one-word sentence ("Superb.",
        "Meh.") be recognised: people's names do not stand alone as a sentence in feedback.
        """
        clean = text.strip(" '\".,;:!?()[]").removesuffix("'s").removesuffix("’s")
        low = clean.lower()
        words = low.split()
        if len(clean) < 2 or not any(ch.isalpha() for ch in clean) or any(ch.isdigit() for ch in clean):
            return False
        if _ALREADY_SAFE.match(clean) or "[" in clean or "]" in clean:
            return False
        if low in self.allow or any(w in self.allow_words or w in ORG_WORDS for w in words):
            return False
        if clean.islower() or (clean.isupper() and len(clean) > 2):
            return False  # lower case: tagger noise; ALL CAPS: shouting, not a name
        if any(_CAMEL_CASE.match(w) for w in clean.split()) or any(self._near_allowed(w) for w in words):
            return False
        if context and " " not in clean:
            before = context[:start].rstrip(" \t")
            after = context[end:]
            if (not before or before[-1] in ".!?\n") and re.match(r"^[.!?]+(\s|$)|^\s*$", after):
                return False
        return True

    # -- finding -------------------------------------------------------------------------------

    def find(self, text: str, person_spans: Iterable[tuple[int, int]] = ()) -> list[Span]:
        """Non-overlapping PII spans in `text`, in order. `person_spans` come from NER."""
        candidates: list[tuple[int, int, int, str, str]] = []  # (start, end, priority, kind, ph)

        def add(start: int, end: int, priority: int, kind: str, placeholder: str) -> None:
            if end > start:
                candidates.append((start, end, priority, kind, placeholder))

        for kind, pattern in self.patterns:
            for m in pattern.finditer(text):
                add(m.start(), m.end(), 0, kind, placeholder_for(kind))
        for m in _EMAIL.finditer(text):
            add(m.start(), m.end(), 1, "email", PLACEHOLDERS["email"])
        for m in _URL.finditer(text):
            url = m.group(0).rstrip(".,;:!?")
            tail = url.split("://", 1)[-1]
            path = tail.split("/", 1)[1] if "/" in tail else ""
            if any(ch in tail for ch in "?=@") or _TOKENISH.search(path):
                add(m.start(), m.start() + len(url), 1, "url", PLACEHOLDERS["url"])
        for m in _CARD.finditer(text):
            digits = _digits(m.group(0))
            if 13 <= len(digits) <= 19 and luhn_ok(digits) and len(set(digits)) > 1:
                add(m.start(), m.end(), 2, "card", PLACEHOLDERS["card"])
        for pattern in _PHONES:
            for m in pattern.finditer(text):
                n = len(_digits(m.group(0)))
                if 9 <= n <= 15:
                    add(m.start(), m.end(), 3, "phone", PLACEHOLDERS["phone"])
        if self.addresses:
            for pattern in _ADDRESSES:
                for m in pattern.finditer(text):
                    add(m.start(), m.end(), 4, "address", PLACEHOLDERS["address"])
        if self.names:
            if self._known_re is not None:
                for m in self._known_re.finditer(text):
                    add(m.start(), m.end(), 5, "name", PLACEHOLDERS["name"])
            for start, end in person_spans:
                if 0 <= start < end <= len(text) and self.person_ok(text[start:end], text, start, end):
                    add(start, end, 6, "name", PLACEHOLDERS["name"])
            for m in _RELATION_NAME.finditer(text):
                if m.group(1).lower() not in self.allow_words:
                    add(m.start(1), m.end(1), 6, "name", PLACEHOLDERS["name"])

        # Longest match wins (a URL containing an email is one [URL]); ties go to priority.
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
        taken: list[Span] = []
        for start, end, _prio, kind, placeholder in candidates:
            if all(end <= s.start or start >= s.end for s in taken):
                taken.append(Span(start, end, kind, placeholder))
        taken.sort(key=lambda s: s.start)
        return self._merge_addresses(text, taken)

    @staticmethod
    def _merge_addresses(text: str, spans: list[Span]) -> list[Span]:
        merged: list[Span] = []
        for span in spans:
            if merged and span.kind == "address" and merged[-1].kind == "address":
                prev = merged[-1]
                gap = text[prev.end:span.start]
                if len(gap) <= 40 and _ADDRESS_GLUE.match(gap):
                    merged[-1] = Span(prev.start, span.end, "address", prev.placeholder)
                    continue
            merged.append(span)
        return merged

    # -- applying ------------------------------------------------------------------------------

    @staticmethod
    def apply(text: str, spans: Sequence[Span]) -> tuple[str, OffsetMap]:
        """The redacted text and a map from original to redacted offsets."""
        out: list[str] = []
        replaced: list[tuple[int, int]] = []
        pos = 0
        length = 0
        for span in spans:
            out.append(text[pos:span.start])
            length += span.start - pos
            out.append(span.placeholder)
            replaced.append((length, length + len(span.placeholder)))
            length += len(span.placeholder)
            pos = span.end
        out.append(text[pos:])
        return "".join(out), OffsetMap(spans, replaced)

    def redact(self, text: str, person_spans: Iterable[tuple[int, int]] = ()) -> str:
        """`text` with every PII span replaced by its placeholder."""
        if not text:
            return text
        return self.apply(text, self.find(text, person_spans))[0]


def doc_person_spans(doc: Any) -> list[tuple[int, int]]:
    """PERSON entities of a spaCy `Doc` that contain a proper noun.

    The small English model tags sentence-initial verbs and nouns ("Email me…", "Courier was
    rude") as PERSON now and then; the tagger's NNP/NNPS tells those apart from real names.
    When the pipeline has no tagger, every PERSON entity counts.
    """
    has_tags = doc.has_annotation("TAG")
    spans = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        if has_tags and not any(tok.tag_ in ("NNP", "NNPS") for tok in ent):
            continue
        spans.append((ent.start_char, ent.end_char))
    return spans


def person_spans(text: str, nlp: Any) -> list[tuple[int, int]]:
    """Character spans of people's names in `text` (empty for a pipeline without NER)."""
    if "ner" not in getattr(nlp, "pipe_names", ()):
        return []
    disable = [p for p in nlp.pipe_names if p not in ("tok2vec", "tagger", "ner")]
    with nlp.select_pipes(disable=disable):
        doc = nlp(text[: nlp.max_length - 1])
    return doc_person_spans(doc)


def redact_pii(
    text: str,
    *,
    names: bool = True,
    addresses: bool = True,
    known_names: Iterable[str] = (),
    patterns: Mapping[str, str] | None = None,
    allow_terms: Iterable[str] = (),
    nlp: Any = None,
) -> str:
    """`text` with personal data replaced by placeholders.

    Emails → `[EMAIL]`, phone numbers (UK/US/international) → `[PHONE]`, Luhn-valid card numbers
    → `[CARD]`, URLs carrying tokens or query strings → `[URL]`, street addresses, UK postcodes
    and US state+ZIP → `[ADDRESS]`, people's names (spaCy PERSON entities and `known_names`)
    → `[NAME]`, and each `patterns` entry `{kind: regex}` → `[KIND]` (e.g. `[ORDER_NUMBER]`).
    Terms in `allow_terms` (and a built-in list of brands such as "Apple Pay") are never
    treated as names. `nlp` defaults to `voc_synth.models.load_spacy()` when names are on.
    """
    if not text:
        return text
    redactor = Redactor(names=names, addresses=addresses, patterns=patterns,
                        known_names=known_names, allow_terms=allow_terms)
    persons: list[tuple[int, int]] = []
    if names:
        if nlp is None:
            from ..models import load_spacy

            nlp = load_spacy()
        persons = person_spans(text, nlp)
    return redactor.redact(text, persons)
