"""What Kustomer's metadata said of a document's objects when it arrived, kept beside the document."""
import json

from .db import get_db


def save_annotations(doc_id: str, data: dict):
    get_db().execute("INSERT OR REPLACE INTO annotations (doc_id, data) VALUES (?, ?)", (doc_id, json.dumps(data)))


def load_annotations(doc_id: str) -> dict | None:
    row = get_db().execute("SELECT data FROM annotations WHERE doc_id = ?", (doc_id,)).fetchone()
    return json.loads(row[0]) if row else None
