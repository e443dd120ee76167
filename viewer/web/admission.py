"""Big documents are taken in one at a time, and only a few wait, so small requests always find a worker.

Any web page may post to `/docs`. Without a limit, four big posts took every worker thread and
the viewer stopped answering anything else until they were done.
"""
import threading
from contextlib import contextmanager

from flask import current_app, request

from ..errors import ViewerError

BIG = 1 << 20  # bytes; smaller bodies (and every other request) are never held back
RUNNING = 1  # big intakes at once: scanning is CPU work under the interpreter's lock, so more only interleave
ADMITTED = 4  # big intakes running or waiting; each holds a worker thread, and the server has 8
RETRY_SECONDS = 5



class Admission:
    """The app's turns: big intakes running, and big intakes running or waiting."""

    def __init__(self):
        self.running = threading.BoundedSemaphore(RUNNING)
        self.admitted = threading.BoundedSemaphore(ADMITTED)


def init_app(app):
    app.extensions["viewer.admission"] = Admission()


class Busy(ViewerError):
    """Too many big documents are being taken in already."""

    status = 503
    retry_after = RETRY_SECONDS


def is_big() -> bool:
    length = request.content_length
    return length is None or length >= BIG  # a chunked body's size is unknown until it has been read


@contextmanager
def big_intake_turn():
    """Wait for the turn to take in a big body; refuse at once (503) when too many are queued already."""
    if not is_big():
        yield
        return
    turns = current_app.extensions["viewer.admission"]
    if not turns.admitted.acquire(blocking=False):
        raise Busy(f"The viewer is taking in {ADMITTED} big documents already; send this one again in "
                   f"{RETRY_SECONDS} seconds.", status=503)
    try:
        with turns.running:
            yield
    finally:
        turns.admitted.release()
