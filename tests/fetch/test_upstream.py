"""The upstream client against the Kustomer stand-in, from a process that resolves Kustomer's names to it."""
import json
import time

from tests.support import kustomer_standin as k

API = "https://acme.api.kustomerapp.com"
CONVERSATION = f"{API}/v1/conversations/{k.CONVERSATION_ID}"


def test_fetch_keeps_the_exact_body_and_the_headers_that_matter(kustomer, fetch_upstream):
    got = fetch_upstream(CONVERSATION)
    assert got["ok"], got
    assert got["body"].encode() == k.sample("conversation.json")
    info = got["info"]
    assert info["status"] == 200 and info["url"] == CONVERSATION and info["redirects"] == []
    assert info["headers"]["content-type"].startswith("application/json")
    assert info["headers"]["x-ratelimit-limit"] == "1000"
    assert int(info["headers"]["x-ratelimit-remaining"]) < 1000
    assert int(info["headers"]["x-ratelimit-reset"]) > time.time() - 5
    assert info["fetched_at"].endswith("Z") and info["elapsed_ms"] >= 0
    [request] = kustomer.api_requests(f"/v1/conversations/{k.CONVERSATION_ID}")
    assert request.headers["Authorization"] == f"Bearer {k.KEY}"
    assert request.host == "acme.api.kustomerapp.com"


def test_list_pages_are_served_with_their_query(kustomer, fetch_upstream):
    got = fetch_upstream(f"{API}/v1/customers?page=2&pageSize=2")
    assert got["body"].encode() == k.sample("customers-page-2.json")
    page3 = json.loads(fetch_upstream(f"{API}/v1/customers?page=3&pageSize=2")["body"])
    assert page3["meta"]["page"] == 3 and page3["links"]["next"] is None


def test_a_key_of_another_region_is_explained_with_the_right_host(kustomer, fetch_upstream):
    kustomer.override(f"/v1/conversations/{k.CONVERSATION_ID}", k.wrong_pod())
    got = fetch_upstream(CONVERSATION)
    assert (got["kind"], got["status"], got["upstream_status"]) == ("wrong_region", 401, 401)
    assert got["error"].startswith("Kustomer says: \u201cAuth token associated with pod prod2 but request is being handled by prod1\u201d")
    assert "EU region" in got["error"] and "api.prod2.kustomerapp.com" in got["error"]
    assert got["links"] == [{"label": "Fetch it from api.prod2.kustomerapp.com",
                             "url": f"https://api.prod2.kustomerapp.com/v1/conversations/{k.CONVERSATION_ID}"}]


def test_a_wrong_key_is_a_401_that_says_to_check_the_key(kustomer, fetch_upstream):
    got = fetch_upstream(CONVERSATION, key="not-the-key")
    assert (got["kind"], got["status"]) == ("unauthorized", 401)
    assert got["error"].startswith("Kustomer says: \u201cUnauthorized\u201d") and "KUSTOMER_API_KEY" in got["error"]


def test_a_missing_key_sends_nothing_and_says_how_to_set_it(kustomer, fetch_upstream):
    got = fetch_upstream(CONVERSATION, key=None)
    assert (got["kind"], got["status"]) == ("missing_key", 401)
    assert "KUSTOMER_API_KEY" in got["error"] and "restart the viewer" in got["error"]
    assert any("export KUSTOMER_API_KEY=" in hint for hint in got["hints"])
    assert kustomer.api_requests() == []


def test_a_key_with_a_line_break_is_refused_without_showing_it(kustomer, fetch_upstream):
    got = fetch_upstream(CONVERSATION, key="secret-part-one\nsecret-part-two")
    assert (got["kind"], got["status"]) == ("malformed_key", 401)
    assert "secret-part" not in got["_output"]
    assert kustomer.api_requests() == []


def test_forbidden_shows_the_json_api_detail_first(kustomer, fetch_upstream):
    kustomer.override(f"/v1/customers/{k.CUSTOMER_ID}", k.forbidden())
    got = fetch_upstream(f"{API}/v1/customers/{k.CUSTOMER_ID}")
    assert (got["kind"], got["status"]) == ("forbidden", 403)
    assert got["error"].startswith("Kustomer says: \u201cThe API key does not have the org.permission.customer.read role.\u201d")
    assert got["details"] == [{"code": "forbidden", "title": "Forbidden",
                               "message": "The API key does not have the org.permission.customer.read role."}]


def test_kustomers_own_error_shape_is_read_too(kustomer, fetch_upstream):
    kustomer.override("/v1/customers", k.bad_request())
    got = fetch_upstream(f"{API}/v1/customers?page=x")
    assert (got["kind"], got["status"], got["upstream_status"]) == ("refused", 502, 400)
    assert got["details"] == [{"code": "bad_request", "title": "", "message": "Invalid request body or parameters."}]


def test_not_found(kustomer, fetch_upstream):
    got = fetch_upstream(f"{API}/v1/conversations/nope")
    assert (got["kind"], got["status"]) == ("not_found", 404)
    assert got["error"].startswith("Kustomer says: \u201cNo resource at /v1/conversations/nope\u201d")


def test_rate_limited_says_when_to_retry_and_the_plan_limits(kustomer, fetch_upstream):
    kustomer.override(f"/v1/conversations/{k.CONVERSATION_ID}", k.rate_limited(retry_after=42))
    got = fetch_upstream(CONVERSATION)
    assert (got["kind"], got["status"], got["retry_after"]) == ("rate_limited", 429, 42)
    assert "Try again in 42 seconds" in got["error"]
    assert got["rate_limit"]["retry-after"] == "42" and got["rate_limit"]["x-ratelimit-remaining"] == "0"
    hints = " ".join(got["hints"])
    assert "limit is 1000 requests per minute" in hints
    for plan, number in (("Professional", 300), ("Business", 500), ("Enterprise", 1000), ("Ultimate", 2000)):
        assert f"{number} ({plan})" in hints


def test_rate_limited_without_retry_after_uses_the_reset_time(kustomer, fetch_upstream):
    reset = int(time.time()) + 20
    kustomer.override("/v1/customers", k.Response(429, "{}", {"Content-Type": k.JSON, "x-ratelimit-reset": str(reset)}))
    got = fetch_upstream(f"{API}/v1/customers?page=1")
    assert got["kind"] == "rate_limited" and 15 <= got["retry_after"] <= 21


def test_a_server_error_page_becomes_a_502_with_its_title(kustomer, fetch_upstream):
    kustomer.override(f"/v1/conversations/{k.CONVERSATION_ID}", k.server_error(503))
    got = fetch_upstream(CONVERSATION)
    assert (got["kind"], got["status"], got["upstream_status"]) == ("server_error", 502, 503)
    assert got["details"][0]["message"] == "503 Service Temporarily Unavailable"


def test_a_redirect_on_the_list_is_followed_with_the_key(kustomer, fetch_upstream):
    kustomer.override("/v1/conversations/old", k.redirect(f"/v1/conversations/{k.CONVERSATION_ID}", 301))
    got = fetch_upstream(f"{API}/v1/conversations/old")
    assert got["ok"] and got["body"].encode() == k.sample("conversation.json")
    assert got["info"]["url"] == CONVERSATION and got["info"]["redirects"] == [CONVERSATION]
    assert [r.headers["Authorization"] for r in kustomer.api_requests()] == [f"Bearer {k.KEY}"] * 2


def test_a_redirect_off_the_list_is_refused_before_the_key_goes_there(kustomer, fetch_upstream):
    for target in ("https://collector.example.net/steal", "https://127.0.0.1/v1/x", "http://acme.api.kustomerapp.com/v1/x"):
        kustomer.override("/v1/conversations/moved", k.redirect(target))
        got = fetch_upstream(f"{API}/v1/conversations/moved")
        assert (got["class"], got["status"]) == ("NotAllowed", 400), got
        assert got["error"].startswith(f"The API redirected {API}/v1/conversations/moved to {target}")
        assert "your key was not sent there" in got["error"]


def test_too_many_redirects(kustomer, fetch_upstream):
    kustomer.override("/v1/loop", k.redirect("/v1/loop"))
    got = fetch_upstream(f"{API}/v1/loop", max_redirects=3)
    assert (got["kind"], got["status"]) == ("bad_redirect", 502) and "more than 3 redirects" in got["error"]


def test_urls_off_the_list_are_refused_without_a_request(kustomer, fetch_upstream):
    for url, reason in (("http://acme.api.kustomerapp.com/v1/users", "Only https URLs"),
                        ("https://169.254.169.254/latest/meta-data", "is an IP address"),
                        ("https://example.com/v1/users", "not on the allow-list"),
                        ("file:///etc/passwd", "Only https URLs")):
        got = fetch_upstream(url)
        assert (got["class"], got["status"]) == ("NotAllowed", 400) and reason in got["error"], got
    # Only requests for Kustomer's names count: the session's Firefox, which resolves every name to the
    # stand-in, asks its own update servers there now and then.
    assert [r for r in kustomer.requests if "kustomerapp.com" in r.host] == []


def test_an_unknown_name_is_a_dns_failure(kustomer, fetch_upstream):
    got = fetch_upstream("https://no-such-org.api.kustomerapp.com/v1/users")
    assert (got["kind"], got["status"]) == ("dns", 502) and "no-such-org.api.kustomerapp.com could not be found" in got["error"]


def test_an_untrusted_certificate_is_a_tls_failure(kustomer, fetch_upstream):
    got = fetch_upstream(CONVERSATION, trust_test_ca=False)
    assert (got["kind"], got["status"]) == ("tls", 502)
    assert "certificate verify failed" in got["error"] or "unable to get local issuer" in got["error"]
    assert kustomer.api_requests() == []


def test_a_slow_answer_times_out(kustomer, fetch_upstream):
    kustomer.override("/v1/slow", k.slow(3, k.Response(200, "{}", {"Content-Type": k.JSON})))
    started = time.monotonic()
    got = fetch_upstream(f"{API}/v1/slow", read_timeout=0.5)
    assert (got["kind"], got["status"]) == ("timeout", 504) and "within 0.5 seconds" in got["error"]
    assert time.monotonic() - started < 3


def test_an_answer_over_the_size_limit_is_refused(kustomer, fetch_upstream):
    got = fetch_upstream(CONVERSATION, max_bytes=100)
    assert (got["kind"], got["status"]) == ("too_large", 413)
    assert f"is {len(k.sample('conversation.json')):,} bytes, over the viewer's limit of 100 bytes" in got["error"]


def test_a_key_echoed_by_the_api_is_blanked_out(kustomer, fetch_upstream):
    echo = k.Response(400, json.dumps({"errors": [{"code": "bad", "message": f"Bad token Bearer {k.KEY}"}]}),
                      {"Content-Type": k.JSON})
    kustomer.override("/v1/echo", echo)
    got = fetch_upstream(f"{API}/v1/echo")
    assert got["details"][0]["message"] == "Bad token Bearer [KUSTOMER_API_KEY]"


def test_the_key_never_shows_in_any_outcome(kustomer, fetch_upstream):
    kustomer.override("/v1/a", k.wrong_pod())
    kustomer.override("/v1/b", k.rate_limited())
    kustomer.override("/v1/c", k.redirect("https://collector.example.net/"))
    for path in ("/v1/a", "/v1/b", "/v1/c", "/v1/nothing"):
        got = fetch_upstream(f"{API}{path}")
        assert not got["ok"] and k.KEY not in got["_output"]


def test_a_refused_connection_says_so(kustomer, fetch_upstream):
    got = fetch_upstream(f"https://{k.CLOSED_HOST}/v1/users")
    assert (got["kind"], got["status"]) == ("connection", 502)
    assert f"The connection to {k.CLOSED_HOST} failed (Connection refused)" in got["error"]
