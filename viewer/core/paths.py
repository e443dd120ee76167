"""The path of a value, as a JavaScript expression and as a JSON Pointer (RFC 6901)."""
import json
import re

from .lines import OPEN_ARRAY
from .render import read_lines

IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
JQ_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


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
            name = texts[child].key_name
            result.append(name if name is not None else (texts[child].key or "")[1:-1])
    return result


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
    """The path as jq writes it: `.data[0].attributes."a.b"`; `.` for the whole document."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]" if text else f".[{part}]"
        elif JQ_IDENTIFIER.match(part):
            text += f".{part}"
        else:
            text += "." + json.dumps(part, ensure_ascii=False)
    return text or "."


def json_pointer(parts) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
