"""Documents are kept in SQLite across restarts, can be deleted, and expire."""
import sqlite3
import time

from viewer.store import expiry
from viewer.web.app import create_app


def test_post_forms(client, post):
    assert client.post("/docs", data=b'{"raw": true}', content_type="text/plain").status_code == 303
    assert client.post("/docs", data={"json": '{"form": true}'}).status_code == 303
    import io
    upload = client.post("/docs", data={"file": (io.BytesIO(b'{"file": true}'), "doc.json")},
                         content_type="multipart/form-data")
    assert upload.status_code == 303
    doc = upload.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/docs/{doc}/raw").data == b'{"file": true}'


def test_form_field_bytes_are_kept_exactly(client):
    from urllib.parse import urlencode
    text = '{"é": "a+b %41 \\u00e9"}'
    body = urlencode({"source_url": "https://x.api.kustomerapp.com/v1/a?b=1&c=2", "json": text})
    response = client.post("/docs", data=body, content_type="application/x-www-form-urlencoded")
    doc = response.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/docs/{doc}/raw").data == text.encode()
    assert "https://x.api.kustomerapp.com/v1/a?b=1&amp;c=2" in client.get(f"/docs/{doc}").get_data(as_text=True)


def test_source_url_as_query_parameter(client):
    response = client.post("/docs?source_url=https://a.api.kustomerapp.com/v1/x", data=b"[1]")
    doc = response.headers["Location"].rsplit("/", 1)[1]
    assert "https://a.api.kustomerapp.com/v1/x" in client.get(f"/docs/{doc}").get_data(as_text=True)


def test_documents_survive_a_restart(app, post):
    doc = post(b'{"kept": 1}')
    again = create_app({"DATABASE": app.config["DATABASE"]}).test_client()
    assert again.get(f"/docs/{doc}/raw").data == b'{"kept": 1}'
    assert again.get(f"/docs/{doc}/rows").get_json()["total"] == 3


def test_delete_one_and_all(client, post):
    first, second, third = post(b"[1]"), post(b"[2]"), post(b"[3]")
    assert client.post(f"/docs/{first}/delete", headers={"Origin": "http://localhost"}).status_code == 303
    assert client.get(f"/docs/{first}").status_code == 404
    assert client.delete(f"/docs/{second}", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 204
    assert client.get(f"/docs/{third}").status_code == 200
    assert client.post("/docs/delete", headers={"Origin": "http://localhost"}).status_code == 303
    assert client.get(f"/docs/{third}").status_code == 404
    assert "No documents yet" in client.get("/").get_data(as_text=True)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


def test_documents_expire_exactly_at_their_time(tmp_path):
    clock = Clock()
    app = create_app({"DATABASE": str(tmp_path / "v.sqlite3"), "EXPIRE_HOURS": 1, "CLOCK": clock})
    client = app.test_client()
    old = client.post("/docs", data=b"[1]").headers["Location"]
    clock.now += 3599
    assert client.get(old).status_code == 200
    clock.now += 2
    assert client.get(old).status_code == 404  # at once: no sweep has run
    assert old.rsplit("/", 1)[1] not in client.get("/").get_data(as_text=True)
    assert sqlite3.connect(tmp_path / "v.sqlite3").execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1
    expiry.sweep(app.config)  # what the viewer's timer runs
    assert sqlite3.connect(tmp_path / "v.sqlite3").execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0


def test_home_lists_recent_documents(client, post):
    post(b'{"first": "document"}')
    page = client.get("/").get_data(as_text=True)
    assert "{&#34;first&#34;: &#34;document&#34;}" in page
    assert 'name="json"' in page and 'type="file"' in page


def test_big_form_fields_decode_across_read_pieces(client):
    from urllib.parse import quote
    mebibyte = 1 << 20
    prefix = len("other=1&json=") + len(quote('["'))
    for shift in range(-3, 3):  # a %XX cut by the end of the first piece read, at every place
        text = '["' + "a" * (mebibyte - prefix + shift) + '\u00e9 + %", ' + '"b\u00e9c", ' * 50000 + "1]"
        body = f"other=1&json={quote(text, safe='')}&json=ignored&source_url=https%3A%2F%2Fx.api.kustomerapp.com%2F"
        response = client.post("/docs", data=body.encode(), content_type="application/x-www-form-urlencoded")
        assert response.status_code == 303, response.get_data(as_text=True)
        doc = response.headers["Location"].rsplit("/", 1)[1]
        assert client.get(f"/docs/{doc}/raw").data == text.encode()
    assert "x.api.kustomerapp.com" in client.get(f"/docs/{doc}").get_data(as_text=True)


def test_form_refusals(client):
    def post(body):
        return client.post("/docs", data=body, content_type="application/x-www-form-urlencoded",
                           headers={"Accept": "application/json"})
    assert "without its document" in post(b"source_url=x&other=%7B%7D").get_json()["error"]
    assert "malformed" in post(b"json=%7B%7").get_json()["error"]
    assert "without its document" in post(b"json=&source_url=x").get_json()["error"]
    assert post(b'{"sent": "as form"}').status_code == 303


def test_big_multipart_parts_are_kept_exactly(client):
    import io
    text = '["' + "\u00e9\\n" * 700_000 + '"]'
    response = client.post("/docs", data={"json": text, "source_url": "https://x.api.kustomerapp.com/v1/a"},
                           content_type="multipart/form-data")
    doc = response.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/docs/{doc}/raw").data == text.encode()
    assert "x.api.kustomerapp.com" in client.get(f"/docs/{doc}").get_data(as_text=True)
    upload = client.post("/docs", data={"json": "[1]", "file": (io.BytesIO(text.encode()), "doc.json")},
                         content_type="multipart/form-data")
    doc = upload.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/docs/{doc}/raw").data == text.encode()
    unnamed = client.post("/docs", data={"json": "[2]", "file": (io.BytesIO(b"[3]"), "")},
                          content_type="multipart/form-data")
    doc = unnamed.headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/docs/{doc}/raw").data == b"[2]"
