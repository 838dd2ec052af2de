"""Transcripts as researchers' tools export them: Otter, Zoom, Teams, Rev, Descript, Trint, plain.

Each sample in `corpora/interview_formats/` is read through `read_transcript` and must give its
real speakers (one label, one person), the right number of turns, and timestamps as locators:
never inside a label, never inside the speech. A few shapes that broke real corpora are pinned
here with small inline files, and the whole folder is also ingested end to end.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from voc_synth.config import Config, SourceConfig, load_config
from voc_synth.ingest import IngestResult, ingest
from voc_synth.ingest.transcripts import Transcript, read_transcript

FORMATS = Path(__file__).resolve().parents[1] / "corpora" / "interview_formats"
TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}\b")

# file → (speaker labels, turns, timestamps of the first two turns, of the last turn, the interviewee)
SAMPLES = {
    "otter/mealkit_sara_dev.txt": ({"Sara Lopez", "Dev Patel"}, 22, ["00:00:02", "00:00:05"], "01:02:38", "Dev Patel"),
    "otter/bankapp_speakers.txt": ({"Speaker 1", "Speaker 2"}, 18, ["00:00:05", "00:00:09"], "00:02:23", "Speaker 2"),
    "otter/coworking_otter.docx": ({"Maya Torres", "Ben Fischer"}, 18, ["00:00:02", "00:00:07"], "00:02:06", "Ben Fischer"),
    "zoom/coworking_zoom.vtt": ({"Priya Nair", "Tom Okafor"}, 20, ["00:00:01", "00:00:04"], "00:02:16", "Tom Okafor"),
    "zoom/mealkit_zoom_transcript.txt": ({"Hannah Berg", "Marcus Reid"}, 18, ["14:00:03", "14:00:08"], "14:02:15",
                                         "Marcus Reid"),
    "zoom/bankapp_zoom_chat.txt": ({"Leah Kim", "Ana Silva"}, 16, ["10:02:33", "10:02:51"], "10:08:10", "Ana Silva"),
    "teams/coworking_teams.vtt": ({"Grace Chen", "Olu Adeyemi"}, 16, ["00:00:02", "00:00:05"], "00:01:43", "Olu Adeyemi"),
    "teams/bankapp_teams.docx": ({"Rosa Delgado", "Sam Whitfield"}, 16, ["00:00:03", "00:00:06"], "00:01:52",
                                 "Sam Whitfield"),
    "teams/mealkit_teams_legacy.docx": ({"Kowalski, Jan", "Mensah, Abena"}, 16, ["00:00:00", "00:00:04"], "00:01:40",
                                        "Mensah, Abena"),
    "rev/mealkit_rev_speakers.txt": ({"Speaker 1", "Speaker 2"}, 18, ["00:00:01", "00:00:04"], "00:01:56", "Speaker 2"),
    "rev/bankapp_rev_named.txt": ({"Nadia Haddad", "Chris Doyle"}, 16, ["00:00:02", "00:00:04"], "00:01:49", "Chris Doyle"),
    "descript/coworking_descript.txt": ({"Elif Aydin", "Jonas Lind"}, 19, ["00:00:00", "00:00:03"], "00:01:49",
                                        "Jonas Lind"),
    "trint/mealkit_trint.txt": ({"Lucy Grant", "Omar Farouk"}, 14, ["00:00:01", "00:00:05"], "00:01:31", "Omar Farouk"),
    "trint/bankapp_trint_name_first.txt": ({"Kate Morgan", "Raj Mehta"}, 15, ["00:00:02", "00:00:05"], "00:01:26",
                                           "Raj Mehta"),
    "plain/lowercase_roles.txt": ({"interviewer", "interviewee"}, 16, ["", ""], "", "interviewee"),
    "plain/numbered_interviewers.txt": ({"Interviewer 1", "Interviewer 2", "Respondent 3"}, 18, ["", ""], "",
                                        "Respondent 3"),
    "plain/letter_codes.txt": ({"I", "R"}, 14, ["00:00:02", "00:00:05"], "00:01:08", "P14"),  # the header names P14
    "plain/iv_p_timestamps_after.txt": ({"IV", "P"}, 14, ["00:00:01", "00:00:04"], "00:00:55", "P"),
}


def _read(rel: str) -> Transcript:
    path = FORMATS / rel
    return read_transcript(path, path.suffix.lstrip("."), "utf-8")


def _read_text(tmp_path: Path, text: str, name: str = "t.txt") -> Transcript:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_transcript(path, path.suffix.lstrip("."), "utf-8")


def _assert_clean(transcript: Transcript) -> None:
    """No timestamp leaked into a label or the speech."""
    for turn in transcript.turns:
        assert turn.text.strip(), turn
        assert not turn.text.lstrip()[:1].isdigit(), turn
        assert not TIMESTAMP.search(turn.text), turn
        assert ":" not in turn.speaker and not re.search(r"\d\d$", turn.speaker), turn.speaker
        assert re.fullmatch(r"(\d\d:\d\d:\d\d)?", turn.timestamp), turn.timestamp


# --- every sample -------------------------------------------------------------------------------

@pytest.mark.parametrize("rel", sorted(SAMPLES))
def test_sample_speakers_turns_and_timestamps(rel: str) -> None:
    speakers, n_turns, first, last, _interviewee = SAMPLES[rel]
    transcript = _read(rel)
    assert {t.speaker for t in transcript.turns} == speakers
    assert len(transcript.turns) == n_turns
    assert [t.timestamp for t in transcript.turns[:2]] == first
    assert transcript.turns[-1].timestamp == last
    _assert_clean(transcript)
    # The goodbye is kept as a turn (later steps set small talk aside).
    assert re.search(r"\bbye\b|cheerio|see you", transcript.turns[-1].text.lower())


def test_sample_folder_is_complete() -> None:
    on_disk = {p.relative_to(FORMATS).as_posix() for p in FORMATS.glob("*/*") if p.suffix in (".txt", ".vtt", ".docx")}
    assert on_disk == set(SAMPLES)


def test_docx_samples_match_their_generator(tmp_path: Path) -> None:
    import docx

    spec = importlib.util.spec_from_file_location("make_docx", FORMATS / "make_docx.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for write, rel in [(module.write_otter, "otter/coworking_otter.docx"), (module.write_teams, "teams/bankapp_teams.docx"),
                       (module.write_teams_legacy, "teams/mealkit_teams_legacy.docx")]:
        fresh = tmp_path / Path(rel).name
        write(fresh)
        assert [p.text for p in docx.Document(str(fresh)).paragraphs] == \
               [p.text for p in docx.Document(str(FORMATS / rel)).paragraphs], rel


# --- Otter -------------------------------------------------------------------------------------

def test_otter_timestamp_is_not_part_of_the_name() -> None:
    """Regression: "Sara Lopez  12:34" was read as the label "Sara Lopez  12" saying "34"."""
    transcript = _read("otter/mealkit_sara_dev.txt")
    by_time = {t.timestamp: t for t in transcript.turns}
    assert by_time["00:14:50"].speaker == "Sara Lopez"
    assert by_time["00:14:50"].text.startswith("Let's talk about the cooking")
    assert by_time["01:00:12"].speaker == "Dev Patel"                 # "1:00:12" → 01:00:12
    assert by_time["01:02:33"].text.startswith("Brilliant.")
    assert not any("otter.ai" in t.text for t in transcript.turns)   # the export's trailer


def test_otter_many_timestamps_stay_two_speakers(tmp_path: Path) -> None:
    """Every new timestamp used to make a new "speaker" (28 people became 550)."""
    blocks = []
    for minute in range(60):
        name = "Sara Lopez" if minute % 2 == 0 else "Dev Patel"
        said = "it broke again: um, the, the app froze." if minute % 5 == 1 else "Um, so, yeah, that is what happened."
        blocks.append(f"{name}  {minute}:{(minute * 7) % 60:02d}\n{said}\n")
    blocks.append("Sara Lopez  1:02:33\nThanks so much.\n")
    transcript = _read_text(tmp_path, "\n".join(blocks))
    assert {t.speaker for t in transcript.turns} == {"Sara Lopez", "Dev Patel"}
    assert len(transcript.turns) == 61
    assert transcript.turns[0].timestamp == "00:00:00" and transcript.turns[13].timestamp == "00:13:31"
    assert transcript.turns[-1].timestamp == "01:02:33"
    _assert_clean(transcript)


def test_otter_docx_bold_name_keeps_timestamp_out_of_text() -> None:
    turns = _read("otter/coworking_otter.docx").turns
    assert turns[0].text.startswith("Hello, hi!") and turns[0].timestamp == "00:00:02"
    assert turns[0].first == 2                                   # paragraph 1 is the title


# --- Zoom --------------------------------------------------------------------------------------

def test_zoom_chat_shapes(tmp_path: Path) -> None:
    saved = _read_text(tmp_path, (
        "10:02:33 From Leah Kim to Everyone : hi, can you read this ok?\n"
        "10:02:40 From Ana Silva : yes\n"
        "10:02:55 From Ana Silva to Leah Kim(Direct Message) : sorry wrong window\n"
    ))
    assert [(t.speaker, t.timestamp, t.text) for t in saved.turns] == [
        ("Leah Kim", "10:02:33", "hi, can you read this ok?"), ("Ana Silva", "10:02:40", "yes"),
        ("Ana Silva", "10:02:55", "sorry wrong window"),
    ]
    cloud = _read_text(tmp_path, "00:00:04\tLeah Kim:\thow was onboarding?\n00:00:31\tAna Silva:\tslow, honestly\n")
    assert [(t.speaker, t.timestamp, t.text) for t in cloud.turns] == [
        ("Leah Kim", "00:00:04", "how was onboarding?"), ("Ana Silva", "00:00:31", "slow, honestly")]


def test_zoom_vtt_cues_of_one_voice_are_one_turn() -> None:
    turns = _read("zoom/coworking_zoom.vtt").turns
    long_answer = next(t for t in turns if t.text.startswith("Just over a year"))
    assert "third week" in long_answer.text and (long_answer.first, long_answer.last) == (6, 7)


# --- Teams -------------------------------------------------------------------------------------

def test_teams_docx_header_and_transcription_notices() -> None:
    transcript = _read("teams/bankapp_teams.docx")
    assert transcript.meta["title"] == "Bakery banking – customer interview"
    everything = " ".join([*transcript.header, *(t.text for t in transcript.turns)])
    assert "transcription" not in everything.replace("recording and transcribing", "")
    assert transcript.turns[0].first == 5                        # title, date, duration, notice


def test_teams_legacy_cues_merge_and_keep_surname_first_names() -> None:
    turns = _read("teams/mealkit_teams_legacy.docx").turns
    merged = turns[5]
    assert merged.speaker == "Mensah, Abena" and merged.timestamp == "00:00:21"
    assert "three kids" in merged.text and "try it for a month" in merged.text


def test_teams_vtt_cue_ids_are_not_text() -> None:
    transcript = _read("teams/coworking_teams.vtt")
    assert not any("/" in t.text and "-0" in t.text for t in transcript.turns)
    assert transcript.turns[2].text.endswith("transcribed, just for the research team. Is that alright?")


# --- Rev, Descript, Trint ----------------------------------------------------------------------

@pytest.mark.parametrize("text, label, ts, said", [
    ("Speaker 1 (00:01:02):\nSo how was it?\n", "Speaker 1", "00:01:02", "So how was it?"),
    ("Speaker 1 (00:01:02): So how was it?\n", "Speaker 1", "00:01:02", "So how was it?"),
    ("Dana Reyes (01:02):\nSo how was it?\n", "Dana Reyes", "00:01:02", "So how was it?"),
    ("[00:01:02] Dana Reyes: So how was it?\n", "Dana Reyes", "00:01:02", "So how was it?"),
    ("[00:01:02] Dana Reyes\nSo how was it?\n", "Dana Reyes", "00:01:02", "So how was it?"),
    ("Dana Reyes [00:01:02]\nSo how was it?\n", "Dana Reyes", "00:01:02", "So how was it?"),
    ("00:01:02 Dana Reyes\nSo how was it?\n", "Dana Reyes", "00:01:02", "So how was it?"),
    ("Dana Reyes 00:01:02: So how was it?\n", "Dana Reyes", "00:01:02", "So how was it?"),
    ("Dana Reyes: [00:01:02] So how was it?\n", "Dana Reyes", "00:01:02", "So how was it?"),
    ("Dana Reyes: 00:01:02 So how was it?\n", "Dana Reyes", "00:01:02", "So how was it?"),
    ("[Dana Reyes] 10:02:33\nSo how was it?\n", "Dana Reyes", "10:02:33", "So how was it?"),
    ("Dana Reyes  1:02:33\nSo how was it?\n", "Dana Reyes", "01:02:33", "So how was it?"),
    ("Dana Reyes  0:02\nSo how was it?\n", "Dana Reyes", "00:00:02", "So how was it?"),
])
def test_one_timestamped_turn_shape(tmp_path: Path, text: str, label: str, ts: str, said: str) -> None:
    turns = _read_text(tmp_path, text).turns
    assert [(t.speaker, t.timestamp, t.text) for t in turns] == [(label, ts, said)]


def test_continuation_paragraph_timestamps_are_locators(tmp_path: Path) -> None:
    turns = _read_text(tmp_path, (
        "[00:00:01] Dana: So, tell me about the app.\n"
        "[00:00:05] Sam: Well, it crashed twice.\n"
        "[00:00:40] And then [00:00:44] it logged me out.\n"
    )).turns
    assert [t.speaker for t in turns] == ["Dana", "Sam"]
    assert turns[1].text == "Well, it crashed twice.\nAnd then it logged me out." and turns[1].timestamp == "00:00:05"


def test_rev_timed_tags_keep_the_tag_not_the_time() -> None:
    turns = _read("rev/mealkit_rev_speakers.txt").turns
    tofu = next(t for t in turns if t.text.startswith("The tofu."))
    assert "sticks to my, um, [inaudible] pan." in tofu.text


def test_sound_tags_in_cues_are_not_speakers(tmp_path: Path) -> None:
    transcript = _read_text(tmp_path, (
        "1\n00:00:01,000 --> 00:00:03,000\n[Dana] How was the app?\n\n"
        "2\n00:00:03,500 --> 00:00:06,000\n[Sam] It kept logging me out.\n\n"
        "3\n00:00:06,000 --> 00:00:08,000\n[Laughter] Every single time.\n"
    ), name="t.srt")
    assert [t.speaker for t in transcript.turns] == ["Dana", "Sam"]
    assert transcript.turns[1].text.endswith("[Laughter] Every single time.")


# --- plain labels ------------------------------------------------------------------------------

def test_lower_case_roles_and_one_off_label_stays_text() -> None:
    turns = _read("plain/lowercase_roles.txt").turns
    assert [t.speaker for t in turns[:4]] == ["interviewer", "interviewee", "interviewer", "interviewee"]
    assert turns[7].text.endswith("honestly: it broke my focus a bit at first, all the pinging, but i muted it.")
    assert turns[1].text == "yes i can hear you, hi"      # a first turn is not mistaken for header metadata


def test_lower_case_names_that_recur_are_speakers(tmp_path: Path) -> None:
    turns = _read_text(tmp_path, (
        "sara: did you order again after that?\n"
        "dev: no. well, once.\n"
        "sara: why once?\n"
        "dev: um, a voucher.\n"
    )).turns
    assert [t.speaker for t in turns] == ["sara", "dev", "sara", "dev"]
    mixed = _read_text(tmp_path, "Interviewer: Did it help?\ndana: a bit.\nInterviewer: Why?\ndana: cheaper.\n").turns
    assert [t.speaker for t in mixed] == ["Interviewer", "dana", "Interviewer", "dana"]


def test_lower_case_word_before_a_colon_is_not_a_speaker(tmp_path: Path) -> None:
    monologue = _read_text(tmp_path, (
        "Interviewer: How did the delivery go?\n"
        "Dana: Badly.\n"
        "honestly: it broke on the first day.\n"
        "Interviewer: Oh no.\n"
        "Dana: Yeah.\n"
    ))
    assert [t.speaker for t in monologue.turns] == ["Interviewer", "Dana", "Interviewer", "Dana"]
    assert monologue.turns[1].text == "Badly.\nhonestly: it broke on the first day."
    notes = _read_text(tmp_path, "note: call back on Monday\nsome thoughts here\nnote: ask about refunds\n")
    assert not any(t.speaker == "note" for t in notes.turns)
    links = _read_text(tmp_path, (
        "Interviewer: Where did you read that?\nDana: On their help page,\nhttps://help.example.com/a\n"
        "Interviewer: And the other one?\nDana: This one,\nhttps://help.example.com/b\n"
    ))
    assert [t.speaker for t in links.turns] == ["Interviewer", "Dana", "Interviewer", "Dana"]


def test_one_label_is_one_person_whatever_its_case(tmp_path: Path) -> None:
    turns = _read_text(tmp_path, (
        "Interviewer: Can you hear me?\nDana Reyes: Yes.\ninterviewer: Great, so what happened?\n"
        "DANA REYES: It broke.\nInterviewer: Oh no.\n"
    )).turns
    assert [t.speaker for t in turns] == ["Interviewer", "Dana Reyes", "Interviewer", "Dana Reyes", "Interviewer"]


@pytest.mark.parametrize("interviewer, participant", [
    ("Interviewer 1", "Interviewee"), ("Interviewer 2", "Respondent 3"), ("I", "R"), ("IV", "P"),
    ("Int", "Resp"), ("Q", "A"), ("interviewer", "respondent 2"),
])
def test_role_labels(tmp_path: Path, interviewer: str, participant: str) -> None:
    # Said once each: roles are speakers without having to recur.
    turns = _read_text(tmp_path, f"{interviewer}: How was setup?\n{participant}: Slow, the code never came.\n").turns
    assert [(t.speaker, t.text) for t in turns] == [(interviewer, "How was setup?"),
                                                   (participant, "Slow, the code never came.")]


def test_header_metadata_still_read(tmp_path: Path) -> None:
    transcript = _read_text(tmp_path, "Interviewer: Sam Jones\nDate: 2024-03-12\n\nSam Jones: Hi, how are you?\n"
                                      "Dana: Fine thanks.\nSam Jones: Great.\nDana: Yes.\n")
    assert transcript.meta["interviewer"] == "Sam Jones" and transcript.meta["date"] == "2024-03-12"
    assert [t.speaker for t in transcript.turns] == ["Sam Jones", "Dana", "Sam Jones", "Dana"]


# --- end to end --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def result() -> IngestResult:
    return ingest(load_config(FORMATS / "voc_synth.yaml"))


def test_every_sample_is_ingested_with_one_participant(result: IngestResult) -> None:
    files = {f["path"]: f for f in result.manifest["files"]}
    assert set(files) == set(SAMPLES) | {"thinkaloud/ticket_kiosk_usability.odt"}
    for rel, (_speakers, _n, first, _last, interviewee) in SAMPLES.items():
        assert files[rel]["status"] == "ingested" and files[rel]["segments"] >= 1, files[rel]
        segs = result.segments[result.segments["source_file"] == rel]
        participants = set(segs["participant"])
        assert len(participants) == 1, (rel, participants)      # the interviewer is not a participant
        (pseudonym,) = participants
        assert result.reidentification.get(pseudonym, pseudonym) == interviewee, rel
        if first[0]:
            assert all(re.fullmatch(r"\d\d:\d\d:\d\d", loc) for loc in segs["locator"]), rel


def test_no_name_or_timestamp_leaks_into_segments(result: IngestResult) -> None:
    segs = result.segments
    for column in ("text", "question"):
        leaked = segs[segs[column].fillna("").str.contains(TIMESTAMP)]
        assert leaked.empty, leaked[[column, "source_file"]].to_string()
    labels = set(segs["speaker"]) | set(segs["participant"])
    assert all(re.fullmatch(r"P\d+", label) for label in labels), labels   # pseudonyms only


def test_config_idiom_reads_a_single_format_folder(tmp_path: Path) -> None:
    config = Config(project="Otter only", sources=[SourceConfig(path=Path("otter"), type="interview",
                                                                include=["*.txt"])], base_dir=FORMATS)
    result = ingest(config)
    assert {f["path"] for f in result.manifest["files"]} == {"otter/bankapp_speakers.txt", "otter/mealkit_sara_dev.txt"}
    dev = result.segments[result.segments["source_file"] == "otter/mealkit_sara_dev.txt"]
    assert dev["locator"].iloc[0] == "00:00:05"
    assert not dev["text"].str.match(r"\s*\d").any()


# --- think-aloud usability sessions typed up in LibreOffice (.odt) ------------------------------

THINK_ALOUD = FORMATS / "thinkaloud" / "ticket_kiosk_usability.odt"


def test_odt_sample_matches_its_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_odt", FORMATS / "make_odt.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from voc_synth.ingest.transcripts import odt_paragraphs

    fresh = module.write(tmp_path / "fresh.odt")
    assert [t for _, t, _ in odt_paragraphs(fresh)] == [t for _, t, _ in odt_paragraphs(THINK_ALOUD)] == module.SESSION


def test_think_aloud_speech_is_the_participant_and_prompts_are_protocol() -> None:
    transcript = read_transcript(THINK_ALOUD, "odt", "")
    speakers = [t.speaker for t in transcript.turns]
    assert set(speakers) == {"Protocol", "Participant", "MODERATOR"}
    assert speakers.count("MODERATOR") == 3            # only its own lines, never the speech after
    assert speakers.count("Protocol") == 8              # 1, 1.a, 1.b, 2, 2.a, 3, 3.a, 4
    assert all(not t.text.startswith("(") for t in transcript.turns)   # observer notes left out
    joined = next(t for t in transcript.turns if t.speaker == "Participant")
    assert joined.first == 2 and joined.last == 3      # consecutive lines of speech are one turn


def test_think_aloud_end_to_end_answers_carry_their_task(tmp_path: Path) -> None:
    import shutil

    from voc_synth.config import Config, SourceConfig
    from voc_synth.ingest import ingest

    folder = tmp_path / "sessions"
    folder.mkdir()
    shutil.copy(THINK_ALOUD, folder / "P04_session.odt")
    result = ingest(Config(sources=[SourceConfig(path=folder, type="interview")], base_dir=tmp_path))
    segs = result.segments
    assert set(segs["participant"]) == {"P04"} and set(segs["speaker"]) == {"P04"}
    assert not segs["text"].str.contains("MODERATOR|Take your time|end of the tasks").any()
    reader = segs[segs["text"].str.contains("reader is way down")]
    assert reader["question"].iloc[0] == "2 Pay for the ticket with a contactless card."
    assert result.manifest["files"][0]["people"]["interviewer"] == ["Moderator", "Protocol"]
