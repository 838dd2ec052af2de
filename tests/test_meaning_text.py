"""What the encoders read: a ticket's redacted reference lines never decide what it is about."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voc_synth.config import EmbeddingConfig
from voc_synth.embed import embed_texts
from voc_synth.ingest.meaning import meaning_text


@pytest.mark.parametrize("text, expected", [
    # Trailers a helpdesk export leaves after redaction: the line goes, the complaint stays.
    ("The box was left out in the rain.\n\nOrder ref [ORDER_NUMBER]", "The box was left out in the rain."),
    ("Still no refund after three weeks.\n\nit's [ORDER_NUMBER]", "Still no refund after three weeks."),
    ("Can you tell me where it is?\n\n([ORDER_NUMBER])", "Can you tell me where it is?"),
    ("WISMO - [ORDER_NUMBER]. where's my parcel, it's been ten days",
     "where's my parcel, it's been ten days"),
    ("Charged twice for one lamp. My order is [ORDER_NUMBER]. Kind regards, [NAME]",
     "Charged twice for one lamp."),
    # Inside a sentence that says something, only the placeholder goes.
    ("My order [ORDER_NUMBER] was due on Friday and never came.", "My order was due on Friday and never came."),
    ("I rang [NAME] at the depot twice and nobody called back.",
     "I rang at the depot twice and nobody called back."),
    # Nothing to leave out: unchanged, byte for byte (the embedding cache keys on it).
    ("Delivery was late  and the  box was damaged.", "Delivery was late  and the  box was damaged."),
    # Nothing but a reference: the words around it, else the text as it is.
    ("Thanks [NAME]!", "Thanks!"),
    ("[ORDER_NUMBER]", "[ORDER_NUMBER]"),
])
def test_reference_lines_and_placeholders_are_left_out(text: str, expected: str) -> None:
    assert meaning_text(text) == expected


def test_a_shared_order_trailer_no_longer_pulls_different_complaints_together(tmp_path: Path) -> None:
    config = EmbeddingConfig(cache_dir=tmp_path / "cache")
    complaints = ["The courier left my parcel in the recycling bin.",
                  "The discount code was rejected at checkout.",
                  "Nobody answers the phone when I call support."]
    trailed = [f"{c}\n\nOrder ref [ORDER_NUMBER]" for c in complaints]
    raw = embed_texts(trailed, config)
    read = embed_texts([meaning_text(t) for t in trailed], config)
    plain = embed_texts(complaints, config)
    pairs = np.triu_indices(len(complaints), k=1)
    # With the trailer, unrelated complaints look alike; read for meaning, they are what they say.
    assert (raw @ raw.T)[pairs].mean() > (read @ read.T)[pairs].mean() + 0.05
    np.testing.assert_allclose(read, plain, atol=1e-6)
