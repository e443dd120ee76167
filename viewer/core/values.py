"""The exact bytes of one value: what "Copy value" puts on the clipboard."""
import re

from .lines import OPEN_ARRAY, OPEN_OBJECT

_KEY = re.compile(rb'[ \t\r\n]*(?:"[^"\\]*(?:\\.[^"\\]*)*"[ \t\r\n]*:[ \t\r\n]*)?')
_HEAD = 1 << 20  # enough of a line to see past its key


def value_span(doc, line) -> tuple:
    """(start, end) in the raw bytes of the value on `line`; a container's runs to its closer."""
    index = doc.index
    line = index.opener(line)
    last = index.matches[line] if index.kind(line) in (OPEN_OBJECT, OPEN_ARRAY) else line
    start, end = index.starts[line], min(index.starts[last + 1], doc.body_end)
    head = doc.read(start, min(end, start + _HEAD))
    start += _KEY.match(head).end()
    tail = doc.read(max(start, end - 64), end)
    trimmed = tail.rstrip(b" \t\r\n")
    trimmed = trimmed[:-1] if trimmed.endswith(b",") else trimmed
    return start, end - len(tail) + len(trimmed.rstrip(b" \t\r\n"))
