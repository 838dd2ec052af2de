"""The `Synthesis`: every table a run produced plus its metadata, saved to and loaded from a run folder.

Re-exporting or re-rendering reads a saved Synthesis; it never recomputes the analysis.
`synthesis.json` is the versioned, self-contained record of a run (schema in
`voc_synth/schema/synthesis.schema.json`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .tables import count_short_answers, count_unthemed

SCHEMA_VERSION = "1.0"
# Run facts that legitimately differ between identical runs; they live in manifest.json only,
# so two runs with the same input, config and seed give the same synthesis.json but for created_at.
VOLATILE_META = ("timings", "embedding_cache", "execution")  # execution: where partitions ran
SYNTHESIS_FILE = "synthesis.json"
TABLES = ("documents", "segments", "themes", "quotes", "stages")


def _json_safe(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers into plain JSON values (NaN → None)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_json_safe(v) for v in value.tolist()]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return None
        # Integral floats are written as integers: a column with gaps (turn numbers, ratings)
        # comes back from JSON as float, and re-saving must give the same bytes.
        return int(f) if f.is_integer() and abs(f) < 2**53 else round(f, 6)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _json_float(f: float) -> Any:
    if f != f or f in (math.inf, -math.inf):
        return None
    return int(f) if f.is_integer() and abs(f) < 2**53 else round(f, 6)


def _column_values(series: pd.Series) -> list[Any]:
    """A column's values made JSON-safe, as `_json_safe` would make them one by one, but a column
    at a time: at 100k segments the cell-by-cell path took most of the save."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        if series.hasnans:
            return [_json_safe(v) for v in series.tolist()]
        return [bool(v) for v in series.tolist()]
    if pd.api.types.is_integer_dtype(dtype) and not series.hasnans:
        return [int(v) for v in series.tolist()]
    if pd.api.types.is_float_dtype(dtype) and isinstance(dtype, np.dtype):
        return [_json_float(f) for f in series.tolist()]
    if pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, np.dtype):
        return [v if isinstance(v, str) else None for v in series.tolist()]
    return [_json_safe(v) for v in series.tolist()]


def frame_to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of `frame` as JSON-safe dicts, columns in order."""
    columns = list(frame.columns)
    values = [_column_values(frame.iloc[:, j]) for j in range(len(columns))]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)] if columns else \
        [{} for _ in range(len(frame))]


def _document_lines(document: dict[str, Any]) -> Iterator[str]:
    """`document` as indented JSON, but each table row on one compact line.

    Python's JSON encoder drops to pure Python whenever it indents, which took seconds per table
    at 100k segments; a row per line is as easy to read and diff, and parses to the same value.
    """
    yield "{"
    for i, (key, value) in enumerate(document.items()):
        yield ("," if i else "") + "\n " + json.dumps(key) + ": "
        if key in TABLES and isinstance(value, list) and value:
            yield "["
            for j, row in enumerate(value):
                yield ("," if j else "") + "\n  " + json.dumps(row, ensure_ascii=False)
            yield "\n ]"
        else:
            # Strings never hold a raw newline in JSON, so shifting every line is safe.
            yield json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n ")
    yield "\n}\n"


@dataclass(repr=False)
class Synthesis:
    """The result of a run: canonical tables plus metadata (config, versions, manifest, timings).

    Tables: `documents`, `segments`, `themes`, `quotes`, `stages` (pandas DataFrames).
    `framework` is the journey framework used (as a dict); `meta` holds the rest.
    """

    documents: pd.DataFrame
    segments: pd.DataFrame
    themes: pd.DataFrame
    quotes: pd.DataFrame
    stages: pd.DataFrame
    framework: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    # In-memory only (not saved): for notebooks and later steps in the same process.
    embeddings: np.ndarray | None = field(default=None, repr=False)
    topic_model: Any = field(default=None, repr=False)

    # -- persistence -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON document written as `synthesis.json` (schema version `SCHEMA_VERSION`)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "meta": _json_safe({k: v for k, v in self.meta.items() if k not in VOLATILE_META}),
            "framework": _json_safe(self.framework),
            **{name: frame_to_records(getattr(self, name)) for name in TABLES},
        }

    def save(self, folder: Path | str) -> Path:
        """Write `synthesis.json` into `folder` (created if needed); returns its path."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / SYNTHESIS_FILE
        with path.open("w", encoding="utf-8") as handle:
            for chunk in _document_lines(self.to_dict()):
                handle.write(chunk)
        return path

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Synthesis:
        version = str(data.get("schema_version", ""))
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            from .errors import InputError

            raise InputError(
                f"synthesis.json has schema version {version or 'none'}, this voc_synth reads "
                f"{SCHEMA_VERSION}. Re-run the analysis with this version (voc-synth run …)."
            )
        tables = {name: pd.DataFrame.from_records(data.get(name) or []) for name in TABLES}
        return cls(framework=data.get("framework") or {}, meta=data.get("meta") or {}, **tables)

    @classmethod
    def load(cls, folder: Path | str) -> Synthesis:
        """Read a run folder (or a `synthesis.json` path) written by `save`."""
        from .errors import InputError

        path = Path(folder)
        if path.is_dir():
            path = path / SYNTHESIS_FILE
        if not path.is_file():
            raise InputError(
                f"No {SYNTHESIS_FILE} at {path}. Point at a run folder written by `voc-synth run … --out DIR`."
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            raise InputError(f"{path} is not valid JSON ({err}); re-run the analysis.") from None
        return cls.from_dict(data)

    # -- conveniences ----------------------------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        return self.meta.get("manifest", {})

    def theme(self, theme_id: int) -> pd.Series:
        """One theme's row."""
        match = self.themes[self.themes["theme_id"] == theme_id]
        if match.empty:
            raise KeyError(f"No theme {theme_id}; known: {sorted(self.themes['theme_id'].tolist())}")
        return match.iloc[0]

    def quotes_for(self, theme_id: int) -> pd.DataFrame:
        """The selected quotes of a theme, best first."""
        return self.quotes[self.quotes["theme_id"] == theme_id].sort_values("rank")

    def summary(self) -> dict[str, Any]:
        """Headline counts: records, segments, themes, unthemed (fit no theme), short answers
        (counted for sentiment, not themed), unmapped."""
        seg = self.segments
        return {
            "records": int(len(self.documents)),
            "segments": int(len(seg)),
            "themes": int((self.themes["theme_id"] >= 0).sum()) if len(self.themes) else 0,
            "unthemed_segments": count_unthemed(seg),
            "short_answer_segments": count_short_answers(seg),
            "unmapped_segments": int((seg["stage"] == "unmapped").sum()) if "stage" in seg else 0,
            "skipped_records": int(self.manifest.get("totals", {}).get("records_skipped", 0)),
        }

    def __repr__(self) -> str:
        counts = self.summary()
        return (
            f"<Synthesis {self.meta.get('project', '')!r}: {counts['records']} records, "
            f"{counts['segments']} segments, {counts['themes']} themes, "
            f"{len(self.stages)} stages ({self.framework.get('name', '?')})>"
        )

    def _repr_html_(self) -> str:
        from .report.notebook import synthesis_html

        return synthesis_html(self)
