"""A window of a line too long to show whole: the bytes around one place, cut where the text stays exact.

A cut never falls inside a UTF-8 character or inside an escape (`\\n`, `\\"`, `\\u00e9`): the window
shows each of them whole or not at all, so what it shows is a piece of the text exactly as sent.
"""
CONTEXT = 4 * 1024  # bytes shown on each side of the place asked for
_BACK = 4096  # bytes read at a time when counting a run of backslashes backwards
_CONTINUATION = range(0x80, 0xC0)


def window(doc, line: int, at: int, length: int) -> tuple:
    """(start, end) in the raw bytes: about CONTEXT bytes either side of `at`..`at + length`, in `line`."""
    starts = doc.index.starts
    first, last = starts[line], min(starts[line + 1], doc.body_end)
    start = _safe(doc, max(first, min(at, last) - CONTEXT), first, last, backwards=True)
    end = _safe(doc, min(last, max(at + length, first) + CONTEXT), first, last, backwards=False)
    return start, end


def _safe(doc, pos, first, last, backwards):
    """The nearest place to cut at from `pos` (moving back or on), inside `first`..`last`."""
    around = doc.read(max(first, pos - 8), min(last, pos + 8))
    base = max(first, pos - 8)
    # A UTF-8 character: its continuation bytes are 10xxxxxx.
    while first < pos < last and around[pos - base] in _CONTINUATION:
        pos += -1 if backwards else 1
    # An escape: a backslash that starts one (an odd run of backslashes ends at it) and what it covers.
    for q in range(pos - 1, max(first, pos - 6) - 1, -1):
        if around[q - base] != 0x5C or not _starts_escape(doc, q, first):
            continue
        size = 6 if q + 1 < last and around[q + 1 - base] == 0x75 else 2  # \uXXXX or \X
        if q < pos < q + size:
            pos = q if backwards else min(last, q + size)
        break
    return pos


def _starts_escape(doc, q, first) -> bool:
    """Whether the backslash at `q` starts an escape: the run of backslashes ending there is odd."""
    run, end = 0, q + 1
    while end > first:
        begin = max(first, end - _BACK)
        data = doc.read(begin, end)
        stripped = data.rstrip(b"\\")
        run += len(data) - len(stripped)
        if stripped:
            break
        end = begin
    return run % 2 == 1
