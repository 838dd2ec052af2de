"""Which sentence encoder places segments on journey stages (`choose_stage_encoder`).

Themes need an encoder that is fast enough for a hundred thousand segments; placing a segment on
a stage needs one that reads a short support query finely enough to tell "my card was charged
twice" (billing) from "my card was declined" (checkout). all-mpnet-base-v2 does that markedly
better than the default all-MiniLM-L6-v2 (on the held-out stage sets in data/stages_eval/ it
adds 4–7 points; see scripts/eval_stages.py) but costs about eight times as much per text. So
`stages.encoder: auto` uses it while a corpus is small enough for that to be affordable
(`stages.encoder_max_texts` distinct texts) and a local copy exists, and otherwise reuses the
run's own embeddings. The choice depends only on the corpus and the installed models — never
on what the cache holds — so the same input and config give the same stages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import EmbeddingConfig, StageConfig
from ..errors import MissingModelError

__all__ = ["STAGE_ENCODER_AUTO_MODEL", "StageEncoder", "choose_stage_encoder"]

STAGE_ENCODER_AUTO_MODEL = "all-mpnet-base-v2"


@dataclass
class StageEncoder:
    """The embeddings `map_to_stages` should use and how to embed a framework's texts alike.

    model: the encoder's name or path; same_as_run: whether these are the run's own embeddings;
    reason: one sentence on why this encoder was chosen (for the manifest and the report);
    fell_back: "auto" wanted the stronger encoder but could not use it (the run warns).
    """

    model: str
    embeddings: np.ndarray
    encode: Callable[[list[str]], np.ndarray]
    same_as_run: bool
    reason: str
    fell_back: bool = False

    @property
    def warning(self) -> str | None:
        """What a run should tell the user when "auto" fell back to the run's embeddings."""
        if not self.fell_back:
            return None
        return (f"Journey stages were placed with {self.model}, not {STAGE_ENCODER_AUTO_MODEL}: "
                f"{self.reason}. Stage placement is less accurate that way; set stages.encoder: "
                f"{STAGE_ENCODER_AUTO_MODEL} to use it whatever the size.")

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "same_as_run": self.same_as_run, "reason": self.reason}


def _auto_model_available() -> bool:
    from ..models import resolve_embedding_model

    try:
        resolve_embedding_model(STAGE_ENCODER_AUTO_MODEL, allow_hub=False)
    except MissingModelError:
        return False
    return True


def choose_stage_encoder(
    texts: Sequence[str],
    run_embeddings: np.ndarray,
    stage_config: StageConfig,
    embedding_config: EmbeddingConfig,
    progress: Any = None,
) -> StageEncoder:
    """The encoder for stage mapping under `stage_config.encoder` ("auto", "same" or a model).

    With "same" (or "auto" falling back) the run's embeddings are reused as they are; otherwise
    the segments are embedded again with the chosen model through the same embedding cache, so
    a re-run costs nothing.
    """
    from ..embed import embed_texts

    def same(reason: str, fell_back: bool = False) -> StageEncoder:
        return StageEncoder(embedding_config.model, run_embeddings,
                            lambda batch: embed_texts(list(batch), embedding_config), True, reason, fell_back)

    choice = stage_config.encoder.strip()
    if choice == "same":
        return same("stages.encoder is 'same': the run's embeddings")
    if choice == "auto":
        n_unique = len(set(texts))
        if embedding_config.model in (STAGE_ENCODER_AUTO_MODEL, f"sentence-transformers/{STAGE_ENCODER_AUTO_MODEL}"):
            return same(f"the run's embeddings are already {STAGE_ENCODER_AUTO_MODEL}")
        if n_unique > stage_config.encoder_max_texts:
            return same(f"{n_unique:,} distinct texts exceed stages.encoder_max_texts "
                        f"({stage_config.encoder_max_texts:,}), so the run's embeddings were reused", True)
        if not _auto_model_available():
            return same(f"{STAGE_ENCODER_AUTO_MODEL} is not installed (pip install "
                        f"'voc_synth[models]'), so the run's embeddings were reused", True)
        model, reason = STAGE_ENCODER_AUTO_MODEL, (
            f"{STAGE_ENCODER_AUTO_MODEL} for {n_unique:,} distinct texts (at most "
            f"{stage_config.encoder_max_texts:,} with stages.encoder: auto)")
    else:
        model, reason = choice, f"stages.encoder is '{choice}'"
    config = embedding_config.model_copy(update={"model": model})
    embeddings = embed_texts(list(texts), config, progress=progress, record=False,
                             description=f"Embedding segments for stages ({model})")
    return StageEncoder(model, embeddings, lambda batch: embed_texts(list(batch), config), False, reason)
