"""SQLite storage: one file, readable by its owner only, holding each document's bytes and line index."""
import contextlib
import logging
import os
import sqlite3
from pathlib import Path

from flask import current_app, g

from . import check, reserve, schema

WAL_RESERVE = 4 << 20
BUSY_TIMEOUT = 30  # seconds a connection waits for another's write


def connect(path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
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
    """Create the database file (mode 0600, in a 0700 directory if we make it), its tables and its version.

    Raises BadDatabase, saying what to do, when the file cannot be opened or brought to this version; a
    file created by this call is removed again then.
    """
    path = Path(path)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    created = not path.exists()
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
        db = connect(path)
        try:
            if not db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
                db.execute("PRAGMA page_size = 65536")
            # Pages freed by a delete are reused at once and returned to the disk step by step (reclaim_space);
            # a delete itself writes only a few pages, so it succeeds on a full disk.
            if db.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:  # setting it rewrites the header each time
                db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            db.execute("PRAGMA journal_mode = WAL")
            schema.prepare(db, path)
        finally:
            db.close()
    except (sqlite3.Error, OSError) as exc:
        if created:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        raise check.unusable(path, exc) from None


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_error=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


AUTOCHECKPOINT_PAGES = 1000  # SQLite's default: a commit leaving more in the log copies it into the file


def commit_without_checkpoint(db):
    """COMMIT, leaving the log's copy into the database file to whoever checkpoints next (budget.Turn).

    The connection's later commits do not checkpoint either, until `resume_checkpoints`: an intake's small
    writes after its big one (its rules, its pending mark) would otherwise each copy the whole log into the
    file before the answer, which is what the big one's commit spared it.
    """
    db.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        db.execute("COMMIT")
    except BaseException:
        resume_checkpoints(db)
        raise


def resume_checkpoints(db):
    db.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")


def flush_log(path):
    """Have the bytes written to the log so far reach the disk now, while the writer waits for something else.

    The COMMIT that follows syncs the log as it always does (synchronous=FULL), but finds them on disk
    already: for a big document written while its index is made, the wait and the sync overlap.
    A sync reaches the file's pages whichever descriptor asks; failing here only loses the head start.
    """
    try:
        fd = os.open(f"{path}-wal", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fdatasync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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


def shrink_log(db) -> bool:
    """Give the log's space back to the disk when no reader needs it now; never waits for one. True if done.

    The log otherwise keeps its size (up to WAL_RESERVE) for the next write, and a delete on a full disk.
    """
    try:
        db.execute("PRAGMA busy_timeout = 0")
        busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    except sqlite3.Error:
        return False
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")
    return not busy


def rollback_quietly(db):
    """Roll back if a transaction is open; SQLite may already have rolled back (a full disk does)."""
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def init_app(app):
    reserve.on_start(app.config["DATABASE"], reserve.size_for(app.config["MAX_STORAGE"]))
    init_db(app.config["DATABASE"])
    app.teardown_appcontext(close_db)
    # One connection held open for the app's life: the last one to close would reset SQLite's
    # shared-memory file, and the next to open must grow it again, which a full disk refuses.
    app.extensions["viewer.db_holder"] = holder = connect(app.config["DATABASE"])
    holder.execute("SELECT COUNT(*) FROM documents").fetchone()


def close_app(app, wait: float = 2.0):
    """At a clean stop: the log checkpointed into the database file, then the app's connection closed.

    Closing the last connection removes the log and shared-memory files, so the database file alone holds
    every committed change. A request still writing after the server stopped waiting for it is given
    `wait` seconds; after that the checkpoint copies what it can and the rest is rolled back at next start.
    """
    holder = app.extensions.pop("viewer.db_holder", None)
    if holder is None:
        return
    turn = app.extensions.get("viewer.storage_turn")
    if turn is not None and turn.acquire(timeout=wait + 10):  # a checkpoint under way (budget.Turn) ends first
        turn.release()
    try:
        holder.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        holder.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.Error as exc:
        logging.getLogger("viewer").warning("Could not checkpoint the log into %s at stop: %s",
                                            app.config["DATABASE"], exc)
    finally:
        holder.close()
