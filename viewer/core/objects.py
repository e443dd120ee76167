"""The objects of a stored document, read from its line index: members by key, and the top-level ones.

Nothing here parses the whole document: a question about an object reads only its own member lines.
"""
import json

from .lines import NO_LINE, OPEN_ARRAY, OPEN_OBJECT
from .render import read_lines

MAX_MEMBERS = 1000


class ObjectReader:
    """Answers questions about the objects of one document, remembering the lines it has read."""

    def __init__(self, doc, texts=None):
        """`texts` may be a renderer's own {line: LineText}, so that each line is read once."""
        self.doc, self.index = doc, doc.index
        self._texts, self._members = {} if texts is None else texts, {}

    def text(self, line):
        if line not in self._texts:
            self._texts.update(read_lines(self.doc, [line]))
        return self._texts[line]

    def key(self, line):
        """The key of the member on `line` (None in an array, for the root, or for a closer)."""
        return None if line == NO_LINE else self.text(line).key_name

    def parent(self, line):
        return self.index.parents[line] if line != NO_LINE else NO_LINE

    def member(self, opener, name: str):
        """The line of the member `name` of the object opened at `opener`, or None."""
        if self.index.kind(opener) != OPEN_OBJECT:
            return None
        members = self._members.get(opener)
        if members is None:
            # An object's identifying members come first; a huge object is not read to its end for them.
            children = list(self.index.children(opener)[:MAX_MEMBERS])
            self._texts.update(read_lines(self.doc, [c for c in children if c not in self._texts]))
            # A repeated key: the last one counts, as in JSON.parse.
            members = self._members[opener] = {self._texts[c].key_name: c for c in children}
        return members.get(name)

    def scalar(self, opener, name: str):
        """The value of the scalar member `name` of an object (str, number, bool or None)."""
        line = self.member(opener, name)
        if line is None or self.index.is_open(line):
            return None
        try:
            return json.loads(self.text(line).value)
        except ValueError:
            return None

    def top_objects(self, limit: int) -> list:
        """The lines of `data` (or its items) and `included` items: the objects an API answer is about."""
        if self.index.line_count == 0 or self.index.kind(0) != OPEN_OBJECT:
            return []
        found = []
        for name in ("data", "included"):
            line = self.member(0, name)
            if line is None:
                continue
            kind = self.index.kind(line)
            if kind == OPEN_OBJECT:
                found.append(line)
            elif kind == OPEN_ARRAY:
                found += [c for c in self.index.children(line)[:limit] if self.index.kind(c) == OPEN_OBJECT]
        return found[:limit]
