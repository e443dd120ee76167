"""The members masking reads, found for every object of a document at once: numpy over the line index.

`spans` reads the members of each object in Python, key by key: for a list of 50,000 customers
that is most of a masked intake. Here the same members are found in bulk: the member lines of every
object of the answer, of every `attributes` and every `custom`, each a few array operations over the
index, with their keys compared byte for byte. That is exact where no backslash is written: there a
string holds no quote and no escape, so a key's bytes between its quotes are its decoded text. An
object whose bytes hold a backslash, or a line whose key lies behind a long run of whitespace, is read
by `spans`' own code, member by member, as before: the result is the same spans either way (tests
compare the two on generated documents). The values found are masked in bulk as well: a full mask is
one text for all, partial masks come from formats.partial_masks, and the spans go to a
span_arrays.Collector as arrays.
"""
import itertools

import numpy as np

from ..background import on_a_thread
from ..core.lines import CLOSE, KIND_MASK, NO_LINE, OPEN_ARRAY, OPEN_OBJECT
from . import spans as one_by_one
from .formats import partial_masks
from .span_arrays import Collector

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

    def keys(self, pos) -> "Keys":
        return Keys(self, pos)


class Keys:
    """The keys starting at `pos` (each at its opening quote), compared with names in bulk.

    The eight bytes after each opening quote are read once as a number: a name of up to seven
    characters is then one comparison of numbers for every key, a longer one narrows the candidates
    by its first eight bytes and then byte by byte.
    """

    def __init__(self, lines, pos):
        self.lines, self.pos, self._found = lines, pos, {}
        data, size = lines.bytes, len(lines.bytes)
        after = pos + 1
        whole = after + 8 <= size
        self.heads = np.zeros(len(pos), np.uint64)
        if size >= 8:  # every run of eight bytes of the document, as rows of a view (nothing copied)
            runs = np.lib.stride_tricks.as_strided(data, shape=(size - 7, 8), strides=(1, 1), writeable=False)
            self.heads[whole] = runs[after[whole]].view("<u8").ravel()
        for i in np.flatnonzero(~whole).tolist():  # a key at the very end: its bytes, padded
            self.heads[i] = int.from_bytes(bytes(data[min(after[i], size):size]).ljust(8, b"\0"), "little")
        self.room = np.where(lines.bytes[np.minimum(pos, size - 1)] == QUOTE, size - 1 - pos, -1)  # bytes after the quote

    def named(self, key: str):
        """Which keys are `key`, written without escapes (a key that needs them: none)."""
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._named(key)
        return found

    def _named(self, key: str):
        if any(c in '"\\' or ord(c) < 0x20 or 0xD800 <= ord(c) < 0xE000 for c in key):
            return np.zeros(len(self.pos), bool)
        text = key.encode() + b'"'
        head = int.from_bytes(text[:8].ljust(8, b"\0"), "little")
        if len(text) < 8:
            found = (self.heads & np.uint64((1 << 8 * len(text)) - 1)) == np.uint64(head)
            return found & (self.room >= len(text))
        candidates = np.flatnonzero((self.heads == np.uint64(head)) & (self.room >= len(text)))
        data, pos = self.lines.bytes, self.pos
        for i in range(8, len(text)):
            candidates = candidates[data[pos[candidates] + 1 + i] == text[i]]
        found = np.zeros(len(pos), bool)
        found[candidates] = True
        return found


PARALLEL_OBJECTS = 20_000  # objects from which the two halves of the answer are read on two threads


def rule_spans(reader, rules_of, out):
    """Add the spans of every sensitive attribute of the answer's objects to `out` (a span_arrays.Collector);
    `rules_of(types)` as in finder.find."""
    objects = np.array(one_by_one.objects(reader), np.int64)
    if not len(objects):
        return
    lines = Lines(reader)
    if len(objects) < PARALLEL_OBJECTS:
        _object_spans(reader, lines, objects, rules_of, out)
        return
    # numpy lets go of the interpreter for most of this, so the halves of a long list, on two threads, take
    # about 0.7 times as long as the whole on one; the second half's spans join the first's at the end.
    half, theirs = len(objects) // 2, Collector()
    other = on_a_thread("viewer-masking-half", _object_spans, reader, lines, objects[half:], rules_of, theirs)
    _object_spans(reader, lines, objects[:half], rules_of, out)
    other.result()
    out.merge(theirs)


def _object_spans(reader, lines, objects, rules_of, out):
    """rule_spans for these objects."""
    slow = lines.with_backslash(objects)
    members = lines.members(objects[~slow])
    pos, found = lines.key_starts(members)
    if not found.all():
        unread = np.unique(lines.parents[members[~found]])
        slow |= np.isin(objects, unread)
        keep = ~np.isin(lines.parents[members], unread)
        members, pos = members[keep], pos[keep]
    for line in objects[slow].tolist():
        out.add(one_by_one.object_spans(reader, line, rules_of))
    keys = lines.keys(pos)
    group, groups = _rules_of_objects(reader, lines, objects[~slow], members[keys.named("type")],
                                      pos[keys.named("type")], rules_of)
    if groups:
        attributes = members[keys.named("attributes") & (lines.shapes[members] == OPEN_OBJECT)]
        numbers = group[lines.parents[attributes]]
        _attribute_spans(reader, lines, attributes[numbers >= 0], numbers[numbers >= 0], groups, out)


def _rules_of_objects(reader, lines, objects, type_members, pos, rules_of):
    """The rules of each object, from its types (every copy, in order, as spans reads them): an array giving
    each object line the number of its rules in the list returned, or -1 when it has none."""
    ids, values = _scalar_values(reader, lines, type_members, pos + len(b'"type"'))
    groups, numbers = [], {}

    def number(types) -> int:
        rules = rules_of(tuple(t if isinstance(t, str) else None for t in types))
        if not rules:
            return -1
        if id(rules) not in numbers:
            numbers[id(rules)] = len(groups)
            groups.append(rules)
        return numbers[id(rules)]

    group = np.full(lines.count + 1, -1, np.int32)
    owners = lines.parents[type_members]
    counts = np.bincount(owners, minlength=lines.count + 1)
    group[objects[counts[objects] == 0]] = number(())
    single = counts[owners] == 1
    of_value = np.array([number((value,)) for value in values], np.int32)
    group[owners[single]] = of_value[ids[single]]
    several = np.flatnonzero(~single).tolist()  # an object whose type is written twice: the rules of each
    for owner, copies in itertools.groupby(several, key=lambda i: int(owners[i])):
        group[owner] = number(tuple(values[ids[i]] for i in copies))
    return group, groups


DISTINCT_READ = 64  # distinct values compared in bulk; any more are decoded one at a time


def _scalar_values(reader, lines, members, key_ends):
    """The scalar values of these member lines, whose keys end at `key_ends`: (the number of each one's
    value, the distinct values decoded), values written alike read once."""
    starts, found = lines.value_starts(key_ends)
    ends, ended = lines.scalar_ends(members)
    found &= ended & (ends > starts)
    ids, values, raw = np.zeros(len(members), np.int32), [], reader.raw
    for i in np.flatnonzero(~found).tolist():
        ids[i] = len(values)
        values.append(reader.scalar(int(members[i])))
    left, lengths, data = found.copy(), ends - starts, lines.bytes
    while left.any():
        todo = np.flatnonzero(left)
        if len(values) >= DISTINCT_READ:
            texts = {}
            for i in todo.tolist():
                token = bytes(raw[starts[i]:ends[i]])
                if token not in texts:
                    texts[token] = len(values)
                    values.append(one_by_one.decoded(token))
                ids[i] = texts[token]
            break
        token = bytes(raw[starts[todo[0]]:ends[todo[0]]])
        same = todo[lengths[todo] == len(token)]
        for k, byte in enumerate(token):
            same = same[data[starts[same] + k] == byte]
        ids[same], left[same] = len(values), False
        values.append(one_by_one.decoded(token))
    return ids, values


def _by_group(lines, openers, numbers, members):
    """Each member's group (the number of its object's rules), and the objects to read one by one: those
    with a key behind a long run of whitespace."""
    pos, found = lines.key_starts(members)
    group = np.full(lines.count + 1, -1, np.int32)
    group[openers] = numbers
    unread = [] if found.all() else np.unique(lines.parents[members[~found]]).tolist()
    unread = [(line, int(group[line])) for line in unread]
    group[[line for line, _ in unread]] = -1
    return group[lines.parents[members]], lines.keys(pos), unread


def _attribute_spans(reader, lines, openers, numbers, groups, out):
    """Spans of the sensitive members of these `attributes` objects, each under groups[numbers[i]]."""
    members = lines.members(openers)
    of_member, keys, unread = _by_group(lines, openers, numbers, members)
    for line, number in unread:
        out.add(one_by_one.attribute_spans(reader, line, *groups[number]))
    customs, custom_numbers = [], []
    for number, (rules, names, custom_names) in enumerate(groups):
        mine = of_member == number
        if not mine.any():
            continue
        for name in names:
            named = members[mine & keys.named(name)]
            if name in rules.standard:
                _values(reader, lines, named, name, rules.standard[name], name, out)
            if name == "custom" and custom_names:
                objects = named[lines.shapes[named] == OPEN_OBJECT]
                customs.append(objects)
                custom_numbers.append(np.full(len(objects), number, np.int32))
    if customs:
        _custom_spans(reader, lines, np.concatenate(customs), np.concatenate(custom_numbers), groups, out)


def _custom_spans(reader, lines, openers, numbers, groups, out):
    """Spans of the sensitive members of these `custom` objects, each under groups[numbers[i]]."""
    members = lines.members(openers)
    of_member, keys, unread = _by_group(lines, openers, numbers, members)
    for line, number in unread:
        rules, _, custom_names = groups[number]
        for name, value, value_at in reader.named(line, custom_names):
            out.add(one_by_one.value_spans(reader, value, value_at, name, rules.custom[name], f"custom.{name}"))
    for number, (rules, _, custom_names) in enumerate(groups):
        mine = of_member == number
        if not mine.any():
            continue
        for name in custom_names:
            _values(reader, lines, members[mine & keys.named(name)], name, rules.custom[name], f"custom.{name}", out)


def _values(reader, lines, members, name, mode, label, out):
    """Spans masking the values of these member lines, each the attribute `name` under `mode`.

    A string, number or literal, and the items of a contact attribute in Kustomer's shape, are found
    in bulk; any other value (a container, a Kustomer mask object, an unexpected shape) by
    `spans.value_spans`.
    """
    item_key = one_by_one.CONTACT_VALUES.get(name)
    shapes = lines.shapes[members]
    bulk = (shapes == OPEN_ARRAY) if item_key else (shapes != OPEN_OBJECT) & (shapes != OPEN_ARRAY)
    for line in members[~bulk].tolist():
        out.add(one_by_one.value_spans(reader, line, reader.member(line)[2], name, mode, label))
    members = members[bulk]
    if not len(members):
        return
    if item_key:
        _items(reader, lines, members, item_key, mode, label, out)
    else:
        _scalars(reader, lines, members, len(name.encode()) + 2, mode, name, label, out,
                 lambda line: one_by_one.value_spans(reader, line, reader.member(line)[2], name, mode, label))


def _scalars(reader, lines, members, key_length, mode, attribute, label, out, one):
    """Spans of the scalar values of these member lines, whose keys (`key_length` bytes) start their lines;
    `one(line)`: the spans of a line whose value is not found in bulk."""
    pos, _ = lines.key_starts(members)
    starts, found = lines.value_starts(pos + key_length)
    ends, ended = lines.scalar_ends(members)
    found &= ended & (ends > starts)
    for line in members[~found].tolist():
        out.add(one(line))
    starts, ends = starts[found], ends[found]
    first = lines.bytes[starts]
    shown = ~((first == ord("n")) | (first == ord("{")) | (first == ord("[")))  # null, {} and [] hide nothing
    starts, ends = starts[shown], ends[shown]
    if mode != "partial":
        out.block(starts, ends, one_by_one.FULL_TEXT, label)
        return
    texts, ids, undecided = partial_masks(lines.bytes, starts, ends, attribute)
    numbers = np.array([out.text_id(text) for text in texts], np.int32)
    out.block(starts[~undecided], ends[~undecided], numbers[ids[~undecided]], label)
    out.add([one_by_one.scalar_span(reader.raw, start, end, mode, attribute, label)
             for start, end in zip(starts[undecided].tolist(), ends[undecided].tolist())])


def _scalar_here(reader, line, mode, attribute, label) -> list:
    """The span of the scalar value member `line` of a contact item, read one by one."""
    at = reader.member(line)[2]
    if one_by_one.is_empty(reader.raw, at):
        return []
    start, end = reader.value(line, at)
    return [one_by_one.scalar_span(reader.raw, start, end, mode, attribute, label)]


def _items(reader, lines, arrays, item_key, mode, label, out):
    """Spans of the items of these contact attributes: in bulk the items in Kustomer's shape (an object of the
    value member and structural members, all scalars); any other item by `spans`' own code."""
    chosen = np.zeros(lines.count + 1, bool)
    chosen[arrays] = True
    items = np.flatnonzero(chosen[lines.parents] & (lines.shapes != CLOSE))
    objects = lines.shapes[items] == OPEN_OBJECT
    members = lines.members(items[objects])
    pos, found = lines.key_starts(members)
    keys = lines.keys(pos)
    is_value = keys.named(item_key)
    known = is_value.copy()
    for structural in one_by_one.STRUCTURAL_MEMBERS:
        known |= keys.named(structural)
    scalar = (lines.shapes[members] != OPEN_OBJECT) & (lines.shapes[members] != OPEN_ARRAY)
    odd = members[~(found & known & scalar)]
    unread = np.union1d(items[~objects], np.unique(lines.parents[odd]))
    for item in unread.tolist():
        out.add(one_by_one.item_spans(reader, item, item_key, mode, label))
    values = members[is_value & ~np.isin(lines.parents[members], unread)]
    _scalars(reader, lines, values, len(item_key) + 2, mode, item_key, label, out,
             lambda line: _scalar_here(reader, line, mode, item_key, label))
