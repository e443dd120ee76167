"""Find text in a stored document: a scan of its bytes at C speed, block by block, never all at once.

Matching ignores ASCII case and works on the text as written, so `\\u00e9` is found as typed. Hits
do not overlap: reading from the start, each one begins after the last one ends (`0,0` is in
`[0,0,0,0]` twice), as editors count. A hit is named by its byte offset. Rows ask which hits fall in
their few bytes (`hits`): those come from the offsets a count remembered, or are worked out from a
nearby place that no hit can straddle, so the count, the marks and next/previous always agree.
"""
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict

from ..errors import ViewerError

# Well under the viewer's mmap threshold (see viewer.__main__): pieces that are mapped and unmapped
# afresh each time had page faults that more than doubled the time of a 100 MB search.
BLOCK = 512 * 1024
# A hit is shown inside a window of its line (render.WINDOW_CONTEXT around it): the text must fit.
MAX_QUERY = 1024
MAX_KNOWN = 100_000  # hits whose offsets a count remembers, so that next, previous and "n of N" need no reading


def needle(query: str) -> bytes:
    """The bytes looked for; raises ViewerError for text too long to show a hit of."""
    found = query.encode("utf-8", "surrogatepass").lower()
    if len(found) > MAX_QUERY:
        raise ViewerError(f"Find looks for at most {MAX_QUERY:,} bytes of text; this is {len(found):,}. "
                          "Shorten the text to find.")
    return found


def _line_of(index, offset) -> int:
    return max(0, min(bisect_right(index.starts, offset) - 1, index.line_count - 1))


def line_span(doc, offset: int, length: int) -> tuple:
    """(first line, last line) that the hit at `offset` covers."""
    index = doc.index
    return _line_of(index, offset), _line_of(index, offset + max(length, 1) - 1)


def _first(doc, needle, start, end):
    carry, keep = b"", len(needle) - 1
    for offset, data in doc.blocks(start, end, BLOCK):
        text = carry + data
        found = text.lower().find(needle)
        if found >= 0:
            return offset - len(carry) + found
        carry = text[-keep:] if keep else b""
    return None


def _last(doc, needle, start, end):
    carry, keep = b"", len(needle) - 1
    for offset, data in doc.blocks(start, end, BLOCK, reverse=True):
        text = data + carry
        found = text.lower().rfind(needle)
        if found >= 0:
            return offset + found
        carry = text[:keep] if keep else b""
    return None


def find(doc, query: str, at: int, backwards: bool = False):
    """(offset of the first hit after the hit at `at`, or the last before it when `backwards`; wrapped?).

    `at` -1 starts from the beginning (or the end, backwards); (None, False) when there is no hit.
    """
    text = needle(query)
    if not text or doc.body_end <= doc.body_start:
        return None, False
    doc.search_memory.searching(_doc_key(doc), text)
    known = _known_hits(doc, text)
    if known is not None:
        return _from_known(known, at, backwards)
    lo, hi, keep = doc.body_start, doc.body_end, len(text) - 1
    if not backwards:
        split = max(lo, at + len(text)) if at >= 0 else lo  # the next hit begins after this one ends
        found, wrapped = (_first(doc, text, split, hi) if split < hi else None), False
        if found is None and at >= 0:  # wrap round to the first hit, `at` itself when it is the only one
            found, wrapped = _first(doc, text, lo, min(hi, at + len(text) + keep)), True
    else:
        split = min(hi, at) if at >= 0 else hi
        found, wrapped = (_previous(doc, text, lo, split) if split > lo else None), False
        if found is None and at >= 0:
            found, wrapped = _previous(doc, text, lo, hi), True
    return found, wrapped


# How far back `hits` looks for a place no occurrence straddles. Only text that repeats its own start
# (`0,0` in a long list of zeros) chains occurrences further; there the offsets a count remembers decide.
SYNC_BACK = 64 * 1024


def hits(doc, text: bytes, start: int, end: int) -> list:
    """Offsets of the hits of `text` (a needle) that overlap the bytes `start`..`end`, in order."""
    size = len(text)
    if not text:
        return []
    known = _known_hits(doc, text)
    if known is not None:
        return list(known[bisect_left(known, start - size + 1):bisect_left(known, end)])
    hi, back = min(doc.body_end, end + size - 1), 256
    while True:  # a little before `start` is almost always enough; a chain of occurrences needs more
        lo = max(doc.body_start, start - size + 1 - back)
        data = doc.read(lo, hi).lower()
        from_here = _unstraddled(data, text, max(0, start - size + 1 - lo))
        if from_here > 0 or lo == doc.body_start or back >= SYNC_BACK:
            break
        back *= 16
    found, at = [], data.find(text, from_here)
    while at >= 0 and lo + at < end:
        if lo + at + size > start:
            found.append(lo + at)
        at = data.find(text, at + size)
    return found


def _unstraddled(data: bytes, text: bytes, at: int) -> int:
    """A place at or before `at` where no occurrence begins less than its length before: hits found from
    there on, each after the last, are the ones a reading from the start finds."""
    keep = len(text) - 1
    while at > 0:
        earlier = data.rfind(text, max(0, at - keep), at - 1 + len(text))
        if earlier < 0:
            break
        at = earlier
    return at


def _bordered(needle: bytes) -> bool:
    """Whether the text's start repeats at its end (`0,0`, `[[`): only such text has overlapping occurrences."""
    return any(needle[:k] == needle[-k:] for k in range(1, len(needle)))


def _previous(doc, text, lo, before):
    """The last hit starting before `before`: the last occurrence, or the hit that straddles it."""
    size = len(text)
    last = _last(doc, text, lo, min(doc.body_end, before + size - 1))
    if last is None:
        return None
    straddling = hits(doc, text, last, last + 1)
    return straddling[-1] if straddling else last


def count(doc, query: str) -> int | None:
    """How many hits the text has (none overlapping); remembers their offsets when there are at most MAX_KNOWN.

    None when a search for other text in the same document began meanwhile: nobody waits for this
    count any more, and reading on would slow that search down (both need the interpreter's lock).
    """
    text, total, carry = needle(query), 0, b""
    if not text:
        return 0
    doc.search_memory.searching(_doc_key(doc), text)
    keep, size, offsets, bordered = len(text) - 1, len(text), array("I"), _bordered(text)
    resume = doc.body_start  # where the next hit may begin: after the last one ends
    for offset, data in doc.blocks(doc.body_start, doc.body_end, BLOCK):
        if doc.search_memory.latest(_doc_key(doc)) != text:
            return None
        block = (carry + data).lower()
        base = offset - len(carry)
        start = max(0, resume - base)
        if bordered:  # occurrences may overlap: step from hit to hit, each after the last
            found, at = 0, block.find(text, start)
            while at >= 0:
                found += 1
                if len(offsets) <= MAX_KNOWN:
                    offsets.append(base + at)
                resume = base + at + size
                at = block.find(text, at + size)
        else:  # occurrences never overlap: every one is a hit, counted at C speed
            found = block.count(text, start)
            at = block.find(text, start) if found and total < MAX_KNOWN else -1
            while at >= 0 and len(offsets) <= MAX_KNOWN:
                offsets.append(base + at)
                at = block.find(text, at + size)
        total += found
        carry = block[-keep:] if keep else b""
    if total <= MAX_KNOWN:  # every hit is known: next and previous need no more reading
        doc.search_memory.remember(_doc_key(doc), text, offsets)
    return total


class SearchMemory:
    """What find remembers across requests: every hit of the last searches (when there are at most
    MAX_KNOWN), and the text last searched for in each document, so a count nobody waits for stops.

    One per app (store.documents hands it to each Document as `search_memory`).
    """

    KEPT = 16  # searches whose hits are kept

    def __init__(self):
        self._known, self._latest, self._lock = OrderedDict(), {}, threading.Lock()
        self._made = OrderedDict()  # (key, text) -> what was made of its hits (the rows of "only matches")

    def made_of_hits(self, key, text, make):
        """make(offsets) for the known hits of `text`, kept for the next requests; None when not all known."""
        with self._lock:
            offsets = self._known.get((key, text))
            made = self._made.get((key, text))
        if offsets is None:
            return None
        if made is not None and made[0] is offsets:
            return made[1]
        result = make(offsets)
        with self._lock:
            self._made[(key, text)] = (offsets, result)
            while len(self._made) > 4:
                self._made.popitem(last=False)
        return result

    def remember(self, key, text, offsets):
        with self._lock:
            self._known[(key, text)] = offsets
            while len(self._known) > self.KEPT:
                self._known.popitem(last=False)

    def known(self, key, text):
        with self._lock:
            return self._known.get((key, text))

    def searching(self, key, text):
        with self._lock:
            if len(self._latest) > 1000 and key not in self._latest:
                self._latest.clear()
            self._latest[key] = text

    def latest(self, key):
        return self._latest.get(key)


def _doc_key(doc):
    """A document's text: its masked rendition and its original are searched apart."""
    return (doc.id, getattr(doc, "variant", ""))


def _known_hits(doc, text):
    return doc.search_memory.known(_doc_key(doc), text)


def made_of_hits(doc, query: str, make):
    """make(offsets of every hit of `query`), remembered while those hits are; None when not all are known."""
    return doc.search_memory.made_of_hits(_doc_key(doc), needle(query), make)


def _from_known(offsets, at, backwards):
    if not offsets:
        return None, False
    if backwards:
        i = bisect_left(offsets, at if at >= 0 else 1 << 40)
        return (offsets[i - 1], False) if i else (offsets[-1], True)
    i = bisect_right(offsets, at)
    return (offsets[i], False) if i < len(offsets) else (offsets[0], at >= 0)


def ordinal(doc, query: str, offset) -> dict:
    """{"ordinal": n, "of": N}: the hit at `offset` is the n-th of N, once a count has seen them all."""
    offsets = _known_hits(doc, needle(query)) if query and offset is not None and offset >= 0 else None
    if offsets is None:
        return {}
    i = bisect_left(offsets, offset)
    return {"ordinal": i + 1, "of": len(offsets)} if i < len(offsets) and offsets[i] == offset else {}
