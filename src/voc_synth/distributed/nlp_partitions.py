"""Ingest's spaCy pass (sentences and people's names) as partitions on the cluster.

`ingest.nlp.analyse_texts` hands its pieces of text here when a cluster session is current.
Partitions are whole multiples of spaCy chunks (`CHUNK_PIECES`, whole batches), so every batch
spaCy sees on a worker holds the same texts as in one process and the offsets are identical.
A worker runs the spaCy pipeline with exactly the components the client enabled (the gated NER,
the sentence recogniser); it must be the same pipeline (name and version), or the run stops.
Only offsets travel back, as arrays: a few integers per sentence and name.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .partitions import Partition, partition_key, ranges, run_partitions
from .store import Arrays
from .worker import model_lock

if TYPE_CHECKING:
    from ..ingest.nlp import Analysis
    from ..progress import ProgressTask
    from .session import ClusterSession

#: (offset of the piece in its text, piece)
Piece = tuple[int, str]
Offsets = tuple[list[tuple[int, int]], list[tuple[int, int]]]


def pipeline_identity(nlp: Any) -> dict[str, Any]:
    """What must match between the client's spaCy pipeline and a worker's."""
    import spacy

    return {"lang": nlp.lang, "name": nlp.meta.get("name", ""), "version": nlp.meta.get("version", ""),
            "spacy": spacy.__version__}


def analyse_on_cluster(session: ClusterSession, nlp: Any, flat: Sequence[tuple[int, int, str]],
                       results: list[Analysis], names: bool, batch_size: int, chunk: int,
                       task: ProgressTask) -> None:
    """Fill `results` (one `Analysis` per unique text) from `flat` pieces analysed on the workers;
    the cluster counterpart of `ingest.nlp._analyse` with the pipeline as it is set now."""
    setup = {"pipeline": pipeline_identity(nlp), "enabled": list(nlp.pipe_names), "names": bool(names),
             "batch_size": int(batch_size)}
    size = session.partition_items(chunk)
    bounds = ranges(len(flat), size)
    partitions = []
    for start, stop in bounds:
        pieces = [(offset, piece) for _, offset, piece in flat[start:stop]]
        partitions.append(Partition(partition_key("spacy", setup, pieces), (pieces,), len(pieces)))
    finished: dict[int, list[Offsets]] = {}
    run_partitions(session, "spacy", analyse_partition, partitions,
                   lambda i, arrays: finished.__setitem__(i, decode_offsets(arrays)),
                   shared=[setup], advance=task.advance)
    # A long text's pieces can straddle partitions: merge strictly in piece order.
    for i, (start, stop) in enumerate(bounds):
        for (text_index, _, _), (sentences, persons) in zip(flat[start:stop], finished.pop(i), strict=True):
            results[text_index].sentences.extend(sentences)
            results[text_index].persons.extend(persons)


def analyse_partition(setup: dict[str, Any], pieces: list[Piece]) -> Arrays:
    """On a worker: sentence and PERSON offsets of each piece, with the client's pipeline setup."""
    from ..ingest.nlp import GATED_NER, _analyse_pieces, add_gated_ner
    from ..models import load_spacy

    with model_lock("spacy"):
        nlp = load_spacy()
        here = pipeline_identity(nlp)
        if here != setup["pipeline"]:
            raise RuntimeError(f"this worker's spaCy pipeline is {here}, the client's {setup['pipeline']}: "
                               "install the same spaCy and English pipeline on every machine")
        if GATED_NER in setup["enabled"]:
            add_gated_ner(nlp)
        with _exactly_enabled(nlp, setup["enabled"]):
            offsets = list(_analyse_pieces(nlp, [(0, offset, piece) for offset, piece in pieces],
                                           setup["names"], setup["batch_size"]))
    return encode_offsets(offsets)


@contextlib.contextmanager
def _exactly_enabled(nlp: Any, enabled: list[str]) -> Iterator[None]:
    """Run the block with exactly `enabled` components, in the pipeline's order; then restore."""
    switched_on = [name for name in enabled if name not in nlp.pipe_names]
    for name in switched_on:
        nlp.enable_pipe(name)
    try:
        with nlp.select_pipes(enable=enabled):
            yield
    finally:
        for name in switched_on:
            nlp.disable_pipe(name)


def encode_offsets(offsets: list[Offsets]) -> Arrays:
    """Per-piece sentence and PERSON spans as flat arrays (for the wire and the work folder)."""
    def flat(kind: int) -> tuple[np.ndarray, np.ndarray]:
        spans = [span for piece in offsets for span in piece[kind]]
        counts = np.array([len(piece[kind]) for piece in offsets], dtype=np.int64)
        return np.array(spans, dtype=np.int64).reshape(-1, 2), counts

    sentences, n_sentences = flat(0)
    persons, n_persons = flat(1)
    return {"sentences": sentences, "n_sentences": n_sentences, "persons": persons, "n_persons": n_persons}


def decode_offsets(arrays: Arrays) -> list[Offsets]:
    """The inverse of `encode_offsets`."""
    def split(spans: np.ndarray, counts: np.ndarray) -> list[list[tuple[int, int]]]:
        out, start = [], 0
        for n in counts.tolist():
            out.append([(int(s), int(e)) for s, e in spans[start:start + n].tolist()])
            start += n
        return out

    sentences = split(arrays["sentences"], arrays["n_sentences"])
    persons = split(arrays["persons"], arrays["n_persons"])
    return list(zip(sentences, persons, strict=True))
