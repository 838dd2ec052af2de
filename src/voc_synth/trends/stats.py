"""The statistics of a comparison: is a theme's share of records different, did a stage's mood move?

- `two_proportion_test`: a theme's share of records in run A against run B — the pooled
  two-proportion z-test, or Fisher's exact test when a cell is too small for the normal
  approximation — with a Wald 95% interval for the difference in shares.
- `benjamini_hochberg`: q-values for many tests at once, so that among the changes called
  significant at q < 0.05 about 5% at most are expected to be flukes, however many themes there are.
- `bootstrap_mean_difference`: the difference in mean sentiment of a stage, with a percentile
  interval from a bootstrap that resamples whole records (a record's segments share an author and
  a mood, so resampling segments would make the interval too narrow). Seeded: same inputs, same
  numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054
# Below this expected count in any cell the normal approximation is poor; use the exact test.
MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class ProportionTest:
    """Share of records in A and in B, their difference (B − A) with a 95% interval, and p."""

    share_a: float
    share_b: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str


def _normal_two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


def two_proportion_test(x_a: int, n_a: int, x_b: int, n_b: int) -> ProportionTest:
    """Test whether `x_a / n_a` and `x_b / n_b` differ (two-sided)."""
    if n_a <= 0 or n_b <= 0:
        raise ValueError("both runs need at least one record to compare shares")
    p_a, p_b = x_a / n_a, x_b / n_b
    diff = p_b - p_a
    half = Z95 * math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    pooled = (x_a + x_b) / (n_a + n_b)
    expected = min(n * share for n in (n_a, n_b) for share in (pooled, 1 - pooled))
    if expected < MIN_EXPECTED:
        from scipy.stats import fisher_exact  # scipy comes with scikit-learn

        p_value = float(fisher_exact([[x_a, n_a - x_a], [x_b, n_b - x_b]])[1])
        method = "Fisher's exact test"
    else:
        se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        p_value = _normal_two_sided(diff / se) if se > 0 else 1.0
        method = "two-proportion z-test"
    return ProportionTest(p_a, p_b, diff, max(-1.0, diff - half), min(1.0, diff + half), min(1.0, p_value), method)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the order given."""
    m = len(p_values)
    if m == 0:
        return []
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):  # from the largest p down, keeping q monotone
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q


@dataclass(frozen=True)
class MeanDifference:
    """Mean of A and of B, their difference (B − A) with a bootstrap interval, and p."""

    mean_a: float
    mean_b: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    n_a: int
    n_b: int
    records_a: int
    records_b: int


def _by_record(values: np.ndarray, records: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per record: the sum of its values and how many it has."""
    _, index = np.unique(records, return_inverse=True)
    return np.bincount(index, weights=values), np.bincount(index).astype(float)


def _bootstrap_means(sums: np.ndarray, counts: np.ndarray, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Means over all values of `reps` resamples of the records (with replacement)."""
    n = len(sums)
    out = np.empty(reps)
    # Chunks keep memory flat on large stages (reps × records indices at once would not be).
    chunk = max(1, min(reps, 4_000_000 // max(1, n)))
    for start in range(0, reps, chunk):
        stop = min(reps, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    return out


def bootstrap_mean_difference(
    values_a: np.ndarray,
    records_a: np.ndarray,
    values_b: np.ndarray,
    records_b: np.ndarray,
    *,
    reps: int = 2000,
    seed: int | Sequence[int] = 0,
) -> MeanDifference | None:
    """Mean of `values_b` minus mean of `values_a`, with a 95% percentile interval from a
    bootstrap that resamples records (values of one record move together) in each run apart.

    The p-value is the one the percentile interval inverts (twice the smaller share of resampled
    differences on either side of zero), so "the 95% interval excludes 0" and "p < 0.05" agree.
    Returns None when either run has fewer than two records with a value.
    """
    values_a, values_b = np.asarray(values_a, dtype=float), np.asarray(values_b, dtype=float)
    keep_a, keep_b = ~np.isnan(values_a), ~np.isnan(values_b)
    values_a, records_a = values_a[keep_a], np.asarray(records_a)[keep_a]
    values_b, records_b = values_b[keep_b], np.asarray(records_b)[keep_b]
    sums_a, counts_a = _by_record(values_a, records_a) if len(values_a) else (np.array([]), np.array([]))
    sums_b, counts_b = _by_record(values_b, records_b) if len(values_b) else (np.array([]), np.array([]))
    if len(sums_a) < 2 or len(sums_b) < 2:
        return None
    rng = np.random.default_rng(seed)
    diffs = _bootstrap_means(sums_b, counts_b, reps, rng) - _bootstrap_means(sums_a, counts_a, reps, rng)
    mean_a, mean_b = float(values_a.mean()), float(values_b.mean())
    low, high = np.quantile(diffs, [0.025, 0.975])
    tail = min(int((diffs <= 0).sum()), int((diffs >= 0).sum()))
    p_value = min(1.0, 2 * (tail + 1) / (reps + 1))
    return MeanDifference(mean_a, mean_b, mean_b - mean_a, float(low), float(high), p_value,
                          int(len(values_a)), int(len(values_b)), int(len(sums_a)), int(len(sums_b)))
