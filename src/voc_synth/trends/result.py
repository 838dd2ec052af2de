"""What a comparison of two runs found: theme changes, stage emotion changes, moments that moved.

Plain dataclasses, so the Markdown, HTML and JSON writers and a notebook all read the same
numbers; `RunComparison.themes_frame()` and `.stages_frame()` give them as DataFrames.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

#: Theme statuses in the order reports list them.
THEME_STATUSES = ("new", "gone", "grown", "shrunk", "no significant change")
STAGE_STATUSES = ("more positive", "more negative", "no significant change", "not enough data")


@dataclass
class MemberTheme:
    """A theme of one run inside a family, as that run's map shows it."""

    theme_id: int
    label: str
    records: int  # the run's own count (n_documents), not the comparison's yardstick


@dataclass
class ExampleQuote:
    """One attributed customer quote that shows what a theme is about."""

    text: str
    attribution: str
    run: str


@dataclass
class ThemeChange:
    """One family of themes, its records in each run (one yardstick) and the test of its share."""

    family: int
    status: str
    label: str
    label_a: str
    label_b: str
    stage_id: str
    stage: str
    themes_a: list[MemberTheme]
    themes_b: list[MemberTheme]
    records_a: int
    records_b: int
    share_a: float
    share_b: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    q_value: float
    test: str
    quote: ExampleQuote | None = None

    @property
    def significant(self) -> bool:
        return self.status != "no significant change"

    @property
    def ratio(self) -> float | None:
        """Share in B over share in A (None when A has none)."""
        return self.share_b / self.share_a if self.share_a > 0 else None


@dataclass
class StageChange:
    """A stage's mean sentiment in each run, the difference with its interval, and the verdict."""

    stage_id: str
    name: str
    order: int
    status: str
    mean_a: float | None
    mean_b: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    q_value: float | None
    segments_a: int
    segments_b: int
    records_a: int
    records_b: int
    moment_a: str
    moment_b: str
    interval_a: list[float] | None = None  # the map's own 95% interval of the mean, per run
    interval_b: list[float] | None = None


@dataclass
class MomentChange:
    """Where one kind of moment that matters (trough, sharp drop, peak) sits in each run."""

    kind: str
    label: str
    stages_a: list[str]
    stages_b: list[str]
    status: str  # unchanged | moved | appeared | disappeared | none


@dataclass
class RunComparison:
    """Run A (earlier) against run B (later): every theme family, stage and moment, and how."""

    run_a: dict[str, Any]
    run_b: dict[str, Any]
    themes: list[ThemeChange]
    stages: list[StageChange]
    moments: list[MomentChange]
    method: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def with_status(self, status: str) -> list[ThemeChange]:
        """Theme changes of one status (`new`, `gone`, `grown`, `shrunk`, …), largest first."""
        return [t for t in self.themes if t.status == status]

    @property
    def counts(self) -> dict[str, int]:
        """How many themes are new, gone, grown, shrunk or unchanged, and how many stages moved."""
        out = {status: len(self.with_status(status)) for status in THEME_STATUSES}
        out["stages moved"] = sum(s.status in ("more positive", "more negative") for s in self.stages)
        out["moments moved"] = sum(m.status not in ("unchanged", "none") for m in self.moments)
        return out

    def themes_frame(self) -> pd.DataFrame:
        """One row per theme family (members and quote flattened to text)."""
        rows = []
        for t in self.themes:
            row = {k: v for k, v in asdict(t).items() if k not in ("themes_a", "themes_b", "quote")}
            row["themes_a"] = "; ".join(f"{m.theme_id}: {m.label}" for m in t.themes_a)
            row["themes_b"] = "; ".join(f"{m.theme_id}: {m.label}" for m in t.themes_b)
            row["quote"] = t.quote.text if t.quote else ""
            rows.append(row)
        return pd.DataFrame(rows)

    def stages_frame(self) -> pd.DataFrame:
        """One row per stage of the framework, in order."""
        return pd.DataFrame([asdict(s) for s in self.stages])

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data (what `comparison.json` holds); p-values unrounded."""
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "counts": self.counts,
            "method": self.method,
            "notes": self.notes,
            "themes": [asdict(t) for t in self.themes],
            "stages": [asdict(s) for s in self.stages],
            "moments": [asdict(m) for m in self.moments],
        }

    def _repr_html_(self) -> str:
        from .html import render_trend_html

        return render_trend_html(self, fragment=True)
