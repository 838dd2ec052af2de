"""Lexical evidence for stage mapping: word stems and the framework's keywords found in a text.

Stems come from the Porter (1980) algorithm, so "charged", "charges" and "charging" all match
the keyword "charge", and multi-word keywords ("return label") match as a phrase with word
boundaries. Stemming is used instead of spaCy lemmas because it needs no model, is the same on
every machine and is fast enough to run over every segment of a large corpus.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

import numpy as np

from ..distributed.active import current_session

__all__ = ["KeywordMatcher", "stem", "stems"]

# Function words and verbs so generic they say nothing about a journey stage.
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can cannot could did do does doing done down during each either
else even ever every few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just let like me might mine more most much must my
myself neither no nor not now of off on once only or other our ours ourselves out over own
please same shall she should so some such than that the their theirs them themselves then there
these they this those through to too under until up upon us very was we were what when where
which while who whom whose why will with within would yet you your yours yourself yourselves
im ive id ill youre dont didnt doesnt isnt arent wasnt werent cant couldnt wouldnt shouldnt wont
hasnt havent hadnt thats theres whats hi hello hey thanks thank ok okay yes yeah oh really still
get got gets getting go goes going gone went make makes made making take takes took taken
taking give gives gave given giving keep keeps kept keeping put puts come comes came coming say
says said saying see sees saw seen seem seems want wants wanted need needs needed know knew
thing things something anything nothing everything someone anyone one two lot bit way
""".split())

# Irregular forms the suffix rules cannot reach.
_IRREGULAR = {
    "stolen": "steal", "stole": "steal", "lost": "lose", "sent": "send", "paid": "pay",
    "bought": "buy", "left": "leave", "broke": "break", "broken": "break", "spent": "spend",
    "heard": "hear", "chose": "choose", "chosen": "choose", "forgot": "forget",
    "forgotten": "forget", "wrote": "write", "written": "write", "found": "find", "told": "tell",
    "sold": "sell", "brought": "bring", "thought": "think", "caught": "catch", "fell": "fall",
    "fallen": "fall", "won": "win", "ran": "run", "children": "child", "people": "person",
}

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _is_consonant(word: str, i: int) -> bool:
    ch = word[i]
    if ch in "aeiou":
        return False
    if ch == "y":
        return i == 0 or not _is_consonant(word, i - 1)
    return True


def _measure(stem_: str) -> int:
    """Porter's m: the number of vowel-consonant sequences in `stem_`."""
    m, prev_vowel = 0, False
    for i in range(len(stem_)):
        vowel = not _is_consonant(stem_, i)
        if prev_vowel and not vowel:
            m += 1
        prev_vowel = vowel
    return m


def _has_vowel(stem_: str) -> bool:
    return any(not _is_consonant(stem_, i) for i in range(len(stem_)))


def _ends_double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _is_consonant(word, len(word) - 1)


def _ends_cvc(word: str) -> bool:
    return (len(word) >= 3 and _is_consonant(word, len(word) - 3) and not _is_consonant(word, len(word) - 2)
            and _is_consonant(word, len(word) - 1) and word[-1] not in "wxy")


_STEP2 = (("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
          ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
          ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
          ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
          ("logi", "log"))
_STEP3 = (("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""),
          ("ness", ""))
_STEP4 = ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
          "ism", "ate", "iti", "ous", "ive", "ize")


def _porter(word: str) -> str:
    if len(word) <= 2:
        return word
    # step 1a
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    # step 1b
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
    else:
        for suffix in ("ed", "ing"):
            if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
                word = word[: -len(suffix)]
                if word.endswith(("at", "bl", "iz")):
                    word += "e"
                elif _ends_double_consonant(word) and word[-1] not in "lsz":
                    word = word[:-1]
                elif _measure(word) == 1 and _ends_cvc(word):
                    word += "e"
                break
    # step 1c
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    for suffix, repl in _STEP2:
        if word.endswith(suffix):
            if _measure(word[: -len(suffix)]) > 0:
                word = word[: -len(suffix)] + repl
            break
    for suffix, repl in _STEP3:
        if word.endswith(suffix):
            if _measure(word[: -len(suffix)]) > 0:
                word = word[: -len(suffix)] + repl
            break
    for suffix in sorted(_STEP4, key=len, reverse=True):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if _measure(base) > 1 and (suffix != "ion" or base.endswith(("s", "t"))):
                word = base
            break
    if word.endswith("e"):
        base = word[:-1]
        if _measure(base) > 1 or (_measure(base) == 1 and not _ends_cvc(base)):
            word = base
    if _measure(word) > 1 and word.endswith("ll"):
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Porter stem of one lower-case word (British -ise spellings folded into -ize)."""
    word = _IRREGULAR.get(word, word)
    if len(word) > 5:
        word = re.sub(r"is(e|ed|es|ing|ation|ations)$", r"iz\1", word)
    return _porter(word)


def stems(text: str, drop_stop_words: bool = True) -> list[str]:
    """The stems of `text`'s words, in order (stop words dropped unless asked to keep them)."""
    out: list[str] = []
    for token in _TOKEN.findall(text.lower().replace("\u2019", "'")):
        word = token.replace("'", "") if token.endswith("n't") else token.split("'")[0]
        if not word or (drop_stop_words and (word in STOP_WORDS or word.isdigit())):
            continue
        out.append(stem(word))
    return out


class KeywordMatcher:
    """Scores texts against each stage's keywords (and, more weakly, its other text).

    A stem found in one stage's keywords only is strong evidence for that stage; a stem shared
    by several stages is split between them and counts less. A multi-word keyword found as a
    phrase adds a bonus on top of its words.
    """

    def __init__(self, keywords: Sequence[Iterable[str]], context: Sequence[Iterable[str]] | None = None,
                 context_weight: float = 0.3, shared_penalty: float = 0.5, phrase_bonus: float = 0.5):
        self.n_stages = len(keywords)
        mass: dict[str, np.ndarray] = {}

        def add(texts: Iterable[str], stage: int, weight: float) -> None:
            for text in texts:
                for token in set(stems(text)):
                    mass.setdefault(token, np.zeros(self.n_stages))[stage] += weight

        for j, kws in enumerate(keywords):
            add(kws, j, 1.0)
        if context is not None:
            for j, texts in enumerate(context):
                add(texts, j, context_weight)
        self.weights: dict[str, np.ndarray] = {}
        for token, vec in mass.items():
            if vec.sum() <= 0:
                continue
            share = vec / vec.sum()
            strength = min(1.0, vec.max())  # a stem seen only in descriptions/examples counts less
            if (vec > 0).sum() > 1:
                strength *= shared_penalty
            self.weights[token] = share * strength
        self.phrases: list[tuple[str, int]] = []
        for j, kws in enumerate(keywords):
            for kw in kws:
                toks = stems(kw)
                if len(toks) > 1:
                    self.phrases.append((" " + " ".join(toks) + " ", j))
        self.phrase_bonus = phrase_bonus

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """An (n_texts, n_stages) array of keyword evidence, 0 where nothing matched."""
        session = current_session()
        if session is not None and session.takes(len(texts)):  # partitions on a Dask cluster
            from ..distributed.stage_partitions import keyword_scores_on_cluster

            return keyword_scores_on_cluster(session, self, list(texts))
        out = np.zeros((len(texts), self.n_stages))
        for i, text in enumerate(texts):
            toks = stems(text)
            for token in set(toks):
                weights = self.weights.get(token)
                if weights is not None:
                    out[i] += weights
            if self.phrases and len(toks) > 1:
                joined = " " + " ".join(toks) + " "
                for phrase, j in self.phrases:
                    if phrase in joined:
                        out[i, j] += self.phrase_bonus
        return out
