"""REFI-QDA exchange: a run as a `.qdpx` project for NVivo, ATLAS.ti, MAXQDA or QualCoder, and a
CAQDAS codebook (`.qdc`) read back as the config's codebook.

The project (`project.qde` plus `Sources/<guid>.txt`, zipped) follows the REFI-QDA Project
schema (QDA-XML 1.0, shipped in `voc_synth/schema/refi_qda/` with its MIT licence):

- each record (interview, ticket, review, survey answer) is a `TextSource` whose plain text is
  the record's cleaned, redacted text — the text the segment offsets count in;
- each themed segment is a `PlainTextSelection` at its exact character offsets
  (`char_start`/`char_end`, Unicode code points as the standard counts), coded with its theme;
- themes are codes, nested under one parent code per theme group; a theme's description holds
  its insight, evidence strength and reason, prevalence, stage and keywords;
- participants (pseudonyms only) are cases, referring to their records and selections.

GUIDs are derived from the run's stable ids, so exporting the same run twice gives the same
project. `validate_project` checks the XML against the XSD with lxml; `read_project` is an
independent reader written against the specification with the standard library's parser (no
lxml, no code shared with the writer), used to check that what was written can be read back.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError

NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
QDE_NAME = "project.qde"
_GUID_ROOT = uuid.UUID("5f0c2a8e-7d1b-4c55-9a39-0b6f2f7c9e11")  # voc_synth's namespace for uuid5
_PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(text: object) -> str:
    """Text XML 1.0 can carry: characters it forbids (NUL, most C0 controls) are dropped."""
    return _XML_ILLEGAL.sub("", str(text))


def _guid(*parts: object) -> str:
    return str(uuid.uuid5(_GUID_ROOT, "\x1f".join(str(p) for p in parts)))


def schema_path() -> Path:
    """The REFI-QDA Project XSD shipped with the package."""
    return Path(str(resources.files("voc_synth") / "schema" / "refi_qda" / "Project.xsd"))


def _theme_description(theme: Any) -> str:
    lines = []
    if theme.insight:
        lines.append(f"Insight: {theme.insight}")
    lines.append(f"Evidence: {theme.evidence_strength} ({theme.evidence_reason})")
    lines.append(f"Prevalence: {theme.prevalence_text}")
    if theme.stage_name:
        lines.append(f"Journey stage: {theme.stage_name}")
    lines.append(f"Polarity: {theme.polarity_text}")
    if theme.keywords:
        lines.append("Keywords: " + ", ".join(theme.keywords))
    if theme.status:
        lines.append(f"Review: {theme.review_text}")
    return "\n".join(lines)


def build_project(synthesis: Any) -> tuple[bytes, dict[str, str]]:
    """(`project.qde` bytes, {file name in Sources/: text}) for a run."""
    from .. import __version__
    from ._common import build_view

    view = build_view(synthesis)
    run_key = synthesis.meta.get("project", "voc_synth")
    now = (synthesis.meta.get("created_at") or datetime.now(UTC).isoformat(timespec="seconds"))
    user = _guid(run_key, "user")
    ET.register_namespace("", NS)
    q = f"{{{NS}}}"
    project = ET.Element(f"{q}Project", {
        "name": _xml_safe(view.project or run_key), "origin": f"voc_synth {__version__}",
        "creatingUserGUID": user, "creationDateTime": now,
    })
    users = ET.SubElement(project, f"{q}Users")
    ET.SubElement(users, f"{q}User", {"guid": user, "name": "voc_synth"})

    # Codes: one parent per theme group, a child per theme.
    codebook = ET.SubElement(project, f"{q}CodeBook")
    codes = ET.SubElement(codebook, f"{q}Codes")
    code_of: dict[int, str] = {}
    groups: dict[str, ET.Element] = {}
    for theme in view.themes:
        group = theme.group_label or ""
        parent = codes
        if group:
            if group not in groups:
                color = _PALETTE[len(groups) % len(_PALETTE)]
                groups[group] = ET.SubElement(codes, f"{q}Code", {
                    "guid": _guid(run_key, "group", group), "name": _xml_safe(group), "isCodable": "false", "color": color})
                ET.SubElement(groups[group], f"{q}Description").text = _xml_safe(f"Theme group of {run_key}")
            parent = groups[group]
        code_of[int(theme.theme_id)] = _guid(run_key, "theme", theme.theme_id, theme.label)
        code = ET.SubElement(parent, f"{q}Code", {"guid": code_of[int(theme.theme_id)], "name": _xml_safe(theme.label),
                                                 "isCodable": "true"})
        ET.SubElement(code, f"{q}Description").text = _xml_safe(_theme_description(theme))

    # Sources and selections.
    documents = synthesis.documents
    segments = synthesis.segments
    files: dict[str, str] = {}
    source_of: dict[str, str] = {}
    selections_by_doc: dict[str, list[dict[str, Any]]] = {}
    if len(segments):
        for row in segments.to_dict("records"):
            theme_id = row.get("theme_id")
            if theme_id is None or int(theme_id) not in code_of:
                continue
            selections_by_doc.setdefault(str(row["doc_id"]), []).append(row)
    cases: dict[str, dict[str, list[str]]] = {}
    sources = ET.SubElement(project, f"{q}Sources")
    placed_elsewhere = 0
    for doc in documents.to_dict("records"):
        doc_id = str(doc["doc_id"])
        text = saved = str(doc.get("text") or "")
        guid = _guid(run_key, "doc", doc_id)
        spans: list[tuple[dict[str, Any], int, int]] = []
        for seg in selections_by_doc.get(doc_id, []):
            start, end = int(seg["char_start"]), int(seg["char_end"])
            if not (0 <= start < end <= len(saved)):
                # Offsets that do not fit the record's text (a record saved without its full
                # text): the segment is placed where its words are, or added to the source.
                words = str(seg.get("text") or "")
                if not words.strip():
                    continue
                found = text.find(words)
                if found < 0:
                    found = len(text) + (2 if text else 0)
                    text = f"{text}\n\n{words}" if text else words
                start, end = found, found + len(words)
                placed_elsewhere += 1
            spans.append((seg, start, end))
        source_of[doc_id] = guid
        files[f"{guid}.txt"] = text
        name = f"{doc.get('source_file', '')} · {doc.get('locator', '')} · {doc_id}".strip(" ·")
        source = ET.SubElement(sources, f"{q}TextSource", {
            "guid": guid, "name": _xml_safe(name), "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": user, "creationDateTime": now})
        ET.SubElement(source, f"{q}Description").text = _xml_safe(
            f"{doc.get('source_type', '')} from {doc.get('source_file', '')} ({doc.get('locator', '')})")
        participant = str(doc.get("participant") or "")
        if participant:
            cases.setdefault(participant, {"sources": [], "selections": []})["sources"].append(guid)
        for seg, start, end in spans:
            sel_guid = _guid(run_key, "segment", seg["segment_id"])
            selection = ET.SubElement(source, f"{q}PlainTextSelection", {
                "guid": sel_guid, "name": str(seg["segment_id"]), "startPosition": str(start),
                "endPosition": str(end), "creatingUser": user, "creationDateTime": now})
            coding = ET.SubElement(selection, f"{q}Coding", {
                "guid": _guid(run_key, "coding", seg["segment_id"]), "creatingUser": user, "creationDateTime": now})
            ET.SubElement(coding, f"{q}CodeRef", {"targetGUID": code_of[int(seg["theme_id"])]})
            who = str(seg.get("participant") or participant)
            if who:
                cases.setdefault(who, {"sources": [], "selections": []})["selections"].append(sel_guid)
    if not len(sources):
        project.remove(sources)
    if cases:
        # Cases come before Sources in the schema's sequence.
        cases_el = ET.Element(f"{q}Cases")
        for who, refs in sorted(cases.items()):
            case = ET.SubElement(cases_el, f"{q}Case", {"guid": _guid(run_key, "case", who), "name": _xml_safe(who)})
            for target in dict.fromkeys(refs["sources"]):
                ET.SubElement(case, f"{q}SourceRef", {"targetGUID": target})
            for target in refs["selections"]:
                ET.SubElement(case, f"{q}SelectionRef", {"targetGUID": target})
        project.insert(list(project).index(codebook) + 1, cases_el)
    if not len(codes):
        project.remove(codebook)
    ET.SubElement(project, f"{q}Description").text = _xml_safe(
        f"Exported by voc_synth from the run '{run_key}': themes are codes, theme groups parent codes, "
        "segments coded selections, participants cases."
        + (f" {placed_elsewhere} segment(s) whose offsets did not fit their record's saved text are placed "
           "where their words are in it, or added after it." if placed_elsewhere else ""))
    xml = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    return xml, files


def validate_project(xml: bytes) -> list[str]:
    """Errors of `project.qde` against the REFI-QDA Project XSD ([] when valid)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(schema_path())))
    document = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def export_qdpx(synthesis: Any, target: Path | str) -> Path:
    """Write the run as a REFI-QDA project; `target` is a `.qdpx` path or a folder (→ FOLDER/
    <project>.qdpx). Raises `InputError` if the result does not validate against the XSD."""
    target = Path(target)
    if target.suffix.lower() != ".qdpx":
        target = target / "project.qdpx"
    xml, files = build_project(synthesis)
    errors = validate_project(xml)
    if errors:
        raise InputError("The REFI-QDA project does not validate against Project.xsd:\n  " + "\n  ".join(errors[:10]))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".qdpx.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(QDE_NAME, xml)
        for name, text in files.items():
            archive.writestr(f"Sources/{name}", text.encode("utf-8"))
    tmp.replace(target)
    return target


# --- an independent reader, written against the specification ----------------------------------

@dataclass
class QdaCode:
    guid: str
    name: str
    description: str
    parent: str | None
    codable: bool


@dataclass
class QdaSelection:
    guid: str
    source: str
    start: int
    end: int
    codes: list[str]
    text: str


@dataclass
class QdaProject:
    name: str
    codes: dict[str, QdaCode] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # guid → plain text
    selections: list[QdaSelection] = field(default_factory=list)
    cases: dict[str, list[str]] = field(default_factory=dict)  # name → referenced GUIDs


# Coded passages kept as one code's examples: plenty to learn a code from, a config still readable.
MAX_CODED_EXAMPLES = 200


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _read_codes(parent: ET.Element, parent_guid: str | None, out: dict[str, QdaCode]) -> None:
    for code in _children(parent, "Code"):
        desc = _children(code, "Description")
        out[code.attrib["guid"]] = QdaCode(code.attrib["guid"], code.attrib["name"],
                                           (desc[0].text or "") if desc else "", parent_guid,
                                           code.attrib.get("isCodable", "true").lower() == "true")
        _read_codes(code, code.attrib["guid"], out)


def read_project(path: Path | str) -> QdaProject:
    """Read a `.qdpx` (any tool's): codes with their hierarchy, sources' plain text, the coded
    plain-text selections with the text they cover, and cases."""
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read(QDE_NAME))
        names = set(archive.namelist())

        def plain_text(source: ET.Element) -> str:
            inline = _children(source, "PlainTextContent")
            if inline:
                return inline[0].text or ""
            ref = source.attrib.get("plainTextPath", "")
            if ref.startswith("internal://"):
                member = "Sources/" + ref[len("internal://"):]
                if member in names:
                    return archive.read(member).decode("utf-8")
            return ""

        project = QdaProject(root.attrib.get("name", ""))
        for book in _children(root, "CodeBook"):
            for codes in _children(book, "Codes"):
                _read_codes(codes, None, project.codes)
        for sources in _children(root, "Sources"):
            for source in _children(sources, "TextSource"):
                text = plain_text(source)
                project.sources[source.attrib["guid"]] = text
                for sel in _children(source, "PlainTextSelection"):
                    start, end = int(sel.attrib["startPosition"]), int(sel.attrib["endPosition"])
                    coded = [ref.attrib["targetGUID"] for coding in _children(sel, "Coding")
                             for ref in _children(coding, "CodeRef")]
                    project.selections.append(QdaSelection(sel.attrib["guid"], source.attrib["guid"], start, end,
                                                           coded, text[start:end]))
        for cases in _children(root, "Cases"):
            for case in _children(cases, "Case"):
                project.cases[case.attrib.get("name", case.attrib["guid"])] = [
                    ref.attrib["targetGUID"] for ref in case if _local(ref.tag) in ("SourceRef", "SelectionRef")]
    return project


# --- codebook import -----------------------------------------------------------------------------

def read_codebook(path: Path | str, project: str | None = None) -> list[dict[str, Any]]:
    """A REFI-QDA codebook (`.qdc`, or the codes of a `.qdpx`) as `themes.codebook` entries:
    `{"name", "definition", "examples"}` for every codable code (parents' names prefix their
    children's: "Delivery / Late parcels"). Lines of a description starting "Example:" (or
    "e.g.") become examples, and so does the text of every passage a `.qdpx` project codes
    with the code (at most `MAX_CODED_EXAMPLES` each, in source order): with enough of them the
    theme step learns the researcher's coding from them (`themes.codebook`). A QualCoder or
    Taguette project database is read the same way (`qda_databases`; `project` names the project
    of a Taguette database that holds several). Raises `InputError` for a file that is not a
    codebook."""
    from .qda_databases import DATABASE_SUFFIXES, database_file, read_database_codebook

    path = Path(path)
    if database_file(path) is not None or path.is_dir() or path.suffix.lower() in DATABASE_SUFFIXES:
        return read_database_codebook(path, project)
    try:
        if path.suffix.lower() == ".qdpx":
            with zipfile.ZipFile(path) as archive:
                root = ET.fromstring(archive.read(QDE_NAME))
        else:
            root = ET.parse(path).getroot()
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError) as err:
        raise InputError(f"{path}: not a readable REFI-QDA codebook ({err}).") from None
    codes: dict[str, QdaCode] = {}
    if _local(root.tag) == "CodeBook":
        for block in _children(root, "Codes"):
            _read_codes(block, None, codes)
    else:
        for book in _children(root, "CodeBook"):
            for block in _children(book, "Codes"):
                _read_codes(block, None, codes)
    if not codes:
        raise InputError(f"{path}: no codes found (expected <CodeBook><Codes><Code …>).")
    coded = _coded_passages(path) if path.suffix.lower() == ".qdpx" else {}
    entries = []
    for code in codes.values():
        if not code.codable:
            continue
        names = [code.name]
        parent = code.parent
        while parent is not None and parent in codes:
            names.insert(0, codes[parent].name)
            parent = codes[parent].parent
        entries.append(codebook_entry(names, code.description, coded.get(code.guid, [])))
    return entries


def codebook_entry(path: list[str], description: str, coded: list[str]) -> dict[str, Any]:
    """One `themes.codebook` entry from a CAQDAS code: its name with its parents' before it
    ("Delivery / Late parcels"), its description's lines as the definition except those starting
    "Example:" (or "e.g.") which become examples, then the passages coded with it (distinct, at
    most `MAX_CODED_EXAMPLES`, in the order given)."""
    definition, examples = [], []
    for line in description.splitlines():
        stripped = line.strip()
        low = stripped.lower()
        if low.startswith(("example:", "e.g.", "eg:", "- example")):
            examples.append(stripped.split(":", 1)[-1].strip() if ":" in stripped else stripped[4:].strip())
        elif stripped:
            definition.append(stripped)
    entry: dict[str, Any] = {"name": " / ".join(path)}
    if definition:
        entry["definition"] = " ".join(definition)
    examples = [e for e in examples if e]
    examples += [t for t in dict.fromkeys(coded) if t and t not in examples][:MAX_CODED_EXAMPLES]
    if examples:
        entry["examples"] = examples
    return entry


def _coded_passages(path: Path) -> dict[str, list[str]]:
    """Code GUID → the distinct texts of the plain-text passages coded with it, whitespace
    collapsed, in source order."""
    out: dict[str, list[str]] = {}
    for selection in read_project(path).selections:
        text = " ".join(selection.text.split())
        for guid in selection.codes:
            if text and text not in out.setdefault(guid, []):
                out[guid].append(text)
    return out
