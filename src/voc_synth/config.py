"""The project configuration (`voc_synth.yaml`): sources, column mappings and step settings.

One config describes a whole run, as in spaCy: swapping a sentiment backend or a journey
framework is a change of string here, not of code. Unknown keys are rejected so a misspelling
is reported instead of silently ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .audio.settings import AudioConfig
from .errors import ConfigError

SourceType = Literal["interview", "ticket", "review", "survey"]
SegmentUnit = Literal["sentence", "turn", "document"]

CONFIG_FILENAME = "voc_synth.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ColumnMap(_Strict):
    """Which columns of a tabular source hold what. Only `text` is required."""

    id: str | None = None
    text: list[str] = Field(default_factory=list)
    date: str | None = None
    rating: str | None = None
    customer: str | None = None
    channel: str | None = None
    product: str | None = None
    keep: list[str] = Field(default_factory=list)

    @field_validator("text", "keep", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [value]
        return value


class SourceConfig(_Strict):
    """One file or folder of evidence."""

    path: Path
    type: SourceType | None = None
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    columns: ColumnMap | None = None
    interviewer_labels: list[str] | None = None
    participants: Path | None = None
    channel: str | None = None
    unit: SegmentUnit | None = None
    encoding: str | None = None
    # The journey stage the source is about (a post-contact survey: the support stage). Short
    # answers ("very good", "5/5") from it count toward that stage's emotion.
    stage: str | None = None

    @field_validator("include", "exclude", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [value]
        return value


class RedactionConfig(_Strict):
    """Personal-data redaction; on by default and applied to everything written."""

    enabled: bool = True
    names: bool = True
    addresses: bool = True
    patterns: dict[str, str] = Field(default_factory=dict)
    # Brand / product / place words never to treat as people's names ("SwiftDrop", "Larkbot").
    allow_terms: list[str] = Field(default_factory=list)
    reidentification_map: Path | None = None


class SegmentationConfig(_Strict):
    """How records are cut into analysis units."""

    units: dict[SourceType, SegmentUnit] = Field(default_factory=dict)
    window_sentences: int = 3
    min_words: int = 3
    # spaCy worker processes for sentence splitting and name finding; None = one per CPU core
    # (at most 4) once there are AUTO_PROCESSES_FROM texts, else 1.
    nlp_processes: int | None = Field(default=None, ge=1)
    # Which spaCy component finds sentence boundaries: "senter" (the pipeline's small sentence
    # recogniser, 17% less spaCy time) or "parser" (the dependency parser). Falls back to what
    # the pipeline has.
    sentences: Literal["senter", "parser"] = "senter"


class EmbeddingConfig(_Strict):
    """Sentence embeddings (`embed.py`) and their on-disk cache (`embedding_cache.py`)."""

    model: str = "all-MiniLM-L6-v2"  # a name or a folder path, resolved by voc_synth.models
    batch_size: int = Field(default=64, ge=1)
    # "auto" runs the encoder in bfloat16 where the CPU computes it natively (AVX512-BF16 or
    # AMX): about twice as fast, and vectors agree with float32 to a cosine of 0.9999.
    precision: Literal["auto", "float32", "bfloat16"] = "auto"
    # "auto" runs the transformer in OpenVINO when it is installed (about 1.35x faster than torch
    # on 2 cores, vectors agree to a cosine of 0.99998), else in torch (`voc_synth.embed_runtime`).
    runtime: Literal["auto", "torch", "openvino"] = "auto"
    cache: bool = True
    cache_dir: Path | None = None  # default: $VOC_SYNTH_CACHE_DIR/embeddings or the user cache
    cache_max_mb: float = Field(default=2048, gt=0)  # least-recently-used entries evicted beyond


class CodebookEntry(_Strict):
    """One code of a researcher's codebook: a name, a one-line definition, example phrases."""

    name: str
    definition: str | None = None
    examples: list[str] = Field(default_factory=list)
    stage: str | None = None

    @property
    def texts(self) -> list[str]:
        """The code's own words, in the order they are embedded: name, definition, examples."""
        return [self.name, *([self.definition] if self.definition else []), *self.examples]


class ThemeConfig(_Strict):
    """Themes (`themes/`): BERTopic settings. `None` means a default scaled to the corpus size
    (see `voc_synth.themes.params`)."""

    min_theme_size: int | None = Field(default=None, ge=2)  # HDBSCAN min_cluster_size
    n_neighbors: int | None = Field(default=None, ge=2)  # UMAP n_neighbors
    n_components: int = Field(default=5, ge=2)  # UMAP output dimensions
    n_epochs: int | None = Field(default=None, ge=10)  # UMAP layout epochs; None = scaled default
    umap_init: Literal["spectral", "pca"] | None = None  # UMAP's initial layout; None = scaled default
    min_samples: int | None = Field(default=None, ge=1)  # HDBSCAN; None = max(4, min_theme_size // 2)
    cluster_selection_method: Literal["eom", "leaf"] = "eom"
    n_themes: int | None = Field(default=None, ge=1)  # merge down to at most this many themes
    reduce_outliers: bool = True
    outlier_threshold: float = Field(default=0.35, ge=-1.0, le=1.0)  # min cosine to a centroid
    codebook: list[CodebookEntry] = Field(default_factory=list)
    codebook_min_similarity: float = Field(default=0.6, ge=-1.0, le=1.0)
    # Deductive coding (themes/codebook.py): a segment takes the code it is most unusually close
    # to, when that closeness in the code's own spread (z over the corpus) reaches
    # codebook_min_z and leads the runner-up code by codebook_margin (cosine units).
    # "deductive": the codebook codes every segment it describes (calibrated, themes/codebook.py),
    # themes are found among the rest — for a researcher's full codebook. "guided": codes are
    # seed themes that take only segments at codebook_min_similarity (BERTopic zero-shot) — for
    # a handful of themes the researcher wants named.
    codebook_mode: Literal["deductive", "guided"] = "deductive"
    codebook_min_z: float = Field(default=0.0)
    codebook_margin: float = Field(default=0.0, ge=0.0)
    n_groups: int | None = Field(default=None, ge=1)  # theme groups; None = 5-12 by theme count
    representation: Literal["keybert+mmr", "keybert", "mmr", "ctfidf"] = "keybert+mmr"
    n_keywords: int = Field(default=10, ge=1, le=30)
    stop_words: list[str] = Field(default_factory=list)
    # Who names themes (`themes/naming.py`): "extractive" (default; offline, deterministic:
    # phrases the customers said) or "openai-compatible:URL" — a local server such as Ollama
    # (http://localhost:11434/v1), llama.cpp's server, LM Studio or vLLM, serving `namer_model`.
    # Nothing leaves the machine unless a URL is set here.
    namer: str = Field(default="extractive", min_length=1)
    namer_model: str | None = None
    namer_timeout: float = Field(default=60.0, gt=0)

    @field_validator("namer")
    @classmethod
    def _known_namer(cls, value: str) -> str:
        value = value.strip()
        if value != "extractive" and not value.startswith("openai-compatible:"):
            raise ValueError("use 'extractive' or 'openai-compatible:URL' (with themes.namer_model)")
        return value


class SentimentConfig(_Strict):
    """Segment sentiment: which backend scores text, and how scores become labels.

    `backend` is a registered name: `embedded` (default: a small classifier on the sentence
    embeddings, shipped in models/sentiment/), `vader` (lexicon baseline) or
    `transformers:<name-or-path>` (a local Hugging Face sentiment model). Scores are in -1..1;
    a score within `neutral_band` of 0 is labelled neutral. A record's (review's, ticket's)
    sentiment is its segments' scores rolled up with complaints weighing more
    (`voc_synth.sentiment.document_sentiment`).

    `calibrate: true` refits every segment's score to this corpus's own ratings (stars, CSAT,
    NPS) with one monotone map learnt from the rated records (at least 30, some low and some
    high); the map and the agreement before and after are kept in the run's metadata
    (`sentiment_calibration`). With too few ratings nothing changes and the run warns.
    """

    backend: str = "embedded"
    neutral_band: float = Field(default=0.15, ge=0.0, lt=1.0)
    model: Path | None = None
    batch_size: int = Field(default=32, ge=1)
    calibrate: bool = False


class StageConfig(_Strict):
    """Journey-stage mapping (`voc_synth.stages.map_to_stages`).

    A segment whose best stage scores below `min_confidence` is left "unmapped". The other
    knobs weigh the kinds of evidence: keyword matches against embedding similarity, the
    segment's nearest neighbours in the corpus, a stage model fitted to this corpus's segments
    (`self_training`: one Gaussian per stage with a shared covariance, learnt by EM from the
    framework's texts and the segments' zero-shot stages), and the segment's theme.

    `encoder` picks the sentence encoder for this step (`voc_synth.stages.encoder`): "auto" uses
    all-mpnet-base-v2, which tells stages apart better, when it is installed, for at most
    `encoder_max_texts` distinct texts: a corpus that small is embedded whole with it; a larger
    one has a fixed sample of that many embedded, and a map learnt from the sample's stages
    places the rest from the run's embeddings, so accuracy does not drop when a corpus grows
    past a size and the extra time stays bounded (0 turns it off). "same" always reuses the
    run's embeddings; anything else is a model name or folder, used for every text.
    """

    encoder: str = Field("auto", min_length=1)
    encoder_max_texts: int = Field(2_000, ge=0)
    min_confidence: float = Field(0.35, ge=0.0, le=1.0)
    keyword_weight: float = Field(1.0, ge=0.0)
    neighbor_weight: float = Field(0.5, ge=0.0, le=1.0)
    neighbors: int = Field(10, ge=1)
    self_training: bool = True
    theme_weight: float = Field(0.25, ge=0.0, le=1.0)
    spans_ratio: float = Field(0.3, gt=0.0, le=1.0)


class ExecutionConfig(_Strict):
    """Where the record-by-record steps run (`voc_synth.distributed`).

    `scheduler`: None runs everything in this process, as always; `local:N` starts a Dask
    LocalCluster of N worker processes on this machine; `tcp://HOST:8786` (or `HOST:8786`)
    joins a running Dask scheduler. Where a run ran never changes its answer, so `scheduler`,
    `work_dir`, `partition_size` and `retries` are left out of the config a run records.

    `theme_sample`: corpora with more themable segments than this find their themes on a
    stratified sample of that many and assign the rest to the nearest theme, here or on the
    cluster alike (so a config gives the same themes wherever it runs); smaller corpora are
    themed whole, exactly as before.
    """

    scheduler: str | None = Field(default=None, exclude=True)
    # Finished partitions are kept here so a killed run resumes; default: beside --out, or
    # under the user cache for API runs (`voc_synth.distributed.store`).
    work_dir: Path | None = Field(default=None, exclude=True)
    partition_size: int = Field(default=1024, ge=64, exclude=True)  # records per task, rounded to a step's grain
    retries: int = Field(default=2, ge=0, exclude=True)  # re-runs of a partition whose task raised
    theme_sample: int = Field(default=150_000, ge=100)


class Config(_Strict):
    """A whole run's configuration. Relative paths resolve against `base_dir`."""

    project: str = "voc_synth project"
    framework: str = "ecommerce"
    seed: int = 42
    sources: list[SourceConfig] = Field(default_factory=list)
    rating_scales: dict[SourceType, tuple[float, float]] = Field(default_factory=dict)
    redaction: RedactionConfig = Field(default_factory=RedactionConfig)
    segmentation: SegmentationConfig = Field(default_factory=SegmentationConfig)
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    themes: ThemeConfig = Field(default_factory=ThemeConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    stages: StageConfig = Field(default_factory=StageConfig)
    execution: ExecutionConfig = Field(default_factory=ExecutionConfig)
    audio: AudioConfig = Field(default_factory=AudioConfig)   # recordings (voc_synth.audio.settings)
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    def resolve(self, path: Path | str) -> Path:
        """An absolute path for `path`, read relative to the config's folder."""
        path = Path(path).expanduser()
        return path if path.is_absolute() else (self.base_dir / path)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict, for the manifest and `synthesis.json`."""
        return self.model_dump(mode="json")


def _format_validation_error(err: ValidationError, origin: str) -> str:
    lines = [f"{origin} is not a valid voc_synth config:"]
    for problem in err.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        msg = problem["msg"]
        if problem["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see the config reference in README.md)"
        lines.append(f"  - {where}: {msg}")
    return "\n".join(lines)


def config_from_dict(data: dict[str, Any], base_dir: Path | None = None, origin: str = "config") -> Config:
    """Build a validated `Config` from a plain dict (as read from YAML)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{origin} must be a YAML mapping of keys to values, got {type(data).__name__}.")
    try:
        config = Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_format_validation_error(err, origin)) from None
    if base_dir is not None:
        config.base_dir = Path(base_dir).resolve()
    return config


def load_config(path: Path | str) -> Config:
    """Read a `voc_synth.yaml` file, or the one inside a folder.

    Raises `ConfigError` naming the file and the offending keys when it is invalid.
    """
    path = Path(path)
    if path.is_dir():
        path = path / CONFIG_FILENAME
    if not path.is_file():
        raise ConfigError(
            f"No config file at {path}. Create one (see corpora/demo_shop/{CONFIG_FILENAME}) "
            "or pass sources on the command line (--reviews, --tickets, --interviews, --surveys)."
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path} is not valid YAML: {err}") from None
    return config_from_dict(data, base_dir=path.parent, origin=str(path))
