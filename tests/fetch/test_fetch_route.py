"""`GET /fetch` in the real viewer process: stores what it fetched, or answers an error page or JSON."""
import re
import sqlite3
from urllib.parse import quote

from tests.support import kustomer_standin as k

API = "https://acme.api.kustomerapp.com"
CONVERSATION = f"{API}/v1/conversations/{k.CONVERSATION_ID}"


def fetch_url(viewer, api_url):
    return f"{viewer.url}/fetch?url={quote(api_url, safe='')}"


def test_fetch_stores_the_exact_document_and_redirects_to_it(kustomer, viewer, get):
    answer = get(fetch_url(viewer, CONVERSATION))
    assert answer.status == 303
    location = answer.headers["Location"]
    assert location.rsplit("/", 2)[-2] == "docs"
    raw = get(f"{viewer.url}{location}/raw" if location.startswith("/") else f"{location}/raw")
    assert raw.status == 200 and raw.body == k.masked(k.sample("conversation.json"))
    [request] = kustomer.api_requests(f"/v1/conversations/{k.CONVERSATION_ID}")
    assert request.headers["Authorization"] == f"Bearer {k.KEY}"


def test_the_document_page_shows_the_source_and_rate_limit_figures(kustomer, viewer, get):
    location = get(fetch_url(viewer, CONVERSATION)).headers["Location"]
    page = get(f"{viewer.url}{location}" if location.startswith("/") else location).text
    assert CONVERSATION in page
    rate = re.search(r'<p class="ratelimit" id="rate-limits">(.*?)</p>', page, re.DOTALL).group(1)
    assert "(HTTP 200)" in rate and "application/json" in rate
    assert re.search(r"rate limit: \d+ of 1000 requests left", rate), rate


def test_errors_answer_with_their_status_and_a_readable_page(kustomer, viewer, get):
    kustomer.override("/v1/wrong-pod", k.wrong_pod())
    kustomer.override("/v1/forbidden", k.forbidden())
    kustomer.override("/v1/limited", k.rate_limited(retry_after=17))
    kustomer.override("/v1/broken", k.server_error(503))
    kustomer.override("/v1/away", k.redirect("https://collector.example.net/x"))
    kustomer.override("/v1/signin", k.html_page())
    cases = {
        f"{API}/v1/wrong-pod": (401, "Auth token associated with pod prod2 but request is being handled by prod1"),
        f"{API}/v1/forbidden": (403, "The API key does not have the org.permission.customer.read role."),
        f"{API}/v1/nothing": (404, "No resource at /v1/nothing"),
        f"{API}/v1/limited": (429, "Try again in 17 seconds"),
        f"{API}/v1/broken": (502, "503 Service Temporarily Unavailable"),
        f"{API}/v1/away": (400, "collector.example.net is not on the allow-list"),
        f"{API}/v1/signin": (502, "text/html"),
        "https://example.com/v1/users": (400, "example.com is not on the allow-list"),
        "https://169.254.169.254/latest": (400, "169.254.169.254 is an IP address"),
        "http://acme.api.kustomerapp.com/v1/users": (400, "Only https URLs are fetched"),
    }
    for url, (status, words) in cases.items():
        page = get(fetch_url(viewer, url))
        assert page.status == status, (url, page.status, page.text[:500])
        assert page.headers["Content-Type"].startswith("text/html")
        assert words.replace("'", "&#39;") in page.text or words in page.text, (url, page.text)
        assert "Traceback" not in page.text and k.KEY not in page.text
    assert get(fetch_url(viewer, f"{API}/v1/limited")).headers["Retry-After"] == "17"


def test_errors_are_json_when_asked_for(kustomer, viewer, get):
    kustomer.override("/v1/forbidden", k.forbidden())
    answer = get(fetch_url(viewer, f"{API}/v1/forbidden"), accept="application/json")
    assert answer.status == 403 and answer.headers["Content-Type"].startswith("application/json")
    data = answer.json()
    assert data["kind"] == "forbidden" and data["upstream_status"] == 403
    assert data["error"].startswith("Kustomer says: \u201cThe API key does not have the org.permission.customer.read role.\u201d")
    refused = get(fetch_url(viewer, "https://127.0.0.1/x"), accept="application/json")
    assert refused.status == 400 and refused.json()["kind"] == "refused"


def test_no_url_says_how_to_ask(viewer, get):
    page = get(f"{viewer.url}/fetch")
    assert page.status == 400 and "/fetch?url=" in page.text


def test_without_a_key_the_page_says_how_to_set_it(kustomer, keyless_viewer, get):
    page = get(fetch_url(keyless_viewer, CONVERSATION))
    assert page.status == 401
    assert "KUSTOMER_API_KEY" in page.text and "export KUSTOMER_API_KEY=" in page.text
    assert "restart the viewer" in page.text
    assert kustomer.api_requests() == []


def test_the_key_stays_out_of_the_log_and_the_database(kustomer, viewer, get):
    kustomer.override("/v1/forbidden", k.forbidden())
    for url in (CONVERSATION, f"{API}/v1/forbidden", f"{API}/v1/customers?page=2&pageSize=2"):
        get(fetch_url(viewer, url))
    assert k.KEY not in viewer.output()
    for path in viewer.db.parent.iterdir():
        if path.name.startswith(viewer.db.name):
            assert k.KEY.encode() not in path.read_bytes(), path
    with sqlite3.connect(viewer.db) as db:
        tables = [row[0] for row in db.execute("select name from sqlite_master where type = 'table'")]
        assert tables


def test_another_sites_background_request_fetches_nothing(kustomer, viewer, get):
    image = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    refused = get(fetch_url(viewer, CONVERSATION), headers=image)
    assert refused.status == 403 and "fetches only for pages you open yourself" in refused.text
    assert kustomer.api_requests() == []
    navigation = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    assert get(fetch_url(viewer, CONVERSATION), headers=navigation).status == 303
    assert len(kustomer.api_requests(f"/v1/conversations/{k.CONVERSATION_ID}")) == 1


def test_a_key_file_is_read_at_each_fetch(kustomer, hosts_file, certificates, tmp_path, get):
    key_file = tmp_path / "kustomer-api-key"
    key_file.write_text(k.KEY + "\n")
    key_file.chmod(0o600)
    with k.viewer_process(hosts_file, certificates.ca_file, tmp_path, key=None,
                          extra_args=["--key-file", str(key_file)]) as viewer:
        assert get(fetch_url(viewer, CONVERSATION)).status == 303
        key_file.write_text("a-newer-key\n")  # no restart
        get(fetch_url(viewer, CONVERSATION))
    assert [r.headers["Authorization"] for r in kustomer.api_requests(f"/v1/conversations/{k.CONVERSATION_ID}")] == \
        [f"Bearer {k.KEY}", "Bearer a-newer-key"]
