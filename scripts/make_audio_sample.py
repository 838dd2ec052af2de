"""Write a synthetic two-voice interview recording with Debian's espeak-ng, and its script.

    python scripts/make_audio_sample.py OUT_FOLDER      # OUT_FOLDER/interview_recording.wav + .json

No one's real voice is used: an interviewer (a low en-us voice) asks about a bike-share app and
a participant (a high en-gb voice) answers, in words written for this project. The JSON beside
the recording holds the script with each turn's start and end in seconds, so tests can measure
word error rate and which speaker each word was given. The recording is made at test time,
never committed: about 50 seconds of 16 kHz mono 16-bit PCM (1.6 MB).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
GAP_SECONDS = 0.7   # silence between turns, as in a real conversation

# Two clearly different voices: espeak-ng voice+variant, pitch (0-99) and speed (words/minute).
VOICES = {
    "interviewer": ("en-us+m3", 30, 160),
    "participant": ("en-gb+f4", 75, 150),
}

SCRIPT: list[tuple[str, str]] = [
    ("interviewer", "Thank you for joining me today. How do you usually get to work?"),
    ("participant", "Most days I ride a shared bike from the station near my flat. "
                    "It takes about fifteen minutes, and it is cheaper than the bus."),
    ("interviewer", "What happens when you unlock a bike with the app?"),
    ("participant", "The app is slow to find my location. Sometimes I wait a whole minute "
                    "before the unlock button appears, and the queue behind me gets annoyed."),
    ("interviewer", "How do you feel about the monthly price?"),
    ("participant", "The price is fair, but the bill never shows how many rides I took, "
                    "so I cannot tell if the plan is worth it."),
    ("interviewer", "If you could change one thing, what would it be?"),
    ("participant", "I would add a map of the empty docks, because finding a free dock "
                    "in the evening is the most stressful part of my day."),
]


@dataclass
class ReferenceTurn:
    """One spoken turn of the script and where it is in the recording."""

    role: str
    text: str
    start: float
    end: float


def speak(text: str, role: str, espeak: str = "espeak-ng") -> np.ndarray:
    """`text` spoken in `role`'s voice: float32 samples at `SAMPLE_RATE`."""
    voice, pitch, speed = VOICES[role]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "turn.wav"
        subprocess.run([espeak, "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(out), text],
                       check=True, capture_output=True)
        with wave.open(str(out), "rb") as handle:
            rate = handle.getframerate()
            samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    samples = samples.astype(np.float32) / 32768.0
    # espeak-ng speaks at 22.05 kHz; linear interpolation to 16 kHz is enough for speech
    # below 8 kHz and keeps the generator free of a resampling dependency.
    duration = len(samples) / rate
    target = np.arange(int(duration * SAMPLE_RATE)) / SAMPLE_RATE
    return np.interp(target, np.arange(len(samples)) / rate, samples).astype(np.float32)


def write_sample(folder: Path, name: str = "interview_recording",
                 script: list[tuple[str, str]] | None = None) -> tuple[Path, list[ReferenceTurn]]:
    """Write `folder/name.wav` and `folder/name.json` (the script with timings); returns the
    recording's path and the reference turns. `script` is (role, text) turns, `SCRIPT` by
    default. Raises `RuntimeError` when espeak-ng is missing."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed: `apt-get install espeak-ng` "
                           "(scripts/install_system_deps.sh does it for the tests).")
    folder.mkdir(parents=True, exist_ok=True)
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = [gap]
    position = len(gap)
    reference: list[ReferenceTurn] = []
    for role, text in script or SCRIPT:
        audio = speak(text, role, espeak)
        reference.append(ReferenceTurn(role, text, position / SAMPLE_RATE, (position + len(audio)) / SAMPLE_RATE))
        pieces += [audio, gap]
        position += len(audio) + len(gap)
    signal = np.concatenate(pieces)
    pcm = (np.clip(signal, -1.0, 1.0) * 32767).astype(np.int16)
    wav_path = folder / f"{name}.wav"
    with wave.open(str(wav_path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm.tobytes())
    (folder / f"{name}.json").write_text(
        json.dumps([asdict(turn) for turn in reference], indent=2) + "\n", encoding="utf-8")
    return wav_path, reference


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path, reference = write_sample(Path(argv[0]))
    print(f"{path}: {reference[-1].end:.1f} s, {len(reference)} turns")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
