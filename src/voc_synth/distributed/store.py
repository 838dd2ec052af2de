"""The run's work folder: finished partition results, so a killed run resumes where it stopped.

Each result is a few named numpy arrays saved as one `.npz` file (no pickles: a work folder may
be shared between machines), named by the partition's key — a hash of its content and of
everything that decides its result (`partitions.partition_key`) — so a re-run with other input
or settings never picks up a stale result. Files are written under a temporary name and renamed,
so a run killed mid-write leaves no half file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

Arrays = dict[str, np.ndarray]


def default_work_dir(fingerprint: str) -> Path:
    """Where an API run keeps its partitions when no `execution.work_dir` is given: under the
    voc_synth cache ($VOC_SYNTH_CACHE_DIR or the user cache), one folder per config."""
    from ..embedding_cache import default_cache_dir

    # default_cache_dir() is <voc_synth cache>/embeddings; work folders go beside it.
    return default_cache_dir().parent / "work" / hashlib.sha256(fingerprint.encode()).hexdigest()[:16]


def work_dir_for_run(out_dir: Path) -> Path:
    """The work folder of a CLI run writing `out_dir`: a sibling `.NAME.work`, outside the run
    folder, which is replaced atomically at the end."""
    out_dir = Path(out_dir).resolve()
    return out_dir.with_name(f".{out_dir.name}.work")


class PartitionStore:
    """Finished partition results under `root/<step>/<key>.npz`."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, step: str, key: str) -> Path:
        return self.root / step / f"{key}.npz"

    def load(self, step: str, key: str) -> Arrays | None:
        """The saved result of partition `key` of `step`, or None when it has not finished."""
        path = self._path(step, key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                return {name: data[name] for name in data.files}
        except (OSError, ValueError, EOFError):
            # A damaged file (a disk filled up mid-run) is recomputed rather than trusted.
            path.unlink(missing_ok=True)
            return None

    def save(self, step: str, key: str, arrays: Arrays) -> None:
        """Keep `arrays` as the result of partition `key` of `step` (atomically)."""
        path = self._path(step, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{key[:12]}.", suffix=".npz.tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, **arrays)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def count(self, step: str | None = None) -> int:
        """Finished partitions kept (of one step, or all)."""
        folder = self.root / step if step else self.root
        return sum(1 for _ in folder.rglob("*.npz")) if folder.is_dir() else 0

    def clear(self) -> None:
        """Delete the work folder (after a run finished: its partitions are in the results)."""
        shutil.rmtree(self.root, ignore_errors=True)
