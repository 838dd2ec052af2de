"""Ingestion: evidence files → redacted `documents` and `segments` tables + a manifest.

    from voc_synth.ingest import ingest
    result = ingest(config)          # IngestResult(documents, segments, manifest, reidentification)

Modules, one job each: `discover` (which files), `encoding` (bytes → text), `tabular` and
`transcripts` (format readers), `columns` (column mappings and known export headers),
`readers` (file → records), `clean` (markup, email furniture, chats), `language` (English
check), `speakers` and `people` (interviewers, pseudonyms), `participants` (roster metadata),
`dedupe`, `nlp` (one spaCy pass), `redact` (personal data), `segment` (units, filler),
`assemble` (rows and tables), `values` (dates, ratings), `manifest`, `core` (the `ingest()`
step) and `cli_sources` (a config from command-line flags).
"""

from __future__ import annotations

from .cli_sources import config_from_flags
from .core import IngestResult, ingest, write_reidentification_map
from .redact import redact_pii

__all__ = ["IngestResult", "config_from_flags", "ingest", "redact_pii", "write_reidentification_map"]
