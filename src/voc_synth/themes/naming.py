"""Theme names a researcher would write, chosen by a config string (`themes.namer`).

`extractive` (the default: offline, deterministic) names a theme with a phrase its customers
actually said: spaCy noun chunks ("late delivery", "promo code"), verb phrases ("tracking
stopped updating", "found you on Instagram") and clause-sized spans ("promo code was rejected
at checkout", `candidates.py`) said by at least two of the theme's most central segments are
the candidates. The name is the candidate (or two short ones joined) whose embedding sits
closest to the theme's centroid and not to another theme's (`meaning_score`, KeyBERT-like);
without an embedder, candidates rank by how many segments say them and how distinctive they are.
A name is 2-6 words; a phrase holding a weekday, month, colour, number, a redaction
placeholder ("[NAME]") or a proper name of a person is never used.

`openai-compatible:URL` (with `themes.namer_model`) asks a local OpenAI-compatible server
(Ollama, llama.cpp's server, LM Studio, vLLM) for a name, grounded in the theme's quotes,
keywords and extractive phrases, at temperature 0. Each answer is checked (length, no names,
every content word found in the theme's own text) and replaced by the extractive name when a
check fails or the server cannot be reached. Answers are cached on disk by prompt, so a re-run
asks nothing again. Nothing leaves the machine unless the user configures such a URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from .candidates import VAGUE_MODIFIERS, clause_spans, wh_outside

MIN_WORDS = 2
MAX_WORDS = 6
MAX_CANDIDATES = 60  # phrases said most often per theme that are weighed as names
PARSE_PER_THEME = 30  # central segments parsed per theme: phrases said there, counted everywhere
MAX_CHARS_PARSED = 400

WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday weekend".split())
MONTHS = frozenset("""january february march april may june july august september october november
december jan feb mar apr jun jul aug sep sept oct nov dec""".split()) - {"may"}
COLOURS = frozenset("""red orange yellow green blue purple pink brown black white grey gray beige
navy teal turquoise cream gold silver maroon burgundy olive lilac violet mustard terracotta sage
charcoal ivory taupe khaki coral mint lavender yellowish greenish bluish reddish""".split())
TIME_WORDS = frozenset("""yesterday today tomorrow tonight morning afternoon evening night
christmas easter birthday anniversary minute minutes hour hours day days week weeks month months
year years second seconds""".split())
NUMBER_WORDS = frozenset("""one two three four five six seven eight nine ten eleven twelve twenty thirty
forty fifty hundred thousand first second third fourth fifth half dozen couple""".split())
# Heads too vague to name a theme on their own.
VAGUE = frozenset("""thing things lot lots way ways something anything everything nothing time
times bit kind sort stuff one ones people person guy guys question questions answer yeah okay ok
part point case fact idea example sense end start reason yes no use""".split())
LIGHT_VERBS = frozenset("""be have do get go think know say mean guess want see let feel tell
try come look seem sound like take make put give keep""".split())
LIGHT_WORDS = frozenset("""a an the my your our his her their its this that these those some any
i me we us you he him she they them it""".split())
NEGATIONS = frozenset({"not", "n't", "never", "no"})
_WORD_RE = re.compile(r"[a-z0-9]+")
_PLACEHOLDER_RE = re.compile(r"\[[A-Za-z_ -]+\]")


def _stem(word: str) -> str:
    # Just enough folding for "stops" ~ "stopped" ~ "stopping", "update" ~ "updated".
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def stem_key(text: str) -> tuple[str, ...]:
    """The words of `text`, folded ("refunds" ~ "refund"), articles and pronouns left out."""
    return tuple(_stem(w) for w in _WORD_RE.findall(text.lower()) if w not in LIGHT_WORDS)


def _padded(text: str) -> str:
    return f" {' '.join(stem_key(text))} "


def is_one_off(text: str) -> bool:
    """A weekday, month, colour, number, date word or redaction placeholder: a detail of one
    story, never a theme's name."""
    if _PLACEHOLDER_RE.search(text) or "[" in text or "]" in text or any(ch.isdigit() for ch in text):
        return True
    words = set(_WORD_RE.findall(text.lower()))
    words |= {w[:-1] for w in words if w.endswith("s") and len(w) > 3}  # "blues", "reds"
    return bool(words & (WEEKDAYS | MONTHS | COLOURS | TIME_WORDS | NUMBER_WORDS))


@dataclass
class Phrase:
    """A candidate name: what was said, how often, where."""

    text: str
    key: tuple[str, ...]
    support: float = 0.0  # share of the theme's segments that say it
    outside: float = 0.0  # share of the other segments that say it
    centrality: float = 0.0  # cosine to the theme centroid
    elsewhere: float = 0.0  # highest cosine to another theme's centroid
    score: float = 0.0
    kind: str = "noun"  # "verb" for a verb phrase: it says what happens, not only what about

    @property
    def n_words(self) -> int:
        return len(self.text.split())


@dataclass
class ThemeName:
    """A theme's name and the ranked phrases it was chosen from (also used for group names)."""

    label: str
    phrases: list[Phrase] = field(default_factory=list)
    source: str = "extractive"


# --- phrase extraction -------------------------------------------------------------------

def _surface(tokens: list[Any]) -> str:
    parts = []
    shouting = sum(t.text.isupper() and len(t.text) > 1 for t in tokens) > 1
    for tok in tokens:
        keep = tok.pos_ == "PROPN" or (tok.text.isupper() and len(tok.text) > 1 and not shouting)
        word = tok.text if keep else tok.text.lower()
        parts.append(word + tok.whitespace_)
    return "".join(parts).strip()


def _trim(tokens: list[Any]) -> list[Any]:
    """Leading articles, possessives, pronouns, sentence adverbs ("honestly the easiest return")
    and counting words ("other robots") off; trailing punctuation off. A phrase whose negation
    would be cut off is dropped whole ("wouldn't hesitate" never becomes "hesitate")."""
    while tokens and (tokens[0].pos_ in ("DET", "PRON", "PUNCT", "CCONJ", "ADP", "AUX", "PART", "SCONJ")
                      or tokens[0].dep_ == "poss" or tokens[0].lower_ in LIGHT_WORDS or tokens[0].text.startswith("'")
                      # a sentence adverb before the article ("honestly the ..."), not "too many"
                      or (tokens[0].pos_ == "ADV" and len(tokens) > 1
                          and (tokens[1].pos_ in ("DET", "PRON") or tokens[1].dep_ == "poss"))
                      or (tokens[0].lower_ in VAGUE_MODIFIERS and len(tokens) > 1)):
        if tokens[0].lower_ in NEGATIONS or tokens[0].lower_ in ("n't", "nt"):
            return []
        tokens = tokens[1:]
    while tokens and (tokens[-1].pos_ in ("PUNCT", "CCONJ", "ADP", "DET", "AUX", "SCONJ")
                      or tokens[-1].lower_ in LIGHT_WORDS):
        tokens = tokens[:-1]
    return tokens


def _chunk_of(token: Any, chunks: dict[int, Any]) -> list[Any]:
    span = chunks.get(token.i)
    return list(span) if span is not None else [token]


def _ok(tokens: list[Any]) -> bool:
    if not tokens or sum(not (t.text.startswith("'") or t.lower_ == "n't") for t in tokens) > MAX_WORDS:
        return False
    text = "".join(t.text_with_ws for t in tokens)
    if is_one_off(text) or any(t.ent_type_ == "PERSON" for t in tokens):
        return False
    content = [t for t in tokens if t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB") and not t.is_stop and len(t.text) > 1]
    if any(len(t.text) == 1 and t.is_alpha and t.lower_ not in ("a", "i") for t in tokens):
        return False  # "C and B": labels of one story's options
    if not content:
        return False
    if all(t.lemma_.lower() in VAGUE or t.lemma_.lower() in LIGHT_VERBS for t in content):
        return False
    return True


def _ok_clause(tokens: list[Any]) -> bool:
    return _ok(tokens) and tokens[-1].lemma_.lower() not in VAGUE


def phrases_of_doc(doc: Any) -> list[str]:
    """Noun chunks and verb phrases said in one parsed text, as contiguous verbatim spans."""
    return [text for text, _ in extract_phrases(doc)]


def _trim_verb_phrase(span: list[Any]) -> list[Any]:
    """A verb phrase keeps its auxiliaries and negation ("didn't work"); only a leading article
    or possessive and trailing function words go."""
    while span and (span[0].pos_ in ("DET", "PRON") or span[0].dep_ == "poss" or span[0].text.startswith("'")
                    or (span[0].pos_ in ("AUX", "PART") and span[0].lower_ not in NEGATIONS
                        and not (len(span) > 1 and span[1].lower_ in NEGATIONS))):
        span = span[1:]
    while span and (span[-1].pos_ in ("PUNCT", "CCONJ", "ADP", "DET", "AUX", "SCONJ", "PART")
                    and span[-1].lower_ not in NEGATIONS and span[-1].dep_ != "prt"):
        span = span[:-1]
    return span


def extract_phrases(doc: Any) -> list[tuple[str, str]]:
    """(text, "noun" | "verb") for every noun chunk, verb phrase and clause-sized span
    (`candidates.clause_spans`) of one parsed text."""
    out: list[tuple[str, str]] = []
    chunks: dict[int, Any] = {}
    try:
        noun_chunks = list(doc.noun_chunks)
    except (ValueError, AttributeError):  # no parser: nothing to extract
        return out
    for chunk in noun_chunks:
        chunks[chunk.root.i] = chunk
        tokens = _trim(list(chunk))
        if tokens and tokens[-1].lemma_.lower() not in VAGUE and _ok(tokens):
            out.append((_surface(tokens), "noun"))
    for tok in doc:
        is_verb = tok.pos_ == "VERB"
        is_copula = tok.pos_ == "AUX" and tok.lemma_ == "be" and tok.dep_ in ("ROOT", "conj", "ccomp")
        if not (is_verb or is_copula):
            continue
        if is_verb and tok.lemma_.lower() in LIGHT_VERBS and not any(c.dep_ in ("prt", "acomp") for c in tok.children):
            continue
        kids = list(tok.children)
        picked = [tok]
        picked += [c for c in kids if c.dep_ in ("neg", "prt")]
        if any(c.dep_ == "neg" for c in kids):  # "did n't work", "was n't helpful"
            picked += [c for c in kids if c.dep_ in ("aux", "auxpass") and c.i < tok.i]
        subject = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ in ("NOUN", "PROPN")), None)
        if subject is not None:
            picked += _trim(_chunk_of(subject, chunks))
        complement = next((c for c in kids if c.dep_ in ("dobj", "acomp", "attr", "xcomp", "oprd")), None)
        if complement is not None:
            picked += _trim(_chunk_of(complement, chunks)) if complement.pos_ in ("NOUN", "PROPN") else [complement]
            picked += [c for c in complement.children if c.dep_ in ("prt", "neg")]
        if complement is None or complement.pos_ == "PRON":  # "found you on Instagram"
            if complement is not None:
                picked.append(complement)
            prep = next((c for c in kids if c.dep_ in ("prep", "agent") and c.i > tok.i), None)
            pobj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
            if pobj is not None:
                picked += [prep, *_trim(_chunk_of(pobj, chunks))]
        if is_copula and complement is None:
            continue
        if picked[-1].pos_ == "PRON" and picked[-1].i > tok.i:  # "clicked it": says nothing
            continue
        if len(picked) < 2:
            continue
        lo, hi = min(t.i for t in picked), max(t.i for t in picked)
        span = list(doc[lo: hi + 1])
        chosen = {t.i for t in picked}
        # Verbatim and tight: anything between the chosen words must be light (articles,
        # auxiliaries, possessives), so the phrase reads as said.
        if any(t.i not in chosen and not (t.pos_ in ("DET", "AUX", "PART", "PRON") or t.dep_ == "poss")
               for t in span):
            continue
        span = _trim_verb_phrase(span)
        if len(span) >= 2 and _ok(span) and not wh_outside(tok, span):
            out.append((_surface(span), "verb"))
    have = {text for text, _ in out}
    # A clause ending on a vague head ("was a famous guy") is refused like such a noun chunk.
    out += [(text, "verb") for text in clause_spans(doc, _ok_clause, _surface, LIGHT_VERBS, NEGATIONS, MAX_WORDS)
            if text not in have]
    return out


# --- ranking -----------------------------------------------------------------------------

def _load_nlp() -> Any:
    from ..models import load_spacy

    return load_spacy()


def _central_order(unit: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    vectors = unit[members]
    centroid = vectors.mean(axis=0)
    centroid = centroid / (np.linalg.norm(centroid) or 1.0)
    return members[np.argsort(-(vectors @ centroid), kind="stable")], centroid


def rank_phrases(docs: list[str], topics: np.ndarray, theme_ids: list[int], unit: np.ndarray,
                 embedder: Any = None, nlp: Any = None,
                 keywords: list[list[str]] | None = None) -> tuple[list[list[Phrase]], list[np.ndarray]]:
    """Per theme, the phrases its central segments say (best name first), and its centroid.

    The theme's keyphrases (`keywords`) join the candidates when they occur verbatim."""
    nlp = nlp if nlp is not None else _load_nlp()
    order: list[np.ndarray] = []
    centroids: list[np.ndarray] = []
    to_parse: list[str] = []
    owner: list[int] = []
    for k, t in enumerate(theme_ids):
        members = np.flatnonzero(topics == t)
        ranked, centroid = _central_order(unit, members) if len(members) else (members, np.zeros(unit.shape[1]))
        order.append(ranked)
        centroids.append(centroid)
        for i in ranked[:PARSE_PER_THEME]:
            to_parse.append(docs[int(i)][:MAX_CHARS_PARSED])
            owner.append(k)
    said: list[Counter[tuple[str, ...]]] = [Counter() for _ in theme_ids]
    verbal: set[tuple[str, ...]] = set()
    surfaces: dict[tuple[str, ...], Counter[str]] = {}
    # The entity recogniser stays on: `_ok` refuses a phrase holding a person's name, which a
    # redaction list can miss ("thanks to Priya on the phone"), and it only knows one from NER.
    for k, doc in zip(owner, nlp.pipe(to_parse, batch_size=64), strict=True):
        seen: set[tuple[str, ...]] = set()
        for text, kind in extract_phrases(doc):
            key = stem_key(text)
            if not key or key in seen or len(set(key)) < len(key):
                continue
            seen.add(key)
            said[k][key] += 1
            surfaces.setdefault(key, Counter())[text] += 1
            if kind == "verb":
                verbal.add(key)
    padded = [_padded(d) for d in docs]
    # Which texts hold each word: a phrase is looked for only where all its words occur.
    postings: dict[str, list[int]] = {}
    for i, p in enumerate(padded):
        for word in set(p.split()):
            postings.setdefault(word, []).append(i)
    themed = topics >= 0
    results: list[list[Phrase]] = []
    for k, t in enumerate(theme_ids):
        n_parsed = min(len(order[k]), PARSE_PER_THEME)
        floor = 2 if n_parsed >= 6 else 1
        keys = [key for key, c in said[k].most_common() if c >= floor][:MAX_CANDIDATES]
        for word in (keywords[k] if keywords else [])[:10]:
            key = stem_key(word)
            if key and key not in keys and key in surfaces and not is_one_off(word) and 1 <= len(key) <= 4:
                keys.append(key)
        members = topics == t
        n_in = max(1, int(members.sum()))
        n_out = max(1, int((themed & ~members).sum()))
        phrases = []
        for key in keys:
            needle = f" {' '.join(key)} "
            rarest = min(key, key=lambda w: len(postings.get(w, ())))
            hits = np.zeros(len(padded), dtype=bool)
            for i in postings.get(rarest, ()):
                hits[i] = needle in padded[i]
            text = max(surfaces[key].items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))[0]
            phrases.append(Phrase(text=text, key=key, support=float((hits & members).sum()) / n_in,
                                  outside=float((hits & themed & ~members).sum()) / n_out,
                                  kind="verb" if key in verbal else "noun"))
        embedded = False
        if embedder is not None and phrases:
            try:
                vectors = np.asarray(embedder.embed([p.text for p in phrases]), dtype=np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-9)
                sims = vectors @ np.asarray(centroids).T
                for p, row in zip(phrases, sims, strict=True):
                    p.centrality = float(row[k])
                    p.elsewhere = float(np.delete(row, k).max()) if len(row) > 1 else 0.0
                embedded = True
            except Exception:  # noqa: BLE001 - names still rank on counts alone
                pass
        for p in phrases:
            length = 0.55 if p.n_words == 1 else 1.0 if p.n_words <= 4 else 0.9
            if embedded:
                # KeyBERT-like: close in meaning to this theme, not to the others.
                p.score = max(0.01, meaning_score(p.centrality, p.elsewhere)) * length
            else:
                distinct = p.support / (p.support + p.outside + 1e-9)
                p.score = float(np.sqrt(p.support) * distinct * length)
        # A longer phrase that holds a shorter one and is said nearly as often says more
        # ("tracking stopped updating" over "stopped updating"): it takes the shorter one's rank.
        # (Embeddings already see that; counts alone do not.)
        for p in phrases if not embedded else []:
            for q in phrases:
                if (len(q.key) > len(p.key) and q.n_words <= 5 and q.support >= 0.6 * p.support
                        and f" {' '.join(p.key)} " in f" {' '.join(q.key)} "):
                    q.score = max(q.score, p.score * 1.01)
        phrases.sort(key=lambda p: (-p.score, p.text))
        phrases = [p for p in phrases if p.support > 0]
        results.append(phrases)
    return results, centroids


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _same_words(a: Phrase, b: Phrase) -> bool:
    """Two phrases sharing a word, "queries" ~ "query" included: never joined into one name."""
    def folded(key: tuple[str, ...]) -> set[str]:
        return {w[:-1] + "y" if w.endswith("i") else w for w in key}

    return bool(folded(a.key) & folded(b.key))


def _joined(a: Phrase, b: Phrase) -> str:
    return f"{a.text} and {b.text}" if a.n_words <= 2 and b.n_words <= 2 else f"{a.text}, {b.text}"


CONTRAST = 0.25  # weight of the closeness to the nearest other theme, against this theme's
PAIR_SHAPE = 0.8  # weight of a name joining two phrases against a single phrase
PAIR_PART_WORDS = 3  # a joined name's parts are short ("delivery fee and hidden costs")


def meaning_score(centrality: float, elsewhere: float) -> float:
    """How well a name's meaning fits its theme: cosine to the theme's centroid, less a quarter
    of its cosine to the nearest other theme (so "delivery" loses to "delivery fee" when several
    themes are about delivery). One coarse weight, not fitted per corpus."""
    return float(centrality - CONTRAST * elsewhere)


def choose_label(phrases: list[Phrase], centroid: np.ndarray, embedder: Any = None, pool: int = 10,
                 pairs_from: int = 6, others: np.ndarray | None = None) -> str:
    """The name that sits closest in meaning to the whole theme: one of its best phrases, or two
    of them joined ("promo code and discount"), within 2-6 words. Each option is scored by
    `meaning_score`: its embedding's cosine to the theme centroid, less its closeness to the
    nearest of the `others` (the other themes' centroids); a joined pair weighs a little less
    than a single phrase. Only phrases said by at least two of the theme's central segments are
    candidates (`rank_phrases`). Without an embedder: `compose_label`."""
    if embedder is None or not phrases:
        return compose_label(phrases)
    top = [p for p in phrases[:pool] if p.n_words <= MAX_WORDS]
    if not any(p.n_words >= MIN_WORDS for p in top):
        top += [p for p in phrases[pool:] if MIN_WORDS <= p.n_words <= MAX_WORDS][:3]
    options: list[tuple[str, list[Phrase]]] = [(p.text, [p]) for p in top]
    for i, a in enumerate(top[:pairs_from]):
        for b in top[i + 1: pairs_from]:
            if _same_words(a, b) or max(a.n_words, b.n_words) > PAIR_PART_WORDS \
                    or a.n_words + b.n_words > PAIR_PART_WORDS + 2:
                continue  # "IEEE History Center, quoted for publication" reads as a list
            if min(a.n_words, b.n_words) == 1 and max(a.n_words, b.n_words) > 2:
                continue  # "shop, recommended you to my sister" reads as a list, not a name
            options.append((_joined(a, b), [a, b]))
    try:
        vectors = np.asarray(embedder.embed([text for text, _ in options]), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-9)
    except Exception:  # noqa: BLE001 - fall back to the count-based choice
        return compose_label(phrases)
    elsewhere = np.zeros(len(options))
    if others is not None and len(others):
        elsewhere = (vectors @ np.asarray(others, dtype=np.float32).T).max(axis=1)
    best: tuple[float, str] | None = None
    for (text, parts), sim, near in zip(options, vectors @ centroid, elsewhere, strict=True):
        n_words = len(text.split())
        # A one-word name is a last resort (names are 2-6 words).
        shape = 0.3 if n_words < MIN_WORDS else PAIR_SHAPE if len(parts) > 1 else 1.0
        score = max(0.01, meaning_score(float(sim), float(near))) * shape
        if best is None or score > best[0]:
            best = (score, text)
    return _capital(best[1]) if best else compose_label(phrases)


def compose_label(phrases: list[Phrase]) -> str:
    """2-6 words: the best phrase, joined by a second when it alone is one word."""
    if not phrases:
        return ""
    best = phrases[0]
    if best.n_words >= MIN_WORDS:
        return _capital(best.text)
    for other in phrases[1:6]:
        if set(other.key) & set(best.key):
            if other.n_words <= MAX_WORDS:
                return _capital(other.text) if other.n_words >= MIN_WORDS else _capital(best.text)
            continue
        if best.n_words + other.n_words + 1 <= MAX_WORDS:
            return _capital(f"{best.text} and {other.text}")
    return _capital(best.text)


def unique_names(names: list[ThemeName]) -> list[str]:
    """Labels made distinct: a repeated label takes the theme's next phrase that is free."""
    labels = [n.label for n in names]
    used = Counter(labels)
    keep: dict[str, int] = {}  # label -> the theme that keeps it: a codebook theme, else the first
    for i, name in enumerate(names):
        if labels[i] not in keep or (name.source == "codebook" and names[keep[labels[i]]].source != "codebook"):
            keep[labels[i]] = i
    for i, name in enumerate(names):
        if used[labels[i]] < 2 or keep.get(labels[i]) == i or name.source == "codebook":
            continue
        for p in name.phrases[1:8]:
            candidate = compose_label([p, *name.phrases])
            if candidate and candidate not in used:
                used[labels[i]] -= 1
                labels[i] = candidate
                used[candidate] += 1
                break
        else:
            n = 2
            while f"{labels[i]} ({n})" in used:
                n += 1
            used[labels[i]] -= 1
            labels[i] = f"{labels[i]} ({n})"
            used[labels[i]] += 1
    return labels


# --- namers ------------------------------------------------------------------------------

class ExtractiveNamer:
    """Names from verbatim phrases (offline, deterministic)."""

    name = "extractive"

    def __init__(self, nlp: Any = None) -> None:
        self.nlp = nlp

    def name_themes(self, docs: list[str], topics: np.ndarray, theme_ids: list[int], unit: np.ndarray,
                    keywords: list[list[str]], embedder: Any = None,
                    warnings: list[str] | None = None) -> list[ThemeName]:
        ranked, centroids = rank_phrases(docs, topics, theme_ids, unit, embedder, self.nlp, keywords)
        stacked = np.asarray(centroids, dtype=np.float32).reshape(len(centroids), unit.shape[1])
        out = []
        for k, (phrases, words, centroid) in enumerate(zip(ranked, keywords, centroids, strict=True)):
            label = choose_label(phrases, centroid, embedder, others=np.delete(stacked, k, axis=0))
            if not label:  # nothing said twice: fall back to the keyphrases
                from .labels import label_from_keywords

                label = label_from_keywords([w for w in words if not is_one_off(w)][:2] or words[:2])
            out.append(ThemeName(label=label, phrases=phrases))
        return out


SYSTEM_PROMPT = (
    "You name themes in customer research. Reply with the theme name only: 2 to 6 plain words, "
    "using the customers' own words from the quotes, no quotation marks, no people's names, no "
    "dates, no final full stop. Describe what customers experience, e.g. 'Tracking stops "
    "updating after dispatch'."
)


def build_prompt(quotes: list[str], keywords: list[str], phrases: list[str]) -> str:
    lines = ["Keywords: " + ", ".join(keywords[:10]), "Phrases customers used: " + "; ".join(phrases[:8]),
             "Quotes:"]
    lines += [f"- {q[:300]}" for q in quotes]
    lines.append("Theme name:")
    return "\n".join(lines)


def check_name(name: str, theme_text: str) -> str | None:
    """Why an LLM's name is refused (None when it passes): length, names, unsupported words."""
    words = name.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return f"{len(words)} words"
    if is_one_off(name) and not (set(_WORD_RE.findall(name.lower())) <= (TIME_WORDS | COLOURS)
                                 and set(stem_key(name)) <= set(stem_key(theme_text))):
        return "a date, number or placeholder"
    supported = set(stem_key(theme_text))
    from .params import stop_words

    stops = set(stop_words())
    for i, word in enumerate(words):
        bare = re.sub(r"[^\w'-]", "", word)
        if i > 0 and bare[:1].isupper() and bare.lower() not in theme_text.lower():
            return f"a name not in the quotes ({bare})"
    content = [w for w in _WORD_RE.findall(name.lower()) if w not in stops and w not in LIGHT_WORDS]
    missing = [w for w in content if _stem(w) not in supported]
    if missing:
        return "words not in the theme's text: " + ", ".join(missing)
    return None


def _clean_answer(text: str) -> str:
    text = re.sub(r"<think>.*?</think>", "", text, flags=re.DOTALL).strip()
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    line = re.sub(r"^(theme name|name|label)\s*:\s*", "", line.strip(), flags=re.IGNORECASE)
    return line.strip().strip("\"'“”‘’*`").rstrip(".").strip()


def default_namer_cache() -> Path:
    from ..embedding_cache import default_cache_dir

    return default_cache_dir().parent / "names"


class OpenAICompatibleNamer:
    """Names from a local OpenAI-compatible chat server, checked and cached; extractive fallback."""

    name = "openai-compatible"

    def __init__(self, url: str, model: str, timeout: float = 60.0, cache_dir: Path | None = None,
                 n_quotes: int = 8, nlp: Any = None) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.cache_dir = Path(cache_dir) if cache_dir else default_namer_cache()
        self.n_quotes = n_quotes
        self.fallback = ExtractiveNamer(nlp)
        self.refused: list[str] = []

    def _endpoint(self) -> str:
        return self.url if self.url.endswith("/chat/completions") else f"{self.url}/chat/completions"

    def ask(self, prompt: str) -> str:
        body = {"model": self.model, "temperature": 0, "seed": 0, "max_tokens": 24,
                "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]}
        digest = hashlib.sha256(json.dumps([self._endpoint(), body], sort_keys=True).encode()).hexdigest()
        path = self.cache_dir / f"{digest}.json"
        if path.is_file():
            try:
                return str(json.loads(path.read_text(encoding="utf-8"))["answer"])
            except (OSError, ValueError, KeyError):
                pass
        headers = {"Content-Type": "application/json"}
        key = os.environ.get("VOC_SYNTH_NAMER_API_KEY")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(self._endpoint(), data=json.dumps(body).encode("utf-8"),
                                         headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - user's URL
            data = json.loads(response.read().decode("utf-8"))
        answer = str(data["choices"][0]["message"]["content"])
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"model": self.model, "answer": answer}), encoding="utf-8")
        except OSError:
            pass
        return answer

    def name_themes(self, docs: list[str], topics: np.ndarray, theme_ids: list[int], unit: np.ndarray,
                    keywords: list[list[str]], embedder: Any = None,
                    warnings: list[str] | None = None) -> list[ThemeName]:
        base = self.fallback.name_themes(docs, topics, theme_ids, unit, keywords, embedder, warnings)
        out = []
        failures: list[str] = []
        for k, t in enumerate(theme_ids):
            members = np.flatnonzero(topics == t)
            ranked, _ = _central_order(unit, members) if len(members) else (members, None)
            quotes = [docs[int(i)] for i in ranked[: self.n_quotes]]
            prompt = build_prompt(quotes, keywords[k], [p.text for p in base[k].phrases])
            try:
                answer = _clean_answer(self.ask(prompt))
            except (OSError, ValueError, KeyError, IndexError, TypeError, urllib.error.URLError) as err:
                failures.append(f"theme {t}: {err}")
                out.append(base[k])
                continue
            why = check_name(answer, " ".join(docs[int(i)] for i in members) + " " + " ".join(keywords[k]))
            if why:
                self.refused.append(f"theme {t}: “{answer}” ({why})")
                out.append(base[k])
            else:
                out.append(ThemeName(label=_capital(answer), phrases=base[k].phrases, source=self.name))
        if warnings is not None and failures:
            warnings.append(f"The namer at {self.url} failed for {len(failures)} theme(s) ({failures[0]}); "
                            "those themes keep their extractive names.")
        if warnings is not None and self.refused:
            warnings.append(f"{len(self.refused)} name(s) from {self.url} failed the checks and were replaced "
                            f"by extractive names (first: {self.refused[0]}).")
        return out


def make_namer(spec: str = "extractive", model: str | None = None, timeout: float = 60.0,
               cache_dir: Path | None = None) -> ExtractiveNamer | OpenAICompatibleNamer:
    """The namer a config string asks for: `extractive` or `openai-compatible:URL`."""
    spec = (spec or "extractive").strip()
    if spec == "extractive":
        return ExtractiveNamer()
    prefix = "openai-compatible:"
    if spec.startswith(prefix):
        url = spec[len(prefix):].strip()
        if not re.match(r"^https?://", url):
            raise ConfigError(f"themes.namer: '{url}' is not an http(s) URL (e.g. "
                              "openai-compatible:http://localhost:11434/v1).")
        if not model:
            raise ConfigError("themes.namer is an OpenAI-compatible server: set themes.namer_model "
                              "to the model it serves (e.g. llama3.1:8b).")
        return OpenAICompatibleNamer(url, model, timeout=timeout, cache_dir=cache_dir)
    raise ConfigError(f"themes.namer: unknown namer '{spec}'; use 'extractive' or "
                      "'openai-compatible:URL' (with themes.namer_model).")


# --- groups ------------------------------------------------------------------------------

def name_groups(group_ids: list[int], sizes: list[int], names: list[ThemeName], labels: list[str],
                centroids: np.ndarray | None, embedder: Any = None) -> dict[int, str]:
    """Group id → name: a one-theme group takes its theme's label; a larger one is named like a
    theme (`choose_label`) from its members' phrases — support weighted by theme size — against
    the group's size-weighted centroid."""
    out: dict[int, str] = {}
    for g in sorted(set(group_ids)):
        idx = [i for i, gid in enumerate(group_ids) if gid == g]
        if len(idx) == 1:
            out[g] = labels[idx[0]]
            continue
        total = float(sum(sizes[i] for i in idx)) or 1.0
        pooled: dict[tuple[str, ...], Phrase] = {}
        for i in idx:
            weight = sizes[i] / total
            for p in names[i].phrases[:10]:
                q = pooled.setdefault(p.key, Phrase(text=p.text, key=p.key))
                q.support += p.support * weight
                q.outside += p.outside * weight
                q.centrality = max(q.centrality, p.centrality)
        phrases = sorted(pooled.values(), key=lambda p: (-(np.sqrt(p.support) * max(0.05, p.centrality or 1.0)
                                                           * (0.55 if p.n_words == 1 else 1.0)), p.text))
        center = None
        if centroids is not None and len(centroids) > max(idx):
            center = (centroids[idx] * np.asarray([sizes[i] for i in idx], dtype=float)[:, None]).sum(axis=0)
            center = center / (np.linalg.norm(center) or 1.0)
        label = choose_label(phrases, center, embedder) if center is not None else compose_label(phrases)
        out[g] = label or labels[max(idx, key=lambda i: sizes[i])]
    return out
