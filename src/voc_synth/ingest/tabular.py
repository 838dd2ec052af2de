"""Readers for tabular exports: CSV, TSV, JSON, JSONL and XLSX → header + a stream of rows.

Every reader yields `(locator, row)` pairs lazily, where a row is a flat `{header: value}` dict
or a `SkippedRecord` (a blank row, a malformed line). CSV and JSONL are streamed line by line,
so a large export is never held in memory twice. We use the `csv` module rather than
`pandas.read_csv(chunksize=...)` on purpose: pandas either aborts on a ragged row or drops it
silently, and the manifest has to account for every row with its number.

Readers raise only `UnusableFile` (the whole file cannot be used); anything a third-party
parser throws on garbage input is converted at this boundary.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import math
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .encoding import read_text
from .records import SkippedRecord, UnusableFile

TABULAR_FORMATS = ("csv", "tsv", "json", "jsonl", "xlsx")

# Record lists inside a JSON object, by the key exporters use for them.
JSON_LIST_KEYS = ("data", "reviews", "items", "records", "results", "tickets", "responses",
                  "rows", "entries", "feedback", "comments", "conversations")

# How many JSONL objects to look at before deciding which keys are the columns.
_PEEK_OBJECTS = 200

Row = dict[str, Any]


@dataclass
class Table:
    """The headers of a tabular file and a lazy stream of `(locator, row or skip)`."""

    headers: list[str]
    rows: Iterator[tuple[str, Row | SkippedRecord]]
    locator_prefix: str  # "row", "line" or "item"
    close: Callable[[], None] = lambda: None  # releases the file if the rows are never read
    #: How the file was parsed where that was a choice: "backslash-escaped quotes" for a CSV
    #: whose quotes are written `\"` (MySQL, PHP), else "".
    dialect: str = ""


def cell_text(value: Any) -> str:
    """A cell value as text: '' for missing, ISO for dates, 4 not 4.0 for whole floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(cell_text(v) for v in value if cell_text(v))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def flatten(obj: dict[str, Any], prefix: str = "", depth: int = 0) -> Row:
    """Nested JSON objects to dotted keys (`{"user": {"name": x}}` → `user.name`)."""
    out: Row = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 4:
            out.update(flatten(value, f"{name}.", depth + 1))
        else:
            out[name] = value
    return out


# --- CSV / TSV -----------------------------------------------------------------------------------

def _raise_csv_field_limit() -> None:
    # Long ticket threads exceed the csv module's 128 KB default field limit.
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10


def _guess_delimiter(first_line: str, fmt: str) -> str:
    if fmt == "tsv":
        return "\t"
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


#: The escape a backslash-quoting exporter writes: backslash, then the quote.
_BACKSLASH_QUOTE = '\\"'
_SCAN_CHARS = 1 << 16  # small reads: the scan must not hold a large export in memory


def _has_backslash_quote(path: Path, encoding: str) -> bool:
    """Whether the file holds a backslash followed by a double quote anywhere (read in chunks)."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        tail = ""
        while chunk := handle.read(_SCAN_CHARS):
            if _BACKSLASH_QUOTE in tail + chunk:
                return True
            tail = chunk[-1:]
    return False


def _rows_fitting_header(path: Path, encoding: str, delimiter: str, escapechar: str | None) -> int:
    """How many data rows parse into no more fields than the header has, reading the file with
    (`escapechar`) or without backslash escapes. Rows a parser errors on count for nothing, and
    rows a misread quote swallows into one long field are fewer rows."""
    fitting = 0
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, escapechar=escapechar, doublequote=True)
        width = None
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return fitting
            except (csv.Error, UnicodeError, ValueError):
                continue
            if not any(v.strip() for v in values):
                continue
            if width is None:
                width = len(values)
            elif len(values) <= width:
                fitting += 1


def backslash_escaped(path: Path, encoding: str, delimiter: str) -> bool:
    r"""Whether a CSV escapes its quotes with a backslash (`"He said \"no\""`), as MySQL's
    `SELECT … INTO OUTFILE` and PHP's exporters write, rather than doubling them (`""no""`).

    Decided by the data, not by the first `\"` seen: only when the file holds one is it parsed
    both ways, and backslash escapes win only if they make more rows fit the header. A standard
    CSV whose field merely ends in a backslash (`"C:\temp\"`) keeps the standard reading. Read
    with escapes, a backslash before any other character is dropped (`\o/` reads `o/`).
    """
    if not _has_backslash_quote(path, encoding):
        return False
    return (_rows_fitting_header(path, encoding, delimiter, "\\")
            > _rows_fitting_header(path, encoding, delimiter, None))


def _unique_headers(raw: list[str]) -> list[str]:
    """Header names, blank ones named `column_N`, repeats suffixed (`Comment`, `Comment_2`)."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(raw, start=1):
        name = (name or "").strip().lstrip("\ufeff") or f"column_{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def read_csv(path: Path, encoding: str, fmt: str = "csv") -> Table:
    """A CSV/TSV file as a header and a lazy row stream ("row N" = N-th data row)."""
    _raise_csv_field_limit()
    try:
        handle = path.open("r", encoding=encoding, errors="replace", newline="")
        first_line = handle.readline()
        handle.seek(0)
    except (OSError, LookupError) as err:
        raise UnusableFile("unreadable", f"unreadable: {err}") from None
    delimiter = _guess_delimiter(first_line, fmt)
    try:
        escaped = backslash_escaped(path, encoding, delimiter)
    except (OSError, LookupError) as err:
        handle.close()
        raise UnusableFile("unreadable", f"unreadable: {err}") from None
    # doublequote stays on: PHP's fputcsv writes `""` and leaves a `\"` in the data as it is.
    reader = csv.reader(handle, delimiter=delimiter, escapechar="\\" if escaped else None, doublequote=True)
    try:
        header_row = next(reader, None)
        while header_row is not None and not any(c.strip() for c in header_row):
            header_row = next(reader, None)  # blank lines above the header
    except (csv.Error, UnicodeError, ValueError) as err:
        handle.close()
        raise UnusableFile("unreadable", f"unreadable CSV header: {err}") from None
    if header_row is None:
        handle.close()
        raise UnusableFile("empty", "empty file (no header row)")
    headers = _unique_headers(header_row)

    def rows() -> Iterator[tuple[str, Row | SkippedRecord]]:
        n = 0
        pending_blank: list[str] = []  # blank rows count only when data follows them
        try:
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except (csv.Error, UnicodeError, ValueError) as err:
                    n += 1
                    yield f"row {n}", SkippedRecord(f"row {n}", "malformed", f"malformed row {n}: {err}")
                    continue
                n += 1
                locator = f"row {n}"
                if not values:
                    pending_blank.append(locator)
                    continue
                for blank in pending_blank:
                    yield blank, SkippedRecord(blank, "empty", "empty row")
                pending_blank = []
                extra = values[len(headers):]
                if any(v.strip() for v in extra):
                    yield locator, SkippedRecord(
                        locator, "malformed",
                        f"malformed row {n}: {len(values)} fields where the header has {len(headers)}",
                    )
                    continue
                yield locator, dict(itertools.zip_longest(headers, values[: len(headers)], fillvalue=""))
        finally:
            handle.close()

    return Table(headers, rows(), "row", handle.close, "backslash-escaped quotes" if escaped else "")


# --- JSON / JSONL --------------------------------------------------------------------------------

def _records_in_json(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in JSON_LIST_KEYS:
            if isinstance(data.get(key), list):
                return data[key]
        lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) == 1:
            return lists[0]
        if any(isinstance(v, str) for v in data.values()):
            return [data]  # a single record saved on its own
    raise UnusableFile(
        "no records",
        "no records: expected a JSON array of objects or an object with a "
        f"{'/'.join(JSON_LIST_KEYS[:3])}… list",
    )


def _union_keys(rows: list[Row]) -> list[str]:
    keys: dict[str, None] = {}
    for row in rows:
        for key in row:
            keys.setdefault(str(key), None)
    return list(keys)


def read_json(path: Path, encoding: str) -> Table:
    """A JSON array of objects (or `{"data"/"reviews"/"items": [...]}`); "item N" locators."""
    text = read_text(path, encoding)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise UnusableFile("unreadable", f"not valid JSON: {str(err)[:200]}") from None
    items = _records_in_json(data)
    flat: list[tuple[str, Row | SkippedRecord]] = []
    for i, item in enumerate(items, start=1):
        locator = f"item {i}"
        if isinstance(item, dict):
            flat.append((locator, {str(k): v for k, v in flatten(item).items()}))
        elif item is None or item == "" or item == {}:
            flat.append((locator, SkippedRecord(locator, "empty", "empty item")))
        else:
            flat.append((locator, SkippedRecord(locator, "malformed", f"malformed item {i}: not an object")))
    headers = _union_keys([r for _, r in flat if isinstance(r, dict)])
    return Table(headers, iter(flat), "item")


def read_jsonl(path: Path, encoding: str) -> Table:
    """One JSON object per line, streamed; a malformed line is skipped with its number."""
    try:
        handle = path.open("r", encoding=encoding, errors="replace")
    except (OSError, LookupError) as err:
        raise UnusableFile("unreadable", f"unreadable: {err}") from None

    def parse() -> Iterator[tuple[str, Row | SkippedRecord]]:
        pending_blank: list[str] = []  # blank lines count only when data follows them
        try:
            for n, line in enumerate(handle, start=1):
                locator = f"line {n}"
                if not line.strip():
                    pending_blank.append(locator)
                    continue
                for blank in pending_blank:
                    yield blank, SkippedRecord(blank, "empty", "empty line")
                pending_blank = []
                try:
                    obj = json.loads(line)
                except (ValueError, RecursionError) as err:
                    yield locator, SkippedRecord(locator, "malformed", f"malformed line {n}: {str(err)[:120]}")
                    continue
                if not isinstance(obj, dict):
                    yield locator, SkippedRecord(locator, "malformed", f"malformed line {n}: not a JSON object")
                    continue
                yield locator, {str(k): v for k, v in flatten(obj).items()}
        finally:
            handle.close()

    stream = parse()
    peeked = list(itertools.islice(stream, _PEEK_OBJECTS))
    headers = _union_keys([r for _, r in peeked if isinstance(r, dict)])
    if not peeked:
        handle.close()
        raise UnusableFile("empty", "empty file (no JSON lines)")
    return Table(headers, itertools.chain(peeked, stream), "line", handle.close)


# --- XLSX ----------------------------------------------------------------------------------------

def read_xlsx(path: Path) -> Table:
    """The first non-empty worksheet of an .xlsx (openpyxl, read-only) as header + rows."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types on a damaged archive
        raise UnusableFile("unreadable", f"not a readable .xlsx workbook ({type(err).__name__}: {str(err)[:120]})") from None

    def sheet_rows() -> Iterator[tuple[Any, ...]]:
        try:
            for sheet in workbook.worksheets:
                yielded = False
                for values in sheet.iter_rows(values_only=True):
                    yielded = True
                    yield values
                if yielded:
                    return
        finally:
            workbook.close()

    source = sheet_rows()
    try:
        header_values: tuple[Any, ...] | None = None
        for values in source:
            if any(cell_text(v).strip() for v in values):
                header_values = values
                break
    except Exception as err:
        workbook.close()
        raise UnusableFile("unreadable", f"not a readable .xlsx workbook ({type(err).__name__}: {str(err)[:120]})") from None
    if header_values is None:
        workbook.close()
        raise UnusableFile("empty", "empty workbook (no header row)")
    headers = _unique_headers([cell_text(v) for v in header_values])

    def rows() -> Iterator[tuple[str, Row | SkippedRecord]]:
        n = 0
        pending_blank: list[str] = []
        try:
            for values in source:
                n += 1
                locator = f"row {n}"
                texts = [cell_text(v) for v in values]
                if not any(t.strip() for t in texts):
                    pending_blank.append(locator)
                    continue
                for blank in pending_blank:
                    yield blank, SkippedRecord(blank, "empty", "empty row")
                pending_blank = []
                row = {h: (v if not isinstance(v, dt.datetime | dt.date) else v.isoformat())
                       for h, v in zip(headers, values, strict=False)}
                yield locator, row
        except Exception as err:
            n += 1
            yield f"row {n}", SkippedRecord(f"row {n}", "malformed", f"unreadable from row {n} on ({type(err).__name__})")
        finally:
            workbook.close()

    return Table(headers, rows(), "row", workbook.close)


def read_table(path: Path, fmt: str, encoding: str) -> Table:
    """Dispatch on format ('csv', 'tsv', 'json', 'jsonl', 'xlsx')."""
    if fmt in ("csv", "tsv"):
        return read_csv(path, encoding, fmt)
    if fmt == "json":
        return read_json(path, encoding)
    if fmt == "jsonl":
        return read_jsonl(path, encoding)
    if fmt == "xlsx":
        return read_xlsx(path)
    raise UnusableFile("unsupported format", f"unsupported format: .{fmt}")
