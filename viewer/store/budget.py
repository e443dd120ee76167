"""The storage budget: the files the viewer keeps on disk never exceed --max-storage (or half the disk's free space).

Every byte counts: the database, its write-ahead log and shared-memory index, the disk reserve and the lock
files beside it. A write that would go over makes room first by removing the oldest documents nobody kept;
when only kept documents remain, or the disk itself is full, the post answers 507 and nothing stored is lost.
Writes that grow the files take turns (`room_for`), so two posts never both count the same free space.
Posts from other sites may use only a share of the budget per window, so one hostile tab cannot push
out everything else.
"""
import collections
import contextlib
import os
import shutil
import sqlite3
import threading

from flask import current_app, g

from ..background import on_a_thread
from ..errors import ViewerError
from ..sizes import format_size
from . import expiry, reserve
from .db import commit_without_checkpoint, connect, reclaim_space, resume_checkpoints, rollback_quietly, shrink_log

# A document is written twice while it goes in (the write-ahead log, then the database file).
WRITE_FACTOR = 2
CROSS_SITE_SHARE = 0.25  # of the budget, for posts from other sites' pages ...
CROSS_SITE_WINDOW = 3600.0  # ... per this many seconds
# Pages a write touches besides the document's own (tables' and indexes' pages, the row that says it is
# pending), and pages each document removed to make room writes to the log.
SLACK_PAGES, REMOVAL_PAGES = 16, 4
# How long a write waits for its turn while another document is being written.
TURN_TIMEOUT = 120.0
# Every file the viewer keeps beside its database (its name plus these): the log, shared memory, a rollback
# journal (never in WAL mode, counted if a tool left one), the disk reserve and store.lock's two files.
SUFFIXES = ("", "-wal", "-shm", "-journal", reserve.SUFFIX, ".lock", ".viewer", ".viewer.new")
# The oldest document nobody kept and no intake holds, described by what it served: its masked rendition's
# preview and size (the original's size tells the length of a masked value).
OLDEST = ("SELECT d.id, COALESCE(m.size, d.size) AS size, d.created_at,"
          " CASE WHEN m.size IS NULL THEN d.preview ELSE m.preview END AS preview"
          " FROM documents d LEFT JOIN masking m ON m.doc_id = d.id WHERE d.kept = 0"
          " AND d.id NOT IN (SELECT doc_id FROM masking_pending) ORDER BY d.created_at LIMIT 1")


class StorageFull(ViewerError):
    """No room for a document: the budget is used by kept documents, or the disk is full."""

    status = 507


class Busy(ViewerError):
    """Another document took too long to write."""

    status = 503


def on_disk(path) -> int:
    """The storage figure: every byte of every file the viewer keeps beside the database at `path`."""
    total = 0
    for suffix in SUFFIXES:
        try:
            total += os.path.getsize(f"{path}{suffix}")
        except OSError:  # not there (or gone between two looks)
            pass
    return total


def projected(db, path, needed: int, removed: int = 0, pending: int = 0) -> int:
    """The files' size at the peak of writing `needed` bytes, after `removed` documents were removed for it.

    The new pages go to the log first (which may grow by all of them, when a reader keeps it from
    starting over), then into the database file, which grows by what its free pages cannot hold, with
    `pending` bytes already in the log and not yet in the file.
    """
    return _peak(state(db, path), needed, removed, pending)


def state(db, path=None) -> tuple:
    """The store as a write begins: its files' size, its page size and its free pages."""
    page_size, free = (db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_size", "freelist_count"))
    return on_disk(path or current_app.config["DATABASE"]), page_size, free


def fits(before: tuple, needed: int) -> bool:
    """Whether a write of `needed` bytes begun at `before` (see `state`) stays within the budget, as `projected`
    measures it: for a write whose size is known only once part of it is written (an index made meanwhile)."""
    return _peak(before, needed) <= budget(current_app.config)


def _peak(before: tuple, needed: int, removed: int = 0, pending: int = 0) -> int:
    on, page_size, free = before
    log = needed + (SLACK_PAGES + REMOVAL_PAGES * removed) * page_size
    return on + log + max(0, needed + pending - free * page_size)


def projected_shrunk(db, path, needed: int, removed: int, pending: int = 0) -> int:
    """As `projected`, when the pages freed by the removals are given back to the disk before the write:
    the database file is then the pages in use, and grows by the whole document."""
    page_size, pages, free = (db.execute(f"PRAGMA {name}").fetchone()[0]
                              for name in ("page_size", "page_count", "freelist_count"))
    try:
        file_size = os.path.getsize(path)
    except OSError:
        file_size = 0
    log = needed + (SLACK_PAGES + REMOVAL_PAGES * removed) * page_size
    return on_disk(path) - file_size + (pages - free) * page_size + log + needed + pending


def budget(config) -> int:
    """--max-storage, but never more than what is stored now plus half the disk's free space."""
    path = config["DATABASE"]
    free = shutil.disk_usage(os.path.dirname(os.path.abspath(path))).free
    return min(config["MAX_STORAGE"], on_disk(path) + free // 2)


def _app_lock(name) -> threading.Lock:
    return current_app.extensions.setdefault(f"viewer.{name}", threading.Lock())


HELD = "viewer_storage_turn"  # on flask.g: the turn an intake keeps between its two writes


@contextlib.contextmanager
def room_for(db, needed: int):
    """Hold the store's turn to grow while `needed` bytes are written, room made for them first.

    No other write that grows the files runs meanwhile, so the room made is still there when the bytes
    go in. Raises StorageFull (see make_room), or Busy when another write keeps the turn too long.
    Yields the Turn, whose `commit` ends the write. An intake's second write (its masked rendition)
    goes on with the turn its first kept, the first's bytes counted as still to come into the file.
    """
    held = g.pop(HELD, None)
    if held is None:
        lock = _app_lock("storage_turn")
        if not lock.acquire(timeout=TURN_TIMEOUT):
            raise Busy("The viewer is still storing another document; send this one again in a moment.")
        held = Turn(lock)
    held.handed_on = False
    try:
        make_room(db, needed, held.pending)
        yield held
    finally:
        if not held.handed_on:
            held.let_go()


class Turn:
    """The store's turn to grow, held by a write (see room_for).

    A big COMMIT leaves its pages in SQLite's log: copying them into the database file (a checkpoint)
    takes as long as writing them, and the answer need not wait for it, since readers read the log.
    The turn is handed to a thread that checkpoints and then releases it, so the next write measures
    the store as it will be. `pending`: bytes committed under this turn and not yet checkpointed.
    """

    def __init__(self, lock):
        self.lock, self.handed_on, self.pending, self.paused = lock, False, 0, None

    def commit(self, db, written: int, *, more_to_come=False):
        """COMMIT the write of about `written` bytes; `more_to_come`: the same intake writes again (keep_turn),
        and until it lets go of the turn its connection's commits leave the log to the checkpoint too."""
        commit_without_checkpoint(db)
        self.pending, self.handed_on, self.paused = self.pending + written, True, db
        if more_to_come:
            setattr(g, HELD, self)
        else:
            self._resume()
            self._checkpoint_then_release()

    def _resume(self):
        db, self.paused = self.paused, None
        if db is not None:
            with contextlib.suppress(sqlite3.Error):  # closed already: its setting went with it
                resume_checkpoints(db)

    def let_go(self):
        self._resume()
        if self.pending:
            self._checkpoint_then_release()
        else:
            self.lock.release()

    def _checkpoint_then_release(self):
        app = current_app._get_current_object()
        try:
            on_a_thread("viewer-checkpoint", _checkpoint, app, self.lock)
        except BaseException:
            _checkpoint(app, self.lock)  # no thread to be had: here, then
            raise


def let_go_held():
    """The end of an intake: a turn its first write kept is given to the checkpoint (see Turn)."""
    held = g.pop(HELD, None)
    if held is not None:
        held.let_go()


def _checkpoint(app, turn):
    try:
        db = connect(app.config["DATABASE"])
        try:
            reclaim_space(db)
        finally:
            db.close()
    except sqlite3.Error as exc:
        app.logger.warning("Could not copy the log into the database file yet: %s", exc)
    finally:
        turn.release()


def make_room(db, needed: int, pending: int = 0) -> None:
    """Remove the oldest un-kept documents until `needed` bytes fit in the budget, or raise StorageFull.

    Documents still being taken in (pending) are never removed: their intake would fail instead.
    """
    config = current_app.config
    path, limit = config["DATABASE"], budget(config)
    if projected(db, path, needed, pending=pending) <= limit:
        return
    shrink_log(db)
    if projected(db, path, needed, pending=pending) <= limit:
        return

    # Removed in one transaction, kept only if the document then fits: a post that cannot fit even
    # with every un-kept document gone removes nothing.
    removed = []
    db.execute("BEGIN IMMEDIATE")
    try:
        while min(projected(db, path, needed, len(removed), pending),
                  projected_shrunk(db, path, needed, len(removed), pending)) > limit:
            oldest = db.execute(OLDEST).fetchone()
            if oldest is None:
                stored = on_disk(path)
                rollback_quietly(db)
                raise full(stored, limit, needed, removable=bool(removed))
            db.execute("DELETE FROM documents WHERE id = ?", (oldest["id"],))
            removed.append(oldest)
        shrink = projected(db, path, needed, len(removed), pending) > limit
        db.execute("COMMIT")
    except BaseException:
        rollback_quietly(db)
        raise
    if shrink:  # the document fits only once the freed pages have left the file
        reclaim_space(db)
    waiting = current_app.extensions.get("viewer.remask")
    for oldest in removed:
        held = waiting is not None and waiting.holds(oldest["id"])  # its rendition is of looser rules
        _removed(config).appendleft({"preview": None if held else oldest["preview"], "size": format_size(oldest["size"]),
                                     "at": expiry.now(config),
                                     "why": f"to make room for a new document of {format_size(needed)}"})
    # The pages freed are the new document's: returned to the disk only once it is in (reclaim_space).


def charge_cross_site(needed: int) -> None:
    """A post from another site's page: refused (507) once such posts used their share of the budget."""
    _charge_cross_site(needed, budget(current_app.config))


def _charge_cross_site(needed, limit):
    share, now = int(limit * CROSS_SITE_SHARE), expiry.now()
    posts = current_app.extensions.setdefault("viewer.cross_site_posts", collections.deque())
    with _app_lock("cross_site_lock"):
        while posts and posts[0][0] < now - CROSS_SITE_WINDOW:
            posts.popleft()
        if sum(size for _, size in posts) + needed > share:
            raise StorageFull(f"Documents sent by other sites' pages may use at most {format_size(share)} "
                              f"(a quarter of the storage budget) per hour; this one needs {format_size(needed)}. "
                              "Open the document yourself (paste it on the viewer's home page, or use "
                              "python -m viewer open FILE), or try again later.")
        posts.append((now, needed))


def full(stored, limit, needed, removable=False) -> StorageFull:
    kept = (" Removing every document that is not kept would not make room either, so none was removed."
            if removable else "")
    return StorageFull(
        f"No room for this document: it needs about {format_size(WRITE_FACTOR * needed)} while it is written, "
        f"the viewer would still hold {format_size(stored)} (kept documents and the log that writes go through) "
        f"and its storage budget is {format_size(limit)} (--max-storage, at most half the disk's free space).{kept} "
        "Delete documents you no longer need on the home page, or restart the viewer with a larger --max-storage.")


def disk_full(error: sqlite3.Error, stored: int, limit: int) -> StorageFull:
    reserve.release(current_app.config["DATABASE"])
    current_app.logger.error("The disk holding %s is full: %s (%s)", current_app.config["DATABASE"], error,
                             getattr(error, "sqlite_errorname", type(error).__name__))
    return StorageFull(f"The disk that holds the viewer's database is full, so the document was not stored "
                       f"(the viewer holds {format_size(stored)}; its budget is {format_size(limit)}). "
                       "Earlier documents are intact. Delete documents you no longer need on the home page, or "
                       "free space on the disk, then send it again.")


def is_disk_full(error: BaseException) -> bool:
    """SQLite's "disk is full", or an I/O error while the database's disk has (almost) no free space."""
    if not isinstance(error, sqlite3.Error):
        return False
    name = getattr(error, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL" or "disk is full" in str(error):
        return True
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in str(error):
        try:
            folder = os.path.dirname(os.path.abspath(current_app.config["DATABASE"]))
            return shutil.disk_usage(folder).free < (1 << 20)
        except (OSError, RuntimeError):
            return False
    return False


def restore_reserve() -> None:
    """Hold the disk reserve again after a delete, if it was given up and now fits in the budget too."""
    config = current_app.config
    size = reserve.size_for(config["MAX_STORAGE"])
    if on_disk(config["DATABASE"]) + size <= config["MAX_STORAGE"]:
        reserve.restore(config["DATABASE"], size)


def _removed(config):
    return current_app.extensions.setdefault("viewer.removed", collections.deque(maxlen=20))


def removed_documents() -> list:
    """Documents removed to make room, newest first, for the home page."""
    return list(_removed(current_app.config))
