"""Deductive coding: a researcher's codebook assigns segments to codes before themes are found.

Each code (name, a one-line definition, example phrases) is an anchor: the normalised mean of
the embeddings of its name, definition and examples. Raw cosine similarity is a poor judge on
its own: a broadly worded code sits close to every segment of a study, a narrow one close to
none, so a single threshold gives the broad code everything. Similarities are therefore
**calibrated per code** against the corpus itself: for code k, z = (s − mean_k) / sd_k over
all segments, i.e. how unusually close this segment is to this code compared with the rest of
the material (sd_k is at least the median over codes, so a code that is equally close to
everything cannot win on noise). A segment is coded when

- its best calibrated similarity reaches `codebook_min_z` (default 1.0: closer than about five
  in six of the corpus's segments), and
- it beats the runner-up code by `codebook_margin` standard deviations (default 0.25), so a
  segment that two codes describe equally well is not forced into either, and
- its raw similarity to the code is at least `codebook_min_similarity − CALIBRATED_SLACK`:
  calibration must never code a segment that is not about the code at all (in a corpus where
  nothing matches a code, its z-scores are still spread around 0).

Segments no code claims are left to the inductive theme step, which may find themes the
codebook does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..tables import UNTHEMED_ID

# How far below `codebook_min_similarity` a calibrated match may still be accepted.
CALIBRATED_SLACK = 0.35
# Fewer segments than this cannot calibrate (mean and spread need a sample): raw similarity only.
MIN_SEGMENTS_TO_CALIBRATE = 30


@dataclass
class CodeAssignment:
    """`codes[i]`: index of the code segment i is assigned to, or -1. `z`/`margin`: its
    calibrated similarity and lead over the runner-up (0 where not coded)."""

    codes: np.ndarray
    z: np.ndarray
    margin: np.ndarray
    similarity: np.ndarray

    @property
    def n_coded(self) -> int:
        return int((self.codes != UNTHEMED_ID).sum())


def calibrated_similarity(unit: np.ndarray, anchors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(raw cosine, per-code z-scores) of every segment against every code anchor."""
    sims = unit @ anchors.T
    if len(unit) < MIN_SEGMENTS_TO_CALIBRATE:
        return sims, sims.copy()
    mean = sims.mean(axis=0, keepdims=True)
    sd = sims.std(axis=0, keepdims=True)
    # A code whose similarity hardly varies over the corpus (worded as the study's subject
    # itself) tells segments apart by noise alone: no code's scale may be finer than the
    # typical code's.
    sd = np.maximum(sd, np.median(sd))
    return sims, (sims - mean) / np.where(sd > 1e-6, sd, 1.0)


def assign_codes(unit: np.ndarray, anchors: np.ndarray, min_similarity: float, min_z: float,
                 margin: float) -> CodeAssignment:
    """Assign each segment to at most one code (see the module docstring for the rule)."""
    n, k = len(unit), len(anchors)
    codes = np.full(n, UNTHEMED_ID, dtype=int)
    if n == 0 or k == 0:
        zeros = np.zeros(n)
        return CodeAssignment(codes, zeros, zeros.copy(), zeros.copy())
    sims, z = calibrated_similarity(unit, anchors)
    calibrated = len(unit) >= MIN_SEGMENTS_TO_CALIBRATE
    order = np.argsort(-z, axis=1, kind="stable")
    best = order[:, 0]
    rows = np.arange(n)
    z_best = z[rows, best]
    lead = z_best - (z[rows, order[:, 1]] if k > 1 else -np.inf)
    raw = sims[rows, best]
    if calibrated:
        ok = (z_best >= min_z) & (lead >= margin) & (raw >= min_similarity - CALIBRATED_SLACK)
    else:
        ok = raw >= min_similarity
    codes[ok] = best[ok]
    return CodeAssignment(codes, np.where(ok, z_best, 0.0), np.where(ok, np.minimum(lead, 99.0), 0.0),
                          np.where(ok, raw, 0.0))
