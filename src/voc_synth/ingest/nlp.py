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
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..progress import ProgressFactory, null_progress
from .redact import doc_person_spans

MAX_PIECE_CHARS = 20_000
#: From this many texts on, `auto_processes` runs spaCy on every core.
AUTO_PROCESSES_FROM = 4_000
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass
class Analysis:
    sentences: list[tuple[int, int]] = field(default_factory=list)
    persons: list[tuple[int, int]] = field(default_factory=list)


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
    """Components not needed for sentences (+ PERSON entities when `names`)."""
    keep = {"tok2vec", "parser", "senter", "sentencizer"}
    if names:
        keep |= {GATED_NER, "tagger"} if GATED_NER in nlp.pipe_names else {"ner", "tagger"}
    return [name for name in nlp.pipe_names if name not in keep]


def auto_processes(n_texts: int, requested: int | None = None) -> int:
    """How many spaCy processes to run: `requested`, else one per core (at most 4) for
    `AUTO_PROCESSES_FROM` texts or more. Below that, starting workers costs more than it saves."""
    if requested:
        return requested
    if n_texts < AUTO_PROCESSES_FROM:
        return 1
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def analyse_texts(
    texts: Sequence[str], nlp: Any, *, names: bool, batch_size: int = 64,
    progress: ProgressFactory | None = None, description: str = "Analysing text",
    n_process: int = 1,
) -> list[Analysis]:
    """Sentences and PERSON spans for each text (character offsets into that text).

    Identical texts (the same interviewer script in every transcript, a repeated answer) are
    analysed once. `n_process` > 1 runs spaCy in that many worker processes (same results).
    """
    unique = list(dict.fromkeys(texts))
    flat: list[tuple[int, int, str]] = []  # (unique index, offset, piece)
    for i, text in enumerate(unique):
        for offset, piece in _pieces(text):
            if piece.strip():
                flat.append((i, offset, piece))
    results = [Analysis() for _ in unique]
    gated = names and add_gated_ner(nlp) and "ner" in nlp.pipe_names
    if gated:
        nlp.enable_pipe(GATED_NER)
    try:
        _analyse(flat, results, nlp, names, batch_size, progress or null_progress, description, n_process)
    finally:
        if gated:
            nlp.disable_pipe(GATED_NER)
    by_text = dict(zip(unique, results, strict=True))
    return [by_text[text] for text in texts]


def _analyse(flat: list[tuple[int, int, str]], results: list[Analysis], nlp: Any, names: bool, batch_size: int,
             factory: ProgressFactory, description: str, n_process: int) -> None:
    disable = pipes_to_disable(nlp, names)
    has_sentences = any(p in nlp.pipe_names for p in ("parser", "senter", "sentencizer"))
    with factory(description, len(flat)) as task, nlp.select_pipes(disable=disable):
        docs = nlp.pipe((piece for _, _, piece in flat), batch_size=batch_size,
                        n_process=n_process if len(flat) > batch_size else 1)
        for (i, offset, piece), doc in zip(flat, docs, strict=True):
            result = results[i]
            if has_sentences:
                for sent in doc.sents:
                    for s, e in _split_paragraphs(piece, sent.start_char, sent.end_char):
                        result.sentences.append((offset + s, offset + e))
            else:
                result.sentences.extend((offset + s, offset + e) for s, e in _split_paragraphs(piece, 0, len(piece)))
            if names:
                result.persons.extend((offset + s, offset + e) for s, e in doc_person_spans(doc))
            task.advance(1)
