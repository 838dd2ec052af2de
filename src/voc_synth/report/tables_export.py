"""CSV and XLSX exports of the Synthesis tables, safe to open in a spreadsheet.

Customer text is untrusted: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return would be run as a formula by Excel, LibreOffice or Google Sheets (CSV/formula injection).
Every exported string cell is neutralised by prefixing a `'`; numbers, booleans and empty cells
are written as they are, so a negative sentiment stays a number. Lists and dicts are written as
JSON text (and neutralised like any other string).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._common import build_view, is_missing

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_TABLES = ("segments", "themes", "quotes", "stages")
XLSX_TABLES = ("segments", "themes", "quotes", "stages", "documents")
XLSX_FILE = "voc_synth.xlsx"
XLSX_MAX_ROWS = 1_048_575  # Excel's row limit, minus the header
XLSX_MAX_CHARS = 32_767  # Excel's cell limit
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8 instead of the local code page

HEADER_FILL = "1F2A44"
WRAP_COLUMNS = {
    "text", "question", "insight", "evidence_reason", "prevalence_text", "description", "goal",
    "opportunities", "label", "theme_label", "keywords", "value",
}


def neutralise(value: str) -> str:
    """`value` with a leading `'` when a spreadsheet would read it as a formula."""
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell_value(value: Any) -> Any:
    """A value ready for a CSV/XLSX cell: numbers stay numbers, strings are neutralised,
    containers become JSON text, missing values become empty."""
    if type(value) is str:  # most cells: skip the checks below (100k segments = millions of cells)
        return neutralise(value)
    if isinstance(value, (list, tuple, set, dict, np.ndarray)):
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if isinstance(value, set):
            value = sorted(value, key=str)
        return neutralise(json.dumps(_plain(value), ensure_ascii=False, default=str))
    if is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isinf(f) else f
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return neutralise(value.isoformat())
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return neutralise(str(value))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose cells are safe to export (see `cell_value`).

    Numeric columns keep their dtype; only object/string columns are rewritten.
    """
    out = frame.copy()
    for name in out.columns:
        series = out[name]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            values = [None if is_missing(v) else cell_value(v.isoformat()) for v in series.tolist()]
        else:
            values = [cell_value(v) for v in series.tolist()]
        # Built as object dtype directly: string dtypes would turn None back into NaN.
        out[name] = pd.Series(values, index=out.index, dtype="object")
    out.columns = [cell_value(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write one table as CSV (UTF-8 with BOM, formula-neutralised)."""
    return _write_exported_csv(export_frame(frame), Path(path))


def _write_exported_csv(safe: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    safe.to_csv(path, index=False, encoding=CSV_ENCODING, lineterminator="\n")
    return path


def write_csvs(synthesis: Any, out_dir: Path | str, tables: Iterable[str] = CSV_TABLES,
               exported: ExportedTables | None = None) -> list[Path]:
    """`segments.csv`, `themes.csv`, `quotes.csv`, `stages.csv` in `out_dir`.

    `exported`: the tables already made safe, shared with `write_xlsx` (see `ExportedTables`).
    """
    out_dir = Path(out_dir)
    exported = exported or ExportedTables(synthesis)
    return [_write_exported_csv(exported[name], out_dir / f"{name}.csv") for name in tables]


def _table(synthesis: Any, name: str) -> pd.DataFrame:
    frame = getattr(synthesis, name, None)
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


class ExportedTables:
    """The synthesis tables through `export_frame`, each made once and shared by the CSV and
    XLSX writers (at 100k segments that is millions of cells not checked twice)."""

    def __init__(self, synthesis: Any):
        self.synthesis = synthesis
        self._done: dict[str, pd.DataFrame] = {}

    def prepare(self, names: Iterable[str]) -> None:
        """Make the named tables now (before forking a writer that should share them)."""
        for name in names:
            self[name]

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._done:
            self._done[name] = export_frame(_table(self.synthesis, name))
        return self._done[name]


# -- XLSX -----------------------------------------------------------------------------------
# XML 1.0 cannot hold these control characters; a spreadsheet cell silently loses them anyway.
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")


def _xlsx_text(value: str) -> str:
    value = _ILLEGAL_XML.sub("", value)
    if len(value) > XLSX_MAX_CHARS:
        value = value[: XLSX_MAX_CHARS - 20] + " … [truncated]"
    return value


def _width(name: str, values: list[Any]) -> float:
    longest = max([len(str(name))] + [len(str(v)) for v in values if v is not None] or [8])
    if name in WRAP_COLUMNS:
        return 60.0 if longest > 40 else max(12.0, longest + 2.0)
    return float(min(40, max(8, longest + 2)))


def _write_sheet(workbook: Any, title: str, safe: pd.DataFrame, styles: dict[str, Any]) -> dict[str, Any]:
    """Add one styled sheet (bold header on a dark fill, sized columns, frozen header row,
    autofilter) of a table already through `export_frame`; returns notes such as truncation.

    Every cell is written by its type (`write_string`, `write_number`, ...), never by XlsxWriter's
    guessing `write`: a string is text even when it looks like a formula, a number or a URL.
    """
    notes: dict[str, Any] = {"rows": int(len(safe))}
    if len(safe) > XLSX_MAX_ROWS:
        notes["truncated_to"] = XLSX_MAX_ROWS
        safe = safe.iloc[:XLSX_MAX_ROWS]
    sheet = workbook.add_worksheet(title)
    columns = [str(c) for c in safe.columns]
    sample = safe.head(300)
    wrapped = [name in WRAP_COLUMNS for name in columns]
    for i, name in enumerate(columns):
        width = _width(str(name), sample.iloc[:, i].tolist() if len(sample) else [])
        sheet.set_column(i, i, width, styles["wrap"] if wrapped[i] else None)
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, max(1, len(safe)), len(columns) - 1)
    for j, name in enumerate(columns):
        sheet.write_string(0, j, _xlsx_text(name), styles["header"])
    for r, row in enumerate(safe.itertuples(index=False, name=None), start=1):
        for j, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, j, _xlsx_text(value))
            elif isinstance(value, (bool, np.bool_)):
                sheet.write_boolean(r, j, bool(value))
            elif isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value):
                sheet.write_number(r, j, float(value))
            # Anything else is missing (None, NaN, ±inf): the cell stays empty.
    return notes


def manifest_frame(synthesis: Any, notes: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """The manifest summary sheet: run facts, counts, and records in/ingested/skipped by reason."""
    view = build_view(synthesis)
    meta = synthesis.meta or {}
    rows: list[tuple[str, Any]] = [
        ("project", view.project),
        ("created_at", view.created_at),
        ("framework", view.framework_name),
        ("voc_synth version", view.version),
        ("seed", meta.get("seed")),
    ]
    if view.actor:
        rows.append(("actor", view.actor))
    rows += [(f"count: {k}", v) for k, v in view.counts.items()]
    rows += [(f"records: {k}", v) for k, v in view.source_counts.items()]
    for label, value in view.manifest_rows:
        try:
            number: Any = int(value.replace(",", ""))
        except ValueError:
            number = value
        rows.append((f"manifest: {label}", number))
    for step, seconds in (meta.get("timings") or {}).items():
        rows.append((f"time (s): {step}", seconds))
    for warning in view.warnings:
        rows.append(("warning", warning))
    for sheet, note in (notes or {}).items():
        if "truncated_to" in note:
            rows.append(("warning", f"sheet {sheet} truncated to {note['truncated_to']:,} of {note['rows']:,} rows (Excel's limit); the CSV has them all"))
    return pd.DataFrame(rows, columns=["item", "value"])


def write_xlsx(synthesis: Any, path: Path | str, exported: ExportedTables | None = None) -> Path:
    """`voc_synth.xlsx`: one sheet per table (segments, themes, quotes, stages, documents) and a
    manifest summary, each with a styled, frozen header row and sized columns.

    Written with XlsxWriter row by row (`constant_memory`), so 100k segments neither sit in memory
    twice nor take minutes. The document's created date and the zip entries' times are the run's
    `created_at`, so the same run gives a byte-identical file.
    """
    import xlsxwriter

    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / XLSX_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False, "use_zip64": True,
    })
    workbook.set_properties({"author": "voc_synth", "created": _created(synthesis)})
    styles = {
        "header": workbook.add_format({
            "bold": True, "font_color": "#FFFFFF", "bg_color": "#" + HEADER_FILL, "pattern": 1,
            "bottom": 2, "bottom_color": "#000000", "valign": "vcenter", "text_wrap": True,
        }),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }
    exported = exported or ExportedTables(synthesis)
    notes = {name: _write_sheet(workbook, name, exported[name], styles) for name in XLSX_TABLES}
    _write_sheet(workbook, "manifest", export_frame(manifest_frame(synthesis, notes)), styles)
    workbook.close()
    return path


def _created(synthesis: Any) -> datetime:
    """The run's `created_at` (naive UTC), or a fixed date when it has none."""
    created_at = str((synthesis.meta or {}).get("created_at") or "")
    if re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", created_at):
        return datetime.fromisoformat(created_at[:19])
    return datetime(2000, 1, 1)
