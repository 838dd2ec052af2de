"""select_quotes: one quote per person, records without a participant each count as their own."""

from __future__ import annotations

import numpy as np
import pandas as pd

from voc_synth.evidence import select_quotes


def _theme(participants: list[object], types: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    n = len(participants)
    frame = pd.DataFrame({
        "text": [f"The parcel arrived {i} days late and nobody told me." for i in range(n)],
        "participant": participants, "doc_id": [f"R{i}" for i in range(n)], "source_type": types,
    })
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(n, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return frame, vectors, vectors.mean(axis=0)


def test_reviews_without_participants_are_each_their_own_voice() -> None:
    frame, vectors, centre = _theme([np.nan] * 30, ["review"] * 30)
    quotes = select_quotes(frame, vectors, centre, n_quotes=6)
    assert len(quotes) == 6 and quotes["doc_id"].nunique() == 6
    assert quotes["kind"].tolist() == ["representative"] * 3 + ["diverse"] * 3
    assert quotes["rank"].tolist() == [1, 2, 3, 4, 5, 6]


def test_one_quote_per_participant_and_source_types_take_turns() -> None:
    participants = [f"P{i % 3}" for i in range(24)] + [None] * 6
    types = ["interview"] * 24 + ["ticket"] * 6
    frame, vectors, centre = _theme(participants, types)
    quotes = select_quotes(frame, vectors, centre, n_quotes=6)
    named = quotes["participant"].dropna()
    assert named.is_unique and len(named) == 3  # only three interviewees exist
    assert quotes["source_type"].tolist()[:2] == ["interview", "ticket"]
    assert set(quotes["source_type"]) == {"interview", "ticket"}
