"""Fetch all pages in the real viewer against the stand-in: whole and exact, paced by the rate limit, stoppable."""
import json
import re
import urllib.parse
import urllib.request
from urllib.parse import quote

import pytest

from tests.support import kustomer_standin as k
from tests.support.browsers import wait_for

API = "https://acme.api.kustomerapp.com"


def users(size):
    return f"{API}/v1/users?page=1&pageSize={size}"


def start(viewer, get, api_url, extra=""):
    answer = get(f"{viewer.url}/fetch?url={quote(api_url, safe='')}&all=1{extra}")
    assert answer.status == 303, answer.text[:2000]
    return urllib.parse.urljoin(viewer.url, answer.headers["Location"])


def progress(get, run_url):
    return get(run_url, accept="application/json").json()


def finished(get, run_url, timeout=60.0):
    wait_for(lambda: progress(get, run_url)["state"] != "running", timeout=timeout, interval=0.1,
             message=f"the run {run_url} to end")
    return progress(get, run_url)


def document(viewer, get, state):
    assert state["state"] == "done", state
    return json.loads(get(f"{viewer.url}/docs/{state['doc']}/raw").body)


def page_requests(kustomer):
    return [r for r in kustomer.api_requests("/v1/users")]


def test_a_list_of_many_pages_is_fetched_whole_and_exact(kustomer, viewer, get):
    run_url = start(viewer, get, users(10))
    assert re.fullmatch(rf"{viewer.url}/pages/[\w-]+", run_url)
    state = finished(get, run_url)
    doc = document(viewer, get, state)
    assert doc["data"] == [k.user(n) for n in range(250)]
    assert doc["meta"] == {"pages": 25, "items": 250, "fetched": users(10)}
    assert sorted(item["id"] for item in doc["included"]) == ["team-0", "team-1", "team-2"]
    assert len(page_requests(kustomer)) == 25
    # Each item exactly as sent: its bytes are those of its page.
    raw = get(f"{viewer.url}/docs/{state['doc']}/raw").body
    sent = k.users_page(7, 10, 250)
    first = sent.index(b'{\n   "type": "user"')
    item = sent[first:sent.index(b"\n  }", first) + 4]
    assert item.count(b"\n") > 5
    assert item in raw
    # The browser lands on the document once the run is done.
    landed = get(run_url)
    assert landed.status == 303 and landed.headers["Location"].endswith(f"/docs/{state['doc']}")
    page = get(urllib.parse.urljoin(viewer.url, landed.headers["Location"])).text
    assert 'id="partial"' not in page


@pytest.mark.slow
def test_pages_never_take_more_than_their_share_of_a_window(kustomer, viewer, get):
    kustomer.users_total = 40
    kustomer.limit_rate(6, 2)  # 6 requests every 2 s; the run may take half of them
    state = finished(get, start(viewer, get, users(5)))
    assert len(document(viewer, get, state)["data"]) == 40
    requests = page_requests(kustomer)
    assert len(requests) == 8 and not any(r.limited for r in requests)
    per_window = {}
    for request in requests:
        per_window[int(request.at // 2)] = per_window.get(int(request.at // 2), 0) + 1
    assert max(per_window.values()) <= 3, per_window


@pytest.mark.slow
def test_a_429_waits_for_retry_after_and_goes_on(kustomer, viewer, get):
    kustomer.users_total = 30
    answered = []

    def page(request):
        answered.append(request.at)
        if "page=2&" in request.path and len(answered) == 2:
            return k.rate_limited(retry_after=2)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
        return k.Response(200, k.users_page(int(query["page"][0]), 10, 30), {"Content-Type": k.JSON})

    kustomer.override("/v1/users", page)
    state = finished(get, start(viewer, get, users(10)))
    assert [u["id"] for u in document(viewer, get, state)["data"]] == [k.user(n)["id"] for n in range(30)]
    assert len(answered) == 4 and answered[2] - answered[1] >= 1.9


@pytest.mark.slow
def test_a_stopped_run_keeps_what_it_has_and_says_why(kustomer, viewer, get):
    kustomer.limit_rate(4, 30)  # two pages, then a long wait for the window
    run_url = start(viewer, get, users(10))
    wait_for(lambda: progress(get, run_url)["waiting"] is not None, timeout=30, message="the run to wait")
    page = get(run_url).text
    assert '<meta http-equiv="refresh"' in page and "<script" not in page.split("</head>")[0].split("<title>")[0]
    assert "Waiting" in page and "share of the rate limit" in page
    request = urllib.request.Request(run_url + "/stop", data=b"", method="POST", headers={"Origin": viewer.url})
    with urllib.request.urlopen(request, timeout=30):
        pass
    state = finished(get, run_url, timeout=10)
    doc = document(viewer, get, state)
    pages = state["pages"]
    assert pages >= 1 and len(doc["data"]) == pages * 10
    assert doc["meta"]["partial"] is True and doc["meta"]["stopped"]["page"] == pages + 1
    assert "stopped from its progress page" in doc["meta"]["stopped"]["why"]
    shown = get(f"{viewer.url}/docs/{state['doc']}").text
    assert 'id="partial"' in shown and f"before page {pages + 1}" in shown


def test_max_pages_ends_a_run_as_a_partial_document_that_says_how_to_fetch_more(kustomer, viewer, get):
    state = finished(get, start(viewer, get, users(10), "&max-pages=3"))
    doc = document(viewer, get, state)
    assert doc["meta"]["pages"] == 3 and len(doc["data"]) == 30
    assert "most pages a run may fetch (3)" in doc["meta"]["stopped"]["why"] and "&max-pages=N" in \
        doc["meta"]["stopped"]["why"]
    assert len(page_requests(kustomer)) == 3
    refused = get(f"{viewer.url}/fetch?url={quote(users(10), safe='')}&all=1&max-pages=100000")
    assert refused.status == 400 and "from 1 to 2000" in refused.text


def test_a_run_on_one_object_fails_in_words(kustomer, viewer, get):
    state = finished(get, start(viewer, get, f"{API}/v1/customers/{k.CUSTOMER_ID}"))
    assert state["state"] == "failed" and "not a page of a list" in state["error"]
    assert get(f"{viewer.url}/pages/{state['id']}").status == 502


def test_the_viewers_stop_keeps_a_run_as_a_partial_document(kustomer, hosts_file, certificates, tmp_path, get):
    kustomer.limit_rate(4, 30)
    viewer = k.viewer_process(hosts_file, certificates.ca_file, tmp_path)
    try:
        run_url = start(viewer, get, users(10))
        wait_for(lambda: progress(get, run_url)["waiting"] is not None, timeout=30, message="the run to wait")
    finally:
        viewer.stop()
    kustomer.reset()
    with k.viewer_process(hosts_file, certificates.ca_file, tmp_path) as again:
        home = get(f"{again.url}/").text
        doc_id = re.search(r'href="/docs/([\w-]+)"', home).group(1)
        doc = json.loads(get(f"{again.url}/docs/{doc_id}/raw").body)
    assert doc["meta"]["partial"] is True and "the viewer was stopped" in doc["meta"]["stopped"]["why"]


def test_the_document_page_of_a_list_offers_every_page(kustomer, viewer, get):
    answer = get(f"{viewer.url}/fetch?url={quote(f'{API}/v1/users?page=2&pageSize=10', safe='')}")
    page = get(urllib.parse.urljoin(viewer.url, answer.headers["Location"])).text
    href = re.search(r'id="all-pages" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(href).query) == {
        "url": [f"{API}/v1/users?page=1&pageSize=10"], "all": ["1"]}


def test_a_list_of_customers_fetched_whole_is_masked_like_any_document(kustomer, viewer, get):
    state = finished(get, start(viewer, get, f"{API}/v1/customers?page=1&pageSize=2"))
    raw = get(f"{viewer.url}/docs/{state['doc']}/raw").body
    assert state["pages"] == 3 and state["items"] == 6
    for name in (b"Alan Example", b"Barbara", b"Frances Example", b"alan@example.org"):
        assert name not in raw
    assert b'"********"' in raw and len(kustomer.api_requests("/v1/metadata/customer")) <= 1


def test_refreshing_a_combined_list_fetches_every_page_again_as_its_next_version(kustomer, viewer, get):
    from tests.fetch.test_refresh import post

    first = finished(get, start(viewer, get, users(50)))
    assert first["state"] == "done"
    before = len(page_requests(kustomer))
    status, headers, text = post(f"{viewer.url}/docs/{first['doc']}/refresh", {"Origin": viewer.url})
    assert status == 303, text[:2000]
    run_url = urllib.parse.urljoin(viewer.url, headers["Location"])
    assert "/pages/" in run_url  # a run of every page, not one page
    second = finished(get, run_url)
    assert len(document(viewer, get, second)["data"]) == 250
    assert len(page_requests(kustomer)) - before == 5
    page = get(f"{viewer.url}/docs/{second['doc']}").text
    assert "version 2 of 2" in page and f"/docs/{first['doc']}" in page
