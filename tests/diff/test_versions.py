"""Versions are numbered per URL, and a database from before them gains their table at the next start."""
import sqlite3

from viewer.store.versions import record_version, version_numbers, versions_of
from viewer.web.app import create_app


def test_a_database_from_before_versions_gains_their_table(tmp_path, post, app):
    doc_id = post('{"kept": true}')
    path = app.config["DATABASE"]
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE versions")
    again = create_app({"DATABASE": path, "TESTING": True})
    with again.test_request_context():
        assert record_version(doc_id, "https://acme.api.kustomerapp.com/v1/x") == 1
    assert again.test_client().get(f"/docs/{doc_id}").status_code == 200


def test_versions_are_numbered_per_url_oldest_first(app, post):
    first, second, other = post("1"), post("2"), post("3")
    with app.test_request_context():
        assert [record_version(first, "u"), record_version(other, "v"), record_version(second, "u")] == [1, 1, 2]
        assert [(v["id"], v["version"]) for v in versions_of(second)] == [(first, 1), (second, 2)]
        assert version_numbers([first, other, "none"]) == {first: ("u", 1), other: ("v", 1)}
    page = app.test_client().get(f"/docs/{first}").get_data(as_text=True)
    assert "version 1 of 2" in page and f"/docs/{second}" in page and "changes-since" not in page
