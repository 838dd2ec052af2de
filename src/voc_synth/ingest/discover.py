"""Which files a source covers: a single file, or a folder walked recursively with globs.

Globs match the path relative to the source folder (`sub/*.txt`) or the bare file name
(`*.txt`). Hidden files and Office lock files (`~$report.docx`) are never evidence and are
left out quietly; every other file is listed, including ones we cannot read, so the manifest
can say why each was skipped.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from ..audio.settings import AUDIO_FORMATS
from ..config import Config, SourceConfig
from ..errors import InputError

FORMATS = {
    ".txt": "txt", ".md": "md", ".markdown": "md", ".vtt": "vtt", ".srt": "srt",
    ".docx": "docx", ".odt": "odt", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx",
    **AUDIO_FORMATS,   # recordings: transcribed locally (voc_synth.audio)
}
_QUIET_EXCLUDES = (".*", "~$*", "Thumbs.db", "desktop.ini", "__MACOSX")


def file_format(path: Path) -> str | None:
    """'csv', 'vtt', … by extension; None for formats voc_synth does not read."""
    return FORMATS.get(path.suffix.lower())


def _matches(rel: str, patterns: list[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


def relative_label(path: Path, config: Config) -> str:
    """The path shown in outputs: relative to the config's folder (POSIX), so it is the same on
    every machine; a file outside that folder is shown by its absolute path."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(config.base_dir.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def source_files(config: Config, source: SourceConfig, index: int) -> tuple[list[Path], int]:
    """(files of the source in a stable order, how many were quietly excluded).

    Raises `InputError` when the path does not exist or a folder holds no matching files.
    """
    root = config.resolve(source.path)
    if not root.exists():
        raise InputError(
            f"sources[{index}].path: {root} does not exist. Check the path (relative paths are "
            f"read from {config.base_dir})."
        )
    if root.is_file():
        return [root], 0
    skip: set[Path] = set()
    if source.participants is not None:
        skip.add(config.resolve(source.participants).resolve())
    files: list[Path] = []
    excluded = 0
    for path in sorted(root.rglob("*"), key=lambda p: p.as_posix()):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if any(_matches(part, list(_QUIET_EXCLUDES)) for part in rel.split("/")):
            excluded += 1
            continue
        if path.resolve() in skip:
            excluded += 1
            continue
        if source.include and not _matches(rel, source.include):
            excluded += 1
            continue
        if source.exclude and _matches(rel, source.exclude):
            excluded += 1
            continue
        files.append(path)
    if not files:
        globs = f" matching {source.include}" if source.include else ""
        raise InputError(
            f"sources[{index}].path: the folder {root} has no files{globs}. Put the evidence "
            "files there, or fix sources[i].include / exclude."
        )
    return files, excluded
