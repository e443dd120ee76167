"""What a person sees in each browser when the viewer cannot fetch or show an API URL."""
from urllib.parse import quote

import pytest

from tests.support import kustomer_standin as k
from tests.support.browsers import wait_for

API = "https://acme.api.kustomerapp.com"

# (API path or URL, stand-in answer, heading, words that must be on the page)
CASES = {
    "wrong region": ("/v1/conversations/x1", k.wrong_pod(), "The API key belongs to another region (401)",
                     ["Auth token associated with pod prod2 but request is being handled by prod1",
                      "api.prod2.kustomerapp.com"]),
    "forbidden": ("/v1/customers/x2", k.forbidden(), "The API key lacks a permission (403)",
                  ["The API key does not have the org.permission.customer.read role."]),
    "rate limited": ("/v1/customers/x3", k.rate_limited(retry_after=25), "Rate limited by Kustomer (429)",
                     ["Rate limit exceeded. Try again later.", "Try again in 25 seconds", "300 (Professional)",
                      "2000 (Ultimate)"]),
    "refused host": ("https://metadata.example.com/v1/users", None, "The viewer did not fetch this URL",
                     ["metadata.example.com is not on the allow-list", "--allow-host"]),
    "redirect off the list": ("/v1/customers/x4", k.redirect("https://collector.example.net/keys"),
                              "The viewer did not fetch this URL",
                              ["redirected", "collector.example.net is not on the allow-list", "your key was not sent there"]),
    "not JSON": ("/v1/customers/x5", k.html_page(), "The API did not answer with JSON", ["text/html"]),
}


def fetch_page(viewer, case, kustomer):
    target, answer, _, _ = CASES[case]
    if answer is not None:
        kustomer.override(target, answer)
    url = target if target.startswith("https:") else API + target
    return f"{viewer.url}/fetch?url={quote(url, safe='')}"


@pytest.mark.parametrize("case", CASES)
def test_chromium_shows_why(case, kustomer, viewer, chromium):
    chromium.get(fetch_page(viewer, case, kustomer))
    heading = wait_for(lambda: chromium.find_element("tag name", "h1").text, message="the error page")
    assert heading == CASES[case][2]
    text = chromium.find_element("tag name", "main").text
    for words in CASES[case][3]:
        assert words in text, (words, text)
    assert k.KEY not in chromium.page_source


@pytest.mark.parametrize("case", CASES)
def test_firefox_shows_why(case, kustomer, viewer, firefox):
    firefox.navigate(fetch_page(viewer, case, kustomer))
    heading = wait_for(lambda: firefox.find_element("tag name", "h1").text, message="the error page")
    assert heading == CASES[case][2]
    text = firefox.find_element("tag name", "main").text
    for words in CASES[case][3]:
        assert words in text, (words, text)


def test_the_upstream_message_comes_first(kustomer, viewer, chromium):
    chromium.get(fetch_page(viewer, "forbidden", kustomer))
    first = chromium.find_element("css selector", "main blockquote strong")
    assert first.text == "The API key does not have the org.permission.customer.read role."


def test_another_sites_page_cannot_make_the_viewer_fetch(kustomer, viewer, chromium):
    chromium.get("https://acme.kustomerapp.com/app/customers")
    chromium.execute_script(
        "const img = new Image(); img.onerror = img.onload = () => { document.title = 'settled'; };"
        "img.src = arguments[0];", fetch_page(viewer, "forbidden", kustomer))
    wait_for(lambda: chromium.title == "settled", message="the image request to end")
    assert kustomer.api_requests() == []
