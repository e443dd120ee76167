"""Input that is not a JSON document is refused with a message that locates the problem."""
import pytest


def refuse(client, raw, status=400):
    response = client.post("/docs", data=raw, content_type="application/json", headers={"Accept": "application/json"})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_syntax_error_names_line_and_column(client):
    body = refuse(client, b'{\n  "a": [1, 2 3]\n}')
    assert (body["line"], body["column"]) == (2, 14)
    assert "expected ',' or ']'" in body["error"] and "found '3'" in body["error"]


def test_html_error_page_shows_the_line_with_a_marker(client):
    response = client.post("/docs", data=b'{"a": tru}', content_type="application/json")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert '{&#34;a&#34;: tru}\n      ^' in page
    assert "Traceback" not in page


@pytest.mark.parametrize("raw, words", [
    (b"[NaN]", "NaN is not valid JSON"), (b'{"x": Infinity}', "Infinity is not valid JSON"),
    (b"[-Infinity]", "-Infinity is not valid JSON"), (b"[1,]", "trailing comma"),
    (b"{'a': 1}", "double quotes"), (b'["a\tb"]', "control character U+0009"), (b'["\\x"]', "invalid escape"),
    (b'["abc', "never closed"), (b"[01]", "leading zeros"), (b'{"a" 1}', "expected ':' after the key"),
])
def test_specific_messages(client, raw, words):
    assert words in refuse(client, raw)["error"]


def test_invalid_utf8_names_the_byte_offset(client):
    body = refuse(client, b'{"name": "caf\xe9"}')
    assert "not valid UTF-8" in body["error"] and "byte offset 13" in body["error"]
    assert (body["line"], body["column"]) == (1, 14)


@pytest.mark.parametrize("raw", [b"", b"   \n", b"\xef\xbb\xbf"])
def test_empty_body(client, raw):
    assert "empty" in refuse(client, raw)["error"]


def test_too_large_names_the_limit(tmp_path):
    from viewer.web.app import create_app
    app = create_app({"DATABASE": str(tmp_path / "v.sqlite3"), "MAX_BYTES": 1000})
    body = refuse(app.test_client(), b"[" + b"1," * 600 + b"1]", status=413)
    assert "1000 bytes" in body["error"] and "--max-bytes" in body["error"]


def test_default_limit_fits_256_mb():
    from viewer import settings
    assert settings.MAX_BYTES >= 256 * 1000 * 1000


def test_unknown_document_is_a_404_page(client):
    response = client.get("/docs/nope")
    assert response.status_code == 404 and "no document" in response.get_data(as_text=True)


def test_unexpected_errors_answer_a_page_without_a_stack_trace(app, client, monkeypatch):
    from viewer.web import intake

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")
    monkeypatch.setattr(intake, "save_document", broken)
    response = client.post("/docs", data=b"[1]")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in page and "Traceback" not in page and "unexpected error" in page
