"""`synthesis.json`: the versioned, self-contained record of a run, and its JSON Schema.

Writing goes through `Synthesis.save` (one serialisation for the whole project); this module adds
the schema (`voc_synth/schema/synthesis.schema.json`) and validation against it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "synthesis.schema.json"


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `synthesis.json`."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _as_document(data: dict[str, Any] | Path | str) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    path = Path(data)
    if path.is_dir():
        path = path / "synthesis.json"
    return json.loads(path.read_text(encoding="utf-8"))


def schema_errors(data: dict[str, Any] | Path | str, limit: int = 50) -> list[str]:
    """Every way `data` (a synthesis.json document, its path or its run folder) breaks the
    schema, as "where: what" lines (empty when valid)."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema())
    errors = []
    for error in validator.iter_errors(_as_document(data)):
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        errors.append(f"{where}: {error.message[:300]}")
        if len(errors) >= limit:
            break
    return errors


def validate_synthesis(data: dict[str, Any] | Path | str) -> None:
    """Raise `jsonschema.ValidationError` listing the problems when `data` breaks the schema."""
    from jsonschema import ValidationError

    errors = schema_errors(data)
    if errors:
        raise ValidationError("synthesis.json does not match its schema:\n  " + "\n  ".join(errors))


def write_json(synthesis: Any, out_dir: Path | str, *, validate: bool = False) -> Path:
    """Write `synthesis.json` into `out_dir` (via `Synthesis.save`); optionally validate it."""
    path = synthesis.save(out_dir)
    if validate:
        validate_synthesis(path)
    return path
