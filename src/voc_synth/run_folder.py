"""Writing a run folder safely: everything goes to a temporary folder that is moved into place,
so an interrupted run never leaves a half-written report over a good one."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from .audio.export import point_manifest_at_run_transcripts, write_run_transcripts
from .synthesis import Synthesis, _json_safe

MANIFEST_FILE = "manifest.json"


def build_manifest(synthesis: Synthesis, outputs: list[str]) -> dict[str, Any]:
    """The run's manifest: every input file and record (from ingestion), counts that reconcile,
    config, package and model versions, per-step timings and the files written."""
    meta = synthesis.meta
    ingest_manifest = dict(meta.get("manifest", {}))
    return _json_safe(
        {
            "project": meta.get("project"),
            "created_at": meta.get("created_at"),
            "seed": meta.get("seed"),
            "summary": synthesis.summary(),
            **ingest_manifest,
            "input_hashes": meta.get("input_hashes", {}),
            "config": meta.get("config", {}),
            "versions": meta.get("versions", {}),
            "models": meta.get("models", []),
            "timings": meta.get("timings", {}),
            "embedding_cache": meta.get("embedding_cache", {}),
            "execution": meta.get("execution", {}),
            "warnings": meta.get("warnings", []),
            "outputs": sorted(outputs),
        }
    )


def write_outputs_with_manifest(synthesis: Synthesis, folder: Path) -> list[Path]:
    """All report files plus `manifest.json` into `folder`."""
    from .report import write_outputs

    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    written = list(write_outputs(synthesis, folder))
    # Each recording's transcript, redacted as the run is, for the researcher to correct.
    transcripts, section = write_run_transcripts(synthesis, folder)
    written += transcripts
    synthesis.meta.setdefault("timings", {})["report"] = round(time.perf_counter() - start, 3)
    names = [str(p.relative_to(folder)) for p in written] + [MANIFEST_FILE]
    manifest = point_manifest_at_run_transcripts(build_manifest(synthesis, names), section)
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*written, folder / MANIFEST_FILE]


def _segment_folder_name(value: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in value.strip().lower()).strip("-.")
    return safe or "none"


def write_run(synthesis: Synthesis, out_dir: Path | str, segment_by: str | None = None) -> Path:
    """Write every output of a run into `out_dir`, atomically (temp folder, then rename)."""
    from .pipeline import split_by
    from .report.compare import write_comparison

    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        if segment_by:
            parts = split_by(synthesis, segment_by)
            for value, part in parts.items():
                write_outputs_with_manifest(part, tmp / f"by_{segment_by}" / _segment_folder_name(value))
            write_comparison(parts, tmp / f"by_{segment_by}")
        write_outputs_with_manifest(synthesis, tmp)
        _replace_folder(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _replace_folder(new: Path, target: Path) -> None:
    """Swap `new` into `target`'s place; the old folder is removed only after the swap."""
    if target.exists():
        from .review import carry_over_review_files

        # review.yaml and its state belong to the researcher, not to the run: keep them.
        carry_over_review_files(target, new)
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)


def rerender(run_dir: Path | str) -> Path:
    """Re-render every output of a saved run from its `synthesis.json`, without recomputing."""
    run_dir = Path(run_dir)
    synthesis = Synthesis.load(run_dir)
    return write_run(synthesis, run_dir)
