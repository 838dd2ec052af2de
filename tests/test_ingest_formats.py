"""Ingest reads every supported format from real files and produces documents and segments.

One small corpus is written once per module (transcripts in .txt/.md/.vtt/.srt/.docx, tabular
exports in .csv/.tsv/.json/.jsonl/.xlsx, UTF-16 and cp1252 files) and ingested once; the tests
then look at what came out of each file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from voc_synth.config import ColumnMap, Config, SourceConfig
from voc_synth.ingest import IngestResult, ingest, write_reidentification_map

TXT_TRANSCRIPT = """\
Checkout study — interview with P3
Date: 2024-03-12
Interviewer: Sam Jones

[00:00:05] Interviewer: Thanks for joining. Can you tell me about your last order?
[00:00:12] P3: Sure. I ordered a blender and it took two weeks to arrive, which was far too long.
[00:00:40] Interviewer: Right.
[00:00:44] P3: Mm-hmm.
[00:01:02] Interviewer: How did the checkout go?
[00:01:10] P3: The checkout kept rejecting my card, so I paid with Apple Pay in the end.
It worked the second time, but I nearly gave up on the whole order.
"""

MD_TRANSCRIPT = """\
# Q&A interview

**Q:** What made you choose this shop over the others?

**A:** My sister recommended it after her kitchen order arrived quickly and well packed.

**Q:** Anything you would change?

**A:** The delivery tracking page never updates, so I keep emailing support to ask.
"""

OTTER_TRANSCRIPT = """\
Moderator (00:05): Tell me about the returns process.

Dana (00:12): Returning the lamp was painless, the courier collected it the next morning.

Moderator (00:40): And the refund?

Dana (00:48): The refund took three weeks to appear, and nobody told me why it was delayed.
"""

VTT = """\
WEBVTT

NOTE Session with P21, 2024-04-02

1
00:00:01.000 --> 00:00:04.000
<v Moderator>How did you find the mobile app?</v>

2
00:00:04.500 --> 00:00:08.000
<v Priya Shah>The app crashed every time I opened my basket on the phone.</v>

3
00:00:08.000 --> 00:00:11.000
<v Priya Shah>I had to finish the order on my laptop instead, which was annoying.</v>

4
00:00:11.500 --> 00:00:13.000
<v Moderator>Thanks.</v>
"""

SRT = """\
1
00:00:01,000 --> 00:00:03,000
Interviewer: What did you think of the packaging?

2
00:00:03,500 --> 00:00:06,000
Alex: The box was crushed and the kettle lid had snapped off.

3
00:00:06,000 --> 00:00:09,000
Alex: I sent photos to support and they replaced it within a week.
"""

TICKET_BODY_HTML = (
    "<p>Hi there,</p><p>My parcel for order 5512 never arrived &amp; tracking has not moved "
    "for a week.</p><p>Kind regards,<br>Maria Lopez</p>"
    "<blockquote>On Tue, Support wrote: we are looking into it</blockquote>"
)
TICKET_BODY_QUOTED = (
    "Hello team,\n\nThe refund for my returned jacket still has not come through after a month.\n\n"
    "Thanks,\nJohn\n07700 900123\n\nSent from my iPhone\n\n"
    "On Mon, 3 Mar 2024 at 10:00, Support <help@shop.example> wrote:\n> Hi John,\n> We have raised it."
)


def _docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Interview P12: furnishing a flat", level=1)
    document.add_paragraph("Date: 2024-05-01 · Participant: P12")
    for label, text in [
        ("Interviewer:", " What were you shopping for?"),
        ("P12:", " Bedding and towels for three rented flats, bought in bulk every spring."),
        ("Interviewer:", " How was the delivery?"),
        ("P12:", " Two of the three parcels were left with the wrong neighbour again."),
    ]:
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(text)
    document.save(str(path))


def _xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["response_id", "submitted_at", "nps", "comment", "segment"])
    sheet.append(["S-1", "2024-06-01", 9, "Fast delivery and the sheets are lovely and soft.", "new"])
    sheet.append(["S-2", "2024-06-02", 3, "Customer service never answered my three emails about a refund.", "returning"])
    sheet.append([None, None, None, None, None])   # an empty row between answers is counted…
    sheet.append(["S-4", "2024-06-04", 8, "Good value, though the duvet smelled of plastic for days.", "new"])
    sheet.append([None, None, None, None, None])   # …a trailing one is not a record
    book.save(str(path))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("formats")
    iv = root / "interviews"
    iv.mkdir()
    (iv / "P3_call.txt").write_text(TXT_TRANSCRIPT, encoding="utf-8")
    (iv / "qa.md").write_text(MD_TRANSCRIPT, encoding="utf-8")
    (iv / "otter_session.txt").write_text(OTTER_TRANSCRIPT, encoding="utf-8")
    (iv / "P21_session.vtt").write_text(VTT, encoding="utf-8")
    (iv / "call.srt").write_text(SRT, encoding="utf-8")
    _docx(iv / "P12_transcript.docx")
    (iv / "participants.csv").write_text("participant_id,persona,name\nP3,busy parent,Rita Moss\nP12,landlord,\n", encoding="utf-8")

    tabular = root / "data"
    tabular.mkdir()
    pd.DataFrame({
        "Ticket ID": ["T-1", "T-2"], "Subject": ["Parcel missing", "Refund delay"],
        "Description": [TICKET_BODY_HTML, TICKET_BODY_QUOTED], "Requester": ["maria@example.com", "john.smith@example.com"],
        "Created at": ["2024-03-01 10:00", "2024-03-02 11:00"], "Priority": ["high", "low"],
    }).to_csv(tabular / "zendesk_tickets.csv", index=False)
    (tabular / "reviews.tsv").write_text(
        "review_id\ttitle\tbody\trating\n"
        "R-1\tLovely pan\tHeavy, heats evenly and cleans up easily after a big fry-up.\t5\n"
        "R-2\tBroken\tThe handle snapped off the first week I used it.\t1\n", encoding="utf-8")
    (tabular / "more_reviews.json").write_text(json.dumps({"reviews": [
        {"review_id": "J-1", "title": "Great", "body": "The throw is warm and the colour matches the photo exactly.", "rating": 4},
        "not an object",
    ]}), encoding="utf-8")
    (tabular / "app_store.json").write_text(json.dumps([
        {"reviewId": "a1", "content": "The app logs me out every single time I open the basket.", "score": 2, "userName": "HomeBird"},
    ]), encoding="utf-8")
    (tabular / "chats.jsonl").write_text(
        json.dumps({"conversation_id": "C-1", "message": "Customer: my order is late again and nobody replies\nAgent Bex: sorry about that"}) + "\n"
        + json.dumps({"conversation_id": "C-2", "message": "I want to change my delivery address before it ships out."}) + "\n",
        encoding="utf-8")
    _xlsx(tabular / "survey_nps.xlsx")
    (tabular / "utf16_reviews.csv").write_bytes(
        "review_id,body,rating\nU-1,\"Café-style mugs, but the glaze chipped – shame\",2\n".encode("utf-16"))
    (tabular / "cp1252_reviews.csv").write_bytes(
        "review_id,body,rating\nW-1,\"Paid £40 for a “premium” lamp that flickers constantly\",1\n".encode("cp1252"))
    return root


@pytest.fixture(scope="module")
def result(corpus: Path) -> IngestResult:
    config = Config(
        project="Format test",
        sources=[
            SourceConfig(path=Path("interviews"), type="interview", participants=Path("interviews/participants.csv")),
            SourceConfig(path=Path("data")),
        ],
        base_dir=corpus,
    )
    return ingest(config)


def _file(result: IngestResult, name: str) -> dict:
    matches = [f for f in result.manifest["files"] if f["path"].endswith(name)]
    assert matches, f"{name} not in manifest"
    return matches[0]


@pytest.mark.parametrize("name, fmt", [
    ("P3_call.txt", "txt"), ("qa.md", "md"), ("otter_session.txt", "txt"), ("P21_session.vtt", "vtt"),
    ("call.srt", "srt"), ("P12_transcript.docx", "docx"), ("zendesk_tickets.csv", "csv"),
    ("reviews.tsv", "tsv"), ("more_reviews.json", "json"), ("app_store.json", "json"),
    ("chats.jsonl", "jsonl"), ("survey_nps.xlsx", "xlsx"), ("utf16_reviews.csv", "csv"),
    ("cp1252_reviews.csv", "csv"),
])
def test_every_format_gives_documents_and_segments(result: IngestResult, name: str, fmt: str) -> None:
    entry = _file(result, name)
    assert entry["format"] == fmt
    assert entry["status"] == "ingested", entry
    assert entry["records_ingested"] >= 1 and entry["segments"] >= 1
    assert (result.documents["source_file"].str.endswith(name)).any()
    assert (result.segments["source_file"].str.endswith(name)).any()


def test_tables_have_the_canonical_columns_first(result: IngestResult) -> None:
    from voc_synth.tables import DOCUMENT_COLUMNS, SEGMENT_COLUMNS

    assert list(result.documents.columns[: len(DOCUMENT_COLUMNS)]) == DOCUMENT_COLUMNS
    assert list(result.segments.columns[: len(SEGMENT_COLUMNS)]) == SEGMENT_COLUMNS
    assert result.segments["segment_id"].is_unique and result.documents["doc_id"].is_unique
    assert set(result.segments["doc_id"]) <= set(result.documents["doc_id"])
    # Offsets point into the document's text.
    docs = result.documents.set_index("doc_id")["text"]
    for seg in result.segments.itertuples():
        assert docs[seg.doc_id][seg.char_start:seg.char_end] == seg.text


def test_interview_turns_questions_and_pseudonyms(result: IngestResult) -> None:
    segs = result.segments[result.segments["doc_id"] == "P3"]
    assert list(segs["turn"]) == [2, 6]            # turn 4 ("Mm-hmm.") is filler; odd turns are the interviewer's
    assert set(segs["speaker"]) == {"P3"}
    # The asking part of the turn, without the pleasantry before it.
    assert segs.iloc[0]["question"] == "Can you tell me about your last order?"
    # "Right." is not the question the next answer answers.
    assert segs.iloc[1]["question"] == "How did the checkout go?"
    assert list(segs["locator"]) == ["00:00:12", "00:01:10"]
    assert "second time" in segs.iloc[1]["text"]   # a continuation line belongs to its turn
    doc = result.documents.set_index("doc_id").loc["P3"]
    assert doc["date"] == "2024-03-12"
    assert doc["persona"] == "busy parent"          # joined from participants.csv
    assert "name" not in result.documents.columns  # identifying roster columns never pass through
    assert not result.segments["speaker"].isin(["Interviewer", "Moderator"]).any()


def test_real_speaker_names_become_pseudonyms(result: IngestResult) -> None:
    everything = "\n".join(result.documents["text"]) + "\n".join(result.segments["question"])
    for real in ("Dana", "Priya", "Shah", "Alex", "Sam Jones", "Rita Moss"):
        assert real not in everything
        assert real not in set(result.segments["speaker"]) | set(result.segments["participant"])
    otter = result.segments[result.segments["source_file"].str.endswith("otter_session.txt")]
    pseudonym = otter["participant"].iloc[0]
    assert pseudonym.startswith("P") and result.reidentification[pseudonym] == "Dana"
    assert otter["doc_id"].iloc[0] == "otter_session"          # no participant id in the file: the stem


def test_vtt_consecutive_cues_of_one_voice_are_one_turn(result: IngestResult) -> None:
    segs = result.segments[result.segments["doc_id"] == "P21"]
    assert list(segs["turn"]) == [2]
    assert "crashed" in segs.iloc[0]["text"] and "laptop" in segs.iloc[0]["text"]
    assert segs.iloc[0]["question"] == "How did you find the mobile app?"
    assert result.documents.set_index("doc_id").loc["P21", "date"] == "2024-04-02"


def test_qa_markdown_srt_and_docx(result: IngestResult) -> None:
    qa = result.segments[result.segments["source_file"].str.endswith("qa.md")]
    assert list(qa["turn"]) == [2, 4] and qa.iloc[1]["question"] == "Anything you would change?"
    srt = result.segments[result.segments["source_file"].str.endswith("call.srt")]
    assert list(srt["turn"]) == [2] and "replaced it" in srt.iloc[0]["text"]
    docx_segs = result.segments[result.segments["doc_id"] == "P12"]
    assert list(docx_segs["turn"]) == [2, 4]       # the heading and metadata paragraphs are not turns
    assert docx_segs.iloc[0]["locator"] == "paragraph 4"
    assert result.documents.set_index("doc_id").loc["P12", "locator"] == "paragraphs 3-6"


def test_ticket_html_quotes_signature_and_greeting_removed(result: IngestResult) -> None:
    docs = result.documents.set_index("doc_id")
    t1, t2 = docs.loc["T-1", "text"], docs.loc["T-2", "text"]
    assert t1.startswith("Parcel missing. My parcel for order 5512 never arrived & tracking")
    assert "<p>" not in t1 and "Kind regards" not in t1 and "looking into it" not in t1 and "Hi there" not in t1
    assert "Maria" not in t1 and "Lopez" not in t1
    assert "refund for my returned jacket" in t2
    for gone in ("Hello team", "iPhone", "07700", "We have raised it", "Thanks,", "John"):
        assert gone not in t2
    assert docs.loc["T-1", "participant"].startswith("customer-")
    assert docs.loc["T-1", "Priority"] == "high"          # a known export's useful column passes through
    assert docs.loc["T-1", "date"] == "2024-03-01" and docs.loc["T-1", "source_type"] == "ticket"


def test_chat_keeps_only_the_customer_lines(result: IngestResult) -> None:
    chat = result.documents.set_index("doc_id").loc["C-1", "text"]
    assert "order is late" in chat and "sorry about that" not in chat


def test_locators_and_encodings(result: IngestResult) -> None:
    docs = result.documents.set_index("doc_id")
    assert docs.loc["R-2", "locator"] == "row 2"
    assert docs.loc["J-1", "locator"] == "item 1"
    assert docs.loc["C-2", "locator"] == "line 2"
    assert docs.loc["S-2", "locator"] == "row 2" and docs.loc["S-2", "rating"] == 3
    assert docs.loc["S-2", "source_type"] == "survey" and docs.loc["S-2", "rating_scale"] == "0-10"
    assert docs.loc["R-1", "rating_scale"] == "1-5"
    assert docs.loc["U-1", "text"] == "Café-style mugs, but the glaze chipped – shame"
    assert "£40" in docs.loc["W-1", "text"] and "“premium”" in docs.loc["W-1", "text"]
    assert _file(result, "utf16_reviews.csv")["encoding"] == "utf-16"
    assert _file(result, "cp1252_reviews.csv")["encoding"] == "cp1252"
    skipped = {(s["file"].rsplit("/", 1)[-1], s["record"]): s["kind"] for s in result.manifest["skipped_records"]}
    assert skipped[("more_reviews.json", "item 2")] == "malformed"
    assert skipped[("survey_nps.xlsx", "row 3")] == "empty"


def test_ids_are_stable_across_runs(corpus: Path, result: IngestResult) -> None:
    again = ingest(Config(
        project="Format test",
        sources=[
            SourceConfig(path=Path("interviews"), type="interview", participants=Path("interviews/participants.csv")),
            SourceConfig(path=Path("data")),
        ],
        base_dir=corpus,
    ))
    assert list(again.segments["segment_id"]) == list(result.segments["segment_id"])
    assert list(again.documents["doc_id"]) == list(result.documents["doc_id"])
    assert again.reidentification == result.reidentification


def test_column_mapping_joins_text_columns_and_keeps_columns(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text(
        "ID,Headline,Review Text,Stars,Country,Email\n"
        "1,Sturdy,\"Survived two house moves without a scratch, very impressed.\",5,UK,ann@example.com\n",
        encoding="utf-8")
    config = Config(sources=[SourceConfig(
        path=Path("export.csv"), type="review",
        columns=ColumnMap(id="ID", text=["Headline", "Review Text"], rating="Stars", keep=["Country", "Email"]),
    )], base_dir=tmp_path)
    out = ingest(config)
    doc = out.documents.iloc[0]
    assert doc["doc_id"] == "1" and doc["text"].startswith("Sturdy. Survived two house moves")
    assert doc["Country"] == "UK" and doc["Email"] == "[EMAIL]"   # pass-through text is redacted too
    assert out.segments.iloc[0]["Email"] == "[EMAIL]"


def test_reidentification_map_is_written_only_when_asked(tmp_path: Path, result: IngestResult) -> None:
    path = write_reidentification_map(result, tmp_path / "private" / "reid.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "Dana" in data["pseudonyms"].values()
    assert "Dana" not in json.dumps(result.manifest)


def test_ids_are_made_unique_within_and_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(
        "id,text\n1,The sofa arrived two days early and looks great.\n"
        "1,The cushions are firmer than the photos suggest.\n1-2,Assembly took five minutes with no tools.\n",
        encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,text\n1,The rug sheds everywhere even after hoovering.\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("text\nThe mirror was cracked in the corner.\nThe frame is lovely.\n", encoding="utf-8")
    out = ingest(Config(sources=[SourceConfig(path=Path("."), type="review")], base_dir=tmp_path))
    ids = list(out.documents["doc_id"])
    assert ids[:4] == ["1", "1-2", "a-1-2", "b-1"]
    assert len(ids) == 6 and len(set(ids)) == 6          # records without an id get a stable hash
    assert all(len(i) == 12 for i in ids[4:])


def test_interviewer_inferred_when_no_label_says_so() -> None:
    from voc_synth.ingest.records import Turn
    from voc_synth.ingest.speakers import infer_interviewers, label_patterns

    turns = [Turn("Sarah", "How did you hear about us?", 1, 1), Turn("Dana", "A friend told me.", 2, 2),
             Turn("Sarah", "What happened next?", 3, 3), Turn("Dana", "I ordered a lamp.", 4, 4)]
    assert infer_interviewers(turns, label_patterns(None), []) == {"Sarah"}
    assert infer_interviewers(turns, label_patterns(None), ["Dana"]) == {"Dana"}   # the header says so
    renamed = [Turn("Researcher (Sam)" if t.speaker == "Sarah" else t.speaker, t.text, 1, 1) for t in turns]
    assert infer_interviewers(renamed, label_patterns(None), []) == {"Researcher (Sam)"}


@pytest.mark.parametrize("ext", [".csv", ".jsonl"])
def test_large_files_are_streamed_not_read_whole(tmp_path: Path, ext: str) -> None:
    import tracemalloc

    from voc_synth.ingest.readers import open_file

    path = tmp_path / f"big{ext}"
    line = "The delivery was late again and the box was damaged on arrival, very disappointing."
    with path.open("w", encoding="utf-8") as handle:
        if ext == ".csv":
            handle.write("id,text\n")
            handle.writelines(f'{i},"{line}"\n' for i in range(80_000))
        else:
            handle.writelines(json.dumps({"id": i, "text": line}) + "\n" for i in range(80_000))
    assert path.stat().st_size > 7_000_000
    tracemalloc.start()
    try:
        _info, stream = open_file(path, path.name, SourceConfig(path=path, type="review"), 0)
        first = [next(stream) for _ in range(10)]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first[0].own_id == "0" and first[9].locator in ("row 10", "line 10")
    assert peak < 2_000_000, f"reading 10 records held {peak} bytes: the file was not streamed"
    assert sum(1 for _ in stream) == 80_000 - 10
