"""Masking through /fetch in the real viewer against the Kustomer stand-in: no original sensitive value leaves it."""
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from urllib.parse import quote

import pytest

from tests.support import kustomer_standin as k
from tests.support.servers import Response

API = "https://acme.api.kustomerapp.com"
pytestmark = pytest.mark.root  # the Kustomer stand-in listens on port 443

CUSTOMER = f"{API}/v1/customers/{k.CUSTOMER_ID}"
CONVERSATION = f"{API}/v1/conversations/{k.ORDER_CONVERSATION_ID}"
ORDER = f"{API}/v1/klasses/order/{k.ORDER_ID}"
MASKED_CUSTOMER = f"{API}/v1/customers/{k.MASKED_CUSTOMER_ID}"

# Each original value of a sensitive attribute in the samples, and parts of them.
CUSTOMER_SECRETS = ["Jenny Jennings", "Jennings", "jenny.jennings", "example.com", "+15558675309", "555867",
                    "shop-8675309", "1984-03-09", "90071992547409931"]
CONVERSATION_SECRETS = ["GB29NWBK60161331926819", "NWBK"]
ORDER_SECRETS = ["12 Example Street, Springfield"]


def fetch(viewer, get, api_url) -> str:
    answer = get(f"{viewer.url}/fetch?url={quote(api_url, safe='')}")
    assert answer.status == 303, answer.text[:2000]
    return urllib.parse.urljoin(viewer.url, answer.headers["Location"])


def post(viewer, path, fields, origin=True):
    data = urllib.parse.urlencode(fields).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        headers["Origin"] = viewer.url
    request = urllib.request.Request(f"{viewer.url}{path}", data=data, headers=headers, method="POST")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


def every_output(viewer, get, doc_url) -> dict:
    """Each thing the viewer answers about a document, as text."""
    doc_path = urllib.parse.urlsplit(doc_url).path
    rows = get(f"{doc_url}/rows?start=0&count=1000", accept="application/json").json()
    line_count = int(__import__("re").search(r'data-lines="(\d+)"', get(doc_url).text).group(1))
    outputs = {
        "page": get(doc_url).text,
        "rows": rows["html"],
        "raw": get(f"{doc_url}/raw").text,
        "download": get(f"{doc_url}/raw?download=1").text,
        "text": get(f"{doc_url}/text").text,
        "home": get(f"{viewer.url}/").text,
        "paths": json.dumps([get(f"{doc_url}/path?line={n}", accept="application/json").json()
                             for n in range(line_count)]),
        "lines": "".join(get(f"{doc_url}/line/{n}").text for n in range(line_count)),
    }
    assert doc_path in outputs["home"]
    return outputs


def assert_absent(outputs, secrets):
    for name, text in outputs.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} is in {name}"


@pytest.mark.parametrize("url,secrets", [(CUSTOMER, CUSTOMER_SECRETS), (CONVERSATION, CONVERSATION_SECRETS),
                                         (ORDER, ORDER_SECRETS)])
def test_no_original_sensitive_value_leaves_the_viewer(kustomer, viewer, get, url, secrets):
    doc_url = fetch(viewer, get, url)
    outputs = every_output(viewer, get, doc_url)
    assert_absent(outputs, secrets)
    for secret in secrets:
        found = get(f"{doc_url}/search?q={quote(secret)}", accept="application/json").json()
        assert found["line"] is None
        assert get(f"{doc_url}/count?q={quote(secret)}", accept="application/json").json()["count"] == 0
    assert 'class="mask-badge masked"' in outputs["rows"]
    assert get(f"{doc_url}/search?q=********", accept="application/json").json()["line"] is not None


def test_a_customer_shows_kustomers_mask_formats(kustomer, viewer, get):
    doc_url = fetch(viewer, get, CUSTOMER)
    raw = json.loads(get(f"{doc_url}/raw").body)
    attributes = raw["data"]["attributes"]
    assert attributes["emails"][0] == {"type": "home", "email": "*******.com", "verified": True}
    assert attributes["phones"][0]["phone"] == "*******5309"
    assert attributes["name"] == attributes["firstName"] == attributes["displayName"] == "********"
    assert attributes["externalId"] == "********"  # follows externalIds
    assert attributes["birthdayAt"] == "********"
    assert attributes["custom"]["legacyAccountIdNum"] == "********"
    assert attributes["custom"]["loyaltyTierStr"] == "gold" and attributes["locale"] == "en_US"
    count = get(f"{doc_url}/count?q=*******", accept="application/json").json()["count"]
    assert count == 11


def test_unmasking_shows_originals_and_is_in_the_audit_log(kustomer, viewer, get):
    doc_url = fetch(viewer, get, CUSTOMER)
    doc_path = urllib.parse.urlsplit(doc_url).path
    confirm = get(f"{doc_url}/unmask").text
    assert "for the hours you choose" in confirm and 'name="hours"' in confirm
    assert post(viewer, f"{doc_path}/unmask", {"hours": "0"})[0] == 400
    assert "from 1 to 72" in post(viewer, f"{doc_path}/unmask", {"hours": "73"})[2]
    status, _, _ = post(viewer, f"{doc_path}/unmask", {"hours": "3"}, origin=False)
    assert status == 303  # no Origin and no Sec-Fetch-Site: a non-browser client, as deletion allows
    refused = urllib.request.Request(f"{doc_url}/unmask", data=b"hours=3", method="POST",
                                     headers={"Origin": "https://evil.example",
                                              "Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(refused, timeout=30)
    assert caught.value.code == 403
    assert json.loads(get(f"{doc_url}/raw").body)["data"]["attributes"]["name"] == "Jenny Jennings"
    page = get(doc_url).text
    assert 'class="mask-badge unmasked"' in page and 'http-equiv="refresh"' in page
    log = get(f"{viewer.url}/audit", accept="application/json").json()["entries"]
    entry = next(e for e in log if e["doc"] == doc_path.rsplit("/", 1)[1])
    assert entry["source_url"] == CUSTOMER and entry["hours"] == 3 and entry["customer_id"] == k.CUSTOMER_ID
    assert entry["user"] and entry["at"].endswith("Z")
    assert CUSTOMER in get(f"{viewer.url}/audit").text


def test_metadata_refused_still_masks_with_local_rules_and_says_why(kustomer, hosts_file, certificates, tmp_path, get):
    rules = tmp_path / "masking.toml"
    rules.write_text('[[mask]]\nresource = "customer"\nattribute = "emails"\nmode = "partial"\n')
    kustomer.override("/v1/metadata/customer", k.forbidden())
    (tmp_path / "v").mkdir()
    process = k.viewer_process(hosts_file, certificates.ca_file, tmp_path / "v", extra_args=("--masking", str(rules)))
    try:
        doc_url = fetch(process, get, CUSTOMER)
        page = get(doc_url).text
        assert 'id="masking-note"' in page and "org.permission.metadata.read" in page
        raw = json.loads(get(f"{doc_url}/raw").body)["data"]["attributes"]
        assert raw["emails"][0]["email"] == "*******.com"
        assert raw["name"] == "Jenny Jennings"  # the organisation's rules could not be read
    finally:
        process.stop()


def test_kustomers_own_masks_read_as_one_value_and_its_window_unmasks(kustomer, viewer, get):
    doc_url = fetch(viewer, get, MASKED_CUSTOMER)
    rows = get(f"{doc_url}/rows?start=0&count=1000", accept="application/json").json()["html"]
    assert "isMasked" not in rows and "maskedPresentation" not in rows
    assert "*******.com" in rows and 'class="mask-badge masked"' in rows
    raw = json.loads(get(f"{doc_url}/raw").body)["data"]["attributes"]
    assert raw["emails"][0]["email"] == "*******.com" and raw["custom"]["accountNumberStr"] == "********"
    line = get(f"{doc_url}/search?q=*******.com", accept="application/json").json()["line"]
    assert get(f"{doc_url}/path?line={line}", accept="application/json").json()["javascript"].endswith(
        "attributes.emails[0].email")
    confirm = get(f"{doc_url}/unmask").text
    assert "for everyone in the organisation" in confirm
    status, headers, _ = post(viewer, f"{urllib.parse.urlsplit(doc_url).path}/unmask", {"hours": "24"})
    assert status == 303
    windows = kustomer.api_requests(f"/v1/customers/{k.MASKED_CUSTOMER_ID}/unmasking-windows")
    assert [r.method for r in windows] == ["POST"]
    assert windows[0].headers["Authorization"] == f"Bearer {k.KEY}"
    new_url = urllib.parse.urljoin(viewer.url, headers["Location"])
    assert new_url != doc_url
    assert get(f"{new_url}/raw").body == k.sample("customer-unmasked-by-kustomer.json")
    log = get(f"{viewer.url}/audit", accept="application/json").json()["entries"]
    assert log[0]["kind"] == "kustomer-window" and log[0]["customer_id"] == k.MASKED_CUSTOMER_ID


def test_a_window_refused_names_the_role(kustomer, viewer, get):
    doc_url = fetch(viewer, get, MASKED_CUSTOMER)
    kustomer.override(f"/v1/customers/{k.MASKED_CUSTOMER_ID}/unmasking-windows", k.forbidden())
    status, _, text = post(viewer, f"{urllib.parse.urlsplit(doc_url).path}/unmask", {"hours": "24"})
    assert status == 403 and "org.permission.unmasking_window.create" in text


def test_every_resource_type_of_an_answer_gets_the_organisations_rules(kustomer, viewer, get):
    """Eighteen Klasses in one answer: each masked by its metadata; the one whose metadata is refused is named."""
    klasses = [f"many{n}" for n in range(1, 19)]
    body = {"data": [{"type": f"kobject.{klass}", "id": f"6a{n:022x}", "attributes": {
        "custom": {"secretStr": f"secret of {klass}", "plainStr": f"plain of {klass}"}}} for n, klass in enumerate(klasses)]}
    for klass in klasses[:-1]:
        metadata = {"data": {"type": "metadata", "id": f"kobject.{klass}", "attributes": {"properties": {
            "secretStr": {"type": "string", "sensitive": {"enabled": True, "maskType": "full"}},
            "plainStr": {"type": "string"}}}}}
        kustomer.override(f"/v1/metadata/kobject.{klass}", Response(200, json.dumps(metadata), {"Content-Type": k.JSON}))
    kustomer.override(f"/v1/metadata/kobject.{klasses[-1]}", k.forbidden())
    kustomer.override("/v1/klasses/many/list", Response(200, json.dumps(body), {"Content-Type": k.JSON}))
    doc_url = fetch(viewer, get, f"{API}/v1/klasses/many/list")
    served = get(f"{doc_url}/raw").text
    for klass in klasses[:-1]:
        assert f'"secret of {klass}"' not in served and f'"plain of {klass}"' in served
    assert f'"secret of {klasses[-1]}"' in served  # no rules could be read for it, and the page says so
    note = re.search(r'id="masking-note">([^<]*)<', get(doc_url).text).group(1)
    assert f"kobject.{klasses[-1]}" in note and "kobject.many1," not in note and "org.permission.metadata.read" in note
    assert len(kustomer.api_requests(f"/v1/metadata/kobject.{klasses[16]}")) == 1
    fetch(viewer, get, f"{API}/v1/klasses/many/list")
    assert len(kustomer.api_requests(f"/v1/metadata/kobject.{klasses[16]}")) == 1  # once per 5 minutes


def test_mask_again_now_ends_kustomers_window_and_remembers_its_masks(kustomer, viewer, get):
    doc_url = fetch(viewer, get, MASKED_CUSTOMER)
    _, headers, _ = post(viewer, f"{urllib.parse.urlsplit(doc_url).path}/unmask", {"hours": "24"})
    new_url = urllib.parse.urljoin(viewer.url, headers["Location"])
    assert "Grace Example" in get(new_url).text
    status, _, _ = post(viewer, f"{urllib.parse.urlsplit(new_url).path}/mask", {})
    assert status == 303
    windows = kustomer.api_requests(f"/v1/customers/{k.MASKED_CUSTOMER_ID}/unmasking-windows")
    assert [r.method for r in windows] == ["POST", "DELETE"]
    assert windows[1].headers["Authorization"] == f"Bearer {k.KEY}"
    raw = json.loads(get(f"{new_url}/raw").body)["data"]["attributes"]
    # The account number is masked again although the metadata does not list it: Kustomer had masked it.
    assert raw["custom"]["accountNumberStr"] == "********" and raw["custom"]["loyaltyTierStr"] == "silver"
    assert "Grace Example" not in get(new_url).text and 'id="window-refused"' not in get(new_url).text


def test_a_refused_end_of_the_window_names_the_role(kustomer, viewer, get):
    doc_url = fetch(viewer, get, MASKED_CUSTOMER)
    _, headers, _ = post(viewer, f"{urllib.parse.urlsplit(doc_url).path}/unmask", {"hours": "24"})
    new_path = urllib.parse.urlsplit(headers["Location"]).path
    kustomer.override(f"/v1/customers/{k.MASKED_CUSTOMER_ID}/unmasking-windows", k.forbidden())
    assert post(viewer, f"{new_path}/mask", {})[0] == 303
    page = get(f"{viewer.url}{new_path}").text
    assert 'id="window-refused"' in page and "org.permission.unmasking_window.delete" in page
    assert "org.user.customer.write" in page and re.search(r"for about 2[34] h \d+ min more", page)
    assert "Grace Example" not in page
