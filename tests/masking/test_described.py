"""What describes a document comes from what is served: the home list, the removal note, the title, the source URL."""
import html
import json
import re
import sqlite3
from urllib.parse import quote

import pytest

from tests.masking.conftest import RULES, SAMPLES
from viewer.masking import rules
from viewer.masking.rules import Rules
from viewer.masking.urls import shown_url
from viewer.sizes import format_size
from viewer.web.app import create_app

API = "https://acme.api.kustomerapp.com"
EMAIL = "jenny.jennings@example.com"
BY_EMAIL = f"{API}/v1/customers/email={EMAIL}"


def customer(email: str) -> bytes:
    document = json.loads((SAMPLES / "customer.json").read_bytes())
    document["data"]["attributes"]["emails"][0]["email"] = email
    return json.dumps(document, indent=2).encode()


def recent_rows(client) -> list:
    """(name, size, lines) of each row of the home list."""
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'<a href="/docs/[^"]+" title="([^"]*)">.*?</a></td>\s*<td>([^<]*)</td><td>([^<]*)</td>', page)


def test_the_home_list_gives_the_size_and_lines_of_the_masked_rendition(client, post):
    short = post(customer("a@x.com"))
    long = post(customer("a-thirty-eight-character-name@ex.com"))
    rows = recent_rows(client)
    assert len(rows) == 2 and rows[0][1:] == rows[1][1:]  # the length of a masked value does not show
    served = client.get(f"{short}/raw").data
    assert rows[1][1] == format_size(len(served)) and client.get(f"{long}/raw").data == served
    lines = re.search(r"([0-9,]+) lines", client.get(short).get_data(as_text=True))[1]
    assert rows[1][2] == lines


def test_the_removal_note_shows_the_masked_preview_and_size(tmp_path):
    path = tmp_path / "masking.toml"
    path.write_text(RULES)
    app = create_app({"DATABASE": str(tmp_path / "v.sqlite3"), "TESTING": True, "MAX_STORAGE": 8 << 20,
                      "MASKING_RULES": rules.load(path)})
    client = app.test_client()
    # The name first, where the preview (the first 120 characters) would show it.
    document = b'{"data": {"type": "customer", "attributes": {"name": "Jenny Jennings", "pad": "' + b"p" * 200 + b'"}}}'
    first = client.post("/docs", data=document, content_type="application/json").headers["Location"]
    for n in range(8):
        client.post("/docs", data=b'{"n": %d, "text": "' % n + b"a" * 1_000_000 + b'"}', content_type="application/json")
    assert client.get(first).status_code == 404
    note = html.unescape(re.search(r'<div class="warning" id="removed">.*?</div>', client.get("/").get_data(as_text=True),
                                   re.S)[0])
    assert "Jenny" not in note and '"name": "********"' in note
    assert format_size(len(document)) not in note
    assert format_size(len(document) - len(b"Jenny Jennings") + len(b"********")) in note


def test_a_lookup_by_email_is_masked_wherever_the_source_url_shows(client, post, app):
    url = client.post("/docs", data={"json": (SAMPLES / "customer.json").read_text(), "source_url": BY_EMAIL})
    doc = url.headers["Location"]
    shown = f"{API}/v1/customers/email=*******.com"
    page = client.get(doc).get_data(as_text=True)
    assert EMAIL not in page and f"<title>{shown} · JSON viewer" in page
    assert EMAIL not in client.get(f"{doc}/text").get_data(as_text=True)
    assert EMAIL not in client.get("/").get_data(as_text=True) and shown in client.get("/").get_data(as_text=True)
    assert EMAIL not in client.get(f"{doc}/unmask").get_data(as_text=True)
    client.post(f"{doc}/unmask", data={"hours": "1"})
    assert BY_EMAIL in client.get(doc).get_data(as_text=True)  # unmasked, its page shows it as it is
    assert EMAIL not in client.get("/").get_data(as_text=True)
    [entry] = client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"]
    assert entry["source_url"] == shown and EMAIL not in client.get("/audit").get_data(as_text=True)
    client.delete(doc)
    # The document gone, its rules are not known: the lookup is masked in full.
    [entry] = client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"]
    assert entry["source_url"] == f"{API}/v1/customers/email=********"
    with sqlite3.connect(app.config["DATABASE"]) as db:  # the URL is stored as it was
        assert db.execute("SELECT source_url FROM audit").fetchone()[0] == BY_EMAIL


def test_a_document_left_unfinished_is_named_by_its_masked_source(tmp_path):
    database = str(tmp_path / "v.sqlite3")
    app = create_app({"DATABASE": database, "TESTING": True})
    client = app.test_client()
    doc = client.post("/docs", data={"json": "{}", "source_url": f"{API}/v1/customers?phone=%2B15558675309"})
    doc_id = doc.headers["Location"].rsplit("/", 1)[1]
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO masking_pending (doc_id) VALUES (?)", (doc_id,))
    page = create_app({"DATABASE": database, "TESTING": True}).test_client().get("/").get_data(as_text=True)
    assert 'id="unfinished"' in page and "8675309" not in page and "phone=********" in page


@pytest.mark.parametrize(("url", "mode", "shown"), [
    (f"{API}/v1/customers/email=jenny%40example.com", "partial", f"{API}/v1/customers/email=*******.com"),
    (f"{API}/v1/customers/email={EMAIL}/conversations", "full", f"{API}/v1/customers/email=********/conversations"),
    (f"{API}/v1/customers/phone=+15558675309", "partial", f"{API}/v1/customers/phone=*******5309"),
    (f"{API}/v1/customers?email={quote(EMAIL)}&page=2", "full", f"{API}/v1/customers?email=********&page=2"),
    (f"{API}/v1/customers/externalId=shop-8675309", "full", f"{API}/v1/customers/externalId=********"),
    (f"{API}/v1/customers/5f1a2b3c4d5e6f7a8b9c0d1e", "full", f"{API}/v1/customers/5f1a2b3c4d5e6f7a8b9c0d1e"),
])
def test_shown_url_masks_a_lookup_as_its_attribute(url, mode, shown):
    masked = Rules({"emails": mode, "phones": mode, "externalIds": mode}).inherit("customer")
    assert shown_url(url, lambda resource: masked) == shown
    assert shown_url(url, lambda resource: Rules()) == url  # an attribute not masked is shown
