"""REFI-QDA exchange: the .qdpx validates against the shipped Project.xsd, an independent reader
finds every theme and every coded segment at its exact offsets, and a .qdc codebook imports as
the config's codebook."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml
from report_fixtures import make_synthesis
from typer.testing import CliRunner

from voc_synth.cli import app
from voc_synth.config import ThemeConfig
from voc_synth.errors import InputError
from voc_synth.report.qdpx import (
    build_project,
    export_qdpx,
    read_codebook,
    read_project,
    schema_path,
    validate_project,
)


@pytest.fixture(scope="module")
def synthesis():
    return make_synthesis()


@pytest.fixture(scope="module")
def exported(synthesis, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_qdpx(synthesis, tmp_path_factory.mktemp("qdpx") / "run.qdpx")


def test_schema_ships_with_its_licence() -> None:
    assert schema_path().is_file()
    licence = schema_path().with_name("LICENSE").read_text(encoding="utf-8")
    assert "MIT" in licence and "REFI" in licence


def test_project_validates_against_the_xsd(synthesis) -> None:
    xml, files = build_project(synthesis)
    assert validate_project(xml) == []
    assert files


def test_validation_catches_a_broken_project(synthesis) -> None:
    xml, _ = build_project(synthesis)
    broken = xml.replace(b'isCodable="true"', b'isCodable="maybe"', 1)
    assert validate_project(broken)
    no_positions = xml.replace(b"startPosition=", b"beginning=", 1)
    assert validate_project(no_positions)


def test_independent_reader_finds_every_theme_and_coded_segment(synthesis, exported: Path) -> None:
    from voc_synth.report._common import build_view

    project = read_project(exported)
    themes = synthesis.themes
    label_of = {t.theme_id: t.label for t in build_view(synthesis).themes}  # labels as every report shows them
    code_names = {c.name for c in project.codes.values() if c.codable}
    assert set(label_of.values()) <= code_names and len(label_of) == len(themes)
    # Theme groups are parent codes, not codable themselves.
    parents = {c.guid for c in project.codes.values() if not c.codable}
    assert parents and all(project.codes[c.parent].guid in parents
                           for c in project.codes.values() if c.codable and c.parent)
    docs = synthesis.documents.set_index("doc_id")["text"].to_dict()
    themed = synthesis.segments[synthesis.segments["theme_id"].isin(themes["theme_id"])]
    assert len(project.selections) == len(themed)
    by_name = {c.guid: c.name for c in project.codes.values()}
    fits = 0
    for r in themed.itertuples():
        start, end, text = int(r.char_start), int(r.char_end), docs[r.doc_id]
        matching = [s for s in project.selections if by_name[s.codes[0]] == label_of[r.theme_id]]
        if 0 <= start < end <= len(text):
            fits += 1  # at its exact offsets, covering exactly the record's text there
            assert any(s.start == start and s.end == end and s.text == text[start:end] for s in matching)
        else:  # the record was saved without its text: the segment's words are the selection
            assert any(s.text == r.text for s in matching)
    assert fits > 0
    # Every participant is a case, and cases point at real selections/sources.
    known = {s.guid for s in project.selections} | set(project.sources)
    assert set(synthesis.documents["participant"].dropna()) - {""} <= set(project.cases)
    assert all(ref in known for refs in project.cases.values() for ref in refs)


def test_insight_and_evidence_are_in_code_descriptions(exported: Path) -> None:
    project = read_project(exported)
    descriptions = [c.description for c in project.codes.values() if c.codable]
    assert all("Evidence:" in d and "Prevalence:" in d for d in descriptions)


def test_export_is_deterministic_and_zip_is_flat(synthesis, tmp_path: Path) -> None:
    a = export_qdpx(synthesis, tmp_path / "a.qdpx")
    b = export_qdpx(synthesis, tmp_path / "b.qdpx")
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.read("project.qde") == zb.read("project.qde")
        names = za.namelist()
    assert "project.qde" in names
    assert all(n == "project.qde" or (n.startswith("Sources/") and n.count("/") == 1) for n in names)


def test_hostile_labels_still_validate(synthesis, tmp_path: Path) -> None:
    hostile = synthesis.themes.copy()
    hostile.loc[hostile.index[0], "label"] = "<script>alert(1)</script> & \x00\x07 =HYPERLINK(\"x\")"
    from voc_synth.synthesis import Synthesis

    s = Synthesis(documents=synthesis.documents, segments=synthesis.segments, themes=hostile,
                  quotes=synthesis.quotes, stages=synthesis.stages, framework=synthesis.framework,
                  meta=synthesis.meta)
    xml, _ = build_project(s)
    assert validate_project(xml) == []
    assert b"<script>" not in xml


def test_cli_export_qdpx(synthesis, tmp_path: Path) -> None:
    run = tmp_path / "run"
    synthesis.save(run)
    result = CliRunner().invoke(app, ["export", str(run), "--qdpx"])
    assert result.exit_code == 0, result.output
    assert read_project(run / "project.qdpx").selections


QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="a CAQDAS tool">
  <Codes>
    <Code guid="0b8a4f52-51c3-4a0e-9d0e-3c1a3a2b7c01" name="Delivery" isCodable="false">
      <Description>Everything about getting the order to the door.</Description>
      <Code guid="0b8a4f52-51c3-4a0e-9d0e-3c1a3a2b7c02" name="Late parcels" isCodable="true" color="#aa3300">
        <Description>The parcel arrived after the promised day.
Example: It turned up three days after the date on the confirmation.
Example: Still waiting a week later.</Description>
      </Code>
    </Code>
    <Code guid="0b8a4f52-51c3-4a0e-9d0e-3c1a3a2b7c03" name="Refund speed" isCodable="true">
      <Description>How long money took to come back after a return.</Description>
    </Code>
  </Codes>
</CodeBook>
"""


def test_qdc_codebook_imports_as_config_codebook(tmp_path: Path) -> None:
    path = tmp_path / "codes.qdc"
    path.write_text(QDC, encoding="utf-8")
    entries = read_codebook(path)
    assert entries == [
        {"name": "Delivery / Late parcels", "definition": "The parcel arrived after the promised day.",
         "examples": ["It turned up three days after the date on the confirmation.", "Still waiting a week later."]},
        {"name": "Refund speed", "definition": "How long money took to come back after a return."},
    ]
    ThemeConfig(codebook=entries)  # valid as themes.codebook
    config = tmp_path / "voc_synth.yaml"
    config.write_text("project: test\nsources:\n  - path: data.csv\n    type: review\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import-codebook", str(path), "--into", str(config)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    assert data["themes"]["codebook"][0]["name"] == "Delivery / Late parcels"
    assert data["sources"][0]["path"] == "data.csv"


def test_codebook_from_our_own_qdpx_round_trips(exported: Path, synthesis) -> None:
    from voc_synth.report._common import build_view

    names = {e["name"].rsplit(" / ", 1)[-1] for e in read_codebook(exported)}
    assert {t.label for t in build_view(synthesis).themes} <= names


def test_not_a_codebook(tmp_path: Path) -> None:
    bad = tmp_path / "x.qdc"
    bad.write_text("<not-xml", encoding="utf-8")
    with pytest.raises(InputError):
        read_codebook(bad)


def _partly_coded_project(path: Path) -> Path:
    """A .qdpx as a CAQDAS tool writes it after the researcher coded one transcript: two codes,
    passages of the inline plain text coded with them (one passage under both)."""
    text = ("Interviewer: How was the delivery?\n"
            "P1: Honestly it came four days late and nobody told me why.\n"
            "Interviewer: And getting your money back?\n"
            "P1: The refund took three weeks, I had to chase them twice.\n")
    late = "it came four days late and nobody told me why."
    refund = "The refund took three weeks, I had to chase them twice."
    chase = "I had to chase them twice."

    def sel(guid: str, passage: str, *codes: str) -> str:
        start = text.index(passage)
        refs = "".join(f'<Coding guid="{guid}{i}c"><CodeRef targetGUID="{c}"/></Coding>' for i, c in enumerate(codes))
        return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{start + len(passage)}">'
                f"{refs}</PlainTextSelection>")

    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="partly coded">
  <CodeBook><Codes>
    <Code guid="c-late" name="Late parcels" isCodable="true"><Description>Arrived after the promised day.</Description></Code>
    <Code guid="c-refund" name="Refund speed" isCodable="true"/>
  </Codes></CodeBook>
  <Sources><TextSource guid="s1" name="P1"><PlainTextContent>{text}</PlainTextContent>
    {sel("a", late, "c-late")}{sel("b", refund, "c-refund")}{sel("d", chase, "c-refund", "c-late")}{sel("e", refund, "c-refund")}
  </TextSource></Sources>
</Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
    return path


def test_coded_passages_of_a_qdpx_become_their_codes_examples(tmp_path: Path) -> None:
    entries = read_codebook(_partly_coded_project(tmp_path / "study.qdpx"))
    by_name = {e["name"]: e for e in entries}
    assert by_name["Late parcels"]["definition"] == "Arrived after the promised day."
    assert by_name["Late parcels"]["examples"] == ["it came four days late and nobody told me why.",
                                                   "I had to chase them twice."]
    # A passage coded twice under one code is one example; source order is kept.
    assert by_name["Refund speed"]["examples"] == ["The refund took three weeks, I had to chase them twice.",
                                                   "I had to chase them twice."]
    ThemeConfig(codebook=entries)
