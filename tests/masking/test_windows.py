"""Kustomer's masks are remembered across its unmasking window, and the window ends with the viewer's unmask."""
import json
import time
from urllib.parse import quote

import pytest

from tests.masking.conftest import SAMPLES, metadata
from viewer.web.app import create_app

API = "https://acme.api.kustomerapp.com"
CUSTOMER_ID = "5f1a2b3c4d5e6f7a8b9c0d2b"
CUSTOMER = f"/v1/customers/{CUSTOMER_ID}"
WINDOW = f"{CUSTOMER}/unmasking-windows"
# The values Kustomer masked in customer-masked-by-kustomer.json, as its window shows them.
SECRETS = ["Grace Example", "grace.example@example.com", "+15551234567", "ACC-00042917"]
FORBIDDEN = {"errors": [{"status": 403, "title": "Forbidden", "detail": "Missing permission"}]}


def settings(tmp_path, clock):
    return {"DATABASE": str(tmp_path / "viewer.sqlite3"), "TESTING": True, "CLOCK": clock, "ELAPSED_CLOCK": clock.elapsed,
            "METADATA_CACHE_SECONDS": 0, "WINDOW_POLL_SECONDS": 0.02}


@pytest.fixture()
def app(tmp_path, clock):
    return create_app(settings(tmp_path, clock))


@pytest.fixture()
def kustomer(api):
    """The customer masked by Kustomer until its window opens; a window answers 201 and ends with 204."""
    def customer():
        opened = ("POST", WINDOW) in api.requests
        return (SAMPLES / f"customer-{'un' if opened else ''}masked-by-kustomer.json").read_bytes()
    api.answer("GET", CUSTOMER, body=customer)
    api.answer("POST", WINDOW, 201, {"data": {"type": "unmasking_window", "attributes": {"durationHours": 24}}})
    api.answer("DELETE", WINDOW, 204, b"")
    return api


def unmask_in_kustomer(client, hours="2") -> str:
    response = client.get(f"/fetch?url={quote(API + CUSTOMER, safe='')}")
    assert response.status_code == 303, response.get_data(as_text=True)[-600:]
    doc = response.headers["Location"]
    response = client.post(f"{doc}/unmask", data={"hours": hours})
    assert response.status_code == 303, response.get_data(as_text=True)[-600:]
    return response.headers["Location"]


def deletes(api) -> int:
    return api.requests.count(("DELETE", WINDOW))


def wait_for(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the condition was never met"
        time.sleep(0.01)


def served(client, doc) -> str:
    return "\n".join(client.get(f"{doc}{path}").get_data(as_text=True) for path in ("", "/raw", "/text")) + \
        client.get(f"{doc}/rows?start=0&count=1000").get_json()["html"]


@pytest.mark.parametrize("metadata_readable", [True, False], ids=["metadata", "no-metadata"])
def test_the_clock_ends_the_unmask_masks_kustomers_values_again_and_ends_the_window(app, client, kustomer, clock,
                                                                                     metadata_readable):
    if metadata_readable:  # the metadata lists the name and emails, not the phone or the account number
        kustomer.answer("GET", "/v1/metadata/customer", body=metadata({"name": "full", "emails": "partial"}))
    else:
        kustomer.answer("GET", "/v1/metadata/customer", 403, FORBIDDEN)
    doc = unmask_in_kustomer(client)
    page = client.get(doc).get_data(as_text=True)
    assert "Grace Example" in page and 'id="unmasked-note"' in page and "masks itself again in 2 h 0 min" in page
    assert 'class="mask-badge unmasked"' in page and '<meta http-equiv="refresh" content="7201">' in page
    assert deletes(kustomer) == 0
    clock.now += 2 * 3600
    text = served(client, doc)
    for secret in SECRETS:
        assert secret not in text, secret
    assert 'id="masked-note"' in client.get(doc).get_data(as_text=True)
    wait_for(lambda: deletes(kustomer) == 1)
    raw = json.loads(client.get(f"{doc}/raw").data)["data"]["attributes"]
    assert raw["emails"][0]["email"] == "*******.com" and raw["phones"][0]["phone"] == "*******4567"
    assert raw["custom"]["accountNumberStr"] == "********" and raw["custom"]["loyaltyTierStr"] == "silver"
    assert 'id="window-refused"' not in client.get(doc).get_data(as_text=True)


@pytest.mark.parametrize("metadata_readable", [True, False], ids=["metadata", "no-metadata"])
def test_mask_again_now_ends_the_window_at_once(client, kustomer, metadata_readable):
    kustomer.answer("GET", "/v1/metadata/customer", *((200, metadata({"name": "full"})) if metadata_readable
                                                      else (403, FORBIDDEN)))
    doc = unmask_in_kustomer(client, hours="72")
    assert client.post(f"{doc}/mask").status_code == 303
    assert deletes(kustomer) == 1  # in the same request
    text = served(client, doc)
    for secret in SECRETS:
        assert secret not in text, secret
    log = client.get("/audit", headers={"Accept": "application/json"}).get_json()["entries"]
    assert [e["kind"] for e in log] == ["masked-again", "kustomer-window"]


def test_a_refused_end_is_said_with_the_role_and_the_time_the_window_has_left(client, kustomer, clock):
    kustomer.answer("GET", "/v1/metadata/customer", 403, FORBIDDEN)
    kustomer.answer("DELETE", WINDOW, 403, FORBIDDEN)
    doc = unmask_in_kustomer(client, hours="2")
    client.post(f"{doc}/keep")  # outlives the 24 hours documents are kept
    clock.now += 3600
    client.post(f"{doc}/mask")
    page = client.get(doc).get_data(as_text=True)
    assert 'id="window-refused"' in page and "Kustomer refused to end it (403)" in page
    assert "org.permission.unmasking_window.delete" in page and "org.user.customer.write" in page
    assert "for about 23 h 0 min more" in page
    for secret in SECRETS:
        assert secret not in page
    clock.now += 3600
    assert "for about 22 h 0 min more" in client.get(doc).get_data(as_text=True)
    clock.now += 30 * 3600
    assert "Kustomer has ended it on its own by now" in client.get(doc).get_data(as_text=True)
    assert deletes(kustomer) == 1  # a refusal is not asked again


def test_a_window_whose_end_passed_while_the_viewer_was_stopped_is_ended_at_the_next_start(tmp_path, clock, kustomer):
    kustomer.answer("GET", "/v1/metadata/customer", 403, FORBIDDEN)
    before = create_app(settings(tmp_path, clock))
    doc = unmask_in_kustomer(before.test_client(), hours="1")
    before.extensions["viewer.windows"].stop()  # this viewer stops
    clock.now += 2 * 3600
    assert deletes(kustomer) == 0
    after = create_app(settings(tmp_path, clock))
    wait_for(lambda: deletes(kustomer) == 1)
    text = served(after.test_client(), doc)
    for secret in SECRETS:
        assert secret not in text, secret
