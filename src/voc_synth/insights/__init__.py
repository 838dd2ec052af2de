"""Insight statements and "How might we…" opportunities, written from a theme's own verbatims.

One statement per theme says who (the people and records behind it: its prevalence), what (a
clause taken from its most central quote, put in the third person: "their parcel arrived a
week late and tracking never updated") and why it matters (its polarity at its stage, how
negative it is, and how it moves ratings). The two quotes that best support the statement are
named in `insight_quotes`. A pain point also gets one opportunity grounded in what went wrong
("the tracking never updated" → "How might we get the tracking to update?").

Both are drafts: `status` stays "draft" until a researcher validates the theme in
`review.yaml`, where `insight` and `opportunity` can be rewritten (see `voc_synth.review`).
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from ..themes.naming import LIGHT_VERBS, VAGUE, stem_key

_LIGHT_VERBS = LIGHT_VERBS | {"bother", "lie", "care", "mind"}
_NEVER_VERBS = frozenset("go bother lie care mind say think know mean want guess like".split())

INSIGHT_COLUMNS = ("insight", "opportunity", "insight_quotes")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")
MIN_CLAUSE_WORDS = 4
MAX_CLAUSE_WORDS = 22

# First person → third person, so a customer's words read as a finding about customers.
_PERSON = [
    (r"\bI'm\b", "they're"), (r"\bI am\b", "they are"), (r"\bI was\b", "they were"), (r"\bI've\b", "they've"),
    (r"\bI'd\b", "they'd"), (r"\bI'll\b", "they'll"), (r"\bI\b", "they"), (r"\bmyself\b", "themselves"),
    (r"\bmy\b", "their"), (r"\bme\b", "them"), (r"\bmine\b", "theirs"), (r"\bwe're\b", "they're"),
    (r"\bwe've\b", "they've"), (r"\bwe\b", "they"), (r"\bour\b", "their"), (r"\bus\b", "them"),
    (r"\bthey has\b", "they have"), (r"\bthey doesn't\b", "they don't"), (r"\bthey does\b", "they do"),
]
_FILLER_RE = re.compile(r"^(?:(?:so|and|but|well|um+|uh+|yeah|honestly|basically|like|oh|ok(?:ay)?|"
                        r"actually|i mean|you know)[,\s]+)+", re.IGNORECASE)
ANTONYMS = {
    "late": "on time", "slow": "faster", "confusing": "clearer", "unclear": "clearer", "expensive": "cheaper",
    "misleading": "accurate", "wrong": "right", "rude": "friendly", "unhelpful": "helpful", "hidden": "visible",
    "damaged": "intact", "broken": "working", "hard": "easier", "difficult": "easier", "complicated": "simpler",
    "useless": "useful", "poor": "better", "bad": "better", "missing": "there", "small": "bigger",
    "tiny": "bigger", "flimsy": "sturdier", "cheap": "sturdier", "annoying": "less annoying",
}
# Where "make the X <antonym>" does not read ("make the handle working"), the whole turn-round.
TURNED = {"broken": "keep the {noun} working", "damaged": "get the {noun} to customers undamaged",
          "missing": "make sure the {noun} is there"}


def third_person(text: str) -> str:
    out = text
    for pattern, repl in _PERSON:
        out = re.sub(pattern, repl, out, flags=re.IGNORECASE)
    return re.sub(r"\bthey was\b", "they were", out)


def _clause_candidates(text: str) -> list[str]:
    out = []
    # A line of a transcript is an utterance of its own: "Heat map:" read out from the task sheet
    # and the answer on the next line are not one sentence.
    sentences = [s for line in str(text).splitlines() for s in _SENTENCE_RE.split(line.strip())]
    for sentence in sentences:
        sentence = _FILLER_RE.sub("", sentence.strip()).strip().rstrip(".!?…").strip()
        if "[" in sentence or "?" in sentence or not sentence or re.search(r'\w["“”]|["“”]\s', sentence):
            continue
        if MIN_CLAUSE_WORDS <= len(sentence.split()) <= MAX_CLAUSE_WORDS:
            out.append(sentence)
    return out


_HEDGES = re.compile(r"\b(not going to lie|want to say|i mean|you know|kind of|sort of|i guess|i think)\b",
                     re.IGNORECASE)
_ANAPHORA = frozenset("it that this they he she which there".split())
_WEAK_OPENINGS = frozenset("then also already if now wait how are is do does did what why when where".split())


def _clause_score(doc: Any, words: set[str], rank: int) -> float | None:
    """How well one parsed sentence states the theme (None: it cannot stand alone)."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return None  # a fragment ("a shop I genuinely trust")
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
    if subject is None or subject.lower_ in _ANAPHORA:
        return None  # "it had gone out": about something said before
    text = doc.text
    if sum(w.isupper() and len(w) > 2 for w in text.split()) > 1 or doc[0].lower_ in _WEAK_OPENINGS \
            or doc[0].tag_ in ("WRB", "WP", "WDT") or "[" in text or "]" in text:
        return None  # shouting, a question, or hanging on what came before
    said = set(stem_key(text))
    overlap = len(words & said) / max(1, len(words))
    addressed = bool(re.search(r"\byou(r)?\b", text, re.IGNORECASE))  # talking to the interviewer
    return (overlap - 0.05 * rank - 0.01 * abs(len(text.split()) - 12) - 0.3 * bool(_HEDGES.search(text))
            - 0.25 * addressed)


def best_clause(texts: list[str], label: str, nlp: Any = None) -> tuple[str, int]:
    """The sentence (and its quote's index) that states the theme best: a whole clause with a
    subject of its own, saying most of the label's words, from the most central quotes."""
    words = set(stem_key(label))
    candidates = [(sentence, rank) for rank, text in enumerate(texts[:6]) for sentence in _clause_candidates(text)]
    if not candidates:
        return "", -1
    if nlp is None:
        sentence, rank = max(candidates, key=lambda sr: (len(words & set(stem_key(sr[0]))), -sr[1]))
        return sentence, rank
    best: tuple[float, str, int] | None = None
    for (sentence, rank), doc in zip(candidates, nlp.pipe([c for c, _ in candidates]), strict=True):
        score = _clause_score(doc, words, rank)
        if score is not None and (best is None or score > best[0]):
            best = (score, sentence, rank)
    return (best[1], best[2]) if best else ("", -1)


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower() and not text.startswith("I "):
        return text[0].lower() + text[1:]
    return text


WHO = {"interview": "Interviewees", "review": "Reviewers", "ticket": "Customers contacting support",
       "survey": "Survey respondents"}


def who_of(theme: dict[str, Any]) -> str:
    mix = theme.get("source_mix") or {}
    if isinstance(mix, dict) and len(mix) == 1:
        return WHO.get(next(iter(mix)), "Customers")
    return "Customers"


def interviewees_of(theme: dict[str, Any]) -> tuple[str, bool, str]:
    """For a theme heard only in interviews: (who, whether that is one person, how many
    mention it), as "Interviewees" … "(mentioned by 9 of 14)" or "One of 12 interviewees";
    ("", False, "") otherwise. The count is of the people who raise the theme, not of those who
    said the sentence quoted, so it follows the sentence rather than leading it ("All 12 say
    <one person's words>" would claim too much), and it is said once: "Interviewees (mentioned
    by 9 of 14 interviewees)" said it twice."""
    mix = theme.get("source_mix") or {}
    per = theme.get("prevalence") or {}
    if isinstance(per, str):  # a saved run's themes table holds it as JSON
        try:
            per = json.loads(per)
        except ValueError:
            per = {}
    counts = per.get("interview") if isinstance(per, dict) else None
    if not isinstance(mix, dict) or set(mix) != {"interview"} or not isinstance(counts, dict):
        return "", False, ""
    n, of = int(counts.get("people") or 0), int(counts.get("of_people") or 0)
    if n <= 0 or of < n:
        return "", False, ""
    if n == 1:
        return f"One of {of} interviewees", True, ""
    return "Interviewees", False, f"(mentioned by all {of})" if n == of and of > 2 else f"(mentioned by {n} of {of})"


def why_it_matters(theme: dict[str, Any], stage_name: str, overall_rating: float | None) -> str:
    polarity = str(theme.get("polarity") or "neutral")
    neg = float(theme.get("share_negative") or 0.0)
    pos = float(theme.get("share_positive") or 0.0)
    where = f"at {stage_name}" if stage_name else "in the journey"
    if polarity == "pain":
        text = f"a pain point {where}: {neg:.0%} of what they say about it is negative"
    elif polarity == "delight":
        text = f"a strength {where} worth keeping: {pos:.0%} of what they say about it is positive"
    elif polarity == "mixed":
        text = f"it splits opinion {where} ({neg:.0%} negative, {pos:.0%} positive)"
    else:
        text = f"it comes up {where} without strong feeling either way"
    rating = theme.get("mean_rating_norm")
    try:
        rating = float(rating)
    except (TypeError, ValueError):
        rating = float("nan")
    if overall_rating is not None and not np.isnan(rating) and abs(rating - overall_rating) >= 0.1:
        direction = "below" if rating < overall_rating else "above"
        text += f", and their ratings sit {abs(rating - overall_rating) * 100:.0f} points {direction} the average"
    return text


def _is_clause(label: str, nlp: Any) -> bool:
    """Whether a theme name is a whole clause with a subject ("Quality is excellent"), which
    reads wrongly after "talk about"."""
    if nlp is None or not label:
        return False
    doc = nlp(label)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or not any(c.dep_ in ("nsubj", "nsubjpass") for c in root.children):
        return False
    # A finite "be" or auxiliary ("is excellent", "was promised") or a past tense ("arrived late").
    # A bare present -s form is left out: in a short name it is as often a plural noun
    # ("Box plot colours").
    if root.tag_ == "VBD" or (root.lemma_ == "be" and root.tag_ in ("VBZ", "VBP")):
        return True
    return any(c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBZ", "VBD", "VBP", "MD") for c in root.children)


def write_statement(theme: dict[str, Any], texts: list[str], stage_name: str,
                    overall_rating: float | None, nlp: Any = None) -> tuple[str, int]:
    """"Who (prevalence) say what — why it matters." and the index of the quote it came from."""
    label = str(theme.get("label") or "")
    clause, source = best_clause(texts, label, nlp)
    head, one, count = interviewees_of(theme)
    if not head:
        prevalence = str(theme.get("prevalence_text") or "").strip()
        head = f"{who_of(theme)} ({prevalence})" if prevalence else who_of(theme)
    say, talk = ("says", "talks") if one else ("say", "talk")
    if clause:
        body = f"{head} {say} {_lower_first(third_person(clause))}"
    elif _is_clause(label, nlp):  # "Quality is excellent": the name is itself what they say
        body = f"{head} {say} {_lower_first(label)}"
    else:  # no quote states it on its own: say what they talk about, in their words
        body = f"{head} {talk} about {label[:1].lower() + label[1:]}"
    body = f"{body} {count}" if count else body
    return f"{body} — {why_it_matters(theme, stage_name, overall_rating)}.", source


# --- opportunities -----------------------------------------------------------------------

def _gerund(verb: str) -> str:
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        return verb[:-1] + "ing"
    if (len(verb) <= 4 and len(verb) >= 3 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou"
            and verb[-3] not in "aeiou"):
        return verb + verb[-1] + "ing"
    return verb + "ing"


def _span_text(tokens: list[Any]) -> str:
    return "".join(t.text_with_ws for t in tokens).strip()


def _rest(verb: Any) -> list[Any]:
    """The verb's object and first prepositional phrase, when they hold no digits or names."""
    keep = []
    for child in verb.children:
        if child.i < verb.i or child.dep_ not in ("dobj", "prep", "prt", "acomp", "xcomp", "advmod", "oprd"):
            continue
        if child.dep_ == "advmod" and child.lower_ in ("never", "not", "again", "even", "just", "really", "twice",
                                                       "always", "still", "ever", "once", "already"):
            continue
        sub = list(child.subtree)
        if any(t.like_num or t.ent_type_ in ("DATE", "TIME", "PERSON") or "[" in t.text for t in sub):
            continue
        keep.extend(sub)
        if child.dep_ == "prep":
            break
    keep.sort(key=lambda t: t.i)
    return keep if len(keep) <= 8 else keep[:0] + [None]  # too long to read as one question


def _subject(verb: Any) -> Any:
    return next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)


PAIN_VERBS = frozenset("""break crash fail freeze charge overcharge cancel lose ignore wait disappear tear
leak expire reject decline delay miss damage stop refuse crack fall smash spill dent scratch peel
fade shrink rip hang crush soak chip snap bend smash overcharge bounce expire""".split())


# Verbs that hand the complaint to the verb they govern: "started peeling", "stopped working".
_ONSET_VERBS = frozenset("start begin keep".split())
_CEASE_VERBS = frozenset("stop quit cease".split())
_NOBODY = frozenset({"nobody", "noone", "no one", "no-one"})


def _third_singular(verb: str) -> str:
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + ("es" if re.search(r"(s|sh|ch|x|z|o)$", verb) else "s")


# "not as described / pictured / advertised": what the product should have matched.
_PROMISED = {"described": "description", "pictured": "pictures", "shown": "photos", "photographed": "photos",
             "advertised": "advert", "listed": "listing"}


def _not_as_promised(tok: Any, subject_text: str) -> tuple[int, str] | None:
    """"The sofa was not as described" → "How might we make the sofa match the description?"."""
    participle = tok if tok.tag_ == "VBN" else next((c for c in tok.children if c.dep_ == "acomp" and c.tag_ == "VBN"), None)
    if participle is None or participle.lower_ not in _PROMISED:
        return None
    if not any(c.lower_ == "as" for c in participle.children):
        return None
    negated = any(c.dep_ == "neg" for c in [*tok.children, *participle.children])
    if not negated:
        return None
    return 0, f"How might we make {subject_text} match the {_PROMISED[participle.lower_]}?"


def _subject_text(subject: Any) -> str | None:
    """How a question names the subject: "the tracking page", "customers" for I/we; None for
    other pronouns, numbers and redacted spans."""
    subj_tokens = [t for t in subject.subtree if not (t.dep_ == "poss" and t.pos_ == "PRON")
                   and t.lower_ not in ("my", "our", "your")]
    if any(t.like_num or "[" in t.text for t in subj_tokens):
        return None
    if subject.pos_ == "PRON":
        return "customers" if subject.lower_ in ("i", "we") else None
    words = "".join((t.text if t.pos_ == "PROPN" else t.lower_) + t.whitespace_ for t in subj_tokens).strip()
    return ("the " if subj_tokens and subj_tokens[0].pos_ != "DET" else "") + words


# "there's no doubt / problem / way / point…": idioms, not a missing feature.
_NOT_MISSING = VAGUE | frozenset("doubt problem problems idea need chance rush worries worry difference".split())


def _there_is_none(tok: Any) -> tuple[int, str] | None:
    """"there's no guest checkout" → "How might we provide guest checkout?"."""
    if tok.lemma_ != "be" or not any(c.dep_ == "expl" for c in tok.children):
        return None
    thing = next((c for c in tok.children if c.dep_ in ("attr", "nsubj") and c.pos_ in ("NOUN", "PROPN")), None)
    if (thing is None or thing.lemma_.lower() in _NOT_MISSING
            or not any(c.dep_ == "det" and c.lower_ == "no" for c in thing.children)):
        return None
    words = [t for t in thing.subtree if not (t.dep_ == "det" and t.head.i == thing.i)]
    if len(words) > 5 or any(t.like_num or t.ent_type_ in ("DATE", "TIME", "PERSON", "GPE", "LOC") or "[" in t.text
                             for t in words):
        return None
    return 1, f"How might we provide {_span_text(words).lower()}?"


# "A size guide would help / save everyone a return / be really useful": the customer's own fix.
_WOULD_HELP = frozenset("help save stop make fix solve prevent avoid".split())
_USEFUL = frozenset("helpful useful nice great good better handy brilliant ideal perfect".split())
# A thing proposed that names nothing in particular ("data would help", "more information would
# be useful"): "How might we provide data?" gives a team nothing to act on.
_GENERIC_PROPOSALS = frozenset("data datum information info detail details help support option options feature "
                               "features thing things stuff something anything more".split())


def _suggested(tok: Any) -> tuple[int, str] | None:
    """What a customer proposes, as the question: "a simple dimensions table would save everyone a
    return" → "How might we provide a simple dimensions table?"; "just put the sizes on the
    page" → "How might we put the sizes on the page?"."""
    kids = list(tok.children)
    if any(c.dep_ == "neg" for c in kids):
        return None
    would = any(c.dep_ == "aux" and c.lower_ in ("would", "'d") for c in kids)
    subject = _subject(tok)
    if would and subject is not None and subject.pos_ in ("NOUN", "PROPN"):
        helps = tok.lemma_ in _WOULD_HELP or (tok.lemma_ == "be" and any(
            c.dep_ == "acomp" and c.lower_ in _USEFUL for c in kids))
        article = [c.lower_ for c in subject.children if c.dep_ == "det"]
        if helps and article in ([], ["a"], ["an"]):
            # The parser sometimes splits a compound into two subjects ("size", "chart").
            heads = [c for c in kids if c.dep_ == subject.dep_]
            words = list(tok.doc[min(t.left_edge.i for t in heads): max(t.right_edge.i for t in heads) + 1])
            named = [t for t in words if t.pos_ in ("NOUN", "PROPN", "ADJ")
                     and t.lower_ not in _GENERIC_PROPOSALS and t.lemma_.lower() not in _GENERIC_PROPOSALS]
            if len(words) <= 6 and named and not any(
                    t.like_num or "[" in t.text or t.pos_ == "PRON" for t in words):
                return 0, f"How might we provide {_span_text(words).lower()}?"
    # An imperative asked for ("please show…", "just put…"): no subject, base form, after the
    # asking word. A bare one is as often a task read aloud in a usability session ("log in…").
    opening = [t.lower_ for t in tok.doc[:tok.i] if t.lower_ not in (",", "so", "maybe")]
    if tok.tag_ == "VB" and subject is None and opening in (["please"], ["just"]) \
            and tok.lemma_ not in _NEVER_VERBS and tok.lemma_ not in _LIGHT_VERBS:
        rest_tokens = _rest(tok)
        # "sort it out", "show it": says what to do to nothing in particular.
        if None not in rest_tokens and any(t.pos_ in ("NOUN", "PROPN") for t in rest_tokens):
            # Said to the company, "your" is its own: "fix your app" → "fix the app".
            rest = re.sub(r"\byour\b", "the", _span_text(rest_tokens), flags=re.IGNORECASE)
            return 0, f"How might we {tok.lower_} {rest}?"
    return None


def _options(tok: Any) -> tuple[int, str] | None:
    """(priority, question) for one clause head; lower priority reads better."""
    negated = any(c.dep_ == "neg" or c.lower_ == "never" for c in tok.children)
    existential = _there_is_none(tok)
    if existential is not None:
        return existential
    suggestion = _suggested(tok)
    if suggestion is not None:
        return suggestion
    subject = _subject(tok)
    if subject is None:
        return None
    if subject.lower_ in _NOBODY or " ".join(t.lower_ for t in subject.subtree) in _NOBODY:
        # "Nobody answers the phone" → "…make sure someone answers the phone?"
        rest_tokens = _rest(tok)
        if None in rest_tokens or tok.lemma_ in _NEVER_VERBS or tok.lemma_ == "be":
            return None
        rest = third_person(_span_text(rest_tokens))
        return 0, f"How might we make sure someone {_third_singular(tok.lemma_.lower())} {rest}?"
    pronoun = subject.pos_ == "PRON"
    subj_text = _subject_text(subject)
    if subj_text is None or (pronoun and tok.lemma_ == "be"):
        return None
    promised = _not_as_promised(tok, subj_text)
    if promised is not None:
        return promised
    governed = next((c for c in tok.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), None)
    if governed is not None and not negated:
        if tok.lemma_ in _CEASE_VERBS and governed.tag_ == "VBG":  # "the kettle stopped working"
            return 1, f"How might we keep {subj_text} {governed.lower_}?"
        if tok.lemma_ in _ONSET_VERBS and governed.lemma_ in PAIN_VERBS:
            tok = governed  # "the coating started peeling" → "…stop the coating peeling…"
    rest_tokens = _rest(tok)
    if None in rest_tokens:
        return None
    rest = _span_text(rest_tokens)
    verb = tok.lemma_.lower()
    passive = any(c.dep_ == "auxpass" for c in tok.children)
    if tok.lemma_ == "be" or (tok.pos_ == "AUX" and not passive):
        adj = next((c for c in tok.children if c.dep_ == "acomp" and c.pos_ == "ADJ"), None)
        if adj is None or pronoun:
            return None
        if negated:
            return 0, f"How might we make {subj_text} {adj.lower_}?"
        if adj.lower_ in ANTONYMS:
            return 1, f"How might we make {subj_text} {ANTONYMS[adj.lower_]}?"
        return None
    if verb in _NEVER_VERBS or (verb in _LIGHT_VERBS and not rest):
        return None
    if negated:
        if pronoun:
            return 0, f"How might we help customers {verb} {rest}?"
        return 0, f"How might we get {subj_text} to {verb} {rest}?"
    if verb == "wait" and rest:  # "waited weeks for a refund" → "shorten the wait for a refund"
        return 1, f"How might we shorten the wait {rest}?"
    if verb not in PAIN_VERBS:
        return None
    if passive and not pronoun:
        return 1, f"How might we stop {subj_text} being {tok.lower_} {rest}?"
    if pronoun:
        return 2, f"How might we spare customers {_gerund(verb)} {rest}?"
    return 1, f"How might we stop {subj_text} {_gerund(verb)} {rest}?"


def how_might_we_from(doc: Any) -> str:
    """A "How might we…" question from one parsed pain sentence ("" when none reads well)."""
    found = []
    for tok in doc:
        if tok.dep_ in ("ROOT", "conj", "ccomp", "advcl") and tok.pos_ in ("VERB", "AUX"):
            option = _options(tok)
            if option is not None:
                found.append((option[0], tok.i, re.sub(r"\s+\?", "?", re.sub(r"\s+", " ", option[1]))))
    return min(found)[2] if found else ""


def _from_label(label: str, nlp: Any) -> str:
    """A question from the label itself: "tracking number doesn't work" → "…get the tracking
    number to work?", "slow delivery" → "How might we make the delivery faster?"."""
    parts = [p.strip() for p in re.split(r",| and ", label) if p.strip()]
    for part in parts:
        waiting = re.match(r"^(?:still )?wait(?:ing|ed|s)? (for|on) (.+)$", part, re.IGNORECASE)
        if waiting:
            return f"How might we shorten the wait {waiting.group(1).lower()} {third_person(waiting.group(2))}?"
    for doc in nlp.pipe(parts):
        # As a noun phrase in a sentence ("The broken kettle handle."): bare, "handle" is a verb.
        phrase = nlp(f"The {doc.text[:1].lower() + doc.text[1:]}.")
        question = how_might_we_from(phrase) if doc[0].pos_ in ("NOUN", "PROPN", "ADJ") else ""
        if question:
            return question
        # "hidden", "damaged" are participles to the tagger (VERB, amod), "late" an adjective.
        adjectives = [t for t in phrase if (t.pos_ == "ADJ" or t.dep_ == "amod") and t.lower_ in ANTONYMS
                      and t.head.pos_ == "NOUN"]
        if adjectives:
            adj = adjectives[0]
            head = adj.head
            while head.dep_ == "compound" and head.head.pos_ == "NOUN":  # "missing [size] chart"
                head = head.head
            noun = _span_text([t for t in head.subtree if t.i != adj.i and t.dep_ not in ("det", "punct")]).lower()
            turned = TURNED.get(adj.lower_, "make the {noun} " + ANTONYMS[adj.lower_])
            return f"How might we {turned.format(noun=noun)}?"
    return ""


def _grounded(question: str, words: set[str]) -> bool:
    """Speaks of the theme (shares a word with its name), in no one's first person."""
    if not question or len(question.split()) > 16 or re.search(r"\b(I|me|my|you|your)\b|['\"“”]", question[14:]):
        return False
    return bool(words & set(stem_key(question)))


def write_opportunity(theme: dict[str, Any], texts: list[str], nlp: Any) -> str:
    """One grounded "How might we…" for a pain theme, from its central complaints or its
    name; "" when nothing said states a problem that can be turned round."""
    label = str(theme.get("label") or "")
    keywords = theme.get("keywords")
    keywords = list(keywords) if isinstance(keywords, (list, tuple, np.ndarray)) else []
    words = set(stem_key(" ".join([label, *map(str, keywords[:6])])))
    sentences = [(sentence, rank) for rank, text in enumerate(texts) for sentence in _clause_candidates(text)]
    sentences.sort(key=lambda sr: (-len(words & set(stem_key(sr[0]))), sr[1]))
    if nlp is None:
        return ""
    for doc in nlp.pipe([s for s, _ in sentences[:8]]):
        question = how_might_we_from(doc)
        if _grounded(question, words):
            return question
    question = _from_label(label, nlp)
    return question if _grounded(question, words) else ""


def write_insights(themes: pd.DataFrame, quotes: pd.DataFrame, segments: pd.DataFrame,
                   framework: dict[str, Any], nlp: Any = None) -> pd.DataFrame:
    """`themes` with `insight`, `opportunity` (pain and mixed themes) and `insight_quotes` (the
    segment ids of the two quotes that best support the statement)."""
    themes = themes.copy()
    if themes.empty:
        for column in INSIGHT_COLUMNS:
            themes[column] = pd.Series(dtype=object)
        return themes
    if nlp is None:
        from ..models import load_spacy

        nlp = load_spacy()
    names = {s["id"]: s.get("name", s["id"]) for s in framework.get("stages", [])}
    ratings = segments["rating_norm"] if "rating_norm" in segments else pd.Series(dtype=float)
    overall = float(ratings.mean()) if ratings.notna().any() else None
    insights, opportunities, supporting = [], [], []
    for theme in themes.to_dict("records"):
        rows = quotes[quotes["theme_id"] == theme["theme_id"]].sort_values("rank") if len(quotes) else quotes
        texts = rows["text"].astype(str).tolist() if len(rows) else []
        ids = rows["segment_id"].astype(str).tolist() if len(rows) else []
        stage = names.get(theme.get("primary_stage"), "")
        statement, source = write_statement(theme, texts, stage, overall, nlp)
        insights.append(statement)
        order = ([source] if source >= 0 else []) + [i for i in range(len(ids)) if i != source]
        supporting.append([ids[i] for i in order[:2]])
        pain = theme.get("polarity") in ("pain", "mixed")
        opportunities.append(write_opportunity(theme, texts, nlp) if pain else "")
    themes["insight"] = insights
    themes["opportunity"] = opportunities
    themes["insight_quotes"] = supporting
    return themes
