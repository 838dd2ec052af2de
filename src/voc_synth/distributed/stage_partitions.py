"""Stage placement's record-by-record part on the cluster: each segment's keyword evidence.

`stages.lexical.KeywordMatcher.score` stems every segment and looks its words and phrases up
in the framework's keywords — pure Python, one text at a time, and so the part of stage
placement that grows with the corpus at the interpreter's pace. With a cluster session it runs
as partitions (the matcher is sent to each worker once). The rest of stage placement fits one
model to the whole corpus (neighbours, the stage model's EM, theme smoothing) and stays on the
client, on vectorised numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .partitions import Partition, content_hash, gather_rows, partition_key, ranges
from .store import Arrays

if TYPE_CHECKING:
    from .session import ClusterSession

#: Texts per partition come in multiples of this (a few milliseconds of work per hundred texts).
GRAIN = 4096


def keyword_scores_on_cluster(session: ClusterSession, matcher: Any, texts: list[str]) -> np.ndarray:
    """`matcher.score(texts)`, computed on the workers: an (n_texts, n_stages) array."""
    recipe = content_hash(sorted(matcher.weights.items()), matcher.phrases, matcher.phrase_bonus,
                          matcher.n_stages)
    bounds = ranges(len(texts), session.partition_items(GRAIN))
    partitions = [Partition(partition_key("stage_keywords", recipe, texts[a:b]), (texts[a:b],), b - a)
                  for a, b in bounds]
    return gather_rows(session, "stage_keywords", "Matching stage keywords", keyword_partition, partitions,
                       bounds, np.zeros((len(texts), matcher.n_stages)), shared=[matcher])


def keyword_partition(matcher: Any, texts: list[str]) -> Arrays:
    """On a worker: the keyword evidence of one partition of texts."""
    return {"scores": matcher.score(texts)}
