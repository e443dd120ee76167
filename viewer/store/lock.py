"""One viewer per database: an exclusive lock on a file beside it, held for the life of the process.

The system releases the lock when the process ends, however it ends (a crash, `kill -9`, a shutdown),
so a stale lock never keeps the next viewer out. Beside it, the holder's address and process id say
to a second viewer who holds the database.
"""
import contextlib
import json
import os
from pathlib import Path

import filelock

from ..errors import ViewerError
from . import check


class Held(ViewerError):
    """Another process holds the database."""


def lock_path(database) -> Path:
    return Path(f"{database}.lock")


def holder_path(database) -> Path:
    return Path(f"{database}.viewer")


class StoreLock:
    """The database's lock: `acquire()` takes it or raises Held; `release()` gives it back."""

    def __init__(self, database):
        self.database = Path(database)
        # Shared by every thread of the process: the process holds it, not the thread that took it.
        self._lock = filelock.FileLock(str(lock_path(database)), mode=0o600, thread_local=False)

    def acquire(self, url: str):
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            raise Held(self._who_holds()) from None
        try:
            self._write_holder(url)
        except OSError:
            pass  # a full disk: the viewer still starts; a second one is told less about this one

    def release(self):
        if self._lock.is_locked:
            with contextlib.suppress(OSError):
                holder_path(self.database).unlink()
            self._lock.release()

    def _write_holder(self, url: str):
        path = holder_path(self.database)
        partial = path.with_name(path.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump({"url": url, "pid": os.getpid()}, file)
            os.replace(partial, path)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise

    def _who_holds(self) -> str:
        try:
            holder = json.loads(holder_path(self.database).read_text(encoding="utf-8"))
            url, pid = str(holder["url"]), int(holder["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return (f"another viewer is using {self.database} (it holds {lock_path(self.database)}); stop it, "
                    "or start this one with --db for another file.")
        return (f"a viewer already uses {self.database}: {url}/ (process {pid}); open that one, or stop it "
                f"first, or start this one with --db for another file.")


def claim(database, url: str) -> StoreLock:
    """The database for this process alone: its folder made on a first start, locked, then checked by reading.

    Raises Held when another viewer holds it, BadDatabase when it cannot be used; neither changes it.
    """
    database = Path(database)
    folder = database.parent
    if not folder.exists():
        try:
            folder.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise check.unusable(database, exc) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise check.folder_not_writable(folder)
    store_lock = StoreLock(database)
    try:
        store_lock.acquire(url)
    except OSError as exc:
        raise check.unusable(database, exc) from None
    try:
        check.refuse_bad(database)
    except BaseException:
        store_lock.release()
        raise
    return store_lock
