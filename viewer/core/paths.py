"""The path of a value, as a JavaScript expression, a jq path and a JSON Pointer (RFC 6901)."""
import json
import re

from .lines import OPEN_ARRAY
from .render import read_lines

IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
JQ_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Words of jq's grammar: some versions read `.if` as the keyword, so these keys are quoted too.
JQ_KEYWORDS = frozenset("and as catch def elif else end foreach if import include label not or reduce then try"
                        " __loc__".split())


def segments(doc, line) -> list:
    """Keys (str) and array positions (int) from the root down to `line` (a closer counts as its opener)."""
    index = doc.index
    line = index.opener(line)
    chain = [*index.ancestors(line), line]
    texts = read_lines(doc, chain[1:])
    result = []
    for parent, child in zip(chain, chain[1:]):
        if index.kind(parent) == OPEN_ARRAY:
            result.append(index.member_index(child))
        else:
            result.append(_key(texts[child]))
    return result


def overridden(doc, line):
    """The last copy of a key on the way to `line` that is written again later in its object, or None.

    JSON parsers, JavaScript and jq alike, keep the last copy of a repeated key: a path through an
    earlier copy reads that last one instead. The answer is (the path down to the key, the later line).
    """
    if not doc.duplicates:
        return None
    index = doc.index
    line = index.opener(line)
    chain = [*index.ancestors(line), line]
    for depth, (parent, child) in enumerate(zip(chain, chain[1:])):
        if index.kind(parent) == OPEN_ARRAY:
            continue
        later = [m for m in index.children(parent) if m > child and index.is_duplicate(m)]
        if not later:
            continue
        texts = read_lines(doc, [child, *later])
        name = _key(texts[child])
        for member in reversed(later):
            if _key(texts[member]) == name:
                return segments(doc, child), member
    return None


def _key(text):
    name = text.key_name
    return name if name is not None else (text.key or "")[1:-1]


def javascript_path(parts) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif IDENTIFIER.match(part):
            text += f".{part}" if text else part
        else:
            text += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return text


def jq_path(parts) -> str:
    """The path as jq writes it: `.data[0].attributes."first name"`; `.` for the whole document.

    Any other key is a JSON string after the dot, which jq reads with the same escapes.
    """
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]" if text else f".[{part}]"
        elif JQ_IDENTIFIER.match(part) and part not in JQ_KEYWORDS:
            text += f".{part}"
        else:
            text += "." + json.dumps(part, ensure_ascii=False)
    return text or "."


def json_pointer(parts) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
