"""Rules travel with the rendition: stricter rules mask stored documents again, looser ones never unmask them."""
import json
import threading
from urllib.parse import quote

import pytest

from tests.masking.conftest import SAMPLES, metadata
from viewer.masking import remask
from viewer.web.app import create_app

API = "https://acme.api.kustomerapp.com"
EMAIL = "jenny.jennings@example.com"


def customer(customer_id: str) -> bytes:
    document = json.loads((SAMPLES / "customer.json").read_bytes())
    document["data"]["id"] = customer_id
    return json.dumps(document, indent=2).encode()


@pytest.fixture()
def app(tmp_path, clock):
    """No local rules; metadata read afresh for each document."""
    return create_app({"DATABASE": str(tmp_path / "viewer.sqlite3"), "TESTING": True, "CLOCK": clock,
                       "METADATA_CACHE_SECONDS": 0})


def fetched(client, api, customer_id) -> str:
    api.answer("GET", f"/v1/customers/{customer_id}", body=customer(customer_id))
    response = client.get(f"/fetch?url={quote(f'{API}/v1/customers/{customer_id}', safe='')}")
    assert response.status_code == 303, response.get_data(as_text=True)[-800:]
    return response.headers["Location"]


def test_stricter_metadata_read_later_masks_the_organisations_earlier_documents_again(app, client, api):
    api.answer("GET", "/v1/metadata/customer", body=metadata({"name": "full"}))
    first = fetched(client, api, "a1111111111111111111111a")
    assert EMAIL in client.get(f"{first}/raw").get_data(as_text=True)
    assert "Jenny Jennings" not in client.get(f"{first}/raw").get_data(as_text=True)

    # The organisation marks emails sensitive; the next document read from it brings the news.
    api.answer("GET", "/v1/metadata/customer", body=metadata({"emails": "partial", "sharedEmails": "partial"}))
    release = threading.Event()
    real = remask.remask

    def held(doc_id, extra):
        assert release.wait(30)
        real(doc_id, extra)

    remask.remask = held
    try:
        second = fetched(client, api, "b2222222222222222222222b")
        asked = len(api.requests)
        waiting = client.get(first)
        assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "2"
        page = waiting.get_data(as_text=True)
        assert "being masked again under the masking rules in force now" in page
        assert "0 of 1 documents to mask again are done" in page and '<meta http-equiv="refresh" content="2">' in page
        assert EMAIL not in page
        for path in ("raw", "text", "rows?start=0&count=100"):
            assert client.get(f"{first}/{path}").status_code == 503
        home = client.get("/").get_data(as_text=True)
        assert "being masked again under the new rules" in home and EMAIL not in home
        assert len(api.requests) == asked  # serving a page never asks the API
    finally:
        release.set()
        remask.remask = real
    assert app.extensions["viewer.remask"].idle(30)
    raw = client.get(f"{first}/raw").get_data(as_text=True)
    assert EMAIL not in raw and "*******.com" in raw
    assert "Jenny Jennings" not in raw  # the rules it was masked under still apply: union, never less
    assert EMAIL not in client.get(f"{second}/raw").get_data(as_text=True)

    # Looser metadata later never unmasks them.
    api.answer("GET", "/v1/metadata/customer", body=metadata({}))
    third = fetched(client, api, "c3333333333333333333333c")
    assert app.extensions["viewer.remask"].idle(30)
    assert EMAIL in client.get(f"{third}/raw").get_data(as_text=True)
    for doc in (first, second):
        raw = client.get(f"{doc}/raw").get_data(as_text=True)
        assert EMAIL not in raw
    assert "Jenny Jennings" not in client.get(f"{first}/raw").get_data(as_text=True)
    assert app.extensions["viewer.remask"].total == 1


def test_a_document_of_another_organisation_is_left_alone(app, client, api):
    api.answer("GET", "/v1/metadata/customer", body=metadata({}))
    first = fetched(client, api, "a1111111111111111111111a")
    api.answer("GET", "/v1/metadata/customer", body=metadata({"emails": "full", "sharedEmails": "full"}))
    api.answer("GET", "/v1/customers/b2222222222222222222222b", body=customer("b2222222222222222222222b"))
    other = "https://other.api.kustomerapp.com/v1/customers/b2222222222222222222222b"
    assert client.get(f"/fetch?url={quote(other, safe='')}").status_code == 303
    assert remask.EXTENSION not in app.extensions
    assert EMAIL in client.get(f"{first}/raw").get_data(as_text=True)


def test_a_restart_with_a_stricter_rules_file_masks_earlier_documents_again_newest_first(tmp_path, clock):
    database, loose, strict = str(tmp_path / "v.sqlite3"), tmp_path / "loose.toml", tmp_path / "strict.toml"
    loose.write_text('[[mask]]\nresource = "customer"\nattribute = "name"\nmode = "full"\n')
    strict.write_text(loose.read_text() + '[[mask]]\nresource = "customer"\nattribute = "emails"\nmode = "partial"\n'
                      '[[mask]]\nresource = "customer"\nattribute = "sharedEmails"\nmode = "partial"\n')
    from viewer.masking import rules
    before = create_app({"DATABASE": database, "TESTING": True, "MASKING_RULES": rules.load(loose), "CLOCK": clock})
    client = before.test_client()
    docs = [client.post("/docs", data=customer(f"{n:024d}"), content_type="application/json").headers["Location"]
            for n in range(3)]
    unmasked = client.post("/docs", data=b'{"note": "no customer here"}', content_type="application/json")
    assert EMAIL in client.get(f"{docs[0]}/raw").get_data(as_text=True)
    order = []
    real = remask.remask
    remask.remask = lambda doc_id, extra: (order.append(doc_id), real(doc_id, extra))
    try:
        after = create_app({"DATABASE": database, "TESTING": True, "MASKING_RULES": rules.load(strict), "CLOCK": clock})
        assert after.extensions["viewer.remask"].idle(30)
    finally:
        remask.remask = real
    # Newest first; the document holding no customer is left as it is.
    assert order == [d.rsplit("/", 1)[1] for d in docs[::-1]]
    assert client.get(unmasked.headers["Location"]).status_code == 200
    client = after.test_client()
    for doc in docs:
        raw = client.get(f"{doc}/raw").get_data(as_text=True)
        assert EMAIL not in raw and "Jenny Jennings" not in raw
    # Started again with no rules at all: nothing is unmasked, nothing is masked again.
    again = create_app({"DATABASE": database, "TESTING": True, "CLOCK": clock})
    assert remask.EXTENSION not in again.extensions
    for doc in docs:
        raw = again.test_client().get(f"{doc}/raw").get_data(as_text=True)
        assert EMAIL not in raw and "Jenny Jennings" not in raw


def test_a_document_that_had_nothing_masked_is_masked_by_the_rules_of_a_restart(tmp_path, clock):
    """A document taken in with no rules at all has no rendition yet: masking it again makes its first."""
    database, strict = str(tmp_path / "v.sqlite3"), tmp_path / "strict.toml"
    strict.write_text("".join(f'[[mask]]\nresource = "customer"\nattribute = "{name}"\nmode = "partial"\n'
                              for name in ("emails", "sharedEmails")))
    from viewer.masking import rules
    before = create_app({"DATABASE": database, "TESTING": True, "CLOCK": clock})
    doc = before.test_client().post("/docs", data=customer("c" * 24), content_type="application/json")
    doc = doc.headers["Location"]
    assert EMAIL in before.test_client().get(f"{doc}/raw").get_data(as_text=True)
    after = create_app({"DATABASE": database, "TESTING": True, "MASKING_RULES": rules.load(strict), "CLOCK": clock})
    assert after.extensions["viewer.remask"].idle(30)
    response = after.test_client().get(f"{doc}/raw")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert EMAIL not in response.get_data(as_text=True) and "*******.com" in response.get_data(as_text=True)


def served(url, deadline=60.0):
    """The document's raw text once it is served (200), waiting while it is masked again (503)."""
    import time
    import urllib.error
    import urllib.request
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(f"{url}/raw", timeout=30) as response:
                return response.read().decode()
        except urllib.error.HTTPError as exc:
            assert exc.code == 503 and exc.headers["Retry-After"], exc.read()[:500]
            body = exc.read().decode()
            assert EMAIL not in body and "masked again" in body
            assert time.monotonic() < end, "the document was never masked again"
            time.sleep(0.05)  # polling for the condition: the re-masking thread finishes it


@pytest.mark.slow
def test_the_real_viewer_restarted_with_a_stricter_rules_file(tmp_path):
    from tests.support.viewer_process import ViewerProcess
    loose, strict = tmp_path / "loose.toml", tmp_path / "strict.toml"
    loose.write_text('[[mask]]\nresource = "customer"\nattribute = "name"\nmode = "full"\n')
    strict.write_text(loose.read_text() + "".join(
        f'[[mask]]\nresource = "customer"\nattribute = "{name}"\nmode = "partial"\n' for name in ("emails", "sharedEmails")))
    with ViewerProcess(tmp_path, extra_args=["--masking", str(loose)]) as viewer:
        docs = [viewer.post(customer(f"{n:024d}")).removeprefix(viewer.url) for n in range(3)]
        assert EMAIL in served(viewer.url + docs[0])
    with ViewerProcess(tmp_path, extra_args=["--masking", str(strict)]) as viewer:
        for doc in docs:
            raw = served(viewer.url + doc)
            assert EMAIL not in raw and "Jenny Jennings" not in raw, viewer.output()
    with ViewerProcess(tmp_path) as viewer:  # no rules file: looser rules never unmask
        for doc in docs:
            raw = served(viewer.url + doc)
            assert EMAIL not in raw and "Jenny Jennings" not in raw


@pytest.mark.parametrize("program", [".data.attributes.emails", "[.. | strings]", "."])
def test_a_jq_result_is_made_again_from_its_source_under_a_stricter_rules_file(tmp_path, clock, program):
    """A result's own bytes need not be in any shape masking reads: its program runs again on the source's
    masked text once the source is masked under the new rules, and the result carries its source's rules."""
    database, loose, strict = str(tmp_path / "v.sqlite3"), tmp_path / "loose.toml", tmp_path / "strict.toml"
    loose.write_text('[[mask]]\nresource = "customer"\nattribute = "name"\nmode = "full"\n')
    strict.write_text(loose.read_text() + "".join(
        f'[[mask]]\nresource = "customer"\nattribute = "{name}"\nmode = "partial"\n' for name in
        ("emails", "sharedEmails")))
    from viewer.masking import rules
    before = create_app({"DATABASE": database, "TESTING": True, "MASKING_RULES": rules.load(loose), "CLOCK": clock})
    client = before.test_client()
    source = client.post("/docs", data=customer("d" * 24), content_type="application/json").headers["Location"]
    made = client.get(f"{source}/jq", query_string={"q": program})
    assert made.status_code == 303, made.get_data(as_text=True)[-500:]
    result = made.headers["Location"]
    assert EMAIL in client.get(f"{result}/raw").get_data(as_text=True)
    after = create_app({"DATABASE": database, "TESTING": True, "MASKING_RULES": rules.load(strict), "CLOCK": clock})
    assert after.extensions["viewer.remask"].idle(60)
    client = after.test_client()
    for doc in (source, result):
        response = client.get(f"{doc}/raw")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert EMAIL not in response.get_data(as_text=True) and "Jenny Jennings" not in response.get_data(as_text=True)
    assert "*******.com" in client.get(f"{result}/raw").get_data(as_text=True)
    page = client.get(result).get_data(as_text=True)
    assert EMAIL not in page and program.replace('"', "&#34;").split("|")[0].strip() in page


def test_a_jq_result_whose_source_is_gone_stays_hidden_under_stricter_rules(tmp_path, clock):
    """Fail closed: with no source to run its program on again, the result is not shown with what the new rules
    mask; deleting it is the way out."""
    database, strict = str(tmp_path / "v.sqlite3"), tmp_path / "strict.toml"
    strict.write_text('[[mask]]\nresource = "customer"\nattribute = "emails"\nmode = "partial"\n')
    from viewer.masking import rules
    before = create_app({"DATABASE": database, "TESTING": True, "CLOCK": clock})
    client = before.test_client()
    source = client.post("/docs", data=customer("e" * 24), content_type="application/json").headers["Location"]
    result = client.get(f"{source}/jq", query_string={"q": ".data.attributes.emails"}).headers["Location"]
    assert client.post(f"{source}/delete").status_code in (302, 303)
    after = create_app({"DATABASE": database, "TESTING": True, "MASKING_RULES": rules.load(strict), "CLOCK": clock})
    assert after.extensions["viewer.remask"].idle(60)
    client = after.test_client()
    response = client.get(f"{result}/raw")
    assert response.status_code == 503 and EMAIL not in response.get_data(as_text=True)
    assert client.post(f"{result}/delete").status_code in (302, 303)
