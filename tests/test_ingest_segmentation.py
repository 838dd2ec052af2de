"""Segmentation units, windows and filler; config switches that change what ingest produces."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc_synth.config import Config, RedactionConfig, SegmentationConfig, SourceConfig
from voc_synth.ingest import ingest
from voc_synth.ingest.dedupe import normalise_for_dedupe
from voc_synth.ingest.segment import drop_reason, windows

LONG_REVIEW = (
    "The sofa arrived a week late. The delivery team were polite though. "
    "One cushion had a tear along the seam. Support sent a replacement cover quickly. "
    "Overall I am happy with the colour and the comfort."
)


@pytest.mark.parametrize("n, size, expected", [
    (0, 3, []), (2, 3, [(0, 2)]), (3, 3, [(0, 3)]), (4, 3, [(0, 2), (2, 4)]),
    (5, 3, [(0, 3), (3, 5)]), (7, 3, [(0, 3), (3, 5), (5, 7)]), (3, 1, [(0, 1), (1, 2), (2, 3)]),
])
def test_windows_are_balanced(n: int, size: int, expected: list[tuple[int, int]]) -> None:
    assert windows(n, size) == expected


@pytest.mark.parametrize("text, reason", [
    ("yeah", "filler"), ("Mm-hmm.", "filler"), ("ok thanks", "filler"), ("um, right", "filler"),
    ("Great, thanks for your help.", "filler"), ("Thanks, received. [NAME]", "filler"),
    ("It broke.", "too short"), ("Delivery was late.", None), ("Your help was great", None),
    ("Yeah so the delivery was late", None),
])
def test_filler_and_fragments(text: str, reason: str | None) -> None:
    assert drop_reason(text, 3) == reason


def test_near_exact_normalisation() -> None:
    assert normalise_for_dedupe("Order LH-123456 never came!!") == normalise_for_dedupe("order lh 654321 never   came")


def _review_config(tmp_path: Path, **kwargs: object) -> Config:
    (tmp_path / "reviews.csv").write_text(
        f'id,text\nr1,"{LONG_REVIEW}"\nr2,"Contact me on jo@example.com if the refund fails."\n', encoding="utf-8")
    return Config(sources=[SourceConfig(path=Path("reviews.csv"), type="review")], base_dir=tmp_path, **kwargs)


def test_long_documents_are_windowed_and_units_can_be_overridden(tmp_path: Path) -> None:
    windowed = ingest(_review_config(tmp_path))
    r1 = windowed.segments[windowed.segments["doc_id"] == "r1"]
    assert list(r1["segment_id"]) == ["r1:1", "r1:2"]        # 5 sentences, window 3 → 3 + 2
    assert r1.iloc[0]["text"].endswith("tear along the seam.")

    by_sentence = ingest(_review_config(tmp_path, segmentation=SegmentationConfig(units={"review": "sentence"})))
    assert len(by_sentence.segments[by_sentence.segments["doc_id"] == "r1"]) == 5

    wide = ingest(_review_config(tmp_path, segmentation=SegmentationConfig(window_sentences=10)))
    assert len(wide.segments[wide.segments["doc_id"] == "r1"]) == 1


def test_redaction_can_be_switched_off(tmp_path: Path) -> None:
    on = ingest(_review_config(tmp_path))
    assert "[EMAIL]" in on.documents.set_index("doc_id").loc["r2", "text"]
    off = ingest(_review_config(tmp_path, redaction=RedactionConfig(enabled=False)))
    assert "jo@example.com" in off.documents.set_index("doc_id").loc["r2", "text"]


def test_reidentification_map_written_when_the_config_asks(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(
        "ticket_id,body,customer\nT1,My parcel went to the wrong house again.,Ann Lee\n", encoding="utf-8")
    config = Config(sources=[SourceConfig(path=Path("t.csv"), type="ticket")], base_dir=tmp_path,
                    redaction=RedactionConfig(reidentification_map=Path("private/reid.json")))
    result = ingest(config)
    customer = result.documents.iloc[0]["participant"]
    assert customer.startswith("customer-") and len(customer) == len("customer-") + 4
    assert "Ann Lee" in (tmp_path / "private" / "reid.json").read_text(encoding="utf-8")


def test_declared_encoding_that_does_not_fit_is_a_skip(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes("id,text\n1,\"Paid £5 for “express” and waited a week\"\n".encode("cp1252"))
    (tmp_path / "b.csv").write_text("id,text\n2,The kettle is quiet and boils quickly.\n", encoding="utf-8")
    config = Config(sources=[SourceConfig(path=Path("."), type="review", encoding="utf-8")], base_dir=tmp_path)
    files = {f["path"]: f for f in ingest(config).manifest["files"]}
    assert files["a.csv"]["status"] == "skipped" and "wrongly encoded" in files["a.csv"]["reason"]
    assert files["b.csv"]["status"] == "ingested"


def test_spacy_worker_processes_give_the_same_segments_and_redactions(tmp_path: Path) -> None:
    """Large corpora run spaCy in several processes; that must not change a single segment."""
    import csv

    from voc_synth.ingest.nlp import AUTO_PROCESSES_FROM, auto_processes

    people = ["Maria Lopez", "Tom Baker", "Priya Shah", "Owen Price", "Hannah Cole"]
    with (tmp_path / "reviews.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        products = ["sofa", "lamp", "rug", "desk", "kettle", "mirror"]
        problems = ["arrived late", "was scratched", "came without screws", "was the wrong colour",
                    "had a broken handle"]
        i = 0  # more texts than one spaCy batch, so the workers really run
        for product in products:
            for problem in problems:
                for person in people:
                    writer.writerow([f"r{i}", f"The {product} {problem}. {person} in the store sorted it "
                                              f"out for me. {LONG_REVIEW}"])
                    i += 1
    config = Config(sources=[SourceConfig(path=Path("reviews.csv"), type="review")], base_dir=tmp_path)
    one = ingest(config.model_copy(update={"segmentation": SegmentationConfig(nlp_processes=1)}))
    two = ingest(config.model_copy(update={"segmentation": SegmentationConfig(nlp_processes=2)}))
    assert len(one.segments) >= 200
    assert one.segments["text"].tolist() == two.segments["text"].tolist()
    assert one.documents["text"].tolist() == two.documents["text"].tolist()
    assert not any(name in text for name in people for text in two.documents["text"])
    assert auto_processes(AUTO_PROCESSES_FROM - 1) == 1 and auto_processes(10, requested=3) == 3
    import os

    assert auto_processes(AUTO_PROCESSES_FROM) == min(4, len(os.sched_getaffinity(0)))


def test_ner_runs_only_where_the_tagger_saw_a_proper_noun_and_finds_the_same_names() -> None:
    """NER is skipped on texts without a proper noun; the names found are exactly those of full NER."""
    from voc_synth.ingest import nlp as nlp_module
    from voc_synth.models import load_spacy

    nlp = load_spacy()
    texts = [
        "Maria Lopez at the Leeds store sorted out my refund in ten minutes.",
        "the courier left it in the rain and the box was soaked through",
        "I spoke to Owen Price on the phone and he knew exactly what to do.",
        "It arrived late and nobody answered the phone for three days.",
        "Courier was rude and threw the parcel over the gate.",
        "I emailed twice and Hannah Cole from support finally replied.",
    ] * 20  # more than one batch
    full = [nlp_module.Analysis(persons=[]) for _ in texts]
    with nlp.select_pipes(disable=[p for p in nlp.pipe_names if p not in ("tok2vec", "tagger", "parser", "ner")]):
        for result, doc in zip(full, nlp.pipe(texts, batch_size=16), strict=True):
            result.persons.extend(nlp_module.doc_person_spans(doc))

    ner_calls: list[int] = []

    class CountingNER:
        def __init__(self, ner) -> None:
            self.ner = ner

        def pipe(self, docs, **kwargs):
            docs = list(docs)
            ner_calls.append(len(docs))
            return self.ner.pipe(docs, **kwargs)

    assert nlp_module.add_gated_ner(nlp)
    gate = nlp.get_pipe(nlp_module.GATED_NER)
    gate.ner = CountingNER(gate.ner)
    try:
        gated = nlp_module.analyse_texts(texts, nlp, names=True, batch_size=16)
    finally:
        gate.ner = gate.ner.ner
    assert [g.persons for g in gated] == [f.persons for f in full]
    found = {texts[i][s:e] for i, g in enumerate(gated) for s, e in g.persons}
    assert {"Maria Lopez", "Owen Price", "Hannah Cole"} <= found
    # Identical texts are analysed once (6), and the lower-case courier complaints and the late
    # parcel have no proper noun, so NER saw at most the other three.
    assert 0 < sum(ner_calls) <= 4
    assert nlp_module.GATED_NER not in nlp.pipe_names  # left disabled for other callers
