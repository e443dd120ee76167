"""The top-level `links` and `meta` of a list response, read from the document for its page buttons."""
import json

SMALL = 64 * 1024  # a landmark bigger than this is not a pagination block


def landmark_values(doc) -> dict:
    values, index = {}, doc.index
    for name, line in doc.landmarks.items():
        end = index.matches[line] + 1 if index.is_open(line) else line + 1
        first, last = index.starts[line], index.starts[end] if end < index.line_count else doc.body_end
        if last - first > SMALL:
            continue
        text = doc.read(first, last).strip().rstrip(b",")
        try:
            values[name] = json.loads(b"{" + text + b"}")[name]
        except (ValueError, KeyError, RecursionError):
            continue
    return values
