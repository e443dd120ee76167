"""When documents expire: exactly at their time for every read, and their space reclaimed by a timer.

The viewer's time (`now`) is the wall clock, `app.config["CLOCK"]`, kept from going back: while the viewer
runs, the time elapsed is also measured on `app.config["ELAPSED_CLOCK"]`, a clock that counts suspend and that
no one sets, and `now` is whichever is later. Setting the wall clock back never makes a document live longer
or an unmask last longer than the time written for it; setting it forward ends them early. Tests give both.
"""
import logging
import sqlite3
import threading
import time

from flask import current_app

from .db import connect, reclaim_space

log = logging.getLogger("viewer")

# Longest sleep of the timer: a document posted while it sleeps still expires within this of its time.
MAX_SLEEP = 60.0
# Alive means kept, or not yet past its time; every read of documents filters with this.
ALIVE = "(kept = 1 OR created_at >= ?)"


def _new_document(app) -> threading.Event:
    """Set when a document arrives: the timer wakes, as it may expire before the time it is sleeping until."""
    return app.extensions.setdefault("viewer.new_document", threading.Event())


def document_added():
    """Tell the timer: a new document may expire before the time it is sleeping until."""
    _new_document(current_app).set()


def since_boot() -> float:
    """Seconds on a clock that never goes back and counts time asleep: CLOCK_BOOTTIME on Linux."""
    if hasattr(time, "CLOCK_BOOTTIME"):
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    return time.monotonic()


class Timekeeper:
    """The viewer's time: the wall clock, but never behind the last time told plus what elapsed since."""

    def __init__(self):
        self._lock = threading.Lock()
        self._last = None  # (the time told, the elapsed clock then)

    def now(self, config) -> float:
        wall = config.get("CLOCK", time.time)()
        elapsed = (config.get("ELAPSED_CLOCK") or since_boot)()
        with self._lock:
            if self._last is not None:
                told, then = self._last
                wall = max(wall, told + max(0.0, elapsed - then))
            self._last = (wall, elapsed)
        return wall


def now(config=None) -> float:
    """Epoch seconds by the viewer's time (see the module's docstring)."""
    config = config or current_app.config
    keeper = config.get("TIMEKEEPER")
    if keeper is None:
        keeper = config.setdefault("TIMEKEEPER", Timekeeper())
    return keeper.now(config)


def cutoff(config=None) -> float:
    """Documents created before this instant (and not kept) have expired."""
    config = config or current_app.config
    return now(config) - config["EXPIRE_HOURS"] * 3600


def delete_expired(db, config) -> int:
    return db.execute("DELETE FROM documents WHERE kept = 0 AND created_at < ?", (cutoff(config),)).rowcount


def next_expiry(db, config) -> float | None:
    row = db.execute("SELECT MIN(created_at) FROM documents WHERE kept = 0").fetchone()
    return None if row[0] is None else row[0] + config["EXPIRE_HOURS"] * 3600


def sweep(config) -> float:
    """Delete expired documents and reclaim their space; return how long to sleep before the next sweep."""
    db = connect(config["DATABASE"])
    try:
        if delete_expired(db, config):
            reclaim_space(db)
        due = next_expiry(db, config)
    except sqlite3.Error as exc:  # e.g. a full disk: reads still filter expired documents out
        log.warning("Could not delete expired documents (%s); trying again in a minute.", exc)
        return MAX_SLEEP
    finally:
        db.close()
    return MAX_SLEEP if due is None else min(MAX_SLEEP, max(0.05, due - now(config) + 0.01))


def start_timer(app) -> threading.Thread:
    """A daemon thread that sweeps when the next document is due (at least once a minute)."""
    config, arrived = app.config, _new_document(app)

    def run():
        while True:
            arrived.wait(sweep(config))
            arrived.clear()
    thread = threading.Thread(target=run, name="viewer-expiry", daemon=True)
    thread.start()
    return thread
