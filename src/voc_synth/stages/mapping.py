"""Placing segments and themes on the stages of a journey framework (`map_to_stages`).

Which sentence encoder the similarities come from is chosen first (`voc_synth.stages.encoder`:
all-mpnet-base-v2 for every text of a corpus small enough to afford it; for a larger one, for a
fixed sample, whose stages the stage model on the run's embeddings then learns from — see
`_sampled_probabilities`). Evidence
is then combined in four layers, none of which knows any stage by name, so the same code serves
the built-in frameworks and any file a user writes:

1. **Zero-shot scores.** Every stage is described by several short texts (its name and
   description, each keyword, each example, and all of them joined). A segment scores against a
   stage by its cosine similarity to the stage's prototype (the mean of those texts' embeddings)
   plus a soft maximum of its similarities to the individual texts, so one close example or
   keyword counts even when the rest of the stage is about other things. Keyword matches on word
   stems (`lexical.KeywordMatcher`) are added on top: they catch the specific word (a "refund",
   a "courier") that a sentence embedding blurs into the general topic.
2. **Neighbours.** Customers say the same things in many ways, so a segment's scores are pulled
   toward those of its nearest neighbours in the corpus.
3. **A stage model fitted to the corpus** (`StageConfig.self_training`). One Gaussian per stage,
   all sharing one covariance, is fitted by EM to the framework's texts (labelled) and the
   corpus's segments (soft-labelled by the layers above): linear discriminant analysis learnt
   without a single labelled segment. The shared covariance shows which directions of the
   embedding space separate this framework's stages in this corpus and which only record how
   people phrase things; cosine similarity weighs all directions alike. The earlier layers'
   probabilities stay in every step as a prior, so the model refines them rather than drifting.
4. **Themes.** A segment's stage probabilities are smoothed toward its theme's average, so a
   terse or ambiguous sentence follows the theme it belongs to.

The stage with the highest probability wins. Its confidence is that probability (flattened so
that, on the evaluation sets, a confidence of c is right roughly c of the time) times the segment's
*relevance*: how much closer it is to the framework's texts than everyday small talk is (a fixed
list of neutral sentences sets that scale for each framework and model), or to the corpus's
clearly relevant segments, or whether it names a keyword outright. Below
`StageConfig.min_confidence` the segment is "unmapped" — "I'm thirty-four" is not forced onto a
stage. Themes get a distribution over stages, a primary stage and a `spans_stages` flag.

Accuracy, measured by `scripts/eval_stages.py` on data/stages_eval/, is in that script's output;
the constants in `Tuning` were set on half of each set and checked on the other half.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from ..config import StageConfig
from ..errors import InputError
from ..frameworks import Framework
from ..tables import UNMAPPED_STAGE, UNTHEMED_ID
from .encoder import StageSample
from .lexical import KeywordMatcher

__all__ = ["StageResult", "map_to_stages", "plain_similarity_scores", "stage_probabilities"]

Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Tuning:
    """Internal constants of the method, set on the evaluation sets in data/stages_eval/.

    Not part of the user config: they are the method, not preferences. `scripts/eval_stages.py`
    can override them to show what each layer contributes.
    """

    scale: float = 20.0            # softmax temperature: probabilities = softmax(scale * score)
    soft_max_beta: float = 20.0    # sharpness of the soft maximum over a stage's texts
    prototype_weight: float = 1.0  # weight of the prototype similarity beside the soft maximum
    keyword_scale: float = 0.07    # score added per full keyword hit (times StageConfig.keyword_weight)
    context_weight: float = 0.3    # how much a word from a description/example counts vs a keyword
    min_neighbours_corpus: int = 30
    neighbour_steps: int = 1           # rounds of neighbour smoothing (label propagation)
    min_stage_model_corpus: int = 60   # smaller corpora say too little about a covariance
    stage_model_iterations: int = 3
    stage_model_shrinkage: float = 0.6  # within-stage covariance shrunk this far toward a scaled identity
    stage_model_prior: float = 1.0      # exponent of the earlier layers' probabilities in each E-step
    calibration_power: float = 0.6     # final probabilities ∝ p ** power: makes confidence track accuracy
    zero_shot_calibration_power: float = 2.0  # the same where no stage model was fitted (small corpora)
    relevance_low: float = 0.5         # quantile of the neutral sentences' similarity: relevance 0 below it
    relevance_high: float = 0.9        # ... and 1 above this quantile
    relevance_keyword: float = 1.0     # keyword evidence that makes a segment relevant on its own
    corpus_relevance: bool = True      # a segment close to clearly relevant ones is relevant too
    max_relevance_anchors: int = 5000
    max_neighbours_corpus: int = 30_000


DEFAULT_TUNING = Tuning()

# Everyday sentences about nothing in any customer journey. How similar they come out to a
# framework's texts shows where "unrelated" lies for that framework and embedding model, so a
# segment that is no closer to any stage than small talk is not forced onto one.
NEUTRAL_SENTENCES = (
    "Sure, go ahead.", "I have two brothers and a sister.", "It was raining all week.",
    "Give me a moment to think.", "I'm not really sure what you mean.", "We moved here three years ago.",
    "My daughter is learning the piano.", "That's all I can think of.", "Could you say that again?",
    "I'm fifty-two and I work in an office.", "Hello, nice to meet you.", "I love walking in the countryside.",
    "Yeah, exactly.", "I had pasta for dinner yesterday.", "My neighbour has a big garden.",
    "No, I don't think so.", "We usually go camping in August.", "I'm a software developer.",
    "Hold on, someone is at the door.", "It's hard to say.", "I read the news every morning.",
    "Our cat is called Biscuit.", "I've got a cold at the moment.", "Let's see, what else.",
    "I'm originally from the north.", "Fine, thank you.", "We watched a film last night.",
    "I guess so.", "The train was full this morning.", "I like to paint at the weekend.",
)


def _default_encode(texts: list[str]) -> np.ndarray:
    from ..embed import embed_texts

    return embed_texts(texts)


def _normalise_rows(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float32)
    norms = np.linalg.norm(a, axis=-1, keepdims=True)
    return a / np.where(norms > 0, norms, 1.0)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class _StageIndex:
    """A framework's texts, embedded once, with the keyword matcher built from them."""

    def __init__(self, framework: Framework, encode: Encode, tuning: Tuning):
        self.framework = framework
        self.stage_ids = framework.stage_ids
        texts: list[str] = []
        stage_of: list[int] = []
        kind: list[str] = []
        for j, stage in enumerate(framework.stages):
            items = [("text", stage.text), ("description", f"{stage.name}: {stage.description}")]
            items += [("keyword", k) for k in stage.keywords]
            items += [("example", e) for e in stage.examples]
            for k, t in items:
                texts.append(t)
                stage_of.append(j)
                kind.append(k)
        all_emb = np.asarray(encode(texts + list(NEUTRAL_SENTENCES)), dtype=np.float32)
        if all_emb.ndim != 2 or all_emb.shape[0] != len(texts) + len(NEUTRAL_SENTENCES):
            raise InputError(f"encode() returned an array of shape {all_emb.shape} for "
                             f"{len(texts) + len(NEUTRAL_SENTENCES)} texts.")
        all_emb = _normalise_rows(all_emb)
        emb, neutral = all_emb[: len(texts)], all_emb[len(texts):]
        self.phrase_texts = texts
        self.phrase_emb = emb
        self.neutral_emb = neutral
        neutral_max = (neutral @ emb.T).max(axis=1)
        self.relevance_range = (float(np.quantile(neutral_max, tuning.relevance_low)),
                                float(np.quantile(neutral_max, tuning.relevance_high)))
        self.phrase_stage = np.array(stage_of)
        self.phrase_kind = np.array(kind)
        self.text_emb = self.phrase_emb[self.phrase_kind == "text"]
        prototypes = []
        for j in range(len(self.stage_ids)):
            mine = self.phrase_stage == j
            # Each kind of text counts once, however many keywords or examples a stage lists.
            parts = [self.phrase_emb[mine & (self.phrase_kind == k)].mean(axis=0)
                     for k in ("text", "description", "keyword", "example")
                     if (mine & (self.phrase_kind == k)).any()]
            prototypes.append(np.sum(parts, axis=0))
        self.prototypes = _normalise_rows(np.stack(prototypes))
        self.matcher = KeywordMatcher(
            [s.keywords for s in framework.stages],
            context=[[s.name, s.description, *s.examples] for s in framework.stages],
            context_weight=tuning.context_weight,
        )

    @property
    def dim(self) -> int:
        return int(self.phrase_emb.shape[1])

    def similarity(self, embeddings: np.ndarray, tuning: Tuning, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
        """(n, n_stages) scores: prototype similarity plus a soft maximum over each stage's texts;
        and (n,) the closest similarity to any framework text."""
        n, n_stages = len(embeddings), len(self.stage_ids)
        out = np.zeros((n, n_stages), dtype=np.float64)
        closest = np.zeros(n, dtype=np.float64)
        beta = tuning.soft_max_beta
        for start in range(0, n, chunk):
            x = embeddings[start:start + chunk]
            sims = x @ self.phrase_emb.T
            closest[start:start + chunk] = sims.max(axis=1)
            block = tuning.prototype_weight * (x @ self.prototypes.T)
            for j in range(n_stages):
                s = sims[:, self.phrase_stage == j].astype(np.float64)
                top = s.max(axis=1, keepdims=True)
                soft = top[:, 0] + np.log(np.exp(beta * (s - top)).mean(axis=1)) / beta
                block[:, j] += soft
            out[start:start + chunk] = block
        return out, closest

    def relevance(self, closest: np.ndarray, keyword_evidence: np.ndarray, tuning: Tuning) -> np.ndarray:
        """0..1: how far a segment is from small talk (its closest framework text), or 1 when it
        names a stage's keyword outright."""
        low, high = self.relevance_range
        ramp = np.clip((closest - low) / max(high - low, 1e-6), 0.0, 1.0)
        if tuning.relevance_keyword > 0:
            ramp = np.maximum(ramp, np.clip(keyword_evidence / tuning.relevance_keyword, 0.0, 1.0))
        return ramp


def _neighbour_graph(embeddings: np.ndarray, k: int, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k nearest neighbours (indices) and their clipped cosine similarities (weights)."""
    n = len(embeddings)
    k = max(1, min(k, n - 1))
    idx = np.empty((n, k), dtype=np.int64)
    weights = np.empty((n, k), dtype=np.float64)
    for start in range(0, n, chunk):
        sims = embeddings[start:start + chunk] @ embeddings.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -np.inf  # not its own neighbour
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        idx[start:start + chunk] = part
        weights[start:start + chunk] = np.clip(np.take_along_axis(sims, part, axis=1), 0.0, None)
    return idx, weights


def _neighbour_mean(graph: tuple[np.ndarray, np.ndarray], probs: np.ndarray) -> np.ndarray:
    """The similarity-weighted mean of each row's neighbours' probabilities (its own where none is similar)."""
    idx, weights = graph
    total = weights.sum(axis=1, keepdims=True)
    mean = (probs[idx] * weights[:, :, None]).sum(axis=1) / np.where(total > 0, total, 1.0)
    return np.where(total > 0, mean, probs)


def _corpus_relevance(x: np.ndarray, relevance: np.ndarray, index: _StageIndex, tuning: Tuning,
                      seed: int, chunk: int = 2048) -> np.ndarray:
    """Relevance raised for segments close to the corpus's clearly relevant segments.

    A review sentence such as "the coffee machine leaks" is far from every framework text but
    close to other complaints about products that are; small talk is close to neither. The
    neutral sentences' similarity to the same anchors sets the scale, as for the framework.
    """
    anchors = np.flatnonzero(relevance >= 0.99)
    if len(anchors) < 10:
        return relevance
    if len(anchors) > tuning.max_relevance_anchors:
        anchors = np.random.default_rng(seed).choice(anchors, tuning.max_relevance_anchors, replace=False)
    anchor_emb = x[anchors]
    neutral_max = (index.neutral_emb @ anchor_emb.T).max(axis=1)
    low = float(np.quantile(neutral_max, tuning.relevance_low))
    high = float(np.quantile(neutral_max, tuning.relevance_high))
    closest = np.empty(len(x))
    for start in range(0, len(x), chunk):
        closest[start:start + chunk] = (x[start:start + chunk] @ anchor_emb.T).max(axis=1)
    ramp = np.clip((closest - low) / max(high - low, 1e-6), 0.0, 1.0)
    return np.maximum(relevance, ramp)


def _fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The t for which softmax(t * logits) best predicts the soft labels `targets` (cross-entropy)."""
    from scipy.optimize import minimize_scalar

    def loss(log_t: float) -> float:
        z = np.exp(log_t) * logits
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-(targets * log_p).sum())

    return float(np.exp(minimize_scalar(loss, bounds=(-8.0, 3.0), method="bounded").x))


def _fit_stage_model(x: np.ndarray, probs: np.ndarray, relevance: np.ndarray, index: _StageIndex,
                     tuning: Tuning, labelled: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Probabilities from one Gaussian per stage, sharing one covariance, fitted to this corpus by EM.

    The framework's keywords, examples and description are labelled points that anchor each
    stage; the corpus's segments join them with the earlier layers' probabilities as soft labels
    (weighted by relevance, so small talk shapes no stage). Sharing a covariance between stages
    is linear discriminant analysis: directions along which the segments of one stage vary a
    lot (how people phrase things) count less than directions that separate stages, which plain
    cosine similarity weighs alike. The model's logits treat 384 correlated dimensions as
    independent evidence, so they are far too sharp; a temperature fitted to the current soft
    labels puts them on the same footing as the earlier layers, whose probabilities are
    multiplied in at every E-step (`stage_model_prior`) so the fit refines the zero-shot
    picture instead of drifting away from it.
    """
    n_stages = probs.shape[1]
    anchors = np.isin(index.phrase_kind, ("keyword", "example", "description"))
    points = np.vstack([index.phrase_emb[anchors], x]).astype(np.float64)
    anchor_labels = np.eye(n_stages)[index.phrase_stage[anchors]]
    if labelled is not None:  # segments whose stage probabilities are known (another encoder's)
        points = np.vstack([index.phrase_emb[anchors], labelled[0], x]).astype(np.float64)
        anchor_labels = np.vstack([anchor_labels, labelled[1]])
    corpus_weight = np.clip(relevance, 0.0, 1.0)[:, None]
    row_weight = np.concatenate([np.ones(len(anchor_labels)), corpus_weight[:, 0]])
    gram = (points * row_weight[:, None]).T @ points  # the same in every iteration
    dim = points.shape[1]
    corpus = points[len(anchor_labels):]
    log_prior = tuning.stage_model_prior * np.log(np.clip(probs, 1e-12, None))
    posterior = probs
    for _ in range(max(1, tuning.stage_model_iterations)):
        soft = np.vstack([anchor_labels, posterior * corpus_weight])
        mass = soft.sum(axis=0)
        means = (soft.T @ points) / np.maximum(mass, 1e-9)[:, None]
        # Within-stage scatter sum_ij w_ij (p_i - m_j)(p_i - m_j)^T = total - between, since each
        # row's soft labels sum to its weight: no pass over the points per iteration.
        scatter = gram - means.T @ (means * mass[:, None])
        cov = scatter / max(float(mass.sum()), 1e-9)
        shrink = tuning.stage_model_shrinkage
        cov = (1 - shrink) * cov + shrink * np.eye(dim) * np.trace(cov) / dim
        coef = np.linalg.solve(cov, means.T).T
        logits = corpus @ coef.T - 0.5 * np.einsum("kd,kd->k", coef, means)
        temperature = _fit_temperature(logits, posterior)
        posterior = _softmax(temperature * logits + log_prior)
    return posterior


def _check_dims(texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2 or len(embeddings) != len(texts):
        raise InputError(
            f"map_to_stages needs one embedding row per segment: got {len(texts)} segments and an "
            f"array of shape {embeddings.shape}."
        )
    return embeddings


def _check_inputs(texts: Sequence[str], embeddings: np.ndarray, index: _StageIndex) -> np.ndarray:
    embeddings = _check_dims(texts, embeddings)
    if len(texts) and embeddings.shape[1] != index.dim:
        raise InputError(
            f"The segment embeddings have {embeddings.shape[1]} dimensions but the framework texts were "
            f"embedded with {index.dim}: embed both with the same model."
        )
    return _normalise_rows(embeddings)


def _layer_probabilities(texts: Sequence[str], x: np.ndarray, index: _StageIndex, config: StageConfig,
                         tuning: Tuning, seed: int, labelled: tuple[np.ndarray, np.ndarray] | None = None,
                         ) -> tuple[np.ndarray, np.ndarray, float]:
    """Layers 1-3 of the module docstring on normalised embeddings `x`: (probabilities,
    relevance, the calibration power that suits them)."""
    score, closest = index.similarity(x, tuning)
    keywords = index.matcher.score(list(texts))
    if config.keyword_weight > 0:
        score = score + config.keyword_weight * tuning.keyword_scale * keywords
    relevance = index.relevance(closest, keywords.max(axis=1), tuning)
    if tuning.corpus_relevance:
        relevance = _corpus_relevance(x, relevance, index, tuning, seed)
    probs = _softmax(tuning.scale * score)
    n = len(x)
    if config.neighbor_weight > 0 and tuning.min_neighbours_corpus <= n <= tuning.max_neighbours_corpus:
        graph = _neighbour_graph(x, config.neighbors)
        start = probs
        for _ in range(max(1, tuning.neighbour_steps)):
            probs = (1 - config.neighbor_weight) * start + config.neighbor_weight * _neighbour_mean(graph, probs)
    power = tuning.zero_shot_calibration_power
    if config.self_training and n >= tuning.min_stage_model_corpus:
        probs = _fit_stage_model(x, probs, relevance, index, tuning, labelled)
        power = tuning.calibration_power
    return probs, relevance, power


def _finish(probs: np.ndarray, relevance: np.ndarray, theme_ids: np.ndarray | None, config: StageConfig,
            power: float) -> tuple[np.ndarray, np.ndarray]:
    """Layer 4 (themes) and the calibration of confidences."""
    if theme_ids is not None and config.theme_weight > 0:
        probs = _smooth_by_theme(probs, np.asarray(theme_ids), config.theme_weight)
        # A terse segment in a theme about the journey is about the journey too.
        relevance = np.maximum(relevance, _smooth_by_theme(relevance[:, None], np.asarray(theme_ids), 1.0)[:, 0])
    # The stage model's posterior counts the zero-shot evidence twice (as prior and through the
    # soft labels it was fitted to), so it is overconfident, while the zero-shot softmax is too
    # flat; a power makes a confidence of c right roughly c of the time on the evaluation sets
    # (scripts/eval_stages.py).
    probs = probs ** power
    return probs / probs.sum(axis=1, keepdims=True), relevance


def _map_probabilities(texts: Sequence[str], embeddings: np.ndarray, index: _StageIndex, config: StageConfig,
                       theme_ids: np.ndarray | None, tuning: Tuning, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities (n, n_stages), relevance (n,)) — the layers of the module docstring in order."""
    x = _check_inputs(texts, embeddings, index)
    if len(x) == 0:
        return np.zeros((0, len(index.stage_ids))), np.zeros(0)
    probs, relevance, power = _layer_probabilities(texts, x, index, config, tuning, seed)
    return _finish(probs, relevance, theme_ids, config, power)


def _sampled_probabilities(texts: Sequence[str], embeddings: np.ndarray, index: _StageIndex, sample: StageSample,
                           sample_index: _StageIndex, config: StageConfig, theme_ids: np.ndarray | None,
                           tuning: Tuning, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities when the stronger encoder saw only a sample (`voc_synth.stages.encoder`).

    The sample is mapped as a corpus of its own with the stronger encoder. The whole corpus is
    then mapped with the run's embeddings, and the stage model of that pass (layer 3) learns from
    the sample's stages: each sampled segment joins the framework's texts as a labelled point,
    its label the stronger encoder's probabilities. So the map from the run's embedding space to
    the stages is fitted to the stronger encoder's decisions on this corpus, and every segment
    is placed by it; sampled segments keep the stronger encoder's own probabilities.
    """
    x = _check_inputs(texts, embeddings, index)
    if len(x) == 0:
        return np.zeros((0, len(index.stage_ids))), np.zeros(0)
    positions = np.asarray(sample.positions, dtype=np.int64)
    sample_texts = [texts[i] for i in positions]
    xs = _check_inputs(sample_texts, sample.embeddings, sample_index)
    teacher, teacher_relevance, power = _layer_probabilities(sample_texts, xs, sample_index, config, tuning, seed)
    probs, relevance, _ = _layer_probabilities(texts, x, index, config, tuning, seed, (x[positions], teacher))
    probs[positions] = teacher
    relevance[positions] = teacher_relevance
    return _finish(probs, relevance, theme_ids, config, power)


def stage_probabilities(
    texts: Sequence[str],
    embeddings: np.ndarray,
    framework: Framework,
    config: StageConfig | None = None,
    theme_ids: Sequence[int] | None = None,
    encode: Encode | None = None,
    tuning: Tuning = DEFAULT_TUNING,
    seed: int = 0,
) -> np.ndarray:
    """An (n_segments, n_stages) array of stage probabilities (rows sum to 1), framework order.

    The layers described in the module docstring, in order; `theme_ids` (−1 = unthemed) turns on
    theme smoothing. (`map_to_stages` also discounts the confidence of segments that read like
    small talk; these probabilities do not.)
    """
    index = _StageIndex(framework, encode or _default_encode, tuning)
    ids = None if theme_ids is None else np.asarray(theme_ids)
    return _map_probabilities(texts, embeddings, index, config or StageConfig(), ids, tuning, seed)[0]


def _smooth_by_theme(probs: np.ndarray, theme_ids: np.ndarray, weight: float) -> np.ndarray:
    out = probs.copy()
    for theme in np.unique(theme_ids):
        if theme == UNTHEMED_ID or pd.isna(theme):
            continue
        members = theme_ids == theme
        out[members] = (1 - weight) * probs[members] + weight * probs[members].mean(axis=0)
    return out


def plain_similarity_scores(embeddings: np.ndarray, framework: Framework, encode: Encode | None = None) -> np.ndarray:
    """The simple baseline: cosine similarity to each stage's text joined into one passage."""
    encode = encode or _default_encode
    stage_emb = _normalise_rows(np.asarray(encode([s.text for s in framework.stages])))
    return _normalise_rows(np.asarray(embeddings)) @ stage_emb.T


@dataclass
class StageResult:
    """What `map_to_stages` found.

    segment_stages: aligned with the segments (same index): `stage` (a stage id or "unmapped"),
        `stage_confidence` (0..1: the winning stage's probability, discounted when the segment
        reads like small talk), `best_stage` (the winner even when it fell below the threshold,
        for review) and `stage_relevance` (0..1: how far the segment is from small talk).
    theme_stages: one row per theme: `theme_id`, `primary_stage`, `stage_confidence`,
        `spans_stages`, `secondary_stage`, `distribution` ({stage id: share of the theme's mapped
        segments}), `n_segments`, `n_unmapped`.
    stages: the framework's stages in order with `n_segments`, `share`, `n_themes`,
        `mean_confidence` (and `mean_sentiment` when the segments carry sentiment).
    probabilities: the (n_segments, n_stages) stage probabilities, columns in `stage_ids` order.
    """

    segment_stages: pd.DataFrame
    theme_stages: pd.DataFrame
    stages: pd.DataFrame
    framework: Framework
    probabilities: np.ndarray = field(repr=False)
    min_confidence: float = 0.35

    @property
    def stage_ids(self) -> list[str]:
        return self.framework.stage_ids

    @property
    def n_unmapped(self) -> int:
        return int((self.segment_stages["stage"] == UNMAPPED_STAGE).sum())

    @property
    def share_unmapped(self) -> float:
        n = len(self.segment_stages)
        return self.n_unmapped / n if n else 0.0

    def scores_frame(self) -> pd.DataFrame:
        """The stage probabilities as a DataFrame (one column per stage id), aligned with the segments."""
        return pd.DataFrame(self.probabilities, index=self.segment_stages.index, columns=self.stage_ids)

    def _repr_html_(self) -> str:
        n = len(self.segment_stages)
        head = (f"<p><b>Journey stages</b> — framework <code>{escape(self.framework.name)}</code>, "
                f"{n} segments, {self.n_unmapped} unmapped ({self.share_unmapped:.0%}) below confidence "
                f"{self.min_confidence:.2f}, {len(self.theme_stages)} themes placed</p>")
        cols = [c for c in ("stage_id", "name", "n_segments", "share", "n_themes", "mean_confidence",
                            "mean_sentiment") if c in self.stages.columns]
        return head + self.stages[cols].to_html(index=False, float_format=lambda v: f"{v:.2f}")


def _theme_table(theme_ids: np.ndarray, stage: np.ndarray, probs: np.ndarray, stage_ids: list[str],
                 config: StageConfig, all_themes: Sequence[int] | None) -> pd.DataFrame:
    columns = ["theme_id", "primary_stage", "stage_confidence", "spans_stages", "secondary_stage",
               "distribution", "n_segments", "n_unmapped"]
    themes = sorted({int(t) for t in theme_ids if not pd.isna(t) and int(t) != UNTHEMED_ID}
                    | {int(t) for t in (all_themes or []) if int(t) != UNTHEMED_ID})
    rows = []
    for theme in themes:
        members = theme_ids == theme
        n = int(members.sum())
        if n == 0:
            rows.append(dict(theme_id=theme, primary_stage=UNMAPPED_STAGE, stage_confidence=0.0,
                             spans_stages=False, secondary_stage=None, distribution={}, n_segments=0,
                             n_unmapped=0))
            continue
        mean = probs[members].mean(axis=0)
        mapped = stage[members][stage[members] != UNMAPPED_STAGE]
        counts = pd.Series(mapped).value_counts()
        # Framework order, then by count: the distribution reads like the journey.
        distribution = {s: float(counts[s] / len(mapped)) for s in stage_ids if s in counts.index}
        if len(mapped):
            ranked = sorted(distribution, key=lambda s: (-counts[s], -mean[stage_ids.index(s)]))
            primary = ranked[0]
            secondary = ranked[1] if len(ranked) > 1 else None
            spans = bool(secondary is not None and counts[secondary] >= 2
                         and counts[secondary] >= config.spans_ratio * counts[primary])
            confidence = float(mean[stage_ids.index(primary)])
        else:
            primary, secondary, spans, confidence = UNMAPPED_STAGE, None, False, float(mean.max())
        rows.append(dict(theme_id=theme, primary_stage=primary, stage_confidence=round(confidence, 4),
                         spans_stages=spans, secondary_stage=secondary, distribution=distribution,
                         n_segments=n, n_unmapped=int(n - len(mapped))))
    return pd.DataFrame(rows, columns=columns)


def _stage_table(framework: Framework, segments: pd.DataFrame, stage: np.ndarray, confidence: np.ndarray,
                 theme_stages: pd.DataFrame) -> pd.DataFrame:
    n = len(stage)
    rows = []
    for order, s in enumerate(framework.stages, start=1):
        mine = stage == s.id
        row: dict[str, Any] = dict(
            stage_id=s.id, order=order, name=s.name, description=s.description, goal=s.goal,
            touchpoints=list(s.touchpoints), n_segments=int(mine.sum()),
            share=float(mine.sum() / n) if n else 0.0,
            n_themes=int((theme_stages["primary_stage"] == s.id).sum()) if len(theme_stages) else 0,
            mean_confidence=float(confidence[mine].mean()) if mine.any() else float("nan"),
        )
        if "sentiment" in segments.columns:
            values = pd.to_numeric(segments["sentiment"], errors="coerce").to_numpy()[mine]
            row["mean_sentiment"] = float(np.nanmean(values)) if mine.any() and not np.isnan(values).all() else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def map_to_stages(
    segments: pd.DataFrame,
    embeddings: np.ndarray,
    framework: Framework,
    config: StageConfig | None = None,
    themes: pd.DataFrame | None = None,
    encode: Encode | None = None,
    *,
    seed: int = 0,
    tuning: Tuning | None = None,
    sample: StageSample | None = None,
) -> StageResult:
    """Place every segment (and theme) on a stage of `framework`.

    `segments` needs a `text` column and, when themes ran, `theme_id` (−1 = unthemed).
    `embeddings` are the L2-normalised sentence embeddings of `segments.text`, one row each, and
    `encode(texts)` embeds the framework's texts with the same model. Without `encode`, the
    embeddings are taken to come from the default embedding settings and the stage encoder is
    chosen as a pipeline run chooses it (`config.encoder`, see `voc_synth.stages.encoder`): with
    "auto" a small corpus is embedded again with the stronger stage encoder when it is installed.
    `themes` (optional) lists the themes to report, so themes with no segments still get a row.
    `sample` (from `choose_stage_encoder` on a corpus larger than the stronger encoder's budget):
    that encoder's embeddings of a sample of the segments; the sample is placed with them and a
    map learnt from its stages places the rest from `embeddings`.
    """
    config = config or StageConfig()
    tuning = tuning or DEFAULT_TUNING
    if "text" not in segments.columns:
        raise InputError("map_to_stages needs a 'text' column in segments.")
    texts = segments["text"].fillna("").astype(str).tolist()
    if encode is None:
        from ..config import EmbeddingConfig
        from .encoder import choose_stage_encoder

        chosen = choose_stage_encoder(texts, _check_dims(texts, embeddings), config, EmbeddingConfig())
        embeddings, encode, sample = chosen.embeddings, chosen.encode, chosen.sample
    index = _StageIndex(framework, encode, tuning)
    theme_ids = None
    if "theme_id" in segments.columns:
        theme_ids = pd.to_numeric(segments["theme_id"], errors="coerce").fillna(UNTHEMED_ID).astype(int).to_numpy()
    if sample is not None and len(sample.positions):
        probs, relevance = _sampled_probabilities(texts, embeddings, index, sample,
                                                  _StageIndex(framework, sample.encode, tuning), config,
                                                  theme_ids, tuning, seed)
    else:
        probs, relevance = _map_probabilities(texts, embeddings, index, config, theme_ids, tuning, seed)
    stage_ids = framework.stage_ids
    if len(probs):
        best = np.array(stage_ids, dtype=object)[probs.argmax(axis=1)]
        confidence = probs.max(axis=1) * relevance
    else:
        best, confidence = np.array([], dtype=object), np.array([], dtype=float)
    stage = np.where(confidence >= config.min_confidence, best, UNMAPPED_STAGE).astype(object)
    segment_stages = pd.DataFrame(
        {"stage": stage, "stage_confidence": np.round(confidence, 4), "best_stage": best,
         "stage_relevance": np.round(relevance, 4)},
        index=segments.index,
    )
    listed = None
    if themes is not None and "theme_id" in themes.columns:
        listed = pd.to_numeric(themes["theme_id"], errors="coerce").dropna().astype(int).tolist()
    theme_stages = _theme_table(theme_ids if theme_ids is not None else np.full(len(stage), UNTHEMED_ID),
                                stage, probs, stage_ids, config, listed)
    stages = _stage_table(framework, segments, stage, confidence, theme_stages)
    return StageResult(segment_stages, theme_stages, stages, framework, probs, config.min_confidence)


def with_tuning(**changes: Any) -> Tuning:
    """A copy of the default tuning with some constants changed (for evaluation scripts)."""
    return replace(DEFAULT_TUNING, **changes)
