"""CSV dialects: quotes escaped with a backslash (MySQL, PHP exports) are parsed, not dropped as
malformed; standard CSVs keep the standard reading; truly malformed rows still reach the manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc_synth.config import Config, SourceConfig
from voc_synth.ingest import ingest
from voc_synth.ingest.tabular import backslash_escaped, read_csv

# Written the way MySQL's SELECT … INTO OUTFILE (FIELDS ENCLOSED BY '"' ESCAPED BY '\\') writes.
MYSQL_STYLE = (
    'id,text,rating\n'
    'M1,"The label said \\"machine washable\\", but the colour ran at thirty degrees.",2\n'
    'M2,"Quick delivery and the box was intact.",5\n'
    'M3,"Support told me to \\"just wait\\" three times, then closed the ticket.",1\n'
    'M4,"Assembly took ten minutes; the instructions were clear.",4\n'
)

# PHP's fputcsv doubles quotes but leaves a backslash-quote in the data: both in one file.
PHP_MIXED = (
    'id,text\n'
    'P1,"She called it ""the best kettle"" we have owned."\n'
    'P2,"The app shows \\"order placed\\" forever, no tracking number."\n'
    'P3,"Returned it, refund took two weeks."\n'
)

# A standard CSV whose fields end in a backslash: a backslash-escape reading would break it.
STANDARD_WITH_BACKSLASH = (
    'id,text\n'
    'S1,"Saved the invoice to C:\\invoices\\"\n'
    'S2,"The export folder was D:\\shared\\"\n'
    'S3,"Plain row, nothing odd."\n'
)


def _rows(path: Path) -> list:
    return [row for _, row in read_csv(path, "utf-8").rows]


def test_backslash_escaped_quotes_are_detected_and_parsed(tmp_path: Path) -> None:
    path = tmp_path / "mysql.csv"
    path.write_text(MYSQL_STYLE, encoding="utf-8")
    assert backslash_escaped(path, "utf-8", ",")
    table = read_csv(path, "utf-8")
    assert table.dialect == "backslash-escaped quotes"
    rows = [row for _, row in table.rows]
    assert all(isinstance(r, dict) for r in rows)
    assert [r["id"] for r in rows] == ["M1", "M2", "M3", "M4"]
    assert rows[0]["text"] == 'The label said "machine washable", but the colour ran at thirty degrees.'
    assert rows[2]["text"] == 'Support told me to "just wait" three times, then closed the ticket.'
    assert rows[2]["rating"] == "1"


def test_mixed_doubled_and_backslash_quotes(tmp_path: Path) -> None:
    path = tmp_path / "php.csv"
    path.write_text(PHP_MIXED, encoding="utf-8")
    rows = _rows(path)
    assert [r["text"] for r in rows] == [
        'She called it "the best kettle" we have owned.',
        'The app shows "order placed" forever, no tracking number.',
        "Returned it, refund took two weeks.",
    ]


def test_standard_csv_with_trailing_backslashes_keeps_standard_reading(tmp_path: Path) -> None:
    path = tmp_path / "paths.csv"
    path.write_text(STANDARD_WITH_BACKSLASH, encoding="utf-8")
    assert not backslash_escaped(path, "utf-8", ",")
    rows = _rows(path)
    assert [r["text"] for r in rows] == [
        "Saved the invoice to C:\\invoices\\", "The export folder was D:\\shared\\", "Plain row, nothing odd.",
    ]


def test_no_backslash_no_second_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plain.csv"
    path.write_text('id,text\n1,"plain ""quoted"" text"\n', encoding="utf-8")
    import voc_synth.ingest.tabular as tabular

    def fail(*_a, **_k):  # the comparison parse runs only when a backslash-quote exists
        raise AssertionError("parsed twice")

    monkeypatch.setattr(tabular, "_rows_fitting_header", fail)
    assert _rows(path)[0]["text"] == 'plain "quoted" text'


def test_semicolon_delimited_backslash_file(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text('id;text\nK1;"Said \\"fine\\"; it was not"\nK2;"ok then"\n', encoding="utf-8")
    assert [r["text"] for r in _rows(path)] == ['Said "fine"; it was not', "ok then"]


def test_malformed_rows_in_a_backslash_file_reach_the_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "export.csv").write_text(
        MYSQL_STYLE
        + 'M5,"The zip broke after a week.",2,extra,fields,here\n'  # more fields than the header
        + 'M6,"Fitted well and looked smart at the wedding.",5\n',
        encoding="utf-8")
    config = Config(sources=[SourceConfig(path=Path("reviews"), type="review")], base_dir=tmp_path)
    result = ingest(config)
    ids = set(result.documents["doc_id"].astype(str))
    assert {"M1", "M2", "M3", "M4", "M6"} <= ids
    totals = result.manifest["totals"]
    assert totals["records_in"] == totals["records_ingested"] + totals["records_skipped"]
    skipped = [rec for f in result.manifest["files"] for rec in f.get("skipped_records", f.get("skipped", []))]
    text = repr(result.manifest)
    assert "malformed" in text, skipped
    assert "row 5" in text
