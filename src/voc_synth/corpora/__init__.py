"""Sample corpora written by this project.

- `phrasebank`: the hand-written theme phrase banks shared by both generators.
- `synth.write_synthetic_corpus`: a SYNTHETIC corpus of any size (1k..1M segments) for benchmarks,
  with one planted theme per record in `labels.csv`.

The Larkfield Home demo corpus itself lives in `corpora/demo_shop/` and is written by
`scripts/make_demo_corpus.py`.
"""

from .synth import write_synthetic_corpus

__all__ = ["write_synthetic_corpus"]
