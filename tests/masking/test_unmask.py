"""Local masking, unmasking for a while by the app's clock, and the audit log, through the test client."""
import json
import re
import sqlite3
from unittest.mock import patch

import pytest

from tests.masking.conftest import SAMPLES
from viewer.store import masking as store_masking

SECRETS = ["Jenny Jennings", "jenny.jennings", "+15558675309", "90071992547409931"]


def outputs(client, url):
    rows = client.get(f"{url}/rows?start=0&count=1000").get_json()["html"]
    return {"page": client.get(url).get_data(as_text=True), "rows": rows,
            "raw": client.get(f"{url}/raw").get_data(as_text=True), "text": client.get(f"{url}/text").get_data(as_text=True),
            "home": client.get("/").get_data(as_text=True)}


def test_a_pasted_customer_is_masked_by_the_local_rules(client, post):
    url = post((SAMPLES / "customer.json").read_bytes())
    for name, text in outputs(client, url).items():
        for secret in SECRETS:
            assert secret not in text, (secret, name)
    raw = json.loads(client.get(f"{url}/raw").data)["data"]["attributes"]
    assert raw["firstName"] == raw["displayName"] == "********"  # inheritance applies to local rules too
    assert raw["externalId"] == "shop-8675309"  # no rule names externalIds
    assert client.get(f"{url}/count?q=jennings").get_json()["count"] == 0


def test_unmask_lasts_the_hours_given_by_the_clock(client, post, clock):
    url = post((SAMPLES / "customer.json").read_bytes())
    assert client.post(f"{url}/unmask", data={"hours": "2"}).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Jenny Jennings" in page and 'class="mask-badge unmasked" title="unmasked: masks again in 2 h 0 min"' in page
    assert '<meta http-equiv="refresh" content="7201">' in page
    assert client.get(f"{url}/count?q=jennings").get_json()["count"] > 0
    clock.now += 2 * 3600 - 60
    assert "Jenny Jennings" in client.get(f"{url}/raw").get_data(as_text=True)
    clock.now += 60
    assert "Jenny Jennings" not in client.get(f"{url}/raw").get_data(as_text=True)
    assert client.get(f"{url}/count?q=jennings").get_json()["count"] == 0
    assert 'id="masked-note"' in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("hours", ["0", "73", "1.5", "x", "-1", "2_4", "+24", "\u0662\u0664", " 24", "24 ", "24\n",
                                   "\uff12\uff14", "0x18", "1e1", "00073"])
def test_hours_outside_the_range_answer_400(client, post, hours):
    url = post((SAMPLES / "customer.json").read_bytes())
    response = client.post(f"{url}/unmask", data={"hours": hours})
    assert response.status_code == 400 and "from 1 to 72" in response.get_data(as_text=True)


def test_default_is_24_hours_and_other_sites_are_refused(client, post):
    url = post((SAMPLES / "customer.json").read_bytes())
    refused = client.post(f"{url}/unmask", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    refused = client.post(f"{url}/unmask", headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    assert client.get("/audit", headers={"Accept": "application/json"}).get_json() == {"entries": [], "next": None}
    assert client.post(f"{url}/unmask", headers={"Origin": "http://localhost"}).status_code == 303
    [entry] = client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"]
    assert entry["hours"] == 24 and entry["doc"] == url.rsplit("/", 1)[1] and entry["kind"] == "viewer"


def test_the_audit_log_is_newest_first_and_insert_only(app, client, post, clock):
    first = post((SAMPLES / "customer.json").read_bytes())
    second = post((SAMPLES / "customer.json").read_bytes())
    client.post(f"{first}/unmask", data={"hours": "1"})
    clock.now += 10
    client.post(f"{second}/unmask", data={"hours": "5"})
    log = client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"]
    assert [e["doc"] for e in log] == [second.rsplit("/", 1)[1], first.rsplit("/", 1)[1]]
    assert client.delete(f"{first}").status_code == 204
    assert len(client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"]) == 2  # outlives its document
    db = sqlite3.connect(app.config["DATABASE"])
    for statement in ("UPDATE audit SET hours = 72", "DELETE FROM audit"):
        with pytest.raises(sqlite3.DatabaseError, match="insert-only"):
            db.execute(statement)
    assert client.get("/audit").status_code == 200


def test_a_document_with_nothing_masked_has_nothing_to_unmask(client, post):
    url = post(b'{"data": {"type": "conversation", "id": "1", "attributes": {"name": "x"}}}')
    assert "mask-badge" not in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/unmask").status_code == 400


def test_kustomers_masks_read_as_one_value_in_a_pasted_document(client, post):
    url = post((SAMPLES / "customer-masked-by-kustomer.json").read_bytes())
    raw = json.loads(client.get(f"{url}/raw").data)["data"]["attributes"]
    assert raw["name"] == "********" and raw["phones"][0]["phone"] == "*******5309"
    rows = client.get(f"{url}/rows?start=0&count=1000").get_json()["html"]
    assert "isMasked" not in rows and rows.count('class="mask-badge masked"') == 4


def test_a_form_on_our_own_page_sends_origin_null_and_is_accepted(client, post):
    url = post((SAMPLES / "customer.json").read_bytes())
    assert client.post(f"{url}/unmask", headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post(f"{url}/unmask", headers={"Origin": "null"}).status_code == 403
    assert client.post(f"{url}/unmask", headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"}).status_code == 303


def test_a_document_still_being_masked_is_neither_listed_nor_shown(app, client, post):
    url = post((SAMPLES / "customer.json").read_bytes())
    doc_id = url.rsplit("/", 1)[1]
    db = sqlite3.connect(app.config["DATABASE"])
    db.execute("INSERT INTO masking_pending (doc_id) VALUES (?)", (doc_id,))  # as between storing and masking
    db.commit()
    for path in ("", "/raw", "/rows?start=0", "/text"):
        assert client.get(f"{url}{path}").status_code == 503
    assert doc_id not in client.get("/").get_data(as_text=True)
    db.execute("DELETE FROM masking_pending")
    db.commit()
    assert client.get(url).status_code == 200 and doc_id in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("hours,seconds", [("1", 3600), ("012", 12 * 3600), ("07", 7 * 3600)])
def test_hours_in_ascii_digits_are_accepted(client, post, clock, hours, seconds):
    url = post((SAMPLES / "customer.json").read_bytes())
    assert client.post(f"{url}/unmask", data={"hours": hours}).status_code == 303
    clock.now += seconds - 1
    assert "Jenny Jennings" in client.get(f"{url}/raw").get_data(as_text=True)
    clock.now += 1
    assert "Jenny Jennings" not in client.get(f"{url}/raw").get_data(as_text=True)


def test_an_unmask_whose_audit_entry_cannot_be_written_does_not_happen(client, post):
    url = post((SAMPLES / "customer.json").read_bytes())

    def no_user():
        raise OSError("no login name")

    with patch.object(store_masking, "_user", no_user):
        assert client.post(f"{url}/unmask", data={"hours": "2"}).status_code == 500
    assert "Jenny Jennings" not in client.get(f"{url}/raw").get_data(as_text=True)
    assert 'id="masked-note"' in client.get(url).get_data(as_text=True)
    assert client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"] == []


def test_the_audit_log_pages_through_every_entry(app, client, clock):
    db = sqlite3.connect(app.config["DATABASE"])
    # 250 entries; every tenth shares its time with the one before, so a page can end between two of them.
    times = [clock.now - n + (n % 10 == 1) for n in range(250)]
    db.executemany("INSERT INTO audit (at, doc_id, source_url, customer_id, hours, user, kind)"
                   " VALUES (?, ?, NULL, NULL, 1, 'someone', 'viewer')", [(at, f"doc{n}") for n, at in enumerate(times)])
    db.commit()
    seen, url = [], "/audit"
    while url:
        page = client.get(url, headers={"Accept": "application/json"}).get_json()
        assert len(page["entries"]) <= 100
        seen += [entry["doc"] for entry in page["entries"]]
        url = page["next"]
    expected = [f"doc{n}" for n in sorted(range(250), key=lambda n: (-times[n], -n))]  # ties: the later written first
    assert seen == expected
    html, pages, url = [], 0, "/audit"
    while url:
        text = client.get(url).get_data(as_text=True)
        html += re.findall(r"<td>(doc\d+)</td>", text)
        found = re.search(r'<a href="([^"]+)" id="older"', text)
        url, pages = found.group(1).replace("&amp;", "&") if found else None, pages + 1
    assert html == expected and pages == 3


def test_a_page_position_that_is_not_one_answers_400(client):
    assert client.get("/audit?before=x").status_code == 400


def test_mask_again_now_ends_an_unmask_and_is_audited(client, post):
    url = post((SAMPLES / "customer.json").read_bytes())
    assert client.post(f"{url}/unmask", data={"hours": "5"}).status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert 'id="mask-again"' in page and f'action="{url}/mask"' in page
    assert client.post(f"{url}/mask", headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post(f"{url}/mask", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert "Jenny Jennings" in client.get(f"{url}/raw").get_data(as_text=True)
    assert client.post(f"{url}/mask", headers={"Origin": "http://localhost"}).status_code == 303
    assert "Jenny Jennings" not in client.get(f"{url}/raw").get_data(as_text=True)
    assert 'id="masked-note"' in client.get(url).get_data(as_text=True)
    log = client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"]
    assert [(e["kind"], e["hours"]) for e in log] == [("masked-again", 0), ("viewer", 5)]
    assert client.post(f"{url}/mask").status_code == 303  # already masked: nothing to end, nothing logged
    assert len(client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"]) == 2
