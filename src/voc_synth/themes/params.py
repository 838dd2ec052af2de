"""Size-scaled defaults for the theme model, and the vocabulary used for keywords.

The defaults were tuned on `data/themes_eval/` (see `scripts/eval_themes.py`) with rules that
scale with the number of segments N rather than constants fitted to one corpus:

- UMAP `n_neighbors = clip(round(sqrt(N)), 10, 50)`: BERTopic's fixed 15 is right for a few
  hundred texts; with thousands of short, template-like queries a wider neighbourhood keeps
  one intent in one piece instead of splitting it by incidental wording (plain BERTopic found
  52 topics for 30 intents). Capped at 50 for speed.
- HDBSCAN `min_cluster_size = max(5, round(sqrt(N) / 3))` (13 for N=1,500, 33 for N=10,000):
  grows with the corpus so a big corpus is not shattered into dozens of near-duplicate themes,
  but sub-linearly so that a recurring theme of well under 1% of segments still surfaces.
- HDBSCAN `min_samples = max(4, min_cluster_size // 2)` (never above min_cluster_size) rather
  than HDBSCAN's default (= min_cluster_size): less conservative density estimates leave fewer
  raw outliers and fewer broad "everything about orders" clusters; this was the most
  consistent winner across subsets (10-30 intents, 20-50 queries each, balanced and not). The
  floor of 4 keeps small corpora from splitting a theme on chance pairs of near-duplicates.
- UMAP layout for big corpora: below `LARGE_CORPUS_FROM` segments umap-learn's defaults
  (spectral initialisation; 500 epochs up to 10,000 segments, 200 above). From there on, a PCA
  initialisation and 100 epochs. Both the spectral initialisation (an eigen-solve of the whole
  neighbour graph) and the layout epochs run on one core — a fixed seed rules out umap's
  parallel SGD — and at 99k segments they took 23 s and 61 s. With PCA and 100 epochs the whole
  UMAP (after the neighbours) took 36 s instead of 87 s. HDBSCAN on the result scored NMI 0.544 and
  0.546 (seeds 0 and 1) against the planted themes, where the defaults scored 0.543 and 0.551: a
  difference smaller than the one between two seeds.
- outlier reassignment (BERTopic `reduce_outliers`, strategy "embeddings"): a segment HDBSCAN
  left out joins the theme whose centroid it is most similar to when that cosine similarity is
  at least `outlier_threshold` (0.35 — with all-MiniLM-L6-v2 segments about a theme score
  0.4-0.8 against its centroid, while filler such as "ok thanks", "sure, go on" or "can you
  hear me?" scores 0.15-0.33 against every theme). The rest stay unthemed.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ..config import ThemeConfig

# Below this many segments UMAP + HDBSCAN are unreliable (too few points for a density
# estimate), so a cosine agglomerative clustering of the raw embeddings is used instead.
MIN_SEGMENTS_FOR_UMAP = 100
# From this many segments on, UMAP starts from PCA and runs 100 layout epochs (see the docstring).
LARGE_CORPUS_FROM = 50_000
LARGE_CORPUS_EPOCHS = 100
# At or below this many segments (or when all texts are the same) there is one theme.
MAX_SEGMENTS_SINGLE_THEME = 3
# Fallback clustering: average-linkage cosine distance at which clusters stop merging, and
# the smallest cluster kept as a theme.
SMALL_CORPUS_DISTANCE = 0.55
SMALL_CORPUS_MIN_SIZE = 2

# Words customers use around what they mean: greetings, thanks, politeness, hedges and the
# generic nouns of every ticket. Removed from keywords (never from the texts that are embedded).
DOMAIN_STOP_WORDS = frozenset("""
hi hello hey dear morning afternoon evening team guys folks sir madam
thanks thank thx ty cheers regards kind kindly appreciate appreciated appreciating
please pls plz asap urgent urgently help helping question questions query
sorry ok okay yeah yes yep yup nope um umm uh er erm ah oh hmm lol haha
really just actually basically literally honestly simply totally quite pretty very truly
like think know mean guess suppose feel felt said say says saying tell told
thing things stuff lot lots bit bits kind sort way ways something anything everything
got get gets getting go going gone went come came make let lets want wanted need needed
would could should shall will might must may can cant cannot couldnt wouldnt shouldnt
im ive id ill youre youve dont doesnt didnt isnt wasnt arent werent havent hasnt hadnt wont
don doesn didn isn wasn aren weren haven hasn hadn couldn wouldn shouldn won ve ll re
also still even well much many one two time times today yesterday now day days week weeks
order orders ordered ordering product products purchase purchased item items
regarding fw fwd ref hope hoping
monday tuesday wednesday thursday friday saturday sunday weekend tomorrow tonight month months
january february march april june july august september october november december
""".split())
# (Day and month names: "it came on Tuesday" is when, not what — a theme of late deliveries was
# once labelled "Tuesday · birthday".)

TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_]+\b"  # words of 2+ letters; no numbers or order ids
_TOKEN_RE = re.compile(TOKEN_PATTERN)


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower())


def stop_words(extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """English + domain + user stop words, tokenised like the keyword vectorizer tokenises text
    (so "don't" contributes "don"), sorted for determinism."""
    words: set[str] = set(ENGLISH_STOP_WORDS) | DOMAIN_STOP_WORDS
    for phrase in extra:
        words.update(tokenize(str(phrase)))
    return sorted(words)


@dataclass(frozen=True)
class ThemeParams:
    """The effective settings of one theme run (recorded in the result for the manifest)."""

    n_segments: int
    method: str  # "bertopic" | "agglomerative" | "single"
    n_neighbors: int
    n_components: int
    n_epochs: int | None  # UMAP layout epochs; None = umap-learn's default
    umap_init: str  # "spectral" (umap-learn's default) or "pca"
    min_cluster_size: int
    min_samples: int | None
    cluster_selection_method: str
    outlier_threshold: float | None
    n_themes: int | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def default_n_neighbors(n: int) -> int:
    return int(min(50, max(10, round(math.sqrt(n)))))


def default_n_epochs(n: int) -> int | None:
    """UMAP layout epochs for `n` segments: None (umap-learn's default) below
    `LARGE_CORPUS_FROM`, else `LARGE_CORPUS_EPOCHS`."""
    return LARGE_CORPUS_EPOCHS if n >= LARGE_CORPUS_FROM else None


def default_umap_init(n: int) -> str:
    """UMAP's initial layout for `n` segments: "spectral" below `LARGE_CORPUS_FROM`, else "pca"."""
    return "pca" if n >= LARGE_CORPUS_FROM else "spectral"


def default_min_cluster_size(n: int) -> int:
    return int(max(5, round(math.sqrt(n) / 3)))


def default_min_samples(min_cluster_size: int) -> int:
    return int(min(min_cluster_size, max(4, min_cluster_size // 2)))


def resolve_params(n: int, config: ThemeConfig, single: bool = False) -> ThemeParams:
    """The settings for a corpus of `n` segments: `config` where it says, else the scaled defaults."""
    if single or n <= MAX_SEGMENTS_SINGLE_THEME:
        method = "single"
    elif n < MIN_SEGMENTS_FOR_UMAP:
        method = "agglomerative"
    else:
        method = "bertopic"
    n_neighbors = config.n_neighbors or default_n_neighbors(n)
    n_neighbors = max(2, min(n_neighbors, n - 1)) if n > 2 else 2
    mcs = config.min_theme_size or (
        default_min_cluster_size(n) if method == "bertopic" else SMALL_CORPUS_MIN_SIZE)
    mcs = max(2, mcs)
    threshold = config.outlier_threshold if config.reduce_outliers else None
    return ThemeParams(
        n_segments=n, method=method, n_neighbors=n_neighbors, n_components=config.n_components,
        n_epochs=config.n_epochs or default_n_epochs(n), umap_init=config.umap_init or default_umap_init(n),
        min_cluster_size=mcs, min_samples=config.min_samples or default_min_samples(mcs),
        cluster_selection_method=config.cluster_selection_method,
        outlier_threshold=threshold, n_themes=config.n_themes,
    )
