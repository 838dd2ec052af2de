"""Exporters: turn a `Synthesis` into the files of a run folder.

`write_outputs(synthesis, out_dir)` writes `journey_map.html` (interactive, self-contained,
printable on A3), `report.md`, `synthesis.json`, `segments.csv`, `themes.csv`, `quotes.csv`,
`stages.csv`, `voc_synth.xlsx`, `journey_map.png` and `journey_map.svg`. Every exporter reads
the saved tables only, so re-exporting never recomputes the analysis. (`manifest.json` is the
pipeline's.) `write_comparison` adds the side-by-side view for `--segment-by`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..forked import ForkedCall, fork_available
from .compare import write_comparison
from .figures import write_figures
from .html import render_journey_map, write_journey_map
from .json_export import load_schema, schema_errors, validate_synthesis, write_json
from .markdown import render_markdown, write_markdown
from .notebook import ThemeCard, synthesis_html, theme_html
from .tables_export import XLSX_TABLES, ExportedTables, neutralise, write_csvs, write_xlsx

# Format name → what it writes. The order is the order files are written in.
FORMATS: dict[str, str] = {
    "json": "synthesis.json",
    "csv": "segments.csv, themes.csv, quotes.csv, stages.csv",
    "xlsx": "voc_synth.xlsx",
    "md": "report.md",
    "html": "journey_map.html",
    "png": "journey_map.png",
    "svg": "journey_map.svg",
}
_ALIASES = {"markdown": "md", "excel": "xlsx", "figures": "png,svg", "figure": "png,svg", "all": ",".join(FORMATS)}


def _normalise_formats(formats: Iterable[str] | str | None) -> list[str]:
    if formats is None:
        return list(FORMATS)
    if isinstance(formats, str):
        formats = formats.split(",")
    wanted: list[str] = []
    for raw in formats:
        name = str(raw).strip().lower().lstrip(".")
        if not name:
            continue
        for part in _ALIASES.get(name, name).split(","):
            if part not in FORMATS:
                raise ConfigError(
                    f"Unknown output format {raw!r}. Choose from: {', '.join(FORMATS)} (or 'all')."
                )
            if part not in wanted:
                wanted.append(part)
    return [f for f in FORMATS if f in wanted]


def write_outputs(synthesis: Any, out_dir: Path | str, *, formats: Iterable[str] | str | None = None) -> list[Path]:
    """Write the report files of `synthesis` into `out_dir` and return their paths.

    `formats` picks a subset by name (`json`, `csv`, `xlsx`, `md`, `html`, `png`, `svg`, or the
    aliases `figures` and `all`), as a list or a comma-separated string; default: all of them.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    chosen = _normalise_formats(formats)
    exported = ExportedTables(synthesis)  # made safe once for both CSV and XLSX
    xlsx: ForkedCall | None = None
    if "xlsx" in chosen and fork_available() and len(_rows(synthesis)) >= FORKED_XLSX_FROM:
        # The workbook is pure-Python work (XlsxWriter, a call per cell): write it in a child
        # process while this one writes the other files. Same bytes either way.
        exported.prepare(XLSX_TABLES)  # made here, so the child and the CSV writer share them
        xlsx = ForkedCall(write_xlsx, synthesis, out_dir, exported)
    with xlsx or contextlib.nullcontext():
        for fmt in chosen:
            if fmt == "json":
                written.append(write_json(synthesis, out_dir))
            elif fmt == "csv":
                written.extend(write_csvs(synthesis, out_dir, exported=exported))
            elif fmt == "xlsx":
                written.append(xlsx.result() if xlsx else write_xlsx(synthesis, out_dir, exported=exported))
            elif fmt == "md":
                written.append(write_markdown(synthesis, out_dir))
            elif fmt == "html":
                written.append(write_journey_map(synthesis, out_dir))
        figures = [f for f in ("png", "svg") if f in chosen]
        if figures:
            written.extend(write_figures(synthesis, out_dir, formats=figures))
    return written


#: From this many segments on, the XLSX workbook is written in a forked process alongside the
#: other files (at 100k segments it takes about 25 s, the rest of the report about 10 s).
FORKED_XLSX_FROM = 20_000


def _rows(synthesis: Any) -> Any:
    segments = getattr(synthesis, "segments", None)
    return segments if segments is not None else []


__all__ = [
    "FORMATS",
    "ThemeCard",
    "load_schema",
    "neutralise",
    "render_journey_map",
    "render_markdown",
    "schema_errors",
    "synthesis_html",
    "theme_html",
    "validate_synthesis",
    "write_comparison",
    "write_csvs",
    "write_figures",
    "write_journey_map",
    "write_json",
    "write_markdown",
    "write_outputs",
    "write_xlsx",
]
