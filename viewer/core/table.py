"""A table of any list: the list a JSON Pointer names, its columns, and its elements' values exactly as written.

Elements are read from the served text (a masked document's masked rendition) a batch of bytes at a
time, found by the line index, and parsed with numbers kept exactly: a fraction or exponent as its text
(`Number`), a whole number as Python's int (every digit; `-0` as its text), so that a cell shows, sorts and
exports the digits the document holds. Columns come from the keys of the first
`SAMPLE` elements, objects flattened to depth 2 (`attributes.name`); deeper values are JSON text.
"""
import json
import re
from bisect import bisect_left, bisect_right

import numpy as np

from ..errors import ViewerError
from .lines import OPEN_ARRAY, OPEN_OBJECT
from .render import read_lines

SAMPLE = 1000  # elements whose keys make the columns
DEPTH = 2  # objects are flattened this deep; deeper values are cells of JSON text
BATCH_BYTES = 4 << 20  # bytes of elements parsed at a time: memory stays bounded for any list
VALUE = ()  # the column of elements that are not objects
VALUE_NAME = "(value)"
_BARE = re.compile(r'[^."\s][^."]*\Z')
_NAME_PART = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[^."]+)\s*(?:\.|\Z)')


class Number(str):
    """A number's text exactly as the document writes it."""


# An integer -0 (or the same text inside a string, which costs only speed): its sign would be lost as an int.
_NEGATIVE_ZERO = re.compile(rb"-0(?![0-9.eE])")


class Missing:
    """No such member in this element (a blank cell, unlike null)."""

    def __repr__(self):
        return "MISSING"


MISSING = Missing()


def parse(data: bytes):
    """Parsed, numbers exact: ints are parsed by the C scanner itself, which a call per number slowed fivefold."""
    if not _NEGATIVE_ZERO.search(data):
        try:
            return json.loads(data, parse_float=Number)
        except ValueError:  # an integer of more digits than Python turns into an int (4,300)
            pass
    return json.loads(data, parse_int=Number, parse_float=Number)


def is_number(value) -> bool:
    kind = type(value)
    return kind is Number or kind is int


# Finding the list.

def pointer_parts(pointer: str) -> list:
    if pointer and not pointer.startswith("/"):
        raise ViewerError(f"The path {pointer!r} is not a JSON Pointer: it starts with / (or is empty for the whole "
                          "document), like /data.")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def find_list(doc, pointer: str) -> int:
    """The line that opens the array `pointer` names."""
    index, line = doc.index, 0
    for depth, part in enumerate(pointer_parts(pointer)):
        line = _member(doc, line, part)
        if line is None:
            where = "/".join(pointer.split("/")[:depth + 2])
            raise ViewerError(f"The document has nothing at {where!r}.", status=404)
    if index.kind(line) != OPEN_ARRAY:
        raise ViewerError(f"The value at {pointer or 'the top'!r} is not a list: a table shows one row per element "
                          "of a list.")
    return line


def _member(doc, line, part):
    index = doc.index
    kind = index.kind(line)
    if kind == OPEN_ARRAY:
        members = index.children(line)
        return members[int(part)] if part.isdigit() and int(part) < len(members) else None
    if kind != OPEN_OBJECT:
        return None
    members = list(index.member_lines(line))
    texts = read_lines(doc, members)
    return next((m for m in members if texts[m].key_name == part), None)


# Reading elements.

class Elements:
    """The elements of the list opened at `line`: how many, where each starts, their values a batch at a time."""

    def __init__(self, doc, line: int):
        self.doc, self.line = doc, line
        index = doc.index
        self.lines = index.children(line)
        starts = np.frombuffer(index.starts, np.uint32)
        lines = np.frombuffer(self.lines, np.uint32) if len(self.lines) else np.zeros(0, np.uint32)
        # Element i is the bytes from offsets[i] to offsets[i + 1] (a comma and spaces after it, but for the last).
        self.offsets = np.append(starts[lines].astype(np.int64), int(index.starts[index.matches[line]]))

    def __len__(self):
        return len(self.lines)

    def read(self, lo: int, hi: int) -> list:
        """The values of elements lo..hi-1."""
        if hi <= lo:
            return []
        data = self.doc.read(int(self.offsets[lo]), int(self.offsets[hi])).rstrip()
        return parse(b"[" + (data[:-1] if data.endswith(b",") else data) + b"]")

    def batches(self, lo: int = 0, hi: int | None = None):
        """(first, values) for elements lo..hi-1, about BATCH_BYTES of text at a time."""
        hi = len(self) if hi is None else hi
        while lo < hi:
            end = int(np.searchsorted(self.offsets, self.offsets[lo] + BATCH_BYTES, side="right")) - 1
            end = min(hi, max(end, lo + 1))
            yield lo, self.read(lo, end)
            lo = end

    def __iter__(self):
        for _, values in self.batches():
            yield from values


# Columns.

def column_paths(values, asked=()) -> list:
    """The columns of these elements, in the order their keys first appear, then those `asked` by name."""
    seen = {}
    for value in values:
        if not isinstance(value, dict):
            seen.setdefault(VALUE, None)
            continue
        for key, member in value.items():
            if isinstance(member, dict) and member and DEPTH > 1:
                for inner in member:
                    seen.setdefault((key, inner), None)
            else:
                seen.setdefault((key,), None)
    for name in asked:
        seen.setdefault(parse_column(name), None)
    return list(seen)


def column_name(path: tuple) -> str:
    """`attributes.name`; a key that holds a dot (or a quote, or is empty) quoted: `attributes."a.b"`."""
    if path == VALUE:
        return VALUE_NAME
    return ".".join(key if _BARE.match(key) else json.dumps(key, ensure_ascii=False) for key in path)


def parse_column(name: str) -> tuple:
    if name == VALUE_NAME:
        return VALUE
    parts, at = [], 0
    while at < len(name):
        m = _NAME_PART.match(name, at)
        if not m or m.end() == at:
            raise ViewerError(f"The column {name!r} is not a column name: keys joined by dots, a key that holds a dot "
                              'in double quotes (attributes."a.b").')
        part = m.group(1)
        parts.append(json.loads(part) if part.startswith('"') else part.strip())
        at = m.end()
    if not parts:
        raise ViewerError("A column needs a name.")
    return tuple(parts)


def cell(value, path: tuple):
    """The value of `path` in one element, or MISSING."""
    if path == VALUE:
        return MISSING if isinstance(value, dict) else value
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


# Values as text.

def exact_text(value, limit: int | None = None) -> str:
    """The JSON text of a value with its numbers as written; cut to `limit` characters (and …) when given."""
    text = "".join(_encode(value, 0))
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


def _string(value) -> str:
    """How the encoder writes a string: a Number as its own text, any other with quotes and escapes."""
    return value if type(value) is Number else _quote(value)


# The standard library's C encoder (CPython's _json) walks lists and objects; only strings come back here.
_quote = json.encoder.c_encode_basestring
_encode = json.encoder.c_make_encoder(None, None, _string, None, ":", ",", False, False, True)


# Sorting.

def sort_key(value):
    """Numbers by value, then text (case aside), then true/false, then lists and objects; null and blanks last."""
    if is_number(value):
        try:
            return (0, float(value), "")
        except OverflowError:
            return (0, float("inf") if str(value)[0] != "-" else float("-inf"), "")
    if isinstance(value, str):
        return (1, 0.0, value.casefold())
    if value is True or value is False:
        return (2, float(value), "")
    if value is None or value is MISSING:
        return (4, 0.0, "")
    return (3, 0.0, exact_text(value, 200))


def sort_order(elements: Elements, path: tuple, descending: bool = False) -> list:
    """Element positions in the order of column `path`; nulls and blanks last either way, ties in list order."""
    keys = [sort_key(cell(value, path)) for value in elements]
    present = [i for i, key in enumerate(keys) if key[0] != 4]
    present.sort(key=keys.__getitem__, reverse=descending)  # a stable sort, reversed or not
    return present + [i for i, key in enumerate(keys) if key[0] == 4]


# Masked values.

def masked_cells(doc, elements: Elements, position: int, masking) -> set:
    """The columns (paths) of element `position` whose value holds a masked value (served text's badge lines)."""
    if not masking or not masking.has_rendition:
        return set()
    first = elements.lines[position]
    last = doc.index.matches[first] if doc.index.is_open(first) else first
    lines = masking.lines
    found = lines[bisect_left(lines, first):bisect_right(lines, last)]
    if not found:
        return set()
    if found and not doc.index.is_open(first):
        return {VALUE}
    result = set()
    for line in found:
        chain = [*doc.index.ancestors(doc.index.opener(line)), doc.index.opener(line)]
        chain = chain[chain.index(first) + 1:][:DEPTH]
        texts = read_lines(doc, chain)
        keys = tuple(texts[c].key_name for c in chain)
        keys = keys[:keys.index(None)] if None in keys else keys
        result.update({keys, keys[:1]} if keys else set())
    return result
