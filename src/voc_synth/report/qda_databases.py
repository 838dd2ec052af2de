"""Codebooks read from the project databases of two open-source CAQDAS tools, QualCoder and
Taguette, without an export step.

Researchers who code in QualCoder or Taguette keep their work in the tool's own SQLite
database, not in a REFI-QDA file: QualCoder's project is a folder `NAME.qda` holding
`data.qda`, and Taguette's desktop project is a single `.sqlite3` file (its "Export project"
writes one too). Both hold what `voc-synth import-codebook` needs, read only:

- **QualCoder** (schema v1 onwards): codes in `code_name` (name, memo), their categories in
  `code_cat` (nested by `supercatid`), and coded text in `code_text` (`seltext`, the text
  selected). The code's memo is its description; its categories prefix its name.
- **Taguette**: tags in `tags` (`path`, `description`), highlights in `highlights` (the HTML
  `snippet` of the text highlighted) joined through `highlight_tags`. A server database can
  hold several projects; the one to import is then named (`project=`).

Each code becomes a `themes.codebook` entry exactly as a REFI-QDA code does
(`qdpx.codebook_entry`): the description is the definition, its "Example:" lines and the
passages coded with it are the examples.
"""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path
from typing import Any

from ..errors import InputError
from .qdpx import codebook_entry

SQLITE_MAGIC = b"SQLite format 3\x00"
# QualCoder keeps its database in the project folder under this name.
QUALCODER_DATABASE = "data.qda"
# Names that promise a project database: one that is not SQLite gets the database's error.
DATABASE_SUFFIXES = (".qda", ".sqlite3", ".sqlite", ".db")

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(?:p|div|li|h\d)>|<br\s*/?>", re.IGNORECASE)


def database_file(path: Path | str) -> Path | None:
    """The SQLite file behind `path` (a QualCoder project folder, its `data.qda`, or a Taguette
    `.sqlite3`), or None when `path` is not an SQLite database."""
    path = Path(path)
    if path.is_dir():
        path = path / QUALCODER_DATABASE
    try:
        with path.open("rb") as handle:
            return path if handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC else None
    except OSError:
        return None


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def read_database_codebook(path: Path | str, project: str | None = None) -> list[dict[str, Any]]:
    """The codebook of a QualCoder or Taguette project database as `themes.codebook` entries
    (see the module docstring). Raises `InputError` for a database that is neither, or for a
    Taguette database with several projects and no `project` named."""
    source = Path(path)
    found = database_file(source)
    if found is None:
        raise InputError(f"{source}: not a QualCoder project (a NAME.qda folder holding {QUALCODER_DATABASE}) "
                         "or a Taguette project (.sqlite3).")
    try:
        # Read only: the researcher's project is never written to, even if the tool has it open.
        conn = sqlite3.connect(f"{found.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise InputError(f"{found}: the project database cannot be opened ({err}).") from None
    try:
        tables = _tables(conn)
        if {"code_name", "code_text"} <= tables:
            entries = _qualcoder(conn, tables)
        elif {"tags", "highlights", "highlight_tags"} <= tables:
            entries = _taguette(conn, project, found)
        else:
            raise InputError(f"{found}: an SQLite database, but neither a QualCoder project (tables code_name, "
                             "code_text) nor a Taguette project (tags, highlights).")
    except sqlite3.Error as err:
        raise InputError(f"{found}: the project database could not be read ({err}).") from None
    finally:
        conn.close()
    if not entries:
        raise InputError(f"{found}: the project has no codes.")
    return entries


def _qualcoder(conn: sqlite3.Connection, tables: set[str]) -> list[dict[str, Any]]:
    categories: dict[int, tuple[str, int | None]] = {}
    if "code_cat" in tables:
        categories = {catid: (name, parent) for catid, name, parent
                      in conn.execute("SELECT catid, name, supercatid FROM code_cat")}
    coded: dict[int, list[str]] = {}
    for cid, text in conn.execute("SELECT cid, seltext FROM code_text ORDER BY fid, pos0, pos1"):
        if text:
            coded.setdefault(cid, []).append(" ".join(str(text).split()))
    entries = []
    for cid, name, memo, catid in conn.execute("SELECT cid, name, memo, catid FROM code_name ORDER BY cid"):
        path = [str(name)]
        seen: set[int] = set()
        while catid is not None and catid in categories and catid not in seen:  # a cycle ends the climb
            seen.add(catid)
            parent_name, catid = categories[catid]
            path.insert(0, str(parent_name))
        entries.append(codebook_entry(path, str(memo or ""), coded.get(cid, [])))
    return entries


def snippet_text(snippet: str) -> str:
    """The plain text of a Taguette highlight's HTML snippet, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", _BLOCK_END.sub(" ", snippet))).split())


def _taguette(conn: sqlite3.Connection, project: str | None, found: Path) -> list[dict[str, Any]]:
    projects = conn.execute("SELECT id, name FROM projects ORDER BY id").fetchall()
    if project is not None:
        chosen = [pid for pid, name in projects if name == project or str(pid) == project]
        if not chosen:
            raise InputError(f"{found}: no Taguette project named {project!r}; it holds "
                             + ", ".join(repr(name) for _, name in projects) + ".")
    elif len(projects) > 1:
        raise InputError(f"{found}: this Taguette database holds {len(projects)} projects ("
                         + ", ".join(repr(name) for _, name in projects)
                         + "); name the one to import with --project.")
    else:
        chosen = [pid for pid, _ in projects]
    pid = chosen[0] if chosen else None
    coded: dict[int, list[str]] = {}
    rows = conn.execute(
        "SELECT ht.tag_id, h.snippet FROM highlight_tags ht JOIN highlights h ON h.id = ht.highlight_id "
        "ORDER BY h.document_id, h.start_offset, h.end_offset")
    for tag_id, snippet in rows:
        text = snippet_text(str(snippet or ""))
        if text:
            coded.setdefault(tag_id, []).append(text)
    query = "SELECT id, path, description FROM tags"
    tags = conn.execute(query + " WHERE project_id = ? ORDER BY id", (pid,)) if pid is not None \
        else conn.execute(query + " ORDER BY id")
    return [codebook_entry([str(tag_path)], str(description or ""), coded.get(tag_id, []))
            for tag_id, tag_path, description in tags]
