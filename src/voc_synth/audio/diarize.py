"""Who spoke when: recognised words → speakers, by clustering voice prints of stretches of speech.

The recording is cut into *chunks*: runs of words with no pause of `PAUSE` seconds or more,
never across a recognised segment (Whisper ends a segment where a sentence ends, which is where
speakers usually change), and at most `MAX_CHUNK` seconds long so one chunk is one voice. Each
chunk gets a voice print (`embeddings.embed_spectrograms`); the prints of chunks long enough to be
reliable are clustered (agglomerative, Ward linkage on unit-length prints), and every chunk —
short ones too — goes to the nearest cluster centre.

The number of speakers is given (`audio.speakers`) or estimated: each count from 2 up to
`audio.max_speakers` is tried and the one whose clusters are best separated (silhouette) is
kept, and clusters whose centres are alike (`SAME_VOICE`) are joined, so a recording of one
voice is one speaker. A cluster of a single chunk, or holding under `MIN_SHARE` of the speech,
is not a speaker (a cough, a laugh, a noisy patch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .decode import SAMPLE_RATE
from .embeddings import embed_spectrograms, mel_frames, normalise_loudness
from .transcribe import Word

PAUSE = 0.5           # seconds of silence between words that may mark another speaker
MAX_CHUNK = 6.0       # seconds: longer runs are cut so each chunk holds one voice
RELIABLE = 1.0        # seconds of speech for a voice print trusted to shape the clusters
MIN_SHARE = 0.05      # a speaker says at least this share of the words' time
# Splits less separated than this are not worth making.
MIN_SILHOUETTE = 0.2
# Cluster centres more alike than this are one voice. Two espeak-ng voices (same synthesiser,
# other pitch and accent) measure 0.77; one espeak voice split in two 0.83. On real recordings
# (docs/real_data.md, "Audio data") two people on a phone call measure 0.57-0.88 and one
# person's side of a call, split in two, 0.80-0.94: no value separates them, and this one keeps
# all 14 one-voice recordings whole at the cost of calling 3 of 7 phone calls one voice. Set
# `audio.speakers` when the number is known.
SAME_VOICE = 0.8


@dataclass
class Chunk:
    """A run of words (indexes `first`..`last`, inclusive) from one voice, `start`–`end` seconds."""

    first: int
    last: int
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def speech_chunks(words: Sequence[Word]) -> list[Chunk]:
    """Cut the words into chunks at pauses, at segment ends and every `MAX_CHUNK` seconds."""
    chunks: list[Chunk] = []
    for i, word in enumerate(words):
        if chunks:
            current = chunks[-1]
            previous = words[i - 1]
            same_run = (word.segment == previous.segment and word.start - previous.end < PAUSE
                        and word.end - current.start <= MAX_CHUNK)
            if same_run:
                current.last, current.end = i, max(current.end, word.end)
                continue
        chunks.append(Chunk(i, i, word.start, word.end))
    return chunks


def _cosine_clusters(prints: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    # Ward linkage on unit-length prints (Euclidean distance there is a function of the cosine):
    # it makes compact clusters of comparable spread, where average linkage tends to split off
    # one odd chunk and leave both voices of a phone call in the other cluster.
    unit = prints / np.maximum(np.linalg.norm(prints, axis=1, keepdims=True), 1e-12)
    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(unit)


def _shares(labels: np.ndarray, seconds: np.ndarray, k: int) -> np.ndarray:
    total = float(seconds.sum()) or 1.0
    return np.array([seconds[labels == c].sum() / total for c in range(k)])


def choose_clusters(prints: np.ndarray, seconds: np.ndarray, speakers: int | None,
                    max_speakers: int) -> np.ndarray:
    """Cluster labels (0…k−1) for voice prints, with k given or estimated (see the module doc)."""
    n = len(prints)
    if n < 2 or speakers == 1:
        return np.zeros(n, dtype=int)
    if speakers is not None:
        return _cosine_clusters(prints, min(speakers, n))
    from sklearn.metrics import silhouette_score

    best, best_score = np.zeros(n, dtype=int), MIN_SILHOUETTE
    for k in range(2, min(max_speakers, n - 1) + 1):
        labels = _cosine_clusters(prints, k)
        # One odd chunk (a laugh, a cough, a noisy patch) or a sliver of the speech is not a voice.
        if np.bincount(labels, minlength=k).min() < 2 or _shares(labels, seconds, k).min() < MIN_SHARE:
            continue
        score = float(silhouette_score(prints, labels, metric="cosine"))
        if score > best_score:
            best, best_score = labels, score
    return merge_alike(prints, best)


def merge_alike(prints: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Join clusters whose centres are more alike than `SAME_VOICE`, closest pair first."""
    labels = labels.copy()
    while True:
        ids = np.unique(labels)
        if len(ids) < 2:
            return np.searchsorted(ids, labels)
        centres = np.stack([prints[labels == c].mean(axis=0) for c in ids])
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        alike = centres @ centres.T
        np.fill_diagonal(alike, -1.0)
        i, j = np.unravel_index(int(alike.argmax()), alike.shape)
        if alike[i, j] <= SAME_VOICE:
            return np.searchsorted(ids, labels)
        labels[labels == ids[j]] = ids[i]


def label_speakers(samples: np.ndarray, words: list[Word], encoder_weights: str,
                   speakers: int | None = None, max_speakers: int = 6) -> int:
    """Set each word's `speaker` (0 = the first voice heard, 1 = the next…); returns how many."""
    if not words:
        return 0
    chunks = speech_chunks(words)
    loud = normalise_loudness(samples)

    def spectrogram(chunk: Chunk) -> np.ndarray:
        # The chunk's own, not a slice of the whole recording's: an hour's would take a gigabyte.
        end = max(chunk.end, chunk.start + 0.1)   # Whisper can give a word no duration
        return mel_frames(loud[int(chunk.start * SAMPLE_RATE):int(end * SAMPLE_RATE)])

    prints = embed_spectrograms([spectrogram(c) for c in chunks], encoder_weights)
    seconds = np.array([c.seconds for c in chunks])
    reliable = seconds >= RELIABLE
    if reliable.sum() < 2:
        reliable = np.ones(len(chunks), dtype=bool)
    labels = choose_clusters(prints[reliable], seconds[reliable], speakers, max_speakers)
    k = int(labels.max()) + 1
    centres = np.stack([prints[reliable][labels == c].mean(axis=0) for c in range(k)])
    nearest = (prints @ centres.T).argmax(axis=1)
    # Number the voices in the order they are first heard: "Speaker 1" speaks first.
    order = {c: n for n, c in enumerate(dict.fromkeys(nearest.tolist()))}
    for chunk, cluster in zip(chunks, nearest, strict=True):
        for word in words[chunk.first:chunk.last + 1]:
            word.speaker = order[int(cluster)]
    return len(order)
