"""Strings that lead somewhere: API links through /fetch when the document has a source URL, web links directly."""
import re
from urllib.parse import parse_qs, urlsplit

from tests.viewer.conftest import SAMPLES

SOURCE = "https://acme.api.kustomerapp.com/v1/conversations/60aa11bb22cc33dd44ee55ff"


def fetch_targets(html):
    return [parse_qs(urlsplit(h.replace("&amp;", "&")).query)["url"][0]
            for h in re.findall(r'href="(/fetch\?[^"]+)"', html)]


def rows_html(client, doc):
    return client.get(f"/docs/{doc}/rows?start=0&count=500").get_json()["html"]


def test_api_links_open_through_fetch_resolved_against_the_source(client):
    raw = (SAMPLES / "conversation.json").read_bytes()
    doc = client.post(f"/docs?source_url={SOURCE}", data=raw).headers["Location"].rsplit("/", 1)[1]
    html = rows_html(client, doc)
    assert fetch_targets(html) == [
        "https://acme.api.kustomerapp.com/v1/customers/5f1a2b3c4d5e6f7a8b9c0d1e",
        "https://acme.api.kustomerapp.com/v1/conversations/60aa11bb22cc33dd44ee55ff/messages",
        "https://acme.api.kustomerapp.com/v1/conversations/60aa11bb22cc33dd44ee55ff",
    ]
    assert 'href="https://tracking.example.com/4417"' in html  # a URL inside a sentence


def test_allow_listed_absolute_urls_go_through_fetch_and_others_directly(client):
    raw = b'{"a": "https://api.prod2.kustomerapp.com/v1/users/1", "b": "https://example.com/v1/x", "c": "/v2/x"}'
    doc = client.post(f"/docs?source_url={SOURCE}", data=raw).headers["Location"].rsplit("/", 1)[1]
    html = rows_html(client, doc)
    assert fetch_targets(html) == ["https://api.prod2.kustomerapp.com/v1/users/1"]
    assert 'href="https://example.com/v1/x"' in html and "/v2/x" not in re.findall(r'href="([^"]+)"', html)


def test_without_a_source_url_api_paths_are_text(client, post):
    doc = post((SAMPLES / "conversation.json").read_bytes())
    assert fetch_targets(rows_html(client, doc)) == []


def test_list_responses_get_previous_and_next_buttons(client):
    source = "https://acme.api.kustomerapp.com/v1/customers?page=2&pageSize=2"
    response = client.post("/docs", data={"json": (SAMPLES / "customers-page-2.json").read_text(), "source_url": source})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    nav = page[page.index('<nav class="pages"'):page.index("</nav>", page.index('<nav class="pages"'))]
    pages, every_page = nav.split('id="all-pages"')  # Fetch all pages comes last, and starts from page 1
    assert fetch_targets(pages) == ["https://acme.api.kustomerapp.com/v1/customers?page=1&pageSize=2",
                                    "https://acme.api.kustomerapp.com/v1/customers?page=3&pageSize=2"]
    assert "all=1" in every_page
    assert "page 2 of 3" in nav


def test_pages_from_meta_alone(client):
    source = "https://acme.api.kustomerapp.com/v1/customers?page=1"
    response = client.post("/docs", data={"json": '{"meta": {"page": 1, "totalPages": 4}, "data": []}',
                                          "source_url": source})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "https%3A%2F%2Facme.api.kustomerapp.com%2Fv1%2Fcustomers%3Fpage%3D2" in page
    assert 'rel="prev"' not in page


def test_fetch_info_shows_rate_limits_and_keeps_headers_but_no_cookie_or_credential(app):
    from viewer.store.documents import get_document, save_document
    with app.test_request_context():
        doc = save_document(b'{"data": []}', source_url=SOURCE, fetch_info={
            "status": 200, "fetched_at": "2026-10-21T14:05:40Z",
            "headers": {"Content-Type": "application/json", "X-RateLimit-Limit": "1000",
                        "X-RateLimit-Remaining": "998", "X-RateLimit-Reset": "1700000000",
                        "Authorization": "Bearer secret-key", "Set-Cookie": "s=1"}})
        stored = get_document(doc).fetch_info
    assert stored["headers"] == {"content-type": "application/json", "x-ratelimit-limit": "1000",
                                 "x-ratelimit-remaining": "998", "x-ratelimit-reset": "1700000000"}
    page = app.test_client().get(f"/docs/{doc}").get_data(as_text=True)
    assert "998 of 1000 requests left" in page and "HTTP 200" in page
    assert "secret-key" not in open(app.config["DATABASE"], "rb").read().decode("latin-1")
