"""The on-disk embedding cache: one SQLite file shared by every run on the machine.

Rows are keyed by *model identity* (the resolved model location, its version and a hash of the
weight files' names, sizes and modification times, so a different or updated model never
collides) and by the sha1 of the exact text. A re-run with new parameters, or with one new file,
therefore only embeds what it has not seen before.

Why SQLite: it gives atomic multi-row writes and safe sharing between processes for free. The
database runs in WAL mode with a generous busy timeout, so two runs can read and write the same
cache at once; every write is one short `BEGIN IMMEDIATE` transaction. Vectors are stored as raw
float32 bytes, so a cached vector is bit-identical to the one that was encoded (a warm run gives
exactly the same themes as a cold one). The cache is bounded: when the stored bytes exceed
`max_bytes`, least-recently-used rows are evicted and freed pages are returned to the file system
(incremental auto-vacuum).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import EmbeddingConfig
from .errors import ConfigError

CACHE_ENV = "VOC_SYNTH_CACHE_DIR"
DB_NAME = "embeddings.sqlite3"
SCHEMA_VERSION = 1

# Estimated per-row overhead (key, hash, bookkeeping, indexes, b-tree page slack) added to the
# vector bytes when accounting for the size bound; measured ~500 B for 384-float rows.
ROW_OVERHEAD = 512
# SQLite's default limit on bound parameters is 32766 (>= 3.32); stay well below it.
_CHUNK = 900
# A hit refreshes its last-used time only when it is older than this, so warm runs mostly read.
_TOUCH_AFTER_S = 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS models (
    model_id INTEGER PRIMARY KEY,
    model_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    location TEXT NOT NULL,
    version TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    dim INTEGER,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS embeddings (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL,
    text_hash BLOB NOT NULL,
    vec BLOB NOT NULL,
    nbytes INTEGER NOT NULL,
    last_used REAL NOT NULL,
    UNIQUE (model_id, text_hash)
);
CREATE INDEX IF NOT EXISTS embeddings_lru ON embeddings (last_used, id);
"""


def default_cache_dir() -> Path:
    """`$VOC_SYNTH_CACHE_DIR/embeddings`, else the user cache folder (`~/.cache/voc_synth/embeddings`)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser() / "embeddings"
    try:
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("voc_synth", appauthor=False)) / "embeddings"
    except ImportError:  # pragma: no cover - platformdirs ships with our dependencies
        return Path("~/.cache/voc_synth/embeddings").expanduser()


def text_hash(text: str) -> bytes:
    """The cache key of a text: sha1 of its exact UTF-8 bytes (no normalisation)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class ModelIdentity:
    """What makes two embedding models the same model, for the cache."""

    name: str
    location: str
    version: str
    fingerprint: str  # hash of weight file names, sizes and mtimes ("" for hub models)

    @property
    def key(self) -> str:
        raw = "\x1f".join((self.location, self.version, self.fingerprint))
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def weights_fingerprint(location: str | Path) -> str:
    """A hash of every file below `location` (relative name, size, mtime in ns).

    Cheap (stat calls only) yet changes whenever a weight file is replaced or edited.
    """
    root = Path(location)
    if not root.exists():
        return ""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    digest = hashlib.sha1()
    for path in files:
        stat = path.stat()
        rel = path.name if root.is_file() else path.relative_to(root).as_posix()
        digest.update(f"{rel}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class EmbeddingCache:
    """A bounded, process-safe store of embedding vectors.

    >>> cache = EmbeddingCache("/tmp/emb", max_mb=512)
    >>> found = cache.get_many(identity, [text_hash("hello")])   # {hash: vector}
    >>> cache.put_many(identity, hashes, vectors)

    Counters `hits`, `misses` and `writes` add up over the object's life (for tests and stats).
    """

    def __init__(self, directory: str | Path, max_mb: float = 2048, timeout_s: float = 60.0):
        if max_mb <= 0:
            raise ConfigError(f"embedding.cache_max_mb must be positive, got {max_mb}.")
        self.directory = Path(directory).expanduser()
        self.path = self.directory / DB_NAME
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.timeout_s = timeout_s
        self.touch_after_s = _TOUCH_AFTER_S
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self.evicted = 0
        self._estimate: int | None = None  # bytes stored, as last counted plus own writes since
        self._since_count = 0
        self._model_ids: dict[str, int] = {}
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None

    # -- connection ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        # A connection must not cross a fork; reopen in a child process.
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"Cannot create the embedding cache folder {self.directory}: {err}. Set "
                f"embedding.cache_dir (or ${CACHE_ENV}) to a writable folder."
            ) from None
        conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout_s * 1000)}")
        # auto_vacuum must be chosen before the first table exists; harmless afterwards.
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA journal_size_limit = 16777216")  # truncate the WAL after checkpoints
        with _transaction(conn):
            for statement in _SCHEMA.strip().split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
                         (str(SCHEMA_VERSION),))
        self._conn, self._pid = conn, os.getpid()
        self._model_ids = {}
        return conn

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_conn"] = None
        state["_pid"] = None
        return state

    def __repr__(self) -> str:
        return f"EmbeddingCache({str(self.directory)!r}, max_mb={self.max_bytes / 2**20:g})"

    # -- models -------------------------------------------------------------------------------
    def _model_id(self, identity: ModelIdentity, create: bool) -> int | None:
        key = identity.key
        if key in self._model_ids:
            return self._model_ids[key]
        conn = self._connect()
        row = conn.execute("SELECT model_id FROM models WHERE model_key = ?", (key,)).fetchone()
        if row is None and create:
            with _transaction(conn):
                conn.execute(
                    "INSERT OR IGNORE INTO models (model_key, name, location, version, fingerprint,"
                    " created) VALUES (?, ?, ?, ?, ?, ?)",
                    (key, identity.name, identity.location, identity.version, identity.fingerprint,
                     time.time()),
                )
            row = conn.execute("SELECT model_id FROM models WHERE model_key = ?", (key,)).fetchone()
        if row is None:
            return None
        self._model_ids[key] = int(row[0])
        return int(row[0])

    # -- read / write -------------------------------------------------------------------------
    def get_many(self, identity: ModelIdentity, hashes: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among `hashes` (float32, read-only views), keyed by hash."""
        unique = list(dict.fromkeys(hashes))
        model_id = self._model_id(identity, create=False)
        found: dict[bytes, np.ndarray] = {}
        if model_id is None or not unique:
            self.misses += len(unique)
            return found
        conn = self._connect()
        now = time.time()
        stale: list[bytes] = []
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT text_hash, vec, last_used FROM embeddings WHERE model_id = ? AND text_hash IN ({marks})",
                (model_id, *chunk),
            ).fetchall()
            for h, vec, last_used in rows:
                found[bytes(h)] = np.frombuffer(vec, dtype=np.float32)
                if now - last_used >= self.touch_after_s:
                    stale.append(bytes(h))
        self.hits += len(found)
        self.misses += len(unique) - len(found)
        if stale:
            self._touch(model_id, stale, now)
        return found

    def _touch(self, model_id: int, hashes: list[bytes], now: float) -> None:
        conn = self._connect()
        try:
            with _transaction(conn):
                for start in range(0, len(hashes), _CHUNK):
                    chunk = hashes[start:start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    conn.execute(
                        f"UPDATE embeddings SET last_used = ? WHERE model_id = ? AND text_hash IN ({marks})",
                        (now, model_id, *chunk),
                    )
        except sqlite3.OperationalError:
            # Recency is a hint; never fail a run because another process holds the lock too long.
            pass

    def put_many(self, identity: ModelIdentity, hashes: Sequence[bytes], vectors: np.ndarray,
                 evict: bool = True) -> int:
        """Store `vectors` (one row per hash). Returns how many rows were new."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(hashes) != len(vectors):
            raise ValueError("put_many needs one vector per hash")
        if not len(hashes):
            return 0
        model_id = self._model_id(identity, create=True)
        conn = self._connect()
        now = time.time()
        rows = [(model_id, h, vec.tobytes(), vec.nbytes + len(h) + ROW_OVERHEAD, now)
                for h, vec in zip(hashes, vectors, strict=True)]
        with _transaction(conn):
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO embeddings (model_id, text_hash, vec, nbytes, last_used)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            added = conn.total_changes - before
            conn.execute("UPDATE models SET dim = ? WHERE model_id = ? AND dim IS NULL",
                         (int(vectors.shape[1]), model_id))
        self.writes += added
        if added:
            self._note_written(added * rows[0][3])
        if evict and added:
            self.evict()
        return added

    def _note_written(self, nbytes: int) -> None:
        if self._estimate is not None:
            self._estimate += nbytes
            self._since_count += nbytes

    # -- size bound ---------------------------------------------------------------------------
    def stored_bytes(self) -> int:
        """Accounted bytes of all rows (vectors plus a fixed per-row overhead)."""
        conn = self._connect()
        return int(conn.execute("SELECT COALESCE(SUM(nbytes), 0) FROM embeddings").fetchone()[0])

    def evict(self, max_bytes: int | None = None) -> int:
        """Delete least-recently-used rows until the cache is within its bound (to 90% of it,
        so the next few writes do not trigger another eviction). Returns rows deleted."""
        limit = self.max_bytes if max_bytes is None else max_bytes
        conn = self._connect()
        # Summing the whole table costs tens of ms at 100k rows, and the theme step writes in
        # hundreds of small calls (keyword candidates, theme by theme). Between full counts,
        # trust this object's own running total; recount when it passes the limit or after a
        # tenth of the limit was written here (other processes may write meanwhile).
        if (max_bytes is None and self._estimate is not None and self._estimate <= limit
                and self._since_count < limit * 0.1):
            return 0
        total_now = self.stored_bytes()
        self._estimate, self._since_count = total_now, 0
        if total_now <= limit:
            return 0
        deleted = 0
        with _transaction(conn):
            total = int(conn.execute("SELECT COALESCE(SUM(nbytes), 0) FROM embeddings").fetchone()[0])
            excess = total - int(limit * 0.9)
            if excess > 0:
                cursor = conn.execute("SELECT id, nbytes FROM embeddings ORDER BY last_used, id")
                victims: list[int] = []
                freed = 0
                for row_id, nbytes in cursor:
                    victims.append(row_id)
                    freed += nbytes
                    if freed >= excess:
                        break
                cursor.close()
                for start in range(0, len(victims), _CHUNK):
                    chunk = victims[start:start + _CHUNK]
                    conn.execute(f"DELETE FROM embeddings WHERE id IN ({','.join('?' * len(chunk))})", chunk)
                deleted = len(victims)
                self._estimate, self._since_count = total - freed, 0
        if deleted:
            self.evicted += deleted
            self._vacuum()
        return deleted

    def _vacuum(self) -> None:
        conn = self._connect()
        try:
            conn.execute("PRAGMA incremental_vacuum")
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.OperationalError:
            pass

    # -- inspection / maintenance -------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """Location, entry count, sizes and the models the cache holds vectors for."""
        conn = self._connect()
        models = []
        for row in conn.execute(
            "SELECT m.model_key, m.name, m.location, m.version, m.dim, COUNT(e.id), COALESCE(SUM(e.nbytes), 0)"
            " FROM models m LEFT JOIN embeddings e ON e.model_id = m.model_id"
            " GROUP BY m.model_id ORDER BY m.created"
        ):
            models.append({"key": row[0], "name": row[1], "location": row[2], "version": row[3],
                           "dim": row[4], "entries": int(row[5]), "bytes": int(row[6])})
        entries = sum(m["entries"] for m in models)
        file_bytes = sum(p.stat().st_size for p in self.directory.glob(DB_NAME + "*") if p.is_file())
        return {
            "location": str(self.path),
            "entries": entries,
            "size_bytes": file_bytes,
            "size_mb": round(file_bytes / 2**20, 3),
            "stored_bytes": self.stored_bytes(),
            "max_mb": self.max_bytes / 2**20,
            "models": models,
        }

    def clear(self, model: str | None = None) -> int:
        """Delete every entry, or only those of `model` (matched by name, location or key).
        Returns the number of entries deleted."""
        conn = self._connect()
        self._estimate = None
        with _transaction(conn):
            if model is None:
                n = conn.execute("DELETE FROM embeddings").rowcount
                conn.execute("DELETE FROM models")
            else:
                ids = [r[0] for r in conn.execute(
                    "SELECT model_id FROM models WHERE name = ? OR location = ? OR model_key = ?",
                    (model, model, model))]
                n = 0
                for model_id in ids:
                    n += conn.execute("DELETE FROM embeddings WHERE model_id = ?", (model_id,)).rowcount
                    conn.execute("DELETE FROM models WHERE model_id = ?", (model_id,))
        self._model_ids = {}
        self._vacuum()
        return int(n)

    def integrity_ok(self) -> bool:
        conn = self._connect()
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class _transaction:
    """`BEGIN IMMEDIATE` … `COMMIT` (rollback on error): takes the write lock up front so two
    writers queue on the busy timeout instead of failing mid-transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def cache_dir_for(config: EmbeddingConfig) -> Path:
    """The cache folder `config` asks for: `cache_dir`, else the default location."""
    return Path(config.cache_dir).expanduser() if config.cache_dir else default_cache_dir()


def cache_info(config: EmbeddingConfig | None = None) -> dict[str, Any]:
    """Where the embedding cache is, how many entries and bytes it holds, and for which models
    (for `voc-synth cache show`)."""
    config = config or EmbeddingConfig()
    with EmbeddingCache(cache_dir_for(config), max_mb=config.cache_max_mb) as cache:
        return cache.info()


def clear_cache(config: EmbeddingConfig | None = None, model: str | None = None) -> int:
    """Delete all cached embeddings, or only those of `model` (a model name such as
    "all-MiniLM-L6-v2", a resolved location or a cache key). Returns entries deleted
    (for `voc-synth cache clear`)."""
    config = config or EmbeddingConfig()
    with EmbeddingCache(cache_dir_for(config), max_mb=config.cache_max_mb) as cache:
        return cache.clear(model)
