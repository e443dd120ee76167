"""Stage 1, compiled: check a document and build its whole line index in one pass of machine code.

The same walk as the line-by-line scanner in scan.py (one line of the pretty-printed form at a
time, a stack of open containers), written as a plain loop over the bytes and compiled by numba
into machine code. numba ships LLVM in its wheels, so nothing needs a compiler on the user's
machine. It runs only in the engine's worker process (engine.py): loading numba costs a process
about 125 MB, which the viewer gives back by stopping the worker when it is idle.

It only vouches: a document it cannot accept is handed to the line-by-line scanner, which words
the error and places it. Objects holding an escaped key are left to scan.py to compare decoded,
since JSON compares keys by their text.
"""
import gc
from array import array

import numpy as np

from .lines import CLOSE, COMMA, DUPLICATE, NO_LINE, OPEN_ARRAY, OPEN_OBJECT, new_array

OK, INVALID, TOO_MANY_ESCAPED = 0, 1, 2
MAX_ESCAPED_OBJECTS = 1024  # objects with an escaped key that the pass lists; past that, scan.py decides
# The functions that are compiled; until `build` they are plain Python, and nothing calls them.
_KERNEL = ("skip_ws", "string_end", "digits", "number_end", "word_end", "is_word", "key_hash", "same_bytes", "grow",
           "mark_duplicates", "index")
_TRUE, _FALSE, _NULL = (np.frombuffer(w, np.uint8) for w in (b"true", b"false", b"null"))
_LINKS, _META = np.frombuffer(b'"links"', np.uint8), np.frombuffer(b'"meta"', np.uint8)


class Unsure(Exception):
    """The pass cannot vouch for the document; the line-by-line scanner decides."""


def skip_ws(raw, p, end):
    while p < end:
        c = raw[p]
        if c != 32 and c != 10 and c != 13 and c != 9:
            break
        p += 1
    return p


def string_end(raw, p, end):
    """(the byte after the string opening at p, whether it holds an escape); -1 if invalid."""
    q, escaped = p + 1, False
    while q < end:
        c = raw[q]
        if c == 34:
            return q + 1, escaped
        if c == 92:
            escaped = True
            if q + 1 >= end:
                return -1, escaped
            e = raw[q + 1]
            if e == 117:  # \uXXXX
                if q + 6 > end:
                    return -1, escaped
                for k in range(q + 2, q + 6):
                    h = raw[k]
                    if not ((48 <= h <= 57) or (65 <= h <= 70) or (97 <= h <= 102)):
                        return -1, escaped
                q += 6
            elif e == 34 or e == 92 or e == 47 or e == 98 or e == 102 or e == 110 or e == 114 or e == 116:
                q += 2
            else:
                return -1, escaped
        elif c < 32:
            return -1, escaped
        else:
            q += 1
    return -1, escaped


def digits(raw, q, end):
    while q < end and 48 <= raw[q] <= 57:
        q += 1
    return q


def number_end(raw, p, end):
    q = p
    if raw[q] == 45:  # -
        q += 1
        if q >= end:
            return -1
    c = raw[q]
    if c == 48:
        q += 1
    elif 49 <= c <= 57:
        q = digits(raw, q + 1, end)
    else:
        return -1
    if q < end and raw[q] == 46:  # .
        r = digits(raw, q + 1, end)
        if r == q + 1:
            return -1
        q = r
    if q < end and (raw[q] == 101 or raw[q] == 69):  # e E
        q += 1
        if q < end and (raw[q] == 43 or raw[q] == 45):
            q += 1
        r = digits(raw, q, end)
        if r == q:
            return -1
        q = r
    return q


def word_end(raw, p, end, word):
    n = len(word)
    if p + n > end:
        return -1
    for k in range(n):
        if raw[p + k] != word[k]:
            return -1
    return p + n


def is_word(raw, p, q, word):
    return q - p == len(word) and word_end(raw, p, q, word) == q


def key_hash(raw, p, q):
    h = np.uint64(0xCBF29CE484222325)
    for k in range(p, q):
        h = (h ^ np.uint64(raw[k])) * np.uint64(0x100000001B3)
    return h


def same_bytes(raw, a, a_end, b, b_end):
    if a_end - a != b_end - b:
        return False
    for k in range(a_end - a):
        if raw[a + k] != raw[b + k]:
            return False
    return True


def grow(values, needed):
    if needed <= len(values):
        return values
    bigger = np.empty(max(needed, 2 * len(values)), values.dtype)
    bigger[:len(values)] = values
    return bigger


def mark_duplicates(raw, kinds, hashes, k_start, k_end, k_line, lo, hi):
    """Flag each key of one object (keys lo..hi) that an earlier key of it repeats."""
    if hi - lo < 2:
        return
    if hi - lo <= 16:
        for i in range(lo + 1, hi):
            for j in range(lo, i):
                if hashes[i] == hashes[j] and same_bytes(raw, k_start[i], k_end[i], k_start[j], k_end[j]):
                    kinds[k_line[i]] |= DUPLICATE
                    break
        return
    # More keys: an open-addressing table of the keys seen so far (a sort would cost seconds to compile).
    size = 64
    while size < 2 * (hi - lo):
        size *= 2
    table = np.full(size, -1, np.int64)
    for i in range(lo, hi):
        slot, repeated = np.int64(hashes[i] & np.uint64(size - 1)), False
        while table[slot] >= 0:
            j = table[slot]
            if hashes[i] == hashes[j] and same_bytes(raw, k_start[i], k_end[i], k_start[j], k_end[j]):
                repeated = True
                break
            slot = (slot + 1) & (size - 1)
        if repeated:
            kinds[k_line[i]] |= DUPLICATE
        else:
            table[slot] = i


def index(raw, start, end, starts, kinds, parents, matches, landmarks, escaped_objects):
    """Fill the index arrays; (status, lines, how many objects went into escaped_objects)."""
    # Open containers: opener line, where its keys begin, whether a key was escaped. Whether one is an
    # object is its line's kind.
    st_line = np.empty(64, np.int64)
    st_keys = np.empty(64, np.int64)
    st_esc = np.empty(64, np.bool_)
    # Keys of the open objects.
    hashes = np.empty(256, np.uint64)
    k_start = np.empty(256, np.int64)
    k_end = np.empty(256, np.int64)
    k_line = np.empty(256, np.int64)
    n_keys, n_escaped, top = 0, 0, 0
    cur, cur_obj, cur_esc = -1, False, False
    line = 0
    starts[0] = start
    p = skip_ws(raw, start, end)
    while True:
        # A line's content, from its first token: [key :] value.
        if p >= end:
            return INVALID, 0, 0
        if cur_obj:
            if raw[p] != 34:
                return INVALID, 0, 0
            q, escaped = string_end(raw, p, end)
            if q < 0:
                return INVALID, 0, 0
            if escaped:
                cur_esc = True
            if n_keys == len(hashes):
                hashes = grow(hashes, n_keys + 1)
                k_start = grow(k_start, n_keys + 1)
                k_end = grow(k_end, n_keys + 1)
                k_line = grow(k_line, n_keys + 1)
            hashes[n_keys] = key_hash(raw, p, q)
            k_start[n_keys], k_end[n_keys], k_line[n_keys] = p, q, line
            n_keys += 1
            if top == 1 and cur == 0 and not escaped:  # a top-level key: "links" and "meta" are landmarks
                if is_word(raw, p, q, _LINKS):
                    landmarks[0] = line
                elif is_word(raw, p, q, _META):
                    landmarks[1] = line
            p = skip_ws(raw, q, end)
            if p >= end or raw[p] != 58:  # :
                return INVALID, 0, 0
            p = skip_ws(raw, p + 1, end)
            if p >= end:
                return INVALID, 0, 0
        c = raw[p]
        if c == 123 or c == 91:  # { [
            q = skip_ws(raw, p + 1, end)
            if q < end and raw[q] == c + 2:  # } is { + 2, ] is [ + 2: an empty container, a value
                p = q + 1
            else:
                kinds[line] = (OPEN_OBJECT if c == 123 else OPEN_ARRAY)
                parents[line] = NO_LINE if cur < 0 else cur
                if top == len(st_line):
                    st_line = grow(st_line, top + 1)
                    st_keys = grow(st_keys, top + 1)
                    st_esc = grow(st_esc, top + 1)
                st_line[top], st_keys[top], st_esc[top] = cur, n_keys, cur_esc
                top += 1
                cur, cur_obj, cur_esc = line, c == 123, False
                line += 1
                starts[line] = p + 1
                p = q
                continue
        elif c == 34:
            p, _ = string_end(raw, p, end)
            if p < 0:
                return INVALID, 0, 0
        elif c == 116:
            p = word_end(raw, p, end, _TRUE)
        elif c == 102:
            p = word_end(raw, p, end, _FALSE)
        elif c == 110:
            p = word_end(raw, p, end, _NULL)
        else:
            p = number_end(raw, p, end)
        if p < 0:
            return INVALID, 0, 0
        kinds[line] = 0  # MEMBER
        parents[line] = NO_LINE if cur < 0 else cur
        # After a value (or a closer): a comma, the container's closer, or the end.
        while True:
            p = skip_ws(raw, p, end)
            if top == 0:
                if p != end:
                    return INVALID, 0, 0
                starts[line + 1] = end
                return OK, line + 1, n_escaped
            if p >= end:
                return INVALID, 0, 0
            c = raw[p]
            if c == 44:  # ,
                kinds[line] |= COMMA
                line += 1
                starts[line] = p + 1
                p = skip_ws(raw, p + 1, end)
                break
            if c != (125 if cur_obj else 93):
                return INVALID, 0, 0
            line += 1
            starts[line] = p
            kinds[line] = CLOSE
            matches[line], matches[cur] = cur, line
            parents[line] = parents[cur]
            if cur_obj:
                lo = st_keys[top - 1]
                if cur_esc:
                    if n_escaped == len(escaped_objects):
                        return TOO_MANY_ESCAPED, 0, 0
                    escaped_objects[n_escaped] = cur
                    n_escaped += 1
                else:
                    mark_duplicates(raw, kinds, hashes, k_start, k_end, k_line, lo, n_keys)
                n_keys = lo
            top -= 1
            cur, cur_esc = st_line[top], st_esc[top]
            cur_obj = cur >= 0 and kinds[cur] & 0x03 == OPEN_OBJECT
            p += 1


def line_bound(buf, start, end) -> int:
    """At most how many lines the text has: one more than its commas and brackets, in strings or not.

    numpy, 1 MiB at a time: its comparisons run several bytes per instruction, twice the compiled loop.
    """
    count = 1
    for lo in range(start, end, 1 << 20):
        piece = buf[lo:min(end, lo + (1 << 20))]
        folded = piece | 0x20  # [ and ] fold onto { and }
        count += int(np.count_nonzero(piece == 44) + np.count_nonzero(folded == 123) + np.count_nonzero(folded == 125))
    return count


def build():
    """Replace each kernel function by its compiled form and check it on a sample; raise if it cannot be built.

    nogil: a big document is indexed while the worker answers its pipe. cache: compiled once per
    installation (about ten seconds), then loaded in under a second. Compiled functions call each
    other through this module's globals, so each is replaced before the first call compiles them.
    """
    import numba

    for name in _KERNEL:
        if not isinstance(globals()[name], numba.core.dispatcher.Dispatcher):  # built already in this process
            globals()[name] = numba.njit(nogil=True, cache=True, boundscheck=False)(globals()[name])
    starts, kinds, parents, matches, landmarks, escaped = index_lines(SAMPLE, 0, len(SAMPLE))
    found = (list(starts), list(kinds), list(parents), list(matches), landmarks, escaped)
    if found != SAMPLE_INDEX:
        raise AssertionError(f"the compiled pass indexes a sample wrongly: {found}, not {SAMPLE_INDEX}")


# A sample with a duplicate key, an empty container, a nested array and a landmark, and its index.
SAMPLE = b'{"a": [1, "x", {}], "a": null, "links": {}}'
SAMPLE_INDEX = ([0, 1, 7, 9, 14, 17, 19, 30, 42, 43], [1, 2, 64, 64, 0, 67, 192, 0, 3],
                [NO_LINE, 0, 1, 1, 1, 0, 0, 0, NO_LINE], [8, 5, 0, 0, 0, 1, 0, 0, 0], {"links": 7}, [])


def index_lines(raw, start: int, end: int):
    """(starts, kinds, parents, matches) as array.array, landmarks, escaped objects; Unsure if it can't vouch."""
    buf = np.frombuffer(raw, np.uint8)
    buf.flags.writeable = False  # one compiled signature for bytes and bytearray alike
    bound = line_bound(buf, start, end)
    made = [new_array(code, bound + extra) for code, extra in (("I", 1), ("B", 0), ("I", 0), ("I", 0))]
    arrays, views = [pair[0] for pair in made], [pair[1] for pair in made]
    del made
    landmark_lines = np.full(2, -1, np.int64)
    escaped = np.empty(MAX_ESCAPED_OBJECTS, np.int64)
    status, count, escaped_count = index(buf, start, end, *views, landmark_lines, escaped)
    del buf, views  # an array.array cannot be resized while a view of it is alive
    if status != OK:
        raise Unsure
    arrays = [_cut(array_, length) for array_, length in zip(arrays, (count + 1, count, count, count))]
    landmarks = {name: int(line) for name, line in zip(("links", "meta"), landmark_lines) if line >= 0}
    return (*arrays, landmarks, [int(line) for line in escaped[:escaped_count]])


def _cut(values: array, length: int) -> array:
    """`values` cut to its first `length` items: the bound counted brackets and commas inside strings too.

    In place when it can be; a view of it that a compile kept alive (numba holds the arguments of a
    call it is compiling for a while) forbids resizing, and then the items are copied.
    """
    try:
        del values[length:]
        return values
    except BufferError:
        gc.collect()
    try:
        del values[length:]
        return values
    except BufferError:
        return array(values.typecode, memoryview(values)[:length])
