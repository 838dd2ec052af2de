"""Which sentence encoder places segments on journey stages (`choose_stage_encoder`).

Themes need an encoder that is fast enough for a hundred thousand segments; placing a segment on
a stage needs one that reads a short support query finely enough to tell "my card was charged
twice" (billing) from "my card was declined" (checkout). all-mpnet-base-v2 does that markedly
better than the default all-MiniLM-L6-v2 (on the held-out stage sets in data/stages_eval/ it
adds 4–7 points; see scripts/eval_stages.py) but costs about eight times as much per text.

So `stages.encoder: auto` spends a fixed budget on it: at most `stages.encoder_max_texts`
distinct texts are embedded with all-mpnet-base-v2. A corpus that small is embedded whole. A
larger one has a sample of that many distinct texts embedded (`StageSample`: the texts whose hash
comes first, so the same corpus always gives the same sample, whatever its order or the seed);
`map_to_stages` places the sample with the stronger encoder and learns from those decisions a
map from the run's own embeddings to the stages, which places everything else. Accuracy then
changes smoothly with the size of a corpus instead of falling when it crosses a line (issue 15),
and the extra cost is bounded by the budget, not by the corpus. The choice depends only on the
corpus, the config and the installed models — never on what the cache holds — so the same
input and config give the same stages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import EmbeddingConfig, StageConfig
from ..errors import MissingModelError

__all__ = ["STAGE_ENCODER_AUTO_MODEL", "StageEncoder", "StageSample", "choose_stage_encoder", "stage_sample_texts"]

STAGE_ENCODER_AUTO_MODEL = "all-mpnet-base-v2"

Encode = Callable[[list[str]], np.ndarray]


@dataclass
class StageSample:
    """The stronger encoder's view of a sample of a corpus too large to embed whole with it.

    positions: the rows (positions in the segments) whose text is in the sample, in order;
    embeddings: their embeddings by `model`, one row per position; encode: embeds a framework's
    texts with `model`; n_texts: distinct texts in the sample.
    """

    model: str
    positions: np.ndarray
    embeddings: np.ndarray
    encode: Encode
    n_texts: int


@dataclass
class StageEncoder:
    """The embeddings `map_to_stages` should use and how to embed a framework's texts alike.

    model: the encoder that decides the stages (name or path); same_as_run: whether the run's
    own embeddings alone place them; reason: one sentence on why (for the manifest and the
    report); fell_back: "auto" wanted the stronger encoder but could not use it (the run warns);
    sample: for a corpus larger than the stronger encoder's budget, that encoder's embeddings of a
    sample, while `embeddings` and `encode` are the run's own (pass it on to `map_to_stages`).
    """

    model: str
    embeddings: np.ndarray
    encode: Encode
    same_as_run: bool
    reason: str
    fell_back: bool = False
    sample: StageSample | None = None

    @property
    def warning(self) -> str | None:
        """What a run should tell the user when "auto" fell back to the run's embeddings."""
        if not self.fell_back:
            return None
        return (f"Journey stages were placed with {self.model}, not {STAGE_ENCODER_AUTO_MODEL}: "
                f"{self.reason}. Stage placement is less accurate that way.")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model, "same_as_run": self.same_as_run, "reason": self.reason}
        if self.sample is not None:
            out["sample_texts"] = self.sample.n_texts
        return out


def _auto_model_available() -> bool:
    from ..models import resolve_embedding_model

    try:
        resolve_embedding_model(STAGE_ENCODER_AUTO_MODEL, allow_hub=False)
    except MissingModelError:
        return False
    return True


def _text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


def stage_sample_texts(texts: Sequence[str], max_texts: int) -> list[str]:
    """The distinct texts the stronger encoder embeds: all of them when there are at most
    `max_texts`, else the `max_texts` whose SHA-1 comes first (independent of order and seed)."""
    distinct = set(texts)
    if len(distinct) <= max_texts:
        return sorted(distinct)
    return sorted(sorted(distinct, key=_text_key)[:max_texts])


def choose_stage_encoder(
    texts: Sequence[str],
    run_embeddings: np.ndarray,
    stage_config: StageConfig,
    embedding_config: EmbeddingConfig,
    progress: Any = None,
    stage_embedding_config: EmbeddingConfig | None = None,
) -> StageEncoder:
    """The encoder for stage mapping under `stage_config.encoder` ("auto", "same" or a model).

    With "same" (or "auto" falling back) the run's embeddings are reused as they are; otherwise
    the segments (with "auto" on a large corpus, a sample of them) are embedded again with the
    chosen model through the same embedding cache, so a re-run costs nothing.
    `stage_embedding_config`: how to run the chosen model (default: `embedding_config`'s settings).
    """
    from ..embed import embed_texts

    texts = [str(t) for t in texts]

    def run_encode(batch: list[str]) -> np.ndarray:
        return embed_texts(list(batch), embedding_config)

    def same(reason: str, fell_back: bool = False) -> StageEncoder:
        return StageEncoder(embedding_config.model, run_embeddings, run_encode, True, reason, fell_back)

    choice = stage_config.encoder.strip()
    if choice == "same":
        return same("stages.encoder is 'same': the run's embeddings")
    if choice == "auto":
        n_unique = len(set(texts))
        budget = stage_config.encoder_max_texts
        if embedding_config.model in (STAGE_ENCODER_AUTO_MODEL, f"sentence-transformers/{STAGE_ENCODER_AUTO_MODEL}"):
            return same(f"the run's embeddings are already {STAGE_ENCODER_AUTO_MODEL}")
        if budget == 0:
            return same("stages.encoder_max_texts is 0: the run's embeddings")
        if not _auto_model_available():
            return same(f"{STAGE_ENCODER_AUTO_MODEL} is not installed (pip install "
                        f"'voc_synth[models]'), so the run's embeddings were reused", True)
        model = STAGE_ENCODER_AUTO_MODEL
        if n_unique > budget:
            config = (stage_embedding_config or embedding_config).model_copy(update={"model": model})
            chosen = stage_sample_texts(texts, budget)
            embedded = embed_texts(chosen, config, progress=progress, record=False,
                                   description=f"Embedding a sample of segments for stages ({model})")
            row_of = {t: i for i, t in enumerate(chosen)}
            positions = np.array([i for i, t in enumerate(texts) if t in row_of], dtype=np.int64)
            sample = StageSample(model, positions, embedded[[row_of[texts[i]] for i in positions]],
                                 lambda batch: embed_texts(list(batch), config), len(chosen))
            reason = (f"{model} for a sample of {budget:,} of {n_unique:,} distinct texts "
                      f"(stages.encoder_max_texts); the rest placed from the run's embeddings by a map "
                      f"learnt from the sample's stages")
            return StageEncoder(model, run_embeddings, run_encode, False, reason, sample=sample)
        reason = f"{model} for {n_unique:,} distinct texts (at most {budget:,} with stages.encoder: auto)"
    else:
        model, reason = choice, f"stages.encoder is '{choice}'"
    config = (stage_embedding_config or embedding_config).model_copy(update={"model": model})
    embeddings = embed_texts(texts, config, progress=progress, record=False,
                             description=f"Embedding segments for stages ({model})")
    return StageEncoder(model, embeddings, lambda batch: embed_texts(list(batch), config), False, reason)
