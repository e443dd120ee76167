"""Take a document out of a `POST /docs` request: raw body, form field `json` or multipart file `file`."""
import codecs
import re

from flask import current_app, request

from ..errors import DocumentError, FormWithoutDocument, TooLarge
from ..store.documents import format_size

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
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            raw = _read_stream(upload.stream, None, limit)
        else:
            raw = request.form.get("json", "").encode("utf-8", "surrogatepass")
        source_url = request.form.get("source_url") or source_url
    else:
        raw = _read_stream(request.stream, request.content_length, limit, form=request.mimetype == FORM)
        if request.mimetype == FORM and FIELD.match(raw):
            fields = _form_fields(raw)
            if "json" in fields:
                raw = fields["json"]
                source_url = fields.get("source_url", b"").decode("utf-8", "replace") or source_url
    if len(raw) > limit:
        raise _too_large(len(raw), limit)
    if BLANK.match(raw):
        if request.mimetype in (FORM, "multipart/form-data"):
            raise FormWithoutDocument(RESENT)
        raise DocumentError("The document is empty: send JSON as the request body, the form field json "
                            "or the file field file.")
    return raw, (source_url or None)


def _form_fields(body) -> dict:
    """Decode a url-encoded form to {name: bytes}, at C speed: one big field can be a whole document."""
    fields = {}
    for part in bytes(body).split(b"&"):
        name, _, value = part.partition(b"=")
        name = _unquote(name).decode("utf-8", "replace")
        if name not in fields:
            fields[name] = _unquote(value)
    return fields


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


def _read_stream(stream, length, limit, form=False):
    """Read a body into one preallocated buffer: a 100 MB document is held once, not joined from pieces."""
    cap = limit * 3 + 65536 if form else limit
    if length is not None:
        if length > cap:
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
    buffer = bytearray()
    while True:
        piece = stream.read(1 << 20)
        if not piece:
            return buffer
        buffer += piece
        if len(buffer) > cap:
            raise _too_large(len(buffer), limit)
