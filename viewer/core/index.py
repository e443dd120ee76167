"""Stage 2: the line index of a stored document, and the tree questions it answers without the text."""
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict

import numpy as np

from .lines import CLOSE, COMMA, DUPLICATE, KIND_MASK, NO_LINE, OPEN_ARRAY, OPEN_OBJECT, link

# What is stored of an index: 5 bytes a line. Parents and matches follow from the kinds (lines.link).
STORED = (("starts", "I"), ("kinds", "B"))


# Memory for the member lists of the arrays and objects last unfolded, per document.
CHILDREN_CACHE_BYTES = 16 << 20


class Index:
    """Per line: where it starts in the raw bytes, its parent, its matching opener/closer, its kind.

    `starts` has one more entry than there are lines: the end of the JSON text.
    """

    def __init__(self, starts, parents, matches, kinds):
        self.starts, self.parents, self.matches, self.kinds = starts, parents, matches, kinds
        self._children = OrderedDict()
        self._children_bytes = 0  # kept up to date: summing the cache on every call cost more than the walk
        self._lock = threading.Lock()

    @classmethod
    def from_stored(cls, starts, kinds):
        """The index of stored `starts` and `kinds`, its tree rebuilt from the kinds."""
        parents, matches = link(np.frombuffer(kinds, np.uint8))
        return cls(starts, parents, matches, kinds)

    @property
    def line_count(self) -> int:
        return len(self.kinds)

    @property
    def nbytes(self) -> int:
        return sum(a.itemsize * len(a) for a in (self.starts, self.parents, self.matches, self.kinds))

    def kind(self, line) -> int:
        return self.kinds[line] & KIND_MASK

    def is_open(self, line) -> bool:
        return self.kinds[line] & KIND_MASK in (OPEN_OBJECT, OPEN_ARRAY)

    def has_comma(self, line) -> bool:
        return bool(self.kinds[line] & COMMA)

    def is_duplicate(self, line) -> bool:
        return bool(self.kinds[line] & DUPLICATE)

    def opener(self, line) -> int:
        """The line itself, or for a closer the line that opened it."""
        return self.matches[line] if self.kind(line) == CLOSE else line

    def depth(self, line, known=None) -> int:
        """Nesting depth; `known` memoises depths of lines across calls within one request."""
        chain, parents = [], self.parents
        node = parents[line]
        while node != NO_LINE and (known is None or node not in known):
            chain.append(node)
            node = parents[node]
        depth = 0 if node == NO_LINE else known[node] + 1
        for ancestor in reversed(chain):
            if known is not None:
                known[ancestor] = depth
            depth += 1
        return depth

    def ancestors(self, line) -> list:
        """Openers from the root down to the parent of `line` (a closer's parent is its opener's)."""
        chain, node = [], self.parents[line]
        while node != NO_LINE:
            chain.append(node)
            node = self.parents[node]
        chain.reverse()
        return chain

    def children(self, parent) -> array:
        """The first lines of the members of an opener, in order (cached: big arrays take a walk)."""
        with self._lock:
            cached = self._children.get(parent)
            if cached is not None:
                self._children.move_to_end(parent)
                return cached
        result, matches, kinds = array("I"), self.matches, self.kinds
        line, end = parent + 1, matches[parent]
        if end - line > 4096:
            # A big container: its members are the lines whose parent it is, found in one pass (a closer's
            # parent is its opener's, so closers of nested containers are left out by their kind).
            lines = np.arange(line, end, dtype=np.uint32)
            inside = (np.frombuffer(self.parents, np.uint32)[line:end] == parent) \
                & ((np.frombuffer(kinds, np.uint8)[line:end] & KIND_MASK) != CLOSE)
            result.frombytes(lines[inside].tobytes())
        else:
            result.extend(self.member_lines(parent))
        with self._lock:
            if result.itemsize * len(result) <= CHILDREN_CACHE_BYTES and parent not in self._children:
                self._children[parent] = result  # a huge array's list is walked again
                self._children_bytes += result.itemsize * len(result)
            while len(self._children) > 64 or self._children_bytes > CHILDREN_CACHE_BYTES:
                _, dropped = self._children.popitem(last=False)
                self._children_bytes -= dropped.itemsize * len(dropped)
        return result

    def member_lines(self, parent):
        """The first lines of the members of an opener, in order, stepping over each container (not cached)."""
        matches, kinds = self.matches, self.kinds
        line, end = parent + 1, matches[parent]
        while line < end:
            yield line
            line = matches[line] + 1 if kinds[line] & KIND_MASK in (OPEN_OBJECT, OPEN_ARRAY) else line + 1

    def member_count(self, opener) -> int:
        return len(self.children(opener))

    def member_index(self, line) -> int:
        return bisect_left(self.children(self.parents[line]), line)


class IndexCache:
    """The indexes of recently read documents, kept while they fit in `limit` bytes."""

    def __init__(self, limit: int):
        self.limit, self._items, self._lock = limit, OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            index = self._items.get(key)
            if index is not None:
                self._items.move_to_end(key)
            return index

    def put(self, key, index):
        with self._lock:
            self._items.pop(key, None)
            if index.nbytes > self.limit:  # one index bigger than the limit is not kept at all
                return
            self._items[key] = index
            self._items.move_to_end(key)
            while self._items and sum(i.nbytes for i in self._items.values()) > self.limit:
                self._items.popitem(last=False)

    def drop(self, key=None):
        with self._lock:
            if key is None:
                self._items.clear()
            else:
                self._items.pop(key, None)
