"""Cut cleaned records into analysis units and drop the ones that carry no evidence.

Units: `sentence` (each spaCy sentence), `turn` (a speaker turn) and `document` (a whole
short record). A turn or document longer than `segmentation.window_sentences` sentences is
split into windows of about that many sentences — balanced, so 4 sentences with a window of
3 become 2 + 2 rather than 3 + 1 — because one theme per segment works best on a few sentences.

Units that are only backchannel ("yeah", "mm-hmm", "ok thanks", "um, right") are dropped as
`filler`; units with fewer than `segmentation.min_words` words as `too short`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..config import SegmentationConfig
from .meaning import PLACEHOLDER

DEFAULT_UNITS = {"interview": "turn", "ticket": "document", "review": "document", "survey": "document"}

# Words that, on their own, say nothing about the customer's experience.
FILLER_WORDS = frozenset({
    "yeah", "yes", "yep", "yup", "ya", "yah", "no", "nope", "nah", "ok", "okay", "k", "kk",
    "right", "sure", "um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "oh", "ooh",
    "hmm", "hm", "mm", "mmm", "mhm", "mm-hmm", "mmhmm", "uh-huh", "huh", "thanks", "thank",
    "you", "ta", "cheers", "cool", "alright", "exactly", "totally", "absolutely", "true",
    "got", "it", "i", "see", "hi", "hello", "hey", "bye", "so", "well", "like", "lol", "haha",
    "great", "fine", "good", "nice", "perfect", "indeed", "really", "definitely", "of",
    "course", "that", "that's", "thats", "makes", "sense", "go", "ahead", "please", "sorry",
    "again", "very", "much", "a", "lot", "and", "wow", "there", "problem",
    "worries", "bit", "for", "it's", "its", "fair", "enough", "know", "mean", "just",
})
# Thank-you notes and acknowledgements: filler only when a thanks word is present, so
# "your help was great" (feedback on support) is kept and "great, thanks for your help" is not.
PLEASANTRY_WORDS = FILLER_WORDS | frozenset({
    "received", "sorted", "all", "now", "help", "your", "reply", "response", "support", "time",
    "assistance", "update", "replying", "writing", "emailing", "to", "say", "brilliant",
    "lovely", "wonderful", "appreciated", "appreciate", "everything", "many", "helpful",
    "quick", "the", "was", "that", "fab", "amazing", "kind", "name", "again", "x", "xx",
})
THANKS_WORDS = frozenset({"thanks", "thank", "thx", "ty", "cheers", "ta", "appreciated", "appreciate",
                          "sorted", "received"})
# Survey answers that mean "no answer".
NULL_ANSWERS = frozenset({"n/a", "na", "n.a.", "none", "nothing", "no comment", "no comments", "-",
                          "--", "---", ".", "..", "...", "?", "nil", "null", "nope", "no", "x", "nothing to add",
                          "not applicable", "no answer", "skip"})
_WORD = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def is_null_answer(text: str) -> bool:
    """"n/a", "-", "nothing": an answer field filled in to mean no answer."""
    return " ".join(text.lower().split()).strip(" !") in NULL_ANSWERS


def drop_reason(text: str, min_words: int) -> str | None:
    """'filler', 'too short' or None (keep) for one candidate unit."""
    # Placeholders ([NAME], [ORDER_NUMBER]) are not words the customer chose.
    tokens = [w.lower().replace("’", "'") for w in words(PLACEHOLDER.sub(" ", text))]
    if not tokens or all(t in FILLER_WORDS for t in tokens):
        return "filler"
    if all(t in PLEASANTRY_WORDS for t in tokens) and any(t in THANKS_WORDS for t in tokens):
        return "filler"
    if len(tokens) < min_words:
        return "too short"
    return None


def unit_for(source_type: str, source_unit: str | None, config: SegmentationConfig) -> str:
    """The unit for a source: the source's own setting, then `segmentation.units`, then default."""
    return source_unit or config.units.get(source_type) or DEFAULT_UNITS.get(source_type, "document")  # type: ignore[call-overload]


def windows(n: int, size: int) -> list[tuple[int, int]]:
    """Balanced windows over `n` sentences of about `size` each, as (first, last+1) indices."""
    if n <= 0:
        return []
    size = max(1, size)
    if n <= size:
        return [(0, n)]
    k = math.ceil(n / size)
    base, extra = divmod(n, k)
    out, start = [], 0
    for i in range(k):
        length = base + (1 if i < extra else 0)
        out.append((start, start + length))
        start += length
    return out


_ENDS_SENTENCE = re.compile(r"[.!?…]['\"”’)\]]*\s*$")
_OPEN_BRACKET = re.compile(r"[\[(][^\])]*$")


def join_broken_sentences(text: str, sentences: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans with the splitter's breaks inside a sentence undone.

    The sentence recogniser, trained on edited text, breaks speech and casual writing where a
    sentence has not ended: inside a bracket ("the [Product" | "Name] app"), or before a
    lower-case continuation after no closing punctuation ("so we went back to" | "the old
    one"). A unit starting there would start mid-sentence, so such a break is joined to the
    sentence before it.
    """
    out: list[tuple[int, int]] = []
    for start, end in sentences:
        if out:
            prev = text[out[-1][0]:out[-1][1]]
            head = text[start:end].lstrip()
            inside_bracket = bool(_OPEN_BRACKET.search(prev))
            continues = (not _ENDS_SENTENCE.search(prev)
                         and (head[:1].islower() or head[:1] in ",;:)]-–—"))
            if inside_bracket or continues:
                out[-1] = (out[-1][0], end)
                continue
        out.append((start, end))
    return out


@dataclass
class Unit:
    start: int            # offsets in the block's (redacted) text
    end: int
    drop: str | None      # None = keep; else 'filler' / 'too short'


def cut_block(
    text: str, sentences: Sequence[tuple[int, int]], unit: str, config: SegmentationConfig
) -> list[Unit]:
    """Candidate units of one block of text (a record, or one interview turn)."""
    sents = join_broken_sentences(text, [(s, e) for s, e in sentences if text[s:e].strip()])
    if not sents:
        if not text.strip():
            return []
        sents = [(0, len(text))]
    if unit == "sentence":
        groups = [(i, i + 1) for i in range(len(sents))]
    else:
        groups = windows(len(sents), config.window_sentences)
    units = []
    for first, last in groups:
        start, end = sents[first][0], sents[last - 1][1]
        units.append(Unit(start, end, drop_reason(text[start:end], config.min_words)))
    return units
