"""What a segment says, for the encoders: its words without redaction placeholders and without
the reference lines that only carry one.

Support tickets and chats end with "Order ref [ORDER_NUMBER]", "it's [ORDER_NUMBER]" or
"My order is [ORDER_NUMBER]." once redaction has run. Those lines say nothing about the
customer's experience, yet they are the one thing hundreds of tickets share, so an embedding
that reads them pulls unrelated complaints together (on the demo corpus, 147 tickets about late
parcels, refunds and doorstep drops formed one theme around the trailer). The quote shown keeps
the redacted text exactly as segmented; only what is embedded changes.
"""

from __future__ import annotations

import re

# A redaction placeholder: [NAME], [EMAIL], [ORDER_NUMBER] (see `redact.PLACEHOLDERS`).
PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
# A sentence or line holding a placeholder and at most this many other words is a reference
# line ("Order ref [ORDER_NUMBER]", "My order is [ORDER_NUMBER]."): it is left out. Longer ones
# ("I spoke to [NAME] twice") keep their words.
REFERENCE_LINE_WORDS = 3

_PIECES = re.compile(r"\n+|(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _without_placeholders(text: str) -> str:
    # "()" and " ," are what a placeholder leaves behind.
    rest = re.sub(r"\(\s*\)|\s+(?=[,.;:!?])", "", PLACEHOLDER.sub(" ", text))
    return " ".join(rest.split())


def meaning_text(text: str) -> str:
    """`text` as the encoders should read it: reference lines dropped, placeholders removed.

    Text without placeholders is returned unchanged. When nothing would be left, the words
    around the placeholders are kept, and when there are none, the text itself."""
    if not PLACEHOLDER.search(text):
        return text
    kept: list[str] = []
    for piece in _PIECES.split(text):
        if PLACEHOLDER.search(piece):
            piece = _without_placeholders(piece)
            if len(_WORD.findall(piece)) <= REFERENCE_LINE_WORDS:
                continue
        piece = " ".join(piece.split())
        if piece:
            kept.append(piece)
    return " ".join(kept) or _without_placeholders(text) or text
