"""A document's masking kept beside it: what was masked, its masked rendition, its unmasking, the audit log."""
import getpass
import json
import threading
from array import array

from flask import current_app

from ..core.index import STORED, Index
from . import budget
from .db import get_db, rollback_quietly
from .documents import OLD_CHUNK, gone_while_taken_in, index_cache, still_taken_in, write_blob, write_chunks


def save_masking(doc_id: str, *, rendition, result, masked_lines, original_lines, attributes, count,
                 note, customer_id, kustomer, preview, again=False):
    """Store what masking found; `rendition`/`result` (bytes and its core.scan.Scan) are None when nothing is masked.
    `again`: a stored document masked again under stricter rules (it may have had nothing masked before).

    Raises DocumentGone (409) when the document was deleted while it was being masked: nothing is written.
    """
    db = get_db()
    needed = 0 if rendition is None else len(rendition) * 101 // 100 + sum(
        memoryview(getattr(result, name)).nbytes for name, _ in STORED)
    written = needed + 8 * (len(masked_lines) + len(original_lines))
    with budget.room_for(db, written) as turn:
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT chunk_size FROM documents WHERE id = ?", (doc_id,)).fetchone()
            remasking = db.execute("SELECT 1 FROM masking WHERE doc_id = ?", (doc_id,)).fetchone() is not None
            if row is None or not (again or remasking or still_taken_in(db, doc_id)):
                raise gone_while_taken_in()
            # A document masked again under stricter rules: its earlier rendition goes, its unmask stays.
            db.execute("DELETE FROM masked_chunks WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM masked_line_arrays WHERE doc_id = ?", (doc_id,))
            fields = (None,) * 6
            if rendition is not None:
                fields = (len(rendition), result.body_start, result.body_end, result.line_count,
                          json.dumps(result.duplicates), json.dumps(result.landmarks))
                # In pieces of the original's size: a Document reads either with the same arithmetic.
                write_chunks(db, "masked_chunks", doc_id, memoryview(rendition), row[0] or OLD_CHUNK)
                for name, _ in STORED:
                    write_blob(db, doc_id, name, memoryview(getattr(result, name)).cast("B"), "masked_line_arrays")
            db.execute(
                "INSERT OR REPLACE INTO masking (doc_id, note, customer_id, kustomer, attributes, count, masked_lines,"
                " original_lines, size, body_start, body_end, line_count, duplicates, landmarks, preview,"
                " unmasked_until) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                " (SELECT unmasked_until FROM masking WHERE doc_id = ?))",
                (doc_id, note, customer_id, int(kustomer), json.dumps(attributes), count,
                 array("I", masked_lines).tobytes(), array("I", original_lines).tobytes(), *fields, preview, doc_id))
            db.execute("DELETE FROM masking_pending WHERE doc_id = ?", (doc_id,))
            turn.commit(db, written)  # the log's copy leaves the disk after the answer (budget.Turn)
        except BaseException:
            rollback_quietly(db)
            raise
    _badge_lines_kept().forget(doc_id)


def save_rules(doc_id: str, rules: str, *, host, resources, note):
    """Record the rules a document is masked under (see viewer.masking.rules.to_record)."""
    get_db().execute("INSERT OR REPLACE INTO masking_rules (doc_id, rules, host, resources, note) VALUES (?,?,?,?,?)",
                     (doc_id, rules, host, None if resources is None else json.dumps(sorted(resources)), note))


def load_rules(doc_id: str):
    """The rules row of a document, or None (stored before rules were recorded)."""
    return get_db().execute("SELECT * FROM masking_rules WHERE doc_id = ?", (doc_id,)).fetchone()


def rules_of_documents(host=None) -> list:
    """(document id, its rules row or None) of every finished document, newest first; `host`: only those whose
    organisation's rules came from that API host."""
    where = "r.host = ?" if host is not None else "1"
    return get_db().execute(
        "SELECT d.id AS id, r.rules AS rules, r.host AS host, r.resources AS resources, r.note AS note,"
        " r.doc_id IS NOT NULL AS recorded FROM documents d LEFT JOIN masking_rules r ON r.doc_id = d.id"
        f" WHERE {where} AND d.id NOT IN (SELECT doc_id FROM masking_pending) ORDER BY d.created_at DESC, d.rowid DESC",
        (host,) if host is not None else ()).fetchall()


def cache_rendition_index(doc_id: str, result):
    database = current_app.config["DATABASE"]
    index_cache().drop((database, doc_id))
    index_cache().put((database, doc_id, "masked"), Index(result.starts, result.parents, result.matches, result.kinds))


def finish_pending(doc_id: str):
    """Masking has run: the document may be read by any request. Raises DocumentGone (409) if it was deleted."""
    db = get_db()
    if not db.execute("DELETE FROM masking_pending WHERE doc_id = ?", (doc_id,)).rowcount and \
            db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
        raise gone_while_taken_in()


def load_masking(doc_id: str):
    """The masking row without its line lists, which can be megabytes: see `badge_lines`."""
    return get_db().execute(
        "SELECT doc_id, note, customer_id, kustomer, attributes, count, size, body_start, body_end, line_count,"
        " duplicates, landmarks, preview, unmasked_until FROM masking WHERE doc_id = ?", (doc_id,)).fetchone()


class BadgeLines:
    """The badge lines of the last documents read (they can be megabytes), kept for their next rows."""

    KEPT = 8

    def __init__(self):
        self.lines, self.lock = {}, threading.Lock()

    def get(self, key):
        return self.lines.get(key)

    def put(self, key, lines):
        with self.lock:
            if len(self.lines) >= self.KEPT:
                self.lines.pop(next(iter(self.lines)))
            self.lines[key] = lines

    def forget(self, doc_id):
        with self.lock:
            for masked in (True, False):
                self.lines.pop((doc_id, masked), None)


def _badge_lines_kept() -> BadgeLines:
    return current_app.extensions.setdefault("viewer.badge_lines", BadgeLines())


def badge_lines(doc_id: str, masked: bool) -> array:
    """The sorted lines that carry a badge, in the masked rendition or the original; kept for the next rows."""
    kept = _badge_lines_kept()
    lines = kept.get((doc_id, masked))
    if lines is None:
        column = "masked_lines" if masked else "original_lines"
        row = get_db().execute(f"SELECT {column} FROM masking WHERE doc_id = ?", (doc_id,)).fetchone()
        lines = array("I")
        if row and row[0]:
            lines.frombytes(row[0])
        kept.put((doc_id, masked), lines)
    return lines


def set_unmasked_until(doc_id: str, until) -> bool:
    """A document made from an unmasked one (a jq result) masks again when its source does: no unmask of its
    own, so no audit entry (the source's is the record). False when the document is gone."""
    return bool(get_db().execute("UPDATE masking SET unmasked_until = ? WHERE doc_id = ?", (until, doc_id)).rowcount)


def unmask(doc_id: str, until, *, at, source_url, customer_id, hours, kind) -> bool:
    """Unmask a document until `until` (None: it has no rendition of its own to unmask) and write the audit
    entry, in one transaction: there is never an unmask without its entry. False, with nothing written,
    when the document is gone (deleted since it was read)."""
    change = ("UPDATE masking SET unmasked_until = ? WHERE doc_id = ?", (until, doc_id)) if until is not None else None
    return _audited(change, (at, doc_id, source_url, customer_id, hours, kind))


def mask_again(doc_id: str, *, at, source_url, customer_id):
    """End a document's unmask now, and write the audit entry, in one transaction."""
    _audited(("UPDATE masking SET unmasked_until = NULL WHERE doc_id = ?", (doc_id,)),
             (at, doc_id, source_url, customer_id, 0, "masked-again"))


def _audited(change, entry):
    db = get_db()
    db.execute("BEGIN IMMEDIATE")
    try:
        if change is not None and not db.execute(*change).rowcount:
            db.execute("ROLLBACK")
            return False
        at, doc_id, source_url, customer_id, hours, kind = entry
        db.execute("INSERT INTO audit (at, doc_id, source_url, customer_id, hours, user, kind)"
                   " VALUES (?,?,?,?,?,?,?)", (at, doc_id, source_url, customer_id, hours, _user(), kind))
        db.execute("COMMIT")
        return True
    except BaseException:
        db.execute("ROLLBACK")
        raise


def audit_page(before=None, size: int = 100) -> tuple[list, tuple | None]:
    """(entries newest first, the cursor of the next page or None); `before` is a cursor this returned.

    Paged by the (at, rowid) of the last entry shown, so entries written meanwhile never shift a page.
    """
    if before is None:
        rows = get_db().execute("SELECT rowid, * FROM audit ORDER BY at DESC, rowid DESC LIMIT ?", (size + 1,))
    else:
        rows = get_db().execute("SELECT rowid, * FROM audit WHERE at < ? OR (at = ? AND rowid < ?)"
                                " ORDER BY at DESC, rowid DESC LIMIT ?", (before[0], before[0], before[1], size + 1))
    entries = [dict(row) for row in rows]
    if len(entries) <= size:
        return entries, None
    last = entries[size - 1]
    return entries[:size], (last["at"], last["rowid"])


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name for this user id (a container)
        import os
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"
