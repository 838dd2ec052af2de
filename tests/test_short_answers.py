"""Every answer counts: short answers in a post-contact survey export ("good", "5/5", "👍")
count toward sentiment, stage emotion and totals, are listed in the manifest as not themed, and
the same words from different customers are different voices — only the same record read twice
is a duplicate. Interview small talk is still left out.

The export below is written for these tests, in the shape a contact-centre survey tool writes.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from voc_synth.config import ColumnMap, Config, SourceConfig
from voc_synth.errors import ConfigError
from voc_synth.evidence import corpus_totals
from voc_synth.ingest import ingest
from voc_synth.sentiment.short_answers import read_emoji, read_scale, short_answer_scores
from voc_synth.stages import load_framework, place_short_answers
from voc_synth.tables import SHORT_ANSWER_NOTE, count_short_answers, count_unthemed

HEADER = ["Response ID", "Customer ID", "Contacted On", "Score", "Comment"]
# (comment, score) — what customers typed after a support contact.
SHORT = [
    ("good", 5), ("Good", 4), ("good", 5), ("GOOD!", 5), ("good", 4), ("very good", 5), ("Very good", 5),
    ("very good.", 5), ("nice", 4), ("Excellent", 5), ("excellent service", 5), ("5", 5), ("5", 5),
    ("5/5", 5), ("10/10", 5), ("👍", 5), ("👍👍", 5), ("😡", 1), ("bad service", 1), ("very bad", 1),
    ("Very bad", 2), ("poor", 2), ("1/5", 1), ("useless", 1), ("ok", 3), ("8", ""),
]
LONGER = [
    ("The advisor called me back within the hour and fixed the billing mistake.", 5),
    ("I waited forty minutes on hold before anyone picked up the phone.", 1),
    ("The chat agent kept sending me the same help article instead of reading my question.", 2),
    ("She explained the warranty clearly and booked the engineer for Tuesday.", 5),
    ("Nobody told me the case had been closed, I found out from an automatic email.", 1),
    ("My refund was approved on the call and arrived two days later.", 5),
    ("I had to repeat my account details to three different people.", 1),
    ("Very patient with me even though I was frustrated about the late parcel.", 4),
]


def _write_export(folder: Path) -> Path:
    rows = []
    for i, (comment, score) in enumerate(SHORT + LONGER, start=1):
        rows.append([f"PC-{i:04d}", f"CU-{500 + i}", f"2026-03-{1 + i % 20:02d}", score, comment])
    rows.append(["PC-9001", "CU-9001", "2026-03-21", 3, "n/a"])       # no answer
    rows.append(list(rows[0]))                                         # the same response exported twice
    path = folder / "post_contact_survey.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _config(folder: Path, **source: object) -> Config:
    columns = ColumnMap(id="Response ID", text=["Comment"], customer="Customer ID", date="Contacted On", rating="Score")
    return Config(sources=[SourceConfig(path=Path("post_contact_survey.csv"), type="survey", columns=columns, **source)],
                  rating_scales={"survey": (1, 5)}, base_dir=folder)


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("post_contact")
    _write_export(folder)
    return folder, ingest(_config(folder))


def test_short_answers_are_records_with_one_unthemed_segment(survey) -> None:
    _, result = survey
    docs, segments = result.documents, result.segments
    assert len(docs) == len(SHORT) + len(LONGER)  # every answer but "n/a" and the repeated row
    short = segments[segments["theme_note"] == SHORT_ANSWER_NOTE]
    assert sorted(short["text"]) == sorted(text for text, _ in SHORT)
    assert (segments.loc[segments["theme_note"] == "", "text"].isin([t for t, _ in LONGER])).all()
    # Each short answer is its record's whole text, traceable like any segment.
    for _, seg in short.iterrows():
        record = docs.set_index("doc_id").loc[seg["doc_id"]]
        assert seg["text"] == record["text"][seg["char_start"]:seg["char_end"]]
        assert record["n_segments"] == 1
    assert count_short_answers(segments) == len(SHORT) and count_unthemed(segments) == 0


def test_manifest_lists_short_answers_as_not_themed_and_reconciles(survey) -> None:
    _, result = survey
    manifest = result.manifest
    assert manifest["reconciles"] is True
    totals = manifest["totals"]
    assert totals["records_ingested"] == len(SHORT) + len(LONGER)
    assert totals["skipped_by_reason"] == {"duplicate": 1, "no text": 1}
    assert totals["segments_not_themed"] == len(SHORT) == len(manifest["segments_not_themed"])
    listed = manifest["segments_not_themed"][0]
    assert listed["reason"] == SHORT_ANSWER_NOTE and listed["locator"].startswith("row ")
    assert "sentiment" in manifest["not_themed_note"] and "themes" in manifest["not_themed_note"]
    assert "filler" not in totals["skipped_by_reason"] and "too short" not in totals["skipped_by_reason"]


def test_same_words_from_different_customers_are_kept_and_the_true_duplicate_is_not(survey) -> None:
    _, result = survey
    texts = result.segments["text"].tolist()
    assert texts.count("good") == 3 and texts.count("5") == 2  # three customers, three voices
    skipped = [s for s in result.manifest["skipped_records"] if s["kind"] == "duplicate"]
    assert len(skipped) == 1
    assert skipped[0]["duplicate_of"] == "PC-0001" and "same record" in skipped[0]["reason"]


def test_overlapping_exports_count_an_identical_row_once(tmp_path: Path) -> None:
    # Two exports without an id column that overlap on 2 March; each also holds its own days.
    header = "Contacted On,Comment\n"
    (tmp_path / "week1.csv").write_text(header + "2026-03-01,good\n2026-03-02,very good\n2026-03-02,good\n",
                                        encoding="utf-8")
    (tmp_path / "week2.csv").write_text(header + "2026-03-02,very good\n2026-03-02,good\n2026-03-02,good\n"
                                        "2026-03-03,good\n", encoding="utf-8")
    (tmp_path / "no_dates.csv").write_text("Comment\ngood\ngood\n", encoding="utf-8")
    columns = ColumnMap(text=["Comment"], date="Contacted On")
    config = Config(sources=[SourceConfig(path=Path("week1.csv"), type="survey", columns=columns),
                             SourceConfig(path=Path("week2.csv"), type="survey", columns=columns),
                             SourceConfig(path=Path("no_dates.csv"), type="survey", columns=ColumnMap(text=["Comment"]))],
                    base_dir=tmp_path)
    result = ingest(config)
    files = {f["path"]: f for f in result.manifest["files"]}
    # week2's first "very good" and first "good" of 2 March are week1's rows again; its second
    # "good" that day is one more answer than week1 holds, so it is kept, as is 3 March.
    assert files["week2.csv"]["records_ingested"] == 2 and files["week2.csv"]["skipped_by_reason"] == {"duplicate": 2}
    reasons = [s["reason"] for s in result.manifest["skipped_records"]]
    assert all("identical row in week1.csv" in r for r in reasons)
    # Nothing says when or who: two bare "good"s are two answers, in any file.
    assert files["no_dates.csv"]["records_ingested"] == 2


def test_same_customer_same_short_answer_on_two_days_is_two_answers(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,customer,date,comment\n1,C1,2026-03-01,good\n2,C1,2026-03-09,good\n"
                                    "3,C1,2026-03-09,good\n", encoding="utf-8")
    columns = ColumnMap(id="id", text=["comment"], customer="customer", date="date")
    result = ingest(Config(sources=[SourceConfig(path=Path("a.csv"), type="survey", columns=columns)], base_dir=tmp_path))
    assert list(result.documents["doc_id"]) == ["1", "2"]  # 3 repeats 2: same customer, same day, same words
    assert "same customer" in result.manifest["skipped_records"][0]["reason"]


def test_interview_small_talk_is_still_left_out(tmp_path: Path) -> None:
    (tmp_path / "P01.txt").write_text(
        "Interviewer: Can you hear me okay?\n"
        "P01: Yes, I can hear you fine.\n"
        "Interviewer: Tell me about the last time you contacted support.\n"
        "P01: I rang about a broken blender and the agent sent a replacement the same day.\n"
        "Interviewer: Great. Anything else?\n"
        "P01: Good.\n"
        "Interviewer: Thanks so much for your time.\n"
        "P01: Thanks, bye!\n",
        encoding="utf-8")
    result = ingest(Config(sources=[SourceConfig(path=Path("P01.txt"), type="interview")], base_dir=tmp_path))
    assert list(result.segments["text"]) == ["I rang about a broken blender and the agent sent a replacement the same day."]
    assert (result.segments["theme_note"] == "").all()
    assert result.manifest["segments_not_themed"] == []
    assert sum(result.manifest["segment_drops"].values()) == 3


@pytest.mark.parametrize(("text", "scale", "expected"), [
    ("5/5", "", 1.0), ("4 out of 5", "", 0.5), ("1/5", "", -1.0), ("9/10", "", 0.8), ("10/10!", "", 1.0),
    ("3 stars", "", 0.0), ("★★★★☆", "", 0.5), ("5", "1-5", 1.0), ("1", "1-5", -1.0), ("5", "0-10", 0.0),
])
def test_ratings_typed_as_answers_are_read_on_their_scale(text: str, scale: str, expected: float) -> None:
    assert read_scale(text, scale) == pytest.approx(expected)


def test_bare_numbers_without_a_scale_count_without_sentiment_and_words_go_to_the_model() -> None:
    assert math.isnan(read_scale("5"))       # top of 1-5 or middle of 0-10: not guessed
    assert read_scale("good") is None and read_scale("2 days late") is None
    assert read_emoji("👍") > 0.5 and read_emoji("👍🏽👍🏽") > 0.5 and read_emoji("😡!!") < -0.5
    assert read_emoji("👍 good") is None     # words: the backend reads them
    scores, known = short_answer_scores(["5", "5", "👎", "fine by me"], ["1-5", "", "", ""])
    assert list(known) == [True, True, True, False]
    assert scores[0] == 1.0 and np.isnan(scores[1]) and scores[2] < 0


def test_short_answers_are_placed_by_their_words_source_or_file() -> None:
    framework = load_framework("ecommerce")
    answers = pd.DataFrame({"text": ["fast delivery", "very good", "very good", "5/5"],
                            "source_file": ["a.csv", "a.csv", "b.csv", "c.csv"]})
    placed = pd.DataFrame({"source_file": ["b.csv"] * 12 + ["c.csv"] * 12,
                           "stage": ["use_support"] * 9 + ["delivery"] * 3 + ["delivery", "returns"] * 6})
    result = place_short_answers(answers, framework, placed=placed, source_stages={"a.csv": "use_support"})
    assert list(result.stages["stage"]) == ["delivery", "use_support", "use_support", "unmapped"]
    assert list(result.how) == ["own words", "source", "file", ""]
    assert result.stages["stage_confidence"].iloc[2] == pytest.approx(0.75)
    assert result.summary()["placed_by"] == {"own words": 1, "source": 1, "file": 1, "not placed": 1}
    with pytest.raises(ConfigError, match="not a stage"):
        place_short_answers(answers, framework, source_stages={"a.csv": "aftercare"})


def test_a_run_counts_short_answers_in_sentiment_stage_emotion_and_totals(tmp_path: Path) -> None:
    from voc_synth.pipeline import synthesize

    _write_export(tmp_path)
    config = _config(tmp_path, stage="use_support")
    config = config.model_copy(update={"embedding": config.embedding.model_copy(update={"cache_dir": tmp_path / "cache"})})
    synthesis = synthesize(config)
    seg = synthesis.segments
    short = seg[seg["theme_note"] == SHORT_ANSWER_NOTE].set_index("text")
    assert len(short) == len(SHORT)
    assert (short["theme_id"] == -1).all() and (short["theme_label"] == SHORT_ANSWER_NOTE).all()
    for text in ("good", "very good", "Excellent", "5/5", "10/10", "👍", "👍👍"):
        assert (short.loc[[text], "sentiment_label"] == "positive").all(), text
    for text in ("very bad", "bad service", "😡", "1/5", "useless"):
        assert (short.loc[[text], "sentiment_label"] == "negative").all(), text
    assert (short.loc[["5"], "sentiment"] == 1.0).all()  # the survey's 1-5 scale says what "5" means
    assert np.isnan(short.loc["8", "sentiment"])  # no score, and 8 is off the 1-5 scale: counted, not guessed
    # The source is a post-contact survey: its short answers count toward the support stage.
    assert (short["stage"] == "use_support").all()
    stages = synthesis.stages.set_index("stage_id")
    assert stages.loc["use_support", "n_documents"] >= len(SHORT)
    assert synthesis.meta["short_answer_segments"] == len(SHORT) and synthesis.meta["unthemed_segments"] <= len(LONGER)
    # "excellent service" and "bad service" name the stage themselves; the rest take their source's.
    assert synthesis.meta["short_answers"]["placed_by"] == {"source": len(SHORT) - 2, "own words": 2}
    assert synthesis.summary()["short_answer_segments"] == len(SHORT)
    # No theme holds a short answer; prevalence is out of every answer, short ones included.
    assert not set(short["segment_id"]) & set(seg.loc[seg["theme_id"] >= 0, "segment_id"])
    assert corpus_totals(synthesis.documents)["survey"]["records"] == len(SHORT) + len(LONGER)
    for per_type in synthesis.themes["prevalence"]:
        assert per_type["survey"]["of_records"] == len(SHORT) + len(LONGER)
    # Every output is written, and the run's JSON follows its schema, answers without a score included.
    import json

    import jsonschema

    from voc_synth.run_folder import write_run

    out = write_run(synthesis, tmp_path / "run")
    schema = json.loads((Path(__file__).parent.parent / "src/voc_synth/schema/synthesis.schema.json").read_text())
    jsonschema.validate(json.loads((out / "synthesis.json").read_text(encoding="utf-8")), schema)
    assert "short answers" in (out / "report.md").read_text(encoding="utf-8")
