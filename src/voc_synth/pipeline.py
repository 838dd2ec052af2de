"""Orchestration: run the steps in order and assemble a `Synthesis`.

files → ingest → segments (redacted) → embed (cached) → themes → sentiment → stages → evidence.
Each step reads the previous step's tables and adds columns or a table; none reaches back.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import evidence, journey, polarity
from .config import Config, load_config
from .distributed.active import current_session
from .errors import InputError
from .insights import write_insights
from .progress import ProgressFactory, null_progress
from .synthesis import Synthesis
from .tables import (
    SHORT_ANSWER_NOTE,
    UNMAPPED_STAGE,
    UNTHEMED_ID,
    count_short_answers,
    count_unthemed,
    themable,
)

DEFAULT_RATING_SCALES = {"interview": (1.0, 5.0), "ticket": (1.0, 5.0), "review": (1.0, 5.0), "survey": (0.0, 10.0)}
PACKAGES = ("voc_synth", "bertopic", "sentence-transformers", "torch", "spacy", "scikit-learn",
            "umap-learn", "hdbscan", "pandas", "numpy", "vaderSentiment")


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - start, 3)


def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Installed versions of Python, voc_synth and the libraries that shape its results."""
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _input_hashes(manifest: dict[str, Any], config: Config) -> dict[str, str]:
    hashes = {}
    for entry in manifest.get("files", []):
        path = Path(entry["path"])
        full = path if path.is_absolute() else config.base_dir / path
        if full.is_file():
            hashes[str(entry["path"])] = file_sha256(full)
    return hashes


def add_rating_norm(segments: pd.DataFrame, config: Config) -> pd.Series:
    """Ratings rescaled to 0..1 over each source type's scale (NaN where there is no rating)."""
    scales = {**DEFAULT_RATING_SCALES, **{k: tuple(v) for k, v in config.rating_scales.items()}}
    rating = pd.to_numeric(segments.get("rating"), errors="coerce")
    lo = segments["source_type"].map(lambda t: scales.get(t, (1.0, 5.0))[0]).astype(float)
    hi = segments["source_type"].map(lambda t: scales.get(t, (1.0, 5.0))[1]).astype(float)
    return ((rating - lo) / (hi - lo)).clip(0, 1)


def answer_scales(segments: pd.DataFrame, documents: pd.DataFrame, config: Config) -> list[str]:
    """Each segment's rating scale ("1-5", or "" when unknown): its record's, else the one
    configured for its source type. It says what a bare number typed as an answer means."""
    by_doc = dict(zip(documents["doc_id"], documents["rating_scale"].fillna("").astype(str), strict=True))
    configured = {k: f"{v[0]:g}-{v[1]:g}" for k, v in config.rating_scales.items()}
    return [by_doc.get(d) or configured.get(t, "") for d, t in zip(segments["doc_id"], segments["source_type"], strict=True)]


def source_stages(manifest: dict[str, Any], config: Config) -> dict[str, str]:
    """The configured stage (`sources[i].stage`) of each input file, for its short answers."""
    out = {}
    for entry in manifest.get("files", []):
        index = entry.get("source_index")
        if index is not None and 0 <= index < len(config.sources) and config.sources[index].stage:
            out[str(entry["path"])] = str(config.sources[index].stage)
    return out


DESCRIBED_THEME_COLUMNS = [
    "theme_id", "label", "keywords", "group_id", "group_label", "is_codebook", "n_segments", "n_documents",
    "n_participants", "source_mix", "prevalence", "prevalence_text", "sentiment_mean", "sentiment_ci_low",
    "sentiment_ci_high", "share_negative", "share_positive", "polarity", "evidence_strength",
    "evidence_reason", "mean_rating_norm", "touchpoints", "status", "primary_stage", "stage_confidence",
    "spans_stages", "stage_distribution", "insight",
]


def describe_themes(
    base_themes: pd.DataFrame,
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    theme_stages: pd.DataFrame | None,
    stances: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Theme rows with sizes, prevalence, sentiment, stage, polarity and evidence strength,
    computed from `segments` (all of a run, or one actor's subset).

    Polarity and the shares of negative and positive votes behind it follow the rule in
    `voc_synth.polarity` (`stances`: `polarity.segment_stances(segments)`, computed here when
    not given)."""
    totals = evidence.corpus_totals(documents)
    if stances is None:
        stances = polarity.segment_stances(segments)
    stage_info = theme_stages.set_index("theme_id") if theme_stages is not None and len(theme_stages) else None
    rows = []
    for _, theme in base_themes.iterrows():
        theme_id = int(theme["theme_id"])
        seg = segments[segments["theme_id"] == theme_id]
        if seg.empty:
            continue
        per_type, text = evidence.prevalence(seg, totals)
        mean, low, high = journey.mean_with_ci(seg["sentiment"].to_numpy())
        votes = stances.loc[seg.index, "stance"]
        n_neg, n_pos = int((votes == "negative").sum()), int((votes == "positive").sum())
        strength, reason = evidence.evidence_strength(per_type, votes)
        row = {
            "theme_id": theme_id,
            "label": theme["label"],
            "keywords": list(theme.get("keywords", []) or []),
            "group_id": int(theme.get("group_id", theme_id)),
            "group_label": theme.get("group_label", theme["label"]),
            "is_codebook": bool(theme.get("is_codebook", False)),
            "n_segments": int(len(seg)),
            "n_documents": int(seg["doc_id"].nunique()),
            "n_participants": int(seg["participant"].replace("", np.nan).dropna().nunique()),
            "source_mix": {str(k): int(v) for k, v in seg["source_type"].value_counts().items()},
            "prevalence": per_type,
            "prevalence_text": text,
            "sentiment_mean": mean,
            "sentiment_ci_low": low,
            "sentiment_ci_high": high,
            "share_negative": n_neg / len(seg),
            "share_positive": n_pos / len(seg),
            "polarity": polarity.theme_polarity(n_neg, n_pos, len(seg)),
            "evidence_strength": strength,
            "evidence_reason": reason,
            "mean_rating_norm": float(seg["rating_norm"].mean()) if seg["rating_norm"].notna().any() else float("nan"),
            "touchpoints": list(journey.count_touchpoints(seg["text"]).keys())[:5],
            "status": "draft",
        }
        if stage_info is not None and theme_id in stage_info.index:
            info = stage_info.loc[theme_id]
            row.update(
                primary_stage=info["primary_stage"],
                stage_confidence=float(info["stage_confidence"]),
                spans_stages=bool(info["spans_stages"]),
                stage_distribution=dict(info["distribution"]),
            )
        else:
            counts = seg["stage"].value_counts(normalize=True)
            row.update(
                primary_stage=str(counts.index[0]) if len(counts) else UNMAPPED_STAGE,
                stage_confidence=float(counts.iloc[0]) if len(counts) else 0.0,
                spans_stages=bool(len(counts) > 1 and counts.iloc[1] >= 0.3 * counts.iloc[0]),
                stage_distribution={str(k): float(v) for k, v in counts.items()},
            )
        row["insight"] = ""  # written from the theme's quotes by `insights.write_insights`
        rows.append(row)
    if not rows:
        # A corpus too small for any theme: the same columns, so every report renders empty lanes.
        return pd.DataFrame(columns=DESCRIBED_THEME_COLUMNS)
    themes = pd.DataFrame(rows)
    if len(themes):
        themes = themes.sort_values(["n_documents", "theme_id"], ascending=[False, True]).reset_index(drop=True)
    return themes


def select_all_quotes(
    segments: pd.DataFrame,
    embeddings: np.ndarray,
    themes: pd.DataFrame,
    n_quotes: int = 6,
    stances: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Quotes for every theme that agree with its polarity (`polarity.select_agreeing_quotes`,
    picking with `evidence.select_quotes`); `side` says which side each quote stands for."""
    if stances is None:
        stances = polarity.segment_stances(segments)
    frames = []
    positions = np.arange(len(segments))
    for theme_id, claimed in zip(themes.get("theme_id", []), themes.get("polarity", []), strict=True):
        mask = (segments["theme_id"] == theme_id).to_numpy()
        picked = polarity.select_agreeing_quotes(
            segments[mask], embeddings[positions[mask]], stances[mask], str(claimed),
            select=evidence.select_quotes, n_quotes=n_quotes,
        )
        frames.append(picked.assign(theme_id=int(theme_id)))
    columns = ["theme_id", "rank", "segment_id", "doc_id", "text", "source_type", "participant",
               "source_file", "locator", "date", "rating", "question", "sentiment", "kind", "side"]
    if not frames:
        return pd.DataFrame(columns=columns)
    quotes = pd.concat(frames, ignore_index=True)
    for column in columns:
        if column not in quotes:
            quotes[column] = ""
    return quotes[columns]


def assemble(
    documents: pd.DataFrame,
    segments: pd.DataFrame,
    embeddings: np.ndarray,
    base_themes: pd.DataFrame,
    theme_stages: pd.DataFrame | None,
    framework: dict[str, Any],
    meta: dict[str, Any],
) -> Synthesis:
    """Build a Synthesis from analysed segments (a whole run or one actor's subset)."""
    stances = polarity.segment_stances(segments)
    themes = describe_themes(base_themes, segments, documents, theme_stages, stances)
    quotes = select_all_quotes(segments, embeddings, themes, stances=stances)
    themes = write_insights(themes, quotes, segments, framework)
    stages = journey.build_stages(framework, segments, themes)
    meta = dict(meta)
    meta["unthemed_segments"] = count_unthemed(segments)
    meta["short_answer_segments"] = count_short_answers(segments)
    meta["unmapped_segments"] = int((segments["stage"] == UNMAPPED_STAGE).sum())
    meta["evidence_rule"] = evidence.evidence_rule_text()
    meta["polarity_rule"] = polarity.polarity_rule_text()
    return Synthesis(
        documents=documents.reset_index(drop=True),
        segments=segments.reset_index(drop=True),
        themes=themes,
        quotes=quotes,
        stages=stages,
        framework=framework,
        meta=meta,
        embeddings=embeddings,
    )


def synthesize(
    config: Config | str | Path,
    *,
    strict: bool = False,
    progress: ProgressFactory | None = None,
) -> Synthesis:
    """Run the whole analysis on the sources a config describes and return a `Synthesis`.

    `config` is a `Config`, a `voc_synth.yaml` path, or a folder holding one.
    """
    from .distributed.run import execution_record
    from .distributed.theme_sample import find_themes_sampled
    from .embed import embed_texts, last_stats, resolve_precision, resolve_runtime
    from .frameworks import load_framework
    from .ingest import ingest
    from .ingest.meaning import meaning_text
    from .models import describe_models
    from .sentiment import score_run_sentiment
    from .stages import choose_stage_encoder, map_to_stages, place_short_answers

    if not isinstance(config, Config):
        config = load_config(config)
    if config.execution.scheduler and current_session() is None:  # the same run, partitions on Dask
        from .distributed.run import synthesize_on_cluster

        return synthesize_on_cluster(config, strict=strict, progress=progress)
    progress = progress or null_progress
    timer = _Timer()
    warnings: list[str] = []

    with timer.step("ingest"):
        ingested = ingest(config, strict=strict, progress=progress)
    # Timings differ between identical runs: they go to the run's timings, not into the manifest
    # that synthesis.json carries.
    for part, seconds in ingested.manifest.pop("ingest_timings", {}).items():
        timer.timings[f"ingest_{part}"] = seconds
    documents, segments = ingested.documents, ingested.segments.reset_index(drop=True)
    if segments.empty:
        raise InputError("No usable segments after ingestion; see the manifest for what was skipped.")
    segments["rating_norm"] = add_rating_norm(segments, config)

    # Encoders read what was said, not the "Order ref [ORDER_NUMBER]" trailers (ingest.meaning):
    # the theme and sentiment embeddings here, the stage encoder and its keywords below.
    said = pd.Series([meaning_text(t) for t in segments["text"].astype(str)], index=segments.index)
    with timer.step("embed"):
        embeddings = embed_texts(said.tolist(), config.embedding, progress=progress)
    stats = last_stats()
    cache_use = {
        "state": "warm" if stats.n_encoded == 0 else ("cold" if stats.n_cached == 0 else "partly warm"),
        "texts": stats.n_texts,
        "cached": stats.n_cached,
        "encoded": stats.n_encoded,
        "encoder_calls": stats.encoder_calls,
        "location": stats.cache_location,
        # What made the vectors (cached ones too: the cache keeps runtimes and precisions apart).
        "runtime": resolve_runtime(config.embedding),
        "precision": resolve_precision(config.embedding),
    }

    # Short answers ("very good", "5/5", "👍") count for sentiment, stage emotion and totals,
    # but are kept out of theme clustering and the stage model: they say too little about what.
    to_theme = themable(segments)
    themed_segments = segments[to_theme].reset_index(drop=True)
    with timer.step("themes"):
        # Above execution.theme_sample segments: themes from a stratified sample, the rest assigned.
        theme_result = find_themes_sampled(themed_segments, embeddings[to_theme], config.themes, seed=config.seed,
                                           progress=progress, embedding_config=config.embedding,
                                           sample_size=config.execution.theme_sample)
    warnings.extend(theme_result.warnings)
    segments["theme_id"] = UNTHEMED_ID
    segments["theme_label"] = SHORT_ANSWER_NOTE
    segments.loc[to_theme, "theme_id"] = theme_result.assignments["theme_id"].to_numpy()
    segments.loc[to_theme, "theme_label"] = theme_result.assignments["theme_label"].to_numpy()
    segments["theme_id"] = segments["theme_id"].astype(int)

    with timer.step("sentiment"):
        run_sentiment = score_run_sentiment(segments, embeddings, config.sentiment,
                                            scales=answer_scales(segments, documents, config))
    segments["sentiment"] = run_sentiment.scores["sentiment"].to_numpy()
    segments["sentiment_label"] = run_sentiment.scores["sentiment_label"].to_numpy()
    agreement = run_sentiment.agreement
    warnings.extend(run_sentiment.warnings)

    with timer.step("stages"):
        framework_ref: str | Path = config.framework
        if config.resolve(config.framework).is_file():  # a user's own file, relative to the config
            framework_ref = config.resolve(config.framework)
        framework = load_framework(framework_ref)
        themed_segments = segments[to_theme].assign(text=said[to_theme]).reset_index(drop=True)
        stage_encoder = choose_stage_encoder(themed_segments["text"].tolist(), embeddings[to_theme], config.stages,
                                             config.embedding, progress=progress)
        if stage_encoder.warning:
            warnings.append(stage_encoder.warning)
        stage_result = map_to_stages(
            themed_segments,
            stage_encoder.embeddings,
            framework,
            config.stages,
            themes=theme_result.themes,
            encode=stage_encoder.encode,
            seed=config.seed,
            sample=stage_encoder.sample,
        )
        segments["stage"] = UNMAPPED_STAGE
        segments["stage_confidence"] = 0.0
        segments.loc[to_theme, "stage"] = stage_result.segment_stages["stage"].to_numpy()
        segments.loc[to_theme, "stage_confidence"] = stage_result.segment_stages["stage_confidence"].to_numpy()
        short = place_short_answers(segments[~to_theme], framework, placed=segments[to_theme],
                                    source_stages=source_stages(ingested.manifest, config))
        segments.loc[~to_theme, "stage"] = short.stages["stage"]
        segments.loc[~to_theme, "stage_confidence"] = short.stages["stage_confidence"]

    meta = {
        "project": config.project,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": config.seed,
        "config": config.to_dict(),
        "versions": package_versions(),
        "models": [m.to_dict() for m in describe_models(config.embedding.model, config.sentiment.backend,
                                                        stage_encoder=stage_encoder.model)],
        "stage_encoder": stage_encoder.to_dict(),
        "manifest": ingested.manifest,
        "warnings": warnings,
        "sentiment_agreement": agreement,
        "sentiment_calibration": run_sentiment.calibration,
        "short_answers": short.summary(),
    }
    with timer.step("evidence"):
        synthesis = assemble(
            documents, segments, embeddings, theme_result.themes, stage_result.theme_stages,
            framework_to_dict(framework), meta,
        )
    synthesis.topic_model = theme_result.model
    synthesis.meta["input_hashes"] = _input_hashes(ingested.manifest, config)
    synthesis.meta["timings"] = timer.timings
    synthesis.meta["embedding_cache"] = cache_use
    synthesis.meta["execution"] = execution_record()  # where partitions ran: manifest.json only
    return synthesis


def framework_to_dict(framework: Any) -> dict[str, Any]:
    """A framework object (pydantic or dataclass) as a plain dict."""
    if isinstance(framework, dict):
        return framework
    if hasattr(framework, "model_dump"):
        return framework.model_dump(mode="json")
    from dataclasses import asdict

    return asdict(framework)


def split_by(synthesis: Synthesis, column: str) -> dict[str, Synthesis]:
    """One Synthesis per value of `column` (persona, customer type, product line...).

    Themes are those of the whole run; sizes, sentiment, quotes and stages are recomputed from
    each actor's own segments.
    """
    segments = synthesis.segments
    if column not in segments.columns:
        raise InputError(
            f"--segment-by {column!r}: no such column. Columns you can segment by: "
            + ", ".join(sorted(c for c in segments.columns if segments[c].nunique() < 50))
        )
    if synthesis.embeddings is None:
        raise InputError("--segment-by needs the embeddings of a fresh run; run the analysis again.")
    # Every actor's map places a theme in the stage the whole run found for it.
    theme_stages = synthesis.themes[["theme_id", "primary_stage", "stage_confidence", "spans_stages"]].assign(
        distribution=synthesis.themes["stage_distribution"]
    )
    result = {}
    base = synthesis.themes
    values = segments[column].astype("string").str.strip().replace("", pd.NA).fillna("(none)")
    for value, rows in segments.groupby(values):
        positions = rows.index.to_numpy()
        docs = synthesis.documents[synthesis.documents["doc_id"].isin(rows["doc_id"])]
        meta = {**synthesis.meta, "actor": {"column": column, "value": value}}
        part = assemble(
            docs, rows.reset_index(drop=True), synthesis.embeddings[positions], base, theme_stages,
            synthesis.framework, meta,
        )
        if "review_id" in synthesis.themes:
            from .review.apply import copy_review_columns

            part.themes = copy_review_columns(part.themes, synthesis.themes)
        result[str(value)] = part
    return result
