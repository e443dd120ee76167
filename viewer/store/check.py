"""What is wrong with a database file, found by reading it only: before a viewer uses it, and `python -m viewer check`.

Every problem is one line that says what is wrong and what to do; nothing here writes to the file.
"""
import errno
import os
import sqlite3
import sys
from array import array
from pathlib import Path

from ..core.index import STORED
from ..core.scan import scan
from ..errors import DocumentError
from . import schema
from .schema import BadDatabase

MAGIC = b"SQLite format 3\x00"
ASIDE = "move it aside (the viewer then starts with an empty database) or start the viewer with --db for another file"


def damaged(path, detail, *, more: bool = True) -> BadDatabase:
    detail = " ".join(str(detail).replace("*** in database main ***", "").split())
    said = f"{path} is damaged ({detail}): {ASIDE}."
    return BadDatabase(said + (f" `python -m viewer check --db {path}` says more." if more else ""))


def not_a_database(path) -> BadDatabase:
    return BadDatabase(f"{path} is not a SQLite database: {ASIDE}.")


def read_only(path) -> BadDatabase:
    return BadDatabase(f"{path} is read-only, and the viewer writes documents into it: make it writable "
                       f"(chmod u+w '{path}') or start the viewer with --db for another file.")


def folder_not_writable(folder) -> BadDatabase:
    return BadDatabase(f"the folder {folder} cannot be written, and the viewer keeps its log and lock files beside "
                       "the database: make it writable, or start the viewer with --db for a file in another folder.")


def disk_full(path) -> BadDatabase:
    return BadDatabase(f"the disk holding {path} is full: free some space on it, or start the viewer with --db for "
                       "a file on another disk.")


def unusable(path, exc: BaseException) -> BadDatabase:
    """The BadDatabase for what opening or preparing the database at `path` raised."""
    if isinstance(exc, BadDatabase):
        return exc
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
        if code == sqlite3.SQLITE_FULL:
            return disk_full(path)
        if code == sqlite3.SQLITE_READONLY:
            return read_only(path)
        if code == sqlite3.SQLITE_NOTADB:
            return not_a_database(path)
        if code == sqlite3.SQLITE_CORRUPT:
            return damaged(path, str(exc))
        return BadDatabase(f"cannot use {path} ({exc}): {ASIDE}.")
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return disk_full(exc.filename or path)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            where = exc.filename or path
            return BadDatabase(f"cannot write {where} ({exc.strerror}): make it writable, or start the viewer with "
                               "--db for a file in a folder you can write.")
        return BadDatabase(f"cannot use {exc.filename or path} ({exc.strerror}): {ASIDE}.")
    raise exc


def refuse_bad(path) -> None:
    """Raise BadDatabase when the viewer could not use the file at `path` as it is; a missing file is new."""
    path = Path(path)
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise folder_not_writable(folder)
    if not path.exists():
        return
    if not path.is_file():
        raise BadDatabase(f"{path} is not a file: start the viewer with --db for a database file.")
    if not os.access(path, os.R_OK):
        raise BadDatabase(f"cannot read {path} (permission denied): make it readable by you, or start the viewer "
                          "with --db for another file.")
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if part.exists() and not os.access(part, os.W_OK):
            raise read_only(part)
    if path.stat().st_size == 0:
        return  # created by a start that stopped before writing anything: a new database
    look_at_header(path)
    try:
        db = open_read_only(path)
        try:
            found, present = schema.version(db), schema.tables(db)
            if found > schema.VERSION:
                raise schema.newer(path, found)
            if found == 0 and present and "documents" not in present:
                raise schema.foreign(path, present)
            problems = [row[0] for row in db.execute("PRAGMA quick_check(1)")]
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise unusable(path, exc) from None
    if problems != ["ok"]:
        raise damaged(path, problems[0])


def look_at_header(path: Path) -> None:
    """Not a database, or truncated: told by the file's size and its 100-byte header."""
    size = path.stat().st_size
    with open(path, "rb") as file:
        header = file.read(100)
    if not header.startswith(MAGIC):
        raise not_a_database(path)
    if len(header) < 100:
        raise BadDatabase(f"{path} is truncated: it holds only {size} bytes. Restore it from a copy, or {ASIDE}.")
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    if page < 512 or page & (page - 1):
        raise damaged(path, f"its header gives a page size of {page} bytes")
    pages = int.from_bytes(header[28:32], "big")
    log = Path(f"{path}-wal")
    if log.exists() and log.stat().st_size:
        return  # a log not yet copied in may hold the rest: SQLite reads both
    # The page count is valid when its change counter matches (SQLite's file format, section 1.3.7).
    if header[24:28] == header[92:96] and pages and (pages * page > size or size % page):
        raise BadDatabase(f"{path} is truncated: it holds {size} bytes of the {pages * page} it was written "
                          f"with. Restore it from a copy, or {ASIDE}.")


def open_read_only(path) -> sqlite3.Connection:
    """A connection that can only read `path`; it creates no file beside it when no log is there."""
    path = Path(path).absolute()
    # Without a log file the database file is all there is: read it as immutable, so that SQLite creates
    # no log or shared-memory file beside a file it is only asked about. With one, read both, read-only.
    quiet = not Path(f"{path}-wal").exists()
    db = sqlite3.connect(f"{path.as_uri()}?{'immutable=1' if quiet else 'mode=ro'}", uri=True,
                         isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA query_only = ON")
    return db


def run(path) -> int:
    """`python -m viewer check`: print what was checked and any problem; 0 when all is well."""
    path = Path(path)
    if not path.exists():
        print(f"error: there is no database at {path} (give its path with --db).", file=sys.stderr)
        return 1
    problems, counts = check(path)
    for problem in problems:
        print(problem)
    documents, renditions = counts
    if problems:
        print(f"{path}: {len(problems)} problem(s) found in {documents} document(s) and {renditions} masked "
              "rendition(s).")
        return 1
    print(f"{path}: integrity ok; {documents} document(s) and {renditions} masked rendition(s): every one's bytes "
          "and index agree.")
    return 0


def check(path) -> tuple:
    """([problem, …], (documents, masked renditions)): SQLite's integrity check, then every document."""
    try:
        look_at_header(path)
        db = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except (BadDatabase, sqlite3.Error, OSError) as exc:
        said = str(unusable(path, exc)).split(" `python -m viewer check")[0]  # this is that check
        return [f"error: {said}"], (0, 0)
    try:
        found = schema.version(db)
        if found > schema.VERSION:
            return [f"error: {schema.newer(path, found)}"], (0, 0)
        problems = []
        problems += [f"integrity: {' '.join(row[0].split())}" for row in db.execute("PRAGMA integrity_check(100)")
                     if row[0] != "ok"]
        if problems or "documents" not in schema.tables(db):
            return problems or [f"error: {path} holds no documents table: it is not the viewer's database."], (0, 0)
        documents = renditions = 0
        for (doc_id,) in db.execute("SELECT id FROM documents ORDER BY created_at").fetchall():
            checked = _check_document(db, doc_id)
            if checked is None:
                continue  # deleted while we looked
            documents += 1
            renditions += checked[1]
            problems += checked[0]
        return problems, (documents, renditions)
    except sqlite3.Error as exc:
        code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
        said = damaged(path, exc, more=False) if code == sqlite3.SQLITE_CORRUPT else unusable(path, exc)
        return [*problems, f"error: {said}"], (0, 0)
    finally:
        db.close()


def _check_document(db, doc_id) -> tuple | None:
    """(problems, 1 if it has a masked rendition else 0), read in one snapshot; None if it is gone."""
    db.execute("BEGIN")
    try:
        row = db.execute("SELECT size, body_start, body_end, line_count FROM documents WHERE id = ?",
                         (doc_id,)).fetchone()
        if row is None:
            return None
        problems = _compare(db, doc_id, "chunks", "line_arrays", row, f"document {doc_id}")
        masked = db.execute("SELECT size, body_start, body_end, line_count FROM masking WHERE doc_id = ?"
                            " AND size IS NOT NULL", (doc_id,)).fetchone()
        if masked is not None:
            problems += _compare(db, doc_id, "masked_chunks", "masked_line_arrays", masked,
                                 f"document {doc_id} (masked rendition)")
        return problems, int(masked is not None)
    finally:
        db.execute("COMMIT")


def _compare(db, doc_id, chunks, arrays, row, name) -> list:
    """What differs between the stored bytes and the stored index (line starts and count) of one text."""
    size, body_start, body_end, line_count = row
    raw = bytearray()
    for (data,) in db.execute(f"SELECT data FROM {chunks} WHERE doc_id = ? ORDER BY seq", (doc_id,)):
        raw += data
    if len(raw) != size:
        return [f"{name}: its stored bytes are {len(raw)} bytes long, its record says {size}."]
    stored = {}
    for array_name, code in STORED:
        found = db.execute(f"SELECT data FROM {arrays} WHERE doc_id = ? AND name = ?", (doc_id, array_name)).fetchone()
        if found is None:
            return [f"{name}: its stored index has no {array_name}."]
        stored[array_name] = array(code, found[0])
    try:
        result = scan(raw)
    except DocumentError as exc:
        return [f"{name}: its stored bytes are no longer a JSON document: {exc}"]
    problems = []
    if (result.body_start, result.body_end) != (body_start, body_end):
        problems.append(f"{name}: its JSON lies at bytes {result.body_start}–{result.body_end}, its record says "
                        f"{body_start}–{body_end}.")
    if not (result.line_count == line_count == len(stored["kinds"])):
        problems.append(f"{name}: its bytes make {result.line_count} lines, its record says {line_count} and its "
                        f"index {len(stored['kinds'])}.")
    elif stored["starts"] != result.starts:
        line = next(i for i, (a, b) in enumerate(zip(stored["starts"], result.starts)) if a != b) \
            if len(stored["starts"]) == len(result.starts) else min(len(stored["starts"]), len(result.starts))
        problems.append(f"{name}: its index says line {line + 1} starts elsewhere than its bytes do.")
    return problems
