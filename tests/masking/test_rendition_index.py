"""The rendition's index, moved from the original's rather than scanned again, is the index a scan gives."""
from array import array
from unittest.mock import patch

import pytest

from bench.generate import generate
from tests.masking.conftest import SAMPLES
from viewer.core.scan import scan
from viewer.masking import rendition
from viewer.store.db import get_db
from viewer.store.documents import original_document


def stored_indexes(app, doc_id):
    """(the rendition's index as stored, the index a scan of its bytes gives)."""
    with app.app_context():
        masked = get_db().execute("SELECT data FROM masked_chunks WHERE doc_id = ? ORDER BY seq", (doc_id,))
        text = b"".join(row[0] for row in masked)
        arrays = {row[0]: row[1] for row in get_db().execute(
            "SELECT name, data FROM masked_line_arrays WHERE doc_id = ?", (doc_id,))}
        row = get_db().execute("SELECT body_start, body_end, line_count FROM masking WHERE doc_id = ?",
                               (doc_id,)).fetchone()
        assert original_document(doc_id) is not None
    return (arrays["starts"], arrays["kinds"], tuple(row)), text


@pytest.mark.parametrize("raw", [
    generate(200_000, 3),
    (SAMPLES / "customer.json").read_bytes(),
    (SAMPLES / "customers-page-2.json").read_bytes(),
    b'{"data": {"type": "customer", "attributes": {"name": "Jenny", "emails": [{"email": "j@x.com"}]}}}',
], ids=["generated", "customer", "list", "one-line"])
def test_the_moved_index_is_the_scanned_one(app, client, raw):
    moved = []
    real = rendition._shifted

    def counting(*args):
        found = real(*args)
        moved.append(found is not None)
        return found

    with patch.object(rendition, "_shifted", counting):
        response = client.post("/docs", data=raw, content_type="application/json")
    doc_id = response.headers["Location"].rsplit("/", 1)[1]
    assert moved == [True]
    (starts, kinds, (body_start, body_end, line_count)), text = stored_indexes(app, doc_id)
    scanned = scan(text)
    assert bytes(starts) == array("I", scanned.starts).tobytes() and bytes(kinds) == bytes(scanned.kinds)
    assert (body_start, body_end, line_count) == (scanned.body_start, scanned.body_end, scanned.line_count)


def test_a_value_masked_whole_is_scanned_again(app, client):
    raw = b'{"data": {"type": "customer", "attributes": {"name": {"first": "Jenny", "last": "J"}}}}'
    moved = []
    real = rendition._shifted
    with patch.object(rendition, "_shifted", lambda *args: moved.append(real(*args)) or moved[-1]):
        doc_id = client.post("/docs", data=raw, content_type="application/json").headers["Location"].rsplit("/", 1)[1]
    assert moved == [None]
    (starts, kinds, _), text = stored_indexes(app, doc_id)
    assert bytes(starts) == array("I", scan(text).starts).tobytes()
