"""Versions: the documents the viewer fetched from one API URL, numbered in the order they were fetched."""
from . import expiry
from .db import get_db, rollback_quietly


def record_version(doc_id: str, source_url: str) -> int:
    """Record `doc_id` as the next version of `source_url`; return its number."""
    db = get_db()
    db.execute("BEGIN IMMEDIATE")  # two fetches of one URL at once still get two numbers
    try:
        last = db.execute("SELECT MAX(version) FROM versions WHERE source_url = ?", (source_url,)).fetchone()[0]
        db.execute("INSERT INTO versions (doc_id, source_url, version) VALUES (?, ?, ?)",
                   (doc_id, source_url, (last or 0) + 1))
        db.execute("COMMIT")
    except BaseException:
        rollback_quietly(db)
        raise
    return (last or 0) + 1


def versions_of(doc_id: str) -> list:
    """[{id, version, created_at}] of every live version of the URL `doc_id` was fetched from, oldest first."""
    rows = get_db().execute(
        "SELECT d.id, v.version, d.created_at FROM versions v JOIN documents d ON d.id = v.doc_id"
        " WHERE v.source_url = (SELECT source_url FROM versions WHERE doc_id = ?)"
        f" AND {expiry.ALIVE}"  # its columns are the documents' alone
        " AND d.id NOT IN (SELECT doc_id FROM masking_pending) ORDER BY v.version",
        (doc_id, expiry.cutoff())).fetchall()
    return [{"id": row[0], "version": row[1], "created_at": row[2]} for row in rows]


def version_numbers(doc_ids) -> dict:
    """{doc_id: (source_url, version)} of those of `doc_ids` that are versions of a URL."""
    ids = list(doc_ids)
    result = {}
    for at in range(0, len(ids), 500):
        part = ids[at:at + 500]
        rows = get_db().execute(f"SELECT doc_id, source_url, version FROM versions WHERE doc_id IN "
                                f"({','.join('?' * len(part))})", part)
        result.update({row[0]: (row[1], row[2]) for row in rows})
    return result
