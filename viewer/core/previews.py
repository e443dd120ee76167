"""What a folded object or array shows beside its count: its first members, read from the served text.

Only the rows on screen ask, and each reads a few lines through the index (never the whole value), so a
preview costs the same in a 100 MB document as in a small one. The text read is what the page serves, the
masked rendition while the document is masked: a masked value stays masked in its preview.
"""
import re
from itertools import islice

from .lines import OPEN_ARRAY, OPEN_OBJECT

MEMBERS = 3  # members shown of an object (a Kustomer resource: its type, id and name)
ITEMS = 5  # scalars shown of an array of them
LOOK_AHEAD = 8  # members looked at for a resource's `type`, `id` and `attributes`
ATTRIBUTES = 64  # attributes looked at for the one that names a resource
STRING = 12  # characters of a string shown before "…"
TYPE = 40  # of a resource's type, shown whole as far as this ("kobject.order", not "kobject.orde…")
NAMING = ("name", "displayName", "subject", "preview", "title")  # what names a Kustomer resource (a KObject: title)
IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")


class Previews:
    """Previews of one document's openers; `read(lines)` gives {line: LineText} (render.read_lines)."""

    def __init__(self, index, read, label_of=None):
        """`label_of(line)`: the label Kustomer's metadata gives the custom attribute a line holds, or None."""
        self.index, self._read, self._label_of = index, read, label_of

    def of(self, opener) -> str:
        kind = self.index.kind(opener)
        if kind == OPEN_OBJECT:
            return self._object(opener)
        if kind != OPEN_ARRAY:
            return ""
        first = next(iter(self.index.member_lines(opener)), None)
        if first is None:
            return ""
        if self.index.kind(first) == OPEN_OBJECT:
            return "{ " + self._object(first) + " }, …" if self.index.member_count(opener) > 1 else \
                "{ " + self._object(first) + " }"
        items = list(islice(self.index.member_lines(opener), ITEMS + 1))
        texts = self._read(items[:ITEMS])
        shown = ", ".join(self._value(line, texts[line]) for line in items[:ITEMS])
        return shown + (", …" if len(items) > ITEMS else "")

    def _object(self, opener) -> str:
        members = list(islice(self.index.member_lines(opener), LOOK_AHEAD + 1))
        texts = self._read(members)
        by_key = {texts[m].key_name: m for m in reversed(members[:LOOK_AHEAD])}  # the first copy of a key
        chosen, type_line = [], None
        if "type" in by_key and "id" in by_key:  # a Kustomer resource: what it is, which, and its name
            type_line = by_key["type"]
            chosen = [type_line, by_key["id"]]
            naming = self._naming(by_key.get("attributes"))
            if naming is not None:
                chosen.append(naming)
        else:
            chosen = members[:MEMBERS]
        texts.update(self._read([m for m in chosen if m not in texts]))
        more = self.index.member_count(opener) > len(chosen)
        return ", ".join(self._member(m, texts[m], TYPE if m == type_line else STRING) for m in chosen) + \
            (", …" if more else "")

    def _naming(self, attributes):
        """The member of a resource's `attributes` that names it (the first of NAMING it has)."""
        if attributes is None or self.index.kind(attributes) != OPEN_OBJECT:
            return None
        lines = list(islice(self.index.member_lines(attributes), ATTRIBUTES))
        texts = self._read(lines)
        found = {texts[m].key_name: m for m in reversed(lines)}
        return next((found[name] for name in NAMING if name in found), None)

    def _member(self, line, text, limit=STRING) -> str:
        label = self._label_of(line) if self._label_of is not None else None
        name = text.key_name if text.key_name is not None else ""
        key = label or (name if IDENTIFIER.match(name) else (text.key or '""'))
        return f"{key}: {self._value(line, text, limit)}"

    def _value(self, line, text, limit=STRING) -> str:
        kind = self.index.kind(line)
        if kind == OPEN_OBJECT:
            return "{…}"
        if kind == OPEN_ARRAY:
            return "[…]"
        value = text.value
        if value.startswith('"'):
            body = value[1:-1] if value.endswith('"') and len(value) > 1 else value[1:]
            return f'"{body[:limit]}…"' if len(body) > limit else f'"{body}"'
        return value if len(value) <= 2 * limit else value[:2 * limit] + "…"
