"""Masking prepared while the original is stored: the two halves of a masked intake on two cores.

A document posted or opened from a file is masked by rules known before it is stored (the local
rules file). Finding its sensitive values and making its rendition need only its bytes and its index,
so they run on a thread of their own while SQLite writes the original, which leaves the interpreter
free most of the time. Nothing is stored by the thread: the request takes what it made and stores
it as before, in the same order, so a viewer stopped or killed midway leaves what it always did (a
pending document, removed at the next start).
"""
from ..background import on_a_thread
from .rendition import Prepared, Rulebook, prepare
from .spans import masked_at


class Ahead(Rulebook):
    """Rules, and the masking they give a document, prepared on a thread from `start` until `result`."""

    def __init__(self, rules: dict):
        super().__init__(rules)
        self._preparing = self._looking = None

    def look(self, raw):
        """Look for Kustomer's own masks in the bytes alone, while the document is indexed (a search of the
        whole text: 40 ms per 100 MB that would otherwise follow the index). Started once the bytes are
        handed to the engine and written, so that it holds the interpreter from neither."""
        self._looking = on_a_thread("viewer-masking-look", masked_at, raw)

    def start(self, raw, index):
        """Begin with the document's bytes and index (it is being stored meanwhile; neither changes)."""
        self._preparing = on_a_thread("viewer-masking-ahead", self._prepare, raw, index)

    def _prepare(self, raw, index):
        return prepare(raw, index, self.rules_for, self._looking.result() if self._looking is not None else None)

    def result(self) -> Prepared | None:
        """What the thread made, once it is done (or what it raised); None if it never started (the request
        does the work)."""
        return None if self._preparing is None else self._preparing.result()
