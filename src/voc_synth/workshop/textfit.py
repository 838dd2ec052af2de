"""Text that fits its box: clean one-line text, word-boundary truncation, and wrapping measured
with real font metrics (DejaVu Sans, shipped with matplotlib — wider than Arial/Calibri, so text
that fits here fits where the deck is opened with those fonts)."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

_LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x0b\x0c\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")
LINE_HEIGHT = 1.2  # line pitch as a multiple of the font size (PowerPoint/LibreOffice single spacing)
ELLIPSIS = "…"


def clean(value: Any) -> str:
    """Text on one line, without control characters (which also cannot go into OOXML)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = _LINE_BREAKS.sub(" ", _CONTROL.sub("", str(value)))
    return re.sub(r"\s{2,}", " ", text).strip()


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with "…"."""
    text = clean(text)
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


@lru_cache(maxsize=4)
def _font(bold: bool, italic: bool = False) -> Any:
    import matplotlib
    from PIL import ImageFont

    name = "DejaVuSans" + ("-Bold" if bold else "") + ("Oblique" if italic and bold else "-Oblique" if italic else "")
    if name.endswith("-BoldOblique"):
        name = "DejaVuSans-BoldOblique"
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / f"{name}.ttf"
    return ImageFont.truetype(str(path), size=1000)


def text_width(text: str, size_pt: float, bold: bool = False, italic: bool = False) -> float:
    """Width of `text` in points at `size_pt`."""
    return _font(bold, italic).getlength(text) * size_pt / 1000.0


def wrap(text: str, width_pt: float, size_pt: float, bold: bool = False, italic: bool = False) -> list[str]:
    """Greedy word wrap to `width_pt`; words longer than a line are broken."""
    text = clean(text)
    if not text:
        return [""]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size_pt, bold, italic) <= width_pt:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while text_width(current, size_pt, bold, italic) > width_pt and len(current) > 1:
            # a word wider than the line: break it
            k = len(current)
            while k > 1 and text_width(current[:k], size_pt, bold, italic) > width_pt:
                k -= 1
            lines.append(current[:k])
            current = current[k:]
    lines.append(current)
    return lines


def fit_lines(text: str, width_pt: float, size_pt: float, max_lines: int, bold: bool = False,
              italic: bool = False) -> str:
    """`text` shortened (at a word boundary, with "…") to wrap into at most `max_lines` lines."""
    text = clean(text)
    if max_lines <= 0:
        return ""
    if len(wrap(text, width_pt, size_pt, bold, italic)) <= max_lines:
        return text
    lo, hi = 1, len(text)
    best = ELLIPSIS
    while lo <= hi:  # longest truncation that fits
        mid = (lo + hi) // 2
        candidate = truncate(text, mid)
        if len(wrap(candidate, width_pt, size_pt, bold, italic)) <= max_lines:
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


def line_count(text: str, width_pt: float, size_pt: float, bold: bool = False, italic: bool = False) -> int:
    return len(wrap(text, width_pt, size_pt, bold, italic))
