"""voc_synth: evidence-backed customer journey maps from what customers say.

    import voc_synth as vs
    synthesis = vs.synthesize("corpora/demo_shop")   # a folder with voc_synth.yaml
    synthesis.themes                                  # pandas DataFrames …
    synthesis                                         # … and a rich inline view in Jupyter

Heavy libraries (torch, BERTopic, spaCy) load on first use, so importing is quick.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Config": "config",
    "load_config": "config",
    "config_from_dict": "config",
    "VocSynthError": "errors",
    "InputError": "errors",
    "ConfigError": "errors",
    "MissingModelError": "errors",
    "ModelInfo": "models",
    "describe_models": "models",
    "resolve_embedding_model": "models",
    "resolve_spacy_pipeline": "models",
    "load_embedding_model": "models",
    "load_spacy": "models",
    "Synthesis": "synthesis",
    "synthesize": "pipeline",
    "split_by": "pipeline",
    "write_run": "run_folder",
    "ingest": "ingest",
    "IngestResult": "ingest",
    "redact_pii": "ingest.redact",
    "transcribe_recording": "audio.session",
    "AudioConfig": "audio.settings",
    "embed_texts": "embed",
    "find_themes": "themes",
    "score_sentiment": "sentiment",
    "aggregate_sentiment": "sentiment",
    "rating_agreement": "sentiment",
    "load_framework": "frameworks",
    "map_to_stages": "stages",
    "select_quotes": "evidence",
    "theme_polarity": "polarity",
    "segment_stances": "polarity",
    "select_agreeing_quotes": "polarity",
    "read_cues": "polarity",
    "write_outputs": "report",
    "apply_review": "review",
    "init_review": "review",
    "read_review": "review",
    "ReviewPanel": "review",
    "ReviewReport": "review",
    "export_workshop": "workshop",
    "on_cluster": "distributed",
    "ClusterSession": "distributed",
    "find_themes_sampled": "distributed",
    "rich_progress": "progress",
    "build_insights": "workshop",
    "compare_runs": "trends",
    "write_trend_report": "trends",
    "RunComparison": "trends",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'voc_synth' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
