"""Codebooks imported straight from QualCoder and Taguette project databases: the researcher's
codes, definitions (memos, descriptions), category paths and coded passages reach
`themes.codebook`, the project is never written to, and anything else is refused clearly.

The databases are built here with each tool's own table layout (QualCoder's `data.qda` inside a
`NAME.qda` folder; Taguette's `.sqlite3`); the coded passages are written for this test."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from voc_synth.cli import app
from voc_synth.config import ThemeConfig
from voc_synth.errors import InputError
from voc_synth.report.qda_databases import snippet_text
from voc_synth.report.qdpx import read_codebook

# QualCoder's tables as its project creation writes them (only those the import reads, plus one
# it does not, to show other tables do not matter).
QUALCODER_SCHEMA = [
    "CREATE TABLE project (databaseversion text, date text, memo text, about text, codername text)",
    "CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text, "
    "owner text, date text, av_text_id integer, risid integer, unique(name))",
    "CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text, "
    "supercatid integer, unique(name))",
    "CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer, owner text, "
    "date text, color text, unique(name))",
    "CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer, seltext text, pos0 integer, "
    "pos1 integer, owner text, date text, memo text, avid integer, important integer, "
    "unique(cid,fid,pos0,pos1, owner))",
]

TRANSCRIPT_A = ("Interviewer: How did the delivery go?\nP1: Um, so it was, it was meant to come Tuesday "
                "and it turned up the Friday after. Nobody told me anything.\nInterviewer: And the tracking?\n"
                "P1: The tracking just said in transit for like five days, it never moved.")
TRANSCRIPT_B = ("Interviewer: Anything else?\nP2: Honestly the returns were dead easy, I printed the label "
                "and dropped it off at the corner shop.")


def _passage(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def _qualcoder_project(folder: Path) -> Path:
    """A QualCoder project folder NAME.qda with two transcripts, nested categories and codings."""
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "data.qda")
    for statement in QUALCODER_SCHEMA:
        conn.execute(statement)
    conn.execute("INSERT INTO project VALUES ('v7', '2026-11-02 10:00:00', '', 'QualCoder 3.6', 'coder')")
    conn.executemany("INSERT INTO source (id, name, fulltext) VALUES (?, ?, ?)",
                     [(1, "P1.txt", TRANSCRIPT_A), (2, "P2.txt", TRANSCRIPT_B)])
    conn.executemany("INSERT INTO code_cat (catid, name, supercatid) VALUES (?, ?, ?)",
                     [(1, "Fulfilment", None), (2, "Delivery", 1)])
    conn.executemany("INSERT INTO code_name (cid, name, memo, catid) VALUES (?, ?, ?, ?)", [
        (1, "Late parcels", "The parcel came after the promised date.\nExample: it was a week late", 2),
        (2, "Tracking stalls", "Tracking stops updating after dispatch.", 2),
        (3, "Easy returns", None, None),
        (4, "Never used", "A code nobody applied.", 1),
    ])
    codings = [
        (1, 1, "it was meant to come Tuesday and it turned up the Friday after"),
        (1, 1, "Nobody told me anything."),
        (2, 1, "The tracking just said in transit for like five days, it never moved."),
        (3, 2, "the returns were dead easy, I printed the label and dropped it off at the corner shop"),
    ]
    for cid, fid, phrase in codings:
        text = TRANSCRIPT_A if fid == 1 else TRANSCRIPT_B
        start, end = _passage(text, phrase)
        conn.execute("INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner) VALUES (?, ?, ?, ?, ?, 'coder')",
                     (cid, fid, text[start:end], start, end))
    # The same passage coded twice by two coders is one example.
    start, end = _passage(TRANSCRIPT_A, "Nobody told me anything.")
    conn.execute("INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner) VALUES (1, 1, ?, ?, ?, 'second')",
                 (TRANSCRIPT_A[start:end], start, end))
    conn.commit()
    conn.close()
    return folder


TAGUETTE_SCHEMA = [
    "CREATE TABLE projects (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR(200) NOT NULL, "
    "description TEXT NOT NULL, created DATETIME NOT NULL)",
    "CREATE TABLE documents (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR(200) NOT NULL, "
    "description TEXT NOT NULL, filename VARCHAR(200) NOT NULL, created DATETIME NOT NULL, "
    "project_id INTEGER NOT NULL, text_direction VARCHAR(13) NOT NULL, contents TEXT NOT NULL)",
    "CREATE TABLE tags (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, "
    "path VARCHAR(200) NOT NULL, description TEXT NOT NULL, CONSTRAINT uq_tags_project_id UNIQUE (project_id, path))",
    "CREATE TABLE highlights (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, document_id INTEGER NOT NULL, "
    "start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, snippet TEXT NOT NULL)",
    "CREATE TABLE highlight_tags (highlight_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, "
    "CONSTRAINT pk_highlight_tags PRIMARY KEY (highlight_id, tag_id))",
]


def _taguette_database(path: Path, second_project: bool = False) -> Path:
    conn = sqlite3.connect(path)
    for statement in TAGUETTE_SCHEMA:
        conn.execute(statement)
    conn.execute("INSERT INTO projects VALUES (1, 'Checkout study', 'Think-aloud sessions', '2026-10-01')")
    conn.execute("INSERT INTO documents VALUES (1, 'S1', '', 'S1.odt', '2026-10-01', 1, 'LEFT_TO_RIGHT', "
                 "'<p>I can''t find where the promo box is.</p><p>Oh, there. Fine &amp; quick after that.</p>')")
    conn.executemany("INSERT INTO tags VALUES (?, ?, ?, ?)", [
        (1, 1, "Promo field hidden", "The participant cannot find where to enter a code."),
        (2, 1, "Checkout quick", "Paying is fast once started.\ne.g. done in a minute"),
    ])
    conn.executemany("INSERT INTO highlights VALUES (?, 1, ?, ?, ?)", [
        (1, 0, 38, "<p>I can&#x27;t find where the promo box is.</p>"),
        (2, 39, 80, "<p>Oh, there.</p>\n<p>Fine &amp; quick<br>after that.</p>"),
    ])
    conn.executemany("INSERT INTO highlight_tags VALUES (?, ?)", [(1, 1), (2, 2)])
    if second_project:
        conn.execute("INSERT INTO projects VALUES (2, 'Onboarding study', '', '2026-10-02')")
        conn.execute("INSERT INTO tags VALUES (3, 2, 'Sign-up confusing', 'Too many steps.')")
    conn.commit()
    conn.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_qualcoder_project_folder_imports_its_codes_memos_categories_and_codings(tmp_path: Path) -> None:
    project = _qualcoder_project(tmp_path / "delivery study.qda")
    before = _digest(project / "data.qda")
    config = tmp_path / "voc_synth.yaml"
    config.write_text("project: study\nsources:\n  - path: transcripts\n    type: interview\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["import-codebook", str(project), "--into", str(config)])

    assert result.exit_code == 0, result.output
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    entries = {e["name"]: e for e in data["themes"]["codebook"]}
    late = entries["Fulfilment / Delivery / Late parcels"]
    assert late["definition"] == "The parcel came after the promised date."
    # The memo's example first, then each coded passage once (two coders coded one twice).
    assert late["examples"] == ["it was a week late",
                                "it was meant to come Tuesday and it turned up the Friday after",
                                "Nobody told me anything."]
    assert entries["Fulfilment / Delivery / Tracking stalls"]["examples"] == [
        "The tracking just said in transit for like five days, it never moved."]
    returns = entries["Easy returns"]
    assert "definition" not in returns and returns["examples"][0].startswith("the returns were dead easy")
    # A code nobody applied still stands for what its memo defines.
    assert entries["Fulfilment / Never used"] == {"name": "Fulfilment / Never used",
                                                  "definition": "A code nobody applied."}
    assert data["sources"][0]["path"] == "transcripts"  # the rest of the config is kept
    ThemeConfig(codebook=data["themes"]["codebook"])
    assert _digest(project / "data.qda") == before  # read only


def test_the_database_file_inside_a_qualcoder_project_imports_the_same(tmp_path: Path) -> None:
    project = _qualcoder_project(tmp_path / "study.qda")
    assert read_codebook(project / "data.qda") == read_codebook(project)


def test_a_taguette_project_imports_tags_descriptions_and_highlights(tmp_path: Path) -> None:
    database = _taguette_database(tmp_path / "checkout.sqlite3")

    entries = {e["name"]: e for e in read_codebook(database)}

    assert entries["Promo field hidden"] == {
        "name": "Promo field hidden", "definition": "The participant cannot find where to enter a code.",
        "examples": ["I can't find where the promo box is."]}
    # The description's "e.g." line is an example; the highlight's HTML becomes plain text.
    assert entries["Checkout quick"]["definition"] == "Paying is fast once started."
    assert entries["Checkout quick"]["examples"] == ["done in a minute", "Oh, there. Fine & quick after that."]


def test_a_taguette_database_with_several_projects_asks_which(tmp_path: Path) -> None:
    database = _taguette_database(tmp_path / "server.sqlite3", second_project=True)

    result = CliRunner().invoke(app, ["import-codebook", str(database)])
    assert result.exit_code != 0
    assert "2 projects" in result.output and "'Onboarding study'" in result.output and "--project" in result.output

    result = CliRunner().invoke(app, ["import-codebook", str(database), "--project", "Onboarding study"])
    assert result.exit_code == 0, result.output
    assert [e["name"] for e in yaml.safe_load(result.output)["themes"]["codebook"]] == ["Sign-up confusing"]
    with pytest.raises(InputError, match="no Taguette project named 'Pricing'"):
        read_codebook(database, project="Pricing")


def test_an_sqlite_database_of_another_tool_is_refused_with_what_was_expected(tmp_path: Path) -> None:
    other = tmp_path / "notes.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id integer, body text)")
    conn.commit()
    conn.close()
    with pytest.raises(InputError, match="neither a QualCoder project .* nor a Taguette project"):
        read_codebook(other)
    empty = tmp_path / "empty.qda"
    empty.mkdir()
    (empty / "data.qda").write_bytes(b"")
    with pytest.raises(InputError, match=r"not a QualCoder project \(a NAME.qda folder holding data.qda\)"):
        read_codebook(empty)
    with pytest.raises(InputError, match="not a QualCoder project"):
        read_codebook(tmp_path / "missing.qda")


def test_highlight_html_becomes_the_words_a_reader_sees() -> None:
    assert snippet_text("<p>Fine &amp; quick</p><p>after&nbsp;that</p>") == "Fine & quick after that"
