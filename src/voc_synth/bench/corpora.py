"""The corpora a benchmark runs on, and the planted theme of each of their segments.

Synthetic corpora come from `voc_synth.corpora.synth.write_synthetic_corpus`, written once per
(size, seed) under the bench work folder and reused by later runs. A benchmark *size* counts the
segments the pipeline analyses: the generator counts sentences, and the pipeline makes one segment
of each short tabular record (two of a longer one; `PIPELINE_SEGMENTS_PER_RECORD`) and of each
interview turn, so the generator is asked for `EXPECTED_SEGMENTS_PER_RECORD` sentences per record.

Planted themes: `labels.csv` (record_id → theme_id) for synthetic corpora and the `records`
lists of `ANSWER_KEY.yaml` for the demo corpus, matched to segments by `doc_id`; interview turns
(`PARTICIPANT:TURN` in the answer key) by participant and turn. Segments without a planted theme
(filler, noise records, unlabelled interview turns) are left out of the quality scores.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

#: The demo corpus of a source checkout (src/voc_synth/bench/ → the repository root).
DEMO_CORPUS = Path(__file__).resolve().parents[3] / "corpora" / "demo_shop"
ANSWER_KEY = "ANSWER_KEY.yaml"
STAMP = "bench_corpus.json"

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")


def parse_size(text: str) -> int:
    """`"1k"` → 1000, `"1m"` → 1000000, `"2500"` → 2500."""
    match = _SIZE_RE.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a size: write e.g. 1k, 10k, 100k, 1m or 2500")
    number = float(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    if number < 100:
        raise ValueError(f"size {text!r} is too small: the synthetic generator needs at least 100 segments")
    return int(round(number))


def parse_sizes(text: str | None) -> list[int]:
    """A comma-separated list of sizes; an empty string means none."""
    if not text or not text.strip():
        return []
    return [parse_size(part) for part in text.split(",") if part.strip()]


def size_label(n: int) -> str:
    """1000 → "1k", 1000000 → "1m", 2500 → "2500"."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


@dataclass
class BenchCorpus:
    """One corpus to benchmark: a folder with `voc_synth.yaml` and an `ANSWER_KEY.yaml`."""

    name: str  # "synth-10k", "demo_shop"
    kind: str  # "synthetic" | "demo"
    path: Path
    size: int | None = None  # requested pipeline segments (synthetic only)
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "path": str(self.path), "size": self.size,
                "info": self.info}


#: Pipeline segments per synthetic tabular record: most records are one segment, the longer ones
#: (more than `segmentation.window_sentences` sentences) two. Measured on synth-10k, generator v2:
#: 9,936 records gave 11,200 segments.
PIPELINE_SEGMENTS_PER_RECORD = 1.12


def generator_segments(size: int) -> int:
    """How many sentences to ask the generator for so that the pipeline gets about `size` segments."""
    from ..corpora.synth import EXPECTED_SEGMENTS_PER_RECORD

    return max(100, int(round(size * EXPECTED_SEGMENTS_PER_RECORD / PIPELINE_SEGMENTS_PER_RECORD)))


def synthetic_corpus(size: int, root: Path, seed: int = 0) -> BenchCorpus:
    """The synthetic corpus of `size` segments under `root` (written unless already there)."""
    from ..corpora.synth import GENERATOR_VERSION, write_synthetic_corpus

    folder = Path(root) / f"synth-{size_label(size)}-seed{seed}"
    wanted = {"size": size, "seed": seed, "generator_segments": generator_segments(size),
              "generator_version": GENERATOR_VERSION}
    stamp = folder / STAMP
    if stamp.is_file() and (folder / "labels.csv").is_file() and (folder / "voc_synth.yaml").is_file():
        saved = json.loads(stamp.read_text(encoding="utf-8"))
        if {k: saved.get(k) for k in wanted} == wanted:
            return BenchCorpus(f"synth-{size_label(size)}", "synthetic", folder, size, saved.get("summary", {}))
    summary = write_synthetic_corpus(folder, wanted["generator_segments"], seed=seed)
    summary = {k: v for k, v in summary.items() if k not in ("files", "out_dir")}
    stamp.write_text(json.dumps({**wanted, "summary": summary}, indent=1) + "\n", encoding="utf-8")
    return BenchCorpus(f"synth-{size_label(size)}", "synthetic", folder, size, summary)


def demo_corpus(path: Path | None = None) -> BenchCorpus | None:
    """The demo corpus (None when this is not a source checkout that has it)."""
    folder = Path(path) if path else DEMO_CORPUS
    if not (folder / "voc_synth.yaml").is_file():
        return None
    return BenchCorpus(folder.name, "demo", folder, None, {})


def planted_labels(segments: pd.DataFrame, corpus: Path) -> pd.Series:
    """The planted theme id of each segment (None where the answer key plants none).

    `segments` needs `doc_id`, `source_type`, `participant` and `turn` columns.
    """
    key_path = Path(corpus) / ANSWER_KEY
    none = pd.Series([None] * len(segments), index=segments.index, dtype=object)
    if not key_path.is_file():
        return none
    key = yaml.safe_load(key_path.read_text(encoding="utf-8")) or {}
    by_record: dict[str, str] = {}
    by_turn: dict[str, str] = {}
    for theme in key.get("themes", []) or []:
        for record in theme.get("records", []) or []:
            by_record[str(record)] = str(theme["id"])
        for turn in theme.get("interview_turns", []) or []:
            by_turn[str(turn)] = str(theme["id"])
    if key.get("labels"):
        labels = pd.read_csv(Path(corpus) / key["labels"], dtype=str)
        by_record.update(zip(labels["record_id"], labels["theme_id"], strict=True))
    if not by_record and not by_turn:
        return none
    out = []
    for doc_id, source_type, participant, turn in zip(
        segments["doc_id"].astype(str), segments["source_type"].astype(str),
        segments["participant"].fillna("").astype(str), segments["turn"], strict=True,
    ):
        if source_type == "interview":
            try:
                out.append(by_turn.get(f"{participant}:{int(turn)}"))
            except (TypeError, ValueError):
                out.append(None)
        else:
            out.append(by_record.get(doc_id))
    return pd.Series(out, index=segments.index, dtype=object)
