"""Record values in canonical form: ISO dates and numeric ratings (with their scale)."""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import pandas as pd


@functools.lru_cache(maxsize=65536)
def _iso_from_string(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
    if m:
        return m.group(1)
    if re.fullmatch(r"\d{10}(\d{3})?(\.\d+)?", value):
        seconds = float(value) / (1000 if len(value.split(".")[0]) == 13 else 1)
        return pd.Timestamp(seconds, unit="s").strftime("%Y-%m-%d")
    try:
        stamp = pd.to_datetime(value, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return ""
    if stamp is None or pd.isna(stamp):
        return ""
    try:
        return stamp.strftime("%Y-%m-%d")
    except (ValueError, AttributeError):
        return ""


def iso_date(value: Any) -> str:
    """A record's date as 'YYYY-MM-DD', or '' when absent or unparseable."""
    if value is None or isinstance(value, bool):
        return ""
    if hasattr(value, "strftime"):
        try:
            return value.strftime("%Y-%m-%d")
        except ValueError:
            return ""
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return _iso_from_string(str(int(value)))
    return _iso_from_string(str(value)[:64])


def to_rating(value: Any) -> float:
    """A numeric rating from 4, "4", "4/5", "4 stars", "★★★★☆"; NaN when there is none."""
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else math.nan
    text = str(value).strip()
    if "★" in text:
        return float(text.count("★"))
    m = re.search(r"[-+]?\d+(?:[.,]\d+)?", text)
    if not m:
        return math.nan
    try:
        number = float(m.group(0).replace(",", "."))
    except ValueError:
        return math.nan
    return number if math.isfinite(number) else math.nan


def infer_scale(ratings: list[float]) -> str:
    values = [r for r in ratings if not math.isnan(r)]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if lo >= 1 and hi <= 5:
        return "1-5"
    if lo >= 0 and hi <= 10:
        return "0-10"
    if lo >= 0 and hi <= 100:
        return "0-100"
    return ""
