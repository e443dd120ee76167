"""Where a document's masked values lie: byte spans of its raw text, each with the text that replaces it.

Found once, when the document arrives, from its line index and its bytes: Kustomer's objects
(`data`, the items of a list, `included`) whose resource has rules, and Kustomer's own masks
(`{"isMasked": true, "maskedPresentation": "…"}`), which read as the one value they stand for.
"""
import itertools
import json
import re
from bisect import bisect_right
from dataclasses import dataclass

from ..core.lines import KIND_MASK, MEMBER, NO_LINE, OPEN_ARRAY, OPEN_OBJECT
from ..core.render import _LINE, LineText, _decode_string
from ..kustomer.metadata import resource_for
from .formats import mask

# In these list-valued attributes only the value member of each item is sensitive (its type and
# verified flag are not): Kustomer masks `emails[].email`, not `emails[].type`.
VALUE_KEYS = {"emails": "email", "sharedEmails": "email", "phones": "phone", "sharedPhones": "phone",
              "externalIds": "externalId", "socials": "username", "sharedSocials": "username"}
KUSTOMER_MASK = re.compile(rb'"isMasked"')
_FULL_TEXT = json.dumps(mask("x", "full", "")).encode()
_NUMBER_START = frozenset(b"-0123456789"[i:i + 1] for i in range(11))


@dataclass(frozen=True)
class Span:
    """Bytes `start`..`end` of the raw text are shown as `text`; `attribute` names what was masked."""

    start: int
    end: int
    text: bytes
    attribute: str
    kustomer: bool = False


KEY_BYTES = 64 << 10
BIG = 4096  # members of an object above which `member` searches rather than reads every key
# A member line's key: only the key is matched, not the value after it, which may be long.
_KEY = re.compile(rb'[ \t\r\n]*+("[^"\\]*+(?:\\.[^"\\]*+)*+")[ \t\r\n]*+:')


class Reader:
    """Member lookups over the raw bytes and the line index of one document, without the database."""

    def __init__(self, raw, index):
        self.raw, self.index = raw, index

    def line(self, line) -> bytes:
        starts = self.index.starts
        return bytes(self.raw[starts[line]:starts[line + 1]])

    def text(self, line) -> LineText:
        return LineText(self.line(line), False)

    def key_name(self, line):
        """The key of a member line, from its first bytes only: the value after it may be 200 MB.

        A key longer than KEY_BYTES reads as no key, and is never one that masking looks for.
        """
        starts = self.index.starts
        start = starts[line]
        m = _KEY.match(self.raw, start, min(starts[line + 1], start + KEY_BYTES))
        if m is None:
            return None
        key = m.group(1)
        if b"\\" in key:
            return _decode_string(key.decode("utf-8", "replace"))
        return key[1:-1].decode("utf-8", "replace")

    def members(self, opener) -> dict:
        """{key: line} of an object's members (the last, for a key given twice)."""
        index = self.index
        if opener is None or index.kind(opener) != OPEN_OBJECT:
            return {}
        # The index's cached child lists cost more than a walk for the small objects that masking reads
        # by the hundred thousand; a big one is listed in one whole-array pass.
        lines = index.children(opener) if index.matches[opener] - opener > BIG else index.member_lines(opener)
        return {self.key_name(line): line for line in lines}

    def named(self, opener, names) -> dict:
        """{name: line} of the members of an object with these keys (the last of each).
        """
        index = self.index
        if opener is None or index.kind(opener) != OPEN_OBJECT:
            return {}
        members = self.members(opener)
        return {name: members[name] for name in names if name in members}

    def parts(self, line):
        """The match of a line's key and value, read in place (a line can be a 200 MB string)."""
        starts = self.index.starts
        return _LINE.match(self.raw, starts[line], starts[line + 1])

    def member(self, opener, name):
        """The line of the member `name` of an object, or None (the last, if given twice).

        An object of more than BIG members is searched for the key's text rather than read whole:
        the top level of a document can hold a million keys. (There, a key written with escapes,
        such as "\\u0064ata", is not found.)
        """
        index = self.index
        if opener is None or index.kind(opener) != OPEN_OBJECT:
            return None
        # Member by member, stepping over each container: a few members can span 100 MB.
        found, lines = None, index.member_lines(opener)
        for line in itertools.islice(lines, BIG):
            if self.key_name(line) == name:
                found = line
        if next(lines, None) is None:
            return found
        needle = json.dumps(name).encode()
        start, end = index.starts[opener], index.starts[index.matches[opener]]
        found, at = None, self.raw.find(needle, start, end)
        while at >= 0:
            line = bisect_right(index.starts, at) - 1
            if index.parents[line] == opener and self.key_name(line) == name:
                found = line
            at = self.raw.find(needle, at + 1, end)
        return found

    def scalar(self, line):
        if line is None or self.index.is_open(line):
            return None
        m = self.parts(line)
        try:
            return json.loads(m.group(2)) if m else None
        except ValueError:
            return None


def objects(reader):
    """The lines of the Kustomer objects of an API answer: `data` (or its items) and `included` items."""
    index = reader.index
    if index.line_count == 0 or index.kind(0) != OPEN_OBJECT:
        return []
    found = []
    for name in ("data", "included"):
        line = reader.member(0, name)
        if line is None:
            continue
        if index.kind(line) == OPEN_OBJECT:
            found.append(line)
        elif index.kind(line) == OPEN_ARRAY:
            found += [c for c in index.children(line) if index.kind(c) == OPEN_OBJECT]
    return found


def object_types(reader) -> list:
    """The metadata resources of the objects a document holds, in order of first appearance."""
    types = []
    for line in objects(reader):
        resource = resource_for(reader.scalar(reader.members(line).get("type")))
        if resource and resource not in types:
            types.append(resource)
    return types


def find(raw, index, rules_for) -> list:
    """The spans to mask, in order and never overlapping; `rules_for(resource)` gives a masking.rules.Rules.

    `rules_for` None: there are no rules at all, and only Kustomer's own masks are looked for (walking
    every object of a 100 MB answer to learn its type takes seconds).
    """
    reader = Reader(raw, index)
    spans = kustomer_masks(reader)
    for line in objects(reader) if rules_for is not None else ():
        members = reader.named(line, ("type", "attributes"))
        resource = resource_for(reader.scalar(members.get("type")))
        rules = rules_for(resource) if resource else None
        attributes = members.get("attributes")
        if not rules or attributes is None:
            continue
        present = reader.named(attributes, (*rules.standard, "custom"))
        for name, mode in rules.standard.items():
            if name in present:
                spans += _value_spans(reader, present[name], name, mode, name)
        custom = reader.named(present.get("custom"), tuple(rules.custom))
        for name, mode in rules.custom.items():
            if name in custom:
                spans += _value_spans(reader, custom[name], name, mode, f"custom.{name}")
    return _without_overlaps(spans)


def _value_spans(reader, line, name, mode, label) -> list:
    index, spans = reader.index, []
    kinds = index.kinds
    if kinds[line] & KIND_MASK not in (OPEN_OBJECT, OPEN_ARRAY):
        lines = [line]
    else:
        lines = [x for x in range(line + 1, index.matches[line]) if kinds[x] & KIND_MASK == MEMBER]
    wanted = VALUE_KEYS.get(name)
    attribute = wanted or name
    for member in lines:
        m = reader.parts(member)
        if m is None:
            continue
        key = m.group(1)
        if wanted and member != line and key is not None and _decode_string(key.decode("utf-8", "ignore")) != wanted:
            continue
        value = m.group(2)
        first = value[:1]
        if first != b'"' and first not in _NUMBER_START:
            continue  # true, false, null and empty containers say nothing of the value
        if mode != "partial":
            text = _FULL_TEXT  # a full mask does not depend on the value: it is not decoded
        elif first == b'"':
            shown = json.loads(value) if b"\\" in value else value[1:-1].decode("utf-8", "ignore")
            text = json.dumps(mask(shown, mode, attribute)).encode()
        else:
            text = json.dumps(mask(value.decode(), mode, attribute)).encode()
        spans.append(Span(m.start(2), m.end(2), text, label))
    return spans


def kustomer_masks(reader) -> list:
    """Each `{"isMasked": true, "maskedPresentation": "…"}` object, shown as its presentation string."""
    raw, index, spans = reader.raw, reader.index, []
    pos = 0
    while (hit := raw.find(b'"isMasked"', pos)) >= 0:
        pos = hit + 10
        line = max(0, bisect_right(index.starts, hit) - 1)
        opener = index.parents[line]
        if opener == NO_LINE or index.kind(opener) != OPEN_OBJECT:
            continue
        members = reader.members(opener)
        presentation = members.get("maskedPresentation")
        if reader.scalar(members.get("isMasked")) is not True or not isinstance(reader.scalar(presentation), str):
            continue
        start = index.starts[opener] + len(reader.line(opener).rstrip()) - 1  # the `{` ends the opener line
        closer = index.matches[opener]
        end = index.starts[closer] + reader.line(closer).index(b"}") + 1
        parent_key = reader.text(opener).key_name
        spans.append(Span(start, end, reader.text(presentation).value.encode(), parent_key or "", True))
        pos = max(pos, end)
    return spans


def _without_overlaps(spans) -> list:
    kept = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if kept and span.start < kept[-1].end:
            continue  # inside a Kustomer mask already shown as one value
        kept.append(span)
    return kept
