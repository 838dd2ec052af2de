"""Exporters on a realistic fixture with hostile customer text: every file is written, JSON
matches its schema, spreadsheets are formula-safe and typed, Markdown and HTML cannot be broken
out of, figures and notebook reprs render."""

from __future__ import annotations

import copy
import csv
import json
import re
import struct
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape as ooxml_unescape
from report_fixtures import FORMULAS, HOSTILE, PWN_IMG, PWN_SCRIPT, make_synthesis

from voc_synth.errors import ConfigError
from voc_synth.report import (
    FORMATS,
    ThemeCard,
    render_journey_map,
    render_markdown,
    schema_errors,
    validate_synthesis,
    write_comparison,
    write_outputs,
)
from voc_synth.report.markdown import md_text
from voc_synth.report.tables_export import cell_value, export_frame, neutralise
from voc_synth.synthesis import Synthesis

EXPECTED_FILES = {
    "journey_map.html", "report.md", "synthesis.json", "segments.csv", "themes.csv", "quotes.csv",
    "stages.csv", "voc_synth.xlsx", "journey_map.png", "journey_map.svg",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RAW_HOSTILE_MARKUP = ["<script", "<img", "<svg", "<a href"]


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    return make_synthesis()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory, synthesis: Synthesis) -> Path:
    out = tmp_path_factory.mktemp("report")
    written = write_outputs(synthesis, out)
    assert {p.name for p in written} == EXPECTED_FILES
    return out


def test_every_output_file_is_written_and_not_empty(run_dir: Path) -> None:
    present = {p.name for p in run_dir.iterdir()}
    assert EXPECTED_FILES <= present
    assert "manifest.json" not in present, "manifest.json belongs to the pipeline, not the exporters"
    for name in EXPECTED_FILES:
        assert (run_dir / name).stat().st_size > 200, name


def test_synthesis_json_validates_and_round_trips(run_dir: Path, synthesis: Synthesis) -> None:
    validate_synthesis(run_dir / "synthesis.json")
    data = json.loads((run_dir / "synthesis.json").read_text(encoding="utf-8"))
    assert schema_errors(data) == []
    loaded = Synthesis.load(run_dir)
    assert len(loaded.themes) == len(synthesis.themes)
    assert set(loaded.quotes["text"]) == set(synthesis.quotes["text"])  # hostile text intact
    # Re-rendering a saved run gives the same page as the in-memory run.
    assert render_journey_map(loaded) == render_journey_map(synthesis)


@pytest.mark.parametrize(
    ("break_it", "where"),
    [
        (lambda d: d["themes"][0].pop("evidence_strength"), "themes/0"),
        (lambda d: d["themes"][1].update(polarity="angry"), "themes/1/polarity"),
        (lambda d: d["segments"][0].update(sentiment=3.5), "segments/0/sentiment"),
        (lambda d: d["quotes"][0].update(source_type="tweet"), "quotes/0/source_type"),
        (lambda d: d["stages"][2].update(moment="valley"), "stages/2/moment"),
        (lambda d: d["stages"][0].update(pain_theme_ids="1,2"), "stages/0/pain_theme_ids"),
        (lambda d: d.pop("framework"), "(top level)"),
        (lambda d: d["meta"].pop("evidence_rule"), "meta"),
    ],
)
def test_schema_rejects_broken_documents(run_dir: Path, break_it, where: str) -> None:
    data = json.loads((run_dir / "synthesis.json").read_text(encoding="utf-8"))
    broken = copy.deepcopy(data)
    break_it(broken)
    errors = schema_errors(broken)
    assert errors, "the schema accepted a broken synthesis.json"
    assert any(e.startswith(where) for e in errors), errors


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("name", ["segments", "themes", "quotes", "stages"])
def test_csv_cells_are_formula_safe_and_numbers_stay_numbers(run_dir: Path, synthesis: Synthesis, name: str) -> None:
    rows = _csv_rows(run_dir / f"{name}.csv")
    frame = getattr(synthesis, name)
    assert len(rows) == len(frame)
    assert list(rows[0].keys()) == list(frame.columns)
    for row in rows:
        for column, value in row.items():
            if value.startswith(FORMULA_START):
                assert _is_number(value), f"{name}.csv {column}: formula-like cell {value!r} not neutralised"
    if name in ("segments", "quotes"):
        sentiments = [float(r["sentiment"]) for r in rows]
        assert min(sentiments) < 0, "negative sentiments must be written as numbers"
        texts = {r["text"] for r in rows}
        for formula in FORMULAS:
            assert any(t.startswith("'" + formula) for t in texts), f"{formula!r} not neutralised in {name}.csv"
        assert any(PWN_SCRIPT in t for t in texts), "text must be kept verbatim apart from the prefix"


def test_xlsx_has_one_styled_sheet_per_table_and_is_formula_safe(run_dir: Path, synthesis: Synthesis) -> None:
    workbook = load_workbook(run_dir / "voc_synth.xlsx")
    assert workbook.sheetnames == ["segments", "themes", "quotes", "stages", "documents", "manifest"]
    for name in ["segments", "themes", "quotes", "stages", "documents"]:
        sheet = workbook[name]
        frame = getattr(synthesis, name)
        assert sheet.max_row == len(frame) + 1, name
        assert [c.value for c in sheet[1]] == list(frame.columns), name
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        header = sheet[1][0]
        assert header.font.bold and header.fill.fgColor.rgb.endswith("1F2A44"), sheet.title
        widths = [d.width for d in sheet.column_dimensions.values() if d.width]
        assert widths and max(widths) > 10, f"{sheet.title}: columns not sized"
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_START), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
    quotes = workbook["quotes"]
    header = [c.value for c in quotes[1]]
    sentiment_col = header.index("sentiment")
    values = [row[sentiment_col].value for row in quotes.iter_rows(min_row=2)]
    assert all(isinstance(v, float) for v in values) and min(values) < 0
    # A carriage return is stored as the OOXML escape _x000D_ (Excel and LibreOffice show the
    # character; openpyxl leaves inline strings escaped), so read the cells as a spreadsheet does.
    texts = [ooxml_unescape(row[header.index("text")].value) for row in quotes.iter_rows(min_row=2)]
    for formula in FORMULAS:
        assert any(t.startswith("'" + formula) for t in texts), formula
    manifest = {r[0].value: r[1].value for r in workbook["manifest"].iter_rows(min_row=2)}
    assert manifest["manifest: records ingested"] == len(synthesis.documents)
    assert manifest["manifest: skipped by reason: empty text"] == 3
    assert manifest["count: themes"] == len(synthesis.themes)


@pytest.mark.parametrize("prefix", FORMULA_START)
def test_neutralise_every_prefix(prefix: str) -> None:
    assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"
    assert cell_value(prefix + "x") == "'" + prefix + "x"
    assert cell_value(["=x"]).startswith("[")  # JSON text of a list is not a formula


def test_export_frame_keeps_numeric_columns_numeric() -> None:
    frame = pd.DataFrame({
        "sentiment": [-0.5, 0.25, np.nan],
        "n": [1, 2, 3],
        "flag": [True, False, True],
        "text": ["-2+3", "@SUM(A1)", None],
        "mixed": [-1.5, "=1+1", {"a": 1}],
    })
    out = export_frame(frame)
    assert out["sentiment"].dtype == float and out["sentiment"].iloc[0] == -0.5
    assert out["n"].dtype.kind == "i" and out["flag"].dtype == bool
    assert out["text"].tolist() == ["'-2+3", "'@SUM(A1)", None]
    assert out["mixed"].tolist() == [-1.5, "'=1+1", '{"a": 1}']


def test_markdown_report_structure_and_escaping(run_dir: Path, synthesis: Synthesis) -> None:
    text = (run_dir / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Demo shop")
    assert "## Summary" in text and "## Method & evidence rule" in text and "## Appendix: all themes" in text
    assert "## Manifest summary" in text and synthesis.meta["evidence_rule"] in text
    assert "DRAFT" in text
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    names = synthesis.stages.sort_values("order")["name"].tolist()
    assert [re.sub(r"^### \d+\. ", "", h).split(" · ")[0].replace("&amp;", "&") for h in headings] == names
    # Customer text cannot start a heading or open HTML; U+2028 never reaches the file.
    lines = text.splitlines()
    assert all(re.match(r"^#{1,3} ", line) is None or line in (lines[0], *headings) or line.startswith("## ") for line in lines)
    assert not any(line.startswith("#") and "Promo" in line for line in lines)
    for raw in RAW_HOSTILE_MARKUP:
        assert raw not in text, raw
    assert "\u2028" not in text and "\r" not in text and "\t" not in text
    # Quotes are blockquotes with attribution.
    assert re.search(r"^  > “.+”$\n^  > — (Review|Survey|Support ticket|Interview) · ", text, flags=re.M)
    assert "*Asked:*" in text  # interviews show the question answered
    # Tables keep their shape: every row of a table has the same number of unescaped pipes.
    for block in re.findall(r"(?:^\|.*\|$\n?)+", text, flags=re.M):
        counts = {len(re.findall(r"(?<!\\)\|", row)) for row in block.strip().splitlines()}
        assert len(counts) == 1, block


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("# heading", "\\# heading"), ("1. item", "1\\. item"), ("a | b", "a \\| b"), ("<b>", "&lt;b&gt;"),
     ("[x](javascript:y)", "\\[x\\](javascript:y)"), ("line\u2028two", "line two"), ("v 0.1.0", "v 0.1.0")],
)
def test_md_text_escapes(raw: str, expected: str) -> None:
    assert md_text(raw, line_start=True) == expected


def test_html_is_self_contained_and_injection_safe(run_dir: Path, synthesis: Synthesis) -> None:
    html = (run_dir / "journey_map.html").read_text(encoding="utf-8")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert csp and "default-src 'none'" in unescape(csp.group(1)) and "script-src 'sha256-" in unescape(csp.group(1))
    assert "@page { size: A3 landscape" in html
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"\b(src|href)\s*=\s*[\"']?(https?:)?//", html)
    assert "@import" not in html and "url(" not in html
    assert not re.search(r"<[a-zA-Z][^<>]*\son[a-z]+\s*=", html), "inline event handler in markup"
    assert len(re.findall(r"<script\b", html)) == 2  # the JSON data block and the page script
    assert len(re.findall(r"<svg\b", html)) == 2  # the emotion curve, for screen and for print
    assert "<a href" not in html and "<img" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html  # shown as text, escaped
    match = re.search(r'<script type="application/json" id="voc-data">(.*?)</script>', html, flags=re.S)
    assert match
    block = match.group(1)
    assert "<" not in block and ">" not in block and "\u2028" not in block and "&" not in block
    data = json.loads(block)
    quotes = [q["text"] for t in data["themes"].values() for q in t["quotes"]]
    assert set(quotes) == set(synthesis.quotes["text"].str.strip()), "quotes must survive verbatim"
    assert any(h in q for q in quotes for h in HOSTILE)
    assert set(data["themes"]) == {str(t) for t in synthesis.themes["theme_id"]}


def test_figures_are_valid_png_and_svg(run_dir: Path, synthesis: Synthesis) -> None:
    png = (run_dir / "journey_map.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (2400, 1350)
    root = ET.fromstring((run_dir / "journey_map.svg").read_bytes())
    svg_text = " ".join(t for t in root.itertext())
    for name in synthesis.stages["name"]:
        assert name.split()[0] in svg_text
    assert "Shipping cost shown" in svg_text and "moment that matters" in svg_text


def test_notebook_reprs_escape_customer_text(synthesis: Synthesis) -> None:
    html = synthesis._repr_html_()
    assert "Demo shop &lt;script&gt;" in html and "<script" not in html
    assert all(name.replace("&", "&amp;") in html for name in synthesis.stages["name"])
    card = ThemeCard(synthesis, int(synthesis.themes.iloc[0]["theme_id"]))._repr_html_()
    assert "<script" not in card and "<img" not in card
    for text in synthesis.quotes_for(int(synthesis.themes.iloc[0]["theme_id"]))["text"]:
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")[:30] in card.replace("&#34;", '"').replace("&#39;", "'")
    with pytest.raises(KeyError):
        ThemeCard(synthesis, 999)._repr_html_()


def test_comparison_for_segment_by(tmp_path: Path) -> None:
    first, second = make_synthesis(seed=3), make_synthesis(seed=5)
    first.meta["actor"] = {"column": "persona", "value": "new"}
    paths = write_comparison({"new": first, f"returning {PWN_IMG}": second}, tmp_path)
    assert [p.name for p in paths] == ["comparison.html", "comparison.png"]
    html = paths[0].read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "returning &lt;img" in html
    assert html.count("<path d=\"M") >= 2  # one curve per segment
    assert paths[1].read_bytes()[:4] == b"\x89PNG"


def test_formats_subset_and_unknown_format(tmp_path: Path, synthesis: Synthesis) -> None:
    written = write_outputs(synthesis, tmp_path / "a", formats="md, html")
    assert sorted(p.name for p in written) == ["journey_map.html", "report.md"]
    written = write_outputs(synthesis, tmp_path / "b", formats=["figures"])
    assert sorted(p.name for p in written) == ["journey_map.png", "journey_map.svg"]
    with pytest.raises(ConfigError, match="Unknown output format 'pptx'"):
        write_outputs(synthesis, tmp_path / "c", formats=["pptx"])
    assert set(FORMATS) == {"json", "csv", "xlsx", "md", "html", "png", "svg"}


def test_sparse_synthesis_still_renders(tmp_path: Path) -> None:
    """A run with an empty stage, a theme without quotes and NaN everywhere still exports."""
    s = make_synthesis(hostile=False)
    stages = s.stages.copy()
    stages.loc[0, ["n_segments", "sentiment_mean", "sentiment_ci_low", "sentiment_ci_high", "share_negative",
                   "mean_rating_norm"]] = [0, np.nan, np.nan, np.nan, np.nan, np.nan]
    stages.at[0, "touchpoints"] = {}
    s.stages = stages
    s.quotes = s.quotes[s.quotes["theme_id"] != s.themes.iloc[0]["theme_id"]].reset_index(drop=True)
    written = write_outputs(s, tmp_path)
    assert {p.name for p in written} == EXPECTED_FILES
    html = (tmp_path / "journey_map.html").read_text(encoding="utf-8")
    assert "no data" in html
    md = render_markdown(s)
    assert "no evidence" in md


def test_review_decisions_are_shown(run_dir: Path) -> None:
    html = (run_dir / "journey_map.html").read_text(encoding="utf-8")
    assert "Reviewed: 1 validated, 1 rejected" in html and "A. Researcher" in html
    assert "✓ validated" in html and "severity: high · owner: Size &amp; fit squad" in html
    assert "Rejected in review (not on the map)" in html and "Website colours &#34;&gt;&lt;svg" in html
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "Review: validated · severity: high · owner: Size &amp; fit squad" not in md  # & is kept readable
    assert "Review: validated · severity: high · owner: Size & fit squad" in md
    assert "**Rejected in review (not on the map)**" in md and "Out of scope for this study" in md


def test_outputs_are_byte_identical_on_a_second_write(run_dir: Path, synthesis: Synthesis, tmp_path: Path) -> None:
    write_outputs(synthesis, tmp_path)
    for name in sorted(EXPECTED_FILES):
        assert (tmp_path / name).read_bytes() == (run_dir / name).read_bytes(), f"{name} differs between writes"


def test_big_runs_write_the_workbook_in_a_forked_process_with_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import voc_synth.report as report

    synthesis = make_synthesis()
    write_outputs(synthesis, tmp_path / "here", formats="xlsx,csv")
    monkeypatch.setattr(report, "FORKED_XLSX_FROM", 1)
    started: list[object] = []
    real = report.ForkedCall
    monkeypatch.setattr(report, "ForkedCall", lambda *a: started.append(a[0]) or real(*a))
    written = write_outputs(synthesis, tmp_path / "forked", formats="xlsx,csv")
    assert started == [report.write_xlsx]
    assert [p.name for p in written] == ["segments.csv", "themes.csv", "quotes.csv", "stages.csv", "voc_synth.xlsx"]
    assert (tmp_path / "forked" / "voc_synth.xlsx").read_bytes() == (tmp_path / "here" / "voc_synth.xlsx").read_bytes()
    for name in ("segments.csv", "quotes.csv"):
        assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


def test_a_failing_forked_writer_is_an_error_with_its_traceback(tmp_path: Path) -> None:
    from voc_synth.forked import ForkedCall

    def broken(path: Path) -> None:
        raise OSError(f"disk full while writing {path.name}")

    with pytest.raises(RuntimeError, match=r"(?s)worker process failed.*disk full while writing book.xlsx"):
        ForkedCall(broken, tmp_path / "book.xlsx").result()
    assert ForkedCall(lambda n: n * 2, 21).result() == 42


def test_long_theme_names_never_run_into_the_count_line_on_the_map(synthesis: Synthesis) -> None:
    """A name too long for its box is cut with "…" to the lines that fit above "N records · strength"."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from voc_synth.report.figures import journey_figure

    long_names = copy.deepcopy(synthesis)
    long_names.themes["label"] = [f"Kettle stopped working after a month, warranty claim refused {i}"
                                  for i in range(len(long_names.themes))]
    pains = long_names.themes.index[long_names.themes["polarity"] == "pain"]
    long_names.themes.loc[pains[0], "polarity"] = "mixed"   # a mixed lane too: shorter boxes
    figure = journey_figure(long_names)
    renderer = FigureCanvasAgg(figure).get_renderer()
    texts = [t for t in figure.axes[0].texts if t.get_text()]
    names = [t for t in texts if t.get_text().startswith("Kettle")]
    counts = [t for t in texts if re.fullmatch(r"[\d,]+ records · \w+", t.get_text())]
    assert names and len(names) == len(counts)
    for name in names:
        box = name.get_window_extent(renderer)
        below = min((c for c in counts if abs(c.get_position()[0] - name.get_position()[0]) < 1e-9
                     and c.get_position()[1] < name.get_position()[1]),
                    key=lambda c: name.get_position()[1] - c.get_position()[1])
        assert box.y0 > below.get_window_extent(renderer).y1, name.get_text()
        assert name.get_text().endswith("…")
