"""Column contracts of the canonical tables every step reads and writes.

Steps add columns; none removes or renames one. Code that builds or checks a table uses these
lists instead of spelling column names again.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

SOURCE_TYPES = ("interview", "ticket", "review", "survey")

# One row per input record (an interview, a ticket, a review, a survey answer).
DOCUMENT_COLUMNS = [
    "doc_id",          # the source's own id where it has one, else a stable hash
    "source_type",     # interview | ticket | review | survey
    "source_file",     # path relative to the corpus root (or the file name)
    "locator",         # "row 12", "line 40", "lines 3-88" — where the record is in its file
    "participant",     # pseudonym: P07, customer-3f2a (never a real name)
    "date",            # ISO date string or empty
    "rating",          # numeric rating / CSAT / NPS as given, NaN when absent
    "rating_scale",    # e.g. "1-5", "0-10"
    "channel",         # email, chat, phone, app, web… when known
    "product",         # product or product line when known
    "text",            # cleaned, redacted full text of the record
    "n_segments",      # how many analysis segments it produced
]

# One row per analysis unit.
SEGMENT_COLUMNS = [
    "segment_id",      # stable: same input → same id on every run and machine
    "doc_id",
    "source_type",
    "source_file",
    "locator",         # row / line range / timestamp of this segment
    "participant",     # pseudonym of who said it
    "speaker",         # the speaker label as pseudonymised (P07, Interviewer, customer-3f2a)
    "turn",            # interviews: 1-based turn number in the file (every speaker turn counted)
    "question",        # interviews: the interviewer turn this answered (redacted), else ""
    "text",            # redacted segment text
    "char_start",      # offsets of the segment in the document's cleaned text
    "char_end",
    "date",
    "rating",
    "channel",
    "product",
    "theme_note",      # why the segment stays out of theme clustering (SHORT_ANSWER_NOTE), else ""
]

# Added by the analysis steps, in this order.
ANALYSIS_COLUMNS = [
    "theme_id",          # int; -1 = unthemed
    "theme_label",
    "sentiment",         # float in -1..1
    "sentiment_label",   # negative | neutral | positive
    "stage",             # stage id from the framework, or "unmapped"
    "stage_confidence",  # 0..1
]

UNTHEMED_ID = -1
UNMAPPED_STAGE = "unmapped"

# A customer's short answer ("Very good", "5/5", "👍"): it counts toward sentiment, its stage's
# emotion and the source's totals, but says too little to be clustered into a theme. Shown as
# its `theme_note` and its `theme_label`.
SHORT_ANSWER_NOTE = "no theme: too short to say what about"


def themable(segments: pd.DataFrame) -> np.ndarray:
    """A boolean mask: the segments that go to theme clustering (not short answers)."""
    if "theme_note" not in segments.columns:  # tables saved before short answers were kept
        return np.ones(len(segments), dtype=bool)
    return (segments["theme_note"].fillna("").astype(str) == "").to_numpy()


def count_unthemed(segments: pd.DataFrame) -> int:
    """Segments that went to theme clustering and fit no theme (short answers not included)."""
    if "theme_id" not in segments.columns:
        return 0
    return int(((segments["theme_id"] < 0).to_numpy() & themable(segments)).sum())


def count_short_answers(segments: pd.DataFrame) -> int:
    """Short answers: counted for sentiment and totals, left out of themes."""
    return int((~themable(segments)).sum())


def stable_id(*parts: object, length: int = 12) -> str:
    """A short hex id that depends only on `parts` (same on every run and machine)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:length]


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """An empty DataFrame with the given columns (for steps that produced nothing)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
