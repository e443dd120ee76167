"""Read a document out of a `POST /docs` request: raw body, form field `json` or multipart file `file`."""
import codecs
import re

from flask import current_app, request
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from ..errors import DocumentError, FormWithoutDocument, TooLarge
from ..sizes import format_size

FORM = "application/x-www-form-urlencoded"
# A url-encoded form starts with a field name; a JSON document sent with that content type does not.
FIELD = re.compile(rb"[A-Za-z_][A-Za-z0-9_.-]*=")
# Whitespace to the end: `raw.strip()` would copy a whole big document just to see it is not empty.
BLANK = re.compile(rb"\s*\Z")
# A browser that sends a form again (reloading a tab Send to viewer opened) keeps its fields, not the file.
RESENT = ("This form arrived without its document, as happens when a browser sends a form again after a reload. "
          "Go back to the page that shows the JSON and click Send to viewer again: that page still has it. "
          "(On the viewer's home page, paste JSON or pick a file before sending.)")


def read_posted_document():
    """Return (document bytes, source_url or None) from the current request."""
    limit = current_app.config["MAX_BYTES"]
    source_url = request.args.get("source_url")
    if request.mimetype == "multipart/form-data":
        raw, form_source_url = _read_multipart(request.stream, request.mimetype_params.get("boundary", ""), limit)
        source_url = form_source_url or source_url
    elif request.mimetype == FORM:
        raw, form_source_url = _read_form(request.stream, limit)
        source_url = form_source_url or source_url
    else:
        raw = _read_stream(request.stream, request.content_length, limit)
    if len(raw) > limit:
        raise _too_large(len(raw), limit)
    if BLANK.match(raw):
        if request.mimetype in (FORM, "multipart/form-data"):
            raise FormWithoutDocument(RESENT)
        raise DocumentError("The document is empty: send JSON as the request body, the form field json "
                            "or the file field file.")
    return raw, (source_url or None)


PIECE = 1 << 20  # bytes of a form body decoded at a time


def _read_multipart(stream, boundary, limit):
    """(document, source_url or None) from a multipart body: the file `file`, else the field `json`.

    Parsed as it is read, keeping only those parts' bytes: Flask's own parsing holds a field as
    joined bytes, then as text, then encoded again (three times the document). A body that is not
    valid multipart keeps what was read of it, as Flask's parsing does, and so ends as no document.
    """
    if not boundary:
        raise DocumentError("The form is malformed: its Content-Type names no multipart boundary.")
    decoder = MultipartDecoder(boundary.encode("latin-1", "replace"))
    parts, target, count, event = {}, None, 0, None
    try:
        while True:
            piece = stream.read(PIECE)
            decoder.receive_data(piece or None)
            event = decoder.next_event()
            while not isinstance(event, (NeedData, Epilogue)):
                if isinstance(event, File):
                    key = "file" if event.name == "file" and event.filename else None
                elif isinstance(event, Field):
                    key = event.name if event.name in ("json", "source_url") else None
                if isinstance(event, (Field, File)):
                    count = _check_part(count, key, parts)
                    target = None if key is None or key in parts else parts.setdefault(key, bytearray())
                elif isinstance(event, Data) and target is not None:
                    target += event.data
                    if len(target) > limit:
                        raise _too_large(len(target), limit)
                event = decoder.next_event()
            if isinstance(event, Epilogue) or not piece:
                break
    except ValueError as exc:
        raise DocumentError(f"The form is malformed ({exc}); send the document as the form field json, the "
                            "file field file, or the request body.") from None
    if not isinstance(event, Epilogue):
        raise DocumentError("The form is malformed: it ends before its closing boundary (check the multipart "
                            "boundary, or send the document as the request body).")
    raw = parts.get("file") or parts.get("json") or bytearray()
    return raw, bytes(parts.get("source_url", b"")).decode("utf-8", "replace") or None


def _check_part(count, key, parts) -> int:
    """Count a form part; refuse too many parts, or a second document."""
    limit = current_app.config["MAX_FORM_PARTS"]
    if count + 1 > limit:
        raise DocumentError(f"The form has too many parts: the viewer reads at most {limit} (the document as "
                            "json or file, and source_url).")
    if key in ("file", "json") and key in parts:  # a file and a pasted json: the file is the document
        raise DocumentError(f"The form holds more than one document (a second {key} part); send one at a time.")
    return count + 1


KEPT_FIELDS = ("json", "source_url")


def _read_form(stream, limit):
    """(document, source_url or None) from a url-encoded body, decoded piece by piece as it is read.

    Neither the encoded body (up to three times the document) nor a copy of it is ever held whole:
    only the field `json` is kept, decoded, in one growing buffer. A body that does not start like
    a form is a JSON document sent with the form's content type, and is kept as it is.
    """
    first = stream.read(PIECE)
    if not FIELD.match(first):
        return _read_rest(stream, bytearray(first), limit), None
    fields, name, value, carry, pending = {}, bytearray(), None, b"", first
    while pending:
        start = 0
        while start < len(pending):
            if value is None:  # reading a field's name, up to "=" (or "&" for a name without a value)
                ends = [x for x in (pending.find(b"=", start), pending.find(b"&", start)) if x >= 0]
                stop = min(ends) if ends else len(pending)
                name += pending[start:stop]
                start = stop + 1
                if stop == len(pending):
                    continue
                if pending[stop] == 0x3D:  # "="
                    key = _unquote(bytes(name)).decode("utf-8", "replace")
                    value = bytearray() if key in KEPT_FIELDS and key not in fields else False
                    if value is not False:
                        fields[key] = value
                name.clear()
                continue
            amp = pending.find(b"&", start)
            stop = len(pending) if amp < 0 else amp
            if value is not False:
                data = carry + pending[start:stop]
                cut = data.rfind(b"%", max(0, len(data) - 2)) if amp < 0 else -1
                carry, data = (data[cut:], data[:cut]) if cut >= 0 else (b"", data)
                value += _unquote(data)
                if len(value) > limit:
                    raise _too_large(len(value), limit)
            if amp >= 0:
                if carry:
                    _unquote(carry)  # a "%" cut short at the end of the field: malformed
                value, carry, start = None, b"", amp + 1
            else:
                start = stop
        pending = stream.read(PIECE)
    if carry:
        _unquote(carry)
    if "json" not in fields:
        raise FormWithoutDocument(RESENT)
    source_url = bytes(fields.get("source_url", b"")).decode("utf-8", "replace")
    return fields["json"], source_url or None


def _unquote(data: bytes) -> bytes:
    # %XX becomes \xXX for the C escape decoder; a literal backslash is kept by doubling it first.
    data = data.replace(b"+", b" ").replace(b"\\", b"\\\\").replace(b"%", b"\\x")
    try:
        return codecs.escape_decode(data)[0]
    except ValueError:
        raise DocumentError("The form data is malformed: a % is not followed by two hexadecimal digits.") from None


def _too_large(size, limit):
    return TooLarge(f"The document is {format_size(size)}; the viewer accepts documents up to "
                    f"{format_size(limit)} (start it with --max-bytes to change the limit).")


def _read_stream(stream, length, limit):
    """Read a body into one preallocated buffer: a 100 MB document is held once, not joined from pieces."""
    if length is not None:
        if length > limit:
            raise _too_large(length, limit)
        buffer = bytearray(length)
        view, filled = memoryview(buffer), 0
        while filled < length:
            got = stream.readinto(view[filled:filled + (1 << 20)])  # small reads: no big temporary copy
            if not got:
                break
            filled += got
        view.release()
        del buffer[filled:]
        return buffer
    return _read_rest(stream, bytearray(), limit)


def _read_rest(stream, buffer, limit):
    """Append the rest of a body of unknown length to `buffer` (grown in place, never joined from pieces)."""
    while True:
        piece = stream.read(1 << 20)
        if not piece:
            return buffer
        buffer += piece
        if len(buffer) > limit:
            raise _too_large(len(buffer), limit)
