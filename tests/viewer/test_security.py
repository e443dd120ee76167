"""Escaping, headers, host checks, and which requests another site may make."""
import json

import pytest

PAYLOADS = {
    "<script>window.__xss = 1</script>": "<img src=x onerror=\"window.__xss = 2\">",
    "javascript:window.__xss=3": "javascript:window.__xss=4",
    "\" onmouseover=\"window.__xss=5": "</span><script>window.__xss=6</script>",
    "link": "https://example.com/\"><script>window.__xss=7</script>",
}


def test_keys_and_values_are_escaped_in_page_and_rows(client, post):
    doc = post(json.dumps(PAYLOADS).encode())
    page = client.get(f"/docs/{doc}").get_data(as_text=True)
    rows = client.get(f"/docs/{doc}/rows?start=0&count=50").get_json()["html"]
    for html in (page, rows):
        assert "<script>window" not in html and "<img" not in html
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
        assert 'href="javascript:' not in html
    assert 'href="https://example.com/"' not in rows  # a quote in a URL cannot end the attribute


def test_only_http_and_https_become_links(client, post):
    doc = post(json.dumps(["https://a.example/x", "http://b.example/y", "ftp://c.example/z",
                           "javascript:alert(1)", "data:text/html,hi", "see https://d.example/p."]).encode())
    rows = client.get(f"/docs/{doc}/rows?start=0&count=50").get_json()["html"]
    hrefs = sorted(set(__import__("re").findall(r'href="([^"]+)"', rows)))
    assert hrefs == ["http://b.example/y", "https://a.example/x", "https://d.example/p"]


def test_headers(client, post):
    doc = post(b"[1]")
    for path in ("/", f"/docs/{doc}", f"/docs/{doc}/raw", f"/docs/{doc}/rows", "/docs/missing"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script(client, post):
    doc = post(b'{"a": 1}')
    for path in ("/", f"/docs/{doc}", f"/docs/{doc}/text", "/docs/missing"):
        html = client.get(path).get_data(as_text=True)
        for tag in __import__("re").findall(r"<script[^>]*>", html):
            assert "src=" in tag, f"{path} has an inline script"
        assert " on" not in "".join(__import__("re").findall(r"<[a-z]+ [^>]*>", html)).replace(" one", "")


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8737", "127.0.0.2", "localhost.evil.example"])
def test_foreign_host_header_is_refused(client, host):
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 421
    assert "answers only to" in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["localhost", "localhost:8737", "127.0.0.1:8737", "[::1]:8737"])
def test_loopback_host_header_is_served(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_cross_site_form_post_is_accepted(client):
    response = client.post("/docs", data={"json": '{"from": "bookmarklet"}',
                                          "source_url": "https://acme.api.kustomerapp.com/v1/customers/1"},
                           headers={"Origin": "https://acme.kustomerapp.com", "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 303


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Origin": "http://localhost:9999"}, {"Sec-Fetch-Site": "cross-site"}])
def test_cross_site_deletion_is_refused(client, post, headers):
    doc = post(b"[1]")
    assert client.post(f"/docs/{doc}/delete", headers=headers).status_code == 403
    assert client.delete(f"/docs/{doc}", headers=headers).status_code == 403
    assert client.post("/docs/delete", headers=headers).status_code == 403
    assert client.get(f"/docs/{doc}").status_code == 200


def test_database_file_is_readable_by_its_owner_only(app, post):
    import os
    import stat
    post(b"[1]")
    mode = stat.S_IMODE(os.stat(app.config["DATABASE"]).st_mode)
    assert mode == 0o600
