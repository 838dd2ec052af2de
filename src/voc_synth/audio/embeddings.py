"""Speaker embeddings: a 256-number voice print for a stretch of speech.

The network and its trained weights are Resemblyzer's voice encoder (Jemine, Apache-2.0): a
3-layer LSTM over 40-band mel power spectrogram frames (25 ms windows, 10 ms steps), whose last
hidden state goes through a linear layer and a ReLU and is L2-normalised. The weights are read
from the `resemblyzer` wheel (`models.resolve_speaker_encoder`). Its Python package is not
imported: it imports `webrtcvad`, whose current release needs `pkg_resources`, which recent
setuptools no longer ship — and the few lines of network below are all voc_synth needs from it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import MissingModelError
from .decode import SAMPLE_RATE

MEL_BANDS = 40
FRAME_STEP = SAMPLE_RATE // 100          # 10 ms
FRAME_WINDOW = SAMPLE_RATE * 25 // 1000  # 25 ms
PARTIAL_FRAMES = 160                     # 1.6 s: the length the encoder was trained on
TARGET_DBFS = -30.0                      # the loudness the encoder was trained at
_BATCH = 64


def _encoder_class() -> Any:
    import torch
    from torch import nn

    class VoiceEncoder(nn.Module):  # type: ignore[misc]
        """Resemblyzer's voice encoder (same layer names, so its state dict loads as is)."""

        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(MEL_BANDS, 256, 3, batch_first=True)
            self.linear = nn.Linear(256, 256)
            self.relu = nn.ReLU()

        def forward(self, mels: torch.Tensor) -> torch.Tensor:
            _, (hidden, _) = self.lstm(mels)
            raw = self.relu(self.linear(hidden[-1]))
            return raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-9)

    return VoiceEncoder


@functools.lru_cache(maxsize=1)
def load_encoder(weights: str) -> Any:
    """The voice encoder with Resemblyzer's trained weights, on the CPU, in eval mode."""
    import torch

    try:
        checkpoint = torch.load(weights, map_location="cpu", weights_only=True)
        state = {k: v for k, v in checkpoint["model_state"].items() if k.startswith(("lstm.", "linear."))}
        encoder = _encoder_class()()
        encoder.load_state_dict(state)
    except (OSError, KeyError, RuntimeError) as err:
        raise MissingModelError(f"Could not load the voice encoder from {weights}: {err}. "
                                "Reinstall it: pip install --force-reinstall --no-deps resemblyzer") from None
    return encoder.eval()


def normalise_loudness(samples: np.ndarray) -> np.ndarray:
    """Raise quiet audio to the encoder's training loudness (−30 dBFS); loud audio is left as is,
    as Resemblyzer does, since its spectrogram is not logarithmic."""
    power = float(np.dot(samples, samples)) / samples.size if samples.size else 0.0
    if power <= 0.0:
        return samples
    change = TARGET_DBFS - 10.0 * np.log10(power)
    return samples if change <= 0 else (samples * 10.0 ** (change / 20.0)).astype(np.float32)


def mel_frames(samples: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power spectrogram, one frame per 10 ms, as the encoder was trained on.

    Computed with faster-whisper's numpy STFT and Slaney mel filters, which match librosa's
    (what Resemblyzer used) to 1e-7, so librosa and its slow import are not needed.
    """
    from faster_whisper.feature_extractor import FeatureExtractor

    window = np.hanning(FRAME_WINDOW + 1)[:-1].astype(np.float32)   # periodic Hann, as librosa
    spectrum = FeatureExtractor.stft(samples, FRAME_WINDOW, FRAME_STEP, window=window, return_complex=True,
                                     mode="constant")
    filters = FeatureExtractor.get_mel_filters(SAMPLE_RATE, FRAME_WINDOW, n_mels=MEL_BANDS)
    return (filters @ np.square(np.abs(spectrum))).astype(np.float32).T


def embed_spectrograms(spectrograms: Sequence[np.ndarray], weights: str) -> np.ndarray:
    """One L2-normalised embedding per stretch of speech, given as its `mel_frames`.

    A stretch longer than 1.6 s is cut into 1.6 s partials (half-overlapping) whose embeddings
    are averaged, as Resemblyzer embeds an utterance; a shorter one is embedded at its own length.
    """
    import torch

    encoder = load_encoder(weights)
    pieces: list[tuple[int, np.ndarray]] = []   # (stretch index, frames of one partial)
    for index, frames in enumerate(spectrograms):
        if len(frames) <= PARTIAL_FRAMES:
            pieces.append((index, frames if len(frames) else np.zeros((1, MEL_BANDS), np.float32)))
            continue
        starts = list(range(0, len(frames) - PARTIAL_FRAMES + 1, PARTIAL_FRAMES // 2))
        if starts[-1] + PARTIAL_FRAMES < len(frames):
            starts.append(len(frames) - PARTIAL_FRAMES)
        pieces += [(index, frames[s:s + PARTIAL_FRAMES]) for s in starts]
    # Batches of equal length: no padding, so a short stretch's print is its own speech only.
    by_length: dict[int, list[tuple[int, np.ndarray]]] = {}
    for piece in pieces:
        by_length.setdefault(len(piece[1]), []).append(piece)
    out = np.zeros((len(spectrograms), 256), dtype=np.float32)
    # One thread: the LSTM's steps are small matrix products, and on a shared 2-core machine a
    # second thread spends more time waiting for the first than working (measured 8x slower).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.inference_mode():
            for group in by_length.values():
                for i in range(0, len(group), _BATCH):
                    batch = group[i:i + _BATCH]
                    mels = torch.from_numpy(np.stack([frames for _, frames in batch]))
                    for (index, _), vector in zip(batch, encoder(mels).numpy(), strict=True):
                        out[index] += vector
    finally:
        torch.set_num_threads(threads)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)
