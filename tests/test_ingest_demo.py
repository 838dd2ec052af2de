"""Ingest on the demo corpus (`corpora/demo_shop`), checked against its ANSWER_KEY.yaml:
the manifest reconciles, no planted personal data survives, interviewer turns are context not
segments, duplicates are found, ids are stable across runs, and it is quick."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from voc_synth.config import load_config
from voc_synth.ingest import IngestResult, ingest

DEMO = Path(__file__).resolve().parent.parent / "corpora" / "demo_shop"
pytestmark = pytest.mark.skipif(not (DEMO / "ANSWER_KEY.yaml").is_file(), reason="demo corpus not generated")


@pytest.fixture(scope="module")
def key() -> dict:
    return yaml.safe_load((DEMO / "ANSWER_KEY.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo() -> tuple[IngestResult, float]:
    started = time.perf_counter()
    result = ingest(load_config(DEMO))
    return result, time.perf_counter() - started


def test_manifest_reconciles_per_file_and_in_total(demo: tuple[IngestResult, float]) -> None:
    manifest = demo[0].manifest
    assert manifest["reconciles"] is True
    for entry in manifest["files"]:
        assert entry["records_in"] == entry["records_ingested"] + entry["records_skipped"], entry["path"]
        assert entry["status"] == "ingested", entry
    totals = manifest["totals"]
    assert totals["records_in"] == totals["records_ingested"] + totals["records_skipped"]
    assert totals["records_in"] == sum(f["records_in"] for f in manifest["files"])
    assert totals["records_skipped"] == len(manifest["skipped_records"])
    assert totals["documents"] == len(demo[0].documents) and totals["segments"] == len(demo[0].segments)
    json.dumps(manifest)


def test_no_planted_personal_data_anywhere(demo: tuple[IngestResult, float], key: dict) -> None:
    result = demo[0]
    columns = [(frame, col) for frame in (result.documents, result.segments)
               for col in frame.columns if frame[col].dtype == object]
    blob = "\n".join("\n".join(frame[col].astype(str)) for frame, col in columns)
    blob += json.dumps(result.manifest)
    leaks = [item["value"] for item in key["pii"]
             if re.search(r"(?<![\w.])" + re.escape(str(item["value"])) + r"(?![\w])", blob)]
    assert len(key["pii"]) > 100
    assert not leaks, leaks[:20]


def test_interviewer_turns_are_questions_not_segments(demo: tuple[IngestResult, float], key: dict) -> None:
    segments = demo[0].segments
    interviews = segments[segments["source_type"] == "interview"]
    assert not interviews["speaker"].str.contains("Interviewer|Moderator|^Q$", regex=True).any()
    raw = (DEMO / "interviews" / "P01_call.txt").read_text(encoding="utf-8")
    asked = {m.group(1).strip() for m in re.finditer(r"\] Interviewer: (.*)", raw)}
    p01 = interviews[interviews["doc_id"] == "P01"]
    assert not set(p01["text"]) & asked
    # The question is the asking part of an interviewer turn, word for word.
    assert all(any(q in a for a in asked) for q in set(p01["question"])) and len(set(p01["question"])) >= 5
    assert (interviews["question"] != "").mean() > 0.95
    # Every participant turn the answer key names is a segment with that turn number.
    have = set(zip(interviews["doc_id"], interviews["turn"].astype(int), strict=True))
    named = [t for theme in key["themes"] for t in theme.get("interview_turns", [])]
    missing = [t for t in named if (t.split(":")[0], int(t.split(":")[1])) not in have]
    assert named and not missing, missing[:10]
    # Turn numbering counts every speaker turn (interviewer included), as the key does.
    documents = demo[0].documents.set_index("doc_id")
    for participant in key["participants"]:
        assert documents.loc[participant["id"], "text"].count("\n\n") + 1 == participant["turns"], participant


def test_duplicates_and_noise_match_the_answer_key(demo: tuple[IngestResult, float], key: dict) -> None:
    manifest = demo[0].manifest
    found = {s["record"]: s.get("duplicate_of") for s in manifest["skipped_records"] if s["kind"] == "duplicate"}
    noise = key["noise"]
    for record, original in {**noise["duplicate_of"], **noise["near_duplicate_of"]}.items():
        assert found.get(record) == original, record
    skipped = {s["record"]: s for s in manifest["skipped_records"]}
    for record in noise["empty"]:
        assert record in skipped, record
    # Staff tests ("TEST please ignore") are set aside as such, and nothing a customer wrote is.
    tests = {r for r, s in skipped.items() if s["kind"] == "test entry"}
    assert len(tests) >= 2 and tests <= set(noise["off_topic"]), tests
    # "👍", "ok", "good" are customers' answers: kept for sentiment and totals, not themed.
    not_themed = {s["segment_id"].rsplit(":", 1)[0] for s in manifest["segments_not_themed"]}
    for record in noise["emoji_or_ok"]:
        assert record not in skipped and record in not_themed, record
    for malformed in noise["malformed_lines"]:
        entry = skipped[f"line {malformed['line']}"]
        assert entry["file"] == malformed["file"] and entry["kind"] == "malformed"


def test_fast_and_ids_identical_across_runs(demo: tuple[IngestResult, float], tmp_path: Path) -> None:
    result, seconds = demo
    assert seconds < 60, f"ingesting the demo corpus took {seconds:.1f}s"
    # A second run in a fresh interpreter with different hash randomisation.
    out = tmp_path / "ids.json"
    script = (
        "import json, sys\n"
        "from voc_synth.config import load_config\n"
        "from voc_synth.ingest import ingest\n"
        f"r = ingest(load_config({str(DEMO)!r}))\n"
        "json.dump({'docs': list(r.documents['doc_id']), 'segs': list(r.segments['segment_id']),\n"
        "           'text': list(r.segments['text'])}, open(sys.argv[1], 'w'))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env, timeout=300)
    second = json.loads(out.read_text())
    assert second["docs"] == list(result.documents["doc_id"])
    assert second["segs"] == list(result.segments["segment_id"])
    assert second["text"] == list(result.segments["text"])
