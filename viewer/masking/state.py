"""Whether a stored document shows masked or unmasked now, by the app's clock, and which lines carry a badge."""
import json
from bisect import bisect_left
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup

from ..store import expiry
from ..store.masking import badge_lines, load_masking
from .remask import EXTENSION, Remasking


def now() -> float:
    """The viewer's time (epoch seconds), which setting the wall clock back does not turn back: store.expiry.now."""
    return expiry.now()


@dataclass
class MaskState:
    """A document's masking as of this request."""

    masked: bool  # the masked rendition is served
    has_rendition: bool
    count: int
    attributes: list
    note: str | None
    customer_id: str | None
    kustomer: bool
    unmasked_until: float | None
    doc_id: str = ""
    _lines: object = None

    @property
    def lines(self):
        """Sorted lines of the served text that carry a badge, read when rows are first drawn."""
        if self._lines is None:
            self._lines = badge_lines(self.doc_id, self.masked) if self.has_rendition else []
        return self._lines

    @property
    def seconds_left(self) -> int:
        return max(0, int(self.unmasked_until - now())) if self.unmasked_until and not self.masked else 0

    def badge(self, line) -> Markup:
        i = bisect_left(self.lines, line)
        if i == len(self.lines) or self.lines[i] != line:
            return Markup("")
        if self.masked:
            return Markup('<span class="mask-badge masked" title="masked: this value is sensitive">Masked</span>')
        return Markup('<span class="mask-badge unmasked" title="unmasked: masks again in {}">Unmasked</span>').format(
            duration(self.seconds_left))


def apply_masking(doc):
    """Set `doc.masking` and, while the document is masked, serve its masked rendition."""
    waiting = current_app.extensions.get(EXTENSION)
    if waiting is not None and waiting.holds(doc.id):
        raise Remasking(f"Document {doc.id} is being masked again under the masking rules in force now, which are "
                        f"stricter than those it was masked under; it is shown once that is done, and this page "
                        f"reloads itself. {waiting.progress(doc.id)}")
    row = load_masking(doc.id)
    if row is None:
        return
    has_rendition = row["size"] is not None
    until = row["unmasked_until"]
    masked = has_rendition and not (until and now() < until)
    doc.masking = MaskState(masked, has_rendition, row["count"], json.loads(row["attributes"]), row["note"],
                            row["customer_id"], bool(row["kustomer"]), until if not masked else None, doc.id)
    if masked:
        doc.use_rendition(row)


def duration(seconds) -> str:
    seconds = max(0, int(seconds))
    hours, minutes = divmod((seconds + 59) // 60, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
