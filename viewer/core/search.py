"""Find text in a stored document: a scan of its bytes at C speed, block by block, never all at once.

Matching ignores ASCII case and works on the text as written, so `\\u00e9` is found as typed.
"""
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict

# Under the viewer's 1 MiB mmap threshold (see viewer.__main__): bigger pieces would each be mapped
# and unmapped afresh, and their page faults more than doubled the time of a 100 MB search.
BLOCK = 512 * 1024


def _needle(query: str) -> bytes:
    return query.encode("utf-8").lower()


def _line_of(index, offset) -> int:
    return max(0, min(bisect_right(index.starts, offset) - 1, index.line_count - 1))


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


def find(doc, query: str, from_line: int, backwards: bool = False):
    """(line of the next match after `from_line`, or before it when `backwards`; wrapped?) or (None, False)."""
    needle, index = _needle(query), doc.index
    if not needle or doc.body_end <= doc.body_start:
        return None, False
    _searching(_doc_key(doc), needle)
    known = _known_hits(doc, needle)
    if known is not None:
        return _from_known(known, from_line, backwards)
    lo, hi = doc.body_start, doc.body_end
    if not backwards:
        split = index.starts[min(from_line + 1, index.line_count)] if from_line >= 0 else lo
        found, wrapped = _first(doc, needle, split, hi), False
        if found is None and split > lo:
            found, wrapped = _first(doc, needle, lo, min(hi, split + len(needle) - 1)), True
    else:
        split = index.starts[from_line] if 0 <= from_line < index.line_count else hi
        found, wrapped = _last(doc, needle, lo, split + len(needle) - 1 if split < hi else hi), False
        if found is not None and found >= split:
            found = None
        if found is None:
            found, wrapped = _last(doc, needle, lo, hi), True
    return (None, False) if found is None else (_line_of(index, found), wrapped)


def count(doc, query: str) -> int | None:
    """How many times the text occurs (not counting overlaps); remembers the lines of the first hits.

    None when a search for other text in the same document began meanwhile: nobody waits for this
    count any more, and reading on would slow that search down (both need the interpreter's lock).
    """
    needle, total, carry = _needle(query), 0, b""
    if not needle:
        return 0
    _searching(_doc_key(doc), needle)
    keep, index, lines = len(needle) - 1, doc.index, array("I")
    for offset, data in doc.blocks(doc.body_start, doc.body_end, BLOCK):
        if _latest.get(_doc_key(doc)) != needle:
            return None
        text = (carry + data).lower()
        found = text.count(needle)
        base = offset - len(carry)
        at = text.find(needle) if found and len(lines) < MAX_KNOWN else -1
        while at >= 0 and len(lines) < MAX_KNOWN:
            line = _line_of(index, base + at)
            if not lines or lines[-1] != line:
                lines.append(line)
            at = text.find(needle, max(at + 1, index.starts[line + 1] - base))
        total += found
        carry = (carry + data)[-keep:] if keep else b""
    if total <= MAX_KNOWN:  # every hit's line is known: next and previous need no more reading
        with _lock:
            _known[(_doc_key(doc), needle)] = lines
            while len(_known) > 16:
                _known.popitem(last=False)
    return total


MAX_KNOWN = 100_000
_known, _lock = OrderedDict(), threading.Lock()
_latest = {}  # document id -> the text last searched for in it


def _doc_key(doc):
    """A document's text: its masked rendition and its original are searched apart."""
    return (doc.id, getattr(doc, "variant", ""))


def _searching(doc_id, needle):
    if len(_latest) > 1000 and doc_id not in _latest:
        _latest.clear()
    _latest[doc_id] = needle


def _known_hits(doc, needle):
    with _lock:
        return _known.get((_doc_key(doc), needle))


def _from_known(lines, from_line, backwards):
    if not lines:
        return None, False
    if backwards:
        i = bisect_left(lines, from_line if from_line >= 0 else 1 << 32)
        return (lines[i - 1], False) if i else (lines[-1], True)
    i = bisect_right(lines, from_line)
    return (lines[i], False) if i < len(lines) else (lines[0], from_line >= 0)


def ordinal(doc, query: str, line) -> dict:
    """{"ordinal": n, "of": N}: `line` is the n-th of N lines holding a hit, once a count has seen them all."""
    lines = _known_hits(doc, _needle(query)) if query and line is not None and line >= 0 else None
    if lines is None:
        return {}
    i = bisect_left(lines, line)
    return {"ordinal": i + 1, "of": len(lines)} if i < len(lines) and lines[i] == line else {}
