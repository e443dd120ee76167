"""SQLite storage: one file, readable by its owner only, holding each document's bytes and line index."""
import logging
import os
import sqlite3
from pathlib import Path

from flask import current_app, g

from . import expiry, reserve

WAL_RESERVE = 4 << 20

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    size INTEGER NOT NULL,
    body_start INTEGER NOT NULL,
    body_end INTEGER NOT NULL,
    line_count INTEGER NOT NULL,
    source_url TEXT,
    fetch_info TEXT,
    notices TEXT NOT NULL,
    duplicates TEXT NOT NULL,
    landmarks TEXT NOT NULL,
    preview TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_created ON documents (created_at);
-- The document's bytes as received, in fixed-size pieces so that any range is read without the rest.
CREATE TABLE IF NOT EXISTS chunks (
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
-- What Kustomer's attribute metadata said of a document's objects when it arrived: labels and references.
CREATE TABLE IF NOT EXISTS annotations (
    doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    data TEXT NOT NULL
);
-- A document with masked values: what was masked, and the masked rendition served while it is masked
-- (its size, lines and preview here, its bytes and line index in masked_chunks and masked_line_arrays).
CREATE TABLE IF NOT EXISTS masking (
    doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    note TEXT,
    customer_id TEXT,
    kustomer INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL,
    count INTEGER NOT NULL,
    masked_lines BLOB,
    original_lines BLOB,
    size INTEGER,
    body_start INTEGER,
    body_end INTEGER,
    line_count INTEGER,
    duplicates TEXT,
    landmarks TEXT,
    preview TEXT,
    unmasked_until REAL
);
CREATE TABLE IF NOT EXISTS masked_chunks (
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc_id, seq)
);
CREATE TABLE IF NOT EXISTS masked_line_arrays (
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc_id, name)
);
-- A document stored but not yet masked: no request but the one storing it may read it.
CREATE TABLE IF NOT EXISTS masking_pending (
    doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE
);
-- Every unmask, kept when its document is gone; the triggers make it insert-only.
CREATE TABLE IF NOT EXISTS audit (
    at REAL NOT NULL,
    doc_id TEXT NOT NULL,
    source_url TEXT,
    customer_id TEXT,
    hours INTEGER NOT NULL,
    user TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is insert-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is insert-only'); END;
-- A document's line index, one row per array: starts and kinds (see viewer.core.index.STORED).
CREATE TABLE IF NOT EXISTS line_arrays (
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc_id, name)
);
"""


def connect(path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys = ON")
    # Documents hold customers' personal data: deleted rows are overwritten where that costs no extra
    # writes, and freed pages leave the file at once (reclaim_space). Full secure delete would write a
    # deleted document's every page again, so deleting could not free a full disk.
    db.execute("PRAGMA secure_delete = FAST")
    # The log shrinks back to this after a checkpoint instead of keeping its largest size on disk, and
    # keeps this much: a delete writes into space the log already holds, so it works on a full disk.
    db.execute(f"PRAGMA journal_size_limit = {WAL_RESERVE}")
    return db


def init_db(path):
    """Create the database file (mode 0600, in a 0700 directory if we make it) and its tables."""
    path = Path(path)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)
    db = connect(path)
    try:
        if not db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
            db.execute("PRAGMA page_size = 65536")
        # Pages freed by a delete are reused at once and returned to the disk step by step (reclaim_space);
        # a delete itself writes only a few pages, so it succeeds on a full disk.
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(SCHEMA)
        _add_storage_columns(db)
    finally:
        db.close()


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_error=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def _add_storage_columns(db):
    """Columns added to databases made before them.

    `kept`: the user kept it (it neither expires nor makes room). `chunk_size`: the size of its stored
    pieces (documents stored before it have none, and were stored in 64 KiB pieces).
    """
    columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
    if "kept" not in columns:
        db.execute("ALTER TABLE documents ADD COLUMN kept INTEGER NOT NULL DEFAULT 0")
    if "chunk_size" not in columns:
        db.execute("ALTER TABLE documents ADD COLUMN chunk_size INTEGER")


def reclaim_space(db, step_pages: int = 32):
    """Give freed pages back to the disk a few at a time, checkpointing between steps.

    Each step writes at most `step_pages` pages (2 MiB) to the log, within the space it keeps
    (WAL_RESERVE), so this works on a full disk; if it cannot, the freed pages are reused by the
    next document instead. Checkpoints are passive: a long read (a download) is never waited for.
    """
    try:
        free, before = db.execute("PRAGMA freelist_count").fetchone()[0], None
        while free and free != before:
            db.execute(f"PRAGMA incremental_vacuum({int(step_pages)})").fetchall()
            db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            free, before = db.execute("PRAGMA freelist_count").fetchone()[0], free
        db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error as exc:
        logging.getLogger("viewer").warning("Could not return freed space to the disk yet: %s", exc)


def rollback_quietly(db):
    """Roll back if a transaction is open; SQLite may already have rolled back (a full disk does)."""
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def init_app(app):
    reserve.on_start(app.config["DATABASE"])
    init_db(app.config["DATABASE"])
    app.teardown_appcontext(close_db)
    # One connection held open for the app's life: the last one to close would reset SQLite's
    # shared-memory file, and the next to open must grow it again, which a full disk refuses.
    app.extensions["viewer.db_holder"] = holder = connect(app.config["DATABASE"])
    holder.execute("SELECT COUNT(*) FROM documents").fetchone()
    # A viewer on a full disk still starts: reads leave expired documents out, the timer retries.
    expiry.sweep(app.config)
