"""Reading the two run folders a comparison needs, and refusing pairs that cannot be compared.

A run folder is what `voc-synth run … --out DIR` writes; its `synthesis.json` holds every table.
Two runs can be compared when both have themes and both placed segments on the same journey
stages (same framework). Every refusal says what is wrong and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import CONFIG_FILENAME, EmbeddingConfig
from ..errors import ConfigError, InputError
from ..synthesis import SYNTHESIS_FILE, Synthesis

# What a comparison reads from each run's segments.
SEGMENT_COLUMNS = ("segment_id", "doc_id", "text", "theme_id", "stage", "sentiment")


@dataclass
class LoadedRun:
    """One side of a comparison: its folder, the name it is shown under, and its synthesis."""

    path: Path
    name: str
    synthesis: Synthesis

    @property
    def project(self) -> str:
        return str(self.synthesis.meta.get("project") or "")

    @property
    def created_at(self) -> str:
        return str(self.synthesis.meta.get("created_at") or "")[:10]

    @property
    def stage_ids(self) -> list[str]:
        return [str(s.get("id")) for s in self.synthesis.framework.get("stages", []) if isinstance(s, dict)]

    @property
    def framework_name(self) -> str:
        return str(self.synthesis.framework.get("name") or "unnamed")

    def embedding_config(self) -> EmbeddingConfig:
        """The embedding settings the run used (so its texts hit the embedding cache)."""
        saved = dict((self.synthesis.meta.get("config") or {}).get("embedding") or {})
        cache_dir = saved.get("cache_dir")
        if cache_dir and not Path(cache_dir).is_dir():
            saved.pop("cache_dir")  # a folder of another machine: use this machine's cache
        try:
            return EmbeddingConfig.model_validate(saved)
        except ValueError:
            return EmbeddingConfig(model=str(saved.get("model") or EmbeddingConfig().model))


def _not_a_run(path: Path, role: str) -> InputError:
    if (path / CONFIG_FILENAME).is_file():
        fix = (f"It looks like a corpus (it has {CONFIG_FILENAME}): run `voc-synth run {path} --out runs/NAME` "
               "first, then compare the run folders.")
    else:
        fix = "Point at a folder written by `voc-synth run … --out DIR` (it holds journey_map.html and synthesis.json)."
    return InputError(f"{role} {path} is not a run folder: it has no {SYNTHESIS_FILE}. {fix}")


def load_run(path: Path | str, role: str = "run") -> LoadedRun:
    """Read a run folder (or its `synthesis.json`) for a comparison; `role` names it in errors."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{role} {path} does not exist. Give the folder a `voc-synth run … --out DIR` wrote.")
    if path.is_dir() and not (path / SYNTHESIS_FILE).is_file():
        raise _not_a_run(path, role)
    try:
        synthesis = Synthesis.load(path)
    except InputError as err:
        raise InputError(f"{role} {path}: {err}") from None
    folder = path if path.is_dir() else path.parent
    missing = [c for c in SEGMENT_COLUMNS if c not in synthesis.segments.columns]
    if missing or "theme_id" not in synthesis.themes.columns:
        raise InputError(
            f"{role} {path} has no {', '.join(missing) or 'themes table'} in its synthesis.json, so it was "
            "not written by a complete `voc-synth run` (or by an older voc_synth). Re-run the analysis."
        )
    if not (synthesis.themes["theme_id"].astype(int) >= 0).any():
        raise InputError(f"{role} {path} has no themes to compare. Re-run it on a corpus with more text.")
    return LoadedRun(path=folder.resolve(), name=folder.resolve().name, synthesis=synthesis)


def _stage_list(run: LoadedRun) -> str:
    return f"“{run.framework_name}” ({', '.join(run.stage_ids) or 'no stages'})"


def check_comparable(a: LoadedRun, b: LoadedRun) -> list[str]:
    """Refuse runs that cannot be compared; return notes on differences a reader should know."""
    if a.path == b.path:
        raise ConfigError(f"Both runs are the same folder ({a.path}). Give an earlier run and a later one.")
    if a.stage_ids != b.stage_ids:
        raise InputError(
            f"The runs used different journey frameworks: {a.name} used {_stage_list(a)}, {b.name} used "
            f"{_stage_list(b)}. Stage emotion can only be compared stage by stage on one framework: re-run one of "
            f"them with the other's, e.g. `voc-synth run CORPUS --framework {a.framework_name} --out DIR`."
        )
    notes = []
    model_a, model_b = a.embedding_config().model, b.embedding_config().model
    if model_a != model_b:
        notes.append(f"The runs used different embedding models ({model_a} and {model_b}); both were read with "
                     f"{model_a} to pair their themes.")
    backend = [((r.synthesis.meta.get("config") or {}).get("sentiment") or {}).get("backend") for r in (a, b)]
    if backend[0] != backend[1]:
        notes.append(f"The runs scored sentiment with different backends ({backend[0]} and {backend[1]}): part of "
                     "any change in emotion may come from that.")
    return notes


def load_pair(run_a: Path | str, run_b: Path | str) -> tuple[LoadedRun, LoadedRun, list[str]]:
    """Both runs, checked to be comparable, and notes on how they differ in method."""
    a, b = load_run(run_a, "RUN_A"), load_run(run_b, "RUN_B")
    if a.name == b.name and a.path != b.path:
        a.name, b.name = f"{a.path.parent.name}/{a.name}", f"{b.path.parent.name}/{b.name}"
    return a, b, check_comparable(a, b)


def describe(run: LoadedRun) -> dict[str, Any]:
    """The facts about a run a comparison report opens with."""
    return {"name": run.name, "path": str(run.path), "project": run.project, "created_at": run.created_at,
            "framework": run.framework_name, "records": int(len(run.synthesis.documents)),
            "segments": int(len(run.synthesis.segments)),
            "themes": int((run.synthesis.themes["theme_id"].astype(int) >= 0).sum())}
