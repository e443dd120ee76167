"""A few megabytes of disk held next to the database, given up when the disk is full.

With them SQLite can still open the database (its shared-memory file), read, and delete documents on a
disk another program filled: the way out must not need free space. They are taken back once space is free.
The reserve counts against the storage budget like every other file of the viewer (store.budget), so a small
budget holds a smaller one: an eighth of it, at least 1 MiB.
"""
import logging
import os
import shutil

SIZE = 8 << 20
SMALLEST = 1 << 20
SUFFIX = "-reserve"
# Taken back only when this much more is free, so the reserve never fills the disk itself.
SLACK = 64 << 20


def path_for(database) -> str:
    return f"{database}{SUFFIX}"


def size_for(max_storage: int) -> int:
    """The reserve held under a storage budget of `max_storage` bytes: whole MiB, at most SIZE."""
    return max(SMALLEST, min(SIZE, max_storage // 8) >> 20 << 20)


def release(database) -> bool:
    """Give the reserve back to the disk; True when there was one."""
    target = path_for(database)
    try:
        size = os.path.getsize(target)
        os.remove(target)
    except FileNotFoundError:
        return False
    except OSError as exc:
        logging.getLogger("viewer").warning("Could not release the disk reserve: %s", exc)
        return False
    logging.getLogger("viewer").warning("The disk holding %s is full: released its %d MiB reserve so that "
                                        "documents can still be read and deleted.", database, size >> 20)
    return True


def restore(database, size: int = SIZE) -> None:
    """Hold a reserve of `size` bytes again when the disk has room for it and more."""
    target = path_for(database)
    try:
        if os.path.getsize(target) == size:
            return
        os.remove(target)  # held for another budget: held again at this one's size
    except FileNotFoundError:
        pass
    except OSError:
        return
    try:
        if shutil.disk_usage(os.path.dirname(os.path.abspath(database))).free < size + SLACK:
            return
        with open(target, "wb") as reserve:
            os.chmod(target, 0o600)
            reserve.truncate(0)
            # Written, not sparse: the blocks are really held.
            reserve.writelines(b"\0" * (1 << 20) for _ in range(size // (1 << 20)))
    except OSError:
        try:
            os.remove(target)
        except OSError:
            pass


def on_start(database, size: int = SIZE) -> None:
    """At start on a nearly full disk, give the reserve up so SQLite can open the database."""
    try:
        free = shutil.disk_usage(os.path.dirname(os.path.abspath(database))).free
    except OSError:
        return
    if free < size:
        release(database)
    else:
        restore(database, size)
