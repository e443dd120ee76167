"""Masking prepared while the original is stored: the two halves of a masked intake on two cores.

A document posted or opened from a file is masked by rules known before it is stored (the local
rules file). Finding its sensitive values and making its rendition need only its bytes and its index,
so they run on a thread of their own while SQLite writes the original, which leaves the interpreter
free most of the time. Nothing is stored by the thread: the request takes what it made and stores
it as before, in the same order, so a viewer stopped or killed midway leaves what it always did (a
pending document, removed at the next start).
"""
import threading

from .rendition import Prepared, Rulebook, prepare


class Ahead(Rulebook):
    """Rules, and the masking they give a document, prepared on a thread from `start` until `result`."""

    def __init__(self, rules: dict):
        super().__init__(rules)
        self._done, self._prepared, self._error, self._started = threading.Event(), None, None, False

    def start(self, raw, index):
        """Begin with the document's bytes and index (it is being stored meanwhile; neither changes)."""
        self._started = True
        threading.Thread(target=self._run, args=(raw, index), name="viewer-masking-ahead", daemon=True).start()

    def _run(self, raw, index):
        try:
            self._prepared = prepare(raw, index, self.rules_for)
        except BaseException as exc:  # raised again in the request that waits for it
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> Prepared | None:
        """What the thread made, once it is done; None if it never started (the request does the work)."""
        if not self._started:
            return None
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._prepared
