"""Reading the API's error bodies and rate-limit headers (pure functions, no network)."""
import json
from email.utils import formatdate

import pytest

from viewer.kustomer.errors import error_details, from_response
from viewer.kustomer.ratelimit import retry_after_seconds

NOW = 1_800_000_000


@pytest.mark.parametrize("body, expected", [
    ({"errors": [{"code": "bad_request", "message": "Invalid request body or parameters.", "meta": {}}]},
     [{"code": "bad_request", "title": "", "message": "Invalid request body or parameters."}]),
    ({"errors": [{"status": 403, "code": "forbidden", "title": "Forbidden", "detail": "No role."}]},
     [{"code": "forbidden", "title": "Forbidden", "message": "No role."}]),
    ({"errors": [{"status": 404, "title": "Not Found"}]}, [{"code": "", "title": "Not Found", "message": "Not Found"}]),
    ({"errors": ["plain text error"]}, [{"code": "", "title": "", "message": "plain text error"}]),
    ({"errors": {"code": "x", "message": "one object"}}, [{"code": "x", "title": "", "message": "one object"}]),
    ({"message": "top-level message"}, [{"code": "", "title": "", "message": "top-level message"}]),
    ({"error": {"code": "e", "message": "nested"}}, [{"code": "e", "title": "", "message": "nested"}]),
    ({"errors": [{"code": "a", "message": "first"}, {"code": "b", "detail": "second"}]},
     [{"code": "a", "title": "", "message": "first"}, {"code": "b", "title": "", "message": "second"}]),
    ({"data": []}, []),
    ([1, 2], []),
])
def test_error_shapes(body, expected):
    assert error_details(json.dumps(body).encode(), "application/json") == expected


def test_an_html_error_page_is_summed_up_by_its_title():
    page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>"
    assert error_details(page, "text/html") == [{"code": "", "title": "", "message": "502 Bad Gateway"}]


def test_text_and_undecodable_bodies_do_not_raise():
    assert error_details(b"upstream connect error", "text/plain")[0]["message"] == "upstream connect error"
    assert error_details(b"\xff\xfe\x00bad", "")[0]["message"]
    assert error_details(b"", "") == []


@pytest.mark.parametrize("headers, expected", [
    ({"retry-after": "30"}, 30),
    ({"retry-after": formatdate(NOW + 90, usegmt=True)}, 90),
    ({"x-ratelimit-reset": str(NOW + 45)}, 45),
    ({"retry-after": "5", "x-ratelimit-reset": str(NOW + 45)}, 5),
    ({"x-ratelimit-reset": str(NOW - 10)}, 0),
    ({"retry-after": "soon"}, None),
    ({}, None),
])
def test_when_to_retry(headers, expected):
    assert retry_after_seconds(headers, now=NOW) == expected


def test_a_wrong_pod_in_the_other_direction_points_to_the_us_host():
    body = json.dumps({"errors": [{"status": 401, "detail": "Auth token associated with pod prod1 but request is "
                                                            "being handled by prod2"}]}).encode()
    error = from_response("https://api.prod2.kustomerapp.com/v1/users?page=2", 401, {}, body)
    assert error.kind == "wrong_region" and "belongs to the US region" in str(error)
    assert error.links == [("Fetch it from api.kustomerapp.com", "https://api.kustomerapp.com/v1/users?page=2")]


def test_other_statuses_keep_the_upstream_status():
    error = from_response("https://acme.api.kustomerapp.com/v1/x", 409, {}, b'{"errors":[{"message":"Conflict"}]}')
    assert (error.kind, error.status, error.upstream_status) == ("refused", 502, 409)
    assert str(error).startswith("Kustomer says: \u201cConflict\u201d Kustomer's API answered 409")
