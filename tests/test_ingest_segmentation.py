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


def test_spacy_worker_processes_give_the_same_segments_and_redactions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large corpora run spaCy in several processes; that must not change a single segment."""
    import csv

    from voc_synth.ingest import nlp as nlp_module
    from voc_synth.ingest.nlp import AUTO_PROCESSES_FROM, auto_processes

    monkeypatch.setattr(nlp_module, "CHUNK_PIECES", 32)  # several chunks of these 150 texts

    people = ["Maria Lopez", "Tom Baker", "Priya Shah", "Owen Price", "Hannah Cole"]
    with (tmp_path / "reviews.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        products = ["sofa", "lamp", "rug", "desk", "kettle", "mirror"]
        problems = ["arrived late", "was scratched", "came without screws", "was the wrong colour",
                    "had a broken handle"]
        i = 0  # more texts than one chunk of work, so the workers really run
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


# Customer feedback as it arrives: reviews, tickets and chat logs, some naming staff, some
# running over several paragraphs, some sent twice.
CUSTOMER_TEXTS = [
    "Priya at the Leeds store was great. She found the last sofa in stock and booked delivery.",
    "The kettle stopped working after two weeks. The lid no longer clicks shut either.",
    "Ordered a desk lamp on Monday, it came on Thursday. Bulb was not included, which the listing "
    "does not say.",
    "Tom Baker from customer services rang me back within the hour and sorted the refund.",
    "Subject: Missing parcel\n\nHi, my order never arrived although the tracking says delivered. "
    "The photo shows a door that is not mine.\n\nPlease send a replacement or refund me.\n\nThanks, Ann",
    "Great rug, soft and thick. The colour is a little darker than the photos.",
    "I waited 40 minutes on hold and then the line went dead. Nobody called back.",
    "Maria Lopez helped me choose a mattress and was honest about which one would suit my back.",
    "Customer: Hi, I need to change my delivery address.\n\nAgent (Owen): No problem, what is the new "
    "address?\n\nCustomer: 14 Mill Lane, Bristol.\n\nAgent (Owen): Done, you will get a new confirmation "
    "email shortly.",
    "The assembly instructions for the wardrobe were missing two steps. Took my husband Dave and me "
    "three hours.",
    "Fast delivery, well packed, exactly as described.",
    "Returned the mirror because it arrived cracked. The refund took three weeks and two emails to Hannah "
    "Cole before it came through.",
    "the app keeps logging me out when I try to pay, tried on two phones, still the same",
    "Asked for a callback on Friday. Still waiting. Very disappointed with the service this time.",
    "Kevin in the Manchester warehouse called to say the table was damaged and offered a discount to keep "
    "it.\n\nI accepted and I'm happy with how it was handled.",
    "Delivery driver left the boxes in the rain. The cardboard was soaked and the bottom shelf is warped.",
    "Love the new armchair! Comfortable and looks lovely in the living room.",
    "Order LH-123456: charged twice for the same dining chairs. Please refund the second payment.",
    "I spoke to Sarah and then to James and each told me something different about the warranty.",
    "Price went up by 20 pounds between adding to basket and checkout. Not impressed.",
    "The website said next day delivery but it took five days.\n\n\nWhen it came the driver was lovely "
    "though.\n\nOverall 3 stars.",
    "Zoe at the Glasgow branch was patient and knowledgeable. Would buy from this shop again.",
    "Cushion covers faded after one wash even on the cold setting.",
    "Interviewer: How did you find the checkout?\n\nParticipant: Fine mostly. The voucher box is hidden "
    "though, I only found it after paying.\n\nInterviewer: What would you change?\n\nParticipant: Put the "
    "voucher box next to the total, and let me save my card.",
    "Excellent customer service from Ahmed, who replaced my broken lamp without any fuss.",
    "Not what I expected.",
    "Bed frame squeaks every time I move. Tightened every bolt, no change.",
    "Chat with Lucy was quick and friendly. Refund confirmed the same day.",
]
CUSTOMER_TEXTS.append("\n\n".join(  # a long chat log, cut into pieces that fill several chunks
    f"Agent (Ben): {answer}\n\nCustomer: {reply}" for answer, reply in [
        ("Hello, thanks for waiting. How can I help today?", "My wardrobe arrived with a split door panel."),
        ("Sorry to hear that. Could you send me a photo of the damage?", "Sent it just now to the support address."),
        ("Thanks, I can see it. I will order a new door panel for you.", "How long will that take to arrive?"),
        ("About five working days. Tom Baker in the warehouse will call you.", "Fine, but I am out on Tuesday."),
        ("I will add a note to avoid Tuesday.", "Great. Can I keep using the wardrobe until then?"),
        ("Yes, it is safe to use. Anything else I can help with?", "No, that is all. Thanks for your help, Ben."),
    ]))
CUSTOMER_TEXTS += CUSTOMER_TEXTS[:6]  # the same answers sent twice


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 6 pieces (3 batches of 2) and pieces of at most 120 characters, so a few dozen
    texts fill several chunks and the long ones are cut into pieces that straddle chunks."""
    from voc_synth.ingest import nlp as nlp_module

    monkeypatch.setattr(nlp_module, "CHUNK_PIECES", 6)
    monkeypatch.setattr(nlp_module, "MAX_PIECE_CHARS", 120)


@pytest.mark.parametrize("names", [True, False])
def test_forked_workers_return_exactly_the_single_process_analyses(
        names: bool, small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our own worker pool sends back only offsets; they must equal one process's, in order."""
    import contextlib
    import multiprocessing

    from voc_synth.ingest import nlp as nlp_module
    from voc_synth.models import load_spacy

    nlp = load_spacy()
    one = nlp_module.analyse_texts(CUSTOMER_TEXTS, nlp, names=names, batch_size=2, n_process=1)

    chunks: list[int] = []
    real_run = nlp_module._ForkedWorkers.run

    def last_first(self, n_chunks):  # noqa: ANN001, ANN202
        # Chunks handed back last first: the pieces of the long chat come back in the wrong
        # order, and only merging by chunk number puts its sentences back in order.
        got = list(real_run(self, n_chunks))
        chunks.extend(index for index, _ in got)
        yield from reversed(got)

    monkeypatch.setattr(nlp_module._ForkedWorkers, "run", last_first)
    advances: list[int] = []
    totals: list[int | None] = []

    class Task:
        def advance(self, n: int = 1) -> None:
            advances.append(n)

    @contextlib.contextmanager
    def progress(description: str, total: int | None = None):  # noqa: ANN202
        totals.append(total)
        yield Task()

    two = nlp_module.analyse_texts(CUSTOMER_TEXTS, nlp, names=names, batch_size=2, n_process=2, progress=progress)

    assert two == one
    assert len(chunks) >= 5 and sorted(chunks) == list(range(len(chunks)))  # the workers really ran
    assert len(advances) == len(chunks) and sum(advances) == totals[0]     # the bar moves per chunk
    persons = {text[s:e] for text, a in zip(CUSTOMER_TEXTS, two, strict=True) for s, e in a.persons}
    if names and "ner" in nlp.pipe_names:
        assert {"Tom Baker", "Maria Lopez"} <= persons
    if not names:
        assert persons == set()
    assert len(nlp_module._pieces(CUSTOMER_TEXTS[-7])) > 6 and len(two[-7].sentences) > 12  # chat > 1 chunk
    assert not multiprocessing.active_children()


def test_a_failing_or_dying_worker_is_a_clear_error_and_leaves_no_processes(
        small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that raises or dies makes `analyse_texts` raise (no hang); Ctrl-C stops them all."""
    import contextlib
    import multiprocessing
    import os

    from voc_synth.ingest import nlp as nlp_module
    from voc_synth.models import load_spacy

    nlp = load_spacy()
    parent = os.getpid()
    real = nlp_module._piece_offsets
    how = {"fail": "raise"}

    def faulty(doc, offset, piece, names, has_sentences):  # noqa: ANN001, ANN202
        if "Cushion covers faded" in piece:
            assert os.getpid() != parent, "ran in the parent, not in a worker"
            if how["fail"] == "raise":
                raise ValueError("cannot analyse this cushion review")
            os._exit(3)  # as if the worker crashed; the fork inherits this monkeypatch
        return real(doc, offset, piece, names, has_sentences)

    monkeypatch.setattr(nlp_module, "_piece_offsets", faulty)
    with pytest.raises(nlp_module.NlpWorkerError, match=r"(?s)failed while analysing.*cannot analyse this cushion"):
        nlp_module.analyse_texts(CUSTOMER_TEXTS, nlp, names=True, batch_size=2, n_process=2)
    assert not multiprocessing.active_children()

    how["fail"] = "exit"
    with pytest.raises(nlp_module.NlpWorkerError, match=r"exited with code 3 before returning its results"):
        nlp_module.analyse_texts(CUSTOMER_TEXTS, nlp, names=True, batch_size=2, n_process=2)
    assert not multiprocessing.active_children()

    class Interrupted:
        def advance(self, n: int = 1) -> None:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def progress(description: str, total: int | None = None):  # noqa: ANN202
        yield Interrupted()

    monkeypatch.setattr(nlp_module, "_piece_offsets", real)
    with pytest.raises(KeyboardInterrupt):
        nlp_module.analyse_texts(CUSTOMER_TEXTS, nlp, names=True, batch_size=2, n_process=2, progress=progress)
    assert not multiprocessing.active_children()
    assert nlp_module.GATED_NER not in nlp.pipe_names  # left disabled for other callers


def test_forked_workers_exit_when_the_parent_goes() -> None:
    """A worker holds no parent end of any pipe, so a killed parent leaves no orphans behind."""
    from voc_synth.ingest import nlp as nlp_module
    from voc_synth.models import load_spacy

    with nlp_module._ForkedWorkers(2, load_spacy(), [], names=False, batch_size=2, chunk=2) as workers:
        for conn in workers._conns:  # what the workers see when the parent is killed
            conn.close()
        for proc in workers._procs:
            proc.join(timeout=20)
            assert proc.exitcode == 0


def test_without_fork_spacys_own_worker_processes_give_the_same_analyses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where "fork" is missing (Windows, macOS defaults), `nlp.pipe(n_process=...)` does the work."""
    from voc_synth.ingest import nlp as nlp_module
    from voc_synth.models import load_spacy

    nlp = load_spacy()
    one = nlp_module.analyse_texts(CUSTOMER_TEXTS, nlp, names=True, batch_size=4, n_process=1)
    monkeypatch.setattr(nlp_module.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(nlp_module, "_ForkedWorkers", None)  # would fail if used
    assert nlp_module.analyse_texts(CUSTOMER_TEXTS, nlp, names=True, batch_size=4, n_process=2) == one
