"""Storing, finding and deleting documents; the entry point for anything that brings JSON in.

`save_document` is what the `POST /docs` form and `GET /fetch` both call inside a request.
"""
import json
import secrets
from array import array

from flask import current_app, g

from ..core.index import STORED, Index, IndexCache
from ..core.scan import scan
from ..core.search import SearchMemory
from ..errors import TooLarge, ViewerError
from ..sizes import format_size
from . import budget, expiry, reserve
from .db import connect, get_db, reclaim_space, rollback_quietly

OLD_CHUNK = 64 * 1024  # the piece size of documents stored before sizes were fitted to pages


def chunk_size(db) -> int:
    """Bytes per stored piece, so that each fills whole database pages: about 256 KiB.

    A blob bigger than a page keeps its first M bytes in the table's page and the rest in overflow
    pages of (page size - 4) bytes each (SQLite's file format); a piece of M plus a whole number of
    those, less a little for the row's other fields, wastes under 1% where 64 KiB pieces wasted 14%.
    """
    page = db.execute("PRAGMA page_size").fetchone()[0]
    local = (page - 12) * 32 // 255 - 23
    return local + max(1, (256 << 10) // (page - 4)) * (page - 4) - 64
# Only these response headers of a fetched document are kept; never Authorization or cookies.
FETCH_HEADERS = ("content-type", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after")


def save_document(raw, *, source_url: str | None = None, fetch_info: dict | None = None,
                  cross_site: bool = False, pending: bool = False) -> str:
    """Check, index and store a JSON document; return its id (shown at `/docs/<id>`).

    `raw` is the document's bytes as received (bytes or bytearray). `source_url` is where it came
    from, used to resolve its links. `fetch_info` describes a fetch: `status` (int), `fetched_at`
    (epoch seconds or ISO text) and `headers` (a mapping; only content-type, x-ratelimit-limit,
    x-ratelimit-remaining, x-ratelimit-reset and retry-after are kept). Must run inside a request or
    app context. Raises TooLarge (413) over the configured limit, DocumentError (400, with
    `line`, `column` and `excerpt` when known) for anything that is not a JSON document, and
    StorageFull (507) when it does not fit in the storage budget (`cross_site`: sent by another
    site's page, which may use only a share of it; see store.budget).
    `pending` hides the document from every other request until masking has run
    (viewer.masking.state.finish_pending).
    """
    limit = current_app.config["MAX_BYTES"]
    if len(raw) > limit:
        raise TooLarge(f"The document is {format_size(len(raw))}; the viewer accepts documents up to "
                       f"{format_size(limit)} (start it with --max-bytes to change the limit).")
    if source_url is not None and not isinstance(source_url, str):
        raise ViewerError("source_url must be text.")
    if len(raw) > 16 << 20:
        _cache().drop()  # a big document's index replaces the cached ones rather than adding to them
    result = scan(raw, current_app.extensions.get("viewer.engine"))
    doc_id = secrets.token_urlsafe(12)
    db = get_db()
    budget.make_room(db, _stored_size(raw, result), cross_site=cross_site)
    view = memoryview(raw)
    chunk = chunk_size(db)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO documents (id, created_at, size, body_start, body_end, line_count, source_url,"
            " fetch_info, notices, duplicates, landmarks, preview, chunk_size) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc_id, expiry.now(), len(raw), result.body_start, result.body_end, result.line_count,
             source_url or None, _fetch_info_json(fetch_info), json.dumps(result.notices),
             json.dumps(result.duplicates), json.dumps(result.landmarks), _preview(raw, result.body_start), chunk))
        if pending:
            db.execute("INSERT INTO masking_pending (doc_id) VALUES (?)", (doc_id,))
            g.setdefault("preparing", set()).add(doc_id)
        write_chunks(db, "chunks", doc_id, view, chunk)
        for name, _ in STORED:
            _write_blob(db, doc_id, name, memoryview(getattr(result, name)).cast("B"))
        db.execute("COMMIT")
    except BaseException as exc:
        rollback_quietly(db)
        if budget.is_disk_full(exc):
            raise budget.disk_full(exc, budget.live_size(db, current_app.config["DATABASE"]),
                                   budget.budget(current_app.config)) from None
        raise
    finally:
        view.release()
    reclaim_space(db)  # a checkpoint: the log's copy of the document leaves the disk
    expiry.document_added()
    _cache().put((current_app.config["DATABASE"], doc_id),
                 Index(result.starts, result.parents, result.matches, result.kinds))
    return doc_id


def write_chunks(db, table, doc_id, view, chunk):
    db.executemany(f"INSERT INTO {table} (doc_id, seq, data) VALUES (?,?,?)",
                   ((doc_id, seq, view[offset:offset + chunk])
                    for seq, offset in enumerate(range(0, len(view), chunk))))


def _stored_size(raw, result) -> int:
    """About what the document takes in the database: its bytes, its stored index and some slack."""
    return len(raw) * 101 // 100 + sum(memoryview(getattr(result, name)).nbytes for name, _ in STORED) + (256 << 10)


def _write_blob(db, doc_id, name, data, table="line_arrays"):

    """Write an array into its row piece by piece, so SQLite never holds a second copy of it."""
    cur = db.execute(f"INSERT INTO {table} (doc_id, name, data) VALUES (?, ?, zeroblob(?))",
                     (doc_id, name, len(data)))
    with db.blobopen(table, "data", cur.lastrowid) as blob:
        for offset in range(0, len(data), 1 << 20):
            blob.write(data[offset:offset + (1 << 20)])


def _read_array(db, doc_id, name, code, table="line_arrays"):
    row = db.execute(f"SELECT rowid, length(data) FROM {table} WHERE doc_id = ? AND name = ?",
                     (doc_id, name)).fetchone()
    result = array(code, bytes(row[1]))
    target = memoryview(result).cast("B")
    with db.blobopen(table, "data", row[0], readonly=True) as blob:
        for offset in range(0, row[1], 1 << 20):
            piece = blob.read(1 << 20)
            target[offset:offset + len(piece)] = piece
    return result


def _fetch_info_json(info):
    if not info:
        return None
    headers = {str(k).lower(): str(v) for k, v in dict(info.get("headers") or {}).items()}
    kept = {"status": info.get("status"), "fetched_at": info.get("fetched_at"),
            "headers": {name: headers[name] for name in FETCH_HEADERS if name in headers}}
    return json.dumps(kept, default=str)


def _preview(raw, start) -> str:
    text = bytes(raw[start:start + 400]).decode("utf-8", "ignore")
    return " ".join(text.split())[:120]


def _cache() -> IndexCache:
    cache = current_app.extensions.get("viewer.index_cache")
    if cache is None:
        cache = current_app.extensions["viewer.index_cache"] = IndexCache(current_app.config["INDEX_CACHE_BYTES"])
    return cache


class Document:
    """A stored document: its row's fields, its index (loaded on first use) and reads of its bytes."""

    def __init__(self, row):
        self.id = row["id"]
        self.created_at, self.size, self.line_count = row["created_at"], row["size"], row["line_count"]
        self.body_start, self.body_end = row["body_start"], row["body_end"]
        self.source_url = row["source_url"]
        self.fetch_info = json.loads(row["fetch_info"]) if row["fetch_info"] else None
        self.notices, self.duplicates = json.loads(row["notices"]), json.loads(row["duplicates"])
        self.landmarks, self.preview = json.loads(row["landmarks"]), row["preview"]
        self.kept = bool(row["kept"])
        self._index = None
        self._chunks = {}
        self.chunk = row["chunk_size"] or OLD_CHUNK
        # Which stored text is served: the bytes as received, or the masked rendition (see use_rendition).
        self.variant, self._chunk_table, self._array_table = "", "chunks", "line_arrays"
        self.masking = None
        self.search_memory = current_app.extensions.setdefault("viewer.search_memory", SearchMemory())

    def use_rendition(self, row):
        """Serve the masked rendition: its bytes, index, size, lines and preview replace the original's."""
        self.variant, self._chunk_table, self._array_table = "masked", "masked_chunks", "masked_line_arrays"
        self.size, self.line_count = row["size"], row["line_count"]
        self.body_start, self.body_end = row["body_start"], row["body_end"]
        self.duplicates, self.landmarks = json.loads(row["duplicates"]), json.loads(row["landmarks"])
        self.preview = row["preview"]
        self._index, self._chunks = None, {}

    @property
    def shown_source(self):
        """The source URL as shown: a lookup by a masked attribute masked (viewer.masking.urls)."""
        from ..masking.remask import shown_source  # masking builds on this module
        masking = self.masking
        return shown_source(self.source_url, self.id,
                            unmasked=masking is not None and masking.has_rendition and not masking.masked)

    @property
    def index(self) -> Index:
        if self._index is None:
            key = (current_app.config["DATABASE"], self.id) + ((self.variant,) if self.variant else ())
            self._index = _cache().get(key)
            if self._index is None:
                db = get_db()
                self._index = Index.from_stored(*(_read_array(db, self.id, name, code, self._array_table)
                                                  for name, code in STORED))
                _cache().put(key, self._index)
        return self._index

    def read(self, start: int, end: int) -> bytes:
        """The raw bytes from `start` to `end`, reading only the chunks that hold them."""
        chunk = self.chunk
        first, last = start // chunk, (max(end, start + 1) - 1) // chunk
        missing = [seq for seq in range(first, last + 1) if seq not in self._chunks]
        if missing:
            if len(self._chunks) * chunk > (16 << 20):
                self._chunks.clear()
            rows = get_db().execute(f"SELECT seq, data FROM {self._chunk_table} WHERE doc_id = ? AND seq BETWEEN ? AND ?",
                                    (self.id, missing[0], missing[-1]))
            for seq, data in rows:
                self._chunks[seq] = data
        data = b"".join(self._chunks[seq] for seq in range(first, last + 1))
        return data[start - first * chunk:end - first * chunk]

    def blocks(self, start: int, end: int, size: int = 1 << 20, reverse: bool = False):
        """Yield (offset, bytes) pieces of about `size` bytes covering `start`..`end`, in order."""
        if end <= start:
            return
        chunk = self.chunk
        first, last = start // chunk, (end - 1) // chunk
        step = max(1, size // chunk)
        ranges = [(b, min(last, b + step - 1)) for b in range(first, last + 1, step)]
        for block_first, block_last in reversed(ranges) if reverse else ranges:
            rows = get_db().execute(
                f"SELECT data FROM {self._chunk_table} WHERE doc_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                (self.id, block_first, block_last))
            data = b"".join(row[0] for row in rows)
            base = block_first * chunk
            lo, hi = max(start, base) - base, min(end, base + len(data)) - base
            yield base + lo, data[lo:hi]

    def raw_chunks(self):
        """The bytes as received, piece by piece; usable after the request has ended (for streaming)."""
        db, table = connect(current_app.config["DATABASE"]), self._chunk_table

        def pieces():
            try:
                for (data,) in db.execute(f"SELECT data FROM {table} WHERE doc_id = ? ORDER BY seq", (self.id,)):
                    yield data
            finally:
                db.close()
        return pieces()


def get_document(doc_id: str) -> Document:
    row = get_db().execute(f"SELECT * FROM documents WHERE id = ? AND {expiry.ALIVE}",
                           (doc_id, expiry.cutoff())).fetchone()
    if row is None:
        raise ViewerError(f"There is no document {doc_id!r}: it was deleted or has expired "
                          f"(documents are kept {current_app.config['EXPIRE_HOURS']:g} hours).", status=404)
    if doc_id not in g.get("preparing", ()) and get_db().execute(
            "SELECT 1 FROM masking_pending WHERE doc_id = ?", (doc_id,)).fetchone():
        raise ViewerError(f"Document {doc_id!r} is still being stored and masked; reload in a moment.", status=503)
    doc = Document(row)
    from ..masking.state import apply_masking  # masking builds on this module
    apply_masking(doc)
    return doc


def original_document(doc_id: str):
    """A stored document as it was received, never its masked rendition; None if it is gone. For masking only."""
    row = get_db().execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
    return Document(row) if row is not None else None


def recent_documents(limit: int = 50) -> list:
    # A masked document is listed by its masked rendition (preview, size, lines), whether or not it is unmasked
    # now: the original's size alone tells the length of a masked value.
    rows = get_db().execute("SELECT id, created_at, COALESCE(m.size, documents.size) AS size,"
                            " COALESCE(m.line_count, documents.line_count) AS line_count, source_url,"
                            " CASE WHEN m.size IS NULL THEN documents.preview ELSE m.preview END AS preview,"
                            " '[]' AS notices,"
                            " '[]' AS duplicates, '{}' AS landmarks, documents.body_start, documents.body_end,"
                            " NULL AS fetch_info, kept, chunk_size"
                            " FROM documents LEFT JOIN masking m ON m.doc_id = documents.id"
                            f" WHERE {expiry.ALIVE}"
                            " AND id NOT IN (SELECT doc_id FROM masking_pending) ORDER BY created_at DESC LIMIT ?",
                            (expiry.cutoff(), limit))
    return [Document(row) for row in rows]


def delete_document(doc_id: str) -> bool:
    db = get_db()
    deleted = db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
    _cache().drop((current_app.config["DATABASE"], doc_id))
    _cache().drop((current_app.config["DATABASE"], doc_id, "masked"))
    reclaim_space(db)
    reserve.restore(current_app.config["DATABASE"])
    return bool(deleted)


def remove_unfinished(app) -> list:
    """At start, before any request: remove every document whose intake did not finish, and say which.

    A viewer stopped or killed while it was taking a document in leaves it stored but hidden
    (pending). Finishing it could need the API, and masking must fail closed, so it goes, and its
    space with it; the home page lists each by source and size (never by its content, which may not
    have been masked) so that the user can send it again.
    """
    with app.app_context():
        db = get_db()
        rows = db.execute("SELECT id, size, source_url FROM documents"
                          " WHERE id IN (SELECT doc_id FROM masking_pending)").fetchall()
        if rows:
            db.execute("DELETE FROM documents WHERE id IN (SELECT doc_id FROM masking_pending)")
            db.execute("DELETE FROM masking_pending")
            reclaim_space(db)
        gone = [{"source": row["source_url"], "size": format_size(row["size"])} for row in rows]
        app.extensions["viewer.unfinished"] = gone
        return gone


def unfinished_documents() -> list:
    """The documents `remove_unfinished` removed at this start, for the home page."""
    return current_app.extensions.get("viewer.unfinished", [])


def delete_all() -> int:
    db = get_db()
    deleted = db.execute("DELETE FROM documents").rowcount
    _cache().drop()
    reclaim_space(db)
    reserve.restore(current_app.config["DATABASE"])
    return deleted


def keep_document(doc_id: str, keep: bool = True) -> bool:
    """Keep a document (it neither expires nor makes room for others), or stop keeping it."""
    return bool(get_db().execute(f"UPDATE documents SET kept = ? WHERE id = ? AND {expiry.ALIVE}",
                                 (int(keep), doc_id, expiry.cutoff())).rowcount)
