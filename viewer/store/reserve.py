"""A few megabytes of disk held next to the database, given up when the disk is full.

With them SQLite can still open the database (its shared-memory file), read, and delete documents on a
disk another program filled: the way out must not need free space. They are taken back once space is free.
"""
import logging
import os
import shutil

SIZE = 8 << 20
# Taken back only when this much more is free, so the reserve never fills the disk itself.
SLACK = 64 << 20


def path_for(database) -> str:
    return f"{database}-reserve"


def release(database) -> bool:
    """Give the reserve back to the disk; True when there was one."""
    try:
        os.remove(path_for(database))
    except FileNotFoundError:
        return False
    except OSError as exc:
        logging.getLogger("viewer").warning("Could not release the disk reserve: %s", exc)
        return False
    logging.getLogger("viewer").warning("The disk holding %s is full: released its %d MiB reserve so that "
                                        "documents can still be read and deleted.", database, SIZE >> 20)
    return True


def restore(database) -> None:
    """Hold the reserve again when the disk has room for it and more."""
    target = path_for(database)
    if os.path.exists(target):
        return
    try:
        if shutil.disk_usage(os.path.dirname(os.path.abspath(database))).free < SIZE + SLACK:
            return
        with open(target, "wb") as reserve:
            os.chmod(target, 0o600)
            reserve.truncate(0)
            reserve.writelines(b"\0" * (1 << 20) for _ in range(SIZE // (1 << 20)))  # written, not sparse: the blocks are really held
    except OSError:
        try:
            os.remove(target)
        except OSError:
            pass


def on_start(database) -> None:
    """At start on a nearly full disk, give the reserve up so SQLite can open the database."""
    try:
        free = shutil.disk_usage(os.path.dirname(os.path.abspath(database))).free
    except OSError:
        return
    if free < SIZE:
        release(database)
    else:
        restore(database)
