"""The members masking reads, found for every object of a document at once: numpy over the line index.

`spans` reads the members of each object in Python, key by key: for a list of 50,000 customers
that is most of a masked intake. Here the same members are found in bulk: the member lines of every
object of the answer, of every `attributes` and every `custom`, each a few array operations over the
index, with their keys compared byte for byte. That is exact where no backslash is written: there a
string holds no quote and no escape, so a key's bytes between its quotes are its decoded text. An
object whose bytes hold a backslash, or a line whose key lies behind a long run of whitespace, is read
by `spans`' own code, member by member, as before: the result is the same spans either way (tests
compare the two on generated documents). Each value found is masked by `spans`' code.
"""
import numpy as np

from ..core.lines import CLOSE, KIND_MASK, NO_LINE, OPEN_ARRAY, OPEN_OBJECT
from . import spans as one_by_one

QUOTE, BACKSLASH = ord('"'), ord("\\")
WHITESPACE_STEPS = 32  # whitespace skipped in bulk before a key; a longer run is read line by line


class Lines:
    """A document's bytes and line index as numpy arrays."""

    def __init__(self, reader):
        self.reader, raw, index = reader, reader.raw, reader.index
        self.bytes = np.frombuffer(raw, np.uint8)
        self.starts = np.frombuffer(index.starts, np.uint32)
        count = index.line_count
        self.shapes = np.frombuffer(index.kinds, np.uint8) & KIND_MASK
        parents = np.asarray(index.parents, np.uint32)[:count]
        self.parents = np.where(parents == NO_LINE, count, parents)  # the root's parent: a line that is no opener
        self.count = count
        self.backslashes = None if raw.find(b"\\") < 0 else np.flatnonzero(self.bytes == BACKSLASH)

    def members(self, openers):
        """The first lines of every member of these objects, in order."""
        chosen = np.zeros(self.count + 1, bool)
        chosen[openers] = True
        return np.flatnonzero(chosen[self.parents] & (self.shapes != CLOSE))

    def with_backslash(self, openers):
        """Which of these openers hold a backslash between them and their closer."""
        if self.backslashes is None:
            return np.zeros(len(openers), bool)
        matches = np.asarray(self.reader.index.matches, np.uint32)
        first = np.searchsorted(self.backslashes, self.starts[openers])
        last = np.searchsorted(self.backslashes, self.starts[matches[openers]])
        return last > first

    def key_starts(self, lines):
        """Where each line's key starts (its opening quote), and whether it was found in bulk."""
        pos = self.starts[lines].astype(np.int64)
        end = len(self.bytes) - 1
        for _ in range(WHITESPACE_STEPS):
            byte = self.bytes[np.minimum(pos, end)]
            space = (byte == 32) | (byte == 10) | (byte == 13) | (byte == 9)
            if not space.any():
                break
            pos += space
        return pos, self.bytes[np.minimum(pos, end)] == QUOTE

    def skip_space(self, pos):
        """Each position moved past whitespace; and whether that took fewer than WHITESPACE_STEPS steps."""
        pos, end = pos.copy(), len(self.bytes) - 1
        for _ in range(WHITESPACE_STEPS):
            byte = self.bytes[np.minimum(pos, end)]
            space = ((byte == 32) | (byte == 10) | (byte == 13) | (byte == 9)) & (pos <= end)
            if not space.any():
                return pos, np.ones(len(pos), bool)
            pos += space
        byte = self.bytes[np.minimum(pos, end)]
        return pos, ~((byte == 32) | (byte == 10) | (byte == 13) | (byte == 9))

    def value_starts(self, key_ends):
        """Where the value after each key (ending at `key_ends`) starts: past whitespace, a colon, whitespace."""
        pos, found = self.skip_space(key_ends)
        found &= self.bytes[np.minimum(pos, len(self.bytes) - 1)] == ord(":")
        pos, more = self.skip_space(pos + 1)
        return pos, found & more

    def scalar_ends(self, lines):
        """Where the scalar value of each line ends: its line's end, less whitespace, a comma and whitespace."""
        pos, found = self.starts[lines + 1].astype(np.int64), np.ones(len(lines), bool)
        for comma in (False, True, False):
            for _ in range(WHITESPACE_STEPS if not comma else 1):
                byte = self.bytes[pos - 1]
                step = (byte == ord(",")) if comma else (byte == 32) | (byte == 10) | (byte == 13) | (byte == 9)
                if not step.any():
                    break
                pos -= step
            else:
                if not comma:
                    byte = self.bytes[pos - 1]
                    found &= ~((byte == 32) | (byte == 10) | (byte == 13) | (byte == 9))
        return pos, found

    def keyed(self, pos, key: str):
        """Which keys starting at `pos` are `key`, written without escapes (a key that needs them: none)."""
        if any(c in '"\\' or ord(c) < 0x20 or 0xD800 <= ord(c) < 0xE000 for c in key):
            return np.zeros(len(pos), bool)
        text = b'"' + key.encode() + b'"'
        size = len(self.bytes)
        candidates = np.flatnonzero(pos + len(text) <= size)
        for i, byte in enumerate(text):  # each byte narrows the candidates: most keys differ early
            candidates = candidates[self.bytes[pos[candidates] + i] == byte]
        found = np.zeros(len(pos), bool)
        found[candidates] = True
        return found


def rule_spans(reader, rules_of) -> list:
    """The spans of every sensitive attribute of the answer's objects; `rules_of(types)` as in finder.find."""
    objects = np.array(one_by_one.objects(reader), np.int64)
    if not len(objects):
        return []
    lines = Lines(reader)
    slow = lines.with_backslash(objects)
    members = lines.members(objects[~slow])
    pos, found = lines.key_starts(members)
    if not found.all():
        unread = np.unique(lines.parents[members[~found]])
        slow |= np.isin(objects, unread)
        keep = ~np.isin(lines.parents[members], unread)
        members, pos = members[keep], pos[keep]
    spans = []
    for line in objects[slow].tolist():
        spans += one_by_one.object_spans(reader, line, rules_of)
    types = _types(reader, lines, members[lines.keyed(pos, "type")], pos[lines.keyed(pos, "type")])
    attributes = {}
    for line in members[lines.keyed(pos, "attributes") & (lines.shapes[members] == OPEN_OBJECT)].tolist():
        owner = int(lines.parents[line])
        rules = rules_of(tuple(t if isinstance(t, str) else None for t in types.get(owner, ())))
        if rules:
            attributes[line] = rules
    if attributes:
        spans += _attribute_spans(reader, lines, attributes)
    return spans


def _types(reader, lines, members, pos) -> dict:
    """{object line: its types, every copy in order}, as spans reads them."""
    starts, found = lines.value_starts(pos + len(b'"type"'))
    ends, ended = lines.scalar_ends(members)
    found &= ended & (ends > starts)
    raw, parents, texts, types = reader.raw, lines.parents, {}, {}
    for line, start, end, read in zip(members.tolist(), starts.tolist(), ends.tolist(), found.tolist()):
        if read:
            token = bytes(raw[start:end])
            value = texts[token] if token in texts else texts.setdefault(token, one_by_one.decoded(token))
        else:
            value = reader.scalar(line)
        types.setdefault(int(parents[line]), []).append(value)
    return types


def _grouped(lines, members, pos, openers: dict):
    """The member lines of these objects grouped by their object's rules: [(rules, names, custom names, the
    members whose object has them)]; and the objects read one by one (a key behind a long whitespace)."""
    found_all = pos[1].all()
    unread = [] if found_all else np.unique(lines.parents[members[~pos[1]]]).tolist()
    group, rules = np.full(lines.count + 1, -1, np.int32), {}
    for line, rule in openers.items():
        group[line] = rules.setdefault(id(rule), (len(rules), rule))[0]
    group[unread] = -1
    of_member = group[lines.parents[members]]
    return [(*rule, members[of_member == number], pos[0][of_member == number]) for number, rule in rules.values()], \
        unread


def _attribute_spans(reader, lines, attributes: dict) -> list:
    """Spans of the sensitive members of these `attributes` objects (line -> (Rules, names, custom names))."""
    openers = np.fromiter(attributes, np.int64, len(attributes))
    members = lines.members(openers)
    groups, unread = _grouped(lines, members, lines.key_starts(members), attributes)
    spans, custom = [], {}
    for line in unread:
        spans += one_by_one.attribute_spans(reader, line, *attributes[line])
    for rules, names, custom_names, found, pos in groups:
        for name in names:
            named = found[lines.keyed(pos, name)]
            if name in rules.standard:
                spans += _values(reader, lines, named, name, rules.standard[name], name)
            if name == "custom" and custom_names:
                for line in named[lines.shapes[named] == OPEN_OBJECT].tolist():
                    custom[line] = (rules, custom_names)
    if custom:
        spans += _custom_spans(reader, lines, custom)
    return spans


def _custom_spans(reader, lines, custom: dict) -> list:
    """Spans of the sensitive members of these `custom` objects (line -> (Rules, custom names))."""
    openers = np.fromiter(custom, np.int64, len(custom))
    members = lines.members(openers)
    groups, unread = _grouped(lines, members, lines.key_starts(members), custom)
    spans = []
    for line in unread:
        rules, custom_names = custom[line]
        for name, value, value_at in reader.named(line, custom_names):
            spans += one_by_one.value_spans(reader, value, value_at, name, rules.custom[name], f"custom.{name}")
    for rules, custom_names, found, pos in groups:
        for name in custom_names:
            spans += _values(reader, lines, found[lines.keyed(pos, name)], name, rules.custom[name],
                             f"custom.{name}")
    return spans


def _values(reader, lines, members, name, mode, label) -> list:
    """Spans masking the values of these member lines, each the attribute `name` under `mode`.

    A string, number or literal under a full mask, and the items of a contact attribute in Kustomer's
    shape, are found in bulk; any other value (a partial mask of a plain value, a container, a Kustomer
    mask object, an unexpected shape) by `spans.value_spans`.
    """
    item_key = one_by_one.CONTACT_VALUES.get(name)
    shapes = lines.shapes[members]
    if item_key:
        bulk = shapes == OPEN_ARRAY
    else:
        bulk = (shapes != OPEN_OBJECT) & (shapes != OPEN_ARRAY) & (mode != "partial")
    spans = []
    for line in members[~bulk].tolist():
        spans += one_by_one.value_spans(reader, line, reader.member(line)[2], name, mode, label)
    members = members[bulk]
    if not len(members):
        return spans
    if item_key:
        return spans + _items(reader, lines, members, item_key, mode, label)
    return spans + _scalars(reader, lines, members, len(name) + 2, mode, name, label,
                            lambda line: one_by_one.value_spans(reader, line, reader.member(line)[2], name, mode, label))


def _scalars(reader, lines, members, key_length, mode, attribute, label, one) -> list:
    """Spans of the scalar values of these member lines, whose keys (`key_length` bytes) start their lines;
    `one(line)`: the spans of a line whose value is not found in bulk."""
    pos, _ = lines.key_starts(members)
    starts, found = lines.value_starts(pos + key_length)
    ends, ended = lines.scalar_ends(members)
    found &= ended & (ends > starts)
    spans = []
    for line in members[~found].tolist():
        spans += one(line)
    starts, ends = starts[found], ends[found]
    first = lines.bytes[starts]
    empty = (first == ord("n")) | (first == ord("{")) | (first == ord("["))
    raw, full = reader.raw, one_by_one.FULL_TEXT
    for start, end in zip(starts[~empty].tolist(), ends[~empty].tolist()):
        if mode == "partial":
            spans.append(one_by_one.scalar_span(raw, start, end, mode, attribute, label))
        else:
            spans.append(one_by_one.Span(start, end, full, label))
    return spans


def _scalar_here(reader, line, mode, attribute, label) -> list:
    """The span of the scalar value member `line` of a contact item, read one by one."""
    at = reader.member(line)[2]
    if one_by_one.is_empty(reader.raw, at):
        return []
    start, end = reader.value(line, at)
    return [one_by_one.scalar_span(reader.raw, start, end, mode, attribute, label)]


def _items(reader, lines, arrays, item_key, mode, label) -> list:
    """Spans of the items of these contact attributes: in bulk the items in Kustomer's shape (an object of the
    value member and structural members, all scalars); any other item by `spans`' own code."""
    chosen = np.zeros(lines.count + 1, bool)
    chosen[arrays] = True
    items = np.flatnonzero(chosen[lines.parents] & (lines.shapes != CLOSE))
    objects = lines.shapes[items] == OPEN_OBJECT
    members = lines.members(items[objects])
    pos, found = lines.key_starts(members)
    is_value = lines.keyed(pos, item_key)
    known = is_value.copy()
    for structural in one_by_one.STRUCTURAL_MEMBERS:
        known |= lines.keyed(pos, structural)
    scalar = (lines.shapes[members] != OPEN_OBJECT) & (lines.shapes[members] != OPEN_ARRAY)
    odd = members[~(found & known & scalar)]
    unread = np.union1d(items[~objects], np.unique(lines.parents[odd]))
    spans = []
    for item in unread.tolist():
        spans += one_by_one.item_spans(reader, item, item_key, mode, label)
    values = members[is_value & ~np.isin(lines.parents[members], unread)]
    return spans + _scalars(reader, lines, values, len(item_key) + 2, mode, item_key, label,
                            lambda line: _scalar_here(reader, line, mode, item_key, label))
