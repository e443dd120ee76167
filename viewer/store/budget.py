"""The storage budget: the database never takes more than --max-storage (or half the disk's free space).

A new document that would go over makes room by removing the oldest documents nobody kept; when only
kept documents remain, or the disk itself is full, the post answers 507 and nothing stored is lost.
Posts from other sites may use only a share of the budget per window, so one hostile tab cannot push
out everything else.
"""
import collections
import os
import shutil
import sqlite3
import threading

from flask import current_app

from ..errors import ViewerError
from ..sizes import format_size
from . import expiry, reserve

# A document is written twice while it goes in (the write-ahead log, then the database file).
WRITE_FACTOR = 2
CROSS_SITE_SHARE = 0.25  # of the budget, for posts from other sites' pages ...
CROSS_SITE_WINDOW = 3600.0  # ... per this many seconds
_lock = threading.Lock()
# The oldest document nobody kept, described by what it served: its masked rendition's preview and size (the
# original's size tells the length of a masked value); no preview while it was not yet masked.
OLDEST = ("SELECT d.id, COALESCE(m.size, d.size) AS size, d.created_at,"
          " CASE WHEN d.id IN (SELECT doc_id FROM masking_pending) THEN NULL"
          " WHEN m.size IS NULL THEN d.preview ELSE m.preview END AS preview"
          " FROM documents d LEFT JOIN masking m ON m.doc_id = d.id WHERE d.kept = 0 ORDER BY d.created_at LIMIT 1")


class StorageFull(ViewerError):
    """No room for a document: the budget is used by kept documents, or the disk is full."""

    status = 507


def files_size(path) -> int:
    """What the database takes on disk: the file, its write-ahead log, its shared-memory index and reserve."""
    return sum(os.path.getsize(f"{path}{suffix}") for suffix in ("", "-wal", "-shm", "-reserve")
               if os.path.exists(f"{path}{suffix}"))


def live_size(db, path, needed: int = 0) -> int:
    """Bytes on disk once `needed` more are written: pages in use (free ones are reused first), and the log.

    The document passes through the log first, which reuses the space it already holds.
    """
    page_size, pages, free = (db.execute(f"PRAGMA {name}").fetchone()[0]
                              for name in ("page_size", "page_count", "freelist_count"))
    wal = f"{path}-wal"
    log = os.path.getsize(wal) if os.path.exists(wal) else 0
    return (pages - free) * page_size + needed + max(log, needed)


def budget(config) -> int:
    """--max-storage, but never more than what is stored now plus half the disk's free space."""
    path = config["DATABASE"]
    free = shutil.disk_usage(os.path.dirname(os.path.abspath(path))).free
    return min(config["MAX_STORAGE"], files_size(path) + free // 2)


def make_room(db, needed: int, *, cross_site: bool) -> None:
    """Remove the oldest un-kept documents until `needed` bytes fit in the budget, or raise StorageFull."""
    config = current_app.config
    limit = budget(config)
    if cross_site:
        _charge_cross_site(needed, limit)
    from .db import reclaim_space, rollback_quietly

    with _lock:
        if live_size(db, config["DATABASE"], needed) <= limit:
            return
        # Removed in one transaction, kept only if the document then fits: a post that cannot fit even
        # with every un-kept document gone removes nothing.
        removed = []
        db.execute("BEGIN IMMEDIATE")
        try:
            while live_size(db, config["DATABASE"], needed) > limit:
                oldest = db.execute(OLDEST).fetchone()
                if oldest is None:
                    stored = live_size(db, config["DATABASE"])
                    rollback_quietly(db)
                    raise full(stored, limit, needed, removable=bool(removed))
                db.execute("DELETE FROM documents WHERE id = ?", (oldest["id"],))
                removed.append(oldest)
            db.execute("COMMIT")
        except BaseException:
            rollback_quietly(db)
            raise
        waiting = current_app.extensions.get("viewer.remask")
        for oldest in removed:
            held = waiting is not None and waiting.holds(oldest["id"])  # its rendition is of looser rules
            _removed(config).appendleft({"preview": None if held else oldest["preview"], "size": format_size(oldest["size"]),
                                         "at": expiry.now(config),
                                         "why": f"to make room for a new document of {format_size(needed)}"})
        reclaim_space(db)


def _charge_cross_site(needed, limit):
    share, now = int(limit * CROSS_SITE_SHARE), expiry.now()
    posts = current_app.extensions.setdefault("viewer.cross_site_posts", collections.deque())
    with _lock:
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


def _removed(config):
    return current_app.extensions.setdefault("viewer.removed", collections.deque(maxlen=20))


def removed_documents() -> list:
    """Documents removed to make room, newest first, for the home page."""
    return list(_removed(current_app.config))
