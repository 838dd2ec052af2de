"""Zero-config runs: a folder without voc_synth.yaml has its sources decided from its files, the
decision is explained and written as an editable voc_synth.yaml, and what cannot be decided
stops with a clear message. The messy folder (broken and hostile files) ingests without a
traceback, every record accounted for, no personal data in the records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from voc_synth.cli import app
from voc_synth.config import load_config
from voc_synth.ingest import ingest
from voc_synth.ingest.autoconfig import AmbiguousFolder, discover_sources, write_config_file

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8

INTERVIEW = """Interviewer: Thanks for joining. How did the first delivery go?
Participant: Honestly the parcel came two days late and nobody told me why.
Interviewer: What did you do then?
Participant: I rang support, waited forty minutes, and the agent just read from a script.
Participant: In the end I found the tracking page myself, buried under the account menu.
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Moderator>Can you walk me through the checkout?

00:00:05.500 --> 00:00:12.000
<v Dana>The coupon box rejected my code twice, then took it when I typed it slowly.
"""


def messy_folder(root: Path) -> Path:
    """Broken and hostile files, as a new user's folder of exports really looks. All text here
    is made up for these tests; the personal data (names, emails, phone numbers) is fictional."""
    folder = root / "messy"
    (folder / "interviews").mkdir(parents=True)
    (folder / "interviews" / "call_one.txt").write_text(INTERVIEW, encoding="utf-8")
    (folder / "interviews" / "session_two.vtt").write_text(VTT, encoding="utf-8")
    (folder / "interviews" / "empty.txt").write_bytes(b"")
    (folder / "tickets_export.csv").write_text(
        "Ticket ID,Subject,Description,Priority,Requester,Created At\n"
        "T-1,Refund missing,\"I returned the blender on the 3rd and still no refund. Call me on 07700 900123.\",high,"
        "jo.bloggs@example.com,2024-03-02\n"
        "T-2,\"=HYPERLINK(\"\"http://evil.example/x\"\",\"\"click\"\")\",\"The formula above is not mine; the form "
        "mangled my message about the broken lid.\",low,sam@example.org,2024-03-03\n"
        "T-3,Script,\"<script>alert('x')</script> The chat widget froze whenever I attached a photo.\",normal,"
        "Alex Murphy,2024-03-04\n"
        "T-4,Ragged,too,many,fields,here,and,more\n",
        encoding="utf-8")
    (folder / "reviews.json").write_text(json.dumps({"reviews": [
        {"id": "R1", "stars": 2, "review": "Pretty jug, but the handle cracked in the dishwasher after a week."},
        {"id": "R2", "stars": 5, "review": "Arrived early, well packed, exactly as pictured on the site."},
        {"id": "R3", "stars": 1, "review": ""},
    ]}), encoding="utf-8")
    (folder / "nps_q1.csv").write_bytes(
        "response_id;score;comment\nS1;3;Le service client ne répond jamais aux courriels.\n"
        "S2;9;Great range, and the size guide was spot on this time.\n".encode("cp1252"))
    (folder / "mysql_dump.csv").write_text(
        'id,rating,review_text\n'
        'M1,2,"The box said \\"ready to use\\", but it needed three hours of charging."\n'
        'M2,4,"Comfortable straps, slightly short for tall people."\n', encoding="utf-8")
    (folder / "photo.csv").write_bytes(PNG)                 # binary renamed as .csv
    (folder / "blank.jsonl").write_bytes(b"")               # empty
    (folder / "utf16_reviews.tsv").write_bytes(
        "id\trating\treview\nU1\t3\tThe lamp flickers when the fridge starts up.\n".encode("utf-16"))
    (folder / "broken.xlsx").write_text("not really a workbook", encoding="utf-8")
    (folder / "slides.pdf").write_bytes(b"%PDF-1.4 nothing useful")
    (folder / "notes.md").write_text("Participant: Checkout was fine, but I never got the confirmation email.\n",
                                     encoding="utf-8")
    return folder


def test_demo_like_folder_is_discovered_with_reasons(tmp_path: Path) -> None:
    folder = messy_folder(tmp_path)
    auto = discover_sources(folder)
    assert not auto.ambiguous, auto.explain()
    by_path = {d.path: d for d in auto.decisions}
    assert by_path["tickets_export.csv"].kind == "ticket"
    assert by_path["tickets_export.csv"].columns["text"] == ["Subject", "Description"]
    assert by_path["nps_q1.csv"].kind == "survey"
    assert by_path["mysql_dump.csv"].kind == "review"
    assert by_path["mysql_dump.csv"].columns["text"] == ["review_text"]
    assert by_path["reviews.json"].kind == "review"
    assert by_path["interviews"].kind == "interview"
    assert by_path["photo.csv"].kind == "unreadable"
    assert by_path["slides.pdf"].kind == "unsupported"
    explained = auto.explain()
    assert "tickets_export.csv: ticket" in explained and "zendesk" in explained


def test_written_yaml_loads_and_matches(tmp_path: Path) -> None:
    folder = messy_folder(tmp_path)
    auto = discover_sources(folder)
    written = write_config_file(auto, folder)
    assert written == folder / "voc_synth.yaml"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# Written by voc_synth")
    config = load_config(folder)
    assert [s.path for s in config.sources] == [s.path for s in auto.sources]
    with pytest.raises(Exception, match="already exists"):
        write_config_file(auto, folder)
    # Written elsewhere (beside a run), the paths still reach the same files.
    other = tmp_path / "runs" / "latest"
    other.mkdir(parents=True)
    moved = write_config_file(auto, other)
    moved_config = load_config(moved)
    assert [moved_config.resolve(s.path).resolve() for s in moved_config.sources] == \
        [config.resolve(s.path).resolve() for s in config.sources]


def test_messy_folder_ingests_with_every_record_accounted_for(tmp_path: Path) -> None:
    folder = messy_folder(tmp_path)
    config = discover_sources(folder).config()
    result = ingest(config)
    manifest = result.manifest
    totals = manifest["totals"]
    assert totals["records_in"] == totals["records_ingested"] + totals["records_skipped"]
    listed = {f["path"] for f in manifest["files"]}
    for name in ("photo.csv", "blank.jsonl", "broken.xlsx", "slides.pdf", "interviews/empty.txt"):
        assert name in listed, name
    ids = set(result.documents["doc_id"].astype(str))
    assert {"T-1", "T-2", "T-3", "R1", "R2", "M1", "M2", "S2", "U1"} <= ids
    survey = next(f for f in manifest["files"] if f["path"] == "nps_q1.csv")
    assert survey["skipped_by_reason"] == {"not English": 1}  # S1, in French: skipped, with its reason
    tickets = next(f for f in manifest["files"] if f["path"] == "tickets_export.csv")
    assert tickets["skipped_by_reason"] == {"malformed": 1}  # T-4, the ragged row
    text = " ".join(result.segments["text"])
    for secret in ("07700 900123", "jo.bloggs@example.com", "sam@example.org", "Alex Murphy", "Dana"):
        assert secret not in text, secret
    assert 'said "ready to use"' in " ".join(result.documents.get("text", result.segments["text"]))


def test_ambiguous_table_stops_with_a_clear_message(tmp_path: Path) -> None:
    folder = tmp_path / "unclear"
    folder.mkdir()
    (folder / "export.csv").write_text(
        "id,notes,remarks\n"
        "1,The delivery driver was polite and careful with the boxes,The invoice was wrong twice over and needed fixing\n"
        "2,Would buy the same chair again without a second thought at all,Support closed my ticket without replying to me\n",
        encoding="utf-8")
    auto = discover_sources(folder)
    assert auto.ambiguous
    questions = {a.field for a in auto.ambiguities}
    assert questions == {"text", "type"}
    with pytest.raises(AmbiguousFolder) as err:
        auto.config()
    message = str(err.value)
    assert "export.csv" in message and "which column" in message and "type: review" in message
    # init writes the file with CHOOSE placeholders a run refuses until they are settled.
    result = CliRunner().invoke(app, ["init", str(folder)])
    assert result.exit_code == 2
    data = yaml.safe_load((folder / "voc_synth.yaml").read_text(encoding="utf-8"))
    entry = data["sources"][0]
    assert entry["type"].startswith("CHOOSE")
    assert entry["columns"]["text"][0].startswith("CHOOSE")


def test_run_without_config_stops_on_ambiguity(tmp_path: Path) -> None:
    folder = tmp_path / "unclear"
    folder.mkdir()
    (folder / "data.csv").write_text("id,comment\n1,The hinge squeaks every time the door opens\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(folder), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2  # a config decision is needed: the usage/config exit code
    assert "Traceback" not in result.output
    assert not (tmp_path / "run").exists()


def test_init_writes_the_same_decision(tmp_path: Path) -> None:
    folder = messy_folder(tmp_path)
    result = CliRunner().invoke(app, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "voc_synth.yaml").is_file()
    assert load_config(folder).sources == discover_sources(folder).config().sources
