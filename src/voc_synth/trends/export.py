"""Writing a comparison: `compare.html`, `compare.md` and `compare.json` into one folder.

The default folder sits inside the later run: `RUN_B/compare-vs-<name of RUN_A>`. (A re-run of
RUN_B into the same folder replaces the folder, comparison included: compare again after it.)
"""

from __future__ import annotations

import json
from pathlib import Path

from ..run_folder import _segment_folder_name
from .html import render_trend_html
from .markdown import render_trend_markdown
from .result import RunComparison

HTML_FILE = "compare.html"
MARKDOWN_FILE = "compare.md"
JSON_FILE = "compare.json"


def default_out_dir(comparison: RunComparison) -> Path:
    """`RUN_B/compare-vs-<RUN_A's folder name>`."""
    a_folder = Path(comparison.run_a["path"]).name
    return Path(comparison.run_b["path"]) / f"compare-vs-{_segment_folder_name(a_folder)}"


def write_trend_report(comparison: RunComparison, out_dir: Path | str) -> list[Path]:
    """Write the HTML, Markdown and JSON reports of `comparison` into `out_dir`; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / HTML_FILE
    html_path.write_text(render_trend_html(comparison), encoding="utf-8")
    md_path = out_dir / MARKDOWN_FILE
    md_path.write_text(render_trend_markdown(comparison), encoding="utf-8")
    json_path = out_dir / JSON_FILE
    json_path.write_text(json.dumps(comparison.to_dict(), indent=1, ensure_ascii=False, allow_nan=False) + "\n",
                         encoding="utf-8")
    return [html_path, md_path, json_path]
