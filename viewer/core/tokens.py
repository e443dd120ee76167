"""Stage 1a: the tokens of a JSON text, found by whole-array operations over its bytes (numpy).

One pass over the bytes in blocks of 256 KiB, each block a handful of vectorised steps:
the quote and backslash masks, which quotes a backslash escapes (by the parity of its run),
the in-string mask by a running parity of the remaining quotes, then the tokens outside
strings: structural characters, strings (their opening quote) and atoms (numbers and
literals, a run of other bytes). Each block checks what it holds (no control character in a
string, every escape valid, every atom a JSON number or literal, every token allowed after
the one before it in its container) and carries into the next only a few values: inside a
string or not, a pending escape, the last token, and the stack of open containers.

Nothing here says *where* a document is wrong. Anything it cannot vouch for raises Unsure,
and the caller hands the document to the line-by-line scanner (viewer.core.scan), which
accepts what is valid and words the error for what is not. So a document accepted here is
valid JSON; the reverse need not hold, and need not be fast (odd numbers, escaped keys).
"""
import re

import numpy as np

BLOCK = 1 << 18  # bytes per block: its temporary arrays take about 15 times this, kept off the big arrays

# Byte classes.
# Ordered so that one comparison picks out a group: structural characters are LBRACE..COMMA_B,
# atom bytes DIGIT and OTHER.
WS, QUOTE, BACKSLASH, LBRACE, LBRACKET, RBRACE, RBRACKET, COLON_B, COMMA_B, DIGIT, OTHER = range(11)
_CLASS = np.full(256, OTHER, np.uint8)
_CLASS[np.frombuffer(b"0123456789", np.uint8)] = DIGIT
for _byte, _cls in ((b" ", WS), (b"\t", WS), (b"\n", WS), (b"\r", WS), (b'"', QUOTE), (b"\\", BACKSLASH),
                    (b"{", LBRACE), (b"[", LBRACKET), (b"}", RBRACE), (b"]", RBRACKET), (b":", COLON_B),
                    (b",", COMMA_B)):
    _CLASS[_byte[0]] = _cls

# Token classes. KEY is a string in an object where a key belongs; BEGIN and END stand before and
# after the document.
OPEN_OBJ, OPEN_ARR, CLOSE_OBJ, CLOSE_ARR, COLON, COMMA, STRING, ATOM, KEY, BEGIN, END = range(11)
NO_TOKEN = 255
_TOKEN_OF_BYTE = np.full(256, NO_TOKEN, np.uint8)
for _byte, _tok in ((b"{", OPEN_OBJ), (b"[", OPEN_ARR), (b"}", CLOSE_OBJ), (b"]", CLOSE_ARR), (b":", COLON),
                    (b",", COMMA)):
    _TOKEN_OF_BYTE[_byte[0]] = _tok

# Containers: what the innermost open container is at a point between two tokens.
ROOT, IN_OBJECT, IN_ARRAY = 0, 1, 2

VALUE_START = (OPEN_OBJ, OPEN_ARR, STRING, ATOM)
VALUE_END = (CLOSE_OBJ, CLOSE_ARR, STRING, ATOM)
_ALLOWED = np.zeros((3, 11, 11), bool)
for _v in VALUE_START:
    _ALLOWED[ROOT, BEGIN, _v] = True
    _ALLOWED[IN_OBJECT, COLON, _v] = True
    _ALLOWED[IN_ARRAY, OPEN_ARR, _v] = True
    _ALLOWED[IN_ARRAY, COMMA, _v] = True
for _v in VALUE_END:
    _ALLOWED[ROOT, _v, END] = True
    _ALLOWED[IN_OBJECT, _v, COMMA] = True
    _ALLOWED[IN_OBJECT, _v, CLOSE_OBJ] = True
    _ALLOWED[IN_ARRAY, _v, COMMA] = True
    _ALLOWED[IN_ARRAY, _v, CLOSE_ARR] = True
_ALLOWED[IN_OBJECT, OPEN_OBJ, KEY] = True
_ALLOWED[IN_OBJECT, COMMA, KEY] = True
_ALLOWED[IN_OBJECT, KEY, COLON] = True
_ALLOWED[IN_OBJECT, OPEN_OBJ, CLOSE_OBJ] = True
_ALLOWED[IN_ARRAY, OPEN_ARR, CLOSE_ARR] = True
_ALLOWED_FLAT = _ALLOWED.reshape(-1)

_ESCAPE_CHARS = np.zeros(256, bool)
for _byte in b'"\\/bfnrtu':
    _ESCAPE_CHARS[_byte] = True
_HEX = np.zeros(256, bool)
for _byte in b"0123456789abcdefABCDEF":
    _HEX[_byte] = True
_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")
_LITERALS = (b"true", b"false", b"null")
# Above this many atoms that are not plain integers in one block, the regular expression per atom
# would cost more than the line-by-line scanner: leave the document to it.
_MAX_ODD_ATOMS = 20000


def small_levels(levels):
    """Levels as 16-bit integers when they fit: numpy sorts those stably by radix, several times faster."""
    return levels.astype(np.int16) if len(levels) and levels.max() < (1 << 15) else levels


class Unsure(Exception):
    """This pass cannot vouch for the document; the line-by-line scanner decides."""


class Tokens:
    """What the pass found: the structural tokens that make lines, and every key's span."""

    def __init__(self):
        # Positions (uint32) and classes (uint8) of {, [, }, ], and commas, in order, leaving out the
        # brackets of empty containers (an empty container is a value on its member's line).
        self.positions, self.classes = _Pieces(np.uint32), _Pieces(np.uint8)
        # Each key's opening quote and the byte after its closing quote.
        self.key_starts, self.key_ends = _Pieces(np.uint32), _Pieces(np.uint32)
        # Whether a key may hold an escape (so must be decoded to be compared), and where its object opens.
        self.key_escaped, self.key_objects = _Pieces(bool), _Pieces(np.uint32)
        self.root_object = -1  # where the top-level object opens, if the document is one
        self.depth = 0  # the deepest nesting seen

    # Each hands its pieces over joined, once.
    def structure(self):
        return self.positions.joined(), self.classes.joined()

    def keys(self):
        """(starts, ends, escaped, objects) of every key."""
        return self.key_starts.joined(), self.key_ends.joined(), self.key_escaped.joined(), self.key_objects.joined()


class _Pieces:
    """What each block adds to one output array, kept in slabs of 1 MiB.

    Small pieces kept one per block would sit on the heap between the blocks' temporary arrays,
    which could then never be given back: the intake's peak memory grew by a third of the document.
    Slabs are big enough to be mapped apart from the heap (see viewer.__main__).
    """

    def __init__(self, dtype):
        self.dtype, self.slabs, self.filled = dtype, [], 0
        self.SLAB = (1 << 20) // np.dtype(dtype).itemsize  # 1 MiB each

    def append(self, values):
        values = np.asarray(values, self.dtype)
        while len(values):
            if not self.slabs or self.filled == len(self.slabs[-1]):
                self.slabs.append(np.empty(self.SLAB, self.dtype))
                self.filled = 0
            room = min(len(values), self.SLAB - self.filled)
            self.slabs[-1][self.filled:self.filled + room] = values[:room]
            self.filled += room
            values = values[room:]

    def pop_last(self):
        """Take back the last item appended."""
        self.filled -= 1
        if self.filled == 0:
            self.slabs.pop()
            self.filled = len(self.slabs[-1]) if self.slabs else 0

    def __len__(self):
        return (len(self.slabs) - 1) * self.SLAB + self.filled if self.slabs else 0

    def joined(self):
        """All items in one array; the slabs are let go as they are copied."""
        result = np.empty(len(self), self.dtype)
        at, slabs = 0, self.slabs
        self.slabs, self.filled = [], 0
        slabs.reverse()
        while slabs:
            slab = slabs.pop()
            take = min(len(slab), len(result) - at)
            result[at:at + take] = slab[:take]
            at += take
        return result


def tokenize(raw, start: int, end: int, block: int | None = None) -> Tokens:
    """Check the JSON text raw[start:end] and return its tokens, or raise Unsure."""
    block = block or BLOCK
    buf = np.frombuffer(raw, np.uint8)
    state = _State()
    out = Tokens()
    for lo in range(start, end, block):
        _block(buf, lo, min(end, lo + block), end, state, out)
    state.finish(buf, end, out)
    return out


class _State:
    def __init__(self):
        self.in_string = 0          # the block starts inside a string
        self.escaped_first = False  # the block's first byte is escaped by the last byte before it
        self.atom_start = -1        # an atom runs on from the block before, and started here
        self.open_key = -1          # a key's closing quote is in a later block; its opening quote
        self.prev = BEGIN           # the class of the last token so far
        self.stack = np.zeros(0, np.uint8)  # the open containers, outermost first (IN_OBJECT, IN_ARRAY)
        self.stack_at = np.zeros(0, np.uint32)  # where each of them opens
        self.open_key_object = 0
        self.last_was_open = False  # the last token is an opener, kept in out's structure
        self.deepest = 0

    def finish(self, buf, end, out):
        if self.in_string or self.escaped_first or len(self.stack):
            raise Unsure("the document ends inside a string or a container")
        if self.atom_start >= 0:
            _check_atom(buf, self.atom_start, end)
        if not _ALLOWED[ROOT, self.prev, END]:
            raise Unsure("the document ends where a value is still expected")
        out.depth = self.deepest


# Bytes that end or change a string: a block inside a string without any is all string.
_STRING_SPECIAL = np.zeros(256, bool)
_STRING_SPECIAL[[ord('"'), ord("\\"), *range(0x20)]] = True


def _block(buf, lo, hi, end, state, out):
    v = buf[lo:hi]
    size = hi - lo
    if state.in_string and not state.escaped_first and not np.any(_STRING_SPECIAL[v]):
        return  # the middle of a long string: nothing to check, no token, no state changes
    cls = _CLASS[v]

    # Escapes: in a run of backslashes every other one escapes the byte after it, starting with the first
    # (or the second, when the run continues one whose last backslash escapes this block's first byte).
    escaped = np.zeros(size + 1, bool)
    is_backslash = cls == BACKSLASH
    backslashes = np.flatnonzero(is_backslash)
    if state.escaped_first:
        escaped[0] = True
    if len(backslashes):
        if not (state.escaped_first and is_backslash[0]) and not np.any(is_backslash[1:] & is_backslash[:-1]):
            # No two backslashes side by side (the usual case): each one escapes the byte after it.
            escaped[1:] = is_backslash
            if len(backslashes) > size // 32:
                _check_dense_escapes(buf, is_backslash, lo, hi, end)
            else:
                _check_escapes(buf, backslashes + lo, end)
        else:
            breaks = np.flatnonzero(np.diff(backslashes) != 1) + 1
            run_starts = np.concatenate(([0], breaks))
            run_lengths = np.diff(np.concatenate((run_starts, [len(backslashes)])))
            offset = np.arange(len(backslashes)) - np.repeat(run_starts, run_lengths)
            if state.escaped_first and backslashes[0] == 0:
                offset[:run_lengths[0]] += 1
            escaping = backslashes[offset % 2 == 0]
            escaped[escaping + 1] = True
            _check_escapes(buf, escaping + lo, end)
    state.escaped_first = bool(escaped[size])
    escaped = escaped[:size]

    # Strings: the quotes no backslash escapes open and close them in turn.
    quotes = np.flatnonzero(cls == QUOTE)
    escaped_quotes = quotes[escaped[quotes]] if len(quotes) else quotes
    if len(escaped_quotes):
        quotes = quotes[~escaped[quotes]]
    # `inside` is 1 from an opening quote up to, not including, its closing quote: the runs between
    # quotes alternate, which np.repeat writes four times faster than a running sum of toggles.
    spans = np.diff(np.concatenate(([0], quotes, [size])))
    inside = np.repeat(((np.arange(len(spans)) + state.in_string) & 1).astype(np.uint8), spans)
    outside = inside == 0
    if len(backslashes) and np.any(outside[backslashes]):
        raise Unsure("a backslash outside a string")
    if len(escaped_quotes) and np.any(outside[escaped_quotes]):
        raise Unsure("an escaped quote outside a string")
    controls = np.flatnonzero(v < 0x20)
    if len(controls) and np.any(inside[controls]):
        raise Unsure("a control character inside a string")

    # Each byte's class where it is outside a string, WS where it is inside one.
    cls *= outside
    tokens = np.full(size, NO_TOKEN, np.uint8)
    structural = np.flatnonzero((cls - np.uint8(LBRACE)) <= (COMMA_B - LBRACE))
    tokens[structural] = _TOKEN_OF_BYTE[v[structural]]
    openings = quotes[inside[quotes] == 1]
    tokens[openings] = STRING

    # Atoms: runs of other bytes outside strings (numbers and literals, or anything invalid).
    atom_bytes = (cls >= DIGIT).view(np.int8)
    odd_bytes = np.flatnonzero(cls == OTHER) + lo  # letters, signs, points: not plain integers
    runs = np.diff(atom_bytes)
    atom_starts, atom_ends = np.flatnonzero(runs == 1) + 1, np.flatnonzero(runs == -1) + 1
    if atom_bytes[0]:
        atom_starts = np.concatenate(([0], atom_starts))
    if atom_bytes[-1]:
        atom_ends = np.concatenate((atom_ends, [size]))
    if state.atom_start >= 0:  # an atom from the block before runs on here
        if len(atom_starts) and atom_starts[0] == 0:
            if atom_ends[0] < size:
                _check_atom(buf, state.atom_start, atom_ends[0] + lo)
                state.atom_start = -1
            atom_starts, atom_ends = atom_starts[1:], atom_ends[1:]
        else:
            _check_atom(buf, state.atom_start, lo)
            state.atom_start = -1
    if len(atom_starts) and atom_ends[-1] == size and hi < end:
        state.atom_start = int(atom_starts[-1]) + lo  # checked once it ends
        _check_atoms(buf, atom_starts[:-1] + lo, atom_ends[:-1] + lo, odd_bytes)
    else:
        _check_atoms(buf, atom_starts + lo, atom_ends + lo, odd_bytes)
    tokens[atom_starts] = ATOM

    state.in_string = int(inside[-1])
    if state.open_key >= 0 and len(quotes):  # the first quote here closes a key begun before
        key_end = int(quotes[0]) + lo + 1
        out.key_starts.append(np.array([state.open_key], np.uint32))
        out.key_ends.append(np.array([key_end], np.uint32))
        out.key_escaped.append(np.array([bytes(buf[state.open_key:key_end]).find(b"\\") >= 0]))
        out.key_objects.append(np.array([state.open_key_object], np.uint32))
        state.open_key = -1
    places = np.flatnonzero(tokens != NO_TOKEN)
    if not len(places):
        return
    kinds = tokens[places]
    if state.prev == BEGIN and kinds[0] == OPEN_OBJ:
        out.root_object = int(places[0]) + lo
    objects = _check_grammar(places, kinds, lo, state)
    is_key = kinds == KEY
    if np.any(is_key):
        _collect_keys(places[is_key], objects[is_key], quotes, backslashes, lo, state, out)
    _collect_structure(places, kinds, lo, state, out)


def _check_dense_escapes(buf, is_backslash, lo, hi, end):
    """The escapes of a block full of them, byte by byte: cheaper than gathering around each position."""
    size = hi - lo
    following = np.zeros(size + 5, np.uint8)  # zeros past the end: neither an escape letter nor hex
    available = buf[lo + 1:min(hi + 5, end)]
    following[:len(available)] = available
    if np.any(is_backslash & ~_ESCAPE_CHARS[following[:size]]):
        raise Unsure("an invalid escape")
    unicode = is_backslash & (following[:size] == ord("u"))
    if np.any(unicode):
        hex_digit = _HEX[following]
        for k in range(1, 5):
            if np.any(unicode & ~hex_digit[k:k + size]):
                raise Unsure("a \\u escape without four hex digits")


def _check_escapes(buf, escaping, end):
    after = escaping + 1
    if len(after) and after[-1] >= end:
        raise Unsure("a backslash at the end of the document")
    following = buf[after]
    if not np.all(_ESCAPE_CHARS[following]):
        raise Unsure("an invalid escape")
    unicode = after[following == ord("u")]
    if len(unicode):
        if unicode[-1] + 4 >= end:
            raise Unsure("a \\u escape cut short")
        digits = buf[unicode[:, None] + np.arange(1, 5)]
        if not np.all(_HEX[digits]):
            raise Unsure("a \\u escape without four hex digits")


def _check_atoms(buf, starts, ends, odd_bytes):
    """Every atom is true, false, null or a JSON number; only numbers with a point or exponent take Python.

    `odd_bytes` are the atom bytes that are not digits, anywhere in the block.
    """
    if not len(starts):
        return
    odd = np.zeros(len(starts), bool)
    decimal = np.zeros(len(starts), bool)  # one point, between digits: 12.5, -0.25
    if len(odd_bytes):
        owner = np.searchsorted(starts, odd_bytes, side="right") - 1
        mine = (owner >= 0) & (odd_bytes < ends[np.maximum(owner, 0)])
        owner, odd_bytes = owner[mine], odd_bytes[mine]
        leading_minus = (odd_bytes == starts[owner]) & (buf[odd_bytes] == ord("-"))
        owner, odd_bytes = owner[~leading_minus], odd_bytes[~leading_minus]
        odd[owner] = True
        points = np.bincount(owner, minlength=len(starts))
        alone = points[owner] == 1
        point = owner[alone & (buf[odd_bytes] == ord(".")) & (odd_bytes + 1 < ends[owner])
                      & (odd_bytes > starts[owner] + (buf[starts[owner]] == ord("-")))]
        decimal[point] = True
    negative = buf[starts] == ord("-")
    count = (ends - starts) - negative
    first_digit = buf[np.minimum(starts + negative, len(buf) - 1)]
    # A plain integer: digits after an optional minus, and no leading zero unless the zero is all there is.
    bad = ~odd & ((count < 1) | ((count > 1) & (first_digit == ord("0"))))
    if np.any(bad):
        raise Unsure("an integer with a leading zero, or a lone minus")
    # A decimal: its only odd byte a point with digits on both sides; the same rule for its integer part.
    whole = np.flatnonzero(decimal)
    if len(whole):
        second = buf[np.minimum(starts[whole] + negative[whole] + 1, len(buf) - 1)]
        if np.any((first_digit[whole] == ord("0")) & (second != ord("."))):
            raise Unsure("a decimal with a leading zero")
        odd[whole] = False
    rest = np.flatnonzero(odd)
    if not len(rest):
        return
    lengths = (ends - starts)[rest]
    first = buf[starts[rest]]
    literal = np.zeros(len(rest), bool)
    for word in _LITERALS:
        match = np.flatnonzero((first == word[0]) & (lengths == len(word)))
        if len(match):
            letters = buf[starts[rest[match]][:, None] + np.arange(len(word))]
            literal[match[np.all(letters == np.frombuffer(word, np.uint8), axis=1)]] = True
    rest = rest[~literal]
    if len(rest) > _MAX_ODD_ATOMS:
        raise Unsure("too many atoms that are not plain integers")
    for i in rest:
        _check_atom(buf, int(starts[i]), int(ends[i]))


def _check_atom(buf, start, end):
    text = bytes(buf[start:end])
    if text in _LITERALS or _NUMBER.match(text):
        return
    raise Unsure("not a JSON number or literal")


def _check_grammar(places, kinds, lo, state):
    """Each token is allowed after the one before it, in the container they are in; keys are marked KEY.

    Returns where each token's container opens (a byte position), which names the object a key is in.
    """
    opens = (kinds == OPEN_OBJ) | (kinds == OPEN_ARR)
    closes = (kinds == CLOSE_OBJ) | (kinds == CLOSE_ARR)
    depth0 = len(state.stack)
    if not np.any(opens) and not np.any(closes):
        level = np.full(len(kinds), depth0, np.int64)
        container = np.full(len(kinds), state.stack[-1] if depth0 else ROOT, np.uint8)
        container_at = np.full(len(kinds), state.stack_at[-1] if depth0 else 0, np.uint32)
        depth_after = depth0
        opener_keys = None
    else:
        delta = opens.astype(np.int64) - closes
        running = np.cumsum(delta)
        depth_after = depth0 + int(running[-1])
        level = depth0 + np.concatenate(([0], running[:-1]))  # open containers before each token
        if level.min() < 0 or depth_after < 0:
            raise Unsure("a closing bracket with nothing open")
        state.deepest = max(state.deepest, int(level.max()), depth_after)
        # The container at a level is the last opener before the token that opened that level here,
        # or, if none did, the one open when the block began.
        opener_at = np.flatnonzero(opens)
        opened_level = level[opener_at] + 1
        order = np.argsort(small_levels(opened_level), kind="stable")
        opener_keys = (opened_level[order] << 32) | opener_at[order]
        opener_types = np.where(kinds[opener_at[order]] == OPEN_OBJ, IN_OBJECT, IN_ARRAY).astype(np.uint8)
        opener_places = (places[opener_at[order]] + lo).astype(np.uint32)
        # The container changes only after a bracket: it is looked up for the first token after each
        # (and the block's first), and repeated over the tokens up to the next bracket.
        heads = np.concatenate(([0], np.flatnonzero(opens | closes) + 1))
        lengths = np.diff(np.concatenate((heads, [len(kinds)])))
        heads = np.minimum(heads, len(kinds) - 1)
        head_level = level[heads]
        outer = np.concatenate(([ROOT], state.stack)).astype(np.uint8)
        head_container = outer[np.minimum(head_level, depth0)]
        head_at = np.concatenate(([0], state.stack_at)).astype(np.uint32)[np.minimum(head_level, depth0)]
        valid = np.zeros(len(heads), bool)
        if len(opener_at):
            found = np.searchsorted(opener_keys, (head_level << 32) | heads) - 1
            valid = found >= 0
            valid[valid] = (opener_keys[found[valid]] >> 32) == head_level[valid]
            head_container[valid] = opener_types[found[valid]]
            head_at[valid] = opener_places[found[valid]]
        # A level above the block's starting depth must have been opened in the block.
        if np.any(~valid & (head_level > depth0) & (lengths > 0)):
            raise Unsure("inconsistent nesting")
        container, container_at = np.repeat(head_container, lengths), np.repeat(head_at, lengths)
    previous = np.concatenate(([state.prev], kinds[:-1]))
    keys = (kinds == STRING) & (container == IN_OBJECT) & ((previous == OPEN_OBJ) | (previous == COMMA))
    kinds[keys] = KEY
    previous = np.concatenate(([state.prev], kinds[:-1]))
    pair = (container.astype(np.intp) * 121) + previous.astype(np.intp) * 11 + kinds
    if not np.all(_ALLOWED_FLAT[pair]):
        raise Unsure("a token where the grammar does not allow it")
    state.prev = int(kinds[-1])
    if opener_keys is None:
        return container_at
    low = min(int(level.min()), depth_after)
    stack, stack_at = state.stack[:low], state.stack_at[:low]
    if depth_after > low:
        wanted = np.arange(low + 1, depth_after + 1, dtype=np.int64)
        last = np.searchsorted(opener_keys, (wanted << 32) | 0xFFFFFFFF, side="right") - 1
        stack = np.concatenate((stack, opener_types[last]))
        stack_at = np.concatenate((stack_at, opener_places[last]))
    state.stack, state.stack_at = stack, stack_at
    return container_at


def _collect_keys(keys, objects, quotes, backslashes, lo, state, out):
    """Each key's span: from its opening quote to just after the next quote no backslash escapes."""
    at = np.searchsorted(quotes, keys) + 1
    complete = at < len(quotes)
    starts, ends = keys[complete], quotes[at[complete]] + 1
    out.key_objects.append(objects[complete])
    out.key_starts.append((starts + lo).astype(np.uint32))
    out.key_ends.append((ends + lo).astype(np.uint32))
    out.key_escaped.append(np.searchsorted(backslashes, ends) > np.searchsorted(backslashes, starts))
    if not complete[-1]:
        state.open_key, state.open_key_object = int(keys[-1]) + lo, int(objects[-1])


def _collect_structure(places, kinds, lo, state, out):
    """Keep brackets and commas, leaving out an empty container's pair (its bracket tokens are adjacent)."""
    if state.last_was_open and kinds[0] in (CLOSE_OBJ, CLOSE_ARR):
        out.positions.pop_last()
        out.classes.pop_last()
        places, kinds = places[1:], kinds[1:]
    if not len(kinds):
        state.last_was_open = False
        return
    brackets = kinds <= CLOSE_ARR
    if not np.any(brackets):  # commas only, as in a long array of numbers
        commas = np.flatnonzero(kinds == COMMA)
        out.positions.append(places[commas] + lo)
        out.classes.append(np.full(len(commas), COMMA, np.uint8))
        state.last_was_open = False
        return
    opens = (kinds == OPEN_OBJ) | (kinds == OPEN_ARR)
    closes = brackets & ~opens
    empty_open = np.zeros(len(kinds), bool)
    empty_open[:-1] = opens[:-1] & closes[1:]
    empty = empty_open.copy()
    empty[1:] |= empty_open[:-1]
    keep = (opens | closes | (kinds == COMMA)) & ~empty
    out.positions.append((places[keep] + lo).astype(np.uint32))
    out.classes.append(kinds[keep])
    state.last_was_open = bool(opens[-1])
