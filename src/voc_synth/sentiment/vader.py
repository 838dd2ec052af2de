"""The VADER lexicon backend (`vader`): the baseline, and lexicon features for the classifier.

VADER is fast and needs no model, but it reads words, not situations: "it arrived a week late"
has no negative word in it, so polite complaints score neutral or positive.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from pathlib import Path
from typing import Any

import numpy as np

from .base import register_backend

# Lexicon features, in the order the embedded classifier's metadata names them. The last one
# reads only what follows the final contrast word ("lovely, but it came late" -> "it came late"),
# which gives the order-blind sentence embedding a hint about which clause carries the verdict.
VADER_FEATURES = ("vader_compound", "vader_neg", "vader_neu", "vader_pos", "vader_tail_compound")
_CONTRAST = re.compile(r"\b(?:but|however|though|although|still|yet)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def lexicon_features(texts: list[str], names: list[str] | tuple[str, ...] = VADER_FEATURES) -> np.ndarray:
    """The named VADER features per text, an (n, len(names)) array."""
    unknown = set(names) - set(VADER_FEATURES)
    if unknown:
        raise ValueError(f"Unknown lexicon features {sorted(unknown)}; known: {VADER_FEATURES}.")
    columns = {}
    scores = vader_scores(texts)
    for i, name in enumerate(VADER_FEATURES[:4]):
        columns[name] = scores[:, i]
    if "vader_tail_compound" in names:
        tails = [_CONTRAST.split(text or "")[-1] for text in texts]
        # Most texts have no contrast word: their tail is the text, already scored.
        tail = scores[:, 0].copy()
        cut = [i for i, (text, part) in enumerate(zip(texts, tails, strict=True)) if part != (text or "")]
        if cut:
            tail[cut] = vader_scores([tails[i] for i in cut])[:, 0]
        columns["vader_tail_compound"] = tail
    return np.stack([columns[name] for name in names], axis=1).astype(np.float32).reshape(len(texts), len(names))


def vader_scores(texts: list[str]) -> np.ndarray:
    """VADER polarity per text: an (n, 4) array of compound, neg, neu, pos.

    Each distinct text is scored once. VADER is pure Python (about 10,000 texts a second), so
    from `PARALLEL_FROM` distinct texts on, on systems that fork, the texts are scored in one
    process per core; the scores are the same.
    """
    items = [text or "" for text in texts]
    unique = list(dict.fromkeys(items))
    rows = _score_in_processes(unique) if len(unique) >= PARALLEL_FROM else _score(unique)
    by_text = dict(zip(unique, rows, strict=True))
    return np.asarray([by_text[text] for text in items], dtype=np.float32).reshape(len(items), 4)


#: From this many distinct texts on, VADER runs in one forked process per core.
PARALLEL_FROM = 20_000


def _score(texts: list[str]) -> list[tuple[float, float, float, float]]:
    analyzer = _analyzer()
    rows = []
    for text in texts:
        s = analyzer.polarity_scores(text)
        rows.append((s["compound"], s["neg"], s["neu"], s["pos"]))
    return rows


def _score_in_processes(texts: list[str]) -> list[tuple[float, float, float, float]]:
    import multiprocessing

    from ..forked import fork_available, usable_cores

    cores = usable_cores()
    if cores < 2 or not fork_available():
        return _score(texts)
    _analyzer()  # loaded once here; the forked workers inherit it
    size = -(-len(texts) // (4 * cores))
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    with multiprocessing.get_context("fork").Pool(min(cores, 4)) as pool:
        parts = pool.map(_score, chunks)  # in order
    return [row for part in parts for row in part]


@register_backend("vader")
class VaderBackend:
    """VADER's compound score, which is already in -1..1."""

    name = "vader"

    def __init__(self, **_: Any) -> None:
        pass

    def score(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        return vader_scores(list(texts))[:, 0].astype(float)

    def describe(self) -> list[Any]:
        import vaderSentiment

        from ..models import ModelInfo, folder_size

        lexicon = Path(vaderSentiment.__file__).resolve().parent / "vader_lexicon.txt"
        version = f"vaderSentiment {importlib.metadata.version('vaderSentiment')}"
        return [ModelInfo("sentiment", "vader", "builtin", str(lexicon), version, folder_size(lexicon))]
