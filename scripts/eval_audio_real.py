"""Measure recording transcription on public real speech with reference transcripts.

The recordings and their reference texts live outside the repo, under
`~/.cache/voc_synth_dev/audio/<set>/` (sources and licences: docs/real_data.md, "Audio data").
Each set holds the fetched files and a `recordings.json`:

    {"gap_seconds": 0.8,
     "recordings": [{"name": "...", "parts": [{"file": "x.wav", "channel": 0 | 1 | null,
                                              "speaker": "A", "text": "reference words"}]}]}

or, for a recording kept as it is (a two-party call), `{"name", "file", "reference": "words",
"words": "x.json"}` with the reference as timed words `[{"speaker", "word", "start", "end"}]`
(SpokenWOZ's word-level transcripts), or `{"name", "file", "reference": "channels", "speakers": 2}`
for a call with each party on its own channel and no reference text (speakers only: WER n/a).

A built recording is its parts one after another (a channel of a stereo file, or the file mixed to
mono), with `gap_seconds` of silence between them, so every reference word has a known speaker
and time span. Each recording is transcribed by voc_synth's own code path
(`voc_synth.audio.transcribe_recording`, the call a run makes for each recording) with the
cache off, and the script prints per recording and in total:

- WER against the reference (jiwer, on lower-cased text without punctuation),
- voices found vs. voices in the reference,
- speaker attribution: the share of recognised words inside a reference turn whose cluster is
  that turn's speaker, after the best one-to-one mapping of clusters to reference speakers,
- the realtime factor on this machine (seconds of audio per second of work).

    HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 .venv/bin/python scripts/eval_audio_real.py [SET_DIR ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16_000
DATA_ROOT = Path.home() / ".cache" / "voc_synth_dev" / "audio"


@dataclass
class Span:
    """One reference turn in the built recording."""

    speaker: str
    start: float
    end: float
    text: str


def normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces: what WER is measured on."""
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split())


def _part_samples(path: Path, channel: int | None) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    if channel is None:
        return decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    return decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=True)[channel]


def build_recording(folder: Path, spec: dict[str, Any], gap: float, out: Path) -> list[Span]:
    """Write the recording `spec` describes as a 16 kHz mono WAV at `out`; its reference turns."""
    pieces: list[np.ndarray] = []
    spans: list[Span] = []
    silence = np.zeros(int(gap * SAMPLE_RATE), dtype=np.float32)
    position = 0.0
    for part in spec["parts"]:
        samples = _part_samples(folder / part["file"], part.get("channel"))
        if pieces:
            pieces.append(silence)
            position += gap
        pieces.append(samples.astype(np.float32))
        spans.append(Span(part["speaker"], position, position + len(samples) / SAMPLE_RATE, part["text"]))
        position += len(samples) / SAMPLE_RATE
    audio = np.clip(np.concatenate(pieces), -1.0, 1.0)
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes((audio * 32767).astype("<i2").tobytes())
    return spans


def attribution(words: list[Any], spans: list[Span]) -> tuple[float, int]:
    """Share of words (inside a reference turn, or within 0.3 s of one) given that turn's speaker,
    after the best one-to-one mapping of clusters to reference speakers; and how many words were
    scored. A word where two speakers' turns overlap is not scored."""
    from scipy.optimize import linear_sum_assignment

    refs = sorted({s.speaker for s in spans})
    pairs = []
    for word in words:
        middle = (word.start + word.end) / 2
        inside = {s.speaker for s in spans if s.start <= middle <= s.end}
        if len(inside) > 1:
            continue   # both talking at once: no single right answer
        if not inside:   # just outside a turn (reference times are not exact): the nearest, within 0.3 s
            near = min(spans, key=lambda s: max(s.start - middle, middle - s.end), default=None)
            if near is None or max(near.start - middle, middle - near.end) > 0.3:
                continue
            inside = {near.speaker}
        pairs.append((word.speaker, refs.index(inside.pop())))
    if not pairs:
        return float("nan"), 0
    clusters = sorted({c for c, _ in pairs})
    counts = np.zeros((len(clusters), len(refs)))
    for c, r in pairs:
        counts[clusters.index(c), r] += 1
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / len(pairs)), len(pairs)


def load_models() -> None:
    """Load the models once beforehand, so each realtime factor is the transcription's own (a
    run loads them once per process, not once per recording)."""
    from voc_synth.audio import AudioConfig, resolve_speaker_encoder, resolve_whisper_model
    from voc_synth.audio.embeddings import load_encoder
    from voc_synth.audio.transcribe import cpu_threads, load_whisper

    settings = AudioConfig()
    load_whisper(resolve_whisper_model(settings.model).location, settings.compute_type, cpu_threads(settings))
    load_encoder(resolve_speaker_encoder().location)


def channel_spans(path: Path, words: list[Any], dominance: float = 3.0) -> list[Span]:
    """Reference speakers of a two-channel call (each party on its own channel): a word is the
    speaker of the channel at least `dominance` times louder over the word; other words
    (crosstalk, both talking) are left unscored."""
    left, right = (np.asarray(c, dtype=np.float64) for c in _stereo(path))
    spans = []
    for word in words:
        a, b = int(word.start * SAMPLE_RATE), max(int(word.end * SAMPLE_RATE), int(word.start * SAMPLE_RATE) + 1)
        energy_l, energy_r = float(np.sqrt((left[a:b] ** 2).mean())), float(np.sqrt((right[a:b] ** 2).mean()))
        if energy_l >= dominance * energy_r:
            spans.append(Span("left", word.start, word.end, ""))
        elif energy_r >= dominance * energy_l:
            spans.append(Span("right", word.start, word.end, ""))
    return spans


def _stereo(path: Path) -> tuple[np.ndarray, np.ndarray]:
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=True)


def word_spans(path: Path) -> list[Span]:
    """Reference turns from timed words: consecutive words of one speaker are one turn."""
    spans: list[Span] = []
    for word in json.loads(path.read_text(encoding="utf-8")):
        start, end, speaker = float(word["start"]), float(word["end"]), str(word["speaker"])
        if spans and spans[-1].speaker == speaker:
            spans[-1].end, spans[-1].text = end, f"{spans[-1].text} {word['word']}"
        else:
            spans.append(Span(speaker, start, end, str(word["word"])))
    return spans


def _true_speakers(folder: Path, spec: dict[str, Any]) -> int:
    if spec.get("reference") == "channels":
        return int(spec["speakers"])
    if spec.get("reference") == "words":
        return len({s.speaker for s in word_spans(folder / spec["words"])})
    return len({part["speaker"] for part in spec["parts"]})


def evaluate(folder: Path, given_speakers: bool = False) -> list[dict[str, Any]]:
    """Build, transcribe and score every recording of one set (with `given_speakers`, each
    recording is transcribed with its true number of voices as `audio.speakers`)."""
    import jiwer

    from voc_synth.audio import AudioConfig, transcribe_recording

    meta = json.loads((folder / "recordings.json").read_text(encoding="utf-8"))
    rows = []
    for spec in meta["recordings"]:
        settings = AudioConfig(cache=False, speakers=_true_speakers(folder, spec) if given_speakers else None)
        if spec.get("reference") == "channels":
            # A call with each party on a channel, without a reference text: speakers only.
            result = transcribe_recording(folder / spec["file"], settings)
            spans = channel_spans(folder / spec["file"], result.words)
            share, scored = attribution(result.words, spans)
            wer, edits, ref_words = float("nan"), 0, 0
            speakers_ref = int(spec["speakers"])
        else:
            if spec.get("reference") == "words":
                # The call as recorded (both parties mixed to mono by the decoder, as a run does).
                result = transcribe_recording(folder / spec["file"], settings)
                spans = word_spans(folder / spec["words"])
            else:
                wav = folder / "built" / f"{spec['name']}.wav"
                spans = build_recording(folder, spec, float(meta.get("gap_seconds", 0.8)), wav)
                result = transcribe_recording(wav, settings)
            reference = normalise(" ".join(s.text for s in spans))
            errors = jiwer.process_words(reference, normalise(" ".join(w.text for w in result.words)))
            wer, edits = errors.wer, errors.substitutions + errors.deletions + errors.insertions
            ref_words, speakers_ref = len(reference.split()), len({s.speaker for s in spans})
            share, scored = attribution(result.words, spans)
        rows.append({
            "set": folder.name, "recording": spec["name"], "seconds": round(result.duration, 1),
            "ref_words": ref_words, "wer": wer, "edits": edits,
            "speakers_ref": speakers_ref, "speakers_found": result.speakers,
            "attribution": share, "scored_words": scored,
            "work_seconds": result.seconds, "rtf": result.realtime_factor,
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help=f"set folders (default: every one under {DATA_ROOT})")
    parser.add_argument("--given-speakers", action="store_true",
                        help="give each recording its true number of voices (audio.speakers) instead of estimating it")
    args = parser.parse_args(argv)
    folders = args.sets or sorted(p.parent for p in DATA_ROOT.glob("*/recordings.json"))
    if not folders:
        print(f"No recordings.json under {DATA_ROOT}: see docs/real_data.md, 'Audio data'.", file=sys.stderr)
        return 1
    load_models()
    rows = [row for folder in folders for row in evaluate(folder, args.given_speakers)]
    print(f"{'recording':40} {'sec':>6} {'words':>5} {'WER':>6} {'voices':>7} {'attrib':>7} {'scored':>6} {'RTF':>5}")
    for r in rows:
        # n/a: a call with no reference text (speakers judged from its channels only).
        wer = "   n/a" if r["wer"] != r["wer"] else f"{r['wer']:6.1%}"
        words = "    -" if r["wer"] != r["wer"] else f"{r['ref_words']:5d}"
        print(f"{r['set'] + '/' + r['recording']:40} {r['seconds']:6.1f} {words} {wer} "
              f"{r['speakers_found']:>3}/{r['speakers_ref']:<3} {r['attribution']:7.1%} {r['scored_words']:6d} "
              f"{r['rtf']:5.1f}")
    words = sum(r["ref_words"] for r in rows)   # recordings with a reference text only
    edits = sum(r["edits"] for r in rows)
    scored = sum(r["scored_words"] for r in rows)
    right = sum(r["attribution"] * r["scored_words"] for r in rows if r["scored_words"])
    audio = sum(r["seconds"] for r in rows)
    work = sum(r["work_seconds"] for r in rows)
    exact = sum(r["speakers_found"] == r["speakers_ref"] for r in rows)
    with_text = sum(r["wer"] == r["wer"] for r in rows)
    print(f"\nTotal: {audio:.1f} s of audio in {len(rows)} recordings; WER {edits / max(words, 1):.1%} "
          f"({edits}/{words} words of the {with_text} with a reference text); voice count right in {exact}/{len(rows)}; attribution "
          f"{right / max(scored, 1):.1%} of {scored} words; {audio / max(work, 1e-9):.1f}x real time.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
