"""Speech is not text: clean verbatim, small talk, interrupted answers, interviewer detection,
per-segment language — on transcripts written here in the shape real exports have."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc_synth.config import Config, SourceConfig
from voc_synth.ingest import ingest
from voc_synth.ingest.records import RawRecord, Record, Turn
from voc_synth.ingest.speakers import explain_interviewers, label_patterns, recurring_speakers
from voc_synth.ingest.speech import clean_verbatim, is_small_talk, join_interrupted_turns


@pytest.mark.parametrize(("spoken", "clean"), [
    ("Um, so I- I think the the app was, uh, fine.", "So I think the app was fine."),
    ("The re- the refund never came.", "The refund never came."),
    ("Uh-huh, yeah. The the courier left it, erm, outside.", "Yeah. The courier left it outside."),
    ("We had had enough of it by then.", "We had had enough of it by then."),     # grammatical repeat
    ("It was a well-known brand - really good.", "It was a well-known brand - really good."),
    ("It was, it was honestly the worst week.", "It was honestly the worst week."),
    ("The app [inaudible] crashed twice [laughs] and [NAME] gave up.", "The app crashed twice and [NAME] gave up."),
    ("So the, the [overlapping speech] login page.", "So the login page."),
    # An observer's note inside a think-aloud line is not what the participant said.
    ("Right, the filters... (The participant scrolls down to the price slider)... okay, found it.",
     "Right, the filters... Okay, found it."),
    ("I'd pick this one [moderator points at the blue plan] because it's cheaper.",
     "I'd pick this one because it's cheaper."),
    # A parenthesis the speaker said stays.
    ("The second box (the one with the dent) was fine.", "The second box (the one with the dent) was fine."),
    ("Ask the user (if there is one) first.", "Ask the user (if there is one) first."),
    ("The app (users hate the new menu) kept crashing.", "The app (users hate the new menu) kept crashing."),
    ("So I click save (the user clicks the wrong button) oh no.", "So I click save oh no."),
])
def test_clean_verbatim_removes_only_the_noise_of_speech(spoken: str, clean: str) -> None:
    assert clean_verbatim(spoken) == clean
    assert clean_verbatim(clean) == clean          # idempotent


@pytest.mark.parametrize("text", [
    "Can you hear me okay?", "Cool, perfect, thanks so much for your time, [NAME].",
    "Good luck with the rest of the project!", "This meeting is being recorded.", "Okay, bye bye!",
    "Sorry, give me one second, let me share my screen.", "You're on mute, I think.",
    "Okay, sounds good.", "You too. I'm ready whenever you are.", "Give me like two minutes and I'll be right back.",
    "No, I think I've said it all. Good luck with it all.", "Sorry, I've completely lost my train of thought.",
    # A think-aloud session's own steps.
    "Okay, so task completed for task one.", "Do I go to task 5?", "Right, so I have now finished task 4.",
    "I think the sub task is done, so on to the next task.",
])
def test_small_talk_is_recognised(text: str) -> None:
    assert is_small_talk(text)


@pytest.mark.parametrize("text", [
    "Thanks, the delivery was fine though, it came a day early.",
    "I stopped recording my expenses in the app after the update.",
    "Nice to meet you too. I run a small bakery and we order flour every week.",
    "The screen on the kiosk froze every time I tried to pay.",
    "The task was confusing, I had to read it three times before I found the export button.",
    "So the task is done but I never understood what the event window meant.",
])
def test_substance_is_not_small_talk(text: str) -> None:
    assert not is_small_talk(text)


@pytest.mark.parametrize(("text", "little"), [
    ("Yeah. All right.", True), ("I do, yeah.", True), ("Okay, sounds good.", True),
    ("Yeah, the app crashed.", False), ("Mostly the price.", False),
])
def test_backchannel_says_too_little(text: str, little: bool) -> None:
    from voc_synth.ingest.speech import too_little_said

    assert too_little_said(text) is little


def _record(turns: list[tuple[str, str]], interviewer: set[str]) -> Record:
    raw = RawRecord(source_index=0, source_type="interview", source_file="s.txt", locator="lines",
                    turns=[Turn(s, t, i + 1, i + 1) for i, (s, t) in enumerate(turns)])
    record = Record(raw, turn_texts=[t for _, t in turns])
    record.interviewer_turns = {i for i, (s, _) in enumerate(turns) if s in interviewer}
    record.speakers = ["Interviewer" if s in interviewer else "P01" for s, _ in turns]
    return record


def test_an_answer_interrupted_by_mm_hmm_is_one_turn() -> None:
    record = _record([
        ("Ana", "How do you book a desk?"),
        ("Ben", "So what I ended up doing was"),
        ("Ana", "Mm-hmm."),
        ("Ben", "going back to the old booking page because the app kept logging me out."),
        ("Ana", "Right. And then?"),
        ("Ben", "Then it worked. Mostly."),
    ], {"Ana"})
    assert join_interrupted_turns(record) == 1
    assert [t.speaker for t in record.raw.turns] == ["Ana", "Ben", "Ana", "Ben"]
    assert record.turn_texts[1] == ("So what I ended up doing was going back to the old booking page "
                                    "because the app kept logging me out.")
    assert record.interviewer_turns == {0, 2}
    assert record.raw.turns[1].first == 2 and record.raw.turns[1].last == 4


def test_two_thoughts_separated_by_a_question_stay_apart() -> None:
    record = _record([("Ana", "Tell me about it?"), ("Ben", "It was slow."), ("Ana", "Mm-hmm."),
                      ("Ben", "Also the price went up.")], {"Ana"})
    assert join_interrupted_turns(record) == 0
    assert len(record.raw.turns) == 4


def test_interviewer_found_by_asking_not_by_label() -> None:
    turns = [Turn("Mira Holt", "Thanks for joining. How long have you used the meal kits?", 1, 1),
             Turn("Jo Park", "About a year now, since we moved flats and I stopped going to the big shop.", 2, 2),
             Turn("Mira Holt", "What made you pick this one?", 3, 3),
             Turn("Jo Park", "The recipes looked easy and a friend had a discount code for the first box.", 4, 4),
             Turn("Mira Holt", "Walk me through a typical week.", 5, 5),
             Turn("Jo Park", "I choose on Sunday, the box comes Wednesday, and I cook three nights.", 6, 6)]
    found, why = explain_interviewers(turns, label_patterns(None), [])
    assert found == {"Mira Holt"}
    assert "questions" in why and "Mira" not in why


def test_interviewer_found_as_the_voice_heard_in_most_files() -> None:
    files = [["Mira Holt", "Jo Park", "Speaker 3"], ["Mira Holt", "Sam Reed", "P7"], ["Mira Holt", "Lee Chan", "Speaker 3"],
             ["Ola Berg", "Kim Wu", "Speaker 3"]]
    assert recurring_speakers(files) == {"Mira Holt"}
    coded = [["A1", "P1"], ["A1", "A5", "P2"], ["R1", "P3"], ["A1", "A5", "P4"], ["A1", "A5", "P5"]]
    assert recurring_speakers(coded) == {"A1", "A5"}      # a researcher's code, not a participant id
    turns = [Turn("Mira Holt", "I see.", 1, 1), Turn("Sam Reed", "Is it okay if I ask something first?", 2, 2)]
    found, why = explain_interviewers(turns, label_patterns(None), [], recurring={"Mira Holt"})
    assert found == {"Mira Holt"} and "most of the study" in why and "Mira" not in why


@pytest.mark.parametrize("label", ["Interviewer 1", "interviewer", "INTERVIEWER 2", "Moderator", "I", "Q"])
def test_role_labels_mark_the_interviewer_in_any_case_and_number(label: str) -> None:
    turns = [Turn(label, "So what happened?", 1, 1), Turn("Interviewee", "It broke.", 2, 2)]
    found, _ = explain_interviewers(turns, label_patterns(None), [])
    assert found == {label}


OTTER_STYLE = """\
Mira Holt  0:02
Hi Jo, can you hear me okay?

Jo Park  0:05
Yeah, yeah I can hear you.

Mira Holt  0:09
Great. Just so you know, this meeting is being recorded. So, um, how long have you been ordering the boxes?

Jo Park  0:17
Um, about a year. I- I started when we moved, because the the big supermarket was suddenly forty minutes away and, uh, I just couldn't face it every week.

Mira Holt  0:31
Mm-hmm. And what made you stay?

Jo Park  0:35
Honestly the recipes. They're quick, like twenty minutes, and my partner Sam actually cooks now, which never happened before.

Mira Holt  1:02:10
And has anything gone wrong with a delivery?

Jo Park  1:02:14
Once the box came without the ice packs and the chicken was warm, so I, um, I binned it and the refund took nine days, which felt like forever for thirty quid.

Jo Park  1:02:40
Je pense que le service client était très lent et pas du tout aidant pour nous.

Mira Holt  1:03:01
That's everything from me. Thanks so much for your time, Jo, good luck with the move!

Jo Park  1:03:05
Thanks, bye!
"""


def test_an_otter_style_interview_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    for name in ("jo.txt", "kim.txt", "lee.txt"):
        (folder / name).write_text(OTTER_STYLE.replace("Jo", name[:-4].capitalize()), encoding="utf-8")
    config = Config(sources=[SourceConfig(path=folder, type="interview")], base_dir=tmp_path)
    result = ingest(config)
    segs = result.segments
    manifest = result.manifest
    written = segs.to_csv() + result.documents.to_csv() + str(manifest)
    # Names from the labels and said aloud never reach an output; timestamps never reach text.
    for name in ("Mira", "Holt", "Jo", "Kim", "Lee", "Park", "Sam"):
        assert f"{name} " not in written and f"{name}," not in written, name
    assert not segs["text"].str.contains(r"\b\d{1,2}:\d{2}\b|^\d").any()
    # One interviewer (found as the voice in every file), one participant per file.
    assert segs["participant"].nunique() == 3
    assert set(segs["speaker"]) == set(segs["participant"])
    for entry in manifest["files"]:
        assert entry["people"]["interviewer"] == ["Interviewer"]
        assert len(entry["people"]["participants"]) == 1
    # Small talk and the French answer are counted, listed and left out; fillers are gone.
    assert manifest["segment_drops"]["small talk"] >= 3
    assert manifest["segment_drops"]["not English"] == 3
    assert len(manifest["segments_set_aside"]) == 3
    assert not segs["text"].str.contains(r"\b(?:um|uh)\b|\bthe the\b|can you hear", case=False).any()
    assert segs["text"].str.contains("started when we moved, because the big supermarket").any()
    # Traceable: the clean quote is the clean verbatim of the exact span in the document.
    docs = result.documents.set_index("doc_id")["text"]
    for seg in segs.itertuples():
        assert clean_verbatim(docs[seg.doc_id][seg.char_start:seg.char_end]) == seg.text
    # The question each answer responds to is kept, clean.
    assert (segs["question"] == "So how long have you been ordering the boxes?").any()


def test_unnamed_voices_are_the_participant_or_a_researcher() -> None:
    from voc_synth.ingest.speakers import unknown_voices

    turns = [Turn("A1", "What do you collect?", 1, 1), Turn("P10", "Timings per run, mostly.", 2, 2),
             Turn("Speaker 1", "And memory, when the job allows it, which is rare.", 3, 3),
             Turn("Speaker 3", "Sorry, which jobs allow it?", 4, 4), Turn("P10", "The small ones.", 5, 5)]
    interviewers = {"A1"}
    unknown_voices(turns, interviewers)
    assert interviewers == {"A1", "Speaker 3"}
    assert [t.speaker for t in turns] == ["A1", "P10", "P10", "Speaker 3", "P10"]
    # With no named participant there is nobody to give the voice to: labels stay as they are.
    alone = [Turn("Speaker 1", "Hi there?", 1, 1), Turn("Speaker 2", "Hello, I use the app daily.", 2, 2)]
    unknown_voices(alone, set())
    assert [t.speaker for t in alone] == ["Speaker 1", "Speaker 2"]


def test_report_says_who_the_interviewer_was_and_what_was_left_out() -> None:
    from voc_synth.report._common import manifest_rows

    manifest = {"totals": {"files": 1}, "segment_drops": {"small talk": 4, "not English": 2},
                "files": [{"path": "s1.txt", "people": {"interviewer": ["Interviewer"], "participants": ["P01"],
                                                        "reason": "the speaker label names the role"}}]}
    rows = dict(manifest_rows(manifest))
    assert rows["units left out of themes: small talk"] == "4"
    assert rows["interviewer in s1.txt"] == "Interviewer — the speaker label names the role"


def test_a_folder_of_transcripts_runs_with_no_config(tmp_path: Path) -> None:
    """`voc-synth run --interviews FOLDER` as a new user types it: the demo's interviews (a
    mix of .txt, .vtt and .docx layouts) with no voc_synth.yaml."""
    import json

    from typer.testing import CliRunner

    from voc_synth.cli import app

    folder = Path(__file__).resolve().parents[1] / "corpora" / "demo_shop" / "interviews"
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "--interviews", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    transcripts = [f for f in manifest["files"] if f.get("people")]
    assert len(transcripts) == 15 and all(f["people"]["interviewer"] for f in transcripts)
    themes = json.loads((out / "synthesis.json").read_text())["themes"]
    assert len(themes) >= 12


def test_every_kind_of_evidence_counts_and_accents_do_not_hide_a_name() -> None:
    turns = [Turn("Q", "Where were you born?", 1, 1), Turn("Jim Reyes", "In Ohio, a long time ago.", 2, 2),
             Turn("Selma Sabanovic", "And your first robot?", 3, 3), Turn("Jim Reyes", "A kit arm.", 4, 4),
             Turn("Q2", "Which lab?", 5, 5), Turn("Jim Reyes", "The one at my college.", 6, 6)]
    found, why = explain_interviewers(turns, label_patterns(None), ["Selma Šabanović and Matt Ford"])
    assert found == {"Q", "Q2", "Selma Sabanovic"}
    assert "role" in why and "header" in why


def test_a_header_line_said_once_after_the_introduction_is_metadata(tmp_path: Path) -> None:
    from voc_synth.ingest.transcripts import read_transcript

    path = tmp_path / "oral_history.md"
    path.write_text("""## About the interview

JIM REYES: An interview conducted by Selma Sabanovic, 2011.

## Interview

INTERVIEWEE: Jim Reyes
INTERVIEWER: Selma Sabanovic

Q:

Where were you born?

Jim Reyes:

In Ohio, a long time ago.

Selma Sabanovic:

And your first robot?

Jim Reyes:

A kit arm, bought with my paper-round money.

Selma Sabanovic:

Did it work?

Jim Reyes:

Never properly, which is how I learnt to program.
""", encoding="utf-8")
    transcript = read_transcript(path, "md", "utf-8")
    assert transcript.meta["interviewer"] == "Selma Sabanovic"
    assert {t.speaker for t in transcript.turns} >= {"Q", "Jim Reyes", "Selma Sabanovic"}
    assert "INTERVIEWER" not in {t.speaker for t in transcript.turns}
    assert not any("INTERVIEWEE" in t.text for t in transcript.turns)
