"""Journey stages: frameworks (see `voc_synth.frameworks`) and `map_to_stages()`.

`map_to_stages(segments, embeddings, framework, config)` gives every segment a stage and a
confidence, every theme a distribution over stages, and a per-stage summary; see
`voc_synth.stages.mapping` for the method. `place_short_answers` places the short answers
("very good", "5/5") that stay out of themes, when their stage is known
(`voc_synth.stages.short_answers`).
"""

from __future__ import annotations

from ..frameworks import (
    DEFAULT_FRAMEWORK,
    Framework,
    Stage,
    builtin_frameworks,
    framework_from_dict,
    load_framework,
)
from .encoder import StageEncoder, choose_stage_encoder
from .lexical import KeywordMatcher, stem, stems
from .mapping import (
    StageResult,
    Tuning,
    map_to_stages,
    plain_similarity_scores,
    stage_probabilities,
    with_tuning,
)
from .short_answers import ShortAnswerStages, place_short_answers

__all__ = [
    "DEFAULT_FRAMEWORK",
    "Framework",
    "KeywordMatcher",
    "ShortAnswerStages",
    "Stage",
    "StageEncoder",
    "StageResult",
    "Tuning",
    "builtin_frameworks",
    "choose_stage_encoder",
    "framework_from_dict",
    "load_framework",
    "map_to_stages",
    "place_short_answers",
    "plain_similarity_scores",
    "stage_probabilities",
    "stem",
    "stems",
    "with_tuning",
]
