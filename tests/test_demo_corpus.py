"""The sample corpora: the Larkfield Home demo corpus meets its brief, its answer key is true of its
files, it is reproducible from its generator, and the synthetic generator writes what it promises."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "demo_shop"
STAGES = ["discovery", "browsing", "checkout", "delivery", "use_support", "returns", "loyalty"]
SENTIMENTS = {"negative", "positive", "mixed", "neutral"}
INTERVIEWER_LABELS = {"Interviewer", "Moderator", "Q"}

try:
    from voc_synth.corpora import phrasebank
    from voc_synth.corpora.synth import write_synthetic_corpus
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(ROOT / "src"))
    from voc_synth.corpora import phrasebank
    from voc_synth.corpora.synth import write_synthetic_corpus


def _load_script():
    path = ROOT / "scripts" / "make_demo_corpus.py"
    spec = importlib.util.spec_from_file_location("make_demo_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------
# Readers (written independently of the generator, as a consumer would read these files)
# ---------------------------------------------------------------------------------------------


def read_helpdesk(folder: Path = CORPUS) -> pd.DataFrame:
    return pd.read_csv(folder / "tickets" / "helpdesk_export.csv", dtype=str, keep_default_na=False)


def read_chats(folder: Path = CORPUS) -> tuple[list[dict], list[int], list[int]]:
    """Valid records, 1-based numbers of malformed lines, 1-based numbers of empty lines."""
    good, bad, empty = [], [], []
    lines = (folder / "tickets" / "chat_escalations.jsonl").read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]  # the file's final newline
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            empty.append(n)
            continue
        try:
            good.append(json.loads(line))
        except json.JSONDecodeError:
            bad.append(n)
    return good, bad, empty


def read_reviews(folder: Path = CORPUS) -> pd.DataFrame:
    return pd.read_csv(folder / "reviews" / "product_reviews.csv", dtype=str, keep_default_na=False,
                       skip_blank_lines=False)


def read_app(folder: Path = CORPUS) -> list[dict]:
    return json.loads((folder / "reviews" / "app_store_reviews.json").read_text(encoding="utf-8"))


def read_survey(folder: Path = CORPUS) -> pd.DataFrame:
    return pd.read_csv(folder / "surveys" / "nps_survey.csv", dtype=str, keep_default_na=False)


TXT_TURN = re.compile(r"^(?:\[(\d\d:\d\d:\d\d)\] )?([A-Z][A-Za-z]*|P\d\d)(?: \((\d\d:\d\d)\))?: (.*)$")


def read_txt_turns(path: Path) -> list[tuple[str, str]]:
    """Turns of a plain-text transcript; the header block (up to the first blank line) is skipped."""
    text = path.read_text(encoding="utf-8")
    header, _, body = text.partition("\n\n")
    assert "Participant" in header or "participant" in header, f"{path.name} has no header block"
    turns: list[list[str]] = []
    for line in body.splitlines():
        if not line.strip():
            continue
        m = TXT_TURN.match(line)
        if m:
            turns.append([m.group(2), m.group(4)])
        else:
            assert turns, f"{path.name}: text before the first speaker label: {line!r}"
            turns[-1][1] += " " + line.strip()
    return [(a, b) for a, b in turns]


VTT_TIMING = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$")
VTT_VOICE = re.compile(r"^<v ([^>]+)>(.*?)(?:</v>)?$")


def read_vtt_turns(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT"), f"{path.name} lacks the WEBVTT header"
    turns: list[list[str]] = []
    blocks = text.split("\n\n")
    for block in blocks[1:]:
        lines = [x for x in block.split("\n") if x]
        if not lines or lines[0].startswith("NOTE"):
            continue
        timing = [i for i, x in enumerate(lines) if VTT_TIMING.match(x)]
        assert timing, f"{path.name}: cue without timing: {block!r}"
        payload = " ".join(lines[timing[0] + 1 :])
        m = VTT_VOICE.match(payload)
        assert m, f"{path.name}: cue without a voice tag: {payload!r}"
        voice, said = m.group(1), m.group(2)
        if turns and turns[-1][0] == voice:
            turns[-1][1] += " " + said  # consecutive cues, same voice: one turn
        else:
            turns.append([voice, said])
    return [(a, b) for a, b in turns]


def read_docx_turns(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    import docx

    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    header, body = paragraphs[:2], paragraphs[2:]
    turns = []
    for para in body:
        m = re.match(r"^(Interviewer|P\d\d): (.*)$", para)
        if m:
            turns.append((m.group(1), m.group(2)))
    return header, turns


def interview_turns(path: Path) -> list[tuple[str, str]]:
    if path.suffix == ".txt":
        return read_txt_turns(path)
    if path.suffix == ".vtt":
        return read_vtt_turns(path)
    return read_docx_turns(path)[1]


def all_text(folder: Path = CORPUS) -> str:
    """Every character of evidence in the corpus, docx included."""
    import docx

    parts = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".txt", ".vtt", ".csv", ".jsonl", ".json"):
            parts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".docx":
            parts.append("\n".join(p.text for p in docx.Document(str(path)).paragraphs))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def key() -> dict:
    return yaml.safe_load((CORPUS / "ANSWER_KEY.yaml").read_text(encoding="utf-8"))


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


# ---------------------------------------------------------------------------------------------
# Reproducible
# ---------------------------------------------------------------------------------------------


def test_generator_reproduces_the_committed_corpus_byte_for_byte(tmp_path):
    _load_script().generate(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(CORPUS) for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md")
    assert written == committed
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (CORPUS / rel).read_bytes(), f"{rel} differs: re-run the generator"


def test_corpus_is_documented_and_modest_in_size():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for needed in ("Larkfield Home", "fictional", "ANSWER_KEY.yaml", "personal data", "make_demo_corpus.py"):
        assert needed in readme
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total < 5 * 1024 * 1024


def test_luhn_helper_agrees_with_known_numbers():
    assert luhn_ok("4111 1111 1111 1111") and not luhn_ok("4111 1111 1111 1112")
    script = _load_script()
    assert script.luhn_valid("4539 1488 0343 6467") and not script.luhn_valid("4539 1488 0343 6468")


# ---------------------------------------------------------------------------------------------
# Counts and formats
# ---------------------------------------------------------------------------------------------


def test_helpdesk_export_shape_and_mess():
    df = read_helpdesk()
    assert list(df.columns) == ["Ticket ID", "Created At", "Channel", "Subject", "Description", "Tags", "Status", "CSAT", "Requester"]
    assert len(df) >= 300
    assert df["Ticket ID"].is_unique and df["Ticket ID"].str.fullmatch(r"T-\d{5}").all()
    assert set(df["Channel"]) == {"email", "chat", "phone", "web form"}
    pd.to_datetime(df["Created At"], format="%Y-%m-%d %H:%M:%S")
    csat = df["CSAT"][df["CSAT"] != ""].astype(int)
    assert csat.between(1, 5).all()
    assert 0.3 <= len(csat) / len(df) <= 0.5
    assert df["Requester"].str.fullmatch(r"[\w.]+@[\w.]+").all()
    desc = df["Description"]
    assert desc.str.contains("<p>|<div|<br>").sum() >= 20
    assert desc.str.contains("&amp;|&#39;|&nbsp;").sum() >= 5
    quoted = desc.str.contains(r"On \w{3}, \d{1,2} \w{3} 2026 at \d\d:\d\d, Larkfield Support <support@larkfieldhome\.example> wrote:\n> ")
    assert quoted.sum() >= 10
    assert desc.str.contains("Sent from my iPhone").sum() >= 10
    assert desc.str.contains("\n--\n").sum() >= 5
    assert desc.str.contains(r"^(?:Hi there,|Hello,|Hi,|Dear Sir/Madam,)", regex=True).sum() >= 30
    assert (desc == "").sum() >= 1


def test_chat_escalations_jsonl_has_one_broken_and_one_empty_line():
    good, bad, empty = read_chats()
    assert len(good) >= 60
    assert len(bad) == 1 and len(empty) == 1
    for rec in good:
        assert set(rec) == {"id", "created", "customer_id", "topic", "transcript"}
        assert re.fullmatch(r"CH-\d{4}", rec["id"])
        assert rec["transcript"].count("\n") >= 4
    assert len({r["id"] for r in good}) == len(good)


def test_product_reviews_shape_and_rating_shape():
    df = read_reviews()
    assert list(df.columns) == ["review_id", "date", "product", "rating", "title", "body", "reviewer", "verified_purchase"]
    rows = df[df["review_id"] != ""]
    assert len(rows) >= 520
    assert len(df) - len(rows) == 1, "exactly one fully blank row is planted"
    assert rows["review_id"].is_unique
    ratings = rows["rating"].astype(int)
    assert ratings.between(1, 5).all()
    counts = ratings.value_counts()
    # J-shaped: 5 the most common, 1 next, the middle of the scale thinnest
    assert counts[5] > counts[1] > max(counts[2], counts[3], counts[4])
    assert set(rows["verified_purchase"]) == {"true", "false"}


def test_app_store_reviews():
    items = read_app()
    assert len(items) >= 80
    for item in items:
        assert list(item) == ["reviewId", "userName", "score", "at", "content", "appVersion"]
        assert 1 <= item["score"] <= 5
        assert re.fullmatch(r"\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", item["at"])
    text = " ".join(i["content"].lower() for i in items)
    for topic in ("search", "crash", "tracking", "log"):
        assert topic in text


def test_nps_survey():
    df = read_survey()
    assert list(df.columns) == ["response_id", "submitted_at", "nps", "comment", "customer_segment", "country"]
    assert len(df) >= 120
    assert df["nps"].astype(int).between(0, 10).all()
    comments = df["comment"].str.strip().str.lower()
    assert (comments == "").sum() >= 2 and (comments == "n/a").sum() >= 1 and (comments == "-").sum() >= 1


def test_interviews_three_formats_and_participants_file():
    folder = CORPUS / "interviews"
    files = sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".vtt", ".docx"))
    by_format = Counter(p.suffix for p in files)
    assert all(by_format[s] >= 4 for s in (".txt", ".vtt", ".docx")), by_format
    participants = pd.read_csv(folder / "participants.csv", dtype=str)
    assert list(participants.columns) == ["participant_id", "persona", "segment", "interview_date", "file"]
    assert len(participants) >= 14
    assert sorted(participants["file"]) == [p.name for p in files]
    assert participants["participant_id"].str.fullmatch(r"P\d\d").all() and participants["participant_id"].is_unique
    assert participants["persona"].nunique() == len(participants)

    txt = {p.name: p.read_text(encoding="utf-8") for p in files if p.suffix == ".txt"}
    assert any(re.search(r"^\[\d\d:\d\d:\d\d\] Interviewer: ", t, re.M) for t in txt.values())
    assert any(re.search(r"^Interviewer: ", t, re.M) and not re.search(r"^\[\d", t, re.M) for t in txt.values())
    assert sum(bool(re.search(r"^Q: ", t, re.M) and re.search(r"^A: ", t, re.M)) for t in txt.values()) == 1
    assert sum(bool(re.search(r"^[A-Z][a-z]+ \(\d\d:\d\d\): ", t, re.M)) for t in txt.values()) == 1

    for row in participants.itertuples():
        path = folder / row.file
        turns = interview_turns(path)
        assert 30 <= len(turns) <= 90, (row.file, len(turns))
        speakers = [s for s, _ in turns]
        assert all(a != b for a, b in zip(speakers, speakers[1:], strict=False)), f"{row.file}: speakers must alternate"
        interviewer = [s for s in set(speakers) if s in INTERVIEWER_LABELS]
        assert len(interviewer) == 1 and len(set(speakers)) == 2, (row.file, set(speakers))
        said = " ".join(t for _, t in turns)
        assert "record" in said  # the consent statement
        assert re.search(r"\b(um|mm-hmm|yeah|right)\b", said, re.I)
        if path.suffix == ".docx":
            header, _ = read_docx_turns(path)
            assert row.participant_id in header[0]
            assert row.interview_date in header[1] and row.persona in header[1]
        elif path.suffix == ".vtt":
            assert row.participant_id in speakers
            assert path.read_text(encoding="utf-8").count(" --> ") > len(turns)  # long turns span cues


# ---------------------------------------------------------------------------------------------
# The answer key is true of the files
# ---------------------------------------------------------------------------------------------


def tabular_ids() -> dict[str, str]:
    """Record id -> source type, over every tabular file."""
    ids = {}
    for rid in read_helpdesk()["Ticket ID"]:
        ids[rid] = "ticket"
    for rec in read_chats()[0]:
        ids[rec["id"]] = "ticket"
    for rid in read_reviews()["review_id"]:
        if rid:
            ids[rid] = "review"
    for item in read_app():
        ids[item["reviewId"]] = "review"
    for rid in read_survey()["response_id"]:
        ids[rid] = "survey"
    return ids


def test_answer_key_themes_are_well_formed(key):
    assert key["corpus"] == "demo_shop" and key["framework"] == "ecommerce"
    themes = key["themes"]
    assert 18 <= len(themes) <= 22
    assert len({t["id"] for t in themes}) == len(themes)
    per_stage = Counter(t["stage"] for t in themes)
    assert set(per_stage) == set(STAGES), "every stage id is a built-in ecommerce stage, and all are used"
    assert all(2 <= n <= 4 for n in per_stage.values()), per_stage
    assert {t["expected_sentiment"] for t in themes} <= SENTIMENTS
    assert {"negative", "positive"} <= {t["expected_sentiment"] for t in themes}
    for theme in themes:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", theme["id"])
        assert set(theme["source_types"]) <= {"ticket", "review", "interview", "survey"}
    sizes = {t["id"]: len(t["records"]) for t in themes}
    assert max(sizes.values()) >= 6 * min(sizes.values()), "prevalence must vary a lot"
    assert sum(12 <= n <= 20 for n in sizes.values()) >= 2, "some themes are rare"
    late = next(t for t in themes if t["id"] == "late_delivery")
    assert set(late["source_types"]) == {"ticket", "review", "interview", "survey"}
    assert sizes["late_delivery"] == max(sizes.values())
    single = {t["id"] for t in themes if len(t["source_types"]) == 1}
    assert len(single) >= 2, "some themes live in one source type only"
    assert sum(len(t["source_types"]) >= 3 for t in themes) >= 10


def test_every_answer_key_record_exists_with_the_right_source_type(key):
    ids = tabular_ids()
    seen = Counter()
    for theme in key["themes"]:
        present = set()
        for rid in theme["records"]:
            assert rid in ids, f"{theme['id']}: {rid} is not in any file"
            present.add(ids[rid])
            seen[rid] += 1
        if theme["interview_turns"]:
            present.add("interview")
        assert present == set(theme["source_types"]), theme["id"]
    assert max(seen.values()) == 1, "a record carries one planted theme"
    assert len(seen) >= 0.85 * len(ids), "most records carry a theme"


def test_every_interview_turn_in_the_key_is_a_participant_turn(key):
    participants = pd.read_csv(CORPUS / "interviews" / "participants.csv", dtype=str)
    turns = {row.participant_id: interview_turns(CORPUS / "interviews" / row.file) for row in participants.itertuples()}
    themes_per_participant: dict[str, set] = {}
    for theme in key["themes"]:
        for ref in theme["interview_turns"]:
            pid, n = ref.split(":")
            speaker, said = turns[pid][int(n) - 1]
            assert speaker not in INTERVIEWER_LABELS, f"{ref} is an interviewer turn"
            assert len(said.split()) >= 5, f"{ref} is too short to carry a theme: {said!r}"
            themes_per_participant.setdefault(pid, set()).add(theme["id"])
    assert set(themes_per_participant) == set(turns)
    assert all(3 <= len(v) <= 6 for v in themes_per_participant.values())
    # a theme's interview turns really talk about it: the participant's words come from that theme
    bank = phrasebank.THEMES_BY_ID
    for theme in key["themes"]:
        lines = bank[theme["id"]].interview + bank[theme["id"]].spoken
        for ref in theme["interview_turns"]:
            pid, n = ref.split(":")
            said = turns[pid][int(n) - 1][1]
            said = _norm(said)
            fragments = [_fragment(x) for x in lines] + [_fragment(x) for fam in bank[theme["id"]].families.values() for x in fam]
            assert any(f in said for f in fragments if f), (ref, said)


def _norm(text: str) -> str:
    return text.lower().replace("'", "")


def _fragment(sentence: str, size: int = 24) -> str:
    """A slot-free piece of a phrase-bank sentence, as it would appear in any writing style."""
    piece = max(re.split(r"\{\w+\}", sentence), key=len).strip()
    piece = _norm(piece)[1:].strip()  # the first letter's case changes with the style
    return piece[:size] if len(piece) >= 10 else ""


def test_planted_themes_are_written_in_many_ways():
    assert len(phrasebank.THEMES) == 22
    for theme in phrasebank.THEMES:
        variants = theme.variants()
        assert len(set(variants)) >= 12, theme.id
        assert 2 <= len(theme.families) <= 4
        first_words = {v.split()[0].lower() for v in variants}
        assert len(first_words) >= 6, f"{theme.id} reads as templated"
    assert len(phrasebank.SARCASTIC) >= 3 and len(phrasebank.POLITE_COMPLAINTS) >= 3


def test_records_read_like_their_theme(key):
    """Spot check: each themed review body contains a sentence (or a styled form of one) from its theme."""
    reviews = read_reviews().set_index("review_id")
    for theme in key["themes"]:
        fragments = [_fragment(x, 16) for fam in phrasebank.THEMES_BY_ID[theme["id"]].families.values() for x in fam]
        fragments = [f for f in fragments if f]
        for rid in [r for r in theme["records"] if r.startswith("R-")][:15]:
            body = _norm(reviews.loc[rid, "body"])
            # typos may damage one fragment, so accept a match on any of the record's sentences
            assert any(f in body for f in fragments) or rid in key["tone"]["typos"], (theme["id"], rid, body)


def test_tone_and_noise_are_planted(key):
    tone = key["tone"]
    assert len(tone["sarcastic"]) >= 3 and len(tone["polite_complaint"]) >= 3
    assert len(tone["shouty"]) >= 5 and len(tone["texting"]) >= 5 and len(tone["typos"]) >= 5
    noise = key["noise"]
    ids = tabular_ids()
    for kind in ("duplicates", "near_duplicates", "non_english", "empty", "greetings_only", "off_topic", "emoji_or_ok"):
        assert noise[kind], kind
        for rid in noise[kind]:
            assert rid in ids, (kind, rid)
    assert 6 <= len(noise["non_english"]) <= 10
    reviews = read_reviews().set_index("review_id")
    tickets = read_helpdesk().set_index("Ticket ID")
    for copy, original in noise["duplicate_of"].items():
        table = reviews if copy.startswith("R-") else tickets
        assert table.loc[copy].to_dict() == table.loc[original].to_dict(), copy
    for copy, original in noise["near_duplicate_of"].items():
        table, col = (reviews, "body") if copy.startswith("R-") else (tickets, "Description")
        a, b = table.loc[copy, col], table.loc[original, col]
        assert a != b and (a in b or b in a or a.rstrip(".!") [:40] == b.rstrip(".!")[:40]), copy
    # no accidental exact duplicates besides the planted ones
    planted = set(noise["duplicates"])
    themed_bodies = reviews[reviews["body"].str.len() > 0].drop(index=[i for i in planted if i in reviews.index])
    assert themed_bodies["body"].is_unique


def test_every_planted_personal_string_is_in_the_corpus(key):
    text = all_text()
    pii = key["pii"]
    kinds = Counter(p["kind"] for p in pii)
    for kind in ("person", "email", "phone", "order_number", "card_number", "address"):
        assert kinds[kind] >= 2, kind
    assert len({(p["kind"], p["value"]) for p in pii}) == len(pii)
    for item in pii:
        assert item["value"] in text, item
        if item["kind"] == "card_number":
            assert luhn_ok(item["value"]) and len(re.sub(r"\D", "", item["value"])) == 16
        if item["kind"] == "order_number":
            assert re.fullmatch(r"LH-\d{6}", item["value"])
        if item["kind"] == "email":
            assert re.fullmatch(r"[\w.]+@[\w.]+\.\w+", item["value"])
    # every order number in the corpus is listed
    listed = {p["value"] for p in pii if p["kind"] == "order_number"}
    assert set(re.findall(r"LH-\d{6}", text)) == listed
    # the named speaker of the Otter-style file is listed, so pseudonymisation can be checked
    named = [p for p in sorted((CORPUS / "interviews").glob("*.txt")) if re.search(r"^[A-Z][a-z]+ \(\d\d:\d\d\): ", p.read_text(encoding="utf-8"), re.M)]
    speaker = re.search(r"^(?!Moderator)([A-Z][a-z]+) \(\d\d:\d\d\): ", named[0].read_text(encoding="utf-8"), re.M).group(1)
    assert {"kind": "person", "value": speaker, "field": "text"} in pii


def test_voc_synth_yaml_points_at_real_files():
    config = yaml.safe_load((CORPUS / "voc_synth.yaml").read_text(encoding="utf-8"))
    assert config["framework"] == "ecommerce" and config["seed"] == 42
    assert config["redaction"]["patterns"]["order_number"] == r"LH-\d{6}"
    assert len(config["sources"]) == 6
    for source in config["sources"]:
        assert (CORPUS / source["path"]).exists(), source["path"]
    header = {
        "tickets/helpdesk_export.csv": list(read_helpdesk().columns),
        "reviews/product_reviews.csv": list(read_reviews().columns),
        "surveys/nps_survey.csv": list(read_survey().columns),
        "reviews/app_store_reviews.json": list(read_app()[0]),
        "tickets/chat_escalations.jsonl": list(read_chats()[0][0]),
    }
    for source in config["sources"]:
        if source["path"] in header:
            cols = source["columns"]
            named = [v for k, v in cols.items() if k not in ("text", "keep")] + cols["text"] + cols.get("keep", [])
            assert set(named) <= set(header[source["path"]]), source["path"]


def test_voc_synth_yaml_is_a_valid_config():
    from voc_synth.config import load_config

    config = load_config(CORPUS / "voc_synth.yaml")
    assert config.framework == "ecommerce"


# ---------------------------------------------------------------------------------------------
# The synthetic benchmark corpus
# ---------------------------------------------------------------------------------------------


def _count_csv_rows(path: Path) -> tuple[int, list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        ids = [row[0] for row in reader if row]
    return len(ids), ids


def test_synthetic_corpus_at_1000_segments(tmp_path):
    ticks = []
    summary = write_synthetic_corpus(tmp_path, n_segments=1000, seed=3, progress=ticks.append)
    assert ticks and ticks[-1] == summary["records"]
    files = {
        "review": tmp_path / "reviews" / "product_reviews.csv",
        "ticket": tmp_path / "tickets" / "helpdesk_export.csv",
        "survey": tmp_path / "surveys" / "nps_survey.csv",
    }
    ids: dict[str, str] = {}
    total = 0
    for source, path in files.items():
        n, source_ids = _count_csv_rows(path)
        assert n == summary["record_counts"][source]
        total += n
        ids.update(dict.fromkeys(source_ids, source))
    assert abs(total - summary["records_target"]) <= 0.1 * summary["records_target"]
    assert abs(summary["segments"] - 1000) <= 100
    assert len(ids) == total, "record ids are unique across files"

    transcripts = sorted((tmp_path / "interviews").glob("*.txt"))
    assert 1 <= len(transcripts) <= 10

    key = yaml.safe_load((tmp_path / "ANSWER_KEY.yaml").read_text(encoding="utf-8"))
    assert key["labels"] == "labels.csv"
    assert {t["stage"] for t in key["themes"]} <= set(STAGES)
    theme_ids = {t["id"] for t in key["themes"]}
    labels = pd.read_csv(tmp_path / "labels.csv", dtype=str)
    assert list(labels.columns) == ["record_id", "theme_id"]
    assert labels["record_id"].is_unique
    assert set(labels["record_id"]) <= set(ids)
    assert set(labels["theme_id"]) <= theme_ids
    assert len(labels) >= 0.9 * total
    assert labels["theme_id"].nunique() >= 15

    config = yaml.safe_load((tmp_path / "voc_synth.yaml").read_text(encoding="utf-8"))
    for source in config["sources"]:
        assert (tmp_path / source["path"]).exists()

    # same seed, same bytes
    again = tmp_path / "again"
    write_synthetic_corpus(again, n_segments=1000, seed=3)
    assert (again / "labels.csv").read_bytes() == (tmp_path / "labels.csv").read_bytes()
    assert (again / "reviews" / "product_reviews.csv").read_bytes() == files["review"].read_bytes()


def test_synthetic_corpus_scales_its_record_count(tmp_path):
    small = write_synthetic_corpus(tmp_path / "a", n_segments=1000)
    large = write_synthetic_corpus(tmp_path / "b", n_segments=5000)
    assert 4 <= large["records"] / small["records"] <= 6


def test_synthetic_corpus_does_not_repeat_itself_at_scale(tmp_path):
    """A benchmark at N segments must analyse about N segments: records that repeat word for
    word are dropped as duplicates by ingest, so at 100k they would shrink the corpus."""
    from voc_synth.ingest.dedupe import normalise_for_dedupe

    summary = write_synthetic_corpus(tmp_path, n_segments=60_000, seed=1)
    frames = {
        "review": pd.read_csv(tmp_path / "reviews" / "product_reviews.csv", dtype=str, keep_default_na=False),
        "ticket": pd.read_csv(tmp_path / "tickets" / "helpdesk_export.csv", dtype=str, keep_default_na=False),
        "survey": pd.read_csv(tmp_path / "surveys" / "nps_survey.csv", dtype=str, keep_default_na=False),
    }
    texts = {
        "review": (frames["review"]["title"] + " " + frames["review"]["body"]).tolist(),
        "ticket": (frames["ticket"]["Subject"] + " " + frames["ticket"]["Description"]).tolist(),
        "survey": frames["survey"]["comment"].tolist(),
    }
    records = sum(len(t) for t in texts.values())
    assert records == summary["records"] >= 25_000
    unique = sum(len({normalise_for_dedupe(t) for t in source}) for source in texts.values())
    assert unique >= 0.97 * records, f"only {unique:,} of {records:,} records differ"
    # ... and the openers, tails and synonyms that vary them do not drown the theme's own words.
    labels = pd.read_csv(tmp_path / "labels.csv", dtype=str).set_index("record_id")["theme_id"]
    late = frames["review"][frames["review"]["review_id"].map(labels) == "late_delivery"]["body"].str.lower()
    assert late.str.contains(r"late|days|week|delivery|arriv|wait|still|promised|date").mean() >= 0.9
