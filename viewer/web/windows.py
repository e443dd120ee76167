"""Kustomer's unmasking windows the viewer opened: each ends when the viewer's unmask of it ends.

A window unmasks the customer for everyone in the organisation, so the viewer ends it (`DELETE
/v1/customers/<id>/unmasking-windows`) when its own unmask ends: by the clock, on a thread owned by the
app that wakes when the next one is due, or at once by Mask again now. One whose end passed while the
viewer was not running is ended at its next start. If Kustomer refuses (403), the document's page says
so, names the role and says how long the window has left by Kustomer's own length.
"""
import json
import threading

from flask import current_app

from ..errors import ViewerError
from ..kustomer import upstream
from ..masking.state import duration, now
from ..store.db import get_db
from .upstream_limits import limits

EXTENSION = "viewer.windows"
DELETE_ROLE = "org.permission.unmasking_window.delete"
LEGACY_ROLE = "org.user.customer.write"
DEFAULT_HOURS = 24  # Kustomer's default length of a window, when its answer does not say
RETRY_SECONDS = 60.0  # after a failure other than a refusal (the network, Kustomer down)


def opened(doc_id: str, url: str, *, at: float, until: float, answer: bytes):
    """Record a window opened at `at` for an unmask ending at `until`; its own end as Kustomer's answer gives it."""
    get_db().execute("INSERT OR REPLACE INTO unmasking_windows (doc_id, url, until, ends_at) VALUES (?,?,?,?)",
                     (doc_id, url, until, at + _hours(answer) * 3600))
    closer(current_app._get_current_object()).wake()


def _hours(answer: bytes) -> float:
    try:
        hours = json.loads(answer)["data"]["attributes"]["durationHours"]
    except (ValueError, KeyError, TypeError):
        return DEFAULT_HOURS
    return float(hours) if isinstance(hours, int | float) and 0 < hours <= 72 else DEFAULT_HOURS


def window_of(doc_id: str):
    return get_db().execute("SELECT * FROM unmasking_windows WHERE doc_id = ?", (doc_id,)).fetchone()


def end_now(doc_id: str):
    """Mask again now: end the document's window at once (the page then says if Kustomer refused)."""
    row = window_of(doc_id)
    if row is not None and row["closed_at"] is None:
        get_db().execute("UPDATE unmasking_windows SET until = ? WHERE doc_id = ?", (now(), doc_id))
        close(doc_id)


def close(doc_id: str):
    """Ask Kustomer to end the window once; record that it ended, or why not (a refusal is not asked again)."""
    with closer(current_app._get_current_object()).closing:  # the request and the thread never both ask
        row = window_of(doc_id)
        if row is not None and row["closed_at"] is None and row["refused"] is None:
            _close(doc_id, row)


def _close(doc_id, row):
    fetched = get_db().execute("SELECT fetch_info FROM documents WHERE id = ?", (doc_id,)).fetchone()
    key_name = json.loads(fetched[0]).get("key_name") if fetched and fetched[0] else None  # the key it was fetched with
    try:
        upstream.delete(row["url"], allowed_hosts=current_app.config["ALLOWED_HOSTS"], limits=limits(),
                        key_name=key_name)
    except ViewerError as exc:
        if getattr(exc, "upstream_status", None) in (401, 403):
            get_db().execute("UPDATE unmasking_windows SET refused = ? WHERE doc_id = ?",
                             (f"Kustomer refused to end it ({exc.upstream_status})", doc_id))
            return
        current_app.logger.warning("Could not end Kustomer's unmasking window for %s yet: %s", doc_id, exc)
        raise
    get_db().execute("UPDATE unmasking_windows SET closed_at = ? WHERE doc_id = ?", (now(), doc_id))


def refusal(row) -> str | None:
    """What the page says of a window Kustomer would not end, or None."""
    if row is None or not row["refused"]:
        return None
    left = (row["ends_at"] or 0) - now()
    stays = (f"it stays open for everyone in the organisation for about {duration(left)} more, unless someone ends "
             "it in Kustomer" if left > 0 else "Kustomer has ended it on its own by now")
    return (f"{row['refused']}: the viewer masks this document again, but Kustomer's unmasking window for the "
            f"customer was not ended. The key needs the role {DELETE_ROLE} (legacy {LEGACY_ROLE}); {stays}.")


class Closer:
    """The app's thread ending windows when their unmask ends; it runs only while a window is open."""

    def __init__(self, app):
        self.app, self._wake, self._thread, self._lock = app, threading.Event(), None, threading.Lock()
        self.closing = threading.Lock()
        self._stopped = False
        self._failed_at = {}

    def wake(self):
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="viewer-windows", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0):
        """No more rounds (the viewer is stopping); a window due later is ended at the next start.

        Waits for a round under way to finish, so that no request to Kustomer is left half-made and a
        viewer started next on the same store never asks for the same end twice.
        """
        self._stopped = True
        self._wake.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self):
        while not self._stopped:
            with self.app.app_context():
                wait = self._round()
            with self._lock:
                if wait is None or self._stopped:
                    self._thread = None
                    return
            self._wake.wait(wait)
            self._wake.clear()

    def _round(self):
        """End every window that is due; seconds until the next is, or None when none is open."""
        rows = get_db().execute("SELECT doc_id, until FROM unmasking_windows"
                                " WHERE closed_at IS NULL AND refused IS NULL ORDER BY until").fetchall()
        if not rows:
            return None
        poll = float(self.app.config.get("WINDOW_POLL_SECONDS", 30.0))
        clock, wait = now(), poll
        for row in rows:
            if self._stopped:
                return None
            retry = self._failed_at.get(row["doc_id"], -RETRY_SECONDS) + RETRY_SECONDS
            if row["until"] > clock:
                wait = min(wait, row["until"] - clock)
            elif clock >= retry:
                try:
                    close(row["doc_id"])
                    self._failed_at.pop(row["doc_id"], None)
                except Exception:
                    self._failed_at[row["doc_id"]] = clock
        return max(0.01, wait)


def closer(app) -> Closer:
    return app.extensions.setdefault(EXTENSION, Closer(app))


def close_due_at_start(app):
    """Windows whose end passed while the viewer was not running are ended now, on the closer's thread."""
    with app.app_context():
        if get_db().execute("SELECT 1 FROM unmasking_windows WHERE closed_at IS NULL AND refused IS NULL").fetchone():
            closer(app).wake()
