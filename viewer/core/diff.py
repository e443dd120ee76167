"""The difference between two documents, read from their line indexes and bytes.

No Python tree is built of either document. Both indexes are walked in step: a pair of values whose
exact bytes are equal is equal and skipped unread; only where bytes differ are members matched and
leaves decoded. Values are compared as JSON values: key order and whitespace are no change, numbers
compare by exact decimal value, strings by their decoded text. Arrays whose elements are all objects
with an `id`, no id repeating, are matched by (`type`, `id`); other arrays by position. Objects with
duplicate keys compare their copies in order.

The answer is a list of `Entry`s in the order they apply (see patch.py for RFC 6902): a member added,
removed, replaced or moved, a leaf written differently but equal, and runs of unchanged members.
"""
import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .lines import MEMBER, NO_LINE, OPEN_ARRAY, OPEN_OBJECT

OBJECT, ARRAY, SCALAR = "object", "array", "scalar"
_HEAD = re.compile(rb'[ \t\r\n]*+(?:("[^"\\]*+(?:\\.[^"\\]*+)*+")[ \t\r\n]*+:[ \t\r\n]*+)?')
_ID_KEY = re.compile(rb'[ \t\r\n]*+"(id|type)"[ \t\r\n]*+:')
_HEAD_BYTES = 64 * 1024  # read of a line to find its key; a longer key is read whole
_BLOCK = 1 << 20  # bytes of two values compared at a time, and of each side's read-ahead


@dataclass
class Entry:
    """One thing the comparison found. `kind`: add, remove, replace, move (patch operations),
    written (same value written differently: never a change) or same (`count` unchanged members).

    `path` (keys and array positions) is where it applies at its turn in the list; `a` and `b` are
    the lines of the value in each document (None where absent); `source` is a move's from-path.
    """

    kind: str
    path: list
    a: int | None = None
    b: int | None = None
    source: list | None = None
    count: int = 0
    lines: list = field(default_factory=list)  # for `same`: some of the unchanged members' lines in B


class Side:
    """One document as the comparison reads it: each line's key, value span, shape and members."""

    def __init__(self, doc):
        self.doc, self.index = doc, doc.index
        self.starts, self.end = self.index.starts, doc.body_end
        self._spans, self._buffers = {}, []

    def read(self, start, end) -> bytes:
        """Bytes of the document, through two read-ahead blocks: the walk reads forward, in small pieces."""
        for base, data in self._buffers:
            if base <= start and end <= base + len(data):
                return data[start - base:end - base]
        if end - start >= _BLOCK:
            return self._fetch(start, end)
        data = self._fetch(start, min(self.end, start + _BLOCK))
        self._buffers = [(start, data), *self._buffers[:1]]
        return data[:end - start]

    def _fetch(self, start, end) -> bytes:
        """Straight from the store: the document's own piece cache would hold a second copy of each block."""
        return b"".join(piece for _, piece in self.doc.blocks(start, end, size=max(1, end - start)))

    def head(self, line) -> tuple:
        """(key as written or None, start of the value) of `line`."""
        start = self.starts[line]
        stop = min(self.starts[line + 1], self.end)
        data = self.read(start, min(stop, start + _HEAD_BYTES))
        m = _HEAD.match(data)
        if m.group(1) is None and stop - start > _HEAD_BYTES and data.lstrip()[:1] == b'"' \
                and self.index.parents[line] != NO_LINE and self.index.kind(self.index.parents[line]) == OPEN_OBJECT:
            data = self.read(start, stop)  # a key longer than the read
            m = _HEAD.match(data)
        return m.group(1), start + m.end()

    def span(self, line) -> tuple:
        """(key as written or None, value start, value end): a container's value runs to its closer."""
        found = self._spans.get(line)
        if found is None:
            if len(self._spans) > 100_000:
                self._spans.clear()
            key, start = self.head(line)
            last = self.index.matches[line] if self.index.is_open(line) else line
            end = self._before_space(start, min(self.starts[last + 1], self.end))
            if end > start and self.read(end - 1, end) == b",":
                end = self._before_space(start, end - 1)
            found = self._spans[line] = (key, start, end)
        return found

    def _before_space(self, start, end) -> int:
        """Where the whitespace that ends start..end begins (a line's last member carries the indentation
        of its parent's closer, which may be any length)."""
        while end > start:
            low = max(start, end - 256)
            kept = len(self.read(low, end).rstrip(b" \t\r\n"))
            if kept:
                return low + kept
            end = low
        return end

    def id_member(self, line) -> tuple:
        """("id" or "type", its scalar's bytes, or None for a container) when `line` is such a member, else
        (None, None): read from the line's first bytes, the whole of any short member."""
        start = self.starts[line]
        stop = min(self.starts[line + 1], self.end)
        head = self.read(start, min(stop, start + 4096))  # room for deep indentation
        m = _ID_KEY.match(head)
        if m is None:
            if b"\\" not in head or self.key(line) not in ("id", "type"):
                return None, None
            name = self.key(line)
        else:
            name = m.group(1).decode()
        if self.index.kind(line) != MEMBER:
            return name, None
        token = self.text(line)
        return name, (None if token[:1] in (b"{", b"[") else token)

    def key(self, line) -> str:
        written = self._spans[line][0] if line in self._spans else self.head(line)[0]
        return decode_string(written) if written is not None else ""

    def text(self, line) -> bytes:
        _, start, end = self.span(line)
        return self.read(start, end)

    def shape(self, line) -> str:
        kind = self.index.kind(line)
        if kind == OPEN_OBJECT:
            return OBJECT
        if kind == OPEN_ARRAY:
            return ARRAY
        _, start, _ = self.span(line)
        first = self.read(start, start + 1)
        return OBJECT if first == b"{" else ARRAY if first == b"[" else SCALAR

    def members(self, line) -> list:
        return list(self.index.children(line)) if self.index.is_open(line) else []

    def value(self, line) -> tuple:
        """A leaf as a comparable value: (tag, decoded)."""
        return scalar(self.text(line))


def decode_string(written: bytes) -> str:
    if b"\\" not in written:
        return written[1:-1].decode("utf-8", "surrogateescape")
    return json.loads(written)


def scalar(token: bytes) -> tuple:
    """(tag, value) of a JSON scalar: strings by decoded text, numbers by exact decimal value."""
    first = token[:1]
    if first == b'"':
        return "string", decode_string(token)
    if token in (b"true", b"false", b"null"):
        return token.decode(), None
    try:
        return "number", Decimal(token.decode("ascii"))
    except (InvalidOperation, UnicodeDecodeError):
        return "text", token  # an empty container written with spaces inside compares by shape first


def same_bytes(a: Side, a_line, b: Side, b_line) -> bool:
    """Whether two values are written byte for byte the same (then they are equal, unread further)."""
    _, a0, a1 = a.span(a_line)
    _, b0, b1 = b.span(b_line)
    if a1 - a0 != b1 - b0:
        return False
    for at in range(0, a1 - a0, _BLOCK):
        size = min(_BLOCK, a1 - a0 - at)
        if a.read(a0 + at, a0 + at + size) != b.read(b0 + at, b0 + at + size):
            return False
    return True


def compare(doc_a, doc_b) -> "Comparison":
    """The comparison of document A with B; its `entries` turn A into B, in the order they apply."""
    comparison = Comparison(Side(doc_a), Side(doc_b))
    comparison.run()
    return comparison


class Comparison:
    """One comparison: a work stack, not recursion, so any depth is compared."""

    SAMPLE = 200  # lines of an unchanged run kept, to show when it is unfolded

    def __init__(self, a: Side, b: Side):
        self.a, self.b, self.entries = a, b, []

    def run(self) -> list:
        stack = [("pair", 0, 0, [], False)]
        while stack:
            task = stack.pop()
            if task[0] == "entry":
                self.entries.append(task[1])
                continue
            _, a_line, b_line, path, checked = task
            stack.extend(reversed(self._pair(a_line, b_line, path, checked)))
        return self.entries

    def _pair(self, a_line, b_line, path, checked) -> list:
        """The tasks that compare a value of A with one of B (`checked`: their bytes are known to differ)."""
        a, b = self.a, self.b
        if not checked and same_bytes(a, a_line, b, b_line):
            return []
        a_shape, b_shape = a.shape(a_line), b.shape(b_line)
        if a_shape != b_shape:
            return [("entry", Entry("replace", path, a_line, b_line))]
        if a_shape == SCALAR:
            kind = "written" if a.value(a_line) == b.value(b_line) else "replace"
            return [("entry", Entry(kind, path, a_line, b_line))]
        a_members, b_members = a.members(a_line), b.members(b_line)
        if a_shape == OBJECT:
            return self._objects(a_members, b_members, path)
        a_keys, b_keys = self._ids(a, a_members), self._ids(b, b_members)
        if a_keys is not None and b_keys is not None:
            return self._by_id(a_members, b_members, a_keys, b_keys, path)
        return self._by_position(a_members, b_members, path)

    def _same_run(self, path, lines) -> tuple:
        return ("entry", Entry("same", path, count=len(lines), lines=lines[:self.SAMPLE]))

    def _matched(self, pairs, path) -> list:
        """Tasks for matched members [(a_line, b_line, segment)]: runs of byte-equal ones fold into a count."""
        tasks, run = [], []
        for a_line, b_line, segment in pairs:
            if same_bytes(self.a, a_line, self.b, b_line):
                run.append(b_line)
                continue
            if run:
                tasks.append(self._same_run(path, run))
                run = []
            tasks.append(("pair", a_line, b_line, [*path, segment], True))
        if run:
            tasks.append(self._same_run(path, run))
        return tasks

    def _objects(self, a_members, b_members, path) -> list:
        """Members matched by key; a key that repeats pairs its copies in order."""
        b_by_key = {}
        for line in b_members:
            b_by_key.setdefault(self.b.key(line), []).append(line)
        used, tasks, pairs = set(), [], []
        for line in a_members:
            key = self.a.key(line)
            copies = b_by_key.get(key)
            if copies:
                partner = copies.pop(0)
                used.add(partner)
                pairs.append((line, partner, key))
            else:
                tasks.append(("entry", Entry("remove", [*path, key], line, None)))
        for line in b_members:
            if line not in used:
                tasks.append(("entry", Entry("add", [*path, self.b.key(line)], None, line)))
        return tasks + self._matched(pairs, path)

    def _ids(self, side: Side, members) -> list | None:
        """Each element's (type, id), when every element is an object with an id and no id repeats."""
        keys, seen, index = [], set(), side.index
        for line in members:
            if index.kind(line) != OPEN_OBJECT:
                return None
            found = {}
            for member in index.member_lines(line):
                name, token = side.id_member(member)
                if name is None or name in found:
                    continue
                if token is None:
                    return None  # an id or type that is an object or array
                found[name] = scalar(token)
                if len(found) == 2:
                    break
            if "id" not in found:
                return None
            key = (found.get("type"), found["id"])
            if key in seen:
                return None
            seen.add(key)
            keys.append(key)
        return keys

    def _by_position(self, a_members, b_members, path) -> list:
        common = min(len(a_members), len(b_members))
        tasks = [("entry", Entry("remove", [*path, i], a_members[i], None))
                 for i in range(len(a_members) - 1, common - 1, -1)]
        tasks += [("entry", Entry("add", [*path, i], None, b_members[i])) for i in range(common, len(b_members))]
        pairs = [(a_members[i], b_members[i], i) for i in range(common)]
        return tasks + self._matched(pairs, path)

    def _by_id(self, a_members, b_members, a_keys, b_keys, path) -> list:
        """Removals (last first), moves, additions (first first), then the matched elements at their places in B."""
        b_at = {key: j for j, key in enumerate(b_keys)}
        a_line_of = {key: a_members[i] for i, key in enumerate(a_keys)}
        tasks = [("entry", Entry("remove", [*path, i], a_members[i], None))
                 for i in range(len(a_keys) - 1, -1, -1) if a_keys[i] not in b_at]
        # What stays: B positions of A's kept elements, in A's order. The longest increasing run of them
        # stays put; every other element is moved once, just after its predecessor in B among those placed.
        current = [b_at[key] for key in a_keys if key in b_at]
        placed = set(_longest_increasing(current))
        order = sorted(placed)
        b_kept = sorted(current)
        for target in b_kept:
            if target in placed:
                continue
            source = current.index(target)
            current.pop(source)
            at = bisect_left(order, target)
            place = current.index(order[at - 1]) + 1 if at else 0
            current.insert(place, target)
            order.insert(at, target)
            placed.add(target)
            a_line = a_line_of[b_keys[target]]
            tasks.append(("entry", Entry("move", [*path, place], a_line, b_members[target], source=[*path, source])))
        tasks += [("entry", Entry("add", [*path, j], None, b_members[j]))
                  for j, key in enumerate(b_keys) if key not in a_line_of]
        pairs = [(a_line_of[key], b_members[j], j) for j, key in enumerate(b_keys) if key in a_line_of]
        return tasks + self._matched(pairs, path)


def _longest_increasing(values) -> list:
    """A longest strictly increasing subsequence of `values` (patience sorting, n log n)."""
    tails, tails_at, previous = [], [], [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tails_at.append(i)
        else:
            tails[k], tails_at[k] = value, i
        previous[i] = tails_at[k - 1] if k else -1
    result, i = [], tails_at[-1] if tails_at else -1
    while i != -1:
        result.append(values[i])
        i = previous[i]
    return result[::-1]
