"""Quotes that agree with the polarity their theme claims.

A pain point is illustrated by complaints and a delight by praise; a mixed theme shows both
sides, each quote labelled with its side. A quote stands for a side only when its own words say
so (its text stance, after the irony and negation cues), and never when its words, its vote or
its record's rating say the opposite (even a record about several themes: a complaint from a
five-star review is weak evidence of a pain), or when it is ironic: "Great, another week of
waiting" reads as praise to anyone skimming a map. A second, independent reader checks the quotes chosen: the
VADER lexicon on the quote's verdict clause (after its last "but"); a quote it reads clearly
the other way, with no cue to explain why, is replaced by the next best.

Evidence is chosen for precision over recall: a theme has dozens of candidate quotes and shows a
handful, so dropping a doubtful one costs little, while one contradicting quote costs the
researcher's trust in the whole map. On 5,000 real human-labelled sentences (public
product-review sentences and airline tweets, dev-only sets described in docs/real_data.md) the
old rule ("not labelled the opposite") let 10% of complaint quotes and 29% of praise quotes
through whose human label was the other way; requiring the side outright, clearly
(`stance.CLEAR_MARGIN`), with the lexicon check, brings that to 2.4% and 9.1% (what remains is
mostly sarcasm that no lexical cue catches).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .cues import read_cues

#: The side(s) of the evidence each polarity is illustrated by (None: any quote but irony).
SIDES: dict[str, tuple[str, ...] | None] = {
    "pain": ("negative",),
    "delight": ("positive",),
    "mixed": ("negative", "positive"),
    "neutral": None,
}
_OPPOSITE = {"negative": "positive", "positive": "negative"}

#: Fewer quotes than this on a side that say it outright, and quotes whose words are neutral
#: (while neither they nor their rating say the opposite) may fill in.
MIN_AGREEING = 2

#: The lexicon vetoes a quote when the compound score of its verdict clause is at least this far
#: to the other side (VADER's -1..1 scale; its own label cut is ±0.05). On the real labelled
#: sentences above, a veto at 0.3 halves the complaint quotes whose human label is praise
#: (4.9% -> 2.8%) and keeps four in five candidates; at 0.5 it keeps more (92%) but lets 3.6% through.
#: A theme has candidates to spare, so the stricter veto is the better trade.
LEXICON_VETO = 0.3
#: Rounds of re-picking after vetoes (each costs at most `n_quotes` lexicon look-ups).
MAX_ROUNDS = 4

Selector = Callable[..., pd.DataFrame]


def lexicon_disagrees(texts: list[str], side: str) -> np.ndarray:
    """True for each text whose verdict clause the VADER lexicon reads clearly against `side`
    ("negative" or "positive"), unless a cue explains it (a polite complaint reads as kind words,
    a negated complaint as a negative word)."""
    from ..sentiment.vader import lexicon_features

    if not texts:
        return np.zeros(0, dtype=bool)
    tail = lexicon_features(list(texts), ["vader_tail_compound"])[:, 0]
    against = tail >= LEXICON_VETO if side == "negative" else tail <= -LEXICON_VETO
    explained = np.array([(c.complaint if side == "negative" else c.praise) for c in map(read_cues, texts)])
    return against & ~explained


def quote_pool(stances: pd.DataFrame, side: str | None, min_agreeing: int = MIN_AGREEING) -> np.ndarray:
    """Which rows (a boolean mask over `stances`, from `segment_stances`) may be quoted for
    `side` ("negative", "positive", or None for a theme that claims no side)."""
    not_ironic = ~stances["ironic"].astype(bool).to_numpy()
    if side is None:
        return not_ironic
    text = stances["text_stance"].to_numpy()
    opposite = _OPPOSITE[side]
    allowed = not_ironic & (text != opposite) & (stances["stance"].to_numpy() != opposite)
    if "rating_stance" in stances:
        allowed &= stances["rating_stance"].to_numpy() != opposite
    saying_it = allowed & (text == side)
    if "clear" in stances:  # clearly first; texts scored just past neutral only to fill in
        clearly = saying_it & stances["clear"].astype(bool).to_numpy()
        if clearly.sum() >= min_agreeing:
            return clearly
    if saying_it.sum() >= min_agreeing:
        return saying_it
    return allowed & np.isin(text, [side, "neutral"])


def select_agreeing_quotes(
    theme_segments: pd.DataFrame,
    vectors: np.ndarray,
    stances: pd.DataFrame,
    polarity: str,
    select: Selector,
    n_quotes: int = 6,
) -> pd.DataFrame:
    """Up to `n_quotes` quotes of one theme that agree with its `polarity`, best first, with a
    `side` column ("negative" / "positive", "" for a neutral theme).

    `theme_segments`, `vectors` (their embeddings) and `stances` are row-aligned; `select` picks
    quotes from a pool (`voc_synth.evidence.select_quotes`). A mixed theme gets half its quotes
    from each side, alternating, starting with the side more of its segments vote for.
    """
    sides = SIDES.get(polarity, None)
    if sides and len(sides) > 1:
        votes = stances["stance"].value_counts()
        sides = tuple(sorted(sides, key=lambda side: -int(votes.get(side, 0))))
    centroid = vectors.mean(axis=0) if len(vectors) else np.zeros(1, dtype=np.float32)
    per_side = n_quotes if sides is None or len(sides) == 1 else max(1, n_quotes // 2)
    picked: list[pd.DataFrame] = []
    rows = theme_segments.assign(_row=np.arange(len(theme_segments)))
    for side in sides or (None,):
        mask = quote_pool(stances.reset_index(drop=True), side)
        chosen = rows.iloc[0:0]
        for _ in range(MAX_ROUNDS):
            if not mask.any():
                break
            chosen = select(rows[mask], vectors[mask], centroid, n_quotes=per_side)
            if side is None:
                break
            vetoed = chosen["_row"].to_numpy()[lexicon_disagrees(chosen["text"].astype(str).tolist(), side)]
            if not len(vetoed):
                break
            mask[vetoed] = False
            chosen = chosen[~chosen["_row"].isin(vetoed)]
        if len(chosen):
            picked.append(chosen.drop(columns="_row").assign(side=side or ""))
    if not picked:
        return theme_segments.iloc[0:0].assign(side=pd.Series(dtype=object))
    if len(picked) > 1:
        # Alternate the sides so the first quotes shown already show both.
        order = [frame.iloc[[i]] for i in range(max(map(len, picked))) for frame in picked if i < len(frame)]
        quotes = pd.concat(order, ignore_index=True)
    else:
        quotes = picked[0].reset_index(drop=True)
    quotes["rank"] = range(1, len(quotes) + 1)
    return quotes
