"""Nothing in any input crashes ingestion: random bytes and random CSV/JSON/transcript shapes
go through every reader, and the only exceptions allowed out are `VocSynthError`s."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voc_synth.config import ColumnMap, Config, SourceConfig
from voc_synth.errors import VocSynthError
from voc_synth.ingest import ingest
from voc_synth.ingest.readers import open_file
from voc_synth.ingest.records import RawRecord, SkippedRecord

EXTENSIONS = [".csv", ".tsv", ".json", ".jsonl", ".xlsx", ".txt", ".md", ".vtt", ".srt", ".docx"]
SOURCES = [
    SourceConfig(path=Path(".")),
    SourceConfig(path=Path("."), type="interview"),
    SourceConfig(path=Path("."), type="ticket"),
    SourceConfig(path=Path("."), type="survey", encoding="utf-8"),
    SourceConfig(path=Path("."), type="review", columns=ColumnMap(text=["text"], id="id")),
]
# VOC_SYNTH_FUZZ_EXAMPLES=1000 for a deeper run; the default keeps the suite quick.
FAST = settings(max_examples=int(os.environ.get("VOC_SYNTH_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# Text that likes to break parsers: quotes, separators, labels, timestamps, markup, odd Unicode.
nasty_text = st.lists(
    st.one_of(
        st.sampled_from(list(",;\t|\"'\n\r:[]()<>/&#*_-—–0123456789 ")),
        st.sampled_from(["P3", "Interviewer", "Q", "A", "-->", "00:01:02", "<v Dana>", "WEBVTT", "NOTE",
                         "<p>", "&amp;", "On Mon wrote:", "> ", "--", "Kind regards,", "\ufeff", "\x00", "é", "😀"]),
        st.characters(),
    ),
    max_size=30,
).map("".join)


def read_everything(path: Path, source: SourceConfig) -> list[RawRecord | SkippedRecord]:
    """What ingest does with one file, without spaCy: open it and pull every record."""
    _info, stream = open_file(path, path.name, source, 0)
    return list(stream)


def _check(path: Path, source: SourceConfig) -> None:
    try:
        items = read_everything(path, source)
    except VocSynthError:
        return
    for item in items:
        assert isinstance(item, RawRecord | SkippedRecord)


@FAST
@given(data=st.binary(max_size=2048), ext=st.sampled_from(EXTENSIONS), source=st.sampled_from(SOURCES))
def test_random_bytes_in_every_reader(data: bytes, ext: str, source: SourceConfig) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{ext}"
        path.write_bytes(data)
        _check(path, source)


@FAST
@given(
    header=st.lists(nasty_text, min_size=0, max_size=6),
    rows=st.lists(st.lists(nasty_text, max_size=8), max_size=8),
    ext=st.sampled_from([".csv", ".tsv"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    source=st.sampled_from(SOURCES),
)
def test_random_csv_shapes(header: list[str], rows: list[list[str]], ext: str, encoding: str,
                           source: SourceConfig) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if ext == ".tsv" else ",")
    for row in [header, *rows]:
        writer.writerow(row)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{ext}"
        path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
        _check(path, source)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | nasty_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4),
    max_leaves=20,
)
json_records = st.dictionaries(
    st.sampled_from(["id", "text", "body", "content", "reviewId", "score", "rating", "date", "at", "comment"]) | nasty_text,
    json_values, max_size=6,
)


@FAST
@given(
    shape=st.one_of(json_values, st.lists(json_records, max_size=6),
                    st.fixed_dictionaries({"data": st.lists(json_records | json_values, max_size=6)})),
    source=st.sampled_from(SOURCES),
)
def test_random_json_shapes(shape: object, source: SourceConfig) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.json"
        path.write_text(json.dumps(shape, allow_nan=True), encoding="utf-8")
        _check(path, source)


@FAST
@given(lines=st.lists(json_records.map(json.dumps) | nasty_text, max_size=10), source=st.sampled_from(SOURCES))
def test_random_jsonl_shapes(lines: list[str], source: SourceConfig) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        _check(path, source)


transcript_line = st.one_of(
    nasty_text,
    st.builds(lambda ts, label, text: f"[{ts}] {label}: {text}",
              st.sampled_from(["00:00:01", "1:02", "99:99:99", "00:00"]),
              st.sampled_from(["P3", "Interviewer", "Dana", "Q", "A", "x"]), nasty_text),
    st.builds(lambda label, text: f"{label}: {text}", st.sampled_from(["Moderator", "P07", "Sam (00:12)", "**Q**"]), nasty_text),
    st.builds(lambda a, b, text: f"{a} --> {b}\n<v {text}>{text}", st.sampled_from(["00:00:01.000", "1:2"]),
              st.sampled_from(["00:00:04.000", "x"]), nasty_text),
)


@FAST
@given(lines=st.lists(transcript_line, max_size=12), ext=st.sampled_from([".txt", ".md", ".vtt", ".srt"]),
       header=st.sampled_from(["", "WEBVTT\n\n", "1\n"]), source=st.sampled_from(SOURCES))
def test_random_transcripts(lines: list[str], ext: str, header: str, source: SourceConfig) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{ext}"
        path.write_text(header + "\n\n".join(lines), encoding="utf-8", errors="surrogatepass")
        _check(path, source)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paragraphs=st.lists(st.tuples(st.booleans(), nasty_text), max_size=8),
       cells=st.lists(st.lists(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), nasty_text), max_size=5),
                      max_size=6),
       source=st.sampled_from(SOURCES))
def test_random_word_and_excel_files(paragraphs: list[tuple[bool, str]], cells: list[list[object]],
                                     source: SourceConfig) -> None:
    import docx
    import openpyxl

    def xml_safe(value: object) -> object:
        # python-docx / openpyxl refuse XML control characters when *writing*; reading is what we test.
        if isinstance(value, str):
            return "".join(ch for ch in value if ch in "\t\n" or (ord(ch) >= 32 and not 0xD800 <= ord(ch) <= 0xDFFF))
        return value

    with tempfile.TemporaryDirectory() as tmp:
        document = docx.Document()
        for bold, text in paragraphs:
            paragraph = document.add_paragraph()
            paragraph.add_run(xml_safe(text)).bold = bold  # type: ignore[arg-type]
        document.save(str(Path(tmp) / "input.docx"))
        _check(Path(tmp) / "input.docx", source)

        book = openpyxl.Workbook()
        for row in cells:
            book.active.append([xml_safe(c) for c in row])
        book.save(str(Path(tmp) / "input.xlsx"))
        _check(Path(tmp) / "input.xlsx", source)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(st.tuples(st.sampled_from(EXTENSIONS), st.binary(max_size=400) | nasty_text.map(str.encode)),
                      min_size=1, max_size=5),
       source=st.sampled_from(SOURCES))
def test_whole_ingest_on_random_folders(files: list[tuple[str, bytes]], source: SourceConfig) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i, (ext, data) in enumerate(files):
            (folder / f"f{i}{ext}").write_bytes(data)
        config = Config(sources=[source.model_copy(update={"path": Path("in")})], base_dir=Path(tmp))
        try:
            result = ingest(config)
        except VocSynthError:
            return
        assert result.manifest["reconciles"] is True
