"""Placing short answers ("very good", "5/5", "👍") on a stage, when their stage is known.

A short answer stays out of themes and out of the stage model (`map_to_stages` judges a text
by what it is about, and "very good" is about nothing in particular), but it is a customer's
verdict on some part of the journey and belongs in that stage's emotion when the part is known.
In order:

1. **its own words** name one stage's keyword ("fast delivery", "good service", "easy refund");
2. **its source's stage**, when the config says what the source is about
   (`sources[i].stage: support` for a post-contact survey);
3. **its file's stage**, when the file's other answers — those long enough to place — are
   clearly about one stage (at least `MIN_FILE_SHARE` of at least `MIN_FILE_PLACED`): a short
   answer to the same question is most likely about the same thing;
4. otherwise it is not placed ("unmapped"): it still counts for sentiment and totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..frameworks import Framework
from ..tables import UNMAPPED_STAGE
from .lexical import KeywordMatcher

MIN_KEYWORD_SCORE = 0.5   # one keyword stem of one stage (a stem shared by two stages scores 0.25)
MIN_FILE_PLACED = 10      # fewer placed answers say too little about what a file is about
MIN_FILE_SHARE = 0.6      # the file's prevailing stage holds at least this share of its placed answers


@dataclass
class ShortAnswerStages:
    """Where `place_short_answers` put each short answer, and why."""

    stages: pd.DataFrame                               # stage, stage_confidence; the answers' index
    how: pd.Series                                     # "own words" | "source" | "file" | "" (unplaced)
    file_stages: dict[str, tuple[str, float]] = field(default_factory=dict)  # file -> (stage, share)

    def summary(self) -> dict[str, object]:
        """Counts for the run's metadata: how many were placed by which rule, and each file's stage."""
        counts = self.how.replace("", "not placed").value_counts()
        return {
            "n": int(len(self.how)),
            "placed_by": {str(k): int(v) for k, v in counts.items()},
            "file_stages": {f: {"stage": s, "share": round(share, 3)} for f, (s, share) in sorted(self.file_stages.items())},
        }


def file_stages(files: pd.Series, stages: pd.Series) -> dict[str, tuple[str, float]]:
    """Each file's prevailing stage among its placed segments, where one clearly prevails."""
    out: dict[str, tuple[str, float]] = {}
    placed = stages != UNMAPPED_STAGE
    for source_file, rows in stages[placed].groupby(files[placed]):
        if len(rows) < MIN_FILE_PLACED:
            continue
        shares = rows.value_counts(normalize=True)
        if float(shares.iloc[0]) >= MIN_FILE_SHARE:
            out[str(source_file)] = (str(shares.index[0]), float(shares.iloc[0]))
    return out


def place_short_answers(
    answers: pd.DataFrame,
    framework: Framework,
    *,
    placed: pd.DataFrame | None = None,
    source_stages: Mapping[str, str] | None = None,
) -> ShortAnswerStages:
    """Stages for short answers (`text`, `source_file`), by the rules in the module docstring.

    `placed`: the run's other segments with their `source_file` and `stage` (from
    `map_to_stages`). `source_stages`: a stage id per source file, from `sources[i].stage`.
    Raises `ConfigError` when a configured stage is not one of the framework's.
    """
    source_stages = dict(source_stages or {})
    unknown = sorted(set(source_stages.values()) - set(framework.stage_ids))
    if unknown:
        raise ConfigError(
            f"sources[].stage {', '.join(map(repr, unknown))} is not a stage of the '{framework.name}' framework; "
            f"use one of: {', '.join(framework.stage_ids)}."
        )
    by_file = file_stages(placed["source_file"], placed["stage"]) if placed is not None and len(placed) else {}
    texts = answers["text"].fillna("").astype(str).tolist()
    named = _stage_named(texts, framework)
    stage, confidence, how = [], [], []
    for text_stage, source_file in zip(named, answers["source_file"].astype(str), strict=True):
        if text_stage is not None:
            stage.append(text_stage[0])
            confidence.append(text_stage[1])
            how.append("own words")
        elif source_file in source_stages:
            stage.append(source_stages[source_file])
            confidence.append(1.0)
            how.append("source")
        elif source_file in by_file:
            stage.append(by_file[source_file][0])
            confidence.append(by_file[source_file][1])
            how.append("file")
        else:
            stage.append(UNMAPPED_STAGE)
            confidence.append(0.0)
            how.append("")
    frame = pd.DataFrame({"stage": stage, "stage_confidence": confidence}, index=answers.index)
    used = {f: by_file[f] for f in set(answers["source_file"].astype(str)) if f in by_file}
    return ShortAnswerStages(frame, pd.Series(how, index=answers.index, dtype=object), used)


def _stage_named(texts: Sequence[str], framework: Framework) -> list[tuple[str, float] | None]:
    """(stage, confidence) where a text names one stage's keyword more than any other's."""
    if not texts:
        return []
    matcher = KeywordMatcher([s.keywords for s in framework.stages])
    scores = matcher.score(texts)
    out: list[tuple[str, float] | None] = []
    for row in scores:
        order = np.argsort(row)[::-1]
        top = float(row[order[0]])
        second = float(row[order[1]]) if len(row) > 1 else 0.0
        if top >= MIN_KEYWORD_SCORE and top > second:
            out.append((framework.stage_ids[int(order[0])], min(1.0, top)))
        else:
            out.append(None)
    return out
