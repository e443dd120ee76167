"""A list fetched through the viewer is paged with its Next button, each page fetched again with the key."""
import re
import urllib.request
from urllib.parse import quote

from tests.support import kustomer_standin as k
from tests.support.browsers import wait_for

LIST = "https://acme.api.kustomerapp.com/v1/customers?page=1&pageSize=2"
DOC_PAGE = re.compile(r"^http://127\.0\.0\.1:\d+/docs/[A-Za-z0-9_-]+$")


def raw_of(doc_url):
    with urllib.request.urlopen(f"{doc_url}/raw", timeout=10) as response:
        return response.read()


def on_new_document(driver, previous):
    return wait_for(lambda: DOC_PAGE.match(driver.current_url) and driver.current_url != previous
                    and driver.current_url, 15, message="the next document page")


def test_chromium_follows_links_next_through_two_pages(kustomer, viewer, chromium):
    chromium.get(f"{viewer.url}/fetch?url={quote(LIST, safe='')}")
    page1 = on_new_document(chromium, None)
    assert raw_of(page1) == k.masked(k.customers_page(1))
    assert re.search(r"rate limit: \d+ of 1000 requests left", chromium.find_element("id", "rate-limits").text)
    chromium.find_element("css selector", "#pages a[rel=next]").click()
    page2 = on_new_document(chromium, page1)
    assert raw_of(page2) == k.masked(k.sample("customers-page-2.json"))
    chromium.find_element("css selector", "#pages a[rel=next]").click()
    page3 = on_new_document(chromium, page2)
    assert raw_of(page3) == k.masked(k.customers_page(3))
    assert chromium.find_elements("css selector", "#pages a[rel=next]") == []
    asked = [r.path for r in kustomer.api_requests("/v1/customers")]
    assert asked == ["/v1/customers?page=1&pageSize=2", "/v1/customers?page=2&pageSize=2", "/v1/customers?page=3&pageSize=2"]
    assert all(r.headers["Authorization"] == f"Bearer {k.KEY}" for r in kustomer.api_requests())


def test_firefox_follows_links_next_through_two_pages(kustomer, viewer, firefox):
    firefox.navigate(f"{viewer.url}/fetch?url={quote(LIST, safe='')}")
    page1 = wait_for(lambda: DOC_PAGE.match(firefox.get_url()) and firefox.get_url(), 15, message="page 1")
    for expected in (k.masked(k.sample("customers-page-2.json")), k.masked(k.customers_page(3))):
        previous = firefox.get_url()
        firefox.find_element("css selector", "#pages a[rel=next]").click()
        current = wait_for(lambda: DOC_PAGE.match(firefox.get_url()) and firefox.get_url() != previous
                           and firefox.get_url(), 15, message="the next page")
        assert raw_of(current) == expected
    assert raw_of(page1) == k.masked(k.customers_page(1))
    assert len(kustomer.api_requests("/v1/customers")) == 3
