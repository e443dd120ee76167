"""Every page a through-the-viewer bookmarklet can land on tells the page that opened its tab that it arrived."""
from pathlib import Path

ARRIVED = '<script src="/static/arrived.js" async></script>'
SCRIPT = Path(__file__).resolve().parents[2] / "viewer" / "static" / "arrived.js"


def test_the_document_error_and_fetch_error_pages_all_say_it(client, post):
    doc = post(b'{"a": 1}')
    refused = client.get("/fetch?url=https://elsewhere.example/v1/x")  # refused before any network
    assert refused.status_code == 400 and 'class="message error fetch-error"' in refused.get_data(as_text=True)
    pages = [client.get(f"/docs/{doc}"), client.get("/docs/missing"), refused, client.get("/fetch"), client.get("/")]
    for page in pages:
        assert ARRIVED in page.get_data(as_text=True), page.request.path
    assert client.get("/static/arrived.js").status_code == 200


def test_the_word_is_fixed_and_carries_no_data():
    code = SCRIPT.read_text()
    [call] = [line.strip() for line in code.splitlines() if "postMessage" in line]
    assert call == 'window.opener.postMessage("api-bookmarklets-viewer:arrived", "*");'
