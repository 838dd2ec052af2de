"""Sentiment a text model cannot read from a short answer: scores on a scale, and emoji.

A customer who types "5/5", "9 out of 10", "4 stars" or "★★★★☆" into a feedback box has said
exactly how it went, on a scale; a sentence model sees only digits ("1/5" scores as mildly
positive). A bare "5" is clear only when the scale is known — the record's own rating scale,
since a number typed into the comment usually repeats the score — and is otherwise counted
with no sentiment (NaN) rather than guessed: "5" is the top of 1-5 but the middle of 0-10.

Emoji: the embedding model has no token for most emoji, and VADER scores a few of them ("😍")
but not the commonest verdicts ("👍", "👎", "😡"). `EMOJI_SENTIMENT` sets a score for the emoji
customers use as an answer; an answer made only of emoji scores their mean. Emoji inside a
sentence are left to the backend.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

# Hand-set polarity of emoji used as a verdict (-1..1). Strong verdicts near ±0.8, milder
# faces near ±0.5; laughter is only mildly positive because it is also used to mock.
EMOJI_SENTIMENT: dict[str, float] = {
    # positive
    "👍": 0.8, "👌": 0.7, "👏": 0.8, "🙌": 0.8, "💯": 0.9, "🙏": 0.6, "✅": 0.6, "✔": 0.5,
    "😀": 0.7, "😃": 0.7, "😄": 0.8, "😁": 0.8, "😊": 0.8, "☺": 0.7, "🙂": 0.5, "😉": 0.5,
    "😍": 0.9, "🥰": 0.9, "😘": 0.8, "🤩": 0.9, "😎": 0.6, "🥳": 0.8, "🤗": 0.7, "😇": 0.6,
    "😆": 0.6, "😋": 0.7, "😂": 0.4, "🤣": 0.4, "🎉": 0.7, "🌟": 0.7, "✨": 0.5, "🔥": 0.6,
    "❤": 0.9, "♥": 0.8, "💕": 0.8, "💖": 0.8, "💗": 0.8, "💓": 0.8, "💞": 0.8, "💘": 0.8,
    "💙": 0.8, "💚": 0.8, "💛": 0.8, "💜": 0.8, "🧡": 0.8, "😻": 0.8, "🏆": 0.7, "🥇": 0.7,
    # negative
    "👎": -0.8, "😡": -0.9, "😠": -0.8, "🤬": -1.0, "👿": -0.8, "😤": -0.6, "💩": -0.8,
    "🤮": -0.9, "🤢": -0.7, "💔": -0.7, "❌": -0.6, "🙁": -0.5, "☹": -0.6, "😞": -0.6,
    "😢": -0.6, "😭": -0.6, "😩": -0.6, "😫": -0.6, "😖": -0.6, "😣": -0.5, "😔": -0.5,
    "😟": -0.5, "😒": -0.5, "🙄": -0.5, "😕": -0.4, "😬": -0.3, "😾": -0.6, "😑": -0.3,
    "😓": -0.4, "😥": -0.4, "😰": -0.5, "😱": -0.5,
    # neutral
    "😐": 0.0, "😶": 0.0, "🤔": 0.0, "🤷": 0.0,
}
# Skin tones, variation selectors and joiners change how an emoji looks, not what it says.
_MODIFIERS = re.compile("[\U0001F3FB-\U0001F3FF\uFE0E\uFE0F\u200D]")
_EMOJI = re.compile(
    "[\u2600-\u27BF\u2B00-\u2BFF\U0001F000-\U0001FAFF]"
)
_SCALE = re.compile(
    r"(?P<value>\d+(?:[.,]\d+)?)\s*(?:/|out\s+of|of)\s*(?P<top>\d+)", re.IGNORECASE)
_STARS = re.compile(r"(?P<value>\d+(?:[.,]\d+)?)\s*(?:stars?|\*)", re.IGNORECASE)
_PERCENT = re.compile(r"(?P<value>\d+(?:[.,]\d+)?)\s*%")
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_STAR_SYMBOLS = re.compile(r"[★☆⭐]+")
# What may surround a score, or sit between emoji, without changing what it says.
_EDGES = " \t\r\n.!?,;:~-–—()'\"“”…"
_FILL = re.compile(r"[\s.!?,;:~\-–—()'\"“”…]+")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _on_scale(value: float, low: float, high: float) -> float:
    """`value` on low..high as -1..1 (clipped: "100/10" is the top of its scale)."""
    if high <= low:
        return math.nan
    return float(np.clip(2.0 * (value - low) / (high - low) - 1.0, -1.0, 1.0))


def _scale_bounds(scale: str) -> tuple[float, float] | None:
    """(low, high) from a rating scale such as "1-5" or "0-10"; None when unknown."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*", scale or "")
    return (float(match.group(1)), float(match.group(2))) if match else None


def read_scale(text: str, scale: str = "") -> float | None:
    """The score of an answer that is only a rating: "4/5", "9 out of 10", "4 stars", "★★★★☆",
    "80%", or a bare number on the record's `scale` ("1-5"). NaN for a bare number whose scale
    is unknown (counted, no sentiment); None when the answer is not only a rating."""
    core = " ".join(text.split()).strip(_EDGES)
    if not core:
        return None
    symbols = _STAR_SYMBOLS.fullmatch(_MODIFIERS.sub("", core).replace(" ", ""))
    if symbols:
        stars = symbols.group(0)
        full = stars.count("★") + stars.count("⭐")
        if len(stars) < 2:
            return math.nan  # one star symbol: a one-star rating, or just "a star"?
        return _on_scale(full, 1, max(5, len(stars)))
    for pattern in (_SCALE, _STARS, _PERCENT):
        match = pattern.fullmatch(core)
        if not match:
            continue
        value = _number(match.group("value"))
        if pattern is _SCALE:
            top = float(match.group("top"))
            # A short scale starts at 1 (1-5 stars), a long one at 0 (0-10, NPS).
            return _on_scale(value, 1.0 if top <= 7 else 0.0, top) if top > 0 else None
        if pattern is _STARS:
            return _on_scale(value, 1.0, 5.0)
        return _on_scale(value, 0.0, 100.0)
    if _NUMBER.fullmatch(core):
        bounds = _scale_bounds(scale)
        value = _number(core)
        if bounds and bounds[0] <= value <= bounds[1]:
            return _on_scale(value, *bounds)
        return math.nan
    return None


def read_emoji(text: str) -> float | None:
    """The mean score of an answer made only of emoji (and punctuation) whose emoji are in
    `EMOJI_SENTIMENT`; None when the answer has words or an emoji the table does not know."""
    plain = _MODIFIERS.sub("", text)
    emoji = _EMOJI.findall(plain)
    rest = _FILL.sub("", _EMOJI.sub("", plain))
    if not emoji or rest:
        return None
    scores = [EMOJI_SENTIMENT.get(e) for e in emoji]
    if any(s is None for s in scores):
        return None
    return float(np.mean(scores))


def short_answer_scores(texts: Sequence[str], scales: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Scores for the texts that are only a rating or only emoji.

    Returns (`scores`, `known`): `known[i]` is True where `texts[i]` was read here, and then
    `scores[i]` is its score (NaN for a bare number on an unknown scale); elsewhere the
    backend's score stands. `scales` gives each text's rating scale ("1-5", "" when unknown).
    """
    scores = np.full(len(texts), np.nan)
    known = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        text = str(text or "")
        if len(text) > 40:  # a rating or a row of emoji is short; skip the regexes for prose
            continue
        value = read_scale(text, scales[i] if scales is not None else "")
        if value is None:
            value = read_emoji(text)
        if value is not None:
            scores[i], known[i] = value, True
    return scores, known
