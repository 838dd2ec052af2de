"""Bad input: a broken folder reconciles exactly with a reason for every skip, and the errors a
user can fix name the file, the column and the flag or config key to change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voc_synth.config import ColumnMap, Config, SourceConfig
from voc_synth.errors import InputError
from voc_synth.ingest import ingest

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _broken_folder(root: Path) -> Path:
    folder = root / "reviews"
    folder.mkdir()
    (folder / "screenshot.csv").write_bytes(PNG)                           # binary with a text extension
    (folder / "empty.csv").write_bytes(b"")                                # empty
    (folder / "noise.csv").write_bytes(b"id,text\n1,\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x00\x00")
    (folder / "legacy.xlsx").write_text("this is not a workbook", encoding="utf-8")  # renamed text file
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 fake")                   # unsupported format
    (folder / "utf16.csv").write_bytes(
        "id,text\nU1,\"The duvet is warm, soft and washes well – recommended\"\n".encode("utf-16"))
    (folder / "cp1252.csv").write_bytes(
        "id,text\nW1,\"Delivery cost £6 and took “ten working days” to arrive\"\n".encode("cp1252"))
    (folder / "chat.jsonl").write_text(
        json.dumps({"id": "J1", "text": "The courier left my parcel in the rain by the bins."}) + "\n"
        + '{"id": "J2", "text": "broken\n'                                  # malformed line 2
        + "\n"                                                             # blank line 3
        + json.dumps({"id": "J3", "text": "Refund arrived quickly once the return was scanned."}) + "\n"
        + json.dumps(["not", "an", "object"]) + "\n",                       # line 5
        encoding="utf-8")
    (folder / "rows.csv").write_text(
        "id,text,rating\n"
        "A1,The lamp shade arrived dented and the bulb holder was loose.,2\n"
        ",,\n"                                                             # empty row 2
        "A2,,4\n"                                                          # row 3: no text
        "A1,The lamp shade arrived dented and the bulb holder was loose.,2\n"   # the same record again
        "A4,\"THE lamp-shade arrived   dented, and the bulb holder was loose!!\",3\n"  # same words, another voice
        "\n"                                                               # blank row 6
        "A5,ok thanks,5\n"                                                 # a short answer
        "A6,Fits the bedside table perfectly and the light is warm.,5\n",
        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("broken")
    _broken_folder(root)
    config = Config(sources=[SourceConfig(path=Path("reviews"), type="review")], base_dir=root)
    return root, ingest(config).manifest


def test_broken_folder_reconciles_exactly(broken: tuple[Path, dict]) -> None:
    _, manifest = broken
    assert manifest["reconciles"] is True
    for entry in manifest["files"]:
        assert entry["records_in"] == entry["records_ingested"] + entry["records_skipped"], entry
        assert sum(entry["skipped_by_reason"].values()) == entry["records_skipped"]
    totals = manifest["totals"]
    assert totals["records_in"] == totals["records_ingested"] + totals["records_skipped"]
    assert totals["records_in"] == sum(f["records_in"] for f in manifest["files"])
    assert totals["files"] == 9 == len(manifest["files"])
    assert len(manifest["skipped_records"]) == totals["records_skipped"]
    json.dumps(manifest)  # JSON-safe


def test_every_skip_has_a_reason(broken: tuple[Path, dict]) -> None:
    _, manifest = broken
    files = {Path(f["path"]).name: f for f in manifest["files"]}
    expected_file_skips = {"screenshot.csv": "binary", "empty.csv": "empty", "noise.csv": "binary",
                           "legacy.xlsx": "not a .xlsx", "notes.pdf": "unsupported format"}
    for name, words in expected_file_skips.items():
        assert files[name]["status"] == "skipped", files[name]
        assert words in files[name]["reason"], files[name]
    for record in manifest["skipped_records"]:
        assert record["reason"] and record["kind"] and record["record"], record


def test_encodings_are_read_not_skipped(broken: tuple[Path, dict]) -> None:
    _, manifest = broken
    files = {Path(f["path"]).name: f for f in manifest["files"]}
    assert files["utf16.csv"]["status"] == "ingested" and files["utf16.csv"]["encoding"] == "utf-16"
    assert files["cp1252.csv"]["status"] == "ingested" and files["cp1252.csv"]["encoding"] == "cp1252"


def test_malformed_lines_empty_rows_and_duplicates_are_accounted(broken: tuple[Path, dict]) -> None:
    _, manifest = broken
    skipped = {(Path(s["file"]).name, s["record"]): s for s in manifest["skipped_records"]}
    assert skipped[("chat.jsonl", "line 2")]["kind"] == "malformed"
    assert "malformed line 2" in skipped[("chat.jsonl", "line 2")]["reason"]
    assert skipped[("chat.jsonl", "line 3")]["kind"] == "empty"
    assert skipped[("chat.jsonl", "line 5")]["kind"] == "malformed"
    files = {Path(f["path"]).name: f for f in manifest["files"]}
    assert files["chat.jsonl"]["records_in"] == 5 and files["chat.jsonl"]["records_ingested"] == 2
    rows = files["rows.csv"]
    assert rows["records_in"] == 8 and rows["records_ingested"] == 4
    assert rows["skipped_by_reason"] == {"duplicate": 1, "empty": 2, "no text": 1}
    assert skipped[("rows.csv", "A1-2")]["duplicate_of"] == "A1"
    assert "same record" in skipped[("rows.csv", "A1-2")]["reason"]
    assert ("rows.csv", "A4") not in skipped  # the same words under another id: another voice
    assert skipped[("rows.csv", "row 2")]["kind"] == "empty"
    assert skipped[("rows.csv", "A2")]["kind"] == "no text"
    assert ("rows.csv", "A5") not in skipped  # "ok thanks": a short answer, kept for sentiment
    assert rows["segments_not_themed"] == 1
    assert manifest["totals"]["skipped_by_reason"]["duplicate"] == 1


def test_strict_mode_raises_listing_the_problems(broken: tuple[Path, dict]) -> None:
    root, _ = broken
    config = Config(sources=[SourceConfig(path=Path("reviews"), type="review")], base_dir=root)
    with pytest.raises(InputError) as err:
        ingest(config, strict=True)
    message = str(err.value)
    assert "screenshot.csv" in message and "binary" in message
    assert "malformed line 2" in message and "notes.pdf" in message


def test_missing_column_names_file_column_suggestion_and_fix(tmp_path: Path) -> None:
    (tmp_path / "reviews.csv").write_text("ID,Review Text,Stars\n1,Great kettle that boils fast.,5\n", encoding="utf-8")
    config = Config(sources=[SourceConfig(path=Path("reviews.csv"), type="review",
                                          columns=ColumnMap(id="ID", text=["Review Txt"]))], base_dir=tmp_path)
    with pytest.raises(InputError) as err:
        ingest(config)
    message = str(err.value)
    assert "reviews.csv" in message and "'Review Txt'" in message
    assert "Did you mean 'Review Text'?" in message
    assert "'ID', 'Review Text', 'Stars'" in message
    assert "--text-column" in message and "sources[0].columns.text" in message


def test_missing_rating_column_names_its_own_flag(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("id,body,score\n1,Solid and well made chopping board.,5\n", encoding="utf-8")
    config = Config(sources=[SourceConfig(path=Path("r.csv"), columns=ColumnMap(text=["body"], rating="rating"))],
                    base_dir=tmp_path)
    with pytest.raises(InputError, match=r"--rating-column.*sources\[0\]\.columns\.rating"):
        ingest(config)


def test_empty_folder_and_missing_path_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    with pytest.raises(InputError, match="has no files"):
        ingest(Config(sources=[SourceConfig(path=Path("nothing"))], base_dir=tmp_path))
    with pytest.raises(InputError, match="does not exist"):
        ingest(Config(sources=[SourceConfig(path=Path("nowhere.csv"))], base_dir=tmp_path))
    with pytest.raises(InputError, match="No sources"):
        ingest(Config(base_dir=tmp_path))


def test_zero_usable_segments_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "answers.csv").write_text("id,comment\n1,n/a\n2,-\n3,none\n", encoding="utf-8")
    with pytest.raises(InputError, match="No usable segments") as err:
        ingest(Config(sources=[SourceConfig(path=Path("answers.csv"), type="survey")], base_dir=tmp_path))
    assert "no text" in str(err.value)


def test_unrecognised_headers_skip_the_file_with_how_to_map(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("col1,col2\nx,y\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,comment\n1,The sofa cushions flattened within a month.\n", encoding="utf-8")
    out = ingest(Config(sources=[SourceConfig(path=Path("."), type="survey")], base_dir=tmp_path))
    files = {Path(f["path"]).name: f for f in out.manifest["files"]}
    assert files["a.csv"]["status"] == "skipped"
    assert "--text-column" in files["a.csv"]["reason"] and "'col1'" in files["a.csv"]["reason"]
    assert len(out.documents) == 1
