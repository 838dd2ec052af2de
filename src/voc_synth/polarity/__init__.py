"""Pain, delight or mixed: a theme's polarity from its segments' votes, and quotes that agree.

`segment_stances` reads each segment's vote (its review's or survey answer's own rating where
that rating is about the one theme, else its text's sentiment corrected by `read_cues` for irony, negation
and polite complaints); `theme_polarity` turns a theme's votes into pain / delight / mixed /
neutral by the rule `polarity_rule_text()` states; `select_agreeing_quotes` picks quotes that
say what the theme's polarity claims (both sides, labelled, for a mixed theme).
"""

from __future__ import annotations

from .cues import Cues, is_ironic, read_cues
from .quotes import SIDES, quote_pool, select_agreeing_quotes
from .rule import POLARITIES, polarity_rule_text, theme_polarity
from .stance import rating_stance, segment_stances, text_stance

__all__ = [
    "POLARITIES",
    "SIDES",
    "Cues",
    "is_ironic",
    "polarity_rule_text",
    "quote_pool",
    "rating_stance",
    "read_cues",
    "segment_stances",
    "select_agreeing_quotes",
    "text_stance",
    "theme_polarity",
]
