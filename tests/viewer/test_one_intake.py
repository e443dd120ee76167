"""One intake: a document is visible whole or not at all, whatever step fails and whenever the viewer stopped."""
import sqlite3

import pytest

from viewer.web import intake
from viewer.web.app import create_app


@pytest.fixture()
def app(tmp_path):
    return create_app({"DATABASE": str(tmp_path / "v.sqlite3"), "TESTING": True})


def stored_ids(path) -> list:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT id FROM documents")]


def pending_ids(path) -> list:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT doc_id FROM masking_pending")]


def test_a_failure_after_the_document_is_stored_removes_it_and_says_why(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the masker fell over")

    monkeypatch.setattr(intake, "mask_incoming", broken)  # a fault injected into the step after storing
    client = app.test_client()
    response = client.post("/docs", data=b'{"name": "Jenny"}', content_type="application/json")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "could not be masked, so it was removed" in page
    assert "the masker fell over" not in page and "Traceback" not in page
    database = app.config["DATABASE"]
    assert stored_ids(database) == [] and pending_ids(database) == []
    monkeypatch.undo()
    response = client.post("/docs", data=b'{"name": "Jenny"}', content_type="application/json")
    assert response.status_code == 303


def test_a_document_left_unfinished_is_removed_at_the_next_start_and_named(tmp_path):
    database = str(tmp_path / "v.sqlite3")
    first = create_app({"DATABASE": database, "TESTING": True})
    client = first.test_client()
    done = client.post("/docs", data=b'{"done": 1}', content_type="application/json").headers["Location"]
    unfinished = client.post("/docs?source_url=https://acme.api.kustomerapp.com/v1/customers/1",
                             data=b'{"secret": "' + b"s" * 5000 + b'"}', content_type="application/json")
    unfinished_id = unfinished.headers["Location"].rsplit("/", 1)[1]
    # As a viewer killed between storing a document and masking it leaves it.
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO masking_pending (doc_id) VALUES (?)", (unfinished_id,))
    restarted = create_app({"DATABASE": database, "TESTING": True}).test_client()
    assert stored_ids(database) == [done.rsplit("/", 1)[1]] and pending_ids(database) == []
    assert restarted.get(f"/docs/{unfinished_id}").status_code == 404
    home = restarted.get("/").get_data(as_text=True)
    assert "removed unfinished" in home and "https://acme.api.kustomerapp.com/v1/customers/1 (4.9 KiB)" in home
    assert "sss" not in home
