"""Stage 1: check raw JSON bytes and index them as the lines of their pretty-printed form.

No Python object is built from the document and nothing recurses, so size and depth only
cost memory for compact arrays. A line of the pretty text is a member (`[key: ]value[,]`, the
value a scalar or an empty container), an opener (`[key: ]{` or `[`) or a closer (`}` or `]`,
with its comma). Line i is never copied: it is the raw bytes from `starts[i]` to `starts[i+1]`,
whose tokens the renderer joins again with normal spacing, so every number, string and escape
is shown exactly as it was sent.

Two scanners make the same index, so what a document becomes depends on the document alone. The
fast engine (engine.py: the compiled pass in a worker process) takes in a valid document of a
megabyte or more at the speed of parsing it. The line-by-line scanner below is the judge: it
takes smaller documents, those the engine cannot vouch for (invalid, or odd in ways the fast pass
leaves alone) and everything while the engine is not ready; compiled regular expressions over
bytes, one match per line, which accept what is valid and say exactly where and why the rest is not.
"""
import codecs
import json
import re
from array import array
from dataclasses import dataclass, field

import numpy as np

from ..errors import DocumentError
from .lines import CLOSE, COMMA, DUPLICATE, KIND_MASK, MEMBER, NO_LINE, OPEN_ARRAY, OPEN_OBJECT

_WS = rb"[ \t\n\r]*+"
# Possessive (*+): a string has one way to match, and without them the regex engine kept a
# backtracking entry per escape, so one string of many escapes cost 50 bytes of memory per byte.
_STRING = rb'"[^"\\\x00-\x1f]*+(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*+)*+"'
_NUMBER = rb"-?+(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+"
_SCALAR = _STRING + rb"|" + _NUMBER + rb"|true|false|null|\{" + _WS + rb"\}|\[" + _WS + rb"\]"
_VALUE = rb"(" + _SCALAR + rb")" + _WS + rb"(,)?|([{[])"

# Groups: key, scalar, comma, opener, closer, comma after closer.
_OBJECT_LINE = re.compile(_WS + rb"(?:(" + _STRING + rb")" + _WS + rb":" + _WS + rb"(?:" + _VALUE
                          + rb")|([}\]])" + _WS + rb"(,)?)")
# Groups: scalar, comma, opener, closer, comma after closer.
_ARRAY_LINE = re.compile(_WS + rb"(?:" + _VALUE + rb"|([}\]])" + _WS + rb"(,)?)")
_ROOT_LINE = re.compile(_WS + rb"(?:(" + _SCALAR + rb")|([{[]))")
_SPACE = re.compile(_WS)
_STRING_BODY = re.compile(rb'"[^"\\\x00-\x1f]*+(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*+)*+')
_NUMBER_RE = re.compile(_NUMBER)
_WORD = re.compile(rb"[A-Za-z0-9_.+-]+")

BOM = b"\xef\xbb\xbf"
ENGINE_FROM = 1 << 20  # bytes; smaller documents are judged here (about 40 ms a megabyte), never sent to the engine
# Prefixes that APIs put before JSON so that a <script> tag cannot run it.
GUARDS = ((b")]}',", ")]}',"), (b")]}'", ")]}'"), (b"while(1);", "while(1);"), (b"for(;;);", "for(;;);"))


@dataclass
class Scan:
    """A checked document: where its JSON lies in the raw bytes, and one entry per line in each array."""

    body_start: int
    body_end: int
    starts: array = field(default_factory=lambda: array("I"))
    parents: array = field(default_factory=lambda: array("I"))
    matches: array = field(default_factory=lambda: array("I"))
    kinds: array = field(default_factory=lambda: array("B"))
    notices: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    landmarks: dict = field(default_factory=dict)

    @property
    def line_count(self) -> int:
        return len(self.kinds)


def scan(raw, engine=None, engine_from: int = ENGINE_FROM) -> Scan:
    """Check `raw` (bytes or bytearray) and index it; raise DocumentError locating the first problem.

    `engine` (an engine.Engine) indexes documents of `engine_from` bytes or more when it is ready;
    the line-by-line scanner takes everything else, and gives the same index.
    """
    if len(raw) >= NO_LINE:
        raise DocumentError("Documents of 4 GiB or more are not supported.", status=413)
    start, notices = _skip_preamble(raw)
    _check_utf8(raw)
    end = len(raw.rstrip(b" \t\r\n")) if len(raw) < (1 << 20) else _content_end(raw)
    if end <= start:
        what = "is empty apart from its prefix" if start else "is empty"
        raise DocumentError(f"The document {what}: there is no JSON value to show.")
    result = Scan(start, end, notices=notices)
    found = engine.index(raw, start, end) if engine is not None and len(raw) >= engine_from else None
    if found is None:
        _index(raw, result)
        return result
    result.starts, result.kinds, result.parents, result.matches, result.landmarks, escaped = found
    for opener in escaped:
        _compare_decoded(raw, result, opener)
    kinds = np.frombuffer(result.kinds, np.uint8)
    result.duplicates = [int(line) for line in np.flatnonzero(kinds & DUPLICATE)[:1000]]
    return result


_KEY_AT = re.compile(_WS + rb"(" + _STRING + rb")")


def _compare_decoded(raw, out: Scan, opener: int):
    """Mark the duplicate keys of an object holding an escaped key, comparing them by their text."""
    parents, kinds = np.frombuffer(out.parents, np.uint32), np.frombuffer(out.kinds, np.uint8)
    first = opener + 1
    members = np.flatnonzero((parents[first:out.matches[opener]] == opener)
                             & (kinds[first:out.matches[opener]] & KIND_MASK != CLOSE)) + first
    seen = set()
    for line in members.tolist():
        key = _KEY_AT.match(raw, out.starts[line])
        text = key_text(raw, key.start(1), key.end(1))
        if text in seen:
            kinds[line] |= DUPLICATE
        else:
            seen.add(text)
        if opener == 0 and text in (b'"links"', b'"meta"'):
            out.landmarks[text[1:-1].decode()] = line


def key_text(raw, start, end) -> bytes:
    """A key as JSON compares it: its quoted text with every escape decoded."""
    text = bytes(raw[start:end])
    if b"\\" in text:
        text = b'"' + json.loads(text).encode("utf-8", "surrogatepass") + b'"'
    return text


def _content_end(raw) -> int:
    end = len(raw)
    while end and raw[end - 1] in b" \t\r\n":
        end -= 1
    return end


def _skip_preamble(raw):
    notices, pos = [], 0
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DocumentError("The document starts with a UTF-16 byte-order mark; JSON must be UTF-8. "
                            "Save or convert it as UTF-8 and send it again.", line=1, column=1)
    if raw.startswith(BOM):
        notices.append("The document starts with a UTF-8 byte-order mark; it is not part of the JSON and is not shown.")
        pos = len(BOM)
    ws_end = _SPACE.match(raw, pos).end()
    for guard, name in GUARDS:
        if raw.startswith(guard, ws_end):
            notices.append(f"The document starts with the anti-hijacking prefix {name}; it is not part of the JSON and is not shown.")
            pos = ws_end + len(guard)
            break
    return pos, notices


def _check_utf8(raw):
    if raw.isascii():
        return
    view, size, chunk, pos = memoryview(raw), len(raw), 1 << 20, 0
    while pos < size:
        stop = min(size, pos + chunk)
        for _ in range(3):  # don't cut a character in two
            if stop < size and raw[stop] & 0xC0 == 0x80:
                stop -= 1
        try:
            codecs.utf_8_decode(view[pos:stop], "strict", True)
        except UnicodeDecodeError as exc:
            bad = pos + exc.start
            line, column = _line_column(raw, bad)
            raise DocumentError(f"The document is not valid UTF-8: byte 0x{raw[bad]:02X} at byte offset {bad} "
                                f"(line {line}, column {column}) {exc.reason}. JSON must be sent as UTF-8.",
                                line=line, column=column, excerpt=_excerpt(raw, bad)) from None
        pos = stop


def _index(raw, out: Scan):
    starts, parents, matches, kinds = out.starts, out.parents, out.matches, out.kinds
    add_start, add_parent, add_match, add_kind = starts.append, parents.append, matches.append, kinds.append
    object_line, array_line = _OBJECT_LINE.match, _ARRAY_LINE.match
    end, pos = out.body_end, out.body_start

    m = _ROOT_LINE.match(raw, pos)
    if m is None:
        _fail(raw, pos, "a JSON value", in_object=False)
    add_start(pos), add_parent(NO_LINE), add_match(0)
    pos = m.end()
    if m.start(1) >= 0:
        add_kind(MEMBER)
        if pos != end:
            _fail(raw, pos, "the end of the document after the top-level value", in_object=False, after_value=True)
        starts.append(end)
        return
    opener = m.group(2)
    add_kind(OPEN_OBJECT if opener == b"{" else OPEN_ARRAY)

    # The open container: its line, whether it is an object, and the keys seen in it.
    stack = []
    cur_line, cur_obj, cur_keys = 0, opener == b"{", set()
    line, need_member = 1, True
    duplicates, landmarks = out.duplicates, out.landmarks
    while True:
        add_start(pos)
        if cur_obj:
            m = object_line(raw, pos)
            if m is None:
                _fail(raw, pos, "a key in double quotes" if need_member else "',' or '}'", True, not need_member)
            # Positions, not groups: a group is a copy, and one value can be a 200 MB string.
            key, scalar, comma = m.group(1), m.start(2) >= 0, m.start(3) >= 0
            opener, closer, closer_comma = m.group(4), m.group(5), m.start(6) >= 0
        else:
            m = array_line(raw, pos)
            if m is None:
                _fail(raw, pos, "a value" if need_member else "',' or ']'", False, not need_member)
            key, scalar, comma = None, m.start(1) >= 0, m.start(2) >= 0
            opener, closer, closer_comma = m.group(3), m.group(4), m.start(5) >= 0
        if closer is None:
            if not need_member:
                _fail(raw, pos, "',' or '}'" if cur_obj else "',' or ']'", cur_obj, True, found_value=True)
            flags = 0
            if key is not None:
                if b"\\" in key:
                    key = b'"' + json.loads(key).encode("utf-8", "surrogatepass") + b'"'
                if key in cur_keys:
                    flags = DUPLICATE
                    if len(duplicates) < 1000:
                        duplicates.append(line)
                else:
                    cur_keys.add(key)
                if cur_line == 0 and (key == b'"links"' or key == b'"meta"'):
                    landmarks[key[1:-1].decode()] = line
            add_parent(cur_line), add_match(0)
            if scalar:
                add_kind(flags | COMMA if comma else flags)
                need_member = comma
            else:
                add_kind(flags | (OPEN_OBJECT if opener == b"{" else OPEN_ARRAY))
                stack.append((cur_line, cur_obj, cur_keys))
                cur_line, cur_obj, cur_keys = line, opener == b"{", set()
                need_member = True
        else:
            if need_member:
                _fail(raw, pos, "a key in double quotes" if cur_obj else "a value", cur_obj, False, trailing=True)
            if (closer == b"}") != cur_obj:
                _fail(raw, pos, "'}'" if cur_obj else "']'", cur_obj, True, mismatched=True)
            add_parent(parents[cur_line]), add_match(cur_line)
            add_kind(CLOSE | COMMA if closer_comma else CLOSE)
            matches[cur_line] = line
            need_member = closer_comma
            if not stack:
                pos = m.end()
                if need_member or pos < end:
                    _fail(raw, pos - 1 if need_member else pos,
                          "the end of the document after the top-level value", False, True)
                starts.append(end)
                return
            cur_line, cur_obj, cur_keys = stack.pop()
        pos = m.end()
        line += 1


def _fail(raw, pos, expected, in_object, after_value=False, found_value=False, trailing=False, mismatched=False):
    """Raise a DocumentError naming what is wrong where the grammar stopped matching at `pos`."""
    where = _SPACE.match(raw, pos).end()
    message = _explain(raw, where, expected, in_object, after_value, found_value, trailing, mismatched)
    if isinstance(message, tuple):
        where, message = message
    line, column = _line_column(raw, where)
    raise DocumentError(f"Syntax error at line {line}, column {column}: {message}",
                        line=line, column=column, excerpt=_excerpt(raw, where))


def _explain(raw, p, expected, in_object, after_value, found_value, trailing, mismatched):
    if p >= len(raw):
        return f"the document ends too early; expected {expected}."
    found = _describe(raw, p)
    if mismatched:
        return f"found {found} but the open {'object' if in_object else 'array'} must be closed with {expected}."
    if trailing:
        return f"found {found} after ','; remove the trailing comma or add {expected}."
    if after_value:
        if raw[p:p + 1].isdigit() and p and raw[p - 1:p].isdigit():
            return "numbers cannot have leading zeros."
        return f"expected {expected}, found {found}."
    for word in (b"NaN", b"Infinity", b"-Infinity", b"+Infinity", b"-NaN"):
        if raw.startswith(word, p):
            return f"{word.decode()} is not valid JSON; send it as a string or null."
    char = raw[p:p + 1]
    if in_object and expected.startswith("a key"):
        if char == b'"':
            problem = _string_problem(raw, p)
            if problem:
                return problem
            after = _SPACE.match(raw, _STRING_BODY.match(raw, p).end() + 1).end()
            if raw[after:after + 1] != b":":
                return after, f"expected ':' after the key, found {_describe(raw, after)}."
            value_at = _SPACE.match(raw, after + 1).end()
            problem = _value_problem(raw, value_at)
            return problem if isinstance(problem, tuple) else (value_at, problem)
        if char == b"'":
            return "keys need double quotes, not single quotes."
        return f"expected {expected}, found {found}."
    return _value_problem(raw, p)


def _value_problem(raw, p):
    if p >= len(raw):
        return "the document ends too early; expected a value."
    for word in (b"NaN", b"Infinity", b"-Infinity", b"+Infinity", b"-NaN"):
        if raw.startswith(word, p):
            return f"{word.decode()} is not valid JSON; send it as a string or null."
    char = raw[p:p + 1]
    if char == b'"':
        return _string_problem(raw, p) or "unexpected text after this string."
    if char == b"'":
        return "strings need double quotes, not single quotes."
    if char in b"-0123456789+.":
        word = _WORD.match(raw, p)
        text = word.group().decode() if word else char.decode()
        return f"{text[:40]!r} is not a valid JSON number."
    if char.isalpha():
        word = _WORD.match(raw, p).group().decode()
        return f"unexpected word {word[:40]!r}; the JSON literals are true, false and null (lower case)."
    return f"expected a value, found {_describe(raw, p)}."


def _string_problem(raw, p):
    q = _STRING_BODY.match(raw, p).end()
    if q >= len(raw):
        return p, "this string is never closed with '\"'."
    byte = raw[q]
    if byte == 0x22:
        return None
    if byte == 0x5C:
        return q, (f"invalid escape {raw[q:q + 2].decode('utf-8', 'replace')!r}; JSON allows "
                   r"\" \\ \/ \b \f \n \r \t and \uXXXX.")
    return q, f"control character U+{byte:04X} inside a string; write it as an escape such as \\n or \\u{byte:04x}."


def _describe(raw, p):
    if p >= len(raw):
        return "the end of the document"
    char = raw[p:p + 4].decode("utf-8", "ignore")[:1] or "?"
    return repr(char) if char.isprintable() else f"U+{ord(char):04X}"


def _line_column(raw, p):
    line_start = raw.rfind(b"\n", 0, p) + 1
    prefix = bytes(raw[line_start:p])
    if line_start == 0 and prefix.startswith(BOM):
        prefix = prefix[len(BOM):]
    return raw.count(b"\n", 0, p) + 1, len(prefix.decode("utf-8", "replace")) + 1


def _excerpt(raw, p, width=60):
    """The line holding byte `p`, cut to `width` characters either side, and a marker under `p`."""
    line_start = raw.rfind(b"\n", 0, p) + 1
    line_end = raw.find(b"\n", p)
    line_end = len(raw) if line_end < 0 else line_end
    before = bytes(raw[max(line_start, p - 4 * width):p]).decode("utf-8", "replace")[-width:]
    after = bytes(raw[p:min(line_end, p + 4 * width)]).decode("utf-8", "replace")[:width]
    before, after = before.replace("\t", " ").rstrip("\r"), after.replace("\t", " ").rstrip("\r")
    return f"{before}{after}\n{' ' * len(before)}^"
