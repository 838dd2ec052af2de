"""The polarity rule: pain, delight, mixed or neutral from how a theme's segments vote.

Each segment casts its stance (`voc_synth.polarity.stance`); the rule looks at the whole
distribution of those votes, not at their mean, so a theme that half its customers love and
half hate is *mixed* rather than a lukewarm neutral, and a few outspoken complaints do not turn
a well-liked theme into a pain point.
"""

from __future__ import annotations

from .stance import RATING_HIGH, RATING_LOW

POLARITIES = ("pain", "delight", "mixed", "neutral")

#: A theme takes a side only when at least this share of its segments do (are not neutral).
#: Below one in five it is a topic customers mention, not an experience they judge.
MIN_OPINIONATED = 0.2

#: Mixed when the smaller side holds at least this share of the segments that take a side.
#: Below a quarter, the minority is within what mislabelling alone produces: the shipped text
#: classifier reads about one short positive text in five as negative (models/sentiment/README.md,
#: held-out figures), so a theme that is purely liked can show up to ~20% negative votes.
#: At a quarter or more, the other experience is real and common enough that calling the theme
#: either a pain or a delight would hide it.
MIXED_MINORITY = 0.25

#: And the smaller side must be more than one voice: a single dissenter is an anecdote.
MIN_MINORITY_VOTES = 2

POLARITY_RULE = (
    "Polarity: each segment votes negative, neutral or positive — by its record's own rating when "
    "a rated review or survey answer is about this theme alone (bottom {low:.0%} of the scale negative, top {high:.0%} "
    "positive), else by its text's sentiment corrected for irony, negation, polite complaints and outright praise. "
    "A theme is NEUTRAL when fewer than {opinion:.0%} of its segments take a side; MIXED when the "
    "smaller side has at least {minority:.0%} of the votes that take a side (and {votes}+ voices); "
    "otherwise a PAIN POINT when negative votes outnumber positive ones, a DELIGHT when positive do."
)


def theme_polarity(n_negative: int, n_positive: int, n_segments: int) -> str:
    """pain | delight | mixed | neutral for a theme whose `n_segments` segments cast
    `n_negative` negative and `n_positive` positive votes (the rest neutral)."""
    sided = n_negative + n_positive
    if n_segments <= 0 or sided < MIN_MINORITY_VOTES or sided / n_segments < MIN_OPINIONATED:
        return "neutral"
    minority = min(n_negative, n_positive)
    if minority >= MIN_MINORITY_VOTES and minority / sided >= MIXED_MINORITY:
        return "mixed"
    if n_negative == n_positive:
        return "neutral"
    return "pain" if n_negative > n_positive else "delight"


def polarity_rule_text() -> str:
    """The polarity rule as stated in every report."""
    return POLARITY_RULE.format(
        low=RATING_LOW, high=1 - RATING_HIGH, opinion=MIN_OPINIONATED, minority=MIXED_MINORITY,
        votes=MIN_MINORITY_VOTES,
    )
