"""Storing, finding and deleting documents; the entry point for anything that brings JSON in.

`save_document` is what the `POST /docs` form and `GET /fetch` both call inside a request.
"""
import json
import secrets
import sqlite3
from array import array

from flask import current_app, g

from ..background import done, on_a_thread
from ..core.index import STORED, Index, IndexCache
from ..core.scan import scan
from ..core.search import SearchMemory
from ..errors import TooLarge, ViewerError
from ..sizes import format_size
from . import budget, expiry
from .db import connect, flush_log, get_db, reclaim_space, rollback_quietly

OLD_CHUNK = 64 * 1024  # the piece size of documents stored before sizes were fitted to pages


class DocumentGone(ViewerError):
    """A document deleted (or expired, or removed to make room) while a request was reading or taking it in."""

    status = 404


def gone_while_read(doc_id) -> DocumentGone:
    return DocumentGone(f"Document {doc_id!r} was deleted while this page was reading it; it is no longer stored.")


def gone_while_taken_in() -> DocumentGone:
    return DocumentGone("The document was deleted while it was being taken in (Delete or Delete all on another "
                        "page), so nothing of it was kept. Send it again if you still need it.", status=409)


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
# Every response header is kept with a fetched document (to quote to Kustomer's support) except cookies:
# a session cookie is a credential.
# Never stored: cookies, and credentials (a server that echoes the request's Authorization must not put the key
# into the database).
SECRET_HEADERS = ("set-cookie", "set-cookie2", "cookie", "authorization", "proxy-authorization")
# What a fetch says about itself; anything else given is not stored.
FETCH_FIELDS = ("url", "requested_url", "status", "fetched_at", "seconds", "redirects", "key_name", "run")


def save_document(raw, *, source_url: str | None = None, fetch_info: dict | None = None,
                  cross_site: bool = False, pending: bool = False, on_index=None, while_indexed=None,
                  keep_turn=False) -> str:
    """Check, index and store a JSON document; return its id (shown at `/docs/<id>`).

    `raw` is the document's bytes as received (bytes or bytearray). `source_url` is where it came
    from, used to resolve its links. `fetch_info` describes a fetch: `status` (int), `fetched_at`
    (epoch seconds or ISO text), `headers` (a mapping; every header but cookies is kept) and the other
    FETCH_FIELDS (the key's stored name, never the key). Must run inside a request or
    app context. Raises TooLarge (413) over the configured limit, DocumentError (400, with
    `line`, `column` and `excerpt` when known) for anything that is not a JSON document, and
    StorageFull (507) when it does not fit in the storage budget (`cross_site`: sent by another
    site's page, which may use only a share of it; see store.budget).
    `pending` hides the document from every other request until masking has run
    (viewer.masking.state.finish_pending). `on_index(raw, index)` is called once the document is indexed,
    before it is written (viewer.masking.ahead starts masking it then). `while_indexed(raw)` is called once
    a big document's bytes are written while its index is still being made: work that needs only the bytes.
    `keep_turn`: the store's turn to grow stays with this request for its masked rendition
    (store.budget.room_for); store.budget.let_go_held ends it.
    """
    limit = current_app.config["MAX_BYTES"]
    if len(raw) > limit:
        raise TooLarge(f"The document is {format_size(len(raw))}; the viewer accepts documents up to "
                       f"{format_size(limit)} (start it with --max-bytes to change the limit).")
    if source_url is not None and not isinstance(source_url, str):
        raise ViewerError("source_url must be text.")
    if len(raw) > 16 << 20:
        index_cache().drop()  # a big document's index replaces the cached ones rather than adding to them
    row = _Row(secrets.token_urlsafe(12), source_url, _fetch_info_json(fetch_info), pending, keep_turn)
    db = get_db()
    view = memoryview(raw)
    engine = current_app.extensions.get("viewer.engine")
    try:
        if len(raw) >= OVERLAP_BYTES and not cross_site:
            indexing = on_a_thread("viewer-indexing", _indexed, raw, engine, on_index)
        else:
            indexing = done(_indexed(raw, engine, on_index))
            if cross_site:
                budget.charge_cross_site(_stored_size(raw, indexing.result()))
        result = _write(db, row, raw, view, indexing, while_indexed)
    except BaseException as exc:
        rollback_quietly(db)
        if budget.is_disk_full(exc):
            raise budget.disk_full(exc, budget.on_disk(current_app.config["DATABASE"]),
                                   budget.budget(current_app.config)) from None
        raise
    finally:
        view.release()
    expiry.document_added()
    index = Index(result.starts, result.parents, result.matches, result.kinds)
    index_cache().put((current_app.config["DATABASE"], row.doc_id), index)
    return row.doc_id


# A document this big is indexed by the engine's worker process while its bytes are written to the database:
# the two take about as long, and neither needs the other until the index is written.
OVERLAP_BYTES = 1 << 20


class _Row:
    """What a new document's row holds besides its index."""

    def __init__(self, doc_id, source_url, fetch_info, pending, keep_turn):
        self.doc_id, self.source_url, self.fetch_info, self.pending = doc_id, source_url, fetch_info, pending
        self.keep_turn = keep_turn


def _indexed(raw, engine, on_index):
    """Index a document (core.scan.scan, through the engine when it can), then hand it to `on_index`."""
    result = scan(raw, engine)
    if on_index is not None:
        on_index(raw, Index(result.starts, result.parents, result.matches, result.kinds))
    return result


def _write(db, row, raw, view, indexing, while_indexed=None):
    """Store a document in one transaction, room made for it first; `indexing`: the Future of its index.

    While the index is being made (a big document's, by the engine's worker) room is made for the bytes
    alone and they are written meanwhile; the index is written once it comes if it fits in what is left,
    else the transaction is rolled back and the document stored again with room made for the whole.
    A document that is not JSON raises its DocumentError, whatever the write had reached.
    """
    while True:
        known = indexing.result() if indexing.done() else None
        try:
            with budget.room_for(db, _stored_size(raw, known)) as turn:
                before = budget.state(db) if known is None else None
                chunk = chunk_size(db)
                db.execute("BEGIN IMMEDIATE")
                _insert(db, row, raw, known, chunk)
                write_chunks(db, "chunks", row.doc_id, view, chunk)
                if not indexing.done():  # the log's bytes go to the disk while the index is made
                    if while_indexed is not None:
                        while_indexed(raw)
                        while_indexed = None  # once, if the write is made again
                    flush_log(current_app.config["DATABASE"])
                result = indexing.result()
                if known is None:
                    if not budget.fits(before, _stored_size(raw, result)):
                        rollback_quietly(db)
                        continue  # its index did not fit in the room made for its bytes
                    db.execute("UPDATE documents SET body_start = ?, body_end = ?, line_count = ?, notices = ?,"
                               " duplicates = ?, landmarks = ?, preview = ? WHERE id = ?",
                               (*_indexed_fields(raw, result), row.doc_id))
                _write_index(db, row.doc_id, result)
                turn.commit(db, _stored_size(raw, result), more_to_come=row.keep_turn)
                return result
        except BaseException:
            error = indexing.exception()  # not JSON: that is the answer, not what the write met meanwhile
            if error is not None:
                raise error from None
            raise


def _insert(db, row, raw, result, chunk):
    """The document's row (its index fields zero until known, when `result` is None), and its pending mark."""
    fields = _indexed_fields(raw, result) if result is not None else (0, 0, 0, "[]", "[]", "[]", "")
    body_start, body_end, line_count, notices, duplicates, landmarks, preview = fields
    db.execute(
        "INSERT INTO documents (id, created_at, size, body_start, body_end, line_count, source_url, fetch_info,"
        " notices, duplicates, landmarks, preview, chunk_size) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (row.doc_id, expiry.now(), len(raw), body_start, body_end, line_count, row.source_url or None,
         row.fetch_info, notices, duplicates, landmarks, preview, chunk))
    if row.pending:
        db.execute("INSERT INTO masking_pending (doc_id) VALUES (?)", (row.doc_id,))
        g.setdefault("preparing", set()).add(row.doc_id)


def _indexed_fields(raw, result) -> tuple:
    return (result.body_start, result.body_end, result.line_count, json.dumps(result.notices),
            json.dumps(result.duplicates), json.dumps(result.landmarks), _preview(raw, result.body_start))


def _write_index(db, doc_id, result):
    for name, _ in STORED:
        write_blob(db, doc_id, name, memoryview(getattr(result, name)).cast("B"))


def write_chunks(db, table, doc_id, view, chunk):
    db.executemany(f"INSERT INTO {table} (doc_id, seq, data) VALUES (?,?,?)",
                   ((doc_id, seq, view[offset:offset + chunk])
                    for seq, offset in enumerate(range(0, len(view), chunk))))


def _stored_size(raw, result) -> int:
    """About what the document takes in the database: its bytes, its stored index (if known) and some slack."""
    index = 0 if result is None else sum(memoryview(getattr(result, name)).nbytes for name, _ in STORED)
    return len(raw) * 101 // 100 + index + (256 << 10)


def write_blob(db, doc_id, name, data, table="line_arrays"):

    """Write an array into its row piece by piece, so SQLite never holds a second copy of it."""
    cur = db.execute(f"INSERT INTO {table} (doc_id, name, data) VALUES (?, ?, zeroblob(?))",
                     (doc_id, name, len(data)))
    with db.blobopen(table, "data", cur.lastrowid) as blob:
        for offset in range(0, len(data), 1 << 20):
            blob.write(data[offset:offset + (1 << 20)])


def _read_array(db, doc_id, name, code, table="line_arrays"):
    row = db.execute(f"SELECT rowid, length(data) FROM {table} WHERE doc_id = ? AND name = ?",
                     (doc_id, name)).fetchone()
    if row is None:
        raise gone_while_read(doc_id)
    result = array(code, bytes(row[1]))
    target = memoryview(result).cast("B")
    try:
        with db.blobopen(table, "data", row[0], readonly=True) as blob:
            for offset in range(0, row[1], 1 << 20):
                piece = blob.read(1 << 20)
                target[offset:offset + len(piece)] = piece
    except sqlite3.Error:  # the row went between the two looks (a blob is aborted when its row changes)
        raise gone_while_read(doc_id) from None
    return result


def _fetch_info_json(info):
    if not info:
        return None
    headers = {str(k).lower(): str(v) for k, v in dict(info.get("headers") or {}).items()}
    kept = {name: info[name] for name in FETCH_FIELDS if info.get(name) is not None}
    kept["headers"] = {name: value for name, value in headers.items() if name not in SECRET_HEADERS}
    return json.dumps(kept, default=str)


def _preview(raw, start) -> str:
    text = bytes(raw[start:start + 400]).decode("utf-8", "ignore")
    return " ".join(text.split())[:120]


def index_cache() -> IndexCache:
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
        self.shown_source = None  # the source URL as shown, set with its masking (viewer.web.served)
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
    def index(self) -> Index:
        if self._index is None:
            key = (current_app.config["DATABASE"], self.id) + ((self.variant,) if self.variant else ())
            self._index = index_cache().get(key)
            if self._index is None:
                db = get_db()
                self._index = Index.from_stored(*(_read_array(db, self.id, name, code, self._array_table)
                                                  for name, code in STORED))
                index_cache().put(key, self._index)
        return self._index

    def read(self, start: int, end: int) -> bytes:
        """The raw bytes from `start` to `end`, reading only the chunks that hold them."""
        chunk = self.chunk
        first, last = start // chunk, (max(end, start + 1) - 1) // chunk
        missing = [seq for seq in range(first, last + 1) if seq not in self._chunks]
        if missing:
            if len(self._chunks) * chunk > (16 << 20):
                self._chunks.clear()
                missing = list(range(first, last + 1))  # the pieces of this range that were kept went too
            rows = get_db().execute(f"SELECT seq, data FROM {self._chunk_table} WHERE doc_id = ?"
                                    " AND seq BETWEEN ? AND ?", (self.id, missing[0], missing[-1]))
            for seq, data in rows:
                self._chunks[seq] = data
            if any(seq not in self._chunks for seq in missing):
                raise gone_while_read(self.id)
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
            if len(data) < min(end, (block_last + 1) * chunk) - block_first * chunk:
                raise gone_while_read(self.id)
            base = block_first * chunk
            lo, hi = max(start, base) - base, min(end, base + len(data)) - base
            yield base + lo, data[lo:hi]

    def raw_chunks(self):
        """The bytes served, piece by piece, usable after the request has ended (for streaming).

        They are read from one snapshot of the database taken now, so a delete after this call never cuts
        them short; a document deleted before it raises DocumentGone. Should a piece still be missing, the
        stream stops with an error before its last byte, so the client sees the connection close early.
        """
        db, table, size, doc_id = connect(current_app.config["DATABASE"]), self._chunk_table, self.size, self.id
        try:
            db.execute("BEGIN")  # one read transaction for the whole stream: its snapshot starts at the first row
            rows = db.execute(f"SELECT data FROM {table} WHERE doc_id = ? ORDER BY seq", (doc_id,))
            first = rows.fetchone()
        except BaseException:
            db.close()
            raise
        if first is None:
            db.close()
            raise gone_while_read(doc_id)

        def pieces():
            sent, row = 0, first
            try:
                while row is not None:
                    sent += len(row[0])
                    yield row[0]
                    row = rows.fetchone()
                if sent != size:
                    raise RuntimeError(f"document {doc_id}: {sent} of its {size} bytes were found to send")
            finally:
                db.close()
        return pieces()


def get_document(doc_id: str, serve=None) -> Document:
    """A stored document; `serve(doc)` is called on it in the same read snapshot (viewer.web.served applies
    its masking there: which text is served, the rendition or the original)."""
    db = get_db()
    # The row and its masking are read in one snapshot: a delete between the two reads would otherwise show a
    # masked document as one with nothing masked.
    snapshot = not db.in_transaction
    if snapshot:
        db.execute("BEGIN")
    try:
        row = db.execute(f"SELECT * FROM documents WHERE id = ? AND {expiry.ALIVE}",
                         (doc_id, expiry.cutoff())).fetchone()
        if row is None:
            raise ViewerError(f"There is no document {doc_id!r}: it was deleted or has expired "
                              f"(documents are kept {current_app.config['EXPIRE_HOURS']:g} hours).", status=404)
        if doc_id not in g.get("preparing", ()) and db.execute(
                "SELECT 1 FROM masking_pending WHERE doc_id = ?", (doc_id,)).fetchone():
            raise ViewerError(f"Document {doc_id!r} is still being stored and masked; reload in a moment.",
                              status=503)
        doc = Document(row)
        if serve is not None:
            serve(doc)
    finally:
        if snapshot:
            db.execute("COMMIT")
    return doc


def original_document(doc_id: str):
    """A stored document as it was received, never its masked rendition; None if it is gone. For masking only."""
    row = get_db().execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
    return Document(row) if row is not None else None


def kept_count() -> int:
    """How many documents are kept: what "Delete all" leaves unless told otherwise."""
    return get_db().execute(f"SELECT COUNT(*) FROM documents WHERE kept = 1 AND {expiry.ALIVE}",
                            (expiry.cutoff(),)).fetchone()[0]


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
    index_cache().drop((current_app.config["DATABASE"], doc_id))
    index_cache().drop((current_app.config["DATABASE"], doc_id, "masked"))
    reclaim_space(db)
    budget.restore_reserve()
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


def delete_all(kept: bool = False) -> int:
    """Delete every document; kept ones only with `kept` (keeping a document is a promise not to lose it)."""
    db = get_db()
    deleted = db.execute("DELETE FROM documents" if kept else "DELETE FROM documents WHERE kept = 0").rowcount
    index_cache().drop()
    reclaim_space(db)
    budget.restore_reserve()
    return deleted


def still_taken_in(db, doc_id: str) -> bool:
    """The document being taken in is still stored and still pending (nobody deleted it meanwhile)."""
    return db.execute("SELECT 1 FROM masking_pending WHERE doc_id = ?", (doc_id,)).fetchone() is not None


def keep_document(doc_id: str, keep: bool = True) -> bool:
    """Keep a document (it neither expires nor makes room for others), or stop keeping it."""
    return bool(get_db().execute(f"UPDATE documents SET kept = ? WHERE id = ? AND {expiry.ALIVE}",
                                 (int(keep), doc_id, expiry.cutoff())).rowcount)
