"""Clause-length name candidates: what customers said happened, as short verbatim spans.

Noun chunks ("promo code") and a verb with its object ("found you on Instagram") are collected
by `naming.extract_phrases`. This module adds the clause-sized spans a researcher would write as
a theme name: a verb with its subject, its object or complement, and one prepositional phrase
("promo code was rejected at checkout", "arrived after the promised date", "size information is
missing", "loyalty points are confusing"), and a noun with its prepositional phrase ("cost of
delivery"). Each is a contiguous span of the text; only intensifiers ("really", "so") may be left
out of the middle. A verb cut off from the object it needs ("tracking link says") is never a
candidate, nor is anything `naming` refuses (one-off details, people's names, vague words).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Children that start a new thought: never inside a short name.
_DROP = frozenset("""advcl ccomp conj cc punct mark parataxis relcl intj discourse dep meta appos
npadvmod expl csubj preconj predet nmod acl""".split())
# Children that hold a noun chunk (or a preposition's object) together.
_CHUNK = frozenset("det poss compound amod nummod neg case prt aux".split())
_OBJECTS = frozenset("dobj attr acomp xcomp oprd dative".split())
_NEEDS = _OBJECTS | {"ccomp"}
# Leading words that only compare or count ("other robots", "more data sets").
VAGUE_MODIFIERS = frozenset("other more many same such several various certain whole different".split())
INTENSIFIERS = frozenset("""really very so quite super pretty extremely too just actually totally
completely absolutely fairly rather incredibly literally""".split())


def _subtree(tok: Any) -> set[int]:
    out = {tok.i}
    for child in tok.children:
        if child.dep_ not in _DROP:
            out |= _subtree(child)
    return out


def _shallow(tok: Any) -> set[int]:
    """The word with the modifiers of its noun chunk (a preposition: with its object's chunk)."""
    out = {tok.i}
    for child in tok.children:
        if child.dep_ in _CHUNK or (child.dep_ == "pobj" and tok.dep_ in ("prep", "agent")):
            out |= _shallow(child)
    return out


def _droppable(tok: Any) -> bool:
    return tok.dep_ == "advmod" and tok.lower_ in INTENSIFIERS


def _contiguous(doc: Any, idx: set[int]) -> list[Any] | None:
    """The tokens `idx` as a span read as said, intensifiers aside; None when there is a gap."""
    idx = {i for i in idx if not _droppable(doc[i])}
    if not idx:
        return None
    lo, hi = min(idx), max(idx)
    if any(i not in idx and not _droppable(doc[i]) for i in range(lo, hi + 1)):
        return None
    return [doc[i] for i in range(lo, hi + 1) if i in idx]


def _trim(span: list[Any], negations: frozenset[str]) -> list[Any]:
    """Leading function words and sentence adverbs off ("honestly the ..."), trailing function
    words off; auxiliaries stay when they carry a negation ("didn't arrive")."""
    def lead_light(tok: Any, nxt: Any) -> bool:
        if tok.pos_ in ("DET", "PRON", "PUNCT", "CCONJ", "SCONJ", "INTJ", "ADP") or tok.dep_ == "poss":
            return True
        if tok.text.startswith("'"):
            return True
        return (tok.pos_ in ("AUX", "PART", "ADV") and tok.lower_ not in negations
                and not (nxt is not None and nxt.lower_ in negations))

    while span and (lead_light(span[0], span[1] if len(span) > 1 else None)
                    or (span[0].lower_ in VAGUE_MODIFIERS and len(span) > 2)):
        span = span[1:]
    while span and (span[-1].pos_ in ("PUNCT", "CCONJ", "ADP", "DET", "AUX", "SCONJ", "PART")
                    and span[-1].lower_ not in negations and span[-1].dep_ != "prt"):
        span = span[:-1]
    if span and span[-1].pos_ == "PRON":
        return []  # "worth it", "clicked it": without its pronoun the phrase is cut off
    return span


def wh_outside(head: Any, span: list[Any]) -> bool:
    """True when the clause of `head` asks a question whose wh-word the span leaves out
    ("what are points even worth" → "points even worth" is cut off)."""
    inside = {t.i for t in span}
    return any(t.tag_ in ("WP", "WDT", "WP$") and t.i not in inside for t in head.subtree)


def clause_spans(doc: Any, ok: Callable[[list[Any]], bool], surface: Callable[[list[Any]], str],
                 light_verbs: frozenset[str], negations: frozenset[str], max_words: int) -> list[str]:
    """Clause-sized candidates of one parsed text (verbatim, 2 to `max_words` words).

    `ok` refuses a span (one-off details, names, vague words) and `surface` writes it, both from
    `naming`, so every candidate obeys the same rules as a noun chunk."""
    out: list[str] = []

    def keep(span: list[Any] | None, head: Any = None) -> None:
        if span is None:
            return
        span = _trim(span, negations)
        if head is not None and wh_outside(head, span):
            return
        n = sum(not (t.text.startswith("'") or t.lower_ == "n't") for t in span)
        if 2 <= n <= max_words and ok(span):
            out.append(surface(span))

    for tok in doc:
        is_verb = tok.pos_ == "VERB"
        is_copula = tok.pos_ == "AUX" and tok.lemma_ == "be" and tok.dep_ in ("ROOT", "conj", "ccomp", "advcl")
        if not (is_verb or is_copula):
            continue
        kids = list(tok.children)
        # The small parser sometimes hangs the subject on the auxiliary ("information is missing").
        kids += [g for c in list(kids) if c.dep_ in ("aux", "auxpass") for g in c.children]
        objects = [c for c in kids if c.dep_ in _OBJECTS]
        if is_verb and tok.lemma_.lower() in light_verbs and not any(c.dep_ in ("prt", "acomp") for c in kids):
            continue  # "have exclusive time", "make another password": the light verb says little
        core = {tok.i} | {c.i for c in kids if c.dep_ in ("neg", "prt", "aux", "auxpass")
                          or (c.dep_ == "advmod" and c.i < tok.i)}
        needs = any(c.dep_ in _NEEDS for c in tok.children)
        preps = [c for c in kids if c.dep_ in ("prep", "agent") and c.i > tok.i][:2]
        subjects = [c for c in kids if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ in ("NOUN", "PROPN")][:1]
        obj_sets: list[set[int]] = [set()]
        for c in objects[:2]:
            obj_sets += [_subtree(c), _shallow(c)]
        # "found you on Instagram": an object pronoun stays when a preposition follows it.
        obj_sets += [{c.i} for c in kids if c.dep_ in ("dobj", "dative") and c.pos_ == "PRON"]
        prep_sets: list[set[int]] = [set()]
        for c in preps:
            prep_sets += [_subtree(c), _shallow(c)]
        subj_sets: list[set[int]] = [set()] + [s for c in subjects for s in (_subtree(c), _shallow(c))]
        for obj in obj_sets:
            if is_copula and not obj:
                continue  # "delivery is": nothing said yet
            for prep in prep_sets:
                for subj in subj_sets:
                    span = _contiguous(doc, core | obj | prep | subj)
                    if span is not None and needs and not obj:
                        trimmed = _trim(span, negations)
                        if trimmed and trimmed[-1].i == tok.i:
                            continue  # "tracking link says": the verb is cut off from what it needs
                    keep(span, tok)
    try:
        chunks = list(doc.noun_chunks)
    except (ValueError, AttributeError):  # no parser
        chunks = []
    for chunk in chunks:
        for prep in chunk.root.children:
            if prep.dep_ == "prep" and prep.i > chunk.root.i:  # "cost of delivery"
                keep(_contiguous(doc, set(range(chunk.start, chunk.end)) | _subtree(prep)))
    return list(dict.fromkeys(out))
