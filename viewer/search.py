"""Find text in a stored document: a scan of its bytes at C speed, block by block, never all at once.

Matching ignores ASCII case and works on the text as written, so `\\u00e9` is found as typed.
"""
from bisect import bisect_right


def _needle(query: str) -> bytes:
    return query.encode("utf-8").lower()


def _line_of(index, offset) -> int:
    return max(0, min(bisect_right(index.starts, offset) - 1, index.line_count - 1))


def _first(doc, needle, start, end):
    carry, keep = b"", len(needle) - 1
    for offset, data in doc.blocks(start, end):
        text = carry + data
        found = text.lower().find(needle)
        if found >= 0:
            return offset - len(carry) + found
        carry = text[-keep:] if keep else b""
    return None


def _last(doc, needle, start, end):
    carry, keep = b"", len(needle) - 1
    for offset, data in doc.blocks(start, end, reverse=True):
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


def count(doc, query: str) -> int:
    """How many times the text occurs (not counting overlaps)."""
    needle, total, carry = _needle(query), 0, b""
    if not needle:
        return 0
    keep = len(needle) - 1
    for _, data in doc.blocks(doc.body_start, doc.body_end):
        text = carry + data
        total += text.lower().count(needle)
        carry = text[-keep:] if keep else b""
    return total
