"""The line index's vocabulary (kinds and flags), and its tree rebuilt from the kinds alone.

Only a document's line starts and kinds are stored; when it is read back, `link` computes each
line's parent and matching bracket again. Levels are a running sum (+1 after an opener, -1 at a
closer); at each level openers and closers alternate, which pairs them by one stable sort; a line's
parent is the last opener one level up before it. All of it whole-array work, whatever the depth.
"""
from array import array

import numpy as np

# A line's kind (the low bits) and flags; the index's arrays and everything that reads them use these.
MEMBER, OPEN_OBJECT, OPEN_ARRAY, CLOSE = 0, 1, 2, 3
KIND_MASK, COMMA, DUPLICATE = 0x03, 0x40, 0x80
NO_LINE = 0xFFFFFFFF


def new_array(code: str, count: int):
    """An array.array of `count` zeros, and a numpy view of it to compute into.

    The index is kept as array.array (cheap to index one item at a time); computing straight into
    its memory saves a copy of every array, which for ten million lines is a noticeable pause.
    """
    result = array(code, [0]) * count
    return result, np.frombuffer(result, np.uint32 if code == "I" else np.uint8)


def small_levels(levels):
    """Levels as 16-bit integers when they fit: numpy sorts those stably by radix, several times faster."""
    return levels.astype(np.int16) if len(levels) and levels.max() < (1 << 15) else levels


def link(kinds, depth=None):
    """(parents, matches) as array.array, for lines of the kinds given (a numpy array): the tree, from the kinds alone.

    This is why only starts and kinds are stored: the rest of the index is computed again when a
    document is read back, at a few milliseconds per 100,000 lines.
    """
    # Temporaries are deleted as soon as they are used: for ten million lines each is 40 to 80 MB.
    count = len(kinds)
    shape = kinds & 0x03
    opener = (shape == OPEN_OBJECT) | (shape == OPEN_ARRAY)
    closer = shape == CLOSE
    del shape
    # Containers open around each line (a closer's is its opener's): +1 after an opener, -1 at a closer.
    # 16 bits hold the level of any document less deep than 32,767 (`depth`, or the number of openers).
    depth = np.count_nonzero(opener) if depth is None else depth
    level = np.zeros(count, np.int16 if depth < (1 << 15) - 1 else np.int32)
    if count > 1:
        np.cumsum(opener[:-1].view(np.int8) - closer[1:].view(np.int8), out=level[1:])
    matches_array, matches = new_array("I", count)
    parents_array, parents = new_array("I", count)
    parents.fill(NO_LINE)
    brackets = _where(opener | closer, np.int32 if count < (1 << 31) else np.int64)
    if not len(brackets):
        return parents_array, matches_array
    is_closer = closer[brackets]
    del opener, closer
    bracket_level = small_levels(level[brackets])
    del level
    open_lines = brackets[~is_closer]
    open_level = bracket_level[~is_closer]

    order = np.argsort(bracket_level, kind="stable")
    del bracket_level
    paired = brackets[order].reshape(-1, 2)
    del order
    matches[paired[:, 0]] = paired[:, 1]
    matches[paired[:, 1]] = paired[:, 0]
    del paired

    # Parents of openers: the last opener before each whose level is one less.
    by_level = np.argsort(small_levels(open_level), kind="stable")
    keys = (open_level[by_level].astype(np.int64) << 32) | open_lines[by_level].astype(np.int64)
    found = np.searchsorted(keys, ((open_level.astype(np.int64) - 1) << 32) | open_lines.astype(np.int64)) - 1
    del keys
    has_parent = open_level > 0
    opener_parent = np.full(len(open_lines), NO_LINE, np.uint32)
    opener_parent[has_parent] = open_lines[by_level[found[has_parent]]]
    del by_level, found, has_parent, open_level

    # Between two brackets the parent stays the same: after an opener it is that opener, after a
    # closer its opener's parent. An opener's own line has its parent, a closer's its opener's.
    parents[open_lines] = opener_parent  # for now, each opener's parent, read back just below
    after = brackets.astype(np.uint32)
    closing = np.flatnonzero(is_closer)
    after[closing] = parents[matches[brackets[closing]]]
    del closing, is_closer
    lengths = np.diff(brackets, append=count)
    step = 1 << 16  # brackets filled at a time, so that no temporary array as long as the document is made
    for lo in range(0, len(brackets), step):
        hi = min(len(brackets), lo + step)
        parents[brackets[lo]:brackets[hi] if hi < len(brackets) else count] = np.repeat(after[lo:hi], lengths[lo:hi])
    parents[open_lines] = opener_parent
    return parents_array, matches_array


def _where(mask, dtype):
    """np.flatnonzero(mask) as `dtype`, a million at a time: never a 64-bit array of them all."""
    result, at, step = np.empty(np.count_nonzero(mask), dtype), 0, 1 << 20
    for lo in range(0, len(mask), step):
        found = np.flatnonzero(mask[lo:lo + step]) + lo
        result[at:at + len(found)] = found
        at += len(found)
    return result
