"""RFC 6902: a comparison's entries as a JSON Patch that turns document A into B.

Values are B's own bytes, copied exactly: a number keeps every digit it was sent with.
"""
import json

from ..errors import ViewerError
from .paths import json_pointer

OPERATIONS = ("add", "remove", "replace", "move")
MEDIA_TYPE = "application/json-patch+json"


class NotAddressable(ViewerError):
    """A document JSON Patch cannot address: a JSON Pointer names one member per key."""

    status = 422


def refuse_duplicates(named_docs) -> None:
    for name, doc in named_docs:
        if doc.duplicates:
            raise NotAddressable(
                f"Document {name} has duplicate keys (an object names the same key twice, first at line "
                f"{doc.duplicates[0] + 1}), and a JSON Patch cannot address either copy: a JSON Pointer names one "
                "member per key. The comparison page still shows the difference, comparing the copies in order.")


def json_patch(comparison) -> bytes:
    """The patch as JSON text: one operation a line."""
    refuse_duplicates((("A", comparison.a.doc), ("B", comparison.b.doc)))
    pieces = [operation(comparison, entry) for entry in comparison.entries if entry.kind in OPERATIONS]
    return b"[" + b",\n".join(pieces) + b"]\n" if pieces else b"[]\n"


def operation(comparison, entry) -> bytes:
    head = {"op": entry.kind}
    if entry.kind == "move":
        head["from"] = json_pointer(entry.source)
    head["path"] = json_pointer(entry.path)
    text = json.dumps(head, ensure_ascii=False).encode()
    if entry.kind in ("add", "replace"):
        text = text[:-1] + b', "value": ' + comparison.b.text(entry.b) + b"}"
    return text
