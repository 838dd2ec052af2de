"""Themes: BERTopic over segment embeddings, with codebook guidance, outlier reassignment,
readable labels and theme groups. `find_themes()` is the entry point.

Modules: `params` (size-scaled defaults, stop words), `model` (BERTopic and its sub-models),
`labels` (keyphrase labels), `hierarchy` (theme groups), `core` (`find_themes`, `ThemeResult`).
"""

from __future__ import annotations

from .core import ASSIGNMENT_COLUMNS, THEME_COLUMNS, UNTHEMED_LABEL, ThemeResult, find_themes
from .labels import label_from_keywords
from .params import ThemeParams, resolve_params

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "THEME_COLUMNS",
    "UNTHEMED_LABEL",
    "ThemeParams",
    "ThemeResult",
    "find_themes",
    "label_from_keywords",
    "resolve_params",
]
