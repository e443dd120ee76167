"""The Response panel: how a fetched document came (URL, status, time, every header but cookies)."""
import re
import urllib.parse
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from tests.support import kustomer_standin as k
from viewer.web.response import shown_url

USERS = "https://acme.api.kustomerapp.com/v1/users?page=2&pageSize=5"


def test_the_response_is_kept_with_the_document_without_cookies(kustomer, viewer, get):
    answer = get(f"{viewer.url}/fetch?url={quote(USERS, safe='')}")
    assert answer.status == 303
    doc_url = urllib.parse.urljoin(viewer.url, answer.headers["Location"])
    response = get(f"{doc_url}/response", accept="application/json").json()
    assert set(response) == {"url", "status", "seconds", "headers"}
    assert response["url"] == USERS and response["status"] == 200
    assert isinstance(response["seconds"], float) and 0 <= response["seconds"] < 30
    headers = response["headers"]
    assert headers["x-request-id"] == "req-users-2" and headers["x-ratelimit-limit"] == "1000"
    assert {"x-ratelimit-remaining", "x-ratelimit-reset", "content-type", "content-length"} <= set(headers)
    assert not {"set-cookie", "cookie"} & set(headers)
    page = get(doc_url).text
    panel = re.search(r'<details class="response" id="response">(.*?)</details>', page, re.DOTALL).group(1)
    assert "HTTP 200" in panel and "req-users-2" in panel and "x-ratelimit-remaining" in panel
    assert "set-cookie" not in page.lower() and k.SESSION not in page


def test_a_posted_document_has_no_response(viewer, get):
    doc_url = viewer.post(b'{"a": 1}')
    answer = get(f"{doc_url}/response", accept="application/json")
    assert answer.status == 404 and "not fetched by the viewer" in answer.json()["error"]
    assert 'id="response"' not in get(doc_url).text


def doc(url, masked):
    return SimpleNamespace(fetch_info={"requested_url": url}, source_url=url,
                           masking=SimpleNamespace(masked=masked))


@pytest.mark.parametrize("url, shown", [
    ("https://acme.api.kustomerapp.com/v1/customers/5f1a2b3c4d5e6f7a8b9c0d1e",
     "https://acme.api.kustomerapp.com/v1/customers/5f1a2b3c4d5e6f7a8b9c0d1e"),
    ("https://acme.api.kustomerapp.com/v1/customers/email=jenny@example.com",
     "https://acme.api.kustomerapp.com/v1/customers/email=********"),
    ("https://acme.api.kustomerapp.com/v1/customers/+15558675309",
     "https://acme.api.kustomerapp.com/v1/customers/********"),
    ("https://acme.api.kustomerapp.com/v1/customers?page=2&pageSize=5&email=jenny@example.com",
     "https://acme.api.kustomerapp.com/v1/customers?page=2&pageSize=5&email=********"),
])
def test_the_url_is_masked_while_the_document_is(url, shown):
    assert shown_url(doc(url, masked=True)) == shown
    assert shown_url(doc(url, masked=False)) == url
