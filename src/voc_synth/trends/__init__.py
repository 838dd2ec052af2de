"""Run on run: what changed between two saved runs, say last quarter's and this quarter's.

    comparison = compare_runs("runs/q1", "runs/q2")   # RunComparison
    comparison.themes_frame()                           # new, gone, grown, shrunk … as a DataFrame
    write_trend_report(comparison, "runs/q2/compare-vs-q1")   # compare.html, .md, .json

Modules, one job each: `runs` (read and check the two run folders), `pairing` (which theme is
which, with the review matcher), `prevalence` (count every theme family in both runs the same
way), `stats` (the tests), `theme_changes` and `stage_changes` (verdicts), `compare`
(orchestration), `result` (the dataclasses), `html`, `markdown` and `export` (the reports).
"""

from __future__ import annotations

from .compare import compare_runs
from .export import default_out_dir, write_trend_report
from .html import render_trend_html
from .markdown import render_trend_markdown
from .result import MomentChange, RunComparison, StageChange, ThemeChange

__all__ = [
    "MomentChange",
    "RunComparison",
    "StageChange",
    "ThemeChange",
    "compare_runs",
    "default_out_dir",
    "render_trend_html",
    "render_trend_markdown",
    "write_trend_report",
]
