"""Find text in a stored document: a scan of its bytes at C speed, block by block, never all at once.

Matching ignores ASCII case and works on the text as written, so `\\u00e9` is found as typed. Every
occurrence is a hit, overlapping ones too (`0,0` is in `0,0,0` twice): whether a place holds a hit
then depends only on the bytes around it, so a row marks its hits without reading what comes before
it, and the count, the marks and next/previous always agree. A hit is named by its byte offset.
"""
import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict

from ..errors import ViewerError

# Under the viewer's 1 MiB mmap threshold (see viewer.__main__): bigger pieces would each be mapped
# and unmapped afresh, and their page faults more than doubled the time of a 100 MB search.
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
    _searching(_doc_key(doc), text)
    known = _known_hits(doc, text)
    if known is not None:
        return _from_known(known, at, backwards)
    lo, hi, keep = doc.body_start, doc.body_end, len(text) - 1
    if not backwards:
        split = max(lo, at + 1) if at >= 0 else lo
        found, wrapped = _first(doc, text, split, hi), False
        if found is None and split > lo:  # wrap round: hits starting before the split, `at` itself included
            found, wrapped = _first(doc, text, lo, min(hi, split + keep)), True
    else:
        split = min(hi, at) if at >= 0 else hi
        found, wrapped = (_last(doc, text, lo, min(hi, split + keep)) if split > lo else None), False
        if found is None and at >= 0:
            found, wrapped = _last(doc, text, lo, hi), True
    return found, wrapped


def hits(doc, text: bytes, start: int, end: int) -> list:
    """Offsets of the hits of `text` (a needle) that overlap the bytes `start`..`end`, in order."""
    keep = len(text) - 1
    lo, hi = max(doc.body_start, start - keep), min(doc.body_end, end + keep)
    if not text or hi - lo < len(text):
        return []
    data, found = doc.read(lo, hi).lower(), []
    at = data.find(text)
    while at >= 0 and lo + at < end:
        found.append(lo + at)
        at = data.find(text, at + 1)
    return found


def _overlapping(pattern, text: bytes, needle: bytes) -> int:
    return len(pattern.findall(text)) if pattern else text.count(needle)


def _pattern(needle: bytes):
    """A pattern counting overlapping hits, for text whose start repeats at its end (`0,0`, `[[`); else None.

    Without such a border, hits cannot overlap and bytes.count, ten times faster, counts them all.
    """
    bordered = any(needle[:k] == needle[-k:] for k in range(1, len(needle)))
    return re.compile(b"(?=" + re.escape(needle) + b")") if bordered else None


def count(doc, query: str) -> int | None:
    """How many hits the text has; remembers their offsets when there are at most MAX_KNOWN.

    None when a search for other text in the same document began meanwhile: nobody waits for this
    count any more, and reading on would slow that search down (both need the interpreter's lock).
    """
    text, total, carry = needle(query), 0, b""
    if not text:
        return 0
    _searching(_doc_key(doc), text)
    keep, offsets, pattern = len(text) - 1, array("I"), _pattern(text)
    for offset, data in doc.blocks(doc.body_start, doc.body_end, BLOCK):
        if _latest.get(_doc_key(doc)) != text:
            return None
        block = (carry + data).lower()
        found = _overlapping(pattern, block, text)
        base = offset - len(carry)
        if found and total < MAX_KNOWN:
            at = block.find(text)
            while at >= 0 and len(offsets) <= MAX_KNOWN:
                offsets.append(base + at)
                at = block.find(text, at + 1)
        total += found
        carry = block[-keep:] if keep else b""
    if total <= MAX_KNOWN:  # every hit is known: next and previous need no more reading
        with _lock:
            _known[(_doc_key(doc), text)] = offsets
            while len(_known) > 16:
                _known.popitem(last=False)
    return total


_known, _lock = OrderedDict(), threading.Lock()
_latest = {}  # document id -> the text last searched for in it


def _doc_key(doc):
    """A document's text: its masked rendition and its original are searched apart."""
    return (doc.id, getattr(doc, "variant", ""))


def _searching(doc_id, text):
    if len(_latest) > 1000 and doc_id not in _latest:
        _latest.clear()
    _latest[doc_id] = text


def _known_hits(doc, text):
    with _lock:
        return _known.get((_doc_key(doc), text))


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
