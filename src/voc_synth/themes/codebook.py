"""Deductive coding: a researcher's codebook assigns segments to codes before themes are found.

Each code (name, a one-line definition, example phrases) is an anchor: the normalised mean of
the embeddings of its name, definition and examples. Raw cosine similarity is a poor judge on
its own: a broadly worded code sits close to every segment of a study, a narrow one close to
few, so the broad code wins everywhere. Similarities are therefore **calibrated per code**
against the corpus itself:

- the code is chosen by the similarity *above the code's own average* over the corpus
  (s − mean_k): how much closer this segment is to the code than the study's material is;
- a segment is coded when that lift, in the code's own spread (z = (s − mean_k) / sd_k, sd_k
  at least the median over codes so a code equally close to everything cannot win on noise),
  reaches `codebook_min_z` (default 0: closer than the code's average segment), when it leads
  the runner-up code by `codebook_margin` (default 0, in cosine units; raise it to leave
  segments two codes describe equally well uncoded), and when its raw similarity is at least
  `codebook_min_similarity − CALIBRATED_SLACK` (0.15 by default: a segment about nothing in
  the codebook stays uncoded whatever its z).

Measured on two real coded interview studies (scripts/eval_real.py; the share of the
researchers' coded passages whose segments land under one of the passage's codes), against
each segment's nearest code by raw cosine: a usability think-aloud with 22 defined codes
19.8% raw, 20.1% by lift above the code's mean, 19.2% by z-score; a visualisation study with
32 codes without definitions 9.9 / 9.9 / 7.8%. Every margin above 0 and every z threshold
above 0.5 lowered both (margin 0.02: 16.7% and 6.8%), because a coded passage left uncoded
counts as a miss. Through the whole theme step (outliers reassigned, clusters absorbed) the
think-aloud study's passages landed under their code 16.3% of the time with z ≥ 0.5 and a raw
floor of 0.25, against 19.2% for the nearest-code baseline; hence the loose defaults. For a few
seed themes rather than a full codebook, `codebook_mode: guided` keeps BERTopic's strict
zero-shot threshold instead.

**Context.** An interview answer is coded by what it answers ("yes, that part was confusing"):
a segment's vector for coding is its own plus `QUESTION_WEIGHT` times the interviewer's
question before it. With the codebook alone this raised agreement from 18.3% to 21.7%
(think-aloud) and from 11.2% to 11.5% (visualisation study).

**Refinement.** A code's words are the researcher's, not the participants'. Before
assignment, each anchor is moved towards the segments most surely coded with it
(`refine_anchors`, one round of a seeded k-means that keeps the researcher's words as the
larger part): agreement with the codebook alone rose further to 22.9% and 11.9% (the
nearest-anchor baseline: 19.3% and 10.8%).

**Learning from coded examples.** A codebook imported from a QDA project carries the
researcher's own coded passages as examples (`voc-synth import-codebook project.qdpx`). When
the codebook holds that much material (its median code has `MIN_EXAMPLES_TO_LEARN` examples),
a multinomial logistic regression over the embeddings of every name, definition and example
picks the code, instead of the calibrated nearest anchor. With the first quarter of each
study's files hand-coded, 41.7% (think-aloud, 4 of 17 files coded) and 16.9% (visualisation,
2 of 10) of the other files' coded passages landed under their code, against 35.5% and 13.9%
for each segment's nearest mean anchor of the same examples. The acceptance rule above still
applies to the chosen code.

**Examples read in context.** Those examples are passages embedded on their own, while the
segments are coded with their question mixed in. Where an example is also in the material
(a partly coded project's passages are), its segment is found (`EXAMPLE_MATCH`) and the code
is learned again with that segment's in-context vector added (`LearnedCoder`): on
scripts/eval_real.py's split 41.7 → 43.1% and 16.9 → 17.3%; averaged over
the four ways of taking a quarter of the files as hand-coded (the coder alone): 42.8 → 43.6% (think-aloud) and
18.9 → 18.5% (visualisation study, 230 passages a split: within a passage or two). At 0.8,
43% and 37% of the two studies' examples are found, 92–93% of them in a segment that carries
the passage (0.75: more found, 87–88% right; think-aloud agreement is the same from 0.75 to 0.85).
Measured and not kept: the uncoded segments of the hand-coded files as a "no code" class
(−1.5 and −2 points), a constant C or class weighting chosen by leave-one-file-out CV within
the hand-coded files (2–4 files: noisier than the fixed C), a k-nearest-examples vote (−4 and
−7), self-training on the coder's confident segments (+0.7 / −0.9), the neighbouring answers as
context (+0.8 / −1.4). Abstention costs little: 3% of the coded passages end up uncoded;
coding every segment would gain 1.5 and 0.2 points but leave nothing to the inductive step,
and a z floor calibrated on the examples found (95% of them accepted) changes almost nothing.

**Words beside meaning.** Researchers code by the part of the product or the subject a passage
names ("the Home tab", "the download button") as much as by what it says, and a sentence
embedding blurs "the home tab is clear" into "the download button is clear". The learned coder's
rows therefore carry TF-IDF words (`lexical_features`: the segment's plus half its question's,
as in the vector) beside the embedding, each of unit length (`LEXICAL_WEIGHT`). Averaged over the
four quarter splits, 43.3 → 46.1% (think-aloud) and 18.8 → 20.6% (visualisation study); through
the CLI on scripts/eval_real.py's split 43.1 → 45.9% and 17.3 → 19.0% (the nearest-anchor
baseline: 35.5% and 13.9%). Without a learned coder the same words join the anchor's cosine
(`anchor_scores`): codebook alone, through the CLI, 22.9 → 25.2% (think-aloud) and 11.9 → 12.2%
(visualisation study), with the lift then taken of the sum.

**No lift once words count.** That last lift was measured on codebooks without examples only.
A codebook with one or two examples per code (the form a researcher writes, or a project with
little coded yet) does not reach `MIN_EXAMPLES_TO_LEARN` and takes the same path, and there the
lift cost agreement: the refined anchor's raw cosine plus the words choose better. Rebuilt
development data, float32 embeddings, through the CLI: the visualisation study with two files'
coded passages as examples (most codes one or two) 9.8 → 16.2% (nearest-anchor baseline 12.8%;
the same over the four quarter splits, offline: 13.5 → 19.6%, baseline 14.7%), and the
think-aloud codebook alone (names and definitions) 25.6 → 27.6% (baseline 19.1%). The cost: a
codebook of bare names, where the lift is all that tells a broad name from a narrow one, 13.9 →
10.7% on the visualisation study (baseline 8.6%). Codebooks that teach a coder are unchanged
(46.1%). Measured and not kept: the mean of the segment's own turn mixed into its vector (0.3 of
it: +0.7 and +0.6 points on average, but −2.5 on one split; within the splits' spread).

Segments no code claims are left to the inductive theme step, which may find themes the
codebook does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from ..tables import UNTHEMED_ID

# How far below `codebook_min_similarity` a calibrated match may still be accepted.
CALIBRATED_SLACK = 0.45
# Fewer segments than this cannot calibrate (mean and spread need a sample): raw similarity only.
MIN_SEGMENTS_TO_CALIBRATE = 30
# How much the interviewer's question counts against the answer's own words when coding.
QUESTION_WEIGHT = 0.5
# Examples the median code needs before codes are learned from them rather than averaged.
MIN_EXAMPLES_TO_LEARN = 3
# Inverse regularisation of the learned coder: coded passages are few and short.
LEARNED_C = 4.0
# An example passage is "found" in the material coded when a segment's in-context vector is at
# least this close to it (the segment carries the passage; its question moves it a little).
EXAMPLE_MATCH = 0.8
# How much a row's words (TF-IDF, unit length) count beside its embedding (unit length) in the
# learned coder, and the most words its vocabulary keeps.
LEXICAL_WEIGHT = 1.0
LEXICAL_VOCABULARY = 50_000
# Moving each code's anchor towards the segments most surely coded with it: rounds, the share
# of its segments (the most confident) taken, and their weight against the researcher's words.
# More rounds or a full weight gained under a point on the coded studies but let anchors drift
# onto answer wording: identical answers to different questions then share one code.
REFINE_ROUNDS = 1
REFINE_SHARE = 0.5
REFINE_WEIGHT = 0.5


@dataclass
class CodeAssignment:
    """`codes[i]`: index of the code segment i is assigned to, or -1. `z`/`margin`: its
    calibrated similarity and lead over the runner-up (0 where not coded)."""

    codes: np.ndarray
    z: np.ndarray
    margin: np.ndarray
    similarity: np.ndarray

    @property
    def n_coded(self) -> int:
        return int((self.codes != UNTHEMED_ID).sum())


def calibrated_similarity(unit: np.ndarray, anchors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(raw cosine, lift above each code's corpus mean, per-code z-score) of every segment
    against every code anchor."""
    sims = unit @ anchors.T
    if len(unit) < MIN_SEGMENTS_TO_CALIBRATE:
        return sims, sims.copy(), sims.copy()
    lift = sims - sims.mean(axis=0, keepdims=True)
    sd = sims.std(axis=0, keepdims=True)
    # A code whose similarity hardly varies over the corpus (worded as the study's subject
    # itself) tells segments apart by noise alone: no code's scale may be finer than the
    # typical code's.
    sd = np.maximum(sd, np.median(sd))
    return sims, lift, lift / np.where(sd > 1e-6, sd, 1.0)


def in_context(unit: np.ndarray, question_unit: np.ndarray, has_question: np.ndarray) -> np.ndarray:
    """Segment vectors for coding: each unit vector plus `QUESTION_WEIGHT` times its question's
    (where `has_question`), renormalised."""
    mixed = unit + QUESTION_WEIGHT * np.where(np.asarray(has_question, dtype=bool)[:, None], question_unit, 0.0)
    return mixed / np.maximum(np.linalg.norm(mixed, axis=1, keepdims=True), 1e-12)


def refine_anchors(unit: np.ndarray, anchors: np.ndarray, rounds: int = REFINE_ROUNDS) -> np.ndarray:
    """Anchors moved towards how participants actually talk about each code (seeded k-means).

    Each round, every segment goes to the code it is most lifted towards; a code's new anchor is
    its original anchor (the researcher's words, kept as the larger part so a code cannot drift
    onto another subject) plus `REFINE_WEIGHT` times the mean of the more confident half of its
    segments. A code with fewer than three segments keeps its anchor. Too few segments to
    calibrate: unchanged."""
    if len(unit) < MIN_SEGMENTS_TO_CALIBRATE or len(anchors) < 2:
        return anchors
    current = anchors
    for _ in range(rounds):
        _, lift, _ = calibrated_similarity(unit, current)
        best = lift.argmax(axis=1)
        confidence = lift.max(axis=1)
        moved = anchors.copy()
        for j in range(len(anchors)):
            members = np.flatnonzero(best == j)
            if len(members) < 3:
                continue
            keep = members[np.argsort(-confidence[members], kind="stable")[: max(3, int(len(members) * REFINE_SHARE))]]
            moved[j] = anchors[j] + REFINE_WEIGHT * unit[keep].mean(axis=0)
        current = moved / np.maximum(np.linalg.norm(moved, axis=1, keepdims=True), 1e-12)
    return current


class LearnedCoder:
    """Codes learned from the codebook's texts, refitted on the material being coded.

    A coded passage is embedded on its own, but the segments are coded in context (with their
    question): a coder trained on passages alone meets a different kind of vector than it
    learned from. An example that is also in the material (an imported QDA project's coded
    passages come from its own transcripts) is found there, its nearest segment at
    `EXAMPLE_MATCH` cosine or more, and that segment's in-context vector joins the code's
    training rows; the codes are then learned again. Nothing found: the text-only coder.

    Given the codebook's texts and the segments' (`predict_proba(..., texts, questions)`), each
    row also carries its words (`lexical_features`): researchers code by the subject named
    ("the Home tab", "the download button") as much as by the meaning a sentence embedding
    keeps."""

    def __init__(self, code_vectors: list[np.ndarray], code_texts: list[list[str]] | None = None):
        self.x = np.vstack(code_vectors)
        self.y = np.repeat(np.arange(len(code_vectors)), [len(v) for v in code_vectors])
        # Row 0 of each code is its name: a label, never a passage found in the material.
        starts = np.concatenate([[0], np.cumsum([len(v) for v in code_vectors])[:-1]])
        self.is_example = np.ones(len(self.x), dtype=bool)
        self.is_example[starts] = False
        self.texts = [t for texts in code_texts for t in texts] if code_texts is not None else None
        if self.texts is not None and len(self.texts) != len(self.x):
            raise ValueError("code_texts must hold one text per row of code_vectors")

    @cached_property
    def text_only(self) -> LogisticRegression:
        """The coder learned from the codebook's embeddings alone."""
        return _fit_codes(self.x, self.y)

    def predict_proba(self, context: np.ndarray, texts: list[str] | None = None,
                      questions: list[str] | None = None) -> np.ndarray:
        """(segments × codes) probabilities for the segment vectors `context`; with the
        segments' `texts` (and the `questions` they answer, "" where none), their words too."""
        context = np.asarray(context, dtype=float)
        lexical = None
        if self.texts is not None and texts is not None and len(context):
            lexical = lexical_features(self.texts, list(texts), questions)
        if lexical is None:
            codes_x, segments_x = self.x, context
        else:
            codes_x = sparse.hstack([sparse.csr_matrix(self.x), LEXICAL_WEIGHT * lexical[0]]).tocsr()
            segments_x = sparse.hstack([sparse.csr_matrix(context), LEXICAL_WEIGHT * lexical[1]]).tocsr()
        examples = self.x[self.is_example]
        found = np.zeros(len(examples), dtype=bool)
        if len(context) and len(examples):
            sims = examples @ context.T
            found = sims.max(axis=1) >= EXAMPLE_MATCH
        if not found.any():
            if lexical is None:
                return self.text_only.predict_proba(context)
            return _fit_codes(codes_x, self.y).predict_proba(segments_x)
        rows = sims.argmax(axis=1)[found]
        stack = sparse.vstack if lexical is not None else np.vstack
        x = stack([codes_x, segments_x[rows]])
        y = np.concatenate([self.y, self.y[self.is_example][found]])
        return _fit_codes(x, y).predict_proba(segments_x)


def lexical_features(code_texts: list[str], texts: list[str], questions: list[str] | None = None,
                     ) -> tuple[sparse.csr_matrix, sparse.csr_matrix] | None:
    """TF-IDF rows (sublinear, English stop words dropped, vocabulary and IDF of the codebook's
    and the segments' texts together) for the codebook's texts and for the segments, each
    segment's plus `QUESTION_WEIGHT` times its question's, L2-normalised: the question weighs in
    the words as it does in the vector (`in_context`). None when nothing but stop words."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", max_features=LEXICAL_VOCABULARY)
    try:
        vectorizer.fit(code_texts + texts)
    except ValueError:  # an empty vocabulary
        return None
    segments = vectorizer.transform(texts)
    if questions is not None:
        segments = segments + QUESTION_WEIGHT * vectorizer.transform(["" if q is None else str(q) for q in questions])
    return vectorizer.transform(code_texts).tocsr(), normalize(segments).tocsr()


def anchor_scores(unit: np.ndarray, anchors: np.ndarray, code_texts: list[list[str]], texts: list[str],
                  questions: list[str] | None = None) -> np.ndarray | None:
    """Scores that choose a code without a learned coder: each segment's cosine to the code's
    (refined) anchor plus `LEXICAL_WEIGHT` times the TF-IDF cosine of its words (with half its
    question's) to all of the code's words (name, definition, examples as one text). Raw, not
    lifted: once words join the choice, taking each code's corpus mean off cost agreement (see
    the module docstring). None for a corpus too small to refine anchors on, or when there are
    no words to compare (the embedding lift alone then decides)."""
    if len(unit) < MIN_SEGMENTS_TO_CALIBRATE:
        return None
    lexical = lexical_features([" ".join(t) for t in code_texts], list(texts), questions)
    if lexical is None:
        return None
    # TF-IDF rows are unit length, so their product is the cosine.
    return unit @ anchors.T + LEXICAL_WEIGHT * (lexical[1] @ lexical[0].T).toarray()


def _fit_codes(x: np.ndarray | sparse.csr_matrix, y: np.ndarray) -> LogisticRegression:
    # Balanced weights: a code the researcher used often must not win every doubtful segment.
    return LogisticRegression(C=LEARNED_C, max_iter=3000, class_weight="balanced").fit(x, y)


def learn_codes(code_vectors: list[np.ndarray], code_texts: list[list[str]] | None = None) -> LearnedCoder | None:
    """A coder over codes trained on each code's vectors (name, definition and every example,
    one row each; `code_texts` the same texts, for their words; see `LearnedCoder`), or None
    when the codebook has too few examples to learn from (the median code has fewer than
    `MIN_EXAMPLES_TO_LEARN` beyond its name)."""
    if len(code_vectors) < 2 or np.median([len(v) - 1 for v in code_vectors]) < MIN_EXAMPLES_TO_LEARN:
        return None
    return LearnedCoder(code_vectors, code_texts)


def assign_codes(unit: np.ndarray, anchors: np.ndarray, min_similarity: float, min_z: float,
                 margin: float, scores: np.ndarray | None = None) -> CodeAssignment:
    """Assign each segment to at most one code (see the module docstring for the rule).
    `scores` (segments × codes, e.g. a learned coder's probabilities) choose the code and
    measure the lead instead of the calibrated similarity; acceptance is unchanged."""
    n, k = len(unit), len(anchors)
    codes = np.full(n, UNTHEMED_ID, dtype=int)
    if n == 0 or k == 0:
        zeros = np.zeros(n)
        return CodeAssignment(codes, zeros, zeros.copy(), zeros.copy())
    sims, lift, z = calibrated_similarity(unit, anchors)
    choice = lift if scores is None else np.asarray(scores, dtype=float)
    order = np.argsort(-choice, axis=1, kind="stable")
    best = order[:, 0]
    rows = np.arange(n)
    lead = choice[rows, best] - (choice[rows, order[:, 1]] if k > 1 else -np.inf)
    raw = sims[rows, best]
    if len(unit) >= MIN_SEGMENTS_TO_CALIBRATE:
        ok = (z[rows, best] >= min_z) & (lead >= margin) & (raw >= min_similarity - CALIBRATED_SLACK)
    else:  # too few segments to know a code's average: the plain threshold
        ok = raw >= min_similarity
    codes[ok] = best[ok]
    return CodeAssignment(codes, np.where(ok, z[rows, best], 0.0), np.where(ok, np.minimum(lead, 99.0), 0.0),
                          np.where(ok, raw, 0.0))
