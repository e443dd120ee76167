"""Where a document's masked values lie: byte spans of its raw text, each with the text that replaces it.

Found once, when the document arrives, from its line index and its bytes: Kustomer's objects
(the items of every `data` and `included`) whose resource has rules, and Kustomer's own masks
(`{"isMasked": true, "maskedPresentation": "…"}`), which read as the one value they stand for.

It fails closed. Every member is read as written in the bytes, each copy of a key given twice
included, keys compared decoded; a value in the shape Kustomer sends is masked in Kustomer's format,
and anything else under a sensitive attribute is replaced whole by the full mask.
"""
import functools
import json
import re
from bisect import bisect_right
from typing import NamedTuple

from ..core.index import CLOSE, KIND_MASK, NO_LINE, OPEN_ARRAY, OPEN_OBJECT
from ..kustomer.metadata import resource_for
from .formats import FULL, mask
from .rules import Rules

# Kustomer sends these attributes as arrays of objects, each holding the value member beside structural
# members. In the customer shape of Kustomer's API documentation, and in its masked form, Kustomer masks
# the value member and sends `type` and `verified` as they are (tests/data/kustomer-samples/customer.json,
# customer-masked-by-kustomer.json):
#     "emails": [{"type": "home", "email": {"isMasked": true, "maskedPresentation": "*******.com"}, "verified": true}]
# An item with any other member, or of any other shape, is masked whole.
CONTACT_VALUES = {"emails": "email", "sharedEmails": "email", "phones": "phone", "sharedPhones": "phone",
                  "socials": "username", "sharedSocials": "username", "urls": "url", "sharedUrls": "url",
                  "externalIds": "externalId", "sharedExternalIds": "externalId"}
STRUCTURAL_MEMBERS = frozenset({"type", "verified"})

FULL_TEXT = json.dumps(FULL).encode()
# An object spanning more than this many lines for each text searched for (each key asked for, and a
# backslash) is searched rather than read key by key: the top level of a document can hold a million keys.
SEARCH_LINES = 64
# A document of this many lines has its objects' members found in bulk (viewer.masking.bulk): the same
# spans, found at a cost per document rather than per member.

_SPACE = rb"[ \t\r\n]*+"
_STRING = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_KEY = re.compile(_SPACE + rb"(" + _STRING + rb")" + _SPACE + rb":" + _SPACE, re.DOTALL)
_LEAD = re.compile(_SPACE)
_SCALAR = re.compile(_STRING + rb"|\{" + _SPACE + rb"\}|\[" + _SPACE + rb"\]|[^ \t\r\n,\]}]++", re.DOTALL)
_OPENERS = (OPEN_OBJECT, OPEN_ARRAY)
_RESOURCE = frozenset({"type", "attributes"})
_TOP = frozenset({"data", "included"})
_KUSTOMER = frozenset({"isMasked", "maskedPresentation"})


class Span(NamedTuple):
    """Bytes `start`..`end` of the raw text are shown as `text`; `attribute` names what was masked."""

    start: int
    end: int
    text: bytes
    attribute: str
    kustomer: bool = False
    unexpected: bool = False  # not in the shape Kustomer sends: masked whole


class Reader:
    """Every member of a document's objects, from its raw bytes and line index, keys decoded."""

    def __init__(self, raw, index):
        self.raw, self.index = raw, index
        self.starts, self.kinds, self.parents, self.matches = index.starts, index.kinds, index.parents, index.matches
        self._decoded = {}

    def is_object(self, line) -> bool:
        return line is not None and line != NO_LINE and self.kinds[line] & KIND_MASK == OPEN_OBJECT

    def is_open(self, line) -> bool:
        return self.kinds[line] & KIND_MASK in _OPENERS

    def member(self, line) -> tuple:
        """(decoded key, line, where its value starts) of a member line of an object, whatever whitespace surrounds the key."""
        m = _KEY.match(self.raw, self.starts[line], self.starts[line + 1])
        if m is None:
            return None, line, _LEAD.match(self.raw, self.starts[line]).end()
        return self._decoded.get(m[1]) or self._decode(m[1]), line, m.end()

    def _decode(self, token: bytes) -> str:
        key = json.loads(token) if b"\\" in token else token[1:-1].decode("utf-8", "surrogatepass")
        if len(self._decoded) < 4096:  # keys repeat from object to object
            self._decoded[token] = key
        return key

    def members(self, opener) -> list:
        """[(key, line, where its value starts)] of every member of an object, in order, a key given twice twice."""
        if not self.is_object(opener):
            return []
        raw, starts, kinds, matches, decoded = self.raw, self.starts, self.kinds, self.matches, self._decoded
        match, found = _KEY.match, []
        line, end = opener + 1, matches[opener]
        while line < end:  # one key read a member, stepping over each container's lines
            m = match(raw, starts[line])  # it stops at the colon, in the line
            if m is None:
                found.append(self.member(line))
            else:
                key = m[1]
                found.append((decoded.get(key) or self._decode(key), line, m.end()))
            # Every line here is a member's first (MEMBER, 0) or an opener, whose closer ends the member.
            line = matches[line] + 1 if kinds[line] & KIND_MASK else line + 1
        return found

    def named(self, opener, names: frozenset) -> list:
        """The `members` of an object whose key is one of `names`.

        A long object is searched rather than read key by key (it can hold a million): a member whose
        key is one of the names has that name's text as its key or is written with escapes, so only the
        members where those texts or a backslash occur have their key read.
        """
        if not names or not self.is_object(opener):
            return []
        needles = _needles(names)
        few = SEARCH_LINES * len(needles)
        if self.matches[opener] - opener <= few or self._has_at_most(opener, few):
            return [member for member in self.members(opener) if member[0] in names]
        raw, starts, candidates = self.raw, self.starts, set()
        start, end = starts[opener + 1], starts[self.matches[opener]]
        for needle in needles:
            pos = start
            while (at := raw.find(needle, pos, end)) >= 0:
                line = self._member_at(opener, at)
                candidates.add(line)
                pos = starts[(self.matches[line] if self.is_open(line) else line) + 1]
        found = (self.member(line) for line in sorted(candidates))
        return [member for member in found if member[0] in names]

    def _has_at_most(self, opener, count) -> bool:
        """Whether an object has at most `count` members (the top of an answer: three, over millions of lines)."""
        kinds, matches, line, end = self.kinds, self.matches, opener + 1, self.matches[opener]
        while line < end:
            count -= 1
            if count < 0:
                return False
            line = matches[line] + 1 if kinds[line] & KIND_MASK else line + 1
        return True

    def _member_at(self, opener, at) -> int:
        """The member line of `opener` whose bytes hold byte `at`."""
        line, parents = bisect_right(self.starts, at) - 1, self.parents
        if self.kinds[line] & KIND_MASK == CLOSE:
            line = self.matches[line]
        while parents[line] != opener:
            line = parents[line]
        return line

    def value_start(self, line) -> int:
        """Where the value of a member or item line starts."""
        if self.is_object(self.parents[line]):
            return self.member(line)[2]
        return _LEAD.match(self.raw, self.starts[line]).end()

    def value(self, line, at=None):
        """(start, end) of the value of a member or item line (a container's from its `{` to its `}`);
        `at`, where it starts, if known."""
        if at is None:
            at = self.value_start(line)
        if self.is_open(line):
            return at, self.starts[self.matches[line]] + 1  # a closer's line starts at the closer
        return at, _SCALAR.match(self.raw, at).end()

    def scalar(self, line, at=None):
        """The value of a scalar line (None for a container, or no line)."""
        if line is None or self.is_open(line):
            return None
        start, end = self.value(line, at)
        return decoded(self.raw[start:end])

    def kustomer_mask(self, opener, members=None):
        """The presentation (JSON text) of a Kustomer mask object, or None if `opener` is not one.

        A mask has `isMasked`, every copy true, and `maskedPresentation`, every copy text, and no other
        member; copies of the presentation that disagree show the full mask. `members`: its members, if read.
        """
        if members is None:
            members = self.named(opener, _KUSTOMER)
            if len(members) != self.matches[opener] - opener - 1:
                return None  # another member, or a container: each member of a mask is one line
        elif any(key not in _KUSTOMER for key, _, _ in members):
            return None
        flags = [self.scalar(line, at) for key, line, at in members if key == "isMasked"]
        shown = [(line, at) for key, line, at in members if key == "maskedPresentation"]
        if not flags or not shown or any(flag is not True for flag in flags):
            return None
        if any(not isinstance(self.scalar(*member), str) for member in shown):
            return None
        texts = {bytes(self.raw[slice(*self.value(*member))]) for member in shown}
        return texts.pop() if len(texts) == 1 else FULL_TEXT


@functools.lru_cache(maxsize=256)
def _needles(names: frozenset) -> tuple:
    """Each name as a key written without escapes; a name that cannot be is only ever found by its escapes."""
    needles = []
    for name in names:
        if any(c in '"\\' or ord(c) < 0x20 or 0xD800 <= ord(c) < 0xE000 for c in name):
            continue
        needles.append(b'"' + name.encode() + b'"')
    return (*needles, b"\\")


def objects(reader) -> list:
    """The lines of the Kustomer objects of an API answer: every `data` (or its items), then every `included`'s."""
    index = reader.index
    if index.line_count == 0 or index.kind(0) != OPEN_OBJECT:
        return []
    found, members = [], reader.named(0, _TOP)
    for name in ("data", "included"):
        for key, line, _ in members:
            if key != name:
                continue
            if index.kind(line) == OPEN_OBJECT:
                found.append(line)
            elif index.kind(line) == OPEN_ARRAY:
                found += [c for c in index.children(line) if index.kind(c) == OPEN_OBJECT]
    return found


def types_of(reader, line) -> list:
    """Every `type` of an object, as written (a type given twice is both)."""
    return [reader.scalar(member, at) for key, member, at in reader.named(line, _RESOURCE) if key == "type"]


def object_types(reader) -> list:
    """The metadata resources of the objects a document holds, in order of first appearance."""
    types = []
    for line in objects(reader):
        for value in types_of(reader, line):
            resource = resource_for(value) if isinstance(value, str) else None
            if resource and resource not in types:
                types.append(resource)
    return types


def object_spans(reader, line, rules_of) -> list:
    """The spans of one object of the answer, under the rules of its types."""
    members = reader.named(line, _RESOURCE)
    types = (reader.scalar(member, at) for key, member, at in members if key == "type")
    rules = rules_of(tuple(t if isinstance(t, str) else None for t in types))
    spans = []
    if rules:
        for key, attributes, _ in members:
            if key == "attributes":
                spans += attribute_spans(reader, attributes, *rules)
    return spans


def rules_of_types(rules_for, types):
    """The rules of an object of these types (all of them, for a type given twice): (Rules, names, custom names)."""
    resources = dict.fromkeys(resource_for(t) for t in types if t is not None)
    found = [r for r in (rules_for(resource) for resource in resources if resource) if r]
    if not found:
        return None
    rules = found[0]
    if len(found) > 1:
        rules = Rules()
        for each in found:
            rules.add(each.standard, each.custom)
    return rules, frozenset((*rules.standard, "custom")), frozenset(rules.custom)


def attribute_spans(reader, attributes, rules, names, custom_names) -> list:
    spans = []
    for name, line, at in reader.named(attributes, names):
        if name in rules.standard:
            spans += value_spans(reader, line, at, name, rules.standard[name], name)
        if name == "custom":
            for custom, value, value_at in reader.named(line, custom_names):
                spans += value_spans(reader, value, value_at, custom, rules.custom[custom], f"custom.{custom}")
    return spans


def value_spans(reader, line, at, name, mode, label) -> list:
    """Spans masking the value of a sensitive attribute: in Kustomer's format if it has Kustomer's shape, else whole."""
    item_key, kind = CONTACT_VALUES.get(name), reader.kinds[line] & KIND_MASK
    if kind == OPEN_ARRAY and item_key:
        spans = []
        for item in reader.index.member_lines(line):
            spans += item_spans(reader, item, item_key, mode, label)
        return spans
    if kind == OPEN_OBJECT:
        shown = _kustomer_span(reader, line, at, label)
        return [shown if shown is not None else _whole(reader, line, at, label)]
    if kind == OPEN_ARRAY or is_empty(reader.raw, at):
        return [_whole(reader, line, at, label)] if kind == OPEN_ARRAY else []
    start, end = reader.value(line, at)
    if item_key:  # a contact attribute is an array of objects
        return [Span(start, end, FULL_TEXT, label, unexpected=True)]
    return [scalar_span(reader.raw, start, end, mode, name, label)]


def item_spans(reader, item, item_key, mode, label) -> list:
    """Spans masking one item of a contact attribute: its value member, or the whole item if it has any other shape."""
    kind = reader.kinds[item] & KIND_MASK
    at = _LEAD.match(reader.raw, reader.starts[item]).end()  # an item of an array: no key
    if kind != OPEN_OBJECT:
        return [] if kind not in _OPENERS and is_empty(reader.raw, at) else [_whole(reader, item, at, label)]
    spans, members = [], reader.members(item)
    for key, line, value_at in members:
        if key == item_key:
            if reader.is_open(line):
                shown = _kustomer_span(reader, line, value_at, label)
                if shown is None:
                    break
                spans.append(shown)
            elif not is_empty(reader.raw, value_at):
                start, end = reader.value(line, value_at)
                spans.append(scalar_span(reader.raw, start, end, mode, item_key, label))
        elif key not in STRUCTURAL_MEMBERS or reader.is_open(line):
            break
    else:
        return spans
    presentation = reader.kustomer_mask(item, members)
    if presentation is not None:
        return [Span(at, reader.starts[reader.matches[item]] + 1, presentation, label, True)]
    return [_whole(reader, item, at, label)]


def _kustomer_span(reader, line, at, label):
    """A Kustomer mask object shown as its presentation, or None if `line` is not one."""
    presentation = reader.kustomer_mask(line)
    if presentation is None:
        return None
    start, end = reader.value(line, at)
    return Span(start, end, presentation, label, True)


def _whole(reader, line, at, label) -> Span:
    start, end = reader.value(line, at)
    return Span(start, end, FULL_TEXT, label, unexpected=True)


def is_empty(raw, at) -> bool:
    """null, {} or []: a value that holds nothing to hide."""
    return raw[at] in b"n{["


def scalar_span(raw, start, end, mode, attribute, label) -> Span:
    if mode != "partial" or raw[start] not in b'"-0123456789':
        return Span(start, end, FULL_TEXT, label)  # a full mask does not depend on the value: it is not decoded
    token = bytes(raw[start:end])
    shown = decoded(token) if token[:1] == b'"' else token.decode()
    return Span(start, end, json.dumps(mask(shown, mode, attribute)).encode(), label)


def decoded(token):
    """The value of a JSON scalar's text; None if it is not one."""
    if token[:1] == b'"' and b"\\" not in token:
        return bytes(token[1:-1]).decode("utf-8", "surrogatepass")
    try:
        return json.loads(token)
    except ValueError:
        return None


STEP = 8 << 20  # bytes searched per call to find()


def find_in_steps(raw, needle: bytes, pos: int) -> int:
    """raw.find(needle, pos), searched STEP bytes at a time: one call over a 200 MB document holds the
    interpreter for 80 ms, and masking prepared ahead (masking.ahead) would stall the request's thread."""
    while pos < len(raw):
        hit = raw.find(needle, pos, pos + STEP + len(needle) - 1)
        if hit >= 0:
            return hit
        pos += STEP
    return -1


def masked_at(raw) -> list:
    """Where `"isMasked"` occurs in `raw`: read without the index, so it can be looked for before it comes."""
    hits, pos = [], 0
    while (hit := find_in_steps(raw, b'"isMasked"', pos)) >= 0:
        hits.append(hit)
        pos = hit + 10
    return hits


def kustomer_masks(reader, hits=None) -> list:
    """Each `{"isMasked": true, "maskedPresentation": "…"}` object, shown as its presentation string.
    `hits`: what masked_at(reader.raw) gave, if it was asked already."""
    raw, spans, pos = reader.raw, [], 0
    for hit in masked_at(raw) if hits is None else hits:
        if hit < pos:  # inside the mask object just read
            continue
        pos = hit + 10
        opener = reader.parents[bisect_right(reader.starts, hit) - 1]
        if not reader.is_object(opener):
            continue
        label, _, at = reader.member(opener) if reader.is_object(reader.parents[opener]) else ("", 0, None)
        span = _kustomer_span(reader, opener, at, label or "")
        if span is not None:
            spans.append(span)
            pos = max(pos, span.end)
    return spans
