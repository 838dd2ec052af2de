"""One batched spaCy pass over every block of text: sentence boundaries and people's names.

Ingest needs two things from spaCy — where sentences end (for segmentation) and PERSON
entities (for redaction) — so it runs the shared pipeline from `voc_synth.models.load_spacy()`
once, with `nlp.pipe` in batches, and with the components it does not need (lemmatizer,
attribute ruler; NER and tagger too when names are not redacted) disabled for speed.
Very long texts are cut at line breaks into pieces the parser handles comfortably.

NER is the dearest component (about half of the pipeline's time on customer feedback), and a
PERSON entity only counts when it holds a proper noun (`redact.doc_person_spans`). So NER runs
only on the texts the tagger found a proper noun in (`NamesWhereProperNouns`): the names found
are the same, and feedback without a capitalised name skips NER altogether.

Several processes (`n_process` > 1) use our own small pool, not `nlp.pipe(n_process=...)`.
spaCy's pool sends every whole `Doc` back to the parent (`Doc.to_bytes` in the worker,
`Doc.from_bytes` in the parent), although all ingest keeps of a text is a few integer offsets;
at 100k segments the parent spent a quarter as much CPU unpacking Docs as the workers spent
parsing, CPU taken straight from the workers on a two-core machine. Instead, where the "fork"
start method exists (Linux), workers are forked once the pipeline is loaded and set up — so
they share the model and the texts copy-on-write and inherit exactly the parent's enabled
components — and each is sent chunk numbers, runs `nlp.pipe` over those chunks of the pieces
and returns only the sentence and PERSON offsets (`_analyse_pieces`, the same code the single
process runs). Chunks (`CHUNK_PIECES`) are whole multiples of `batch_size`, handed out in order
and merged in order, so every batch spaCy sees holds the same texts as in one process, and the
results are identical; fewer than two chunks are analysed in this process. A worker that
fails or dies raises `NlpWorkerError`; Ctrl-C or any error terminates the workers. Without
"fork" (Windows, macOS defaults), `nlp.pipe(n_process=...)` is used as before.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import signal
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any

from ..distributed.active import current_session
from ..forked import fork_available, usable_cores
from ..progress import ProgressFactory, ProgressTask, null_progress
from .redact import doc_person_spans

MAX_PIECE_CHARS = 20_000
#: From this many texts on, `auto_processes` runs spaCy on every core.
AUTO_PROCESSES_FROM = 4_000
#: About this many pieces go to a worker at a time (rounded to whole spaCy batches).
CHUNK_PIECES = 256
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass
class Analysis:
    """Character offsets into one text: its sentences, and the people's names in it."""

    sentences: list[tuple[int, int]] = field(default_factory=list)
    persons: list[tuple[int, int]] = field(default_factory=list)


#: (index of the unique text, offset of the piece in it, piece)
_Piece = tuple[int, int, str]
#: A piece's sentence spans and PERSON spans, as offsets into its whole text.
_Offsets = tuple[list[tuple[int, int]], list[tuple[int, int]]]


def _pieces(text: str) -> list[tuple[int, str]]:
    """(offset, piece) chunks no longer than MAX_PIECE_CHARS, cut at newlines where possible."""
    if len(text) <= MAX_PIECE_CHARS:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + MAX_PIECE_CHARS)
        if end < len(text):
            cut = text.rfind("\n", start + MAX_PIECE_CHARS // 2, end)
            if cut == -1:
                cut = text.rfind(" ", start + MAX_PIECE_CHARS // 2, end)
            end = cut + 1 if cut != -1 else end
        out.append((start, text[start:end]))
        start = end
    return out


def _split_paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence never spans a blank line (a new paragraph, a new chat message)."""
    spans, cursor = [], start
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append((cursor, m.start()))
        cursor = m.end()
    spans.append((cursor, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


#: The pipeline component that runs NER only where the tagger saw a proper noun.
GATED_NER = "voc_synth_ner_where_proper_nouns"
_PROPER_NOUN_TAGS = frozenset({"NNP", "NNPS"})


def needs_ner(doc: Any) -> bool:
    """Whether NER can find a name `doc_person_spans` keeps: a tagged doc needs a proper noun."""
    if not doc.has_annotation("TAG"):
        return True
    return any(tok.tag_ in _PROPER_NOUN_TAGS for tok in doc)


class NamesWhereProperNouns:
    """spaCy component: the pipeline's own NER, applied only to docs that `needs_ner`."""

    def __init__(self, ner: Any) -> None:
        self.ner = ner

    def __call__(self, doc: Any) -> Any:
        return self.ner(doc) if needs_ner(doc) else doc

    def pipe(self, docs: Any, batch_size: int = 128) -> Any:
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            wanted = [doc for doc in batch if needs_ner(doc)]
            if wanted:
                # NER sets the entities on the docs themselves; only the order needs keeping.
                for _ in self.ner.pipe(wanted, batch_size=batch_size):
                    pass
            yield from batch


def _make_gated_ner(nlp: Any, name: str) -> NamesWhereProperNouns:
    return NamesWhereProperNouns(nlp.get_pipe("ner"))


def add_gated_ner(nlp: Any) -> bool:
    """Add the (disabled) `GATED_NER` component to a pipeline that has a tagger and NER.

    Returns whether the pipeline has it. `analyse_texts` enables it in place of "ner".
    """
    names = set(nlp.component_names)
    if GATED_NER in names:
        return True
    if not {"ner", "tagger"} <= names:
        return False
    from spacy.language import Language

    if not Language.has_factory(GATED_NER):
        Language.factory(GATED_NER, func=_make_gated_ner)
    nlp.add_pipe(GATED_NER, after="ner")
    nlp.disable_pipe(GATED_NER)
    return True


def pipes_to_disable(nlp: Any, names: bool) -> list[str]:
    """Components not needed for sentences (+ PERSON entities when `names`). With the
    sentence recogniser enabled (`use_senter`), the parser is not needed either."""
    keep = {"tok2vec", "senter", "sentencizer"} if "senter" in nlp.pipe_names else {"tok2vec", "parser", "sentencizer"}
    if names:
        keep |= {GATED_NER, "tagger"} if GATED_NER in nlp.pipe_names else {"ner", "tagger"}
    return [name for name in nlp.pipe_names if name not in keep]


def use_senter(nlp: Any) -> bool:
    """Enable the pipeline's sentence recogniser (`senter`, shipped disabled in spaCy's trained
    English pipelines) when it has one and a parser; returns whether it did.

    The parser finds sentence boundaries as a side effect of a full dependency parse; the
    senter only tags sentence starts, with its own small token-to-vector layer. On 3,000
    customer texts the pipeline took 7.0 CPU s instead of 8.4 with it, and on the demo corpus
    2.5% of records were cut into windows differently (neither cut better on reading).
    """
    if "parser" not in nlp.pipe_names or "senter" not in nlp.component_names or "senter" in nlp.pipe_names:
        return False
    nlp.enable_pipe("senter")
    return True


def auto_processes(n_texts: int, requested: int | None = None) -> int:
    """How many spaCy processes to run: `requested`, else one per core (at most 4) for
    `AUTO_PROCESSES_FROM` texts or more. Below that, starting workers costs more than it saves."""
    if requested:
        return requested
    if n_texts < AUTO_PROCESSES_FROM:
        return 1
    return max(1, min(4, usable_cores()))


def analyse_texts(
    texts: Sequence[str], nlp: Any, *, names: bool, batch_size: int = 64,
    progress: ProgressFactory | None = None, description: str = "Analysing text",
    n_process: int = 1, sentences: str = "senter",
) -> list[Analysis]:
    """Sentences and PERSON spans for each text (character offsets into that text).

    Identical texts (the same interviewer script in every transcript, a repeated answer) are
    analysed once. `n_process` > 1 runs spaCy in that many worker processes (same results);
    a worker that fails or dies raises `NlpWorkerError`. `sentences`: "senter" uses the
    pipeline's sentence recogniser instead of its parser where it has one (`use_senter`).
    """
    unique = list(dict.fromkeys(texts))
    flat: list[_Piece] = []
    for i, text in enumerate(unique):
        for offset, piece in _pieces(text):
            if piece.strip():
                flat.append((i, offset, piece))
    results = [Analysis() for _ in unique]
    gated = names and add_gated_ner(nlp) and "ner" in nlp.pipe_names
    if gated:
        nlp.enable_pipe(GATED_NER)
    senter = sentences == "senter" and use_senter(nlp)
    try:
        _analyse(flat, results, nlp, names, batch_size, progress or null_progress, description, n_process)
    finally:
        if gated:
            nlp.disable_pipe(GATED_NER)
        if senter:
            nlp.disable_pipe("senter")
    by_text = dict(zip(unique, results, strict=True))
    return [by_text[text] for text in texts]


class NlpWorkerError(RuntimeError):
    """A spaCy worker process of `analyse_texts` raised an error or stopped unexpectedly."""


def _piece_offsets(doc: Any, offset: int, piece: str, names: bool, has_sentences: bool) -> _Offsets:
    """What ingest keeps of one analysed piece: sentence spans (never across a blank line) and
    PERSON spans, shifted by `offset` to the piece's place in its text."""
    if has_sentences:
        sentences = [(offset + s, offset + e) for sent in doc.sents
                     for s, e in _split_paragraphs(piece, sent.start_char, sent.end_char)]
    else:
        sentences = [(offset + s, offset + e) for s, e in _split_paragraphs(piece, 0, len(piece))]
    persons = [(offset + s, offset + e) for s, e in doc_person_spans(doc)] if names else []
    return sentences, persons


def _analyse_pieces(nlp: Any, pieces: Sequence[_Piece], names: bool, batch_size: int,
                    n_process: int = 1) -> Iterator[_Offsets]:
    """`_piece_offsets` of each piece, in order, with the pipeline's components as they are set.

    The one place spaCy runs for `analyse_texts`: in the parent, and in each forked worker.
    """
    has_sentences = any(p in nlp.pipe_names for p in ("parser", "senter", "sentencizer"))
    docs = nlp.pipe((piece for _, _, piece in pieces), batch_size=batch_size, n_process=n_process)
    for (_, offset, piece), doc in zip(pieces, docs, strict=True):
        yield _piece_offsets(doc, offset, piece, names, has_sentences)


def _analyse(flat: list[_Piece], results: list[Analysis], nlp: Any, names: bool, batch_size: int,
             factory: ProgressFactory, description: str, n_process: int) -> None:
    disable = pipes_to_disable(nlp, names)
    if n_process < 0:  # spaCy's "-1: one per CPU"
        n_process = os.cpu_count() or 1
    # Whole batches per chunk, so spaCy batches exactly the texts one process would batch.
    chunk = batch_size * max(1, CHUNK_PIECES // batch_size)
    n_chunks = (len(flat) + chunk - 1) // chunk
    forked = fork_available()
    if (forked and n_chunks < 2) or len(flat) <= batch_size:  # workers would cost more than they save
        n_process = 1
    with factory(description, len(flat)) as task, nlp.select_pipes(disable=disable):
        session = current_session()
        if session is not None and session.takes(len(flat), chunk):  # partitions on a Dask cluster
            from ..distributed.nlp_partitions import analyse_on_cluster

            analyse_on_cluster(session, nlp, flat, results, names, batch_size, chunk, task)
            return
        if n_process > 1 and forked:
            _analyse_in_workers(flat, results, nlp, names, batch_size, chunk, task, min(n_process, n_chunks))
            return
        for (i, _, _), (sentences, persons) in zip(
                flat, _analyse_pieces(nlp, flat, names, batch_size, n_process), strict=True):
            results[i].sentences.extend(sentences)
            results[i].persons.extend(persons)
            task.advance(1)


def _analyse_in_workers(flat: list[_Piece], results: list[Analysis], nlp: Any, names: bool, batch_size: int,
                        chunk: int, task: ProgressTask, n_process: int) -> None:
    n_chunks = (len(flat) + chunk - 1) // chunk
    done: dict[int, list[_Offsets]] = {}
    next_to_merge = 0
    with _ForkedWorkers(n_process, nlp, flat, names, batch_size, chunk) as workers:
        for index, offsets in workers.run(n_chunks):
            task.advance(len(offsets))
            done[index] = offsets
            # A long text's pieces can straddle chunks, so merge strictly in chunk order.
            while next_to_merge in done:
                pieces = flat[next_to_merge * chunk:(next_to_merge + 1) * chunk]
                for (i, _, _), (sentences, persons) in zip(pieces, done.pop(next_to_merge), strict=True):
                    results[i].sentences.extend(sentences)
                    results[i].persons.extend(persons)
                next_to_merge += 1
    if next_to_merge != n_chunks:  # run() returns only when every chunk is back; belt and braces
        raise NlpWorkerError(f"spaCy workers returned {next_to_merge} of {n_chunks} chunks")


def _worker_main(conn: Connection, inherited: Iterable[Connection], nlp: Any, flat: list[_Piece], names: bool,
                 batch_size: int, chunk: int) -> None:
    """Body of a forked worker: analyse the chunks whose numbers arrive on `conn`, until None."""
    # Ctrl-C reaches the whole process group; the parent answers it by terminating us, so the
    # workers stay quiet instead of each printing a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's ends of the pipes (ours and earlier workers'): holding one open would hide the
    # parent's death from us, or an earlier worker's death from the parent.
    for other in inherited:
        other.close()
    while True:
        try:
            index = conn.recv()
        except EOFError:  # the parent has gone
            return
        if index is None:
            return
        try:
            reply = (index, list(_analyse_pieces(nlp, flat[index * chunk:(index + 1) * chunk], names, batch_size)),
                     None)
        except Exception:
            reply = (index, None, traceback.format_exc())
        try:
            conn.send(reply)
        except OSError:  # the parent has gone
            return
        if reply[2] is not None:
            return


class _ForkedWorkers:
    """Worker processes forked from this one, each with a pipe to it; terminated on leaving the
    `with` block by an error (or Ctrl-C), otherwise stopped and joined."""

    def __init__(self, n_workers: int, nlp: Any, flat: list[_Piece], names: bool, batch_size: int,
                 chunk: int) -> None:
        self._args = (nlp, flat, names, batch_size, chunk)
        self._n_workers = n_workers
        self._procs: list[BaseProcess] = []
        self._conns: list[Connection] = []

    def __enter__(self) -> _ForkedWorkers:
        context = multiprocessing.get_context("fork")
        # Frozen objects are skipped by the workers' garbage collector, which would otherwise walk
        # (and so copy) the whole inherited heap — the model, the corpus — now and then.
        gc.freeze()
        try:
            for n in range(self._n_workers):
                ours, theirs = context.Pipe()
                proc = context.Process(target=_worker_main, args=(theirs, [*self._conns, ours], *self._args),
                                       name=f"voc_synth-spacy-{n}", daemon=True)
                try:
                    proc.start()
                finally:
                    theirs.close()  # only the worker holds its end, so its death shows here as EOF
                self._procs.append(proc)
                self._conns.append(ours)
        except BaseException:
            self._stop(terminate=True)
            raise
        finally:
            gc.unfreeze()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop(terminate=exc_type is not None)

    def run(self, n_chunks: int) -> Iterator[tuple[int, list[_Offsets]]]:
        """(chunk number, offsets per piece) for chunks 0..n_chunks-1, as they finish.

        Each worker has up to two chunk numbers queued, so it never waits for the parent.
        """
        next_chunk = 0
        busy = dict.fromkeys(range(len(self._conns)), 0)

        def give(worker: int) -> None:
            nonlocal next_chunk
            if next_chunk < n_chunks:
                try:
                    self._conns[worker].send(next_chunk)
                except OSError as err:
                    raise self._died(worker) from err
                busy[worker] += 1
                next_chunk += 1

        for worker in busy:
            give(worker)
            give(worker)
        received = 0
        while received < n_chunks:
            ready = wait([self._conns[w] for w, n in busy.items() if n])
            for worker, conn in enumerate(self._conns):
                if conn not in ready:
                    continue
                try:
                    index, offsets, error = conn.recv()
                except (EOFError, OSError) as err:
                    raise self._died(worker) from err
                if error is not None:
                    raise NlpWorkerError(f"spaCy worker {self._procs[worker].name} failed while analysing "
                                         f"text chunk {index}:\n{error}")
                busy[worker] -= 1
                received += 1
                give(worker)
                yield index, offsets

    def _died(self, worker: int) -> NlpWorkerError:
        proc = self._procs[worker]
        proc.join(timeout=5)
        code = proc.exitcode
        if code is not None and code < 0:
            how = f"was killed by signal {-code}"
            if code == -signal.SIGKILL:
                how += " (SIGKILL: often the system running out of memory)"
        else:
            how = f"exited with code {code}"
        return NlpWorkerError(f"spaCy worker {proc.name} (pid {proc.pid}) {how} before returning its results")

    def _stop(self, terminate: bool) -> None:
        if not terminate:
            for conn in self._conns:
                try:
                    conn.send(None)
                except OSError:
                    pass
        for proc in self._procs:
            if terminate:
                proc.terminate()
        for proc in self._procs:
            proc.join(timeout=5 if terminate else 60)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for conn in self._conns:
            conn.close()
