"""The database's tables, the schema version it records (`PRAGMA user_version`) and the steps that bring it forward.

A new database gets the tables and the version. One from before versions were recorded (version 0, holding
the viewer's tables) is this version once the columns added since are there. An older one is migrated, every
step and the new version in one transaction: it is either wholly migrated or untouched. A newer one is refused.
"""
import re
import sqlite3

from ..errors import ViewerError

VERSION = 1

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
    preview TEXT NOT NULL,
    kept INTEGER NOT NULL DEFAULT 0,
    chunk_size INTEGER
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
-- The rules a document was masked under (canonical JSON, {resource: {standard, custom}}), so that stricter
-- rules later re-mask it: the API host its organisation's rules came from (null: none were read), the
-- resources it holds (JSON list; null: not read, as no rule applied) and the note on rules not read.
CREATE TABLE IF NOT EXISTS masking_rules (
    doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    rules TEXT NOT NULL,
    host TEXT,
    resources TEXT,
    note TEXT
);
-- Kustomer's unmasking windows the viewer opened, until it has ended each (kept when the document is
-- gone: the window unmasks the customer for everyone in the organisation). `until`: when the viewer's
-- unmask ends, and the window with it; `ends_at`: when Kustomer ends it on its own.
CREATE TABLE IF NOT EXISTS unmasking_windows (
    doc_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    until REAL NOT NULL,
    ends_at REAL,
    closed_at REAL,
    refused TEXT
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
-- Each fetch of an API URL by the viewer (a first fetch or a Refresh) is the next version of that URL.
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    source_url TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_by_url ON versions (source_url, version);
-- A document a jq program made: the program, the document it ran on (which may be gone since: deleting a
-- source leaves its results), how many outputs it gave, and whether it read the source's masked rendition.
CREATE TABLE IF NOT EXISTS jq_results (
    doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    program TEXT NOT NULL,
    outputs INTEGER NOT NULL,
    masked_source INTEGER NOT NULL DEFAULT 0
);
-- A document's line index, one row per array: starts and kinds (see viewer.core.index.STORED).
CREATE TABLE IF NOT EXISTS line_arrays (
    doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc_id, name)
);
"""


# MIGRATIONS[n](db) takes a database at version n to n + 1 (raising to refuse); the steps run in order, in one
# transaction. None yet: version 1 is the first recorded version.
MIGRATIONS: dict = {}


class BadDatabase(ViewerError):
    """A database file the viewer cannot use as it is: the message says what is wrong and what to do."""


def version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def tables(db: sqlite3.Connection) -> set:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def newer(path, found: int) -> BadDatabase:
    return BadDatabase(f"{path} was written by a newer version of the viewer (its schema is version {found}; this "
                       f"viewer knows up to {VERSION}): upgrade this viewer, or start it with --db for another file.")


def foreign(path, found: set) -> BadDatabase:
    names = ", ".join(sorted(found)[:5])
    return BadDatabase(f"{path} is a SQLite database of another program (its tables: {names}), not the viewer's: "
                       "start the viewer with --db for another file, or move this one aside.")


def prepare(db: sqlite3.Connection, path) -> None:
    """Bring the database at `path` to this version: create, stamp or migrate, in one transaction."""
    found, present = version(db), tables(db)
    if found > VERSION:
        raise newer(path, found)
    if found == 0 and present and "documents" not in present:
        raise foreign(path, present)
    if found == VERSION and _names(SCHEMA) <= _objects(db):
        return  # nothing to write: a start does not touch the file
    db.execute("BEGIN IMMEDIATE")
    try:
        if found == 0 and present:
            _add_storage_columns(db)  # written before versions were recorded: version 1 once these are there
            found = 1
        if found:
            for step in range(found, VERSION):
                MIGRATIONS[step](db)
        for statement in statements(SCHEMA):
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _names(script: str) -> set:
    return set(re.findall(r"CREATE (?:TABLE|INDEX|TRIGGER) IF NOT EXISTS (\w+)", script))


def _objects(db) -> set:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master")}


def statements(script: str):
    """The statements of `script` one by one (a trigger's body holds semicolons of its own)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


def _add_storage_columns(db):
    """Columns added before versions were recorded, to databases made before them.

    `kept`: the user kept it (it neither expires nor makes room). `chunk_size`: the size of its stored
    pieces (documents stored before it have none, and were stored in 64 KiB pieces).
    """
    columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
    if "kept" not in columns:
        db.execute("ALTER TABLE documents ADD COLUMN kept INTEGER NOT NULL DEFAULT 0")
    if "chunk_size" not in columns:
        db.execute("ALTER TABLE documents ADD COLUMN chunk_size INTEGER")
