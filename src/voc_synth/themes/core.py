"""`find_themes()`: segments + embeddings → themes, assignments, groups and centroids.

Steps: choose size-scaled parameters → code the segments a codebook describes (`codebook.py`,
deductive mode) or let BERTopic take the codes as zero-shot topics (guided mode) → fit BERTopic
(UMAP + HDBSCAN) → split any theme holding more than a quarter of the segments, at the grain
that is most stable under subsampling (`split.py`) → optionally merge down to `n_themes` →
reassign outliers that are close enough to a theme → final keyword representation (c-TF-IDF →
KeyBERTInspired → MMR) → names (`naming.py`) →
groups from the topic hierarchy → per-theme counts. Corpora too small or too uniform for UMAP +
HDBSCAN fall back to agglomerative clustering or a single theme, always with a warning.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import EmbeddingConfig, ThemeConfig
from ..embed import ProgressAdapter
from ..errors import ConfigError, InputError, MissingModelError
from ..tables import UNTHEMED_ID
from .codebook import (
    CodeAssignment,
    anchor_scores,
    assign_codes,
    in_context,
    learn_codes,
    refine_anchors,
)
from .hierarchy import assign_groups
from .labels import clean_keywords
from .naming import make_namer, name_groups, unique_names
from .params import MAX_SEGMENTS_SINGLE_THEME, ThemeParams, resolve_params
from .reduce import reduction_cache_dir
from .split import SplitReport, split_giant_themes

THEME_COLUMNS = [
    "theme_id", "label", "keywords", "group_id", "group_label", "n_segments", "n_documents",
    "n_participants", "source_mix", "centroid_similarity", "is_codebook", "codebook_stage",
]
ASSIGNMENT_COLUMNS = ["theme_id", "theme_label", "theme_probability", "theme_similarity"]
UNTHEMED_LABEL = "Unthemed"
# A cluster joins a codebook theme when most of its segments match it at this much below
# `codebook_min_similarity` (see `_absorb_into_codebook`).
CODEBOOK_CLUSTER_MARGIN = 0.15


@dataclass
class ThemeResult:
    """What `find_themes` found.

    `assignments` (index aligned with the segments): theme_id (-1 = unthemed), theme_label,
    theme_probability (HDBSCAN membership, zero-shot similarity, or — for a reassigned outlier —
    its similarity to the theme centroid; 0 when unthemed) and theme_similarity (cosine to the
    theme centroid). `themes`: one row per theme, largest first. `centroids`: one normalised
    mean embedding per row of `themes`. `model`: the fitted BERTopic, for its visualisations.
    """

    assignments: pd.DataFrame
    themes: pd.DataFrame
    model: Any | None
    warnings: list[str]
    centroids: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def n_unthemed(self) -> int:
        return int((self.assignments["theme_id"] == UNTHEMED_ID).sum())

    @property
    def unthemed_share(self) -> float:
        return self.n_unthemed / len(self.assignments) if len(self.assignments) else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "n_segments": len(self.assignments),
            "n_themes": len(self.themes),
            "n_groups": int(self.themes["group_id"].nunique()) if len(self.themes) else 0,
            "n_unthemed": self.n_unthemed,
            "unthemed_share": round(self.unthemed_share, 4),
            "method": self.params.get("method"),
            "seconds": round(self.seconds, 2),
        }

    def _repr_html_(self) -> str:
        s = self.summary()
        head = (f"<p><b>{s['n_themes']} themes</b> in {s['n_groups']} groups over {s['n_segments']} "
                f"segments; {s['n_unthemed']} unthemed ({s['unthemed_share']:.0%}).</p>")
        cols = ["theme_id", "label", "group_label", "n_segments", "n_documents", "n_participants"]
        table = self.themes[cols].to_html(index=False, escape=True) if len(self.themes) else ""
        notes = "".join(f"<li>{_escape(w)}</li>" for w in self.warnings)
        return head + table + (f"<ul>{notes}</ul>" if notes else "")


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))


def _validate(segments: pd.DataFrame, embeddings: np.ndarray) -> np.ndarray:
    if not isinstance(segments, pd.DataFrame):
        raise InputError(f"find_themes needs the segments as a pandas DataFrame, got {type(segments).__name__}.")
    if "text" not in segments.columns:
        raise InputError("The segments table has no 'text' column; pass the table `segment` produced.")
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2 or len(embeddings) != len(segments):
        raise InputError(
            f"Got {len(segments)} segments but embeddings of shape {embeddings.shape}; pass one "
            "embedding row per segment (embed_texts(segments['text'].tolist(), ...))."
        )
    if not np.isfinite(embeddings).all():
        raise InputError("The embeddings contain NaN or infinite values; re-run the embedding step.")
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    return embeddings / np.where(norms > 0, norms, 1.0)


def _column(segments: pd.DataFrame, name: str, default: str = "") -> pd.Series:
    if name in segments.columns:
        return segments[name].fillna(default).astype(str)
    return pd.Series([default] * len(segments), index=segments.index, dtype=object)


def find_themes(
    segments: pd.DataFrame,
    embeddings: np.ndarray,
    config: ThemeConfig | None = None,
    seed: int = 42,
    progress: Any = None,
    embedding_config: EmbeddingConfig | None = None,
) -> ThemeResult:
    """Find themes among `segments` (at least a `text` column; `doc_id`, `participant` and
    `source_type` are used for counts) from their `embeddings` (one row per segment).

    Deterministic for a given `seed`. `embedding_config` names the model that produced the
    embeddings (default: the default model); it embeds codebook examples and keyword candidates.
    `progress`: a ProgressFactory or an `advance(n)` callable, counted in segments.
    """
    started = time.perf_counter()
    config = config or ThemeConfig()
    embedding_config = embedding_config or EmbeddingConfig()
    unit = _validate(segments, embeddings)
    n = len(segments)
    docs = _column(segments, "text").tolist()
    warnings: list[str] = []
    tracker = ProgressAdapter(progress, n, "Finding themes")
    try:
        if config.n_themes is not None and config.codebook and config.n_themes <= len(config.codebook):
            raise ConfigError(
                f"themes.n_themes ({config.n_themes}) must be larger than the number of codebook "
                f"themes ({len(config.codebook)}): codebook themes are kept and only the others "
                "are merged, so raise n_themes or shorten the codebook."
            )
        if n == 0:
            warnings.append("No segments to find themes in.")
            return _empty_result(segments, unit, warnings, started)

        distinct = len({d.strip().lower() for d in docs})
        single = distinct <= 1 or np.allclose(unit, unit[0], atol=1e-4)
        params = resolve_params(n, config, single=single)
        if params.method == "single":
            why = "all segments say the same thing" if single and n > 1 else f"only {n} segment(s)"
            warnings.append(f"Too little to find themes in ({why}); all {n} segments form one theme.")
        elif params.method == "agglomerative":
            warnings.append(
                f"Only {n} segments: themes come from a simple similarity clustering instead of "
                "UMAP + HDBSCAN, so treat them as a first sketch."
            )

        embedder = _make_embedder(embedding_config, config, unit, warnings)
        if config.codebook and config.codebook_mode == "deductive" and embedder is not None and params.method != "single":
            model, topics, probs, params, coded = _fit_with_codebook(
                config, seed, embedder, docs, unit, _questions(segments), warnings,
                reduction_cache_dir(embedding_config))
        else:
            model, topics, probs, params = _fit(params, config, seed, embedder, docs, unit, warnings,
                                                reduction_cache_dir(embedding_config))
            coded = None
        tracker.to(0.5)
        split_report = None
        if params.method == "bertopic":
            topics, split_report = split_giant_themes(
                unit, topics, params.min_cluster_size, seed, reduction_cache_dir(embedding_config),
                keep=set(_zeroshot_map(model)))
            _warn_unsplittable(split_report, len(topics), warnings)
        topics = _absorb_into_codebook(model, config, embedder, unit, topics)
        topics = _merge_to_n_themes(model, params, unit, topics)
        topics, probs, reassigned = _reduce_outliers(model, params, docs, unit, topics, probs)
        # Final ids: largest theme first, identical in our tables and in the BERTopic model.
        topics = _renumber(model, topics, _zeroshot_map(model))
        _represent(model, config, docs, topics, embedder, warnings)
        tracker.to(0.8)
        result = _assemble(model, config, segments, docs, unit, topics, probs, reassigned,
                           params, warnings, embedder)
        if split_report is not None:
            result.params["split"] = split_report.to_dict()
        if coded is not None:
            result.params["codebook_coded"] = coded.n_coded
        result.seconds = time.perf_counter() - started
        return result
    finally:
        tracker.close()


def _warn_unsplittable(report: SplitReport, n: int, warnings: list[str]) -> None:
    for size in report.unsplittable:
        warnings.append(
            f"One theme holds {size} of {n} segments ({size / n:.0%}) and no stable finer split exists: "
            "these segments really are about one thing. Set themes.min_theme_size lower to force a finer grain.")


def _make_embedder(embedding_config: EmbeddingConfig, config: ThemeConfig, unit: np.ndarray,
                   warnings: list[str]) -> Any:
    from ..embed import open_cache
    from .model import CachedEmbedder

    try:
        cache = open_cache(embedding_config)
        embedder = CachedEmbedder(embedding_config, cache=cache, codebook=config.codebook)
        probe = embedder.embed(["delivery"])
    except MissingModelError as err:
        if config.codebook:
            raise
        warnings.append(f"Keywords come from c-TF-IDF only: the embedding model is unavailable ({err}).")
        return None
    if probe.shape[1] != unit.shape[1]:
        raise ConfigError(
            f"The embeddings have {unit.shape[1]} dimensions but the embedding model "
            f"'{embedding_config.model}' gives {probe.shape[1]}; pass the embedding config that "
            "produced them (find_themes(..., embedding_config=config.embedding))."
        )
    return embedder


def _fit(params: ThemeParams, config: ThemeConfig, seed: int, embedder: Any, docs: list[str],
         unit: np.ndarray, warnings: list[str], reduction_cache: Path | None = None,
         ) -> tuple[Any, np.ndarray, np.ndarray, ThemeParams]:
    """Fit BERTopic, falling back to simpler clusterings when a step cannot run."""
    from dataclasses import replace

    from .model import make_topic_model, quiet

    attempts = [params]
    if params.method == "bertopic":
        attempts.append(replace(params, method="agglomerative", min_cluster_size=2))
    if params.method != "single":
        attempts.append(replace(params, method="single"))
    last_error: Exception | None = None
    for attempt in attempts:
        for use_stop_words in (True, False):
            fixed = np.zeros(len(docs), dtype=int)
            model = make_topic_model(attempt, config, seed, embedder, fixed_labels=fixed,
                                     use_stop_words=use_stop_words, reduction_cache=reduction_cache)
            try:
                with quiet():
                    topics, probs = model.fit_transform(docs, embeddings=unit.copy())
                    topics = np.asarray(topics, dtype=int)
            except ValueError as err:
                last_error = err
                if "vocabulary" in str(err) and use_stop_words:
                    continue  # only stop words: retry keeping them
                break
            except (TypeError, IndexError, np.linalg.LinAlgError) as err:
                last_error = err
                break
            if attempt is not params:
                warnings.append(f"{params.method} clustering failed ({last_error}); used {attempt.method} instead.")
            if not use_stop_words:
                warnings.append("The segments contain only stop words; keywords include them.")
            probs = np.asarray(probs if probs is not None else np.ones(len(docs)), dtype=float)
            if probs.ndim > 1:
                probs = probs.max(axis=1)
            return model, topics, probs, attempt
    raise InputError(f"Could not find themes in these segments: {last_error}")


def _questions(segments: pd.DataFrame) -> list[str]:
    """The interviewer's question each segment answers ("" where none)."""
    if "question" not in segments.columns:
        return [""] * len(segments)
    return ["" if pd.isna(q) else str(q).strip() for q in segments["question"]]


def _fit_with_codebook(config: ThemeConfig, seed: int, embedder: Any, docs: list[str], unit: np.ndarray,
                       questions: list[str], warnings: list[str], reduction_cache: Path | None,
                       ) -> tuple[Any, np.ndarray, np.ndarray, ThemeParams, CodeAssignment]:
    """Deductive then inductive: the codebook codes what it describes (`codebook.assign_codes`,
    segments read with the question they answer, codes learned from the examples when there are
    enough), BERTopic finds themes among the rest. Code k is theme k; found themes follow. The
    model's zero-shot map is set as BERTopic's own zero-shot step would, so the rest of the step
    treats codes as codebook themes."""
    anchors = np.stack([embedder.anchor(e.name) for e in config.codebook])
    has_question = np.array([bool(q) for q in questions], dtype=bool)
    context = unit
    if has_question.any():
        asked = sorted({q for q in questions if q})
        vectors = embedder.embed(asked)
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        row = {q: i for i, q in enumerate(asked)}
        question_unit = np.zeros_like(unit)
        question_unit[has_question] = vectors[[row[q] for q in questions if q]]
        context = in_context(unit, question_unit, has_question)
    code_texts = [e.texts for e in config.codebook]
    coder = learn_codes([embedder.code_vectors(e.name) for e in config.codebook], code_texts)
    if coder is None:
        anchors = refine_anchors(context, anchors)
        scores = anchor_scores(context, anchors, code_texts, docs, questions)
    else:
        scores = coder.predict_proba(context, docs, questions)
    coded = assign_codes(context, anchors, config.codebook_min_similarity, config.codebook_min_z,
                         config.codebook_margin, scores=scores)
    rest = np.flatnonzero(coded.codes == UNTHEMED_ID)
    inductive = config.model_copy(update={"codebook": []})
    k = len(config.codebook)
    topics = coded.codes.copy()
    probs = coded.similarity.astype(float)
    if len(rest) > MAX_SEGMENTS_SINGLE_THEME:
        params = resolve_params(len(rest), inductive)
        model, found, found_probs, params = _fit(params, inductive, seed, embedder, [docs[i] for i in rest],
                                                 unit[rest], warnings, reduction_cache)
        topics[rest] = np.where(found != UNTHEMED_ID, found + k, UNTHEMED_ID)
        probs[rest] = found_probs
    else:  # the codebook took (nearly) everything: a model only to carry the representation
        params = resolve_params(len(docs), inductive, single=True)
        model, _, _, _ = _fit(params, inductive, seed, embedder, docs, unit, warnings, reduction_cache)
    model.zeroshot_topic_list = [e.name for e in config.codebook]
    model._topic_id_to_zeroshot_topic_idx = {j: j for j in range(k) if (topics == j).any()}
    return model, topics, probs, params, coded


def _absorb_into_codebook(model: Any, config: ThemeConfig, embedder: Any, unit: np.ndarray,
                          topics: np.ndarray) -> np.ndarray:
    """Apply the codebook at theme level too.

    BERTopic's zero-shot step assigns *segments* that are similar enough to a codebook theme;
    the rest are clustered, and may form a cluster about that very theme (its segments phrased
    less like the examples). Such a cluster is merged into the codebook theme, or becomes it
    when no segment matched it directly. A cluster qualifies when its centroid reaches
    `codebook_min_similarity` against the codebook anchor *and* most of its segments have that
    codebook theme as their best match at a relaxed similarity (minus `CODEBOOK_CLUSTER_MARGIN`)
    — the second condition keeps a broad cluster whose average merely leans towards the
    anchor from being swallowed. Topics are then renumbered 0..K-1 (codebook themes first), as
    BERTopic's hierarchy expects, and the model's zero-shot map is updated to match.
    """
    if not config.codebook or embedder is None:
        return topics
    names = [e.name for e in config.codebook]
    anchors = np.stack([embedder.anchor(n) for n in names])
    best_code = (unit @ anchors.T).argmax(axis=1)
    best_sim = (unit @ anchors.T).max(axis=1)
    relaxed = config.codebook_min_similarity - CODEBOOK_CLUSTER_MARGIN
    code_of: dict[int, int] = {int(t): int(j) for t, j in _zeroshot_map(model).items()}
    topic_of_code = {j: t for t, j in code_of.items()}
    ids = sorted(set(topics.tolist()) - {UNTHEMED_ID})
    topics = topics.copy()
    for t in ids:
        if t in code_of:
            continue
        members = topics == t
        centroid = unit[members].mean(axis=0)
        sims = anchors @ (centroid / (np.linalg.norm(centroid) or 1.0))
        j = int(np.argmax(sims))
        if sims[j] < config.codebook_min_similarity:
            continue
        if np.mean((best_code[members] == j) & (best_sim[members] >= relaxed)) < 0.5:
            continue
        if j in topic_of_code:
            topics[topics == t] = topic_of_code[j]
        else:
            code_of[t], topic_of_code[j] = j, t
    return _renumber(model, topics, code_of)


def _renumber(model: Any, topics: np.ndarray, code_of: dict[int, int]) -> np.ndarray:
    """Topic ids 0..K-1 by size, largest first (ties: earlier id first), with the model's
    zero-shot map following. BERTopic's hierarchy and plots expect contiguous ids."""
    remaining = sorted(set(topics.tolist()) - {UNTHEMED_ID}, key=lambda t: (-int((topics == t).sum()), t))
    new_id = {t: i for i, t in enumerate(remaining)}
    renumbered = np.array([new_id.get(int(t), UNTHEMED_ID) for t in topics], dtype=int)
    model._topic_id_to_zeroshot_topic_idx = {new_id[t]: j for t, j in code_of.items() if t in new_id}
    return renumbered


def _merge_to_n_themes(model: Any, params: ThemeParams, unit: np.ndarray, topics: np.ndarray) -> np.ndarray:
    """Merge themes down to `n_themes` the way BERTopic's `reduce_topics` does (average-linkage
    agglomeration of the theme centroids by cosine distance, each merged theme keeping the id
    of its largest part), except that codebook themes are never merged away: the researcher
    named them. (BERTopic's own reduction would fold other topics into a codebook topic and
    keep its name.)"""
    from sklearn.cluster import AgglomerativeClustering

    ids = sorted(set(topics.tolist()) - {UNTHEMED_ID})
    if params.n_themes is None or len(ids) <= params.n_themes:
        return topics
    code_of = {int(t): int(j) for t, j in _zeroshot_map(model).items()}
    free = [t for t in ids if t not in code_of]
    target = max(1, params.n_themes - len(code_of))
    if len(free) <= target:
        return topics
    cents = _centroids(unit, topics, free)
    distance = np.clip(1.0 - cents @ cents.T, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    groups = AgglomerativeClustering(n_clusters=target, metric="precomputed",
                                     linkage="average").fit(distance).labels_
    topics = topics.copy()
    sizes = {t: int((topics == t).sum()) for t in free}
    for g in set(groups.tolist()):
        members = [t for t, label in zip(free, groups, strict=True) if label == g]
        keep = max(members, key=lambda t: (sizes[t], -t))
        for t in members:
            topics[topics == t] = keep
    return _renumber(model, topics, code_of)


def _zeroshot_map(model: Any) -> dict[int, int]:
    return dict(getattr(model, "_topic_id_to_zeroshot_topic_idx", {}) or {})


def _centroids(unit: np.ndarray, topics: np.ndarray, ids: list[int]) -> np.ndarray:
    if not ids:
        return np.zeros((0, unit.shape[1]), dtype=np.float32)
    rows = [unit[topics == t].mean(axis=0) for t in ids]
    c = np.stack(rows).astype(np.float32)
    return c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)


def _reduce_outliers(model: Any, params: ThemeParams, docs: list[str], unit: np.ndarray,
                     topics: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BERTopic's `reduce_outliers(strategy="embeddings")`: an outlier joins the theme whose
    centroid it is most similar to, if that similarity reaches the threshold."""
    reassigned = np.zeros(len(topics), dtype=bool)
    ids = sorted(set(topics.tolist()) - {UNTHEMED_ID})
    if params.outlier_threshold is None or not ids or UNTHEMED_ID not in topics:
        return topics, probs, reassigned
    # The model's topic embeddings must be the centroids of the current assignment (BERTopic
    # computes them so at fit time; after a reduce_topics they are size-weighted means).
    _set_topic_embeddings(model, unit, topics, ids)
    # BERTopic reads "are there outliers" from its topic sizes, which describe its own fit; a
    # split or a deductive fit can leave outliers where the fit had none (it would refuse with
    # "No outliers to reduce", and skip the wrong row of topic_embeddings_).
    model.topic_sizes_ = dict(Counter(int(t) for t in topics))
    new = np.asarray(model.reduce_outliers(docs, topics.tolist(), strategy="embeddings",
                                           embeddings=unit, threshold=params.outlier_threshold), dtype=int)
    reassigned = (topics == UNTHEMED_ID) & (new != UNTHEMED_ID)
    if reassigned.any():
        cents = _centroids(unit, topics, ids)
        index = {t: i for i, t in enumerate(ids)}
        sims = np.einsum("ij,ij->i", unit[reassigned], cents[[index[t] for t in new[reassigned]]])
        probs = probs.copy()
        probs[reassigned] = np.clip(sims, 0.0, 1.0)
    return new, probs, reassigned


def _set_topic_embeddings(model: Any, unit: np.ndarray, topics: np.ndarray, ids: list[int]) -> None:
    rows = [unit[topics == t].mean(axis=0) for t in ids]
    if UNTHEMED_ID in topics:
        rows.insert(0, unit[topics == UNTHEMED_ID].mean(axis=0))
    model.topic_embeddings_ = np.stack(rows)


def _represent(model: Any, config: ThemeConfig, docs: list[str], topics: np.ndarray,
               embedder: Any, warnings: list[str]) -> bool:
    """Recompute c-TF-IDF on the final assignments and fine-tune keywords once (KeyBERTInspired
    then MMR). Returns False when only c-TF-IDF keywords could be made."""
    from .model import make_representation, quiet

    representation = make_representation(config) if embedder is not None else None
    with quiet():
        try:
            model.update_topics(docs, topics=topics.tolist(), top_n_words=config.n_keywords,
                                vectorizer_model=model.vectorizer_model, ctfidf_model=model.ctfidf_model,
                                representation_model=representation)
            return True
        except Exception as err:  # noqa: BLE001 - keywords can always fall back to c-TF-IDF
            warnings.append(f"Keyword fine-tuning failed ({err}); keywords are plain c-TF-IDF.")
            model.update_topics(docs, topics=topics.tolist(), top_n_words=config.n_keywords,
                                vectorizer_model=model.vectorizer_model, ctfidf_model=model.ctfidf_model,
                                representation_model=None)
            return False


def _codebook_topics(model: Any) -> dict[int, str]:
    mapping = _zeroshot_map(model)
    names = getattr(model, "zeroshot_topic_list", None) or []
    return {int(t): names[i] for t, i in mapping.items() if 0 <= i < len(names)}


def _assemble(model: Any, config: ThemeConfig, segments: pd.DataFrame, docs: list[str],
              unit: np.ndarray, topics: np.ndarray, probs: np.ndarray, reassigned: np.ndarray,
              params: ThemeParams, warnings: list[str], embedder: Any) -> ThemeResult:
    from .model import quiet

    ids = sorted(set(topics.tolist()) - {UNTHEMED_ID})
    codebook = _codebook_topics(model)
    stages = {e.name: e.stage for e in config.codebook}
    doc_ids = _column(segments, "doc_id")
    participants = _column(segments, "participant")
    sources = _column(segments, "source_type", "unknown")

    keywords: list[list[str]] = []
    for t in ids:
        words = [w for w, _ in (model.get_topic(t) or []) if w]
        words = clean_keywords(words, config.stop_words) or words
        keywords.append(words[: config.n_keywords])
    namer = make_namer(config.namer, config.namer_model, config.namer_timeout)
    names = namer.name_themes(docs, topics, ids, unit, keywords, embedder, warnings)
    for i, t in enumerate(ids):
        if t in codebook:
            names[i].label, names[i].source = codebook[t], "codebook"
    labels = unique_names(names)
    phrases_of = [[p.text for p in n.phrases[:10]] or keywords[i] for i, n in enumerate(names)]

    # Topic ids are already 0..K-1, largest first (`_renumber`): theme_id == BERTopic topic id.
    centroids = _centroids(unit, topics, ids)
    _set_topic_embeddings(model, unit, topics, ids)

    rows = []
    for i, t in enumerate(ids):
        mask = topics == t
        mix = Counter(sources[mask].tolist())
        rows.append({
            "theme_id": t,
            "label": labels[i],
            "keywords": keywords[i],
            "n_segments": int(mask.sum()),
            "n_documents": int(doc_ids[mask].replace("", np.nan).nunique()) or int(mask.sum()),
            "n_participants": int(participants[mask].replace("", np.nan).nunique()),
            "source_mix": {str(s): int(c) for s, c in sorted(mix.items())},
            "centroid_similarity": float(np.round((unit[mask] @ centroids[i]).mean(), 4)),
            "is_codebook": t in codebook,
            "codebook_stage": stages.get(codebook[t]) if t in codebook else None,
            "_topic": t,
            "_phrases": phrases_of[i],
        })
    themes = pd.DataFrame(rows, columns=[*THEME_COLUMNS, "_topic", "_phrases"])
    # Keep None (not NaN) for themes outside the codebook.
    themes["codebook_stage"] = pd.Series([r["codebook_stage"] for r in rows], dtype=object)
    if len(themes):
        with quiet():
            grouped = assign_groups(model if params.method != "single" else None, docs, themes,
                                    n_groups=config.n_groups, warnings=warnings,
                                    centroids=centroids, embedder=embedder)
        themes["group_id"] = grouped["group_id"].to_numpy()
        group_names = name_groups(themes["group_id"].tolist(), themes["n_segments"].tolist(), names,
                                  labels, centroids, embedder)
        themes["group_label"] = [group_names[g] for g in themes["group_id"]]
    themes = themes.drop(columns=["_topic", "_phrases"])
    themes["group_id"] = themes["group_id"].astype(int) if len(themes) else themes["group_id"]

    assigned_ids = topics
    label_of = dict(zip(themes["theme_id"], themes["label"], strict=True))
    sims = np.zeros(len(topics), dtype=float)
    themed = assigned_ids != UNTHEMED_ID
    if themed.any():
        sims[themed] = np.einsum("ij,ij->i", unit[themed], centroids[assigned_ids[themed]])
    assignments = pd.DataFrame({
        "theme_id": assigned_ids,
        "theme_label": [label_of.get(int(t), UNTHEMED_LABEL) for t in assigned_ids],
        "theme_probability": np.where(themed, np.clip(probs, 0.0, 1.0), 0.0).round(4),
        "theme_similarity": sims.round(4),
    }, index=segments.index)

    if config.codebook:
        matched = set(codebook.values())
        for entry in config.codebook:
            if entry.name not in matched:
                warnings.append(
                    f"Codebook theme '{entry.name}' matched no segments (similarity below "
                    f"{config.codebook_min_similarity}); add examples or lower themes.codebook_min_similarity."
                )
    n_out = int((assigned_ids == UNTHEMED_ID).sum())
    if n_out:
        why = (f"not close enough to any theme (outlier_threshold={params.outlier_threshold})"
               if params.outlier_threshold is not None else "left out by the clustering "
               "(outlier reassignment is off: themes.reduce_outliers)")
        warnings.append(f"{n_out} of {len(topics)} segments ({n_out / len(topics):.0%}) are unthemed: {why}.")
    if params.n_themes is not None and len(themes) < params.n_themes and params.method != "single":
        warnings.append(f"Asked for {params.n_themes} themes; the data supports {len(themes)}.")
    model.set_topic_labels({t: labels[i] for i, t in enumerate(ids)})
    info = params.to_dict() | {"n_reassigned": int(reassigned.sum())}
    return ThemeResult(assignments=assignments, themes=themes.reset_index(drop=True), model=model,
                       warnings=warnings, centroids=centroids, params=info)


def _empty_result(segments: pd.DataFrame, unit: np.ndarray, warnings: list[str], started: float) -> ThemeResult:
    assignments = pd.DataFrame({
        "theme_id": pd.Series(dtype=int), "theme_label": pd.Series(dtype=object),
        "theme_probability": pd.Series(dtype=float), "theme_similarity": pd.Series(dtype=float),
    }, index=segments.index)
    themes = pd.DataFrame({c: pd.Series(dtype=object) for c in THEME_COLUMNS})
    return ThemeResult(assignments, themes, None, warnings, np.zeros((0, unit.shape[1]), dtype=np.float32),
                       params={"method": "none", "n_segments": 0}, seconds=time.perf_counter() - started)
