"""kustomer.pages alone: a page's items as sent, where the next page is, the combined document, the pace."""
import json

import pytest

from viewer.kustomer import pages

URL = "https://acme.api.kustomerapp.com/v1/customers?page=1&pageSize=2"


def test_items_are_the_exact_bytes_sent():
    body = b'\xef\xbb\xbf{"data" : [ 1.0E5 , {"a": "\\u00e9", "a": 1.50} ,[]],"data2": 0, "meta": {}}'
    page = pages.split(body)
    assert page.items == [b"1.0E5", b'{"a": "\\u00e9", "a": 1.50}', b"[]"]


@pytest.mark.parametrize("body, expected", [
    ({"data": [], "links": {"next": "/v1/customers?page=2&pageSize=2"}},
     "https://acme.api.kustomerapp.com/v1/customers?page=2&pageSize=2"),
    ({"data": [], "links": {"next": None}, "meta": {"page": 1, "totalPages": 3}}, None),
    ({"data": [], "meta": {"page": 2, "totalPages": 3}},
     "https://acme.api.kustomerapp.com/v1/customers?page=3&pageSize=2"),
    ({"data": [], "meta": {"page": 3, "totalPages": 3}}, None),
    ({"data": []}, None),
])
def test_the_next_page(body, expected):
    assert pages.split(json.dumps(body).encode()).next_url(URL) == expected


@pytest.mark.parametrize("body", [b'{"data": {"type": "customer"}}', b"[1, 2]", b'{"meta": {}}', b"\xff"])
def test_an_answer_that_is_not_a_page_of_a_list(body):
    with pytest.raises(pages.NotAList):
        pages.split(body)


def test_included_objects_are_kept_once_by_type_and_id():
    combined = pages.Combined()
    for n in (1, 2):
        combined.add(pages.split(json.dumps({
            "data": [{"id": str(n)}],
            "included": [{"type": "team", "id": "t"}, {"type": "user", "id": str(n)}]}).encode()))
    doc = json.loads(combined.document({"pages": 2, "items": 2, "fetched": URL}))
    assert doc["data"] == [{"id": "1"}, {"id": "2"}]
    assert doc["included"] == [{"type": "team", "id": "t"}, {"type": "user", "id": "1"}, {"type": "user", "id": "2"}]
    assert doc["meta"] == {"pages": 2, "items": 2, "fetched": URL}


class Clock:
    def __init__(self):
        self.now = 2_000_000_000.0

    def __call__(self):
        return self.now


def answer(remaining, reset=2_000_000_060):
    return {"x-ratelimit-limit": "100", "x-ratelimit-remaining": str(remaining), "x-ratelimit-reset": str(reset)}


def test_a_run_takes_its_share_of_a_window_then_waits_for_the_reset():
    clock = Clock()
    pacer = pages.Pacer(0.5, clock)
    assert pacer.wait() is None
    for remaining in range(9, 4, -1):  # 10 were left: the run may take 5
        assert pacer.wait() is None
        pacer.saw(answer(remaining))
    seconds, why = pacer.wait()
    assert seconds == pytest.approx(60 + pages.RESET_MARGIN) and "share of the rate limit" in why
    clock.now += seconds
    assert pacer.wait() is None
    pacer.saw(answer(99, reset=2_000_000_120))  # a new window
    assert pacer.wait() is None


def test_others_spending_the_window_leave_the_reserve_untouched():
    pacer = pages.Pacer(0.5, Clock())
    pacer.saw(answer(9))
    pacer.saw(answer(5))  # three spent by other integrations: 5 left, the reserve
    assert pacer.wait() is not None


def test_a_429_waits_for_retry_after():
    clock = Clock()
    pacer = pages.Pacer(0.5, clock)
    pacer.limited(7)
    seconds, why = pacer.wait()
    assert seconds == pytest.approx(7 + pages.RESET_MARGIN) and "429" in why


def test_answers_without_rate_limit_headers_are_not_paced():
    pacer = pages.Pacer(0.5, Clock())
    pacer.saw({"content-type": "application/json"})
    assert pacer.wait() is None
